"""The `kg` command line: one subcommand per job, each defined in the module that does the job."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from kg import __version__
from kg.errors import LatticeError

# (module, description) — each module defines register(subparsers); order is the order of `kg --help`.
SUBCOMMAND_MODULES = [
    "kg.build",
    "kg.check",
    "kg.docs",
    "kg.export",
    "kg.release",
    "kg.why",
    "kg.audit",
    "kg.importers",
    "kg.validate",
    "kg.report",
    "kg.query",
    "kg.graph",
    "kg.network_export",
    "kg.serve",
    "kg.load",
    "kg.synth",
]

EPILOG = """exit codes: 0 success, 1 findings (e.g. validation results), 2 usage or input error.
environment: LATTICE_HOME holds builds and imports (default ~/.cache/lattice)."""


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Lattice: build, check, validate, query and serve the global-governance accountability graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kg (Lattice) {__version__}")
    parser.add_argument(
        "--dataset",
        metavar="DIR",
        help="built dataset folder to use (default: $LATTICE_HOME/build)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a subcommand whose module is not present in this install
            if exc.name == name:
                continue
            raise
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except LatticeError as exc:
        print(f"{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into a program that stopped reading (e.g. `kg query ... | head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a read-only LATTICE_HOME, a full disk, an unreadable file: one line, exit 2
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"kg: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
