"""The errors Lattice reports to users: bad input (with file, line, column) and bad usage."""

from __future__ import annotations


class LatticeError(Exception):
    """Base of the errors the CLI turns into a one-line message and exit code 2."""

    exit_code = 2


class UsageError(LatticeError):
    """The command was called with arguments that cannot work."""


class InputError(LatticeError):
    """An input file or value is malformed; carries where, so the user can go and fix it."""

    def __init__(self, message: str, path=None, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.col = col

    def __str__(self) -> str:
        where = [self.path or "<input>"]
        if self.line is not None:
            where.append(str(self.line))
            if self.col is not None:
                where.append(str(self.col))
        return ":".join(where) + ": " + self.message


def from_oxigraph_syntax_error(err: SyntaxError, path) -> InputError:
    """Turn a pyoxigraph parse error into an InputError with the position it reports."""
    msg = str(err)
    line = getattr(err, "lineno", None)
    col = getattr(err, "offset", None)
    if msg.startswith("Parser error") and ": " in msg:  # "... at line L column C: cause" or "between ..."
        msg = msg.split(": ", 1)[1]
    # pyoxigraph may append "(file, line N)"; the position is already in the prefix
    import re

    msg = re.sub(r"\s*\([^()]*, line \d+\)$", "", msg)
    return InputError(msg, path=path, line=line, col=col)
