"""The search index of labels and aliases: written by `kg build` beside the dataset, read by `kg serve`."""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from pathlib import Path

from kg import namespaces as ns
from kg.fileio import write_atomic

INDEX_FILE = "search.json"
INDEX_VERSION = 1
MAX_QUERY_CHARS = 200  # a longer query is cut, never scanned
MAX_QUERY_WORDS = 8
MAX_RESULTS = 50
MAX_CANDIDATES = 4000  # entries a query examines at most: a one-letter query costs no more than this

# The properties whose values name a thing: its label first, then its aliases.
NAME_PROPERTIES = (
    ns.RDFS.label,
    ns.SKOS.prefLabel,
    ns.SKOS.altLabel,
    ns.FOAF.name,
    str(ns.DCTERMS.title),
)
LABEL_PROPERTIES = (ns.RDFS.label, ns.SKOS.prefLabel, ns.FOAF.name, str(ns.DCTERMS.title))

_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower case with diacritics removed (Côte -> cote, Straße -> strasse)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of TEXT (runs of letters and digits)."""
    return _WORD.findall(fold(text))


def _entries_query(nodes: list | None = None) -> str:
    values = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
    among = "VALUES ?s { " + " ".join(str(n) for n in nodes) + " } " if nodes is not None else ""
    return (
        "SELECT ?s ?p ?name WHERE { "
        + among
        + "VALUES ?p { "
        + values
        + " } ?s ?p ?name . FILTER(isIRI(?s) && isLiteral(?name)) }"
    )


def collect(store, nodes: list | None = None) -> dict:
    """The index document for STORE: every IRI with a name (with NODES, pyoxigraph terms, only those), its
    label, its aliases and its kinds."""
    import pyoxigraph as ox

    names: dict[str, dict] = {}
    for sol in store.query(_entries_query(nodes), use_default_graph_as_union=True):
        s, p, name = sol["s"].value, sol["p"].value, sol["name"]
        lang = name.language or ""
        if lang and not lang.startswith("en") and p in LABEL_PROPERTIES:
            p = ns.SKOS.altLabel  # another language's label finds the thing, but is not its title
        entry = names.setdefault(s, {"label": None, "rank": 9, "aliases": set()})
        rank = LABEL_PROPERTIES.index(p) if p in LABEL_PROPERTIES else 9
        if rank < entry["rank"] or (rank == entry["rank"] and (entry["label"] or "") > name.value):
            if entry["label"] is not None:
                entry["aliases"].add(entry["label"])
            entry["label"], entry["rank"] = name.value, rank
        else:
            entry["aliases"].add(name.value)
    kinds: dict[str, set] = {}
    type_node = ox.NamedNode(ns.RDF.type)
    for iri in names:
        for q in store.quads_for_pattern(ox.NamedNode(iri), type_node, None, None):
            if isinstance(q.object, ox.NamedNode):
                kinds.setdefault(iri, set()).add(q.object.value)
    entries = []
    for iri in sorted(names):
        e = names[iri]
        label = e["label"] or next(iter(sorted(e["aliases"])), iri)
        aliases = sorted(a for a in e["aliases"] if a != label)
        entries.append([iri, label, aliases, sorted(kinds.get(iri, ()))])
    return _document(entries)


def _document(entries: list) -> dict:
    """The index document of ENTRIES (sorted by IRI), with the labels of the kinds they use."""
    used = {k for e in entries for k in e[3]}
    kind_labels = {e[0]: e[1] for e in entries if e[0] in used}
    return {"version": INDEX_VERSION, "entries": entries, "kinds": kind_labels}


def write_index(store, folder: Path) -> Path:
    """Write the index of STORE into FOLDER (atomically); returns the file."""
    return _write(collect(store), folder)


def _write(document: dict, folder: Path) -> Path:
    """Write the index DOCUMENT into FOLDER (atomically); returns the file."""
    target = Path(folder) / INDEX_FILE
    write_atomic(target, json.dumps(document, ensure_ascii=False, separators=(",", ":")))
    return target


def update_index(previous: Path, store, nodes: set, folder: Path) -> Path:
    """Write into FOLDER the index PREVIOUS (a file) with the entries of NODES (IRIs whose names or kinds may
    have changed) taken again from STORE; the same document as write_index(STORE) gives."""
    import pyoxigraph as ox

    document = json.loads(Path(previous).read_text(encoding="utf-8"))
    if document.get("version") != INDEX_VERSION:
        return write_index(store, folder)
    iris = {n.value for n in nodes}
    entries = [e for e in document["entries"] if e[0] not in iris]
    if nodes:
        entries += collect(store, [ox.NamedNode(i) for i in sorted(iris)])["entries"]
    entries.sort(key=lambda e: e[0])
    return _write(_document(entries), folder)


class SearchIndex:
    """Prefix and word search over the names of the index document; every query is bounded."""

    def __init__(self, document: dict):
        if document.get("version") != INDEX_VERSION:
            raise ValueError("search index of another version")
        self.entries = document["entries"]
        self.kind_labels: dict = document.get("kinds", {})
        tokens: list[tuple[str, int]] = []
        self.folded: list[tuple[str, ...]] = []
        self.words: list[frozenset] = []
        for i, (_iri, label, aliases, _kinds) in enumerate(self.entries):
            names = [label, *aliases]
            self.folded.append(tuple(" ".join(words(n)) for n in names))
            ws = frozenset(w for n in names for w in words(n))
            self.words.append(ws)
            tokens.extend((w, i) for w in ws)
        tokens.sort()
        self._keys = [t[0] for t in tokens]
        self._ids = [t[1] for t in tokens]

    @classmethod
    def load(cls, path: Path) -> SearchIndex:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def _range(self, prefix: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self._keys, prefix)
        hi = bisect.bisect_left(self._keys, prefix + "\uffff")
        return lo, hi

    def search(self, query: str, limit: int = 10) -> list[dict]:
        """Entries whose names hold a word starting with each word of QUERY, best first (at most LIMIT)."""
        limit = max(1, min(int(limit), MAX_RESULTS))
        qwords = list(dict.fromkeys(words(query[:MAX_QUERY_CHARS])))[:MAX_QUERY_WORDS]
        if not qwords:
            return []
        ranges = sorted((self._range(w) for w in qwords), key=lambda r: r[1] - r[0])
        lo, hi = ranges[0]
        candidates = dict.fromkeys(self._ids[lo : min(hi, lo + MAX_CANDIDATES)])
        phrase = " ".join(qwords)
        scored = []
        for i in candidates:
            ws = self.words[i]
            if not all(any(w.startswith(q) for w in ws) for q in qwords):
                continue
            folded = self.folded[i]
            if folded[0] == phrase:
                score = 0
            elif any(f == phrase for f in folded):
                score = 1
            elif folded[0].startswith(phrase):
                score = 2
            elif any(f.startswith(phrase) for f in folded):
                score = 3
            else:
                score = 4
            scored.append((score, len(self.entries[i][1]), self.entries[i][1].casefold(), i))
        scored.sort()
        out = []
        for score, _n, _l, i in scored[:limit]:
            iri, label, aliases, kinds = self.entries[i]
            matched = next((a for a in aliases if " ".join(words(a)).find(phrase) >= 0), None) if score else None
            kind_names = sorted({self.kind_labels[k] for k in kinds if k in self.kind_labels})
            out.append({"iri": iri, "label": label, "alias": matched, "kinds": kind_names})
        return out
