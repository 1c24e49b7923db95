"""The work a query worker process does on its copy of the store: queries, descriptions, pages, health."""

from __future__ import annotations

import re
import time

from kg.serve.config import RequestFailed
from kg.serve.guard import LimitExceeded, check_limits, remote_access_problem
from kg.serve.protocol import (
    ASK_TYPES,
    CANONICAL,
    FORMAT_ALIASES,
    RDF_TYPES,
    SELECT_TYPES,
    negotiate,
    serialize_boolean,
    serialize_select,
    serialize_triples,
    syntax_failure,
)

NETWORK_UP, NETWORK_DOWN = 3, 1  # hops of the network drawn around an entity: forums upward, answerers downward
MAX_NETWORK_NODES = 150

# A reply: (status, content type, headers, body). Errors travel as RequestFailed and become (status, message).
Reply = tuple


def _charset(fmt: str) -> str:
    return CANONICAL[fmt] + ("; charset=utf-8" if fmt in ("json", "xml", "csv", "tsv", "turtle") else "")


class Jobs:
    """Runs one job at a time on STORE; every job answers with a Reply or raises RequestFailed."""

    def __init__(self, store):
        self.store = store

    def run(self, job: dict) -> Reply:
        handler = getattr(self, "job_" + str(job.get("op")), None)
        if handler is None:
            raise RequestFailed(500, "unknown job")
        return handler(**job.get("args", {}))

    # ------------------------------------------------------------------------------------ queries

    def job_query(
        self,
        text: str,
        accept: str | None = None,
        format_param: str | None = None,
        default_graphs=(),
        named_graphs=(),
        max_rows: int = 10000,
        base_iri: str = "",
        allowed=(),
        truncated_header: str = "X-Lattice-Truncated",
        report_cap: bool = False,
    ) -> Reply:
        """A SPARQL query, answered in the negotiated format. The row cap is reported in a response header when
        it cut the answer; with REPORT_CAP (the REST API) also in the JSON body, as {"lattice": {"maxRows",
        "truncated"}}."""
        import pyoxigraph as ox

        from kg.namespaces import PREFIXES

        try:
            check_limits(text)
        except LimitExceeded as exc:
            raise RequestFailed(400, f"refused before parsing: {exc}") from None
        problem = remote_access_problem(text, frozenset(allowed))
        if problem:
            raise RequestFailed(403, problem)
        kwargs: dict = {"base_iri": base_iri or None, "prefixes": PREFIXES}
        try:
            if default_graphs or named_graphs:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs] or [ox.DefaultGraph()]
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
            else:
                kwargs["use_default_graph_as_union"] = True
        except ValueError as exc:
            raise RequestFailed(400, f"bad request: {exc}") from None
        try:
            result = self.store.query(text, **kwargs)
        except SyntaxError as exc:
            raise syntax_failure(text, exc) from None
        except ValueError as exc:
            raise RequestFailed(400, f"bad request: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise _evaluation_failure(exc, text) from None
        if isinstance(result, ox.QueryBoolean):
            answer = bool(result)
            return self._answer("ask", accept, format_param, lambda fmt: serialize_boolean(answer, fmt))
        rows: list = []
        truncated = False
        try:
            if isinstance(result, ox.QueryTriples):
                kind = "graph"
                for t in result:
                    if len(rows) >= max_rows:
                        truncated = True
                        break
                    rows.append(t)
            else:
                kind = "select"
                variables = [v.value for v in result.variables]
                width = range(len(variables))
                for sol in result:
                    if len(rows) >= max_rows:
                        truncated = True
                        break
                    rows.append(tuple(sol[i] for i in width))
        except (OSError, RuntimeError, ValueError) as exc:
            raise _evaluation_failure(exc, text) from None
        finally:
            del result
        headers = {truncated_header: f"true; max-rows={max_rows}"} if truncated else {}
        if kind == "graph":
            return self._answer(kind, accept, format_param, lambda fmt: serialize_triples(rows, fmt), headers)
        extra = {"lattice": {"maxRows": max_rows, "truncated": truncated}} if report_cap else None
        return self._answer(
            kind, accept, format_param, lambda fmt: serialize_select(variables, rows, fmt, extra), headers
        )

    @staticmethod
    def _answer(kind: str, accept, format_param, make, headers: dict | None = None) -> Reply:
        offered = {"select": SELECT_TYPES, "ask": ASK_TYPES, "graph": RDF_TYPES}[kind]
        # `format=` (for links, where a browser cannot set Accept) wins when it names a format this result can
        # take; otherwise it is ignored, as clients such as SPARQLWrapper send format=xml with every query.
        fmt = FORMAT_ALIASES.get((format_param or "").lower())
        if fmt not in {k for _, k in offered}:
            fmt = negotiate(accept, offered)
        if fmt is None:
            raise RequestFailed(
                406,
                "none of the formats in Accept can carry this result; available: "
                + ", ".join(sorted({m for m, _ in offered})),
            )
        return 200, _charset(fmt), {"Vary": "Accept", **(headers or {})}, make(fmt)

    def job_health(self) -> Reply:
        """A real query through the engine: the store answers."""
        started = time.perf_counter()
        answer = bool(self.store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))
        ms = (time.perf_counter() - started) * 1000
        from kg.serve.sandbox import network_is_forbidden

        network = "blocked" if network_is_forbidden() else "open (--allow-service)"
        text = f"ok: store {'holds data' if answer else 'empty'}; query {ms:.1f} ms; worker network {network}\n"
        return 200, "text/plain; charset=utf-8", {}, text.encode()

    def job_sizes(self) -> Reply:
        """Triples per named graph, as N-Triples-free plain lines `count graph`."""
        res = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        lines = [f"{int(sol['n'].value)} {sol['g'].value}" for sol in res]
        return 200, "text/plain", {}, "\n".join(lines).encode("utf-8")

    def job_browse(self, filters: dict | None = None, what: str = "class") -> Reply:
        """A browse page: the home page, the list of classes, or one class's instances (filters checked)."""
        from kg.serve import browse

        if what == "home":
            body = browse.home_html(browse.home_data(self.store), browse.QUESTIONS)
        elif what == "classes":
            body = browse.classes_html(browse.classes_data(self.store))
        else:
            body = browse.class_html(browse.class_data(self.store, filters or {}))
        return 200, "text/html; charset=utf-8", {}, body

    def job_network(self, iri: str, fmt: str = "json") -> Reply:
        """The accountability network around IRI: Cytoscape.js elements (JSON) or the SVG drawing of `kg graph`."""
        import json

        from kg.errors import UsageError
        from kg.graph import COLOURS, collect, layout, render_svg

        try:
            nodes, edges = collect(iri, store=self.store, up=NETWORK_UP, down=NETWORK_DOWN)
        except (UsageError, ValueError):
            raise RequestFailed(404, "the graph says nothing about this IRI") from None
        if len(nodes) > MAX_NETWORK_NODES:  # the nearest first
            keep = set(sorted(nodes, key=lambda n: (abs(nodes[n].level), n))[:MAX_NETWORK_NODES])
            nodes = {k: v for k, v in nodes.items() if k in keep}
            edges = [e for e in edges if e.source in keep and e.target in keep]
        if fmt == "svg":
            layout(nodes, edges)
            body = render_svg(nodes, edges, iri).encode("utf-8")
            return 200, "image/svg+xml", {"Content-Disposition": 'attachment; filename="network.svg"'}, body
        from kg.serve.layout import local_path

        elements = [
            {
                "data": {
                    "id": n.iri,
                    "label": n.label or n.iri,
                    "category": n.category,
                    "colour": COLOURS.get(n.category, COLOURS["other"]),
                    "level": n.level,
                    "href": local_path(n.iri),
                    "focus": n.iri == iri,
                }
            }
            for n in nodes.values()
        ] + [
            {
                "data": {
                    "id": f"e{i}",
                    "source": e.source,
                    "target": e.target,
                    "label": ", ".join(e.mechanisms),
                }
            }
            for i, e in enumerate(edges)
        ]
        body = json.dumps({"iri": iri, "elements": elements}, ensure_ascii=False).encode("utf-8")
        return 200, "application/json; charset=utf-8", {}, body

    def job_timeline(self, iri: str, role: str = "", kind: str = "", fmt: str = "json") -> Reply:
        """The counts by year of an entity's members, memberships and treaty spells (the data of its charts), as
        JSON rows or CSV; ROLE and KIND narrow them to one group."""
        import csv
        import io
        import json

        from kg.serve.article import spell_counts
        from kg.serve.entity import SPELLS, _q

        try:
            rows = [
                r
                for r in spell_counts(_q(self.store, SPELLS, iri))
                if (not role or r["role"] == role) and (not kind or r["kind"] == kind)
            ]
        except ValueError:
            raise RequestFailed(400, "iri must be an absolute IRI") from None
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, ["role", "kind", "year", "count"], lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            name = "timeline-" + re.sub(r"[^A-Za-z0-9-]+", "-", iri.rsplit("/", 1)[-1])[:60] + ".csv"
            headers = {"Content-Disposition": f'attachment; filename="{name}"'}
            return 200, "text/csv; charset=utf-8", headers, out.getvalue().encode("utf-8")
        body = json.dumps({"iri": iri, "rows": rows}, ensure_ascii=False).encode("utf-8")
        return 200, "application/json; charset=utf-8", {}, body

    def job_search_index(self) -> Reply:
        """The search index document of the store (kg/search.py), for a server without the build's file."""
        import json

        from kg.search import collect

        body = json.dumps(collect(self.store), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return 200, "application/json", {}, body

    # ---------------------------------------------------------------------------------- resources

    def job_graph(self, graph: str, fmt: str) -> Reply:
        """Every triple of one named graph."""
        import pyoxigraph as ox

        triples = [q.triple for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        return 200, CANONICAL[fmt], {"Vary": "Accept"}, serialize_triples(triples, fmt)

    def job_describe(self, iri: str, fmt: str, graph: str | None = None, missing: str = "") -> Reply:
        """The description of one IRI (bound as a NamedNode, never written into query text)."""
        from kg.serve.pages import describe

        try:
            triples = describe(self.store, iri, graph)
        except ValueError:
            raise RequestFailed(404, missing or "not an IRI this server knows") from None
        if not triples:
            raise RequestFailed(404, missing or f"the graph says nothing about {iri}")
        return 200, CANONICAL[fmt], {"Vary": "Accept"}, serialize_triples(triples, fmt)

    def job_page(self, what: str, iri: str | None = None, findings: dict | None = None) -> Reply:
        """An HTML page: the ontology, the shapes, or one resource (with its validation FINDINGS)."""
        from kg.serve import pages

        if what == "ontology":
            body = pages.ontology_html(self.store)
        elif what == "shapes":
            body = pages.shapes_html(self.store)
        else:
            try:
                body = pages.resource_html(self.store, iri, findings)
            except ValueError:
                body = None
            if body is None:
                raise RequestFailed(404, f"the graph says nothing about {iri}")
        return 200, "text/html; charset=utf-8", {"Vary": "Accept"}, body


def _evaluation_failure(exc: Exception, text: str) -> RequestFailed:
    """A 4xx for a query the engine could not evaluate; nothing a remote server sent is ever echoed."""
    from kg.serve.guard import could_name_remote

    message = str(exc)
    if could_name_remote(text) or isinstance(exc, OSError):
        return RequestFailed(
            502 if could_name_remote(text) else 500,
            "query evaluation failed (an outbound request was refused or failed; no remote content is shown)"
            if could_name_remote(text)
            else "query evaluation failed",
        )
    if len(message) > 300:
        message = message[:300] + " ..."
    return RequestFailed(400, f"query evaluation failed: {message}")
