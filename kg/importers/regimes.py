"""Import a regime data set (BMR dichotomous democracy): one observation per state-year, and the spells they form."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.importers import (
    LABEL,
    SOURCE,
    XSD,
    A,
    CsvSource,
    DatasetInfo,
    date,
    id_iri,
    integer,
    lat,
    literal,
    parse_year,
    slug,
)
from kg.namespaces import PREFIXES

WAS_DERIVED_FROM = f"<{PREFIXES['prov']}wasDerivedFrom>"
TRUE = literal("true", XSD + "boolean")
FALSE = literal("false", XSD + "boolean")


@dataclass(frozen=True)
class Measure:
    """How to read one regime data set: the register key, its columns, the codes of its democracy column, and
    the crosswalk from its state codes to Lattice's states. Another data set (V-Dem, LIED) is another Measure."""

    key: str  # lat-id:dataset/<key> in kg/data/sources-datasets.ttl
    label: str  # short name in labels and messages
    unit: str  # column of the data set's state code
    name: str  # column of the data set's country name (checked against the crosswalk)
    year: str  # column of the year
    value: str  # column of the democracy coding
    codes: dict[str, bool | None]  # cell text -> democratic (None: listed but not coded)
    crosswalk: str  # file name under kg/data/crosswalks/

    def crosswalk_path(self) -> Path:
        from kg import paths

        return paths.CROSSWALKS_DIR / self.crosswalk


MEASURES = {
    "bmr": Measure(
        key="bmr-democracy-v4",
        label="BMR",
        unit="ccode",
        name="country",
        year="year",
        value="democracy",
        codes={"1": True, "1.0": True, "0": False, "0.0": False, "NA": None},
        crosswalk="bmr-ccode.csv",
    ),
}


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    measure = MEASURES[args.measure]
    crosswalk = Path(args.crosswalk) if args.crosswalk else measure.crosswalk_path()
    return DatasetInfo.from_register(
        measure.key,
        description=f"Imported by `kg import regimes` from {Path(args.file).name}; its state codes "
        f"mapped to Lattice's states through the crosswalk {crosswalk.name}.",
    )


def inputs(args) -> list[Path]:
    return [Path(args.file)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="regime data (Boix-Miller-Rosato dichotomous democracy v4.0): state-years and spells",
        description="Import a regime data set (default: the Boix-Miller-Rosato country-year file "
        "democracy-v4.0.csv). Each coded country-year becomes a lat:RegimeObservation of the Lattice "
        "state the crosswalk maps its code to, with lat:democratic true or false and the line it "
        "was read from; NA (listed but not independent) is not an observation. Maximal runs of "
        "consecutive years coded the same way become lat:DemocraticSpell and lat:NonDemocraticSpell "
        "records. Codes the crosswalk maps to no Lattice state are listed, not guessed.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the country-year CSV file (e.g. bmr-democracy-v4.0.csv)")
    p.add_argument("--measure", choices=sorted(MEASURES), default="bmr", help="which data set FILE is (default: bmr)")
    p.add_argument(
        "--crosswalk",
        type=Path,
        metavar="CSV",
        help="crosswalk from the data set's state codes to Lattice states "
        "(default: kg/data/crosswalks/<the measure's file>)",
    )
    return p


# --------------------------------------------------------------------------- crosswalk

CROSSWALK_COLUMNS = ["bmr_ccode", "bmr_country", "from_year", "to_year", "lattice_state", "cow_ccode", "note"]


@dataclass(frozen=True)
class CrosswalkRow:
    """One line of a crosswalk: a data set code (for some years) and the Lattice state it stands for."""

    unit: str
    names: tuple[str, ...]  # the country names the data set gives this code
    from_year: int | None
    to_year: int | None
    state: str | None  # ISO 3166-1 alpha-3 of the Lattice state; None: no Lattice state
    cow: int | None  # the Correlates of War code of that state-period, when it has one
    note: str
    line: int

    def covers(self, year: int) -> bool:
        return (self.from_year is None or year >= self.from_year) and (self.to_year is None or year <= self.to_year)


class Crosswalk:
    """A data set's state codes -> Lattice states (kg/data/crosswalks/*.csv), read and checked once."""

    def __init__(self, path: Path, rows: list[CrosswalkRow]):
        self.path = path
        self.rows = rows
        self.by_unit: dict[str, list[CrosswalkRow]] = {}
        for r in rows:
            self.by_unit.setdefault(r.unit, []).append(r)

    @classmethod
    def load(cls, path: Path, is_state_code=None) -> Crosswalk:
        """Read and check a crosswalk; a malformed one is an InputError at its file:line:col."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot read crosswalk: {exc.strerror or exc}", path=path) from None
        lines = text.splitlines()
        reader = csv.reader(lines)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError("empty crosswalk: no header row", path=path, line=1) from None
        missing = [c for c in CROSSWALK_COLUMNS if c not in header]
        if missing:
            raise InputError(f"not a crosswalk: missing column(s) {', '.join(missing)}", path=path, line=1)
        h = {c: header.index(c) for c in CROSSWALK_COLUMNS}
        rows: list[CrosswalkRow] = []

        def fail(line_no: int, column: str, cause: str):
            raw = lines[line_no - 1]
            col = _field_start(raw, h[column])
            raise InputError(cause, path=path, line=line_no, col=col)

        for fields in reader:
            line_no = reader.line_num
            if not fields or not "".join(fields).strip():
                continue
            if len(fields) != len(header):
                raise InputError(f"expected {len(header)} columns, found {len(fields)}", path=path, line=line_no)
            get = lambda c: fields[h[c]].strip()  # noqa: E731, B023 (used within this iteration only)
            unit = get("bmr_ccode")
            if not unit:
                fail(line_no, "bmr_ccode", "empty code")
            years = []
            for c in ("from_year", "to_year"):
                v = get(c)
                if v and parse_year(v) is None:
                    fail(line_no, c, f"{c} {v!r} is not a year")
                years.append(parse_year(v) if v else None)
            if years[0] is not None and years[1] is not None and years[1] < years[0]:
                fail(line_no, "to_year", f"to_year {years[1]} is before from_year {years[0]}")
            state = get("lattice_state") or None
            if state is not None and (is_state_code is not None and not is_state_code(state)):
                fail(line_no, "lattice_state", f"{state!r} is not an ISO 3166-1 alpha-3 code of a Lattice state")
            cow_text = get("cow_ccode")
            cow = None
            if cow_text:
                try:
                    cow = int(cow_text)
                except ValueError:
                    fail(line_no, "cow_ccode", f"cow_ccode {cow_text!r} is not a number")
            names = tuple(n.strip() for n in fields[h["bmr_country"]].split("|") if n.strip())
            row = CrosswalkRow(unit, names, years[0], years[1], state, cow, get("note"), line_no)
            for other in rows:
                if other.unit == unit and _overlap(other, row):
                    fail(line_no, "from_year", f"code {unit} is already mapped for these years (line {other.line})")
            rows.append(row)
        return cls(path, rows)

    def lookup(self, unit: str, year: int) -> CrosswalkRow | None:
        """The crosswalk row for a data set code in a year (None when no row covers it)."""
        for r in self.by_unit.get(unit, ()):
            if r.covers(year):
                return r
        return None


def _overlap(a: CrosswalkRow, b: CrosswalkRow) -> bool:
    lo = max(a.from_year if a.from_year is not None else -(10**6), b.from_year if b.from_year is not None else -(10**6))
    hi = min(a.to_year if a.to_year is not None else 10**6, b.to_year if b.to_year is not None else 10**6)
    return lo <= hi


def _field_start(raw: str, index: int) -> int:
    """The 1-based column where field INDEX of one CSV line begins."""
    current, quoted = 0, False
    i = 0
    while i < len(raw) and current < index:
        c = raw[i]
        if quoted:
            if c == '"':
                if i + 1 < len(raw) and raw[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif c == '"':
            quoted = True
        elif c == ",":
            current += 1
        i += 1
    return i + 1


# --------------------------------------------------------------------------- conversion


@dataclass
class _Unmatched:
    """Rows of one code (and name) that reach no Lattice state."""

    unit: str
    name: str
    reason: str
    first_year: int
    last_year: int
    rows: int = 0


@dataclass
class _Year:
    """What the data set says about one Lattice state in one year (several rows when codes merge)."""

    values: set = field(default_factory=set)
    observations: list = field(default_factory=list)  # (IRI, line)


def convert(args, ctx) -> None:
    measure = MEASURES[args.measure]
    crosswalk_path = Path(args.crosswalk) if args.crosswalk else measure.crosswalk_path()
    if args.crosswalk is not None and not crosswalk_path.is_file():
        raise InputError("no such file", path=crosswalk_path)
    crosswalk = Crosswalk.load(crosswalk_path, is_state_code=ctx.states.is_iso3)
    src = CsvSource(
        Path(args.file),
        ctx.rejects,
        [measure.unit, measure.name, measure.year, measure.value],
        desc=measure.label,
        progress=getattr(ctx, "progress", None),
    )
    h = src.index
    i_unit, i_name, i_year, i_value = h[measure.unit], h[measure.name], h[measure.year], h[measure.value]
    out = ctx.out
    key = measure.key
    refs: dict[str, object] = {}
    state_nodes: dict[str, str] = {}
    series: dict[str, dict[int, _Year]] = {}
    seen: dict[tuple[str, int], int] = {}
    unmatched: dict[tuple[str, str, str], _Unmatched] = {}
    first_year = last_year = None

    for line, row in src:
        unit = row[i_unit].strip()
        if not unit:
            src.reject(line, f"empty {measure.unit}", f"empty {measure.unit}", field=i_unit)
            continue
        year = parse_year(row[i_year])
        if year is None or row[i_year].strip() != str(year):
            src.reject(line, f"{measure.year} {row[i_year]!r} is not a year", "not a year", field=i_year)
            continue
        text = row[i_value].strip()
        if text not in measure.codes:
            allowed = ", ".join(sorted({k for k in measure.codes if "." not in k}))
            src.reject(
                line, f"{measure.value} {row[i_value]!r} is not one of {allowed}", "bad democracy code", field=i_value
            )
            continue
        if (unit, year) in seen:
            src.reject(
                line,
                f"a second row for {measure.unit} {unit} in {year} (the first is on line {seen[(unit, year)]})",
                "duplicate row",
                field=i_year,
            )
            continue
        seen[(unit, year)] = line
        first_year = year if first_year is None else min(first_year, year)
        last_year = year if last_year is None else max(last_year, year)
        ctx.stats.add("rows")
        value = measure.codes[text]
        if value is None:
            ctx.stats.add("rows not coded (NA)")
            continue
        name = row[i_name].strip()
        cw = crosswalk.lookup(unit, year)
        reason = None
        if cw is None:
            reason = f"no crosswalk row for {measure.unit} {unit} in {year}"
        elif name not in cw.names:
            reason = (
                f"named {name!r} in the data, but {' or '.join(repr(n) for n in cw.names)} in the crosswalk "
                f"(line {cw.line}): not mapped"
            )
        elif cw.state is None:
            reason = cw.note or "no Lattice state"
        if reason is not None:
            k = (unit, name, reason)
            u = unmatched.get(k)
            if u is None:
                u = unmatched[k] = _Unmatched(unit, name, reason, year, year)
            u.first_year, u.last_year = min(u.first_year, year), max(u.last_year, year)
            u.rows += 1
            ctx.stats.add("unmatched rows")
            continue
        iso3 = cw.state
        node = state_nodes.get(iso3)
        if node is None:
            ref = ctx.states.from_code(iso3)
            if ref is None:  # the crosswalk was checked against the same codes: cannot happen
                raise InputError(f"{iso3} is not a state code", path=crosswalk.path, line=cw.line)
            refs[iso3] = ref
            node = state_nodes[iso3] = ctx.state(ref)
        obs = id_iri(f"regime-observation/{key}/{slug(unit)}-{year}")
        out.add(obs, A, lat("RegimeObservation"))
        out.add(obs, lat("regimeState"), node)
        out.add(obs, lat("year"), integer(year))
        out.add(obs, lat("democratic"), TRUE if value else FALSE)
        out.add(obs, lat("sourceLine"), integer(line))
        out.add(obs, SOURCE, ctx.src)
        ctx.stats.add("observations")
        y = series.setdefault(iso3, {}).setdefault(year, _Year())
        y.values.add(value)
        y.observations.append((obs, line))

    conflicts = []
    for iso3 in sorted(series):
        conflicts += _spells(ctx, measure, refs[iso3], state_nodes[iso3], series[iso3], first_year, last_year)
    for iso3, year, lines in conflicts:
        print(
            f"warning: {Path(args.file)}:{lines[0]}: {iso3} {year} is coded both ways (lines "
            f"{', '.join(map(str, lines))}); the year is left out of {iso3}'s spells",
            file=sys.stderr,
        )
    _report_unmatched(unmatched, crosswalk, measure)


def _spells(ctx, measure: Measure, ref, node: str, years: dict[int, _Year], first_year: int, last_year: int):
    """Write the spells of one state: maximal runs of consecutive years with one value. Returns the conflicts."""
    conflicts = []
    value_of: dict[int, bool] = {}
    for year, y in years.items():
        if len(y.values) == 1:
            value_of[year] = next(iter(y.values))
        else:
            conflicts.append((ref.iso3, year, sorted(line for _, line in y.observations)))
            ctx.stats.add("state-years coded both ways (left out of spells)")
    run: list[int] = []
    for year in sorted(value_of):
        if run and (year != run[-1] + 1 or value_of[year] != value_of[run[-1]]):
            _spell(ctx, measure, ref, node, run, value_of, years, first_year, last_year)
            run = []
        run.append(year)
    if run:
        _spell(ctx, measure, ref, node, run, value_of, years, first_year, last_year)
    return conflicts


def _spell(ctx, measure, ref, node, run, value_of, years, first_year, last_year) -> None:
    out = ctx.out
    first, last = run[0], run[-1]
    value = value_of[first]
    before, after = value_of.get(first - 1), value_of.get(last + 1)
    right_censored = last == last_year
    spell = id_iri(f"regime-spell/{measure.key}/{ref.iso3}-{first}")
    kind = "DemocraticSpell" if value else "NonDemocraticSpell"
    out.add(spell, A, lat(kind))
    coded = "democratic" if value else "not democratic"
    until = f"{last} (the last year of the data)" if right_censored else f"{last}"
    out.add(
        spell,
        LABEL,
        literal(f"{_display_name(ctx, ref)}: {coded} {first}-{until}, according to {measure.label}", lang="en"),
    )
    out.add(spell, lat("regimeState"), node)
    out.add(spell, lat("firstYear"), integer(first))
    out.add(spell, lat("lastYear"), integer(last))
    out.add(spell, lat("startDate"), date(first, 1, 1))
    if not right_censored:
        out.add(spell, lat("endDate"), date(last, 12, 31))
    out.add(spell, lat("temporalPrecision"), literal("year"))
    out.add(spell, lat("startsWithChange"), TRUE if before is not None and before != value else FALSE)
    out.add(spell, lat("endsWithChange"), TRUE if after is not None and after != value else FALSE)
    out.add(spell, lat("leftCensored"), TRUE if first == first_year else FALSE)
    out.add(spell, lat("rightCensored"), TRUE if right_censored else FALSE)
    for year in run:
        for obs, _ in years[year].observations:
            out.add(spell, WAS_DERIVED_FROM, obs)
    out.add(spell, SOURCE, ctx.src)
    ctx.stats.add("democratic spells" if value else "non-democratic spells")


def _display_name(ctx, ref) -> str:
    """A state's present-day short name for labels (ISO 3166's common name; the COW name for former states)."""
    import pycountry

    country = pycountry.countries.get(alpha_3=ref.iso3)
    if country is None:
        return ref.name
    return getattr(country, "common_name", None) or country.name


def _report_unmatched(unmatched: dict, crosswalk: Crosswalk, measure: Measure) -> None:
    """List the codes that reach no Lattice state (the import report; they are not rejected rows)."""
    if not unmatched:
        return
    units = {u.unit for u in unmatched.values()}
    rows = sum(u.rows for u in unmatched.values())
    print(
        f"unmatched: {len(units)} {measure.unit} value(s), {rows} coded row(s) map to no Lattice state "
        f"({crosswalk.path}):",
        file=sys.stderr,
    )
    for u in sorted(unmatched.values(), key=lambda u: (_as_number(u.unit), u.first_year)):
        print(f"  {u.unit} {u.name} {u.first_year}-{u.last_year} ({u.rows} rows): {u.reason}", file=sys.stderr)


def _as_number(text: str):
    try:
        return (0, int(text), "")
    except ValueError:
        return (1, 0, text)
