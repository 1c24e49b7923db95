"""What a query may be before it reaches the engine: size limits checked before parsing, and no remote access."""

from __future__ import annotations

import re
from functools import lru_cache

# Limits checked on the raw text before any parser sees it. pyoxigraph's parser recurses once per nesting
# level and once per UNION branch or FILTER; a few thousand of either exhaust a thread's stack. The named
# queries stay far below these figures (tests/test_attack_server.py checks that they pass).
MAX_DEPTH = 64  # nesting of { ( [ together
MAX_TOKENS = 20000  # lexical tokens
MAX_OPERATORS = 1000  # UNION, OPTIONAL, MINUS, FILTER, BIND, VALUES, SELECT, EXISTS, GRAPH, SERVICE keywords


class LimitExceeded(ValueError):
    """A query or update exceeds a limit that is checked before parsing."""


# Tokens as the SPARQL 1.1 grammar defines them, close enough for counting: a comment ends at CR or LF; long
# strings before short ones; a `<` starts an IRI only when a valid IRIREF follows. Whatever this lexer mistakes
# for a string or comment is not counted; openers inside strings are counted anyway (see limits_problem).
_LEX = re.compile(
    "|".join(
        [
            r"(?P<comment>#[^\n\r]*)",
            (
                r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*(?:\'\'\'|$)'
                r'|"(?:[^"\\\n\r]|\\.)*"?|\'(?:[^\'\\\n\r]|\\.)*\'?)'
            ),
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<word>[?$]?[A-Za-z0-9_\u00b7-\U0010ffff](?:[A-Za-z0-9_.:%\-\u00b7-\U0010ffff]|\\.)*)",
            r"(?P<open>[{(\[])",
            r"(?P<close>[})\]])",
            r"(?P<space>\s+)",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)
_OPERATORS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "SELECT", "EXISTS", "GRAPH", "SERVICE"}
_OPENERS = re.compile(r"[{(\[]")


def limits_problem(
    text: str, max_depth: int = MAX_DEPTH, max_tokens: int = MAX_TOKENS, max_operators: int = MAX_OPERATORS
) -> str | None:
    """Why TEXT is too deeply nested or too long to hand to a parser, or None when it is within the limits."""
    depth = peak = tokens = operators = 0
    for m in _LEX.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        tokens += 1
        if kind == "open":
            depth += 1
            if depth > peak:
                peak = depth
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            if m.group().upper() in _OPERATORS:
                operators += 1
        elif kind in ("string", "comment", "iri"):
            # Brackets the engine might read as code (a lexer mismatch) can only make the count larger here.
            hidden = len(_OPENERS.findall(m.group()))
            if depth + hidden > peak:
                peak = depth + hidden
        if peak > max_depth:
            return f"the query nests brackets more than {max_depth} levels deep"
        if tokens > max_tokens:
            return f"the query has more than {max_tokens} tokens"
        if operators > max_operators:
            return f"the query has more than {max_operators} UNION/OPTIONAL/FILTER/... operators"
    return None


@lru_cache(maxsize=1024)
def check_limits(text: str) -> None:
    """Raise LimitExceeded when TEXT is over a pre-parse limit; NUL characters are refused too."""
    if "\x00" in text:
        raise LimitExceeded("the query contains a NUL character")
    problem = limits_problem(text)
    if problem:
        raise LimitExceeded(problem)


# ------------------------------------------------------------------------------------ remote access


def could_name_remote(text: str) -> bool:
    """False only when TEXT cannot spell SERVICE or LOAD in any way a SPARQL parser accepts (no such letters,
    in any case, and no escapes); True means the parsed query must be looked at."""
    if "\\" in text:
        return True
    upper = text.upper()  # Python's upper() maps more characters to ASCII than SPARQL's keyword matching does
    return "SERVICE" in upper or "LOAD" in upper


_STRICT_HTTP = re.compile(r"^https?://([A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:[/?#][^\s]*)?$", re.IGNORECASE)


def _allowed_target(iri: str, allowed: frozenset) -> bool:
    m = _STRICT_HTTP.match(iri)
    return bool(m) and m.group(1).lower().rstrip(".") in allowed


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


def _walk(node, depth: int = 0):
    """Every rdflib CompValue in a parse tree."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 400:
        raise RecursionError("parse tree too deep")
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value, depth + 1)


def _target_iri(term, prefixes: dict, has_base: bool) -> str | None:
    """The absolute IRI a SERVICE or LOAD target names, or None when it is a variable or cannot be resolved."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(term, URIRef):
        iri = str(term)
        return None if has_base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri) else iri
    if isinstance(term, CompValue) and term.name == "pname":
        prefix = term.get("prefix") or ""
        if prefix not in prefixes:
            return None
        return prefixes[prefix] + _unescape_local(str(term.get("localname") or ""))
    return None


@lru_cache(maxsize=4096)
def remote_access_problem(text: str, allowed: frozenset = frozenset(), update: bool = False) -> str | None:
    """Why the query (or update) would make the engine reach outside the server (SERVICE, LOAD), or None.

    Decided on rdflib's parse of the text, walked for SERVICE patterns and LOAD operations: a text that cannot
    name either (could_name_remote) needs no parse; a text the parser cannot read is refused when it could.
    """
    if not could_name_remote(text):
        return None
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from kg.namespaces import PREFIXES

    # The SPARQL grammar ends a comment at CR as well as LF; rdflib's grammar only at LF. CR and LF are
    # interchangeable everywhere else a raw CR may appear (whitespace, long strings), so this aligns the two.
    aligned = text.replace("\r", "\n")
    try:
        tree = parseUpdate(aligned) if update else parseQuery(aligned)
        nodes = list(_walk(tree))
    except RecursionError:
        return "the query is too deeply nested to check for SERVICE or LOAD"
    except Exception as exc:
        return (
            f"the {'update' if update else 'query'} mentions SERVICE or LOAD (or uses escapes) and the remote-"
            f"access check cannot read it: {type(exc).__name__}"
        )
    prefixes = dict(PREFIXES)
    has_base = False
    for node in nodes:
        if node.name == "PrefixDecl":
            prefixes[str(node.get("prefix") or "")] = str(node.get("iri"))
        elif node.name == "Base":
            has_base = True
    for node in nodes:
        if node.name not in ("ServiceGraphPattern", "Load"):
            continue
        keyword = "SERVICE" if node.name == "ServiceGraphPattern" else "LOAD"
        iri = _target_iri(node.get("term") if keyword == "SERVICE" else node.get("iri"), prefixes, has_base)
        if iri is None or not allowed or not _allowed_target(iri, allowed):
            listed = ", ".join(sorted(allowed)) or "none"
            shown = repr(iri) if iri is not None else "a variable or unresolvable name"
            return (
                f"{keyword} to {shown} refused: only http(s) IRIs of hosts allowed with --allow-service may be "
                f"reached (allowed: {listed})"
            )
    return None
