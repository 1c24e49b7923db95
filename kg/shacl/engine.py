"""Evaluate SHACL shapes set-at-a-time: each (shape, constraint) becomes one SPARQL query over all focus nodes.

The engine holds the node sets (temporary named graphs of the store, removed when a run ends), finds focus
and value nodes, and reports results; kg/shacl/components.py compiles each constraint component and
kg/shacl/sparql.py the SHACL-SPARQL ones.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable

import pyoxigraph as ox

from kg.namespaces import RDF, RDFS, SH
from kg.shacl.components import COMPONENTS, Compiling, default_message
from kg.shacl.model import Graph, Shape, ShapesError, Term, is_true, read_shapes, term_id
from kg.shacl.plan import BASE, SHAPES_GRAPH, Constraint, M, NodeSet, solutions
from kg.shacl.result import Result
from kg.shacl.sparql import binding

# parameters whose constraints test one value node on its own: shapes made only of these are inlined
INLINE_PARAMS = {
    "class",
    "datatype",
    "nodeKind",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "in",
}
PROFILE = bool(os.environ.get("LATTICE_SHACL_PROFILE"))
PROFILE_WIDTH = 100000 if os.environ.get("LATTICE_SHACL_PROFILE") == "full" else 150

_FORKED: tuple[Engine, list[Shape]] | None = None  # (engine, shapes) that the worker processes of Engine.run inherit


def can_fork() -> bool:
    """True when this process may fork validation workers: Linux, and no other thread (Python or native)."""
    import threading

    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _forked_shape_results(index: int) -> list[Result]:
    assert _FORKED is not None
    engine, shapes = _FORKED
    return engine.shape_results(shapes[index], engine.within.get(shapes[index].node))


def default_jobs(store: ox.Store) -> int:
    """How many processes validate STORE: one per core (at most 2) for a large graph, else 1."""
    if len(store) < 20000:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class Engine:
    """Validate the default graph of a pyoxigraph store against a shapes graph."""

    def __init__(self, store: ox.Store, shapes_store: ox.Store | None = None) -> None:
        self.store = store
        self.same_graph = shapes_store is None
        self.g = Graph(shapes_store if shapes_store is not None else store)
        self.shapes = read_shapes(self.g)
        self.temp: list[ox.NamedNode] = []
        self.counter = 0
        self.parents: dict[Term, list[Shape]] = {}
        for shape in self.shapes.values():
            for p in shape.params.get("property", []):
                self.parents.setdefault(p, []).append(shape)
        self._sub: dict[Term, set[Term]] | None = None
        self._nc_cache: dict[tuple[Term, str], NodeSet] = {}
        self._values_cache: dict[tuple[str | None, str], NodeSet] = {}
        self._target_cache: dict[tuple[tuple[str, ...], ...], NodeSet] = {}
        self._pairs_cache: dict[tuple[str | None, str], ox.NamedNode | None] = {}
        self._stack: list[Term] = []
        self._components: list[Term] | None = None
        self._shapes_graph_loaded = False
        self.within: dict[Term, set[Term]] = {}  # shapes checked only on these candidate focus nodes (run_shapes)
        # SPARQL constraints checked only for these values of ?value (kg.shacl.affected.sparql_plan)
        self.values_within: dict[Term, list[Term]] = {}
        self.checked = 0  # focus nodes checked by the shapes narrowed by WITHIN (in this process)

    # ------------------------------------------------------------------ sets of nodes held in named graphs

    def new_set(self) -> NodeSet:
        self.counter += 1
        g = ox.NamedNode(f"{BASE}set/{self.counter}")
        self.temp.append(g)
        return NodeSet(g.value, graphs=[g])

    @staticmethod
    def member(ns: NodeSet, var: str) -> str:
        """A pattern that binds VAR to each node of the set."""
        if ns.pattern is not None:
            return ns.pattern.replace("§V", var).replace("§U", re.sub(r"\W", "", var))
        if not ns.graphs:
            return "FILTER(false)"
        parts = [f"GRAPH <{g.value}> {{ <{M.value}> <{M.value}> {var} }}" for g in ns.graphs]
        return parts[0] if len(parts) == 1 else "{ " + " } UNION { ".join(parts) + " }"

    def add_terms(self, ns: NodeSet, terms: Iterable[Term]) -> None:
        g = ns.graphs[0]
        self.store.extend(ox.Quad(M, M, t, g) for t in terms)

    def set_terms(self, ns: NodeSet) -> list[Term]:
        return [r["x"] for r in solutions(self.store, f"SELECT DISTINCT ?x WHERE {{ {self.member(ns, '?x')} }}")]

    def is_empty(self, ns: NodeSet) -> bool:
        return not bool(self.store.query(f"ASK {{ {self.member(ns, '?x')} }}"))

    def insert(self, ns: NodeSet, where: str, var: str = "?this") -> None:
        g = ns.graphs[0]
        started = time.perf_counter()
        self.store.update(f"INSERT {{ GRAPH <{g.value}> {{ <{M.value}> <{M.value}> {var} }} }} WHERE {{ {where} }}")
        if PROFILE:
            print(f"{time.perf_counter() - started:8.3f} s  insert {where[:PROFILE_WIDTH]}", file=sys.stderr)

    def cleanup(self) -> None:
        for g in self.temp:
            self.store.remove_graph(g)
        if self._shapes_graph_loaded:
            self.store.remove_graph(SHAPES_GRAPH)
        self.temp = []

    # ------------------------------------------------------------------ class hierarchy

    def subclasses(self, c: Term) -> list[ox.NamedNode]:
        """C and every class below it by rdfs:subClassOf in the data and the shapes graph (IRIs only)."""
        if self._sub is None:
            down: dict[Term, set[Term]] = {}
            for row in solutions(self.store, f"SELECT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}"):
                down.setdefault(row["o"], set()).add(row["s"])
            if not self.same_graph:
                for s, o in self.g.pairs(RDFS.subClassOf):
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

    def class_values(self, c: Term) -> str:
        """C and its subclasses as a VALUES list."""
        return " ".join(f"<{t.value}>" for t in self.subclasses(c))

    # ------------------------------------------------------------------ driver

    def top_shapes(self) -> list[Shape]:
        """The shapes that have targets and are not deactivated, in the order of their ids."""
        return [s for s in sorted(self.shapes.values(), key=lambda s: s.id) if not s.deactivated and s.has_targets]

    def run(self, jobs: int = 1) -> list[Result]:
        """All validation results for the shapes that have targets, found by up to JOBS processes."""
        out = [r for part in self.run_shapes(self.top_shapes(), jobs).values() for r in part]
        return sorted(out, key=lambda r: (r.shape, r.focus, r.component, r.value or "", r.path or ""))

    def run_shapes(
        self, shapes: list[Shape], jobs: int = 1, within: dict[Term, set[Term]] | None = None
    ) -> dict[str, list[Result]]:
        """The results of each of SHAPES (top shapes), keyed by its id, found by up to JOBS processes.

        WITHIN maps a shape's node to candidate focus nodes: that shape is checked only on those of its focus
        nodes that are candidates (kg/shacl/affected.py says which nodes an edit can affect).
        """
        self.within = dict(within or {})
        grouped: dict[str, list[Result]] = {}
        for shape, part in zip(shapes, self._run_each(shapes, jobs)):
            grouped.setdefault(shape.id, []).extend(part)
        return grouped

    def _run_each(self, shapes: list[Shape], jobs: int) -> list[list[Result]]:
        """The results of each of SHAPES, in order, found by up to JOBS processes."""
        global _FORKED

        out: list[list[Result]] = []
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
                    with ProcessPoolExecutor(
                        min(jobs, len(shapes)), mp_context=multiprocessing.get_context("fork")
                    ) as pool:
                        out.extend(pool.map(_forked_shape_results, range(len(shapes))))
                except BrokenProcessPool:
                    raise LatticeError(
                        "a validation worker process died (out of memory?); "
                        "rerun with --jobs 1 to validate in one process"
                    ) from None
                finally:
                    _FORKED = None
            else:
                out.extend(self.shape_results(shape, self.within.get(shape.node)) for shape in shapes)
        finally:
            self.cleanup()
        return out

    def shape_results(self, shape: Shape, within: set[Term] | None = None) -> list[Result]:
        """The validation results of one shape that has targets (only on the focus nodes in WITHIN, if given)."""
        focus = self.target_set(shape) if within is None else self.target_within(shape, within)
        if within is not None:
            self.checked += len(self.set_terms(focus))
        if self.is_empty(focus):
            return []
        return self.report(shape, focus)

    def target_within(self, shape: Shape, nodes: set[Term]) -> NodeSet:
        """The focus nodes of SHAPE's targets that are among NODES, materialized into a fresh node set."""
        f = self.new_set()
        if not nodes:
            return f
        self.add_terms(f, [t for t in shape.target_nodes if t in nodes])
        cand = self.new_set()
        self.add_terms(cand, nodes)
        among = self.member(cand, "?this")
        classes = set()
        for c in shape.target_classes:
            classes.update(self.subclasses(c))
        if classes:
            vals = " ".join(f"<{t.value}>" for t in sorted(classes, key=lambda t: t.value))
            self.insert(f, f"{among} VALUES ?cls {{ {vals} }} ?this <{RDF.type}> ?cls")
        for p in shape.target_subjects_of:
            if isinstance(p, ox.NamedNode):
                self.insert(f, f"{among} FILTER EXISTS {{ ?this <{p.value}> ?any }}")
        for p in shape.target_objects_of:
            if isinstance(p, ox.NamedNode):
                self.insert(f, f"{among} FILTER EXISTS {{ ?any <{p.value}> ?this }}")
        return f

    def target_set(self, shape: Shape) -> NodeSet:
        """Materialize the focus nodes of SHAPE's targets into a node set (shared by shapes with equal targets)."""
        key = tuple(
            tuple(sorted(term_id(t) for t in ts))
            for ts in (shape.target_nodes, shape.target_classes, shape.target_subjects_of, shape.target_objects_of)
        )
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
            self.insert(f, f"VALUES ?cls {{ {vals} }} ?this <{RDF.type}> ?cls")
        for p in shape.target_subjects_of:
            if isinstance(p, ox.NamedNode):
                self.insert(f, f"?this <{p.value}> ?any")
        for p in shape.target_objects_of:
            if isinstance(p, ox.NamedNode):
                self.insert(f, f"?any <{p.value}> ?this")
        return f

    def inline_target(self, shape: Shape, key: tuple[tuple[str, ...], ...]) -> NodeSet | None:
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
            return NodeSet(repr(key), pattern=f"VALUES ?cls_§U {{ {vals} }} §V <{RDF.type}> ?cls_§U .")
        if len(shape.target_subjects_of) == 1 and not shape.target_classes:
            p = shape.target_subjects_of[0]
            if isinstance(p, ox.NamedNode):
                return NodeSet(repr(key), pattern=f"{{ SELECT DISTINCT §V WHERE {{ §V <{p.value}> ?any_§U }} }}")
        return None

    def value_set(self, shape: Shape, focus: NodeSet) -> NodeSet:
        """The value nodes of SHAPE for the focus set (the focus set itself for node shapes)."""
        if not shape.is_property:
            return focus
        key = (shape.path, focus.value)  # shapes with the same path over the same focus nodes share it
        if key not in self._values_cache:
            v = self.new_set()
            self.insert(v, f"{self.member(focus, '?this')} {self.along(shape, focus, '?value')}", var="?value")
            self._values_cache[key] = v
        return self._values_cache[key]

    def along(self, shape: Shape, focus: NodeSet, value: str) -> str:
        """A pattern binding VALUE to each value node of ?this along SHAPE's path, ?this bound to a node of FOCUS.

        A closure path ((step)+ or (step)*) is followed once for the whole focus set, over the one-step relation
        read in one query, and its (focus, value) pairs are kept in a node graph: evaluating the closure from each
        focus node in SPARQL walks every triple of each hub node it passes (a state), again for every start.
        """
        if shape.predicates is not None:
            # an alternative of IRIs as one pattern over the predicates: one walk of ?this's triples, not one each
            p = "?p_" + re.sub(r"\W", "", value)
            return f"VALUES {p} {{ {' '.join(f'<{i}>' for i in shape.predicates)} }} ?this {p} {value} ."
        if shape.closure is None:
            return f"?this {shape.path} {value} ."
        key = (shape.path, focus.value)
        if key not in self._pairs_cache:
            self._pairs_cache[key] = self.closure_pairs(shape, focus)
        g = self._pairs_cache[key]
        if g is None:
            return f"?this {shape.path} {value} ."
        return f"GRAPH <{g.value}> {{ ?this <{M.value}> {value} }}"

    def closure_pairs(self, shape: Shape, focus: NodeSet) -> ox.NamedNode | None:
        """The graph of (focus node, value node) pairs of SHAPE's closure path; None when a focus node is a literal."""
        assert shape.closure is not None
        step_path, op = shape.closure
        started = time.perf_counter()
        starts = self.set_terms(focus)
        if any(not isinstance(t, (ox.NamedNode, ox.BlankNode)) for t in starts):
            return None
        step: dict[Term, set[Term]] = {}
        for r in solutions(self.store, f"SELECT DISTINCT ?s ?o WHERE {{ ?s {step_path} ?o }}"):
            step.setdefault(r["s"], set()).add(r["o"])
        ns = self.new_set()
        g = ns.graphs[0]
        quads: list[ox.Quad] = []
        for start in starts:
            seen: set[Term] = {start} if op == "*" else set()
            todo = [start]
            while todo:
                for nxt in step.get(todo.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            quads.extend(ox.Quad(start, M, v, g) for v in seen)
        self.store.extend(quads)
        if PROFILE:
            print(f"{time.perf_counter() - started:8.3f} s  closure {step_path[:PROFILE_WIDTH]}", file=sys.stderr)
        return g

    def nonconforming(self, shape: Shape, focus: NodeSet) -> NodeSet:
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
        extra_graphs: list[ox.NamedNode] = []
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
                    self.insert(
                        nc, f"{self.member(focus, '?this')} {self.along(shape, focus, '?v')} {self.member(pnc, '?v')}"
                    )
        finally:
            self._stack.pop()
        if extra_graphs:
            nc = NodeSet(nc.value + "+", graphs=nc.graphs + [g for g in extra_graphs if g not in nc.graphs])
        self._nc_cache[key] = nc
        return nc

    def report(self, shape: Shape, focus: NodeSet) -> list[Result]:
        """The validation results of SHAPE on the focus set."""
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
            for row in solutions(self.store, q):
                this = row["this"]
                value = binding(row, "value")
                path = binding(row, "path")
                out.append(
                    Result(
                        focus=term_id(this),
                        shape=shape.id,
                        component=c.component,
                        severity=shape.severity,
                        path=path.value if isinstance(path, ox.NamedNode) else shape.path_result,
                        value=term_id(value) if value is not None else None,
                        message=shape.message() or default_message(c, shape, this, value),
                    )
                )
            self._profile(shape, c, started)
        for p in shape.params.get("property", []):
            ps = self.shapes[p]
            if shape.is_property:
                # each value node is validated once per focus node that has it: repeat its results accordingly
                nested = self.report(ps, self.value_set(shape, focus))
                if nested:
                    times = {
                        term_id(r["value"]): int(r["n"].value)
                        for r in solutions(
                            self.store,
                            f"SELECT ?value (COUNT(DISTINCT ?this) AS ?n) WHERE {{ {self.member(focus, '?this')} "
                            f"{self.along(shape, focus, '?value')} }} GROUP BY ?value",
                        )
                    }
                    for r in nested:
                        out.extend([r] * times.get(r.focus, 1))
            else:
                out.extend(self.report(ps, focus))
        return out

    def base(self, shape: Shape, focus: NodeSet) -> str:
        """The pattern binding every (?this, ?value) pair of SHAPE over the focus set."""
        vn = self.along(shape, focus, "?value") if shape.is_property else "BIND(?this AS ?value)"
        return f"{self.member(focus, '?this')} {vn}"

    def report_values(self, shape: Shape, focus: NodeSet, merged: list[Constraint]) -> list[Result]:
        """One query for all per-value constraints of a shape: each row says which of them the value breaks."""
        flags = " ".join(f"BIND(COALESCE({c.cond}, false) AS ?f{i})" for i, c in enumerate(merged))
        any_flag = " || ".join(f"?f{i}" for i in range(len(merged)))
        names = " ".join(f"?f{i}" for i in range(len(merged)))
        q = f"SELECT DISTINCT ?this ?value {names} WHERE {{ {self.base(shape, focus)} {flags} FILTER({any_flag}) }}"
        out = []
        for row in solutions(self.store, q):
            this, value = row["this"], row["value"]
            for i, c in enumerate(merged):
                if is_true(row[f"f{i}"]):
                    out.append(
                        Result(
                            focus=term_id(this),
                            shape=shape.id,
                            component=c.component,
                            severity=shape.severity,
                            path=shape.path_result,
                            value=term_id(value),
                            message=shape.message() or default_message(c, shape, this, value),
                        )
                    )
        return out

    def _profile(self, shape: Shape, c: Constraint, started: float, n: int = 1) -> None:
        """With LATTICE_SHACL_PROFILE set, print how long each constraint query took."""
        if PROFILE:
            what = c.component[len(SH) :] + (f" and {n - 1} more per-value constraints" if n > 1 else "")
            print(f"{time.perf_counter() - started:8.3f} s  {shape.id}  {what}", file=sys.stderr)

    # ------------------------------------------------------------------ compilation

    def compile(self, shape: Shape, focus: NodeSet) -> list[Constraint]:
        """The constraints of SHAPE as SPARQL patterns over the focus set FOCUS (kg/shacl/components.py)."""
        ctx = Compiling(self, shape, focus)
        return [c for component in COMPONENTS for c in component.compile(ctx)]

    # ------------------------------------------------------------------ SPARQL-based constraint components

    def declared_components(self) -> list[Term]:
        """The constraint components the shapes graph declares (SHACL-SPARQL section 6)."""
        if self._components is None:
            classes = {ox.NamedNode(SH.ConstraintComponent)}
            grew = True
            while grew:
                grew = False
                for sub, sup in self.g.pairs(RDFS.subClassOf):
                    if sup in classes and sub not in classes:
                        classes.add(sub)
                        grew = True
            found: list[Term] = []
            for c in classes:
                for comp in self.g.subjects(RDF.type, c):
                    if comp not in found and not (isinstance(comp, ox.NamedNode) and comp.value.startswith(SH)):
                        found.append(comp)
            self._components = found
        return self._components

    def violates(self, inner: Shape, outer: Shape, focus: NodeSet) -> str:
        """A SPARQL expression, true when ?value does not conform to INNER (a shape used by OUTER).

        A node shape made only of per-value constraints is written inline (no set is computed); any
        other shape is evaluated set-at-a-time over OUTER's value nodes and tested by membership.
        """
        inline = self.inline_violation(inner, focus)
        if inline is not None:
            return inline
        nc = self.nonconforming(inner, self.value_set(outer, focus))
        return f"EXISTS {{ {self.member(nc, '?value')} }}"

    def inline_violation(self, inner: Shape, focus: NodeSet) -> str | None:
        """The expression of violates() for a shape written inline, None for one that needs a set."""
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
        return None

    def violates_all(self, members: list[Shape], outer: Shape, focus: NodeSet) -> str:
        """A SPARQL expression, true when ?value conforms to none of MEMBERS (sh:or).

        The members that need a set are evaluated one after another, each only over the value nodes that
        every earlier one rejected: a record that cites a source is not checked again for its derivation.
        """
        conds = []
        rejected: NodeSet | None = None  # value nodes that no set-evaluated member so far accepts
        for m in members:
            inline = self.inline_violation(m, focus)
            if inline is not None:
                conds.append(inline)
                continue
            rejected = self.nonconforming(m, self.value_set(outer, focus) if rejected is None else rejected)
        if rejected is not None:
            conds.append(f"EXISTS {{ {self.member(rejected, '?value')} }}")
        return " && ".join(conds) if conds else "true"

    def shape_of(self, node: Term, owner: Shape) -> Shape:
        """The shape at NODE, which OWNER refers to; ShapesError when NODE is not a shape."""
        s = self.shapes.get(node)
        if s is None:
            raise ShapesError(f"{owner.id}: {term_id(node)} is not a shape")
        return s

    def load_shapes_graph(self) -> None:
        """Copy the shapes graph into the store (for $shapesGraph); cleanup() removes it."""
        if self._shapes_graph_loaded:
            return
        self.store.extend(
            ox.Quad(q.subject, q.predicate, q.object, SHAPES_GRAPH)
            for s, preds in self.g.spo.items()
            for p, objs in preds.items()
            for q in (ox.Quad(s, ox.NamedNode(p), o) for o in objs)
        )
        self._shapes_graph_loaded = True
