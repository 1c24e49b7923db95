"""Import MIGO (Roger & Rowan): state-year memberships of informal bodies, turned into membership spells."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.importers import (
    ALT_LABEL,
    COMMENT,
    LABEL,
    SOURCE,
    A,
    CsvSource,
    DatasetInfo,
    Spell,
    id_iri,
    iri,
    lat,
    literal,
    parse_year,
    scan_column_max,
    slug,
)
from kg.importers.states import era_note, membership_node, seat_links, seat_note
from kg.namespaces import LAT_ID

DATASET = "MIGO"
PROV_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"


@dataclass(frozen=True)
class BodySplit:
    """A MIGO code under which the data set records two bodies: the rows of MARKER belong to the other body,
    and so do the other states' rows in the years MARKER is recorded (docs/data.md, "G-7 and G-8")."""

    marker: str  # ISO3 of the state whose rows belong to the other body
    target: str  # the other body's curated IRI
    label: str
    alt_labels: tuple[str, ...]
    slug: str  # body part of the membership record IRIs


# MIGO records the G-8 (the G-7 with the Russian Federation) under its G7 code.
SPLITS = {
    "G7": BodySplit("RUS", f"{LAT_ID}g8", "G-8", ("Group of Eight", "G8"), "G7-G8"),
}

REQUIRED = ["igoID", "stateID", "membership", "Year"]
# Membership codes, read as in the COW IGO convention (the MIGO file carries no legend of its own).
STATUS = {"1": "FullMember", "2": "AssociateMember", "3": "ObserverMember", "0": None}


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register(
        "migo-memberships", description=f"Imported by `kg import migo` from {Path(args.file).name}."
    )


def inputs(args) -> list[Path]:
    return [Path(args.file)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="MIGO state-year memberships of informal bodies (BCBS, IOSCO, FSB, FATF, G7, G20 ...)",
        description="Import memberships_MIGO.csv (columns igoID, stateID, StateName, membership, Year, Begin, "
        "End, cowID, active). Membership spells are derived from consecutive Year rows of the same "
        "body, state and status; the Begin/End columns are the state's first and last year in the "
        "whole data set, not membership dates, and are ignored. A spell reaching the file's last "
        "year has no end date. The Russian Federation's rows under G7 are G-8 membership, and so "
        "are the other states' rows in the years it is recorded; RUS rows before 1992 are the "
        "Soviet Union's (docs/data.md).",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="memberships_MIGO.csv")
    return p


class _Body:
    def __init__(self, igo_id: str, node: str):
        self.igo_id = igo_id
        self.node = node
        self.slug = f"migo-{slug(igo_id)}"
        self.spells: dict[str, Spell] = {}
        self.last_seen: dict[str, tuple[int, str | None]] = {}
        self.refs: dict = {}
        self.emitted: list[tuple[str, int, int]] = []  # (ISO3, first year, last year) of every spell
        self.split: BodySplit | None = SPLITS.get(igo_id)
        self.history: dict[str, list[tuple[int, str | None]]] = {}  # kept only for a split body


def convert(args, ctx) -> None:
    path = Path(args.file)
    final_year = scan_column_max(path, "Year")
    src = CsvSource(path, ctx.rejects, REQUIRED, desc="MIGO", progress=getattr(ctx, "progress", None))
    h = src.index
    i_igo, i_state, i_status, i_year = h["igoID"], h["stateID"], h["membership"], h["Year"]
    i_cow = h.get("cowID")
    i_name = h.get("StateName")
    done: set[str] = set()
    body: _Body | None = None
    split_nodes: dict[str, str] = {}

    def emit(b: _Body, iso3: str, spell: Spell) -> None:
        end = None if final_year is not None and spell.last >= final_year else spell.last
        ctx.membership(
            b.refs[iso3],
            b.node,
            b.slug,
            spell.status,
            spell.start,
            end,
            era_note(iso3, spell.start, DATASET, "its stateID " + ctx.states.era_code(iso3)),
        )
        b.emitted.append((iso3, spell.start, spell.last))

    def flush(b: _Body) -> None:
        for iso3, spell in sorted(b.spells.items()):
            emit(b, iso3, spell)
        _link_seats(ctx, b.node, b.slug, b.emitted)
        if b.split is not None:
            if b.split.target not in split_nodes:
                split_nodes[b.split.target] = _split_node(ctx, b.split)
            _emit_split(ctx, b, split_nodes[b.split.target], final_year)
        done.add(b.igo_id)

    for line, row in src:
        igo_id = row[i_igo].strip()
        if not igo_id:
            ctx.rejects.add(line, "empty igoID", "empty igoID")
            continue
        year = parse_year(row[i_year])
        if year is None:
            ctx.rejects.add(line, f"Year {row[i_year]!r} is not a year", "non-numeric year")
            continue
        code = row[i_status].strip()
        code = code.removesuffix(".0")
        if code not in STATUS:
            ctx.rejects.add(line, f"membership {row[i_status]!r} is not one of 0, 1, 2, 3", "bad membership code")
            continue
        status = STATUS[code]
        raw_state = row[i_state].strip()
        cow = row[i_cow].strip() if i_cow is not None else None
        name = row[i_name].strip() if i_name is not None else ""
        ref = ctx.states.from_code(raw_state, cow, name=name)
        if ref is not None and ctx.states.has_eras(ref.iso3):
            ref = ctx.states.in_year(ref, year)
        if ref is None:
            shown = raw_state or f"(empty; cowID {cow or 'empty'})"
            ctx.rejects.add(
                line,
                f"unknown state code {shown}" + (f" ({name})" if name else "") + ": no ISO 3166 code",
                "unknown state code",
            )
            continue
        if body is None or igo_id != body.igo_id:
            if igo_id in done:
                ctx.rejects.add(
                    line,
                    f"rows of {igo_id} are not contiguous (the file must be grouped by igoID)",
                    "body rows not contiguous",
                )
                continue
            if body is not None:
                flush(body)
            body = _Body(igo_id, _body_node(ctx, igo_id))
        b = body
        iso3 = ref.iso3
        b.refs[iso3] = ref
        seen = b.last_seen.get(iso3)
        if seen is not None:
            if year < seen[0]:
                ctx.rejects.add(line, f"Year {year} for {iso3} in {igo_id} comes after {seen[0]}", "year out of order")
                continue
            if year == seen[0]:
                if seen[1] != status:
                    ctx.rejects.add(
                        line, f"two different membership codes for {iso3} in {igo_id} in {year}", "conflicting rows"
                    )
                else:
                    ctx.stats.add("duplicate rows (ignored)")
                continue
        b.last_seen[iso3] = (year, status)
        if b.split is not None:
            b.history.setdefault(iso3, []).append((year, status))
            if iso3 == b.split.marker:
                ctx.stats.add("rows")
                continue
        spell = b.spells.get(iso3)
        if spell is not None and status == spell.status and year == spell.last + 1:
            spell.last = year
        else:
            if spell is not None:
                emit(b, iso3, spell)
                del b.spells[iso3]
            if status is not None:
                b.spells[iso3] = Spell(status, year, year)
        ctx.stats.add("rows")
    if body is not None:
        flush(body)


def _runs(years: list[tuple[int, str]]) -> list[Spell]:
    """Runs of consecutive years with one status (YEARS sorted by year)."""
    out: list[Spell] = []
    for year, status in years:
        if out and out[-1].status == status and out[-1].last == year - 1:
            out[-1].last = year
        else:
            out.append(Spell(status, year, year))
    return out


def _link_seats(ctx, node: str, body_slug: str, emitted) -> None:
    """lat:continuesSeatOf between the records of one body that continue a seat (states.seat_links)."""
    for (succ, start), (pred, pred_start) in seat_links(emitted):
        rec = membership_node(succ, body_slug, start)
        ctx.out.add(rec, lat("continuesSeatOf"), membership_node(pred, body_slug, pred_start))
        ctx.out.add(rec, COMMENT, literal(seat_note(DATASET), lang="en"))
        ctx.stats.add("seat continuations")


def _split_node(ctx, split: BodySplit) -> str:
    """The other body of a split code: the curated entity when the curated graph describes it, else minted."""
    if ctx.curated.link and ctx.curated.defines(split.target):
        return iri(split.target)
    node = id_iri(f"migo/{split.slug}")
    ctx.out.add(node, A, lat("GovernmentNetwork"))
    ctx.out.add(node, LABEL, literal(split.label, lang="en"))
    for alt in split.alt_labels:
        ctx.out.add(node, ALT_LABEL, literal(alt))
    ctx.out.add(node, SOURCE, ctx.src)
    return node


def _emit_split(ctx, b: _Body, node: str, final_year: int | None) -> None:
    """Membership spells in the other body of a split code: the marker state's rows, and each other state's
    rows in the years the marker is recorded (each such record names the rows' records it comes from)."""
    split = b.split
    assert split is not None  # convert calls this only for a body with a split
    marker_years = {y for y, st in b.history.get(split.marker, ()) if st is not None}
    marker_runs = _runs([(y, st) for y, st in b.history.get(split.marker, ()) if st is not None])
    body_slug = f"migo-{split.slug}"
    for iso3 in sorted(b.history):
        years = [(y, st) for y, st in b.history[iso3] if st is not None and y in marker_years]
        for spell in _runs(years):
            end = None if final_year is not None and spell.last >= final_year else spell.last
            if iso3 == split.marker:
                note = (
                    f"MIGO records this state under its {b.igo_id} code; the project reads these rows as "
                    f"membership of the {split.label}, never of the body the code names."
                )
            else:
                note = (
                    f"The years in which MIGO records both this state and {split.marker} under its "
                    f"{b.igo_id} code, read as membership of the {split.label} (derived by the importer "
                    "from the linked records)."
                )
            ctx.membership(b.refs[iso3], node, body_slug, spell.status, spell.start, end, note)
            ctx.stats.add(f"{split.label} memberships")
            if iso3 == split.marker:
                continue
            rec = membership_node(iso3, body_slug, spell.start)
            for own, first, last in b.emitted:
                if own == iso3 and first <= spell.last and last >= spell.start:
                    ctx.out.add(rec, PROV_DERIVED, membership_node(iso3, b.slug, first))
            for m in marker_runs:
                if m.start <= spell.last and m.last >= spell.start:
                    ctx.out.add(rec, PROV_DERIVED, membership_node(split.marker, body_slug, m.start))


def _body_node(ctx, igo_id: str) -> str:
    linked = ctx.curated.entity("migoId", igo_id)
    ctx.stats.add("bodies")
    if linked:
        ctx.stats.add("bodies linked to curated")
        return iri(linked)
    node = id_iri(f"migo/{slug(igo_id)}")
    ctx.out.add(node, A, lat("GovernmentNetwork"))
    ctx.out.add(node, LABEL, literal(igo_id, lang="en"))
    ctx.out.add(node, lat("migoId"), literal(igo_id))
    ctx.out.add(node, SOURCE, ctx.src)
    return node
