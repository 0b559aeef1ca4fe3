"""A CollectTroubleshootingInfo zip: the logs inside it (.evtx and XML dumps), read as one table.

Members are extracted under the app's data folder (by their base name only, so a crafted path
cannot escape), then read by the ordinary sources; rows keep which member they came from through
the high bits of their locator. A zip bomb is refused before anything is written: a log member
over 1 GB, logs over 2 GB in all, or a member that unpacks to more than 200 times its packed size
(real logs pack 5-50 times). The sizes a zip declares can lie, so the bytes actually unpacked are
counted too, and the extraction stops (its files removed) as soon as they pass a limit.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from app.errors import UserError
from app.events.sources.base import Batch, Cancel, EventSource, check_readable

LOG_SUFFIXES = (".evtx", ".xml")
MAX_MEMBER = 1 << 30
MAX_TOTAL = 2 << 30
MAX_RATIO = 200
_SHIFT = 48


class ZipBundleSource(EventSource):
    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.name = self.path.name
        check_readable(self.path)
        self.members: list[str] = []
        self.sources: list[EventSource] = []
        try:
            with zipfile.ZipFile(self.path) as archive:
                self.members = [i.filename for i in archive.infolist()
                                if not i.is_dir() and i.filename.lower().endswith(LOG_SUFFIXES)]
        except (zipfile.BadZipFile, OSError) as exc:
            raise UserError(f"is not a readable zip file ({exc}).", path=self.path) from exc
        if not self.members:
            raise UserError("is a zip without any .evtx or .xml event log inside.", path=self.path)
        self._check_sizes()

    def _bomb(self, why: str) -> UserError:
        return UserError(f"is refused as a possible zip bomb: {why}.", path=self.path)

    def _check_sizes(self) -> None:
        """The declared sizes, before anything is written (see the module note)."""
        total = 0
        with zipfile.ZipFile(self.path) as archive:
            for name in self.members:
                info = archive.getinfo(name)
                size = info.file_size
                if size > MAX_MEMBER:
                    raise self._bomb(f"{name} would unpack to {size / 2**30:.1f} GB "
                                     f"(the limit is {MAX_MEMBER >> 30} GB per log)")
                if size > MAX_RATIO * max(info.compress_size, 1) and size > (1 << 20):
                    raise self._bomb(f"{name} would unpack to {size // max(info.compress_size, 1):,} "
                                     f"times its packed size (logs pack at most {MAX_RATIO} times)")
                total += size
        if total > MAX_TOTAL:
            raise self._bomb(f"its logs would unpack to {total / 2**30:.1f} GB in all "
                             f"(the limit is {MAX_TOTAL >> 30} GB)")

    def _extract(self) -> list[tuple[Path, str]]:
        from app.paths import data_dir

        digest = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:16]
        target = data_dir() / "zip-logs" / digest
        target.mkdir(parents=True, exist_ok=True)
        out: list[tuple[Path, str]] = []  # (our cache copy, the member's name in the zip)
        written = 0
        with zipfile.ZipFile(self.path) as archive:
            for number, name in enumerate(self.members):
                info = archive.getinfo(name)
                dest = target / f"{number:03d}-{PurePosixPath(name).name}"
                limit = min(MAX_MEMBER, max(info.file_size, MAX_RATIO * max(info.compress_size, 1)))
                try:
                    size = 0
                    with archive.open(info) as src, dest.open("wb") as dst:  # our own cache copy
                        while block := src.read(1 << 20):
                            size += len(block)
                            if size > limit or written + size > MAX_TOTAL:
                                raise self._bomb(f"{name} unpacks to more than its header says")
                            dst.write(block)
                    written += size
                except UserError:
                    for file in [*(copy for copy, _ in out), dest]:
                        file.unlink(missing_ok=True)
                    raise
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    self.report.warnings.append(f"{self.path}: {name} could not be extracted ({exc}).")
                    continue
                out.append((dest, name))
        return out

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        from app.events.sources.base import open_source

        self.report.warnings.clear()
        self.report.records_lost = 0
        self.sources = []
        files = self._extract()
        for index, (file, member) in enumerate(files):
            # a member's warnings name the zip and the member, not our cache copy of it
            where = f"{self.path} (member {member})"
            try:
                source = open_source(file)
                if isinstance(source, ZipBundleSource):
                    raise UserError("is a zip inside the zip; open it on its own.", path=file)
                for batch in source.batches(cancel):
                    for i, loc in enumerate(batch.table.locators):
                        batch.table.locators[i] = (index << _SHIFT) | loc if loc >= 0 else loc
                    yield Batch(batch.table, index, len(files))
            except UserError as exc:
                self.report.warnings.append(f"{where}: {exc.sentence().replace(str(file), member)}")
                self.sources.append(EventSource())
                continue
            self.sources.append(source)
            self.report.warnings.extend(w.replace(str(file), where) for w in source.report.warnings)
            self.report.records_lost += source.report.records_lost
            if source.report.cancelled:
                self.report.cancelled = True
                return
        if not any(type(s) is not EventSource for s in self.sources):
            raise UserError("has no readable event log inside: " + "; ".join(self.report.warnings),
                            path=self.path)

    def raw_xml(self, locator: int, row: int) -> str | None:
        if locator < 0:
            return None
        index = locator >> _SHIFT
        if index >= len(self.sources):
            return None
        return self.sources[index].raw_xml(locator & ((1 << _SHIFT) - 1), row)
