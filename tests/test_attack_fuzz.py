"""Grammar-aware fuzzing of the remote-access decision: no query the guard lets through makes the engine connect."""

# Each variant is assembled from SPARQL grammar pieces: a SERVICE (or a decoy of it) placed in code, in a string,
# in a comment, in an IRI or in a prefixed name, written with keyword case changes, codepoint escapes, local-name
# escapes, comment endings (LF or CR), tokens glued to the keyword (`true.SERVICE`, `?b)SERVICE`) and the
# lexical tricks that once fooled a text-matching guard. The oracle is the engine itself: every variant the guard
# allows is evaluated by pyoxigraph with no other protection, against a listener on 127.0.0.1 that counts
# connections. The count must stay 0.

from __future__ import annotations

import random

import pytest

from kg.serve.guard import remote_access_problem
from tests.attack_tools import Listener

VARIANTS = 1000


def _keyword(rng: random.Random, word: str) -> str:
    """WORD in random case, sometimes with a codepoint escape for one letter."""
    out = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)
    if rng.random() < 0.15:
        i = rng.randrange(len(out))
        esc = f"\\u{ord(out[i]):04X}" if rng.random() < 0.7 else f"\\U{ord(out[i]):08x}"
        out = out[:i] + esc + out[i + 1 :]
    return out


def _target(rng: random.Random, url: str) -> tuple[str, str]:
    """(prologue, target) naming URL as an IRI, a prefixed name, a relative IRI under BASE, or a variable."""
    base, _, path = url.rpartition("/")
    kind = rng.randrange(6)
    if kind == 0:
        return f"PREFIX svc: <{base}/> ", "svc:" + path
    if kind == 1:
        return f"PREFIX svc: <{base}/> ", "svc:" + path.replace("-", "\\-")
    if kind == 2:
        return f"BASE <{base}/> ", f"<{path}>"
    if kind == 3:
        return "", "?where"
    if kind == 4:
        escaped = url.replace("1", "\\u0031", 1)
        return "", f"<{escaped}>"
    return "", f"<{url}>"


_GLUE = ["", " ", "\n", "\r", "\t", " . ", "true.", "1.", "?b)", ")", "} ", "FILTER(?a<?b)", "FILTER(true)"]


def _comment_end(rng: random.Random) -> str:
    return rng.choice(["\n", "\r", "\r\n"])


def _service_block(rng: random.Random, url: str) -> tuple[str, str]:
    prologue, target = _target(rng, url)
    silent = _keyword(rng, "SILENT") + " " if rng.random() < 0.3 else ""
    return prologue, f"{_keyword(rng, 'SERVICE')} {silent}{target} {{ ?s ?p ?o }}"


def _decoy(rng: random.Random, url: str) -> str:
    """SERVICE text the engine does not read as code: in a string, a comment, an IRI or a variable name."""
    kind = rng.randrange(6)
    if kind == 0:
        return f'FILTER(?o != "SERVICE <{url}> {{ }}")'
    if kind == 1:
        return f"FILTER(?o != '''LOAD <{url}>''')"
    if kind == 2:
        return f"# SERVICE <{url}> {{ ?s ?p ?o }}{_comment_end(rng)}"
    if kind == 3:
        return "?s <http://example.org/#SERVICE> ?service ."
    if kind == 4:
        return 'BIND("a\\"SERVICE" AS ?load)'
    return f'?s ?p """x" SERVICE <{url}> {{}} """ .'


def _wrap(rng: random.Random, body: str) -> str:
    """BODY inside one of the group patterns SERVICE may hide in."""
    kind = rng.randrange(7)
    if kind == 0:
        return f"OPTIONAL {{ {body} }}"
    if kind == 1:
        return f"{{ ?x ?y ?z }} UNION {{ {body} }}"
    if kind == 2:
        return f"MINUS {{ {body} }}"
    if kind == 3:
        return f"FILTER EXISTS {{ {body} }}"
    if kind == 4:
        return f"{{ SELECT * WHERE {{ {body} }} }}"
    if kind == 5:
        return f"GRAPH ?g {{ {body} }}"
    return body


def variant(rng: random.Random, url: str) -> str:
    """One query: decoys, and (often) a real SERVICE pattern glued in with a lexical trick."""
    parts, prologue = ["?a ?b ?c ."], ""
    for _ in range(rng.randrange(3)):
        parts.append(_decoy(rng, url))
    if rng.random() < 0.7:
        pro, block = _service_block(rng, url)
        prologue += pro
        glue = rng.choice(_GLUE)
        if glue in ("?b)", ")"):
            block = f"FILTER(?a<{glue}{block}" if glue == "?b)" else f"FILTER(true{glue}{block}"
        elif glue in ("true.", "1."):
            block = f"?a ?b {glue}{block}"
        else:
            block = glue + block
        parts.insert(rng.randrange(len(parts) + 1), _wrap(rng, block))
    if rng.random() < 0.2:
        parts.append(f"#{rng.choice(['', '>', '<', chr(39), chr(34)])}{_comment_end(rng)}")
    form = rng.choice(["SELECT * WHERE", "ASK", "CONSTRUCT WHERE", "SELECT ?a WHERE"])
    if form == "CONSTRUCT WHERE":
        return prologue + "CONSTRUCT { ?a ?b ?c } WHERE { " + " ".join(parts) + " }"
    return prologue + form + " { " + " ".join(parts) + " }"


def engine_connects(text: str, listener: Listener) -> bool:
    """Whether pyoxigraph, unguarded, opens a connection to the listener while evaluating TEXT."""
    import pyoxigraph as ox

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    before = listener.count
    try:
        result = store.query(text, base_iri="http://127.0.0.1:9/")
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
        del result
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.count != before


def _decide(text: str):
    return remote_access_problem(text, frozenset())


def _decide_all(texts: list[str]) -> list:
    """The guard's decision on every text, on all cores (rdflib's parser takes tens of ms a query)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("fork")) as ex:
        return list(ex.map(_decide, texts, chunksize=25))


@pytest.mark.slow
def test_guard_never_allows_a_query_that_reaches_the_network():
    rng = random.Random(20261130)
    allowed_texts, refused = [], 0
    with Listener() as listener:
        texts = [variant(rng, listener.url) for _ in range(VARIANTS)]
        for text, problem in zip(texts, _decide_all(texts)):
            if problem is None:
                allowed_texts.append(text)
            else:
                refused += 1
        leaks = [t for t in allowed_texts if engine_connects(t, listener)]
        assert leaks == [], f"the guard allowed {len(leaks)} queries that connect, e.g. {leaks[0]!r}"
        # the oracle works: a plain SERVICE, unguarded, does connect
        assert engine_connects(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", listener)
    assert len(allowed_texts) + refused == VARIANTS
    # not a guard that refuses everything: most queries with decoys only are allowed
    assert len(allowed_texts) >= VARIANTS * 0.15, (len(allowed_texts), refused)


def test_allowed_hosts_are_matched_on_the_parsed_iri():
    allowed = frozenset({"allowed.example"})
    assert (
        remote_access_problem("SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }", allowed)
        is None
    )
    for text in [
        "SELECT * WHERE { SERVICE <http://allowed.example@evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <http://allowed.example.evil.example/> { ?s ?p ?o } }",
        "PREFIX a: <http://allowed.example> SELECT * WHERE { SERVICE a:\\@evil.example/ { ?s ?p ?o } }",
        "BASE <http://allowed.example/> SELECT * WHERE { SERVICE <//evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o # \rSERVICE <http://evil.example/> { ?s ?p ?o } }",
    ]:
        assert remote_access_problem(text, allowed) is not None, text
