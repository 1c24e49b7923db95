"""SHACL-SPARQL (SHACL 5 and 6): SPARQL-based constraints and constraint components, and query rewriting."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.namespaces import OWL, SH
from kg.shacl.model import Shape, ShapesError, Term, is_true, pick_message, term_id
from kg.shacl.plan import SHAPES_GRAPH, Constraint, NodeSet, solutions, sparql_term
from kg.shacl.result import Result

if TYPE_CHECKING:
    from kg.shacl.engine import Engine

UNSUPPORTED_SPARQL = re.compile(r"\b(MINUS|SERVICE|VALUES)\b", re.IGNORECASE)


def custom_constraint(engine: Engine, shape: Shape, comp: Term, focus: NodeSet) -> Constraint | None:
    """A shape's use of a SPARQL-based constraint component, evaluated with its parameters pre-bound."""
    params: dict[str, Term] = {}
    for pnode in engine.g.objects(comp, SH.parameter):
        path = engine.g.one(pnode, SH.path)
        if not isinstance(path, ox.NamedNode):
            raise ShapesError(f"{term_id(comp)}: a parameter needs an IRI sh:path")
        name = re.split(r"[#/]", path.value)[-1]
        vals = engine.g.objects(shape.node, path.value)
        if vals:
            params[name] = vals[0]
        elif not engine.g.is_true(pnode, SH.optional):
            return None
    if not params:
        return None
    kind = "propertyValidator" if shape.is_property else "nodeValidator"
    validator = engine.g.one(comp, SH.term(kind)) or engine.g.one(comp, SH.validator)
    if validator is None:
        return None
    ask = engine.g.one(validator, SH.ask)
    select = engine.g.one(validator, SH.select)
    if (ask is None) == (select is None):
        raise ShapesError(f"{term_id(comp)}: a validator needs exactly one of sh:ask or sh:select")
    chosen: Term = ask if ask is not None else select
    text: str = chosen.value
    if UNSUPPORTED_SPARQL.search(strip_strings(text)):
        raise ShapesError(f"{term_id(comp)}: validator uses MINUS, SERVICE or VALUES")
    if shape.is_property:
        text = text.replace("$PATH", shape.path or "")
    prologue = prefixes_for(engine, validator)
    messages = engine.g.objects(validator, SH.message) or engine.g.objects(comp, SH.message) or shape.messages
    component = comp.value if isinstance(comp, ox.NamedNode) else term_id(comp)
    binds = dict(params)
    if re.search(r"[$?]currentShape\b", strip_strings(text)):
        binds["currentShape"] = shape.node

    def run() -> list[_Row]:
        rows = []
        if ask is not None:
            pairs = solutions(engine.store, f"SELECT DISTINCT ?this ?value WHERE {{ {engine.base(shape, focus)} }}")
            for pair in list(pairs):
                q, subs = prebind(text, {**binds, "this": pair["this"], "value": pair["value"]})
                if next(iter(solutions(engine.store, prologue + q, substitutions=subs)), None) is None:
                    rows.append(_Vars({"this": pair["this"], "value": pair["value"], **params}))
        else:
            for node in engine.set_terms(focus):
                q, subs = prebind(text, {**binds, "this": node})
                for row in solutions(engine.store, prologue + q, substitutions=subs):
                    rows.append(_Vars({**params, "this": node}, row))
        out = []
        for row in rows:
            r = sparql_row(shape, row, messages)
            r.result = replace(r.result, component=component)
            out.append(r)
        return out

    return Constraint("SPARQLConstraintComponent", run)


def prefixes_for(engine: Engine, node: Term) -> str:
    """The PREFIX lines declared through sh:prefixes of NODE (following owl:imports of those nodes)."""
    lines = []
    todo = list(engine.g.objects(node, SH.prefixes))
    seen = set()
    while todo:
        onto = todo.pop(0)
        if onto in seen:
            continue
        seen.add(onto)
        todo.extend(engine.g.objects(onto, OWL.imports))
        for decl in engine.g.objects(onto, SH.declare):
            p = engine.g.one(decl, SH.prefix)
            ns = engine.g.one(decl, SH.namespace)
            if p is not None and ns is not None:
                lines.append(f"PREFIX {p.value}: <{ns.value}>")
    return "\n".join(dict.fromkeys(lines)) + ("\n" if lines else "")


def sparql_constraint(engine: Engine, shape: Shape, cnode: Term, focus: NodeSet) -> Constraint | None:
    """A sh:sparql SELECT constraint, evaluated for all focus nodes at once (or per node when it must)."""
    if engine.g.is_true(cnode, SH.deactivated):
        return None
    sel = engine.g.one(cnode, SH.select)
    if sel is None:
        raise ShapesError(f"{shape.id}: sh:sparql without sh:select")
    text = sel.value
    body = strip_strings(text)
    if UNSUPPORTED_SPARQL.search(body):
        raise ShapesError(f"{shape.id}: SPARQL constraint uses MINUS, SERVICE or VALUES, which SHACL forbids")
    if shape.is_property:
        text = text.replace("$PATH", shape.path or "")
    elif "$PATH" in body:
        raise ShapesError(f"{shape.id}: $PATH in a node shape's SPARQL constraint")
    prologue = prefixes_for(engine, cnode)
    messages = engine.g.objects(cnode, SH.message) or shape.messages
    binds = {}
    if re.search(r"[$?]currentShape\b", body):
        binds["currentShape"] = shape.node
    if re.search(r"[$?]shapesGraph\b", body):
        engine.load_shapes_graph()
        binds["shapesGraph"] = SHAPES_GRAPH
    check_subqueries(body, shape.id)
    if re.search(r"\bAS\s+[$?](this|currentShape|shapesGraph)\b", body, re.IGNORECASE):
        raise ShapesError(f"{shape.id}: the SPARQL constraint assigns a pre-bound variable")
    nested = len(re.findall(r"\bSELECT\b", body, re.IGNORECASE)) > 1
    aggregated = re.search(r"\b(GROUP\s+BY|HAVING)\b", body, re.IGNORECASE) is not None
    can_inline = (
        not nested
        and not aggregated
        and not this_in_nested_expression(body)
        and all(sparql_term(v) for v in binds.values())
    )

    among = engine.values_within.get(shape.node)

    def run() -> list[_Row]:
        rows: list[Any] = []
        if among is not None:  # an incremental run: only the solutions with these values of ?value
            for node in engine.set_terms(focus):
                for value in among:
                    q, subs = prebind(text, {"this": node, "value": value, **binds})
                    for row in solutions(engine.store, prologue + q, substitutions=subs):
                        rows.append(_Vars({"this": node, "value": value}, row))
        elif can_inline:
            inject = (
                engine.member(focus, "?this")
                + " "
                + " ".join(f"BIND({sparql_term(v)} AS ?{k})" for k, v in binds.items())
            )
            q = prologue + inline_focus(text, inject)
            rows.extend(solutions(engine.store, q))
        else:
            # $this is always bound under pre-binding; pyoxigraph's substitution answers bound() with false
            for node in engine.set_terms(focus):
                q, subs = prebind(text, {"this": node, **binds})
                for row in solutions(engine.store, prologue + q, substitutions=subs):
                    rows.append(_Bound(row, node))
        return [sparql_row(shape, row, messages) for row in rows if not is_true(binding(row, "failure"))]

    return Constraint("SPARQLConstraintComponent", run)


def sparql_row(shape: Shape, row: Any, messages: list[Any]) -> _Row:
    """The Result of one solution of a SPARQL-based constraint."""
    this = binding(row, "this")
    value = binding(row, "value")
    if value is None and not shape.is_property:
        value = this
    path = binding(row, "path")
    msg = binding(row, "message")
    if msg is not None:
        text = msg.value if isinstance(msg, ox.Literal) else term_id(msg)
    else:
        text = fill_template(pick_message(messages) or "", row)
    res = Result(
        focus=term_id(this),
        shape=shape.id,
        component=SH.SPARQLConstraintComponent,
        severity=shape.severity,
        path=path.value if isinstance(path, ox.NamedNode) else shape.path_result,
        value=term_id(value) if value is not None else None,
        message=text,
    )
    return _Row(res, this)


class _Row:
    """A result with the focus term it is about."""

    def __init__(self, result: Result, focus_term: Term) -> None:
        self.result = result
        self.focus_term = focus_term


class _Bound:
    """A solution of a per-node query, with the pre-bound focus node added."""

    def __init__(self, row: ox.QuerySolution, this: Term) -> None:
        self.row = row
        self.this = this

    def __getitem__(self, k: str) -> Term:
        if k == "this":
            return self.this
        return self.row[k]


class _Vars:
    """Bindings of a validator run: explicit values first, then the solution's own."""

    def __init__(self, values: dict[str, Term], row: ox.QuerySolution | None = None) -> None:
        self.values = values
        self.row = row

    def __getitem__(self, k: str) -> Term:
        if k in self.values:
            return self.values[k]
        if self.row is None:
            raise KeyError(k)
        return self.row[k]


def binding(row: Any, name: str) -> Term | None:
    """The value of variable NAME in a solution, None when it is unbound or not projected."""
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def fill_template(template: str, row: Any) -> str:
    """Replace {$var} and {?var} in a sh:message template with the row's bindings."""

    def sub(m: re.Match[str]) -> str:
        v = binding(row, m.group(1))
        if v is None:
            return m.group(0)
        return v.value if isinstance(v, (ox.Literal, ox.NamedNode)) else term_id(v)

    return re.sub(r"\{[$?]([A-Za-z_][A-Za-z0-9_]*)\}", sub, template)


def strip_strings(q: str) -> str:
    """The query text with string literals, IRIs and comments blanked (for keyword checks)."""
    out = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if q.startswith('"""', i) or q.startswith("'''", i):
            end = q.find(q[i : i + 3], i + 3)
            end = n if end < 0 else end + 3
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and q[j] != c:
                j += 2 if q[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        elif c == "#":
            j = q.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`]*>", q[i:]):
            j = q.index(">", i)
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)[:n]


def prebind(query: str, values: dict[str, Term]) -> tuple[str, dict[ox.Variable, Term]]:
    """Pre-bind variables (SHACL-SPARQL 5.3.1) as pyoxigraph substitutions, which need them projected.

    ASK becomes a SELECT of the pre-bound variables (a row means true); an explicit SELECT projection gets
    the missing ones added; under SELECT * constants are written into the text. Returns (query, substitutions).
    """
    blank = strip_strings(query)
    for k in values:
        if re.search(r"\bAS\s+[$?]" + k + r"\b", blank, re.IGNORECASE):
            raise ShapesError(f"the query assigns the pre-bound variable ${k}")
    query = _replace_bound(query, values)
    blank = strip_strings(query)
    names = [k for k in values if re.search(r"[$?]" + k + r"\b", blank)] or ["this"]
    head = re.search(r"\b(ASK|SELECT)\b", blank, re.IGNORECASE)
    if head is None:
        raise ShapesError("a validator must be an ASK or SELECT query")
    projected = " ".join(f"?{k}" for k in names)
    if head.group(1).upper() == "ASK":
        rest = query[head.end() :]
        rest = re.sub(r"^\s*WHERE\b", "", rest, flags=re.IGNORECASE)
        query = query[: head.start()] + f"SELECT {projected} WHERE " + rest
    else:
        mod = re.match(r"\s*(DISTINCT|REDUCED)?\s*", blank[head.end() :], re.IGNORECASE)
        at = head.end() + (mod.end() if mod else 0)
        if blank[at : at + 1] == "*":
            for k in names:
                t = sparql_term(values[k])
                if t is None:
                    raise ShapesError(f"cannot pre-bind ${k} to a blank node under SELECT *")
                query = _replace_var(query, k, t)
            return query, {}
        missing = [k for k in names if not re.search(r"[$?]" + k + r"\b", blank[at : blank.find("{", at)])]
        query = query[:at] + "".join(f"?{k} " for k in missing) + query[at:]
    return query, {ox.Variable(k): values[k] for k in names}


def _replace_bound(query: str, values: dict[str, Term]) -> str:
    """bound($x) of a pre-bound variable is true (pyoxigraph's substitution answers false)."""
    for k in values:
        query = re.sub(r"\bbound\s*\(\s*[$?]" + k + r"\s*\)", "(true)", query, flags=re.IGNORECASE)
    return query


def _replace_var(query: str, name: str, term: str) -> str:
    """Write TERM for every occurrence of $name / ?name outside strings and IRIs."""
    blank = strip_strings(query)
    out, last = [], 0
    for m in re.finditer(r"[$?]" + name + r"\b", blank):
        out.append(query[last : m.start()])
        out.append(term)
        last = m.end()
    out.append(query[last:])
    return "".join(out)


def check_subqueries(body: str, where: str) -> None:
    """Refuse sub-SELECTs that do not project $this: pre-binding cannot reach into them (SHACL 5.2.1)."""
    for m in list(re.finditer(r"\bSELECT\b", body, re.IGNORECASE))[1:]:
        brace = body.find("{", m.end())
        proj = body[m.end() : brace if brace >= 0 else len(body)]
        proj = re.split(r"\bWHERE\b", proj, flags=re.IGNORECASE)[0]
        if not re.search(r"[$?]this\b", proj):
            raise ShapesError(f"{where}: a sub-SELECT in a SPARQL constraint must project $this")


def this_in_nested_expression(body: str) -> bool:
    """True when $this occurs in a FILTER or BIND nested below the outermost WHERE group.

    There a join with the focus nodes is not the same as pre-binding (the expression is evaluated
    before the join), so such queries run once per focus node with $this substituted.
    """
    select = re.search(r"\bSELECT\b", body, re.IGNORECASE)
    first = body.find("{", select.end()) if select else body.find("{")
    depth = 0
    i = 0
    for m in re.finditer(r"[{}]|\b(FILTER|BIND)\b", body, re.IGNORECASE):
        if m.start() < first:
            continue
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth > 1:
            # the expression: from the keyword to its balanced closing parenthesis
            j = body.find("(", m.end())
            if j < 0:
                continue
            level, k = 0, j
            while k < len(body):
                if body[k] == "(":
                    level += 1
                elif body[k] == ")":
                    level -= 1
                    if level == 0:
                        break
                k += 1
            if re.search(r"[$?]this\b", body[j : k + 1]):
                return True
        i += 1
    return False


def inline_focus(query: str, inject: str) -> str:
    """Insert INJECT at the start of the outermost WHERE group, and make sure ?this is projected."""
    blank = strip_strings(query)
    m = re.search(r"\bSELECT\b", blank, re.IGNORECASE)
    if not m:
        raise ShapesError("sh:select is not a SELECT query")
    brace = blank.find("{", m.end())
    if brace < 0:
        raise ShapesError("SELECT query without a WHERE clause")
    projection = blank[m.end() : brace]
    head = query[:brace]
    if "*" not in projection and not re.search(r"[$?]this\b", projection):
        # add ?this to the projection, right after SELECT [DISTINCT|REDUCED]
        mod = re.match(r"\s*(DISTINCT|REDUCED)?", projection, re.IGNORECASE)
        at = m.end() + (mod.end() if mod else 0)
        head = query[:at] + " ?this " + query[at:brace]
    return head + "{ " + inject + " " + query[brace + 1 :]
