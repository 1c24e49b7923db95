"""The errors Lattice reports to users: bad input (with file, line, column) and bad usage."""

from __future__ import annotations


class LatticeError(Exception):
    """Base of the errors the CLI turns into a one-line message and exit code 2."""

    exit_code = 2


class UsageError(LatticeError):
    """The command was called with arguments that cannot work."""


class InputError(LatticeError):
    """An input file or value is malformed; carries where, so the user can go and fix it."""

    def __init__(self, message: str, path: object = None, line: int | None = None, col: int | None = None) -> None:
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
