"""The rules every zip we open obeys (migration bundles, host reports): opened in memory, nothing
extracted, names that stay inside their folder, no links, no zip encryption, no bombs, members read
up to a limit whatever their header claims, JSON members no deeper than we ever write.

Each kind of archive brings its own limits (app/migrate/bundle.py, app/report/reader.py).
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import Any

from app.errors import UserError


def safe_name(name: str) -> bool:
    """A relative zip path that stays inside its folder (no drive, no root, no `..`, no backslash)."""
    if not name or "\\" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return False
    return ".." not in PurePosixPath(name).parts


MAX_JSON_DEPTH = 64  # our manifests and report members nest a few levels; deeper is crafted


def open_zip(data: bytes, source: str) -> zipfile.ZipFile:
    """The zip in `data`, or one sentence on why it cannot be opened. Python's zipfile decodes a
    name flagged UTF-8 (bit 11) while it reads the directory, so a crafted name fails here."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:
        raise UserError("has an entry whose name is marked UTF-8 but is not valid UTF-8; the zip is "
                        "damaged or crafted: refused", path=source) from None
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, OverflowError):
        raise UserError("is not a zip file (or it is damaged)", path=source) from None


def load_json(data: bytes, source: str, name: str) -> Any:
    """The JSON member `name`, or one sentence naming it: not JSON, or nested deeper than any file
    we write (a crafted file; Python's parser gives up near 1,000 levels with RecursionError, and
    every reader after it would walk the same depth)."""
    try:
        value = json.loads(data)
    except RecursionError:
        value = None
        deep = True
    except ValueError:
        raise UserError(f"has an unreadable {name} (it is not JSON)", path=source) from None
    else:
        deep = _deeper_than(value, MAX_JSON_DEPTH)
    if deep:
        raise UserError(f"has a {name} nested deeper than {MAX_JSON_DEPTH} levels; refused (a "
                        "crafted or damaged file)", path=source)
    return value


def _deeper_than(value: object, limit: int) -> bool:
    todo = [(value, 1)]
    while todo:  # a loop, not recursion: the depth is what is being checked
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def read_entry(z: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limit: int, *, what: str) -> bytes:
    """Read at most the limit, whatever the header claims (headers can lie)."""
    try:
        with z.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:  # a damaged or unusual member: a CRC, a method, a cut stream
        raise UserError(f"has a damaged entry '{info.filename}' ({exc}); refused",
                        path=source) from None
    if len(data) > limit:
        raise UserError(f"has an entry '{info.filename}' over {limit // 1048576} MB when "
                        f"unpacked; refused (a zip bomb or not a {what})", path=source)
    return data


def check_entries(z: zipfile.ZipFile, source: str, *, what: str, max_entries: int, max_total: int,
                  max_ratio: int) -> dict[str, zipfile.ZipInfo]:
    """The zip rules every archive we open obeys (bundles, host reports): few entries, no path that
    escapes, no link, no zip encryption, no bomb, no name twice. Nothing is extracted."""
    infos = z.infolist()
    if len(infos) > max_entries:
        raise UserError(f"has {len(infos)} entries; a {what} has {'a handful' if max_entries < 100 else 'far fewer'}. "
                        f"Refused (a zip bomb or not a {what})", path=source)
    for info in infos:
        if not safe_name(info.filename):
            raise UserError(f"has an entry with an unsafe path '{info.filename}' (it would "
                            "escape the folder); refused", path=source)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UserError(f"has a symbolic link entry '{info.filename}'; {what}s never hold "
                            "links: refused", path=source)
        if info.flag_bits & 0x1:
            raise UserError(f"has a password-protected entry '{info.filename}'; {what}s are "
                            "never zip-encrypted: refused", path=source)
    if sum(i.file_size for i in infos) > max_total or any(
            i.compress_size and i.file_size > 1_048_576 and i.file_size / i.compress_size > max_ratio
            for i in infos):
        raise UserError(f"unpacks to far more than it holds; refused (a zip bomb or not a "
                        f"{what})", path=source)
    names = {i.filename: i for i in infos}
    if len(names) < len(infos):  # which copy a reader takes differs between zip tools
        raise UserError("has two entries with the same name; refused", path=source)
    return names
