"""The two kinds of failure the program knows.

`UserError` is a problem with what the user gave us (a file, an argument): it carries one clear
sentence naming the file and, where it applies, the line and column. The CLI prints it and exits 2;
the GUI shows it in a dialog. Anything else is the program's own fault.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem with the user's input, told in one sentence."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self.sentence())

    def sentence(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line:
                where += f", line {self.line}"
                if self.column:
                    where += f", column {self.column}"
            where += ": "
        return where + self.message


class SaveRefused(UserError):
    """A save that could not be done safely; the file on disk is untouched."""


def printable(text: str) -> str:
    """`text` we did not write (a Graph answer, a name from a crafted blob) safe to print: control
    and format characters (ESC, CR, NUL, C1, bidi overrides) as \\xNN / \\uNNNN, never raw, so
    it cannot move the cursor, recolour or rewrite a terminal line or a log."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100
                   else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in text)
