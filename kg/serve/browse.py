"""Pages to find things by: search results, class pages with counts and filters, and the home page."""

from __future__ import annotations

from kg.serve.article import esc
from kg.serve.layout import page


def search_html(text: str, found: list) -> bytes:
    """The results of a search (the page the search box submits to when scripts are off or Enter is pressed)."""
    if not text.strip():
        body = "<h1>Search</h1><p>Type a name or part of one: bodies, states, people, events and terms.</p>"
        return page("Search", body)
    items = []
    for hit in found:
        href = hit.get("href")
        name = f'<a href="{esc(href)}">{esc(hit["label"])}</a>' if href else esc(hit["label"])
        alias = f" <small>also “{esc(hit['alias'])}”</small>" if hit.get("alias") else ""
        kinds = f" <small>{esc(', '.join(hit['kinds'][:4]))}</small>" if hit.get("kinds") else ""
        items.append(f'<li>{name}{alias}{kinds}<br><small class="iri">{esc(hit["iri"])}</small></li>')
    listing = f'<ol class="results">{"".join(items)}</ol>' if items else "<p>Nothing found.</p>"
    body = f"<h1>Search: {esc(text)}</h1><p>{len(found)} found.</p>{listing}"
    return page(f"Search: {text}", body)
