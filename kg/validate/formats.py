"""The report formats of `kg validate`: text, JSON, Turtle, JUnit XML and SARIF."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from kg.errors import UsageError
from kg.namespaces import LATTICE, PREFIXES, RDF, SH, XSD
from kg.validate.context import local_name
from kg.validate.outcome import SEVERITIES, Report

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


SEVERITY_WORD = {"Violation": "violation", "Warning": "warning", "Info": "info"}


def where(report: Report, i: int) -> str:
    """`file:line` of the I-th result (the path relative to the working folder when below it), else its focus."""
    loc = report.location(i)
    if loc is None:
        return short(report.results[i].focus)
    return f"{_display_path(loc[0])}:{loc[1]}"


def _display_path(path: str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def owner(report: Report, shape: str) -> str:
    """The named shape a result's shape belongs to (a property shape's node shape)."""
    return report.shape_owner.get(shape, shape)


def finding_line(report: Report, i: int) -> str:
    """One result as compilers print a diagnostic: `file:line: severity: message (shape)`."""
    r = report.results[i]
    label = report.labels.get(r.focus)
    detail = [short(r.focus) + (f' "{label}"' if label else "")]
    if r.path:
        detail.append(f"path {short_path(r.path)}")
    if r.value is not None:
        detail.append(f"value {short(r.value)}")
    message = r.message or short(r.component)
    return (
        f"{where(report, i)}: {SEVERITY_WORD.get(r.severity, r.severity.lower())}: {message} "
        f"[{', '.join(detail)}] ({short(owner(report, r.shape))})"
    )


def format_text(report: Report) -> str:
    """Human-readable report: results grouped by the principle (norm) their shape encodes, one line per result
    in the form compilers use, `file:line: severity: message (shape)`."""
    lines = []
    groups: dict[str | None, list[int]] = {}
    for i, r in enumerate(report.results):
        groups.setdefault(report.norms.get(r.shape), []).append(i)
    order = sorted(groups, key=lambda n: (n is None, (report.norm_info.get(n) or {}).get("label") or n or ""))
    for norm in order:
        if norm is None:
            lines.append("== Integrity and other shapes (no principle linked)")
        else:
            info = report.norm_info.get(norm, {})
            lines.append(f"== Principle: {info.get('label') or short(norm)} ({short(norm)})")
            if info.get("quote"):
                where_ = f" [{info['locator']}]" if info.get("locator") else ""
                lines.append(f'   source: "{info["quote"]}"{where_} ({short(info.get("passage"))})')
        lines.extend(finding_line(report, i) for i in groups[norm])
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
                file=(report.location(i) or (None, None))[0],
                line=(report.location(i) or (None, None))[1],
            )
            for i, r in enumerate(report.results)
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
    """JUnit XML: one testsuite, one testcase per named shape of the shapes graph. A shape with results at or
    above the --fail-on level fails (one failure element listing them); results below it are written to the
    test case's system-out and counted in its properties, and the test case passes."""
    from xml.sax.saxutils import escape, quoteattr

    worst = SEVERITIES.index(report.fail_on.capitalize())
    by_shape: dict[str, list[int]] = {}
    for i, r in enumerate(report.results):
        by_shape.setdefault(owner(report, r.shape), []).append(i)
    all_shapes = sorted(set(by_shape) | set(report.shapes))
    failing = [s for s in all_shapes if any(_fails(report, i, worst) for i in by_shape.get(s, []))]
    head = f'tests="{len(all_shapes)}" failures="{len(failing)}" errors="0" skipped="0" time="{report.seconds:.3f}"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="kg validate" {head}>',
        f'  <testsuite name="kg validate" {head}>',
    ]
    for s in all_shapes:
        idx = by_shape.get(s, [])
        out.append(f'    <testcase classname="shapes" name={quoteattr(short(s))} time="0">')
        counts = {sev: sum(1 for i in idx if report.results[i].severity == sev) for sev in SEVERITIES}
        if idx:
            out.append("      <properties>")
            out.extend(f'        <property name="{sev.lower()}s" value="{n}"/>' for sev, n in counts.items() if n)
            out.append("      </properties>")
        fail = [i for i in idx if _fails(report, i, worst)]
        rest = [i for i in idx if not _fails(report, i, worst)]
        if fail:
            msg = f"{len(fail)} finding{'s' if len(fail) != 1 else ''} at or above {report.fail_on}"
            body = "\n".join(finding_line(report, i) for i in fail)
            kind = report.results[fail[0]].severity
            out.append(f"      <failure type={quoteattr(kind)} message={quoteattr(msg)}>{escape(body)}</failure>")
        if rest:
            body = "\n".join(finding_line(report, i) for i in rest)
            out.append(f"      <system-out>{escape(body)}</system-out>")
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def _fails(report: Report, i: int, worst: int) -> bool:
    sev = report.results[i].severity
    return sev in SEVERITIES and SEVERITIES.index(sev) <= worst


SARIF_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "note"}


def format_sarif(report: Report) -> str:
    """SARIF 2.1.0: one rule per named shape, one result per finding. When the data came from files every
    result has a physical location (file and line), as code scanning requires; the focus node is its logical
    location."""
    from kg.version import __version__

    shapes = sorted({owner(report, r.shape) for r in report.results})
    rule_index = {s: i for i, s in enumerate(shapes)}
    rules = []
    for s in shapes:
        info = report.shape_info.get(s, {})
        norm = report.norms.get(s) or next((report.norms[x] for x in report.norms if owner(report, x) == s), None)
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
    fallback = report.data_files[0] if report.data_files else None
    for i, r in enumerate(report.results):
        label = report.labels.get(r.focus)
        text = (r.message or r.component) + f" (focus {short(r.focus)}" + (f' "{label}"' if label else "")
        if r.value is not None:
            text += f", value {short(r.value)}"
        text += ")"
        shape = owner(report, r.shape)
        res = {
            "ruleId": short(shape),
            "ruleIndex": rule_index[shape],
            "level": SARIF_LEVEL.get(r.severity, "note"),
            "message": {"text": text},
            "properties": {
                "focusNode": r.focus,
                "sourceShape": r.shape,
                "sourceConstraintComponent": r.component,
                "resultPath": r.path,
                "value": r.value,
                "severity": r.severity,
            },
        }
        logical = [{"fullyQualifiedName": r.focus, "kind": "resource"}]
        loc = report.location(i) or ((fallback, 1) if fallback else None)
        if loc:
            physical = {"artifactLocation": {"uri": _sarif_uri(loc[0])}, "region": {"startLine": max(1, loc[1])}}
            res["locations"] = [{"physicalLocation": physical, "logicalLocations": logical}]
        else:
            res["locations"] = [{"logicalLocations": logical}]
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
    return FORMATTERS[fmt](report)
