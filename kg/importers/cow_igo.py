"""Import the Correlates of War IGO data (v3, IGO-year format): organizations and state membership spells."""

from __future__ import annotations

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
    date,
    id_iri,
    iri,
    lat,
    literal,
    parse_year,
    scan_column_max,
)
from kg.importers.states import ERAS, era_note, membership_node, seat_links, seat_note

DATASET = "the Correlates of War IGO data"

REQUIRED = ["ioname", "orgname", "year", "ionum", "sdate", "deaddate"]
STATUS = {1: "FullMember", 2: "AssociateMember", 3: "ObserverMember"}
RANK = {"FullMember": 3, "AssociateMember": 2, "ObserverMember": 1}
MISSING = -9

# Cell texts seen in the file, decoded once.
_CELL = {
    "": None,
    "0": 0,
    "0.0": 0,
    "1": 1,
    "1.0": 1,
    "2": 2,
    "2.0": 2,
    "3": 3,
    "3.0": 3,
    "-9": MISSING,
    "-9.0": MISSING,
}

# Corrections of documented coding errors: (ioname, state column, first year, coded value, corrected value, note).
ERRATA = [
    (
        "WTO",
        "algeria",
        2000,
        1,
        3,
        (
            "COW v3 codes Algeria a full WTO member from 2000; Algeria is a WTO observer negotiating accession "
            "(WTO, Members and Observers, https://www.wto.org/english/thewto_e/whatis_e/tif_e/org6_e.htm), "
            "so observer status is recorded."
        ),
    ),
]


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register(
        "cow-igo-v3", description=f"Imported by `kg import cow-igo` from {Path(args.file).name}."
    )


def inputs(args) -> list[Path]:
    return [Path(args.file)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="Correlates of War IGO v3 (IGO-year CSV): organizations and membership spells",
        description="Import the COW IGO v3 IGO-year file (e.g. igo_year_format3.csv): one organization per "
        "ionum, one membership record per run of consecutive years in which a state has the "
        "same status (1 full, 2 associate, 3 observer). 0 ends a spell; -9 (missing, or state "
        "not in the system) and empty cells end it too. A spell still running in the file's "
        "last year, in an organization that has not ended, has no end date. The `russia` column "
        "is the Soviet Union in 1922-1991 and the `china` column the Republic of China before 1949; "
        "a successor's record that takes over a seat is linked by lat:continuesSeatOf (docs/data.md).",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the IGO-year CSV file")
    return p


class _Org:
    """The organization whose block of rows is being read."""

    def __init__(self, ioname, ionum, label, short, sdate, deaddate, body, line):
        self.ioname = ioname
        self.ionum = ionum
        self.label = label
        self.short = short
        self.sdate = sdate
        self.deaddate = deaddate
        self.body = body
        self.line = line
        self.last_year: int | None = None
        self.spells: dict[str, Spell] = {}
        self.terminations: list[tuple[str, int]] = []
        self.minted = False
        self.emitted: list[tuple[str, int, int]] = []  # (ISO3, first year, last year) of every spell


def convert(args, ctx) -> None:
    path = Path(args.file)
    final_year = scan_column_max(path, "year")
    src = CsvSource(path, ctx.rejects, REQUIRED, desc="COW IGO", progress=getattr(ctx, "progress", None))
    h = src.index
    i_ioname, i_orgname, i_year, i_ionum = h["ioname"], h["orgname"], h["year"], h["ionum"]
    i_sdate, i_deaddate = h["sdate"], h["deaddate"]
    i_long = h.get("longorgname")
    flags = [(h[c], c) for c in ("dead", "integrated", "replaced") if c in h]

    # State columns: those between `year` and `sdate` in the publisher's layout, else every known state column.
    if i_year < i_sdate:
        candidates = list(range(i_year + 1, i_sdate))
    else:
        candidates = [i for i, c in enumerate(src.header) if ctx.states.known_cow_column(c)]
    columns: list[tuple[int, str, object]] = []  # (index, column, StateRef)
    era_columns: set[int] = set()  # columns whose state is read through ERAS in some years
    refs = {}
    column_of: dict[str, str] = {}  # ISO3 -> the column it is coded under (for era notes)
    for i in candidates:
        name = src.header[i]
        if not ctx.states.known_cow_column(name):
            ctx.rejects.add(
                1, f"column {name!r} is not a COW state column; its values are ignored", "unknown state column"
            )
            continue
        ref = ctx.states.from_cow_column(name)
        if ref is None:
            ctx.stats.add("state columns without ISO code (skipped)")
            continue
        columns.append((i, name.strip().lower(), ref))
        if ctx.states.has_eras(ref.iso3):
            era_columns.add(i)
        refs[ref.iso3] = ref
        column_of.setdefault(ref.iso3, name.strip().lower())
    for era in ERAS:
        if era.code in column_of:
            column_of[era.holder] = column_of[era.code]
    errata = {(e[0], e[1]): e for e in ERRATA}

    done: set[str] = set()
    current: _Org | None = None

    def flush(o: _Org) -> None:
        for iso3, spell in sorted(o.spells.items()):
            _emit_spell(ctx, o, refs[iso3], spell, final_year, column_of)
        o.spells.clear()
        for (succ, start), (pred, pred_start) in seat_links(o.emitted):
            node = membership_node(succ, f"cow-igo-{o.ionum}", start)
            ctx.out.add(node, lat("continuesSeatOf"), membership_node(pred, f"cow-igo-{o.ionum}", pred_start))
            ctx.out.add(node, COMMENT, literal(seat_note(DATASET), lang="en"))
            ctx.stats.add("seat continuations")
        if o.terminations and o.minted:
            kinds = ", ".join(f"{kind} in {year}" for kind, year in o.terminations)
            ctx.out.add(
                o.body,
                COMMENT,
                literal(
                    f"Correlates of War codes this organization as terminated ({kinds}); "
                    "the data set does not name a successor.",
                    lang="en",
                ),
            )
        done.add(o.ioname)

    for line, row in src:
        ioname = row[i_ioname].strip()
        year = parse_year(row[i_year])
        if not ioname:
            ctx.rejects.add(line, "empty ioname", "empty ioname")
            continue
        if year is None:
            ctx.rejects.add(line, f"year {row[i_year]!r} is not a year", "non-numeric year")
            continue
        if current is None or ioname != current.ioname:
            if ioname in done:
                ctx.rejects.add(
                    line,
                    f"rows of {ioname} are not contiguous (the file must be grouped by IGO)",
                    "IGO rows not contiguous",
                )
                continue
            ionum = parse_ionum(row[i_ionum])
            if ionum is None:
                ctx.rejects.add(line, f"ionum {row[i_ionum]!r} is not a number", "non-numeric ionum")
                continue
            sdate = parse_year(row[i_sdate])
            deaddate = parse_year(row[i_deaddate]) if row[i_deaddate].strip() else None
            if sdate is None:
                ctx.rejects.add(line, f"sdate {row[i_sdate]!r} is not a year", "non-numeric year")
                continue
            if row[i_deaddate].strip() and deaddate is None:
                ctx.rejects.add(line, f"deaddate {row[i_deaddate]!r} is not a year", "non-numeric year")
                continue
            if deaddate is not None and deaddate < sdate:
                ctx.rejects.add(line, f"deaddate {deaddate} before sdate {sdate}", "dissolution before founding")
                continue
            if current is not None:
                flush(current)
            long_name = (row[i_long].strip() if i_long is not None else "") or row[i_orgname].strip() or ioname
            current = _start_org(ctx, ioname, ionum, long_name, row[i_orgname].strip(), sdate, deaddate, line)
        o = current
        if o.last_year is not None and year <= o.last_year:
            ctx.rejects.add(line, f"year {year} of {ioname} does not follow {o.last_year}", "year out of order")
            continue

        # Decode every state cell first: a bad cell rejects the whole row.
        members: dict[str, tuple[str, str | None]] = {}
        bad = None
        for i, column, ref in columns:
            text = row[i].strip()
            code = _CELL.get(text, "?")
            if code == "?":
                code = _parse_code(text)
                if code is None:
                    bad = f"column {column!r}: {text!r} is not one of 0, 1, 2, 3, -9"
                    break
            if code is None or code == 0:
                continue
            if code == MISSING:
                ctx.stats.add("missing (-9) cells")
                continue
            comment = None
            fix = errata.get((ioname, column))
            if fix and year >= fix[2] and code == fix[3]:
                code, comment = fix[4], fix[5]
                ctx.stats.add("errata applied")
            status = STATUS[code]
            if i in era_columns:
                ref = ctx.states.in_year(ref, year)
                refs.setdefault(ref.iso3, ref)
            prev = members.get(ref.iso3)
            if prev is None or RANK[status] > RANK[prev[0]]:
                members[ref.iso3] = (status, comment)
        if bad:
            ctx.rejects.add(line, bad, "bad membership code")
            continue
        for c, name in flags:
            if row[c].strip() in ("1", "1.0"):
                o.terminations.append((name, year))
        # Close spells that do not continue into this year, extend or open the others.
        for iso3 in list(o.spells):
            spell = o.spells[iso3]
            now = members.get(iso3)
            if now is None or now[0] != spell.status or spell.last != year - 1:
                _emit_spell(ctx, o, refs[iso3], spell, final_year, column_of)
                del o.spells[iso3]
        for iso3, (status, comment) in members.items():
            spell = o.spells.get(iso3)
            if spell is not None:
                spell.last = year
            else:
                o.spells[iso3] = Spell(status, year, year, comment)
        o.last_year = year
        ctx.stats.add("rows")
    if current is not None:
        flush(current)


def parse_ionum(text: str) -> int | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    if value != int(value) or value < 0:
        return None
    return int(value)


def _parse_code(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value != int(value) or int(value) not in (0, 1, 2, 3, MISSING):
        return None
    return int(value)


def _start_org(ctx, ioname, ionum, label, short, sdate, deaddate, line) -> _Org:
    linked = ctx.curated.entity("cowIgoCode", ioname)
    if linked:
        body = iri(linked)
        ctx.stats.add("organizations linked to curated")
    else:
        body = id_iri(f"cow-igo/{ionum}")
        out = ctx.out
        out.add(body, A, lat("IntergovernmentalOrganization"))
        out.add(body, LABEL, literal(label, lang="en"))
        if short and short != label:
            out.add(body, ALT_LABEL, literal(short, lang="en"))
        out.add(body, lat("cowIgoCode"), literal(ioname))
        out.add(body, lat("foundingDate"), date(sdate, 1, 1))
        if deaddate is not None:
            out.add(body, lat("dissolutionDate"), date(deaddate, 12, 31))
        out.add(body, lat("temporalPrecision"), literal("year"))
        out.add(body, SOURCE, ctx.src)
    ctx.stats.add("organizations")
    o = _Org(ioname, ionum, label, short, sdate, deaddate, body, line)
    o.minted = not linked
    return o


def _emit_spell(ctx, o: _Org, ref, spell: Spell, final_year: int | None, column_of: dict) -> None:
    open_ended = o.deaddate is None and final_year is not None and spell.last >= final_year
    note = era_note(ref.iso3, spell.start, DATASET, f"its `{column_of.get(ref.iso3, ref.iso3)}` column")
    comment = " ".join(c for c in (spell.comment, note) if c) or None
    ctx.membership(
        ref, o.body, f"cow-igo-{o.ionum}", spell.status, spell.start, None if open_ended else spell.last, comment
    )
    o.emitted.append((ref.iso3, spell.start, spell.last))
