"""The report formats of `kg validate`: text, JSON, Turtle, JUnit XML and SARIF."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from kg.errors import UsageError
from kg.namespaces import LATTICE, PREFIXES, RDF, SH, XSD
from kg.shacl.result import Result
from kg.validate.context import focus_files, line_of, local_name
from kg.validate.outcome import Report

FORMATS = ("text", "json", "turtle", "junit", "sarif")
JSON_SCHEMA_VERSION = 1


def short(iri: str | None) -> str:
    """An IRI in prefixed form when a Lattice prefix covers it."""
    if iri is None:
        return ""
    if iri.startswith('"'):  # a literal: abbreviate an XSD datatype
        xsd = "^^<http://www.w3.org/2001/XMLSchema#"
        at = iri.rfind(xsd)
        return iri[:at] + "^^xsd:" + iri[at + len(xsd) : -1] if at > 0 and iri.endswith(">") else iri
    from kg.namespaces import compact

    short_form = compact(iri)
    if short_form == iri and "://" in iri:
        return f"<{iri}>"
    return short_form


def short_path(path: str | None) -> str:
    """A SHACL path for people: a plain IRI prefixed, a complex path with each IRI inside it prefixed."""
    import re

    if not path or "(" not in path:
        return short(path)
    inner = path[1:-1] if path.startswith("<(") and path.endswith(")>") else path
    return re.sub(r"<([^<>\s]+)>", lambda m: short(m.group(1)), inner)


def summary_line(report: Report) -> str:
    c = report.counts()

    def n(k, word):
        return f"{k} {word}" + ("" if k == 1 else "s")

    return f"{n(c['Violation'], 'violation')}, {n(c['Warning'], 'warning')}, {n(c['Info'], 'info')}"


def format_text(report: Report) -> str:
    """Human-readable report: results grouped by the principle (norm) their shape encodes."""
    lines = []
    groups: dict[str | None, list[Result]] = {}
    for r in report.results:
        groups.setdefault(report.norms.get(r.shape), []).append(r)
    order = sorted(groups, key=lambda n: (n is None, (report.norm_info.get(n) or {}).get("label") or n or ""))
    for norm in order:
        rs = groups[norm]
        if norm is None:
            lines.append("== Integrity and other shapes (no principle linked)")
        else:
            info = report.norm_info.get(norm, {})
            lines.append(f"== Principle: {info.get('label') or short(norm)} ({short(norm)})")
            if info.get("quote"):
                where = f" [{info['locator']}]" if info.get("locator") else ""
                lines.append(f'   source: "{info["quote"]}"{where} ({short(info.get("passage"))})')
        for r in rs:
            label = report.labels.get(r.focus)
            who = f"{short(r.focus)}" + (f' "{label}"' if label else "")
            lines.append(f"  [{r.severity}] {who}  (shape {short(r.shape)}, {short(r.component)})")
            if r.message:
                lines.append(f"      {r.message}")
            detail = []
            if r.path:
                detail.append(f"path {short_path(r.path)}")
            if r.value is not None:
                detail.append(f"value {short(r.value)}")
            if detail:
                lines.append("      " + ", ".join(detail))
        lines.append("")
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{summary_line(report)} — data {verdict} ({report.engine} engine, {report.seconds:.2f} s)")
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    """The stable JSON form: {schema, conforms, engine, counts, results: [...]}, results sorted."""
    doc = {
        "schema": JSON_SCHEMA_VERSION,
        "conforms": report.conforms,
        "engine": report.engine,
        "jobs": report.jobs,
        "inference": report.inference,
        "counts": {k.lower(): v for k, v in report.counts().items()},
        "shapes_files": report.shapes_files,
        "data_files": report.data_files,
        "results": [
            dict(
                asdict(r),
                norm=report.norms.get(r.shape),
                focus_label=report.labels.get(r.focus),
                file=report.focus_files.get(r.focus),
            )
            for r in report.results
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _nt_term(s: str) -> str:
    if s.startswith(("_:", '"')):
        return s
    return f"<{s}>"


def format_turtle(report: Report) -> str:
    """The report as an sh:ValidationReport graph in Turtle."""
    import pyoxigraph as ox

    conforms = "true" if report.conforms else "false"
    lines = [
        f"_:report <{RDF.type}> <{SH.ValidationReport}> .",
        f'_:report <{SH.conforms}> "{conforms}"^^<{XSD.boolean}> .',
    ]
    for i, r in enumerate(report.results):
        n = f"_:r{i}"
        lines.append(f"_:report <{SH.result}> {n} .")
        lines.append(f"{n} <{RDF.type}> <{SH.ValidationResult}> .")
        lines.append(f"{n} <{SH.focusNode}> {_nt_term(r.focus)} .")
        lines.append(f"{n} <{SH.sourceShape}> {_nt_term(r.shape)} .")
        lines.append(f"{n} <{SH.sourceConstraintComponent}> <{r.component}> .")
        lines.append(f"{n} <{SH.resultSeverity}> <{SH}{r.severity}> .")
        if r.path and not r.path.startswith(("^", "(", "<")) and "://" in r.path:
            lines.append(f"{n} <{SH.resultPath}> <{r.path}> .")
        if r.value is not None:
            lines.append(f"{n} <{SH.value}> {_nt_term(r.value)} .")
        if r.message:
            lines.append(f"{n} <{SH.resultMessage}> {ox.Literal(r.message)} .")
    store = ox.Store()
    store.load("\n".join(lines) + "\n", format=ox.RdfFormat.N_TRIPLES)
    prefixes = {"sh": str(SH), "xsd": str(XSD)}
    prefixes.update({k: v for k, v in PREFIXES.items() if k not in prefixes})
    out = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)
    return out.decode("utf-8")


def format_junit(report: Report) -> str:
    """JUnit XML: one testsuite, one testcase per shape, one failure element per result."""
    from xml.sax.saxutils import escape, quoteattr

    by_shape: dict[str, list[Result]] = {}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)
    all_shapes = sorted(set(by_shape) | set(report.shape_info))
    failures = sum(1 for r in report.results)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="kg validate" tests="{len(all_shapes)}" failures="{failures}" time="{report.seconds:.3f}">',
        (
            f'  <testsuite name="kg validate" tests="{len(all_shapes)}" failures="{failures}" errors="0" '
            f'time="{report.seconds:.3f}">'
        ),
    ]
    for s in all_shapes:
        rs = by_shape.get(s, [])
        out.append(f'    <testcase classname="shapes" name={quoteattr(short(s))}>')
        for r in rs:
            label = report.labels.get(r.focus)
            msg = f"[{r.severity}] {short(r.focus)}" + (f' "{label}"' if label else "") + f": {r.message}"
            body = [f"focus: {r.focus}", f"component: {r.component}"]
            if r.path:
                body.append(f"path: {r.path}")
            if r.value is not None:
                body.append(f"value: {r.value}")
            f = report.focus_files.get(r.focus)
            if f:
                body.append(f"file: {f}")
            out.append(
                f"      <failure type={quoteattr(r.severity)} message={quoteattr(msg)}>"
                f"{escape(chr(10).join(body))}</failure>"
            )
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


SARIF_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "note"}


def format_sarif(report: Report) -> str:
    """SARIF 2.1.0: one rule per shape, one result per finding, located in the data file when known."""
    from kg.version import __version__

    shapes = sorted({r.shape for r in report.results})
    rule_index = {s: i for i, s in enumerate(shapes)}
    rules = []
    for s in shapes:
        info = report.shape_info.get(s, {})
        norm = report.norms.get(s)
        rule = {
            "id": short(s),
            "name": local_name(s),
            "shortDescription": {"text": info.get("label") or short(s)},
            "fullDescription": {"text": info.get("description") or f"SHACL shape {s}"},
            "properties": {"shape": s},
        }
        if norm:
            ni = report.norm_info.get(norm, {})
            rule["properties"]["norm"] = norm
            rule["properties"]["principle"] = ni.get("label")
            if ni.get("quote"):
                rule["help"] = {"text": f'{ni.get("label")}: "{ni["quote"]}"'}
        rules.append(rule)
    results = []
    line_cache: dict[tuple, int | None] = {}
    for r in report.results:
        label = report.labels.get(r.focus)
        text = (r.message or r.component) + f" (focus {short(r.focus)}" + (f' "{label}"' if label else "")
        if r.value is not None:
            text += f", value {short(r.value)}"
        text += ")"
        res = {
            "ruleId": short(r.shape),
            "ruleIndex": rule_index[r.shape],
            "level": SARIF_LEVEL.get(r.severity, "note"),
            "message": {"text": text},
            "properties": {
                "focusNode": r.focus,
                "sourceConstraintComponent": r.component,
                "resultPath": r.path,
                "value": r.value,
                "severity": r.severity,
            },
        }
        f = report.focus_files.get(r.focus)
        if f:
            key = (f, r.focus)
            if key not in line_cache:
                line_cache[key] = line_of(f, r.focus)
            loc = {"artifactLocation": {"uri": _sarif_uri(f)}}
            if line_cache[key]:
                loc["region"] = {"startLine": line_cache[key]}
            res["locations"] = [
                {"physicalLocation": loc, "logicalLocations": [{"fullyQualifiedName": r.focus, "kind": "resource"}]}
            ]
        else:
            res["locations"] = [{"logicalLocations": [{"fullyQualifiedName": r.focus, "kind": "resource"}]}]
        results.append(res)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kg validate",
                        "fullName": "Lattice kg validate (SHACL)",
                        "version": __version__,
                        "informationUri": LATTICE,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _sarif_uri(path: str) -> str:
    """A file path as SARIF wants it: relative to the working folder when below it, with forward slashes."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve())
        return rel.as_posix()
    except ValueError:
        return p.resolve().as_uri()


FORMATTERS = {
    "text": format_text,
    "json": format_json,
    "turtle": format_turtle,
    "junit": format_junit,
    "sarif": format_sarif,
}


def render(report: Report, fmt: str = "text") -> str:
    """The report in one of FORMATS."""
    if fmt not in FORMATTERS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("json", "junit", "sarif") and report.data_files and not report.focus_files and report.results:
        report.focus_files = focus_files(report)
    return FORMATTERS[fmt](report)
