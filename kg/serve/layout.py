"""The frame every server-rendered page shares: navigation, the search box, styles and scripts."""

from __future__ import annotations

import html

PUBLIC_BASE = "https://w3id.org/lattice"


def local_path(iri: str) -> str | None:
    """The server path that resolves a Lattice IRI (https://w3id.org/lattice/...), or None for others."""
    if not iri.startswith(PUBLIC_BASE + "/"):
        return None
    rest = iri[len(PUBLIC_BASE) :]
    if rest.startswith("/ontology#"):
        return "/ontology#" + rest[len("/ontology#") :]
    return rest


SEARCH_BOX = (
    '<form class="search" action="/search" method="get" role="search" autocomplete="off">'
    '<label for="site-search" class="visually-hidden">Search bodies, states, people, events and terms</label>'
    '<input id="site-search" name="q" type="search" maxlength="200" placeholder="Search the graph…" '
    'role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="site-search-list">'
    '<ul id="site-search-list" role="listbox" aria-label="suggestions" hidden></ul>'
    '<button type="submit">Search</button></form>'
)

NAV = (
    '<nav class="site" aria-label="site"><a href="/home">Lattice</a> <a href="/browse">Browse</a> '
    '<a href="/">Query</a> <a href="/ontology">Ontology</a> <a href="/shapes">Principles</a>'
    f"{SEARCH_BOX}</nav>"
)


def page(title: str, body: str) -> bytes:
    """A complete HTML page around BODY (already escaped HTML); TITLE is escaped here."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{html.escape(title)} — Lattice</title>"
        '<link rel="stylesheet" href="/web/style.css"><link rel="stylesheet" href="/web/pages.css">'
        '<script src="/web/search.js" defer></script></head>'
        f'<body class="doc">{NAV}<main id="main">{body}</main></body></html>\n'
    ).encode()
