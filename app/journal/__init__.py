"""The journal of every change the tool makes to a host or a tenant (docs/journal.md).

Use it like this::

    with journal.action("deploy DLL", target=str(host_root), dll="Csv.dll") as step:
        ...                                   # the change itself
        step.undo = str(backup_folder)        # what puts it back, once known
    journal.read_journal()                    # JournalView: actions paired, unfinished ones marked

Each action is two lines in the data folder's journal.jsonl: "started" before the change runs,
"finished" (ok, or failed with the reason) after. A process killed in between leaves the first
line alone, so the action shows as unfinished. Never a secret: callers pass names and paths, and
any detail whose name says secret is dropped on the way in.
"""

from typing import TYPE_CHECKING, Any

from app.journal.write import Action, Journal, action, current_action, default_journal, record

if TYPE_CHECKING:
    from app.journal.read import ActionView, JournalView, read_journal

_READ = ("ActionView", "JournalView", "read_journal")


def __getattr__(name: str) -> Any:
    """The reading side on first use: every save imports this package (filestore.py), the first
    window included, but only the journal's views and a deployment's check read it back."""
    if name in _READ:
        from app.journal import read

        return getattr(read, name)
    raise AttributeError(f"module 'app.journal' has no attribute {name!r}")

__all__ = ["Action", "ActionView", "Journal", "JournalView", "action", "current_action",
           "default_journal", "read_journal", "record"]
