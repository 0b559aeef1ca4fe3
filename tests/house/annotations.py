"""Functions in app/ with a missing annotation, counted per package with ast: the same thing mypy's
`disallow_untyped_defs` / `disallow_incomplete_defs` would report, readable without running mypy.

A function counts when a parameter (other than the first of a method, `self`/`cls`) or its return
has no annotation. Like mypy, an `__init__` whose parameters are annotated needs no `-> None`.
Run it to see the picture: `python -m tests.house.annotations` prints each package's count and
total, then every function still missing one.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

Function = ast.FunctionDef | ast.AsyncFunctionDef


def package_of(path: Path) -> str:
    """app/certs/store.py -> `certs`; app/errors.py -> `errors.py` (a top-level module)."""
    parts = path.relative_to(APP).parts
    return parts[0] if len(parts) > 1 else parts[0]


def _functions(tree: ast.AST) -> Iterator[tuple[Function, bool]]:
    """Every function with whether it is a method (its first parameter is the instance or class,
    which mypy does not ask to be annotated). Static methods take no instance."""
    def walk(node: ast.AST, in_class: bool) -> Iterator[tuple[Function, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                static = any(isinstance(d, ast.Name) and d.id == "staticmethod"
                             for d in child.decorator_list)
                yield child, in_class and not static
                yield from walk(child, False)
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, True)
            else:
                yield from walk(child, in_class)
    return walk(tree, False)


def is_incomplete(func: Function, is_method: bool) -> bool:
    args = func.args
    params = args.posonlyargs + args.args
    if is_method and params:
        params = params[1:]
    params = params + args.kwonlyargs
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    if any(p.annotation is None for p in params):
        return True
    if func.returns is None:
        # mypy lets an __init__ with at least one annotated parameter go without `-> None`
        return not (func.name == "__init__" and params)
    return False


def missing(path: Path) -> Iterator[tuple[str, int]]:
    """(qualified-ish name, line) of every function in the file with a missing annotation."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for func, is_method in _functions(tree):
        if is_incomplete(func, is_method):
            yield func.name, func.lineno


def totals() -> tuple[Counter[str], Counter[str]]:
    """(functions with a missing annotation, all functions) per package."""
    bad: Counter[str] = Counter()
    every: Counter[str] = Counter()
    for path in sorted(APP.rglob("*.py")):
        package = package_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for func, is_method in _functions(tree):
            every[package] += 1
            bad[package] += is_incomplete(func, is_method)
    return bad, every


def main() -> int:
    bad, every = totals()
    for package in sorted(every):
        print(f"{package:20} {bad[package]:4} of {every[package]:4}")
    print(f"{'total':20} {sum(bad.values()):4} of {sum(every.values()):4}")
    if "-v" in sys.argv:
        for path in sorted(APP.rglob("*.py")):
            for name, line in missing(path):
                print(f"{path.relative_to(ROOT).as_posix()}:{line}: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
