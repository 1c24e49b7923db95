"""`kg docs`: HTML documentation of the ontology, made by pyLODE from the merged ontology, into docs/build/."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from kg import paths
from kg.cliopts import add_output
from kg.errors import UsageError


def default_out() -> Path:
    """docs/build/ in the checkout when there is one, else docs/build/ under the current directory."""
    checkout_docs = paths.PACKAGE_DIR.parent / "docs"
    if checkout_docs.is_dir() and (paths.PACKAGE_DIR.parent / "ontology").is_dir():
        return checkout_docs / "build"
    return Path.cwd() / "docs" / "build"


def build_docs(out: Path | None = None) -> Path:
    """Write OUT/index.html (pyLODE) for the merged ontology; returns the path of the page."""
    try:
        from pylode import OntPub
    except Exception as err:  # pyLODE fails at import on some versions (e.g. 3.4.1 on Python 3.11)
        raise UsageError(f"pyLODE is not usable ({type(err).__name__}: {err}); install pylode==3.3.4") from None
    from kg.export import merged_graph
    from kg.fileio import write_atomic

    out = Path(out) if out else default_out()
    out.mkdir(parents=True, exist_ok=True)
    # pyLODE documents the external vocabularies' terms too if they are present: leave them out.
    graph = merged_graph(external=False)
    with tempfile.TemporaryDirectory(prefix="lattice-docs-") as tmp:
        src = Path(tmp) / "lattice.ttl"
        graph.serialize(destination=str(src), format="turtle")
        html = OntPub(ontology=str(src)).make_html()
    page = out / "index.html"
    write_atomic(page, html)
    return page


def register(subparsers) -> None:
    """Add `kg docs` to the command line."""
    p = subparsers.add_parser(
        "docs",
        help="build HTML documentation of the ontology (pyLODE) into docs/build/",
        description="Build the ontology's HTML documentation with pyLODE from the merged ontology. The output "
        "(docs/build/index.html by default) is built, not committed.",
    )
    add_output(p, "output folder (default: docs/build/)", dest="out", type=Path, metavar="DIR")
    p.set_defaults(func=run)


def run(args) -> int:
    import logging

    # pyLODE configures the root logger at DEBUG when nothing has; configure it first, quieter.
    logging.basicConfig(level=logging.WARNING)
    page = build_docs(args.out)
    print(f"wrote {page}", file=sys.stderr)
    return 0
