"""Options every `kg` subcommand spells the same way (-o/--output, -f/--format), and deprecated old spellings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def deprecation_note(old: str, new: str) -> None:
    """Tell the user on standard error that OLD is an old spelling of NEW, kept for one release."""
    print(f"kg: {old} is deprecated and will be removed in the next release; use {new}", file=sys.stderr)


class DeprecatedAlias(argparse.Action):
    """An old option spelling: stores like the new one (or stores VALUE) and prints a deprecation note."""

    def __init__(self, option_strings: Sequence[str], dest: str, new: str = "", value: Any = None, **kw: Any) -> None:
        self.new = new
        self.value = value
        if value is not None:
            kw["nargs"] = 0
        super().__init__(option_strings, dest, **kw)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        deprecation_note(option_string or self.option_strings[0], self.new)
        setattr(namespace, self.dest, self.value if self.value is not None else values)


def add_output(p: argparse.ArgumentParser, help: str, dest: str = "output", required: bool = False, **kw: Any) -> None:
    """-o/--output (and the old --out, deprecated)."""
    group: Any = p.add_mutually_exclusive_group(required=True) if required else p
    group.add_argument("-o", "--output", dest=dest, help=help, **kw)
    group.add_argument("--out", dest=dest, action=DeprecatedAlias, new="-o/--output", help=argparse.SUPPRESS, **kw)


def add_format(
    p: argparse.ArgumentParser, choices: Sequence[str], default: str | None, help: str, dest: str = "format"
) -> None:
    """-f/--format with its choices."""
    p.add_argument("-f", "--format", choices=choices, default=default, dest=dest, help=help)
