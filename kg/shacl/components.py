"""The SHACL Core constraint components, one compiler function each, in a table naming its spec section.

Each function turns one shape's parameters of its component into `Constraint`s: SPARQL patterns over the
focus set whose solutions are the violations. Section numbers refer to the SHACL Recommendation
(https://www.w3.org/TR/shacl/). `Engine.compile` runs the table in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.namespaces import RDF, SH, XSD
from kg.shacl.model import Shape, ShapesError, any_true, term_id
from kg.shacl.plan import (
    Constraint,
    NodeSet,
    int_param,
    sparql_string,
    sparql_term,
    value_constraint,
)
from kg.shacl.sparql import custom_constraint, sparql_constraint

if TYPE_CHECKING:
    from kg.shacl.engine import Engine

# XSD datatypes whose lexical space pyoxigraph checks through a cast (used for ill-formed literal detection).
CASTABLE = {
    "integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time", "duration",
    "dayTimeDuration", "yearMonthDuration", "gYear", "string",
}  # fmt: skip

# Datatypes the store does not keep: a well-formed literal of one of them is stored as xsd:integer (the
# twelve integer types derived from it, with their value ranges) or xsd:dateTime (dateTimeStamp); only an
# ill-formed one keeps its datatype. sh:datatype on them is checked on the stored form: an xsd:integer in
# range (or an xsd:dateTime with a time zone) conforms.
STORED_AS: dict[str, tuple[int | None, int | None] | None] = {
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "nonNegativeInteger": (0, None), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255), "positiveInteger": (1, None),
    "dateTimeStamp": None,
}  # fmt: skip

NODE_KIND = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "!isLiteral(?value)",
    "BlankNodeOrLiteral": "!isIRI(?value)",
    "IRIOrLiteral": "!isBlank(?value)",
}
COMPARE = {
    "minExclusive": ">",
    "minInclusive": ">=",
    "maxExclusive": "<",
    "maxInclusive": "<=",
}


I64 = (-(2**63), 2**63 - 1)  # the integers the store keeps as xsd:integer


def stored_as_condition(local: str) -> str:
    """The violation condition of sh:datatype xsd:LOCAL, for a datatype in STORED_AS.

    An xsd:integer (what the store made of a well-formed value) must lie in the type's range; a literal that
    kept the datatype LOCAL is ill-formed, or a well-formed integer beyond what the store holds as xsd:integer
    (above 2^63 - 1 or below -2^63), which conforms when its digits lie in the type's range.
    """
    bounds = STORED_AS[local]
    if bounds is None:
        return f'!isLiteral(?value) || datatype(?value) != <{XSD.dateTime}> || TZ(?value) = ""'
    low, high = bounds
    stored = []  # bounds inside the store's integer range: outside it every stored xsd:integer is within
    if low is not None and low >= I64[0]:
        stored.append(f"?value < {low}")
    if high is not None and high <= I64[1]:
        stored.append(f"?value > {high}")
    # a kept literal conforms when it is a well-formed integer beyond the store's range on a side where the
    # type's range goes beyond it too (and, for a bound there, within it: xsd:decimal holds up to ~1.7e20)
    sides = []
    if high is None or high > I64[1]:
        check = f" && <{XSD.decimal}>(STR(?value)) <= {high}.0" if high is not None else ""
        sides.append(f'(REGEX(STR(?value), "^[+]?[0-9]+$"){check})')
    if low is None or low < I64[0]:
        check = f" && <{XSD.decimal}>(STR(?value)) >= {low}.0" if low is not None else ""
        sides.append(f'(REGEX(STR(?value), "^-[0-9]+$"){check})')
    kept = [f"datatype(?value) = <{XSD.term(local)}>", "(" + (" || ".join(sides) or "false") + ")"]
    in_range = " || ".join(stored) or "false"
    return (
        f"!isLiteral(?value) || IF(datatype(?value) = <{XSD.integer}>, {in_range}, "
        f"!COALESCE({' && '.join(kept)}, false))"
    )


@dataclass
class Compiling:
    """What every component compiler needs: the engine, the shape, and the patterns over its focus set."""

    engine: Engine
    shape: Shape
    focus: NodeSet

    @property
    def params(self) -> dict[str, list[Any]]:
        return self.shape.params

    @property
    def focus_pattern(self) -> str:
        """A pattern binding ?this to each focus node."""
        return self.engine.member(self.focus, "?this")

    @property
    def value_pattern(self) -> str:
        """A pattern binding ?value to each value node of ?this."""
        return self.along("?value") if self.shape.is_property else "BIND(?this AS ?value)"

    def along(self, value: str) -> str:
        """A pattern binding VALUE to each value node of ?this along the shape's path (?this bound by the focus)."""
        return self.engine.along(self.shape, self.focus, value)

    @property
    def base(self) -> str:
        """The pattern binding every (?this, ?value) pair of the shape over the focus set."""
        return f"{self.focus_pattern} {self.value_pattern}"


def _component(name: str) -> str:
    """The local name of the constraint component of parameter NAME (minCount -> MinCountConstraintComponent)."""
    return name[0].upper() + name[1:] + "ConstraintComponent"


# ------------------------------------------------------------------ 4.1 value type


def class_(c: Compiling) -> list[Constraint]:
    """4.1.1 sh:class: each value node is an instance of the class or one of its subclasses."""
    out = []
    for i, cls in enumerate(c.params.get("class", [])):
        vals = c.engine.class_values(cls)
        if not vals:
            continue
        cond = f"NOT EXISTS {{ VALUES ?cls{i} {{ {vals} }} ?value <{RDF.type}> ?cls{i} }}"
        out.append(value_constraint("ClassConstraintComponent", c.base, cond, {"class": cls}))
    return out


def datatype(c: Compiling) -> list[Constraint]:
    """4.1.2 sh:datatype: each value node is a well-formed literal of the datatype."""
    out = []
    for d in c.params.get("datatype", []):
        local = d.value[len(XSD) :] if d.value.startswith(XSD) else None
        if local in STORED_AS:
            cond = stored_as_condition(local)
        else:
            cond = f"!isLiteral(?value) || datatype(?value) != <{d.value}>"
            if local in CASTABLE and local != "string":
                cond += f" || !COALESCE(isLiteral(<{d.value}>(STR(?value))), false)"
        out.append(value_constraint("DatatypeConstraintComponent", c.base, f"({cond})", {"datatype": d}))
    return out


def node_kind(c: Compiling) -> list[Constraint]:
    """4.1.3 sh:nodeKind: each value node is of the node kind."""
    out = []
    for k in c.params.get("nodeKind", []):
        name = k.value[len(SH) :] if k.value.startswith(SH) else ""
        if name not in NODE_KIND:
            raise ShapesError(f"{c.shape.id}: unknown sh:nodeKind {k}")
        out.append(
            value_constraint(
                "NodeKindConstraintComponent",
                c.base,
                f"!({NODE_KIND[name]})",
                {"nodeKind": k},
            )
        )
    return out


# ------------------------------------------------------------------ 4.2 cardinality


def min_count(c: Compiling) -> list[Constraint]:
    """4.2.1 sh:minCount: at least n value nodes."""
    if not c.shape.is_property or "minCount" not in c.params:
        return []
    n = int_param(c.shape, "minCount")
    F = c.focus_pattern
    if n == 1:
        return [
            Constraint(
                "MinCountConstraintComponent",
                f"{F} FILTER NOT EXISTS {{ {c.along('?v')} }}",
                "?this",
                {"n": n},
            )
        ]
    if n > 1:
        counted = f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?cnt) WHERE {{ {F} OPTIONAL {{ {c.along('?v')} }} }} GROUP BY ?this }}"
        return [
            Constraint(
                "MinCountConstraintComponent",
                f"{counted} FILTER(?cnt < {n})",
                "?this",
                {"n": n},
            )
        ]
    return []


def max_count(c: Compiling) -> list[Constraint]:
    """4.2.2 sh:maxCount: at most n value nodes."""
    if not c.shape.is_property or "maxCount" not in c.params:
        return []
    n = int_param(c.shape, "maxCount")
    F, path = c.focus_pattern, c.shape.path
    if n == 0:
        where = f"{F} FILTER EXISTS {{ {c.along('?v')} }}"
    elif n == 1:
        where = f"{F} ?this {path} ?v1 . ?this {path} ?v2 . FILTER(!sameTerm(?v1, ?v2))"
    else:
        counted = f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?cnt) WHERE {{ {F} {c.along('?v')} }} GROUP BY ?this }}"
        where = f"{counted} FILTER(?cnt > {n})"
    return [Constraint("MaxCountConstraintComponent", where, "?this", {"n": n})]


# ------------------------------------------------------------------ 4.3 value range, 4.4 string-based


def value_range(c: Compiling) -> list[Constraint]:
    """4.3.1-4.3.4 sh:minExclusive, sh:minInclusive, sh:maxExclusive, sh:maxInclusive."""
    out = []
    for name, op in COMPARE.items():
        for x in c.params.get(name, []):
            t = sparql_term(x)
            if t is None:
                raise ShapesError(f"{c.shape.id}: sh:{name} must be a literal")
            out.append(
                value_constraint(
                    _component(name),
                    c.base,
                    f"!COALESCE(?value {op} {t}, false)",
                    {name: x},
                )
            )
    return out


def length(c: Compiling) -> list[Constraint]:
    """4.4.1 sh:minLength and 4.4.2 sh:maxLength: string length of each value node (blank nodes fail)."""
    out = []
    for name, op in (("minLength", "<"), ("maxLength", ">")):
        if name in c.params:
            n = int_param(c.shape, name)
            cond = f"(isBlank(?value) || STRLEN(STR(?value)) {op} {n})"
            out.append(value_constraint(_component(name), c.base, cond, {"n": n}))
    return out


def pattern(c: Compiling) -> list[Constraint]:
    """4.4.3 sh:pattern (with sh:flags): each value node's string matches the regular expression."""
    out = []
    for pat in c.params.get("pattern", []):
        flags = c.params.get("flags", [None])[0]
        args = sparql_string(pat.value) + (f", {sparql_string(flags.value)}" if flags is not None else "")
        cond = f"(isBlank(?value) || !REGEX(STR(?value), {args}))"
        out.append(value_constraint("PatternConstraintComponent", c.base, cond, {"pattern": pat}))
    return out


def language_in(c: Compiling) -> list[Constraint]:
    """4.4.4 sh:languageIn: each value node is a literal whose language tag matches one in the list."""
    out = []
    for lst in c.params.get("languageIn", []):
        langs = [t.value for t in c.engine.g.list(lst)]
        cond = " || ".join(f"langMatches(lang(?value), {sparql_string(x)})" for x in langs) or "false"
        out.append(
            value_constraint(
                "LanguageInConstraintComponent",
                c.base,
                f"(!isLiteral(?value) || !({cond}))",
                {"languageIn": langs},
            )
        )
    return out


def unique_lang(c: Compiling) -> list[Constraint]:
    """4.4.5 sh:uniqueLang: no two value nodes share a language tag."""
    if not (c.shape.is_property and any_true(c.params.get("uniqueLang", []))):
        return []
    F, path = c.focus_pattern, c.shape.path
    where = (
        f"{F} ?this {path} ?a . ?this {path} ?b . "
        f'FILTER(!sameTerm(?a, ?b) && isLiteral(?a) && lang(?a) != "" && lang(?a) = lang(?b)) '
        f"BIND(lang(?a) AS ?lang)"
    )
    return [Constraint("UniqueLangConstraintComponent", where, "?this ?lang")]


# ------------------------------------------------------------------ 4.5 property pair


def equals(c: Compiling) -> list[Constraint]:
    """4.5.1 sh:equals: the value nodes are exactly the values of the other property."""
    out = []
    F, path = c.focus_pattern, c.shape.path
    for e in c.params.get("equals", []):
        if c.shape.is_property:
            w = (
                f"{{ {F} ?this {path} ?value FILTER NOT EXISTS {{ ?this <{e.value}> ?value }} }} UNION "
                f"{{ {F} ?this <{e.value}> ?value FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
            )
        else:
            w = (
                f"{{ {F} ?this <{e.value}> ?value FILTER(!sameTerm(?this, ?value)) }} UNION "
                f"{{ {F} FILTER NOT EXISTS {{ ?this <{e.value}> ?this }} BIND(?this AS ?value) }}"
            )
        out.append(Constraint("EqualsConstraintComponent", w, params={"equals": e}))
    return out


def disjoint(c: Compiling) -> list[Constraint]:
    """4.5.2 sh:disjoint: no value node is also a value of the other property."""
    return [
        Constraint(
            "DisjointConstraintComponent",
            f"{c.base} ?this <{e.value}> ?value",
            params={"disjoint": e},
        )
        for e in c.params.get("disjoint", [])
    ]


def less_than(c: Compiling) -> list[Constraint]:
    """4.5.3 sh:lessThan and 4.5.4 sh:lessThanOrEquals: each value node is below every value of the other."""
    out = []
    for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
        for e in c.params.get(name, []):
            where = f"{c.base} ?this <{e.value}> ?other FILTER(!COALESCE(?value {op} ?other, false))"
            out.append(Constraint(_component(name), where, "?this ?value ?other", {name: e}))
    return out


# ------------------------------------------------------------------ 4.8 other


def has_value(c: Compiling) -> list[Constraint]:
    """4.8.2 sh:hasValue: the value is among the value nodes (a node shape: is the focus node)."""
    out = []
    F, path, prop = c.focus_pattern, c.shape.path, c.shape.is_property
    for x in c.params.get("hasValue", []):
        t = sparql_term(x)
        if t is None:  # a blank node: a query text cannot name it, so it goes into a set
            hv = c.engine.new_set()
            c.engine.add_terms(hv, [x])
            cond_prop = f"?this {path} ?hv . {c.engine.member(hv, '?hv')}" if prop else ""
            cond_node = f"FILTER NOT EXISTS {{ {c.engine.member(hv, '?this')} }}"
        else:
            cond_prop = f"?this {path} {t}" if prop else ""
            cond_node = f"FILTER(!sameTerm(?this, {t}))"
        where = f"{F} FILTER NOT EXISTS {{ {cond_prop} }}" if prop else f"{F} {cond_node}"
        out.append(Constraint("HasValueConstraintComponent", where, "?this", {"hasValue": x}))
    return out


def in_(c: Compiling) -> list[Constraint]:
    """4.8.3 sh:in: each value node is a member of the list."""
    out = []
    for lst in c.params.get("in", []):
        members = c.engine.g.list(lst)
        s = c.engine.new_set()
        c.engine.add_terms(s, members)
        cond = f"NOT EXISTS {{ {c.engine.member(s, '?value')} }}"
        out.append(value_constraint("InConstraintComponent", c.base, cond, {"in": members}))
    return out


def closed(c: Compiling) -> list[Constraint]:
    """4.8.1 sh:closed (with sh:ignoredProperties): value nodes use only the properties the shape names."""
    if not any_true(c.params.get("closed", [])):
        return []
    allowed = set()
    for p in c.params.get("property", []):
        ps = c.engine.shapes.get(p)
        if ps is not None and ps.path and re.fullmatch(r"<[^<>]*>", ps.path):
            allowed.add(ps.path)
    for lst in c.params.get("ignoredProperties", []):
        allowed.update(f"<{t.value}>" for t in c.engine.g.list(lst) if isinstance(t, ox.NamedNode))
    cond = f"FILTER(?cp NOT IN ({', '.join(sorted(allowed))}))" if allowed else ""
    where = f"{c.focus_pattern} {c.value_pattern.replace('?value', '?vnode')} ?vnode ?cp ?co {cond}"
    return [Constraint("ClosedConstraintComponent", where, "?this (?co AS ?value) (?cp AS ?path)")]


# ------------------------------------------------------------------ 4.6 logical, 4.7 shape-based


def node(c: Compiling) -> list[Constraint]:
    """4.7.1 sh:node: each value node conforms to the node shape."""
    out = []
    for n in c.params.get("node", []):
        e = c.engine.violates(c.engine.shape_of(n, c.shape), c.shape, c.focus)
        out.append(value_constraint("NodeConstraintComponent", c.base, e, {"node": n}))
    return out


def not_(c: Compiling) -> list[Constraint]:
    """4.6.1 sh:not: no value node conforms to the shape."""
    out = []
    for n in c.params.get("not", []):
        e = c.engine.violates(c.engine.shape_of(n, c.shape), c.shape, c.focus)
        out.append(value_constraint("NotConstraintComponent", c.base, f"!({e})", {"not": n}))
    return out


def logical(c: Compiling) -> list[Constraint]:
    """4.6.2 sh:and, 4.6.3 sh:or and 4.6.4 sh:xone over a list of shapes."""
    out = []
    for name in ("and", "or", "xone"):
        for lst in c.params.get(name, []):
            members = [c.engine.shape_of(m, c.shape) for m in c.engine.g.list(lst)]
            if name == "or":
                out.append(
                    value_constraint(_component(name), c.base, f"({c.engine.violates_all(members, c.shape, c.focus)})")
                )
                continue
            exprs = [c.engine.violates(m, c.shape, c.focus) for m in members]
            if name == "and":
                cond = " || ".join(exprs) or "false"
            else:
                cond = "(" + " + ".join(f"IF({e}, 0, 1)" for e in exprs) + ") != 1" if exprs else "true"
            out.append(value_constraint(_component(name), c.base, f"({cond})"))
    return out


def qualified(c: Compiling) -> list[Constraint]:
    """4.7.3 sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount (and ...Disjoint)."""
    P, shape, engine = c.params, c.shape, c.engine
    if not (shape.is_property and "qualifiedValueShape" in P):
        return []
    q = engine.shape_of(P["qualifiedValueShape"][0], shape)
    vals = engine.value_set(shape, c.focus)
    ncq = engine.nonconforming(q, vals)
    cond = f"FILTER NOT EXISTS {{ {engine.member(ncq, '?v')} }}"
    if any_true(P.get("qualifiedValueShapesDisjoint", [])):
        siblings = []
        for parent in engine.parents.get(shape.node, []):
            for sib in parent.params.get("property", []):
                if sib == shape.node:
                    continue
                for sq in engine.shapes[sib].params.get("qualifiedValueShape", []):
                    siblings.append(engine.shape_of(sq, shape))
        for sq in siblings:
            nc = engine.nonconforming(sq, vals)
            cond += f" FILTER EXISTS {{ {engine.member(nc, '?v')} }}"
    counted = (
        f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?cnt) WHERE {{ {c.focus_pattern} "
        f"OPTIONAL {{ {c.along('?v')} {cond} }} }} GROUP BY ?this }}"
    )
    out = []
    for name, op in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
        if name in P:
            n = int_param(shape, name)
            out.append(
                Constraint(
                    _component(name),
                    f"{counted} FILTER(?cnt {op} {n})",
                    "?this",
                    {"n": n},
                )
            )
    return out


# ------------------------------------------------------------------ 5, 6 SHACL-SPARQL


def sparql(c: Compiling) -> list[Constraint]:
    """SHACL 5 sh:sparql: SPARQL-based constraints."""

    out = []
    for cnode in c.params.get("sparql", []):
        con = sparql_constraint(c.engine, c.shape, cnode, c.focus)
        if con is not None:
            out.append(con)
    return out


def declared(c: Compiling) -> list[Constraint]:
    """SHACL 6: the SPARQL-based constraint components the shapes graph declares."""

    out = []
    for comp in c.engine.declared_components():
        con = custom_constraint(c.engine, c.shape, comp, c.focus)
        if con is not None:
            out.append(con)
    return out


@dataclass(frozen=True)
class Component:
    """One row of the table: the parameters a compiler reads, its section of the SHACL spec, the compiler."""

    params: tuple[str, ...]
    section: str
    compile: Callable[[Compiling], list[Constraint]]


# In this order the compiled constraints are reported and merged into one query per shape.
COMPONENTS: tuple[Component, ...] = (
    Component(("class",), "4.1.1", class_),
    Component(("datatype",), "4.1.2", datatype),
    Component(("nodeKind",), "4.1.3", node_kind),
    Component(("minCount",), "4.2.1", min_count),
    Component(("maxCount",), "4.2.2", max_count),
    Component(tuple(COMPARE), "4.3.1-4.3.4", value_range),
    Component(("minLength", "maxLength"), "4.4.1-4.4.2", length),
    Component(("pattern", "flags"), "4.4.3", pattern),
    Component(("languageIn",), "4.4.4", language_in),
    Component(("uniqueLang",), "4.4.5", unique_lang),
    Component(("equals",), "4.5.1", equals),
    Component(("disjoint",), "4.5.2", disjoint),
    Component(("lessThan", "lessThanOrEquals"), "4.5.3-4.5.4", less_than),
    Component(("hasValue",), "4.8.2", has_value),
    Component(("in",), "4.8.3", in_),
    Component(("closed", "ignoredProperties"), "4.8.1", closed),
    Component(("node",), "4.7.1", node),
    Component(("not",), "4.6.1", not_),
    Component(("and", "or", "xone"), "4.6.2-4.6.4", logical),
    Component(
        (
            "qualifiedValueShape",
            "qualifiedMinCount",
            "qualifiedMaxCount",
            "qualifiedValueShapesDisjoint",
        ),
        "4.7.3",
        qualified,
    ),
    Component(("sparql",), "5", sparql),
    Component((), "6", declared),
)


def default_message(c: Constraint, shape: Shape, this: Any, value: Any) -> str:
    """A plain-words message for a Core constraint when the shape has no sh:message."""
    comp = c.component[len(SH) :].replace("ConstraintComponent", "")
    p = c.params
    path = f" on {shape.path_result}" if shape.path_result else ""
    v = term_id(value) if value is not None else ""
    texts: dict[str, Callable[[], str]] = {
        "Class": lambda: f"Value {v} is not an instance of {term_id(p['class'])}",
        "Datatype": lambda: f"Value {v} is not a well-formed literal of datatype {term_id(p['datatype'])}",
        "NodeKind": lambda: f"Value {v} is not of node kind {term_id(p['nodeKind'])}",
        "MinCount": lambda: f"Fewer than {p['n']} values{path}",
        "MaxCount": lambda: f"More than {p['n']} values{path}",
        "MinLength": lambda: f"Value {v} is shorter than {p['n']} characters",
        "MaxLength": lambda: f"Value {v} is longer than {p['n']} characters",
        "Pattern": lambda: f"Value {v} does not match the pattern {p['pattern'].value}",
        "HasValue": lambda: f"Missing the required value {term_id(p['hasValue'])}{path}",
        "In": lambda: f"Value {v} is not one of the allowed values",
        "Closed": lambda: f"Property not allowed by the closed shape (value {v})",
        "UniqueLang": lambda: f"More than one value{path} has the same language tag",
        "QualifiedMinCount": lambda: f"Fewer than {p['n']} values{path} conform to the qualified shape",
        "QualifiedMaxCount": lambda: f"More than {p['n']} values{path} conform to the qualified shape",
        "MinInclusive": lambda: f"Value {v} is not at least {term_id(p['minInclusive'])} (or cannot be compared)",
        "MinExclusive": lambda: f"Value {v} is not more than {term_id(p['minExclusive'])} (or cannot be compared)",
        "MaxInclusive": lambda: f"Value {v} is not at most {term_id(p['maxInclusive'])} (or cannot be compared)",
        "MaxExclusive": lambda: f"Value {v} is not less than {term_id(p['maxExclusive'])} (or cannot be compared)",
        "LanguageIn": lambda: f"Value {v} is not in one of the languages {', '.join(p['languageIn'])}",
        "Equals": lambda: f"Value {v} is not shared with {term_id(p['equals'])}",
        "Disjoint": lambda: f"Value {v} is also a value of {term_id(p['disjoint'])}",
        "LessThan": lambda: f"Value {v} is not less than the values of {term_id(p['lessThan'])}",
        "LessThanOrEquals": lambda: f"Value {v} is later or greater than a value of {term_id(p['lessThanOrEquals'])}",
        "Node": lambda: f"Value {v} does not conform to the shape {term_id(p['node'])}",
        "Not": lambda: f"Value {v} conforms to the shape {term_id(p['not'])}, which it must not",
        "Or": lambda: f"Value {v} conforms to none of the alternative shapes",
        "And": lambda: f"Value {v} does not conform to all of the shapes",
        "Xone": lambda: f"Value {v} does not conform to exactly one of the shapes",
    }
    if comp in texts:
        return texts[comp]()
    return f"{comp} constraint not satisfied" + (f" by value {v}" if v else "") + path
