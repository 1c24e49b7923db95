"""Import GGO treaty data (manytreaties): treaties and each state's signature, ratification, entry into force, exit."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from kg.importers import (
    ALT_LABEL,
    COMMENT,
    LABEL,
    SOURCE,
    XSD,
    A,
    CsvSource,
    DatasetInfo,
    id_iri,
    iri,
    lat,
    literal,
    slug,
)

PARTY_COLUMNS = ["stateID", "treatyID", "Title", "StateSignature", "StateRatification", "StateForce", "StateEnd"]
AGREEMENT_COLUMNS = ["treatyID", "Title"]
OPEN_ENDED = "9999-12-31"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(\?)?$")
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
# (column, property, which end of a coarse period stands for the date)
DATE_FIELDS = [
    ("StateSignature", "signatureDate", "start"),
    ("StateRatification", "ratificationDate", "start"),
    ("StateForce", "entryIntoForceDate", "start"),
    ("StateEnd", "exitDate", "end"),
]


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register(
        "ggo-treaties",
        description=f"Imported by `kg import treaties` from {Path(args.parties).name} and "
        f"{Path(args.agreements).name}.",
    )


def inputs(args) -> list[Path]:
    return [Path(args.parties), Path(args.agreements)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="GGO treaty parties (manytreaties): signature, ratification, entry into force, exit per state",
        description="Import parties_GGO.csv and agreements_GGO.csv: one lat:Treaty per treatyID and one "
        "lat:TreatyParticipation per party row, with the state's signature, ratification, entry "
        "into force and exit dates. 9999-12-31 (open-ended) is omitted; year- or month-only "
        "dates take the first day of the period (the last day for exits) and set "
        "lat:temporalPrecision. Parties that are not states (the EU, IOs) are rejected.",
    )
    p.add_argument("parties", type=Path, metavar="PARTIES", help="parties_GGO.csv")
    p.add_argument("agreements", type=Path, metavar="AGREEMENTS", help="agreements_GGO.csv")
    return p


class _Date:
    __slots__ = ("hi", "iso", "lo", "precision", "uncertain")

    def __init__(self, iso, precision, uncertain, lo, hi):
        self.iso, self.precision, self.uncertain, self.lo, self.hi = iso, precision, uncertain, lo, hi


def parse_date(text: str, end: bool) -> _Date | str | None:
    """A GGO date: None when empty or open-ended; an error string when malformed."""
    import calendar
    import datetime as dt

    text = text.strip()
    if not text or text == OPEN_ENDED:
        return None
    m = _DATE.match(text)
    if not m:
        return f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    y, mo, d, q = int(m.group(1)), m.group(2), m.group(3), bool(m.group(4))
    try:
        if d:
            lo = hi = dt.date(y, int(mo), int(d))
            precision = "day"
        elif mo:
            lo = dt.date(y, int(mo), 1)
            hi = dt.date(y, int(mo), calendar.monthrange(y, int(mo))[1])
            precision = "month"
        else:
            lo, hi = dt.date(y, 1, 1), dt.date(y, 12, 31)
            precision = "year"
    except ValueError:
        return f"{text!r} is not a calendar date"
    chosen = hi if end else lo
    return _Date(chosen.isoformat(), precision, q, lo, hi)


class _Treaties:
    """Treaty nodes written so far (one per treatyID, with every distinct title)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.nodes: dict[str, str] = {}
        self.titles: dict[str, set[str]] = {}

    def node(self, treaty_id: str, title: str, from_parties: bool = False) -> str:
        ctx = self.ctx
        node = self.nodes.get(treaty_id)
        if node is None:
            linked = ctx.curated.entity("ggoTreatyId", treaty_id)
            ctx.stats.add("treaties")
            if linked:
                node = iri(linked)
                ctx.stats.add("treaties linked to curated")
                self.titles[treaty_id] = None  # the curated graph names it
            else:
                node = id_iri(f"treaty/{slug(treaty_id)}")
                ctx.out.add(node, A, lat("Treaty"))
                ctx.out.add(node, lat("ggoTreatyId"), literal(treaty_id))
                ctx.out.add(node, SOURCE, ctx.src)
                if title:
                    ctx.out.add(node, LABEL, literal(title, lang="en"))
                self.titles[treaty_id] = {title}
                if from_parties:
                    ctx.stats.add("treaties known only from parties")
            self.nodes[treaty_id] = node
        else:
            names = self.titles.get(treaty_id)
            if names is not None and title and title not in names:
                names.add(title)
                ctx.out.add(node, ALT_LABEL, literal(title, lang="en"))
        return node


def convert(args, ctx) -> None:
    progress = getattr(ctx, "progress", None)
    treaties = _Treaties(ctx)
    agreements = CsvSource(
        Path(args.agreements), ctx.rejects, AGREEMENT_COLUMNS, desc="GGO agreements", progress=progress
    )
    ai, at = agreements.index["treatyID"], agreements.index["Title"]
    for line, row in agreements:
        treaty_id = row[ai].strip()
        if not treaty_id:
            agreements.reject(line, "empty treatyID", "empty treatyID")
            continue
        treaties.node(treaty_id, row[at].strip())

    parties = CsvSource(Path(args.parties), ctx.rejects, PARTY_COLUMNS, desc="GGO parties", progress=progress)
    h = parties.index
    i_state, i_treaty, i_title = h["stateID"], h["treatyID"], h["Title"]
    fields = [(h[col], prop, which == "end", col) for col, prop, which in DATE_FIELDS]
    for line, row in parties:
        treaty_id = row[i_treaty].strip()
        if not treaty_id:
            parties.reject(line, "empty treatyID", "empty treatyID")
            continue
        code = row[i_state].strip()
        ref = ctx.states.from_code(code)
        if ref is None:
            parties.reject(line, f"party {code!r} is not a state with an ISO 3166 code", "party not a state")
            continue
        dates = []
        error = None
        for i, prop, is_end, col in fields:
            value = parse_date(row[i], is_end)
            if isinstance(value, str):
                error = f"{col}: {value}"
                break
            if value is not None:
                dates.append((prop, value, col))
        if error:
            parties.reject(line, error, "malformed date")
            continue
        notes = []
        exit_ = next((d for p, d, _ in dates if p == "exitDate"), None)
        if exit_ is not None:
            later = [(c, d) for p, d, c in dates if p != "exitDate" and d.lo > exit_.hi]
            if later:
                # An exit before the state's own signature, ratification or entry into force (GGO often
                # repeats the treaty's end date there) cannot be the state's: left out, and said so.
                col, d = later[0]
                dates = [t for t in dates if t[0] != "exitDate"]
                notes.append(
                    f"The data set gives StateEnd {row[h['StateEnd']].strip()}, before {col} "
                    f"{row[h[col]].strip()}; that exit date is left out."
                )
                ctx.stats.add("exit dates before joining (left out)")
        title = row[i_title].strip()
        treaty = treaties.node(treaty_id, title, from_parties=True)
        key = "|".join([title] + [row[i] for i, *_ in fields])
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        rec = id_iri(f"participation/{ref.iso3}--{slug(treaty_id)}--{digest}")
        out = ctx.out
        out.add(rec, A, lat("TreatyParticipation"))
        out.add(rec, lat("party"), ctx.state(ref))
        out.add(rec, lat("treaty"), treaty)
        for prop, d, _ in dates:
            out.add(rec, lat(prop), literal(d.iso, XSD + "date"))
        if dates:
            coarsest = max((d.precision for _, d, _ in dates), key=_PRECISION_RANK.__getitem__)
            out.add(rec, lat("temporalPrecision"), literal(coarsest))
        uncertain = [c for _, d, c in dates if d.uncertain]
        if uncertain:
            notes.append(f"The data set marks {', '.join(uncertain)} as uncertain.")
            ctx.stats.add("participations with uncertain dates")
        if notes:
            out.add(rec, COMMENT, literal(" ".join(notes), lang="en"))
        out.add(rec, SOURCE, ctx.src)
        ctx.stats.add("participations")
