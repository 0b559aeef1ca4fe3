"""Every import edge between app's packages, read with ast (module-level and function-level imports,
and `importlib.import_module("app...")` with a literal name), and the loops among them.

A "package" is a folder under app/ (app/config, app/ui, ...) or a top-level module (app/errors.py).
Run it to see the current picture: `python -m tests.house.layers` prints each edge with the files
that make it, then the loops.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def package_of(module: str) -> str | None:
    """`app.config.rules` -> `config`; `app.errors` -> `errors`; `app` itself -> `app`."""
    parts = module.split(".")
    if parts[0] != "app":
        return None
    return parts[1] if len(parts) > 1 else "app"


def module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> Iterator[tuple[str, int]]:
    """(module, line) for every import in the file, wherever it sits (a function-level import is
    still a dependency), resolving relative imports and `from app import x`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path, root).split(".")
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module, node.lineno
            for alias in node.names:  # `from app import config` names a package, not a symbol
                candidate = f"{module}.{alias.name}"
                parts = candidate.split(".")
                if parts[0] == "app" and (root.joinpath(*parts).is_dir()
                                          or root.joinpath(*parts[:-1], parts[-1] + ".py").is_file()):
                    yield candidate, node.lineno
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            yield node.args[0].value, node.lineno


def edges(app: Path = APP) -> dict[tuple[str, str], list[str]]:
    """(from package, to package) -> ["app/x/y.py:12 app.z.w", ...]."""
    root = app.parent
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(app.rglob("*.py")):
        source = package_of(module_name(path, root))
        for module, line in imported_modules(path, root):
            target = package_of(module)
            if source and target and target != source and target != "app":
                found[(source, target)].append(f"{path.relative_to(root).as_posix()}:{line} {module}")
    return dict(found)


def imports_of_tests(app: Path = APP) -> list[str]:
    """Files in app/ that import tests/ or change sys.path (`app/x.py:12 tests.y`)."""
    root = app.parent
    found = []
    for path in sorted(app.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for module, line in imported_modules(path, root):
            if module == "tests" or module.startswith("tests."):
                found.append(f"{rel}:{line} {module}")
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):  # any use of sys.path: app/ has no reason to touch it
            if (isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name)
                    and node.value.id == "sys"):
                found.append(f"{rel}:{node.lineno} sys.path")
    return found


def cycles(graph_edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan), each sorted: every
    package in one of them reaches every other, so each is a loop to break."""
    graph: dict[str, list[str]] = defaultdict(list)
    for a, b in graph_edges:
        graph[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted({n for e in graph_edges for n in e}):
        if node not in index:
            visit(node)
    return sorted(out)


def mutual_pairs(graph_edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, b in graph_edges if a < b and (b, a) in graph_edges)


if __name__ == "__main__":
    found = edges()
    for (a, b), where in sorted(found.items()):
        print(f"{a} -> {b} ({len(where)})")
        for w in where:
            print(f"    {w}")
    print("\npairs importing each other:")
    for a, b in mutual_pairs(set(found)):
        print(f"  {a} <-> {b}")
    print("\nloops (packages that all reach each other):")
    for group in cycles(set(found)):
        print("  " + ", ".join(group))
    print("\napp/ reaching into tests/:")
    for line in imports_of_tests():
        print("  " + line)
