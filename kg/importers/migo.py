"""Import MIGO (Roger & Rowan): state-year memberships of informal bodies, turned into membership spells."""

from __future__ import annotations

from pathlib import Path

from kg.importers import (
    A, LABEL, SOURCE, CsvSource, DatasetInfo, Spell, id_iri, iri, lat, literal, parse_year, scan_column_max,
    slug,
)

REQUIRED = ["igoID", "stateID", "membership", "Year"]
# Membership codes, read as in the COW IGO convention (the MIGO file carries no legend of its own).
STATUS = {"1": "FullMember", "2": "AssociateMember", "3": "ObserverMember", "0": None}


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register(
        "migo-memberships", description=f"Imported by `kg import migo` from {Path(args.file).name}.")


def inputs(args) -> list[Path]:
    return [Path(args.file)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name, parents=[common],
        help="MIGO state-year memberships of informal bodies (BCBS, IOSCO, FSB, FATF, G7, G20 ...)",
        description="Import memberships_MIGO.csv (columns igoID, stateID, StateName, membership, Year, Begin, "
                    "End, cowID, active). Membership spells are derived from consecutive Year rows of the same "
                    "body, state and status; the Begin/End columns are the state's first and last year in the "
                    "whole data set, not membership dates, and are ignored. A spell reaching the file's last "
                    "year has no end date.")
    p.add_argument("file", type=Path, metavar="FILE", help="memberships_MIGO.csv")
    return p


class _Body:
    def __init__(self, igo_id: str, node: str):
        self.igo_id = igo_id
        self.node = node
        self.spells: dict[str, Spell] = {}
        self.last_seen: dict[str, tuple[int, str | None]] = {}
        self.refs: dict = {}


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

    def emit(b: _Body, iso3: str, spell: Spell) -> None:
        end = None if final_year is not None and spell.last >= final_year else spell.last
        ctx.membership(b.refs[iso3], b.node, f"migo-{slug(b.igo_id)}", spell.status, spell.start, end)

    def flush(b: _Body) -> None:
        for iso3, spell in sorted(b.spells.items()):
            emit(b, iso3, spell)
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
        if code.endswith(".0"):
            code = code[:-2]
        if code not in STATUS:
            ctx.rejects.add(line, f"membership {row[i_status]!r} is not one of 0, 1, 2, 3", "bad membership code")
            continue
        status = STATUS[code]
        raw_state = row[i_state].strip()
        cow = row[i_cow].strip() if i_cow is not None else None
        name = row[i_name].strip() if i_name is not None else ""
        ref = ctx.states.from_code(raw_state, cow, name=name)
        if ref is None:
            shown = raw_state or f"(empty; cowID {cow or 'empty'})"
            ctx.rejects.add(line, f"unknown state code {shown}" + (f" ({name})" if name else "")
                            + ": no ISO 3166 code", "unknown state code")
            continue
        if body is None or igo_id != body.igo_id:
            if igo_id in done:
                ctx.rejects.add(line, f"rows of {igo_id} are not contiguous (the file must be grouped by igoID)",
                                "body rows not contiguous")
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
                ctx.rejects.add(line, f"Year {year} for {iso3} in {igo_id} comes after {seen[0]}",
                                "year out of order")
                continue
            if year == seen[0]:
                if seen[1] != status:
                    ctx.rejects.add(line, f"two different membership codes for {iso3} in {igo_id} in {year}",
                                    "conflicting rows")
                else:
                    ctx.stats.add("duplicate rows (ignored)")
                continue
        b.last_seen[iso3] = (year, status)
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
