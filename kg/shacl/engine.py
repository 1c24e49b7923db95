"""Evaluate SHACL shapes set-at-a-time: each (shape, constraint) becomes one SPARQL query over all focus nodes."""

from __future__ import annotations

import os
import re
import sys
import time

import pyoxigraph as ox

from kg.shacl.model import (SH, RDF, RDFS, XSD, Graph, Shape, ShapesError, any_true, is_true, pick_message,
                            read_shapes, term_id)

BASE = "urn:x-lattice-shacl:"
M = ox.NamedNode(BASE + "m")
SHAPES_GRAPH = ox.NamedNode(BASE + "shapes")
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
CC = SH  # constraint component IRIs live in the sh: namespace

# XSD datatypes whose lexical space pyoxigraph checks through a cast (used for ill-formed literal detection).
CASTABLE = {"integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time", "duration",
            "dayTimeDuration", "yearMonthDuration", "gYear", "string"}

# Datatypes the store does not keep: a well-formed literal of one of them is stored as xsd:integer (the
# twelve integer types derived from it, with their value ranges) or xsd:dateTime (dateTimeStamp); only an
# ill-formed one keeps its datatype. sh:datatype on them is checked on the stored form: an xsd:integer in
# range (or an xsd:dateTime with a time zone) conforms.
STORED_AS = {
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "nonNegativeInteger": (0, None), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255), "positiveInteger": (1, None),
    "dateTimeStamp": None,
}


def stored_as_condition(local: str) -> str:
    """The violation condition of sh:datatype xsd:LOCAL, for a datatype in STORED_AS."""
    if STORED_AS[local] is None:
        return f'!isLiteral(?value) || datatype(?value) != <{XSD}dateTime> || TZ(?value) = ""'
    low, high = STORED_AS[local]
    cond = f"!isLiteral(?value) || datatype(?value) != <{XSD}integer>"
    if low is not None:
        cond += f" || ?value < {low}"
    if high is not None:
        cond += f" || ?value > {high}"
    return cond


NODE_KIND = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "!isLiteral(?value)",
    "BlankNodeOrLiteral": "!isIRI(?value)",
    "IRIOrLiteral": "!isBlank(?value)",
}
COMPARE = {"minExclusive": ">", "minInclusive": ">=", "maxExclusive": "<", "maxInclusive": "<="}

# parameters whose constraints test one value node on its own: shapes made only of these are inlined
INLINE_PARAMS = {"class", "datatype", "nodeKind", "minExclusive", "minInclusive", "maxExclusive", "maxInclusive",
                 "minLength", "maxLength", "pattern", "flags", "languageIn", "in"}
PROFILE = bool(os.environ.get("LATTICE_SHACL_PROFILE"))
UNSUPPORTED_SPARQL = re.compile(r"\b(MINUS|SERVICE|VALUES)\b", re.IGNORECASE)


_FORKED = None  # (engine, shapes) that the worker processes of Engine.run inherit


def can_fork() -> bool:
    """True when this process may fork validation workers: Linux, and no other thread (Python or native)."""
    import threading

    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _forked_shape_results(index: int) -> list:
    engine, shapes = _FORKED
    return engine.shape_results(shapes[index])


def default_jobs(store) -> int:
    """How many processes validate STORE: one per core (at most 2) for a large graph, else 1."""
    if len(store) < 20000:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def sparql_string(s: str) -> str:
    """A SPARQL string literal holding S."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def sparql_term(t) -> str | None:
    """A term in SPARQL syntax; None for blank nodes (which a query text cannot name)."""
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.Literal):
        return str(t)
    return None


def _int(shape: Shape, name: str) -> int:
    v = shape.params[name][0]
    try:
        return int(v.value)
    except (AttributeError, ValueError):
        raise ShapesError(f"{shape.id}: sh:{name} must be an integer") from None


class NodeSet:
    """A set of RDF terms: the union of temporary named graphs, or a pattern evaluated in place."""

    def __init__(self, key: str, graphs=(), pattern: str | None = None):
        self.value = key
        self.graphs = list(graphs)
        self.pattern = pattern  # "§V" stands for the variable, "§U" for a suffix unique to it


class Constraint:
    """One compiled constraint: its component, the WHERE pattern of its violations, and what it projects."""

    def __init__(self, component: str, where, select: str = "?this ?value", params=None, cond: str | None = None):
        self.component = CC + component
        self.where = where
        self.select = select
        self.params = params or {}
        self.cond = cond  # for per-value-node constraints: the violation condition on ?value


def value_constraint(component: str, base: str, cond: str, params=None) -> Constraint:
    """A constraint that tests each value node on its own (so it can share a query with others)."""
    return Constraint(component, f"{base} FILTER({cond})", params=params, cond=cond)


class Engine:
    """Validate the default graph of a pyoxigraph store against a shapes graph."""

    def __init__(self, store, shapes_store=None):
        self.store = store
        self.same_graph = shapes_store is None
        self.g = Graph(shapes_store if shapes_store is not None else store)
        self.shapes = read_shapes(self.g)
        self.temp: list = []
        self.counter = 0
        self.parents: dict = {}
        for shape in self.shapes.values():
            for p in shape.params.get("property", []):
                self.parents.setdefault(p, []).append(shape)
        self._sub = None
        self._nc_cache: dict = {}
        self._values_cache: dict = {}
        self._target_cache: dict = {}
        self._stack: list = []
        self._shapes_graph_loaded = False

    # ------------------------------------------------------------------ sets of nodes held in named graphs

    def new_set(self) -> "NodeSet":
        self.counter += 1
        g = ox.NamedNode(f"{BASE}set/{self.counter}")
        self.temp.append(g)
        return NodeSet(g.value, graphs=[g])

    @staticmethod
    def member(ns: "NodeSet", var: str) -> str:
        """A pattern that binds VAR to each node of the set."""
        if ns.pattern is not None:
            return ns.pattern.replace("§V", var).replace("§U", re.sub(r"\W", "", var))
        if not ns.graphs:
            return "FILTER(false)"
        parts = [f"GRAPH <{g.value}> {{ <{M.value}> <{M.value}> {var} }}" for g in ns.graphs]
        return parts[0] if len(parts) == 1 else "{ " + " } UNION { ".join(parts) + " }"

    def add_terms(self, ns: "NodeSet", terms) -> None:
        g = ns.graphs[0]
        self.store.extend(ox.Quad(M, M, t, g) for t in terms)

    def set_terms(self, ns: "NodeSet") -> list:
        return [r["x"] for r in self.store.query(f"SELECT DISTINCT ?x WHERE {{ {self.member(ns, '?x')} }}")]

    def is_empty(self, ns: "NodeSet") -> bool:
        return not bool(self.store.query(f"ASK {{ {self.member(ns, '?x')} }}"))

    def insert(self, ns: "NodeSet", where: str, var: str = "?this") -> None:
        g = ns.graphs[0]
        started = time.perf_counter()
        self.store.update(f"INSERT {{ GRAPH <{g.value}> {{ <{M.value}> <{M.value}> {var} }} }} WHERE {{ {where} }}")
        if PROFILE:
            print(f"{time.perf_counter() - started:8.3f} s  insert {where[:150]}", file=sys.stderr)

    def cleanup(self) -> None:
        for g in self.temp:
            self.store.remove_graph(g)
        if self._shapes_graph_loaded:
            self.store.remove_graph(SHAPES_GRAPH)
        self.temp = []

    # ------------------------------------------------------------------ class hierarchy

    def subclasses(self, c) -> list:
        """C and every class below it by rdfs:subClassOf in the data and the shapes graph (IRIs only)."""
        if self._sub is None:
            down: dict = {}
            for row in self.store.query(f"SELECT ?s ?o WHERE {{ ?s <{RDFS}subClassOf> ?o }}"):
                down.setdefault(row["o"], set()).add(row["s"])
            if not self.same_graph:
                for s, o in self.g.pairs(RDFS + "subClassOf"):
                    down.setdefault(o, set()).add(s)
            self._sub = down
        seen = {c}
        todo = [c]
        while todo:
            x = todo.pop()
            for s in self._sub.get(x, ()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return sorted((t for t in seen if isinstance(t, ox.NamedNode)), key=lambda t: t.value)

    def class_values(self, c) -> str:
        return " ".join(f"<{t.value}>" for t in self.subclasses(c))

    # ------------------------------------------------------------------ driver

    def run(self, jobs: int = 1) -> list:
        """All validation results for the shapes that have targets, found by up to JOBS processes."""
        global _FORKED

        shapes = [s for s in sorted(self.shapes.values(), key=lambda s: s.id) if not s.deactivated and s.has_targets]
        out: list = []
        try:
            if jobs > 1 and len(shapes) > 1 and can_fork():
                # each worker is a fork of this process: it has the store and the compiled shapes already, and
                # its temporary node sets live in its own copy of the store
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor
                from concurrent.futures.process import BrokenProcessPool

                from kg.errors import LatticeError

                _FORKED = (self, shapes)
                try:
                    # the workers are forked when the first shape is submitted, before the pool starts its thread
                    with ProcessPoolExecutor(min(jobs, len(shapes)),
                                             mp_context=multiprocessing.get_context("fork")) as pool:
                        for part in pool.map(_forked_shape_results, range(len(shapes))):
                            out.extend(part)
                except BrokenProcessPool:
                    raise LatticeError("a validation worker process died (out of memory?); "
                                       "rerun with --jobs 1 to validate in one process") from None
                finally:
                    _FORKED = None
            else:
                for shape in shapes:
                    out.extend(self.shape_results(shape))
        finally:
            self.cleanup()
        return sorted(out, key=lambda r: (r.shape, r.focus, r.component, r.value or "", r.path or ""))

    def shape_results(self, shape: Shape) -> list:
        """The validation results of one shape that has targets."""
        focus = self.target_set(shape)
        if self.is_empty(focus):
            return []
        return self.report(shape, focus)

    def target_set(self, shape: Shape):
        """Materialize the focus nodes of SHAPE's targets into a node set (shared by shapes with equal targets)."""
        key = tuple(tuple(sorted(term_id(t) for t in ts)) for ts in (
            shape.target_nodes, shape.target_classes, shape.target_subjects_of, shape.target_objects_of))
        if key in self._target_cache:
            return self._target_cache[key]
        inline = self.inline_target(shape, key)
        if inline is not None:
            self._target_cache[key] = inline
            return inline
        f = self.new_set()
        self._target_cache[key] = f
        if shape.target_nodes:
            self.add_terms(f, shape.target_nodes)
        classes = set()
        for c in shape.target_classes:
            classes.update(self.subclasses(c))
        if classes:
            vals = " ".join(f"<{t.value}>" for t in sorted(classes, key=lambda t: t.value))
            self.insert(f, f"VALUES ?cls {{ {vals} }} ?this <{RDF}type> ?cls")
        for p in shape.target_subjects_of:
            if isinstance(p, ox.NamedNode):
                self.insert(f, f"?this <{p.value}> ?any")
        for p in shape.target_objects_of:
            if isinstance(p, ox.NamedNode):
                self.insert(f, f"?any <{p.value}> ?this")
        return f

    def inline_target(self, shape: Shape, key):
        """A target that one triple pattern expresses is used in place (no set is materialized)."""
        if shape.target_nodes or shape.target_objects_of:
            return None
        if shape.target_classes and not shape.target_subjects_of:
            classes = set()
            for c in shape.target_classes:
                classes.update(self.subclasses(c))
            if not classes or any(not isinstance(c, ox.NamedNode) for c in shape.target_classes):
                return None
            vals = " ".join(f"<{t.value}>" for t in sorted(classes, key=lambda t: t.value))
            return NodeSet(repr(key), pattern=f"VALUES ?cls_§U {{ {vals} }} §V <{RDF}type> ?cls_§U .")
        if len(shape.target_subjects_of) == 1 and not shape.target_classes:
            p = shape.target_subjects_of[0]
            if isinstance(p, ox.NamedNode):
                return NodeSet(repr(key), pattern=f"{{ SELECT DISTINCT §V WHERE {{ §V <{p.value}> ?any_§U }} }}")
        return None

    def value_set(self, shape: Shape, focus):
        """The value nodes of SHAPE for the focus set (the focus set itself for node shapes)."""
        if not shape.is_property:
            return focus
        key = (shape.path, focus.value)  # shapes with the same path over the same focus nodes share it
        if key not in self._values_cache:
            v = self.new_set()
            self.insert(v, f"{self.member(focus, '?this')} ?this {shape.path} ?value", var="?value")
            self._values_cache[key] = v
        return self._values_cache[key]

    def nonconforming(self, shape: Shape, focus):
        """The set of nodes in FOCUS that do not conform to SHAPE (any result of any severity)."""
        key = (shape.node, focus.value)
        if key in self._nc_cache:
            return self._nc_cache[key]
        nc = self.new_set()
        if shape.deactivated:
            self._nc_cache[key] = nc
            return nc
        if shape.node in self._stack:
            raise ShapesError(f"recursive shape reference through {shape.id} is not supported")
        self._stack.append(shape.node)
        extra_graphs: list = []
        try:
            constraints = self.compile(shape, focus)
            merged = [c for c in constraints if c.cond is not None]
            if merged:
                base = self.base(shape, focus)
                conds = " || ".join(f"COALESCE({c.cond}, false)" for c in merged)
                self.insert(nc, f"{base} FILTER({conds})")
            for c in constraints:
                if c.cond is not None:
                    continue
                if callable(c.where):
                    self.add_terms(nc, {r.focus_term for r in c.where()})
                else:
                    self.insert(nc, c.where)
            for p in shape.params.get("property", []):
                ps = self.shapes[p]
                if not shape.is_property:
                    pnc = self.nonconforming(ps, focus)
                    extra_graphs.extend(pnc.graphs)
                else:
                    vals = self.value_set(shape, focus)
                    pnc = self.nonconforming(ps, vals)
                    self.insert(nc, f"{self.member(focus, '?this')} ?this {shape.path} ?v . {self.member(pnc, '?v')}")
        finally:
            self._stack.pop()
        if extra_graphs:
            nc = NodeSet(nc.value + "+", graphs=nc.graphs + [g for g in extra_graphs if g not in nc.graphs])
        self._nc_cache[key] = nc
        return nc

    def report(self, shape: Shape, focus) -> list:
        """The validation results of SHAPE on the focus set."""
        from kg.validate import Result

        if shape.deactivated:
            return []
        out = []
        constraints = self.compile(shape, focus)
        merged = [c for c in constraints if c.cond is not None]
        if merged:
            started = time.perf_counter()
            out.extend(self.report_values(shape, focus, merged))
            self._profile(shape, merged[0], started, len(merged))
        for c in constraints:
            if c.cond is not None:
                continue
            started = time.perf_counter()
            if callable(c.where):
                for r in c.where():
                    out.append(r.result)
                self._profile(shape, c, started)
                continue
            q = f"SELECT DISTINCT {c.select} WHERE {{ {c.where} }}"
            for row in self.store.query(q):
                this = row["this"]
                value = _get(row, "value")
                path = _get(row, "path")
                out.append(Result(
                    focus=term_id(this),
                    shape=shape.id,
                    component=c.component,
                    severity=shape.severity,
                    path=path.value if isinstance(path, ox.NamedNode) else shape.path_result,
                    value=term_id(value) if value is not None else None,
                    message=shape.message() or default_message(c, shape, this, value),
                ))
            self._profile(shape, c, started)
        for p in shape.params.get("property", []):
            ps = self.shapes[p]
            if shape.is_property:
                # each value node is validated once per focus node that has it: repeat its results accordingly
                nested = self.report(ps, self.value_set(shape, focus))
                if nested:
                    times = {term_id(r["value"]): int(r["n"].value) for r in self.store.query(
                        f"SELECT ?value (COUNT(DISTINCT ?this) AS ?n) WHERE {{ {self.member(focus, '?this')} "
                        f"?this {shape.path} ?value }} GROUP BY ?value")}
                    for r in nested:
                        out.extend([r] * times.get(r.focus, 1))
            else:
                out.extend(self.report(ps, focus))
        return out

    def base(self, shape: Shape, focus) -> str:
        """The pattern binding every (?this, ?value) pair of SHAPE over the focus set."""
        vn = f"?this {shape.path} ?value ." if shape.is_property else "BIND(?this AS ?value)"
        return f"{self.member(focus, '?this')} {vn}"

    def report_values(self, shape: Shape, focus, merged: list) -> list:
        """One query for all per-value constraints of a shape: each row says which of them the value breaks."""
        from kg.validate import Result

        flags = " ".join(f"BIND(COALESCE({c.cond}, false) AS ?f{i})" for i, c in enumerate(merged))
        any_flag = " || ".join(f"?f{i}" for i in range(len(merged)))
        names = " ".join(f"?f{i}" for i in range(len(merged)))
        q = f"SELECT DISTINCT ?this ?value {names} WHERE {{ {self.base(shape, focus)} {flags} FILTER({any_flag}) }}"
        out = []
        for row in self.store.query(q):
            this, value = row["this"], row["value"]
            for i, c in enumerate(merged):
                if is_true(row[f"f{i}"]):
                    out.append(Result(
                        focus=term_id(this), shape=shape.id, component=c.component, severity=shape.severity,
                        path=shape.path_result, value=term_id(value),
                        message=shape.message() or default_message(c, shape, this, value),
                    ))
        return out

    def _profile(self, shape: Shape, c: Constraint, started: float, n: int = 1) -> None:
        """With LATTICE_SHACL_PROFILE set, print how long each constraint query took."""
        if PROFILE:
            what = c.component[len(CC):] + (f" and {n - 1} more per-value constraints" if n > 1 else "")
            print(f"{time.perf_counter() - started:8.3f} s  {shape.id}  {what}", file=sys.stderr)

    # ------------------------------------------------------------------ compilation

    def compile(self, shape: Shape, focus) -> list:
        """The constraints of SHAPE as SPARQL patterns over the focus set FOCUS."""
        P = shape.params
        F = self.member(focus, "?this")
        VN = f"?this {shape.path} ?value ." if shape.is_property else "BIND(?this AS ?value)"
        base = f"{F} {VN}"
        out: list[Constraint] = []

        for c in P.get("class", []):
            vals = self.class_values(c)
            if not vals:
                continue
            cv = f"?cls{len(out)}"
            out.append(value_constraint("ClassConstraintComponent", base,
                                        f"NOT EXISTS {{ VALUES {cv} {{ {vals} }} ?value <{RDF}type> {cv} }}",
                                        {"class": c}))
        for d in P.get("datatype", []):
            local = d.value[len(XSD):] if d.value.startswith(XSD) else None
            if local in STORED_AS:
                cond = stored_as_condition(local)
            else:
                cond = f"!isLiteral(?value) || datatype(?value) != <{d.value}>"
                if local in CASTABLE and local != "string":
                    cond += f" || !COALESCE(isLiteral(<{d.value}>(STR(?value))), false)"
            out.append(value_constraint("DatatypeConstraintComponent", base, f"({cond})", {"datatype": d}))
        for k in P.get("nodeKind", []):
            name = k.value[len(SH):] if k.value.startswith(SH) else ""
            if name not in NODE_KIND:
                raise ShapesError(f"{shape.id}: unknown sh:nodeKind {k}")
            out.append(value_constraint("NodeKindConstraintComponent", base, f"!({NODE_KIND[name]})",
                                        {"nodeKind": k}))
        if shape.is_property and "minCount" in P:
            n = _int(shape, "minCount")
            if n == 1:
                out.append(Constraint("MinCountConstraintComponent",
                                      f"{F} FILTER NOT EXISTS {{ ?this {shape.path} ?v }}", "?this", {"n": n}))
            elif n > 1:
                out.append(Constraint("MinCountConstraintComponent",
                                      f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?cnt) WHERE {{ {F} OPTIONAL {{ ?this {shape.path} ?v }} }} "
                                      f"GROUP BY ?this }} FILTER(?cnt < {n})", "?this", {"n": n}))
        if shape.is_property and "maxCount" in P:
            n = _int(shape, "maxCount")
            if n == 0:
                out.append(Constraint("MaxCountConstraintComponent", f"{F} FILTER EXISTS {{ ?this {shape.path} ?v }}",
                                      "?this", {"n": n}))
            elif n == 1:
                out.append(Constraint("MaxCountConstraintComponent",
                                      f"{F} ?this {shape.path} ?v1 . ?this {shape.path} ?v2 . FILTER(!sameTerm(?v1, ?v2))",
                                      "?this", {"n": n}))
            else:
                out.append(Constraint("MaxCountConstraintComponent",
                                      f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?cnt) WHERE {{ {F} ?this {shape.path} ?v }} "
                                      f"GROUP BY ?this }} FILTER(?cnt > {n})", "?this", {"n": n}))
        for name, op in COMPARE.items():
            for x in P.get(name, []):
                t = sparql_term(x)
                if t is None:
                    raise ShapesError(f"{shape.id}: sh:{name} must be a literal")
                comp = name[0].upper() + name[1:] + "ConstraintComponent"
                out.append(value_constraint(comp, base, f"!COALESCE(?value {op} {t}, false)", {name: x}))
        for name, op in (("minLength", "<"), ("maxLength", ">")):
            if name in P:
                n = _int(shape, name)
                comp = name[0].upper() + name[1:] + "ConstraintComponent"
                out.append(value_constraint(comp, base, f"(isBlank(?value) || STRLEN(STR(?value)) {op} {n})",
                                            {"n": n}))
        for pat in P.get("pattern", []):
            flags = P.get("flags", [None])[0]
            args = sparql_string(pat.value) + (f", {sparql_string(flags.value)}" if flags is not None else "")
            out.append(value_constraint("PatternConstraintComponent", base,
                                        f"(isBlank(?value) || !REGEX(STR(?value), {args}))", {"pattern": pat}))
        for lst in P.get("languageIn", []):
            langs = [t.value for t in self.g.list(lst)]
            cond = " || ".join(f"langMatches(lang(?value), {sparql_string(x)})" for x in langs) or "false"
            out.append(value_constraint("LanguageInConstraintComponent", base,
                                        f"(!isLiteral(?value) || !({cond}))", {"languageIn": langs}))
        if shape.is_property and any_true(P.get("uniqueLang", [])):
            out.append(Constraint("UniqueLangConstraintComponent",
                                  f"{F} ?this {shape.path} ?a . ?this {shape.path} ?b . "
                                  f"FILTER(!sameTerm(?a, ?b) && isLiteral(?a) && lang(?a) != \"\" && lang(?a) = lang(?b)) "
                                  f"BIND(lang(?a) AS ?lang)", "?this ?lang"))
        for e in P.get("equals", []):
            if shape.is_property:
                w = (f"{{ {F} ?this {shape.path} ?value FILTER NOT EXISTS {{ ?this <{e.value}> ?value }} }} UNION "
                     f"{{ {F} ?this <{e.value}> ?value FILTER NOT EXISTS {{ ?this {shape.path} ?value }} }}")
            else:
                w = (f"{{ {F} ?this <{e.value}> ?value FILTER(!sameTerm(?this, ?value)) }} UNION "
                     f"{{ {F} FILTER NOT EXISTS {{ ?this <{e.value}> ?this }} BIND(?this AS ?value) }}")
            out.append(Constraint("EqualsConstraintComponent", w, params={"equals": e}))
        for e in P.get("disjoint", []):
            out.append(Constraint("DisjointConstraintComponent", f"{base} ?this <{e.value}> ?value",
                                  params={"disjoint": e}))
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for e in P.get(name, []):
                comp = name[0].upper() + name[1:] + "ConstraintComponent"
                out.append(Constraint(comp, f"{base} ?this <{e.value}> ?other FILTER(!COALESCE(?value {op} ?other, false))",
                                      "?this ?value ?other", {name: e}))
        for x in P.get("hasValue", []):
            t = sparql_term(x)
            if t is None:
                hv = self.new_set()
                self.add_terms(hv, [x])
                cond_prop = f"?this {shape.path} ?hv . {self.member(hv, '?hv')}" if shape.is_property else ""
                cond_node = f"FILTER NOT EXISTS {{ {self.member(hv, '?this')} }}"
            else:
                cond_prop = f"?this {shape.path} {t}" if shape.is_property else ""
                cond_node = f"FILTER(!sameTerm(?this, {t}))"
            if shape.is_property:
                out.append(Constraint("HasValueConstraintComponent", f"{F} FILTER NOT EXISTS {{ {cond_prop} }}",
                                      "?this", {"hasValue": x}))
            else:
                out.append(Constraint("HasValueConstraintComponent", f"{F} {cond_node}", "?this",
                                      params={"hasValue": x}))
        for lst in P.get("in", []):
            members = self.g.list(lst)
            s = self.new_set()
            self.add_terms(s, members)
            out.append(value_constraint("InConstraintComponent", base,
                                        f"NOT EXISTS {{ {self.member(s, '?value')} }}", {"in": members}))
        if any_true(P.get("closed", [])):
            allowed = set()
            for p in P.get("property", []):
                ps = self.shapes.get(p)
                if ps is not None and ps.path and re.fullmatch(r"<[^<>]*>", ps.path):
                    allowed.add(ps.path)
            for lst in P.get("ignoredProperties", []):
                allowed.update(f"<{t.value}>" for t in self.g.list(lst) if isinstance(t, ox.NamedNode))
            cond = f"FILTER(?cp NOT IN ({', '.join(sorted(allowed))}))" if allowed else ""
            out.append(Constraint("ClosedConstraintComponent", f"{F} {VN.replace('?value', '?vnode')} ?vnode ?cp ?co {cond}",
                                  "?this (?co AS ?value) (?cp AS ?path)"))
        # shape-based constraints: "does ?value break the inner shape?" as an expression
        for n in P.get("node", []):
            e = self.violates(self.shape_of(n, shape), shape, focus)
            out.append(value_constraint("NodeConstraintComponent", base, e, {"node": n}))
        for n in P.get("not", []):
            e = self.violates(self.shape_of(n, shape), shape, focus)
            out.append(value_constraint("NotConstraintComponent", base, f"!({e})", {"not": n}))
        for name, comp in (("and", "AndConstraintComponent"), ("or", "OrConstraintComponent"),
                           ("xone", "XoneConstraintComponent")):
            for lst in P.get(name, []):
                members = [self.shape_of(m, shape) for m in self.g.list(lst)]
                exprs = [self.violates(m, shape, focus) for m in members]
                if name == "and":
                    cond = " || ".join(exprs) or "false"
                elif name == "or":
                    cond = " && ".join(exprs) if exprs else "true"
                else:
                    cond = "(" + " + ".join(f"IF({e}, 0, 1)" for e in exprs) + ") != 1" if exprs else "true"
                out.append(value_constraint(comp, base, f"({cond})"))
        if shape.is_property and "qualifiedValueShape" in P:
            out.extend(self.qualified(shape, focus, F))
        for cnode in P.get("sparql", []):
            c = self.sparql_constraint(shape, cnode, focus)
            if c is not None:
                out.append(c)
        for comp in self.components():
            c = self.custom_constraint(shape, comp, focus)
            if c is not None:
                out.append(c)
        return out

    # ------------------------------------------------------------------ SPARQL-based constraint components

    def components(self) -> list:
        """The constraint components the shapes graph declares (SHACL-SPARQL section 6)."""
        if not hasattr(self, "_components"):
            classes = {ox.NamedNode(SH + "ConstraintComponent")}
            grew = True
            while grew:
                grew = False
                for sub, sup in self.g.pairs(RDFS + "subClassOf"):
                    if sup in classes and sub not in classes:
                        classes.add(sub)
                        grew = True
            found = []
            for c in classes:
                for comp in self.g.subjects(RDF + "type", c):
                    if comp not in found and not (isinstance(comp, ox.NamedNode) and comp.value.startswith(SH)):
                        found.append(comp)
            self._components = found
        return self._components

    def custom_constraint(self, shape: Shape, comp, focus):
        """A shape's use of a SPARQL-based constraint component, evaluated with its parameters pre-bound."""
        params = {}
        for pnode in self.g.objects(comp, SH + "parameter"):
            path = self.g.one(pnode, SH + "path")
            if not isinstance(path, ox.NamedNode):
                raise ShapesError(f"{term_id(comp)}: a parameter needs an IRI sh:path")
            name = re.split(r"[#/]", path.value)[-1]
            vals = self.g.objects(shape.node, path.value)
            if vals:
                params[name] = vals[0]
            elif not self.g.is_true(pnode, SH + "optional"):
                return None
        if not params:
            return None
        kind = "propertyValidator" if shape.is_property else "nodeValidator"
        validator = self.g.one(comp, SH + kind) or self.g.one(comp, SH + "validator")
        if validator is None:
            return None
        ask = self.g.one(validator, SH + "ask")
        select = self.g.one(validator, SH + "select")
        if (ask is None) == (select is None):
            raise ShapesError(f"{term_id(comp)}: a validator needs exactly one of sh:ask or sh:select")
        text = (ask or select).value
        if UNSUPPORTED_SPARQL.search(strip_strings(text)):
            raise ShapesError(f"{term_id(comp)}: validator uses MINUS, SERVICE or VALUES")
        if shape.is_property:
            text = text.replace("$PATH", shape.path)
        prologue = self.prefixes_for(validator)
        messages = self.g.objects(validator, SH + "message") or self.g.objects(comp, SH + "message") \
            or shape.messages
        component = comp.value if isinstance(comp, ox.NamedNode) else term_id(comp)
        binds = dict(params)
        if re.search(r"[$?]currentShape\b", strip_strings(text)):
            binds["currentShape"] = shape.node
        engine = self

        def run():
            rows = []
            if ask is not None:
                pairs = engine.store.query(f"SELECT DISTINCT ?this ?value WHERE {{ {engine.base(shape, focus)} }}")
                for pair in list(pairs):
                    q, subs = prebind(text, {**binds, "this": pair["this"], "value": pair["value"]})
                    if next(iter(engine.store.query(prologue + q, substitutions=subs)), None) is None:
                        rows.append(_Vars({"this": pair["this"], "value": pair["value"], **params}))
            else:
                for node in engine.set_terms(focus):
                    q, subs = prebind(text, {**binds, "this": node})
                    for row in engine.store.query(prologue + q, substitutions=subs):
                        rows.append(_Vars({**params, "this": node}, row))
            out = []
            for row in rows:
                r = engine.sparql_row(shape, row, messages)
                r.result = r.result.__class__(**{**r.result.__dict__, "component": component})
                out.append(r)
            return out

        return Constraint("SPARQLConstraintComponent", run)

    def violates(self, inner: Shape, outer: Shape, focus) -> str:
        """A SPARQL expression, true when ?value does not conform to INNER (a shape used by OUTER).

        A node shape made only of per-value constraints is written inline (no set is computed); any
        other shape is evaluated set-at-a-time over OUTER's value nodes and tested by membership.
        """
        if inner.deactivated:
            return "false"
        if not inner.is_property and set(inner.params) <= INLINE_PARAMS and inner.node not in self._stack:
            self._stack.append(inner.node)
            try:
                conds = [c.cond for c in self.compile(inner, focus)]
            finally:
                self._stack.pop()
            if all(c is not None for c in conds):
                return "(" + " || ".join(f"COALESCE({c}, false)" for c in conds) + ")" if conds else "false"
        nc = self.nonconforming(inner, self.value_set(outer, focus))
        return f"EXISTS {{ {self.member(nc, '?value')} }}"

    def shape_of(self, node, owner: Shape) -> Shape:
        s = self.shapes.get(node)
        if s is None:
            raise ShapesError(f"{owner.id}: {term_id(node)} is not a shape")
        return s

    def qualified(self, shape: Shape, focus, F: str) -> list:
        P = shape.params
        q = self.shape_of(P["qualifiedValueShape"][0], shape)
        vals = self.value_set(shape, focus)
        ncq = self.nonconforming(q, vals)
        cond = f"FILTER NOT EXISTS {{ {self.member(ncq, '?v')} }}"
        if any_true(P.get("qualifiedValueShapesDisjoint", [])):
            siblings = []
            for parent in self.parents.get(shape.node, []):
                for sib in parent.params.get("property", []):
                    if sib == shape.node:
                        continue
                    for sq in self.shapes[sib].params.get("qualifiedValueShape", []):
                        siblings.append(self.shape_of(sq, shape))
            for sq in siblings:
                nc = self.nonconforming(sq, vals)
                cond += f" FILTER EXISTS {{ {self.member(nc, '?v')} }}"
        counted = (f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?cnt) WHERE {{ {F} OPTIONAL {{ ?this {shape.path} ?v {cond} }} }} "
                   f"GROUP BY ?this }}")
        out = []
        if "qualifiedMinCount" in P:
            n = _int(shape, "qualifiedMinCount")
            out.append(Constraint("QualifiedMinCountConstraintComponent", f"{counted} FILTER(?cnt < {n})", "?this",
                                  {"n": n}))
        if "qualifiedMaxCount" in P:
            n = _int(shape, "qualifiedMaxCount")
            out.append(Constraint("QualifiedMaxCountConstraintComponent", f"{counted} FILTER(?cnt > {n})", "?this",
                                  {"n": n}))
        return out

    # ------------------------------------------------------------------ SHACL-SPARQL

    def prefixes_for(self, node) -> str:
        """The PREFIX lines declared through sh:prefixes of NODE (following owl:imports of those nodes)."""
        lines = []
        todo = list(self.g.objects(node, SH + "prefixes"))
        seen = set()
        while todo:
            onto = todo.pop(0)
            if onto in seen:
                continue
            seen.add(onto)
            todo.extend(self.g.objects(onto, OWL_IMPORTS))
            for decl in self.g.objects(onto, SH + "declare"):
                p = self.g.one(decl, SH + "prefix")
                ns = self.g.one(decl, SH + "namespace")
                if p is not None and ns is not None:
                    lines.append(f"PREFIX {p.value}: <{ns.value}>")
        return "\n".join(dict.fromkeys(lines)) + ("\n" if lines else "")

    def load_shapes_graph(self) -> None:
        if self._shapes_graph_loaded:
            return
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object, SHAPES_GRAPH)
                          for s, preds in self.g.spo.items() for p, objs in preds.items()
                          for q in (ox.Quad(s, ox.NamedNode(p), o) for o in objs))
        self._shapes_graph_loaded = True

    def sparql_constraint(self, shape: Shape, cnode, focus):
        """A sh:sparql SELECT constraint, evaluated for all focus nodes at once (or per node when it must)."""
        if self.g.is_true(cnode, SH + "deactivated"):
            return None
        sel = self.g.one(cnode, SH + "select")
        if sel is None:
            raise ShapesError(f"{shape.id}: sh:sparql without sh:select")
        text = sel.value
        body = strip_strings(text)
        if UNSUPPORTED_SPARQL.search(body):
            raise ShapesError(f"{shape.id}: SPARQL constraint uses MINUS, SERVICE or VALUES, which SHACL forbids")
        if shape.is_property:
            text = text.replace("$PATH", shape.path)
        elif "$PATH" in body:
            raise ShapesError(f"{shape.id}: $PATH in a node shape's SPARQL constraint")
        prologue = self.prefixes_for(cnode)
        messages = self.g.objects(cnode, SH + "message") or shape.messages
        binds = {}
        if re.search(r"[$?]currentShape\b", body):
            binds["currentShape"] = shape.node
        if re.search(r"[$?]shapesGraph\b", body):
            self.load_shapes_graph()
            binds["shapesGraph"] = SHAPES_GRAPH
        check_subqueries(body, shape.id)
        if re.search(r"\bAS\s+[$?](this|currentShape|shapesGraph)\b", body, re.IGNORECASE):
            raise ShapesError(f"{shape.id}: the SPARQL constraint assigns a pre-bound variable")
        nested = len(re.findall(r"\bSELECT\b", body, re.IGNORECASE)) > 1
        aggregated = re.search(r"\b(GROUP\s+BY|HAVING)\b", body, re.IGNORECASE) is not None
        can_inline = (not nested and not aggregated and not this_in_nested_expression(body)
                      and all(sparql_term(v) for v in binds.values()))
        engine = self

        def run():
            rows = []
            if can_inline:
                inject = engine.member(focus, "?this") + " " + " ".join(
                    f"BIND({sparql_term(v)} AS ?{k})" for k, v in binds.items())
                q = prologue + inline_focus(text, inject)
                for row in engine.store.query(q):
                    rows.append(row)
            else:
                # $this is always bound under pre-binding; pyoxigraph's substitution answers bound() with false
                for node in engine.set_terms(focus):
                    q, subs = prebind(text, {"this": node, **binds})
                    for row in engine.store.query(prologue + q, substitutions=subs):
                        rows.append(_Bound(row, node))
            return [engine.sparql_row(shape, row, messages) for row in rows
                    if not is_true(_get(row, "failure"))]

        return Constraint("SPARQLConstraintComponent", run)

    def sparql_row(self, shape: Shape, row, messages):
        from kg.validate import Result

        this = _get(row, "this")
        value = _get(row, "value")
        if value is None and not shape.is_property:
            value = this
        path = _get(row, "path")
        msg = _get(row, "message")
        if msg is not None:
            text = msg.value if isinstance(msg, ox.Literal) else term_id(msg)
        else:
            text = fill_template(pick_message(messages) or "", row)
        res = Result(
            focus=term_id(this), shape=shape.id, component=CC + "SPARQLConstraintComponent",
            severity=shape.severity,
            path=path.value if isinstance(path, ox.NamedNode) else shape.path_result,
            value=term_id(value) if value is not None else None, message=text,
        )
        return _Row(res, this)


class _Row:
    """A result with the focus term it is about."""

    def __init__(self, result, focus_term):
        self.result = result
        self.focus_term = focus_term


class _Bound:
    """A solution of a per-node query, with the pre-bound focus node added."""

    def __init__(self, row, this):
        self.row = row
        self.this = this

    def __getitem__(self, k):
        if k == "this":
            return self.this
        return self.row[k]


class _Vars:
    """Bindings of a validator run: explicit values first, then the solution's own."""

    def __init__(self, values: dict, row=None):
        self.values = values
        self.row = row

    def __getitem__(self, k):
        if k in self.values:
            return self.values[k]
        if self.row is None:
            raise KeyError(k)
        return self.row[k]


def _get(row, name):
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def fill_template(template: str, row) -> str:
    """Replace {$var} and {?var} in a sh:message template with the row's bindings."""

    def sub(m):
        v = _get(row, m.group(1))
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
            end = q.find(q[i:i + 3], i + 3)
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


def prebind(query: str, values: dict):
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
        rest = query[head.end():]
        rest = re.sub(r"^\s*WHERE\b", "", rest, flags=re.IGNORECASE)
        query = query[:head.start()] + f"SELECT {projected} WHERE " + rest
    else:
        mod = re.match(r"\s*(DISTINCT|REDUCED)?\s*", blank[head.end():], re.IGNORECASE)
        at = head.end() + mod.end()
        if blank[at:at + 1] == "*":
            for k in names:
                t = sparql_term(values[k])
                if t is None:
                    raise ShapesError(f"cannot pre-bind ${k} to a blank node under SELECT *")
                query = _replace_var(query, k, t)
            return query, {}
        missing = [k for k in names if not re.search(r"[$?]" + k + r"\b", blank[at:blank.find("{", at)])]
        query = query[:at] + "".join(f"?{k} " for k in missing) + query[at:]
    return query, {ox.Variable(k): values[k] for k in names}


def _replace_bound(query: str, values: dict) -> str:
    """bound($x) of a pre-bound variable is true (pyoxigraph's substitution answers false)."""
    for k in values:
        query = re.sub(r"\bbound\s*\(\s*[$?]" + k + r"\s*\)", "(true)", query, flags=re.IGNORECASE)
    return query


def _replace_var(query: str, name: str, term: str) -> str:
    """Write TERM for every occurrence of $name / ?name outside strings and IRIs."""
    blank = strip_strings(query)
    out, last = [], 0
    for m in re.finditer(r"[$?]" + name + r"\b", blank):
        out.append(query[last:m.start()])
        out.append(term)
        last = m.end()
    out.append(query[last:])
    return "".join(out)


def check_subqueries(body: str, where: str) -> None:
    """Refuse sub-SELECTs that do not project $this: pre-binding cannot reach into them (SHACL 5.2.1)."""
    for m in list(re.finditer(r"\bSELECT\b", body, re.IGNORECASE))[1:]:
        brace = body.find("{", m.end())
        proj = body[m.end():brace if brace >= 0 else len(body)]
        proj = re.split(r"\bWHERE\b", proj, flags=re.IGNORECASE)[0]
        if not re.search(r"[$?]this\b", proj):
            raise ShapesError(f"{where}: a sub-SELECT in a SPARQL constraint must project $this")


def this_in_nested_expression(body: str) -> bool:
    """True when $this occurs in a FILTER or BIND nested below the outermost WHERE group.

    There a join with the focus nodes is not the same as pre-binding (the expression is evaluated
    before the join), so such queries run once per focus node with $this substituted.
    """
    first = body.find("{", re.search(r"\bSELECT\b", body, re.IGNORECASE).end()) if re.search(
        r"\bSELECT\b", body, re.IGNORECASE) else body.find("{")
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
            if re.search(r"[$?]this\b", body[j:k + 1]):
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
    projection = blank[m.end():brace]
    head = query[:brace]
    if "*" not in projection and not re.search(r"[$?]this\b", projection):
        # add ?this to the projection, right after SELECT [DISTINCT|REDUCED]
        mod = re.match(r"\s*(DISTINCT|REDUCED)?", projection, re.IGNORECASE)
        at = m.end() + mod.end()
        head = query[:at] + " ?this " + query[at:brace]
    return head + "{ " + inject + " " + query[brace + 1:]


def default_message(c: Constraint, shape: Shape, this, value) -> str:
    """A plain-words message for a Core constraint when the shape has no sh:message."""
    comp = c.component[len(CC):].replace("ConstraintComponent", "")
    p = c.params
    path = f" on {shape.path_result}" if shape.path_result else ""
    v = term_id(value) if value is not None else ""
    texts = {
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
