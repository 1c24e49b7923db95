"""Crosswalk tables (kg/data/crosswalks/*.csv) from data-set codes to COW IGO and curated organizations and bodies."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.errors import InputError
from kg.importers import LABEL, SOURCE, XSD, A, id_iri, iri, lat, literal, slug
from kg.namespaces import LAT_ID
from kg.paths import CROSSWALKS_DIR

CROSSWALK_DIR = CROSSWALKS_DIR  # the code tables of every importer (kg/paths.py)
ORG_COLUMNS = ["source_id", "source_title", "first_year", "last_year", "cow_ionum", "cow_ioname", "curated", "basis"]
BODY_COLUMNS = ["body_id", "source_id", "body_name", "curated", "basis"]


@dataclass
class OrgRow:
    """One crosswalk row: a data-set code, for a span of years, names a COW IGO and/or a curated organization."""

    source_id: str
    title: str
    first: int | None
    last: int | None
    cow_ionum: int | None
    cow_ioname: str
    curated: str  # full IRI or ""
    basis: str
    line: int

    def covers(self, year: int) -> bool:
        return (self.first is None or year >= self.first) and (self.last is None or year <= self.last)

    @property
    def matched(self) -> bool:
        return bool(self.cow_ionum is not None or self.curated)


def expand(value: str) -> str:
    """A curated identifier written lat-id:name, as a full IRI ("" stays "")."""
    value = value.strip()
    if value.startswith("lat-id:"):
        return LAT_ID + value[len("lat-id:") :]
    return value


def _year(text: str, path: Path, line: int, column: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1000 <= int(text) <= 2999:
        raise InputError(f"{column} {text!r} is not a year", path=path, line=line)
    return int(text)


def _rows(path: Path, columns: list[str]):
    try:
        f = open(path, newline="", encoding="utf-8")  # noqa: SIM115 -- closed by the with below; open errors reported first
    except OSError as exc:
        raise InputError(f"cannot read crosswalk: {exc.strerror or exc}", path=path) from None
    with f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != columns:
            raise InputError(f"crosswalk header must be {','.join(columns)}", path=path, line=1)
        for n, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(columns):
                raise InputError(f"expected {len(columns)} columns, found {len(row)}", path=path, line=n)
            yield n, dict(zip(columns, (c.strip() for c in row)))


def load_orgs(path: Path) -> dict[str, list[OrgRow]]:
    """The organization crosswalk: source code -> its rows, whose year spans must not overlap."""
    out: dict[str, list[OrgRow]] = {}
    for n, r in _rows(path, ORG_COLUMNS):
        if not r["source_id"]:
            raise InputError("empty source_id", path=path, line=n)
        ionum = r["cow_ionum"]
        if ionum and not ionum.isdigit():
            raise InputError(f"cow_ionum {ionum!r} is not a number", path=path, line=n)
        if bool(ionum) != bool(r["cow_ioname"]):
            raise InputError("cow_ionum and cow_ioname go together", path=path, line=n)
        if r["curated"] and not r["curated"].startswith("lat-id:"):
            raise InputError(f"curated {r['curated']!r} must be a lat-id: name", path=path, line=n)
        if not r["basis"]:
            raise InputError("every crosswalk row states its basis", path=path, line=n)
        row = OrgRow(
            r["source_id"],
            r["source_title"],
            _year(r["first_year"], path, n, "first_year"),
            _year(r["last_year"], path, n, "last_year"),
            int(ionum) if ionum else None,
            r["cow_ioname"],
            expand(r["curated"]),
            r["basis"],
            n,
        )
        if row.first is not None and row.last is not None and row.last < row.first:
            raise InputError("last_year before first_year", path=path, line=n)
        for other in out.get(row.source_id, []):
            lo = max(row.first or 0, other.first or 0)
            hi = min(row.last or 9999, other.last or 9999)
            if lo <= hi:
                raise InputError(f"{row.source_id}: years overlap with line {other.line}", path=path, line=n)
        out.setdefault(row.source_id, []).append(row)
    return out


def load_bodies(path: Path) -> dict[str, tuple[str, int]]:
    """The body crosswalk: body code -> (curated IRI, line)."""
    out: dict[str, tuple[str, int]] = {}
    for n, r in _rows(path, BODY_COLUMNS):
        if not r["body_id"] or not r["curated"].startswith("lat-id:") or not r["basis"]:
            raise InputError("a body row needs body_id, a lat-id: curated name and its basis", path=path, line=n)
        if r["body_id"] in out:
            raise InputError(f"body {r['body_id']} is listed twice", path=path, line=n)
        out[r["body_id"]] = (expand(r["curated"]), n)
    return out


class OrgResolver:
    """Which node stands for a data-set organization in a year; describes minted nodes once, with provenance."""

    def __init__(self, ctx, table: dict[str, list[OrgRow]], prefix: str, id_property: str):
        self.ctx = ctx
        self.table = table
        self.prefix = prefix  # lat-id:<prefix>/<code> for organizations matched nowhere
        self.id_property = id_property
        self.done: set[tuple[str, int | None]] = set()
        self.unlisted: set[str] = set()

    def node(self, code: str, title: str, year: int) -> str:
        """The N-Triples IRI of the organization CODE in YEAR."""
        row = next((r for r in self.table.get(code, []) if r.covers(year)), None)
        if row is None:
            self.unlisted.add(code)
        key = (code, row.line if row else None)
        target, kind = self._target(code, row)
        if key not in self.done:
            self.done.add(key)
            self._describe(target, kind, code, title, row)
        return target

    def _target(self, code: str, row: OrgRow | None) -> tuple[str, str]:
        cur = self.ctx.curated
        if row is not None and row.curated and cur.link and cur.defines(row.curated):
            return iri(row.curated), "curated"
        if row is not None and row.cow_ioname:
            linked = cur.entity("cowIgoCode", row.cow_ioname)
            if linked:
                return iri(linked), "curated"
            return id_iri(f"cow-igo/{row.cow_ionum}"), "cow"
        suffix = f"--{row.first}" if row is not None and row.first is not None else ""
        return id_iri(f"{self.prefix}/{slug(code)}{suffix}"), "minted"

    def _describe(self, node: str, kind: str, code: str, title: str, row: OrgRow | None) -> None:
        out, ctx = self.ctx.out, self.ctx
        ctx.stats.add(f"organizations ({kind})")
        out.add(node, lat(self.id_property), literal(code))
        if kind == "curated":
            return
        out.add(node, A, lat("IntergovernmentalOrganization" if kind == "cow" else "InternationalOrganization"))
        out.add(node, LABEL, literal(title or code, lang="en"))
        if kind == "cow" and row is not None:
            out.add(node, lat("cowIgoCode"), literal(row.cow_ioname))
        out.add(node, SOURCE, ctx.src)


def decimal_literal(text: str) -> str | None:
    """An xsd:decimal literal for a published number ('0.19', '1', '1e-3'); None when it is not a finite number."""
    t = text.strip()
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    if "e" in t.lower() or t.startswith(("+", ".")):
        t = format(d, "f")
    return literal(t, XSD + "decimal")


def decimal_cells(row: list, columns) -> tuple[list, str | None]:
    """The non-empty cells of ROW at COLUMNS ((index, property, column name) each) as (property, xsd:decimal
    literal, text), and the first cell that is not a number, described (None when all are numbers)."""
    values: list[tuple[str, str, str]] = []
    for i, prop, column in columns:
        text = row[i].strip()
        if not text:
            continue
        lit = decimal_literal(text)
        if lit is None:
            return values, f"{column} {text!r} is not a number"
        values.append((prop, lit, text))
    return values, None


def integer_literal(text: str) -> str | None:
    """An xsd:integer literal for '0', '1' or '1.0'; None otherwise."""
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not d.is_finite() or d != d.to_integral_value():
        return None
    return literal(str(int(d)), XSD + "integer")
