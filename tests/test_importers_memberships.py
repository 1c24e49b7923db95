"""Membership spells of the importers: G-7 and G-8 apart, successor seats, Germany, FATF and IOSCO years.

Fixture tests write small files in the publishers' formats; the tests marked `shared` read the real data sets
beside the checkout and compare with an answer computed independently (pandas over the published CSV)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.importers import import_file
from kg.importers.states import seat_links
from tests.test_importers import ID, LAT, assert_integrity, load, select, spells, write

DATASET_MIGO = ID + "dataset/migo-memberships"
DATASET_COW = ID + "dataset/cow-igo-v3"


def curated_dir(tmp_path: Path, turtle: str = "") -> Path:
    """A curated folder holding only TURTLE (so unit tests never depend on kg/data)."""
    d = tmp_path / "curated"
    d.mkdir(exist_ok=True)
    (d / "bodies.ttl").write_text(f"@prefix lat: <{LAT}> . @prefix lat-id: <{ID}> .\n" + turtle, encoding="utf-8")
    return d


def members(store, body: str, year: int) -> set[str]:
    """ISO3 codes of the states with a membership record in BODY (full IRI) whose years contain YEAR."""
    rows = select(
        store,
        f"""
        SELECT ?st ?start ?end WHERE {{
          ?m org:organization <{body}> ; org:member ?st ; lat:startDate ?start .
          OPTIONAL {{ ?m lat:endDate ?end }} }}""",
    )
    return {
        r["st"].rsplit("/", 1)[1]
        for r in rows
        if int(r["start"][:4]) <= year and (r["end"] is None or int(r["end"][:4]) >= year)
    }


def record(store, state: str, body: str, start: int) -> str:
    rows = select(
        store,
        f"""SELECT ?m WHERE {{ ?m org:member lat-id:state/{state} ; org:organization <{body}> ;
                                               lat:startDate "{start}-01-01"^^xsd:date }}""",
    )
    assert len(rows) == 1, rows
    return rows[0]["m"]


def objects(store, subject: str, predicate: str) -> set[str]:
    return {r["o"] for r in select(store, f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")}


# --------------------------------------------------------------------------- MIGO: G-7 and G-8

MIGO_HEADER = "igoID,stateID,StateName,membership,Year,Begin,End,cowID,active"


def migo_rows(igo, state, name, cow, years, code="1"):
    return [f"{igo},{state},{name},{code},{y},1900,2010,{cow},1" for y in years]


@pytest.fixture
def g7_file(tmp_path) -> Path:
    rows = [MIGO_HEADER]
    rows += migo_rows("G7", "JPN", "Japan", 740, range(1996, 2003))
    rows += migo_rows("G7", "RUS", "Russia", 365, range(1998, 2001))  # 1998-2000 only
    rows += migo_rows("G7", "USA", "United States", 2, range(1996, 2003))
    rows += migo_rows("ZZ", "USA", "United States", 2, [2003])  # the file's last year is 2003
    return write(tmp_path / "memberships_MIGO.csv", rows)


def test_russia_under_migo_g7_is_g8_membership_never_g7(g7_file, tmp_path):
    curated = curated_dir(tmp_path, 'lat-id:g7 lat:migoId "G7" . lat-id:g8 a lat:GovernmentNetwork .\n')
    store = load(import_file("migo", g7_file, out=tmp_path / "migo.nq", curated=curated))
    g7, g8 = ID + "g7", ID + "g8"
    assert spells(store, "RUS", g7) == set()
    assert spells(store, "RUS", g8) == {("FullMember", "1998-01-01", "2000-12-31")}
    # the record the old import made (Russia in the G-7 from 1998) never comes back
    assert select(store, "SELECT ?p WHERE { lat-id:membership/RUS--migo-G7--1998 ?p ?o }") == []
    assert spells(store, "JPN", g7) == {("FullMember", "1996-01-01", "2002-12-31")}
    assert members(store, g7, 1999) == {"JPN", "USA"}
    assert members(store, g8, 1999) == {"JPN", "RUS", "USA"}
    assert members(store, g8, 1997) == set() and members(store, g8, 2001) == set()
    assert_integrity(store)


def test_g8_membership_of_the_others_names_the_records_it_comes_from(g7_file, tmp_path):
    curated = curated_dir(tmp_path, 'lat-id:g7 lat:migoId "G7" . lat-id:g8 a lat:GovernmentNetwork .\n')
    store = load(import_file("migo", g7_file, out=tmp_path / "migo.nq", curated=curated))
    usa_g8 = record(store, "USA", ID + "g8", 1998)
    assert spells(store, "USA", ID + "g8") == {("FullMember", "1998-01-01", "2000-12-31")}
    assert objects(store, usa_g8, "http://www.w3.org/ns/prov#wasDerivedFrom") == {
        record(store, "USA", ID + "g7", 1996),
        record(store, "RUS", ID + "g8", 1998),
    }
    assert objects(store, usa_g8, "http://purl.org/dc/terms/source") == {DATASET_MIGO}


def test_without_a_curated_g8_the_importer_mints_one(g7_file, tmp_path):
    store = load(import_file("migo", g7_file, out=tmp_path / "migo.nq", link=False))
    body = ID + "migo/G7-G8"
    assert select(store, f"SELECT ?l WHERE {{ <{body}> a lat:GovernmentNetwork ; rdfs:label ?l }}") == [{"l": "G-8"}]
    assert spells(store, "RUS", body) == {("FullMember", "1998-01-01", "2000-12-31")}
    assert spells(store, "RUS", ID + "migo/G7") == set()
    assert_integrity(store)


def test_no_g8_when_russia_is_never_recorded(tmp_path):
    rows = [MIGO_HEADER, *migo_rows("G7", "USA", "United States", 2, range(1996, 2000))]
    store = load(import_file("migo", write(tmp_path / "m.csv", rows), out=tmp_path / "m.nq", link=False))
    assert select(store, "SELECT ?m WHERE { ?m org:organization lat-id:migo/G7-G8 }") == []
    assert spells(store, "USA", ID + "migo/G7") == {("FullMember", "1996-01-01", None)}


# --------------------------------------------------------------------------- MIGO: years and sources


def test_iosco_members_keep_the_data_set_years_and_cite_only_it(tmp_path):
    """MIGO starts IOSCO in 1983; the import carries 1983 and cites the data set, not the text saying 1984."""
    rows = [MIGO_HEADER, *migo_rows("IOSCO", "CAN", "Canada", 20, range(1983, 1987))]
    rows += migo_rows("IOSCO", "USA", "United States", 2, range(1984, 1987))
    curated = curated_dir(
        tmp_path,
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'lat-id:iosco lat:migoId "IOSCO" ; lat:foundingDate "1984-01-01"^^xsd:date .\n',
    )
    store = load(import_file("migo", write(tmp_path / "m.csv", rows), out=tmp_path / "m.nq", curated=curated))
    assert spells(store, "CAN", ID + "iosco") == {("FullMember", "1983-01-01", None)}
    rec = record(store, "CAN", ID + "iosco", 1983)
    assert objects(store, rec, "http://purl.org/dc/terms/source") == {DATASET_MIGO}


def test_fatf_spells_from_consecutive_years(tmp_path):
    rows = [MIGO_HEADER, *migo_rows("FATF", "IND", "India", 750, [2006, 2007, 2009, 2010])]
    rows += migo_rows("FATF", "ZAF", "South Africa", 560, range(2003, 2011))
    store = load(import_file("migo", write(tmp_path / "m.csv", rows), out=tmp_path / "m.nq", link=False))
    fatf = ID + "migo/FATF"
    assert spells(store, "IND", fatf) == {
        ("FullMember", "2006-01-01", "2007-12-31"),
        ("FullMember", "2009-01-01", None),
    }
    assert members(store, fatf, 2008) == {"ZAF"}
    assert members(store, fatf, 2004) == {"ZAF"}


def test_migo_soviet_union_rows_before_1992(tmp_path):
    rows = [MIGO_HEADER, *migo_rows("INTOSAI", "RUS", "Russia", 365, range(1989, 1995))]
    store = load(import_file("migo", write(tmp_path / "m.csv", rows), out=tmp_path / "m.nq", link=False))
    body = ID + "migo/INTOSAI"
    assert spells(store, "SUN", body) == {("FullMember", "1989-01-01", "1991-12-31")}
    assert spells(store, "RUS", body) == {("FullMember", "1992-01-01", None)}
    assert objects(store, record(store, "RUS", body, 1992), LAT + "continuesSeatOf") == {
        record(store, "SUN", body, 1989)
    }
    assert_integrity(store)


# --------------------------------------------------------------------------- COW: successor seats, Germany

COW_COLUMNS = ["usa", "germany", "wgermany", "russia", "china", "taiwan"]
COW_TAIL = ["sdate", "deaddate", "dead", "integrated", "replaced", "longorgname", "ionum"]
COW_HEADER = ",".join(["ioname", "orgname", "year", *COW_COLUMNS, *COW_TAIL])


def cow_rows(ioname, ionum, years, cells) -> list[str]:
    """One row per year; CELLS maps a column to a function of the year giving its code."""
    out = []
    for y in years:
        states = [cells.get(c, lambda _y: "0")(y) for c in COW_COLUMNS]
        out.append(",".join([ioname, ioname, str(y), *states, str(years[0]), "", "0", "0", "0", ioname, str(ionum)]))
    return out


def code(*spans, outside="0", missing=()):
    """A cell function: '1' in the inclusive SPANS, '-9' in the MISSING spans, OUTSIDE elsewhere."""

    def f(y):
        if any(a <= y <= b for a, b in spans):
            return "1"
        if any(a <= y <= b for a, b in missing):
            return "-9"
        return outside

    return f


@pytest.fixture
def cow_file(tmp_path) -> Path:
    years = list(range(1945, 2001))
    rows = [COW_HEADER]
    # a UN-like body: COW's layout of the China seat, the Soviet/Russian seat and the two Germanies
    rows += cow_rows(
        "UNX",
        1,
        years,
        {
            "usa": code((1945, 2000)),
            "china": code((1945, 1948), (1971, 2000)),
            "taiwan": code((1949, 1970), missing=[(1945, 1948)]),
            "russia": code((1945, 2000)),
            "wgermany": code((1965, 1989), missing=[(1945, 1954), (1990, 2000)]),
            "germany": code((1990, 2000), missing=[(1946, 1989)]),
        },
    )
    # an IMF-like body: the Russian Federation joins in 1992, the Soviet Union never was a member
    rows += cow_rows(
        "IMFX",
        2,
        years,
        {"russia": code((1992, 2000)), "taiwan": code((1949, 1979)), "china": code((1945, 1948), (1980, 2000))},
    )
    # a body the Republic of China leaves and rejoins: the data do not show its seat passing
    rows += cow_rows(
        "ALTX", 3, years, {"taiwan": code((1960, 1964), (1970, 1975)), "china": code((1965, 1969), (1976, 2000))}
    )
    return write(tmp_path / "igo_year_format3.csv", rows)


def cow_body(store, ioname: str) -> str:
    return select(store, f'SELECT ?o WHERE {{ ?o lat:cowIgoCode "{ioname}" }}')[0]["o"]


def test_soviet_seat_continued_by_the_russian_federation(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    un = cow_body(store, "UNX")
    assert spells(store, "SUN", un) == {("FullMember", "1945-01-01", "1991-12-31")}
    assert spells(store, "RUS", un) == {("FullMember", "1992-01-01", None)}
    assert objects(store, record(store, "RUS", un, 1992), LAT + "continuesSeatOf") == {record(store, "SUN", un, 1945)}
    sun = select(store, "SELECT ?t ?iso ?l WHERE { lat-id:state/SUN a ?t ; lat:iso3 ?iso ; rdfs:label ?l }")
    assert sun == [{"t": LAT + "State", "iso": "SUN", "l": "Soviet Union"}]
    imf = cow_body(store, "IMFX")
    assert spells(store, "RUS", imf) == {("FullMember", "1992-01-01", None)}
    assert spells(store, "SUN", imf) == set()
    assert objects(store, record(store, "RUS", imf, 1992), LAT + "continuesSeatOf") == set()
    assert_integrity(store)


def test_china_seat_held_by_the_republic_of_china_until_the_hand_over(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    un, imf, alt = cow_body(store, "UNX"), cow_body(store, "IMFX"), cow_body(store, "ALTX")
    assert spells(store, "TWN", un) == {("FullMember", "1945-01-01", "1970-12-31")}
    assert spells(store, "CHN", un) == {("FullMember", "1971-01-01", None)}
    assert objects(store, record(store, "CHN", un, 1971), LAT + "continuesSeatOf") == {record(store, "TWN", un, 1945)}
    assert spells(store, "TWN", imf) == {("FullMember", "1945-01-01", "1979-12-31")}
    assert objects(store, record(store, "CHN", imf, 1980), LAT + "continuesSeatOf") == {record(store, "TWN", imf, 1945)}
    links = select(store, f"SELECT ?m WHERE {{ ?m org:organization <{alt}> ; lat:continuesSeatOf ?p }}")
    assert [r["m"].rsplit("--", 1)[1] for r in links] == ["1976"]  # only after the last Republic of China spell


def test_every_seat_link_joins_two_records_of_the_same_body(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    rows = select(
        store,
        """SELECT ?a ?b ?oa ?ob WHERE { ?a lat:continuesSeatOf ?b .
        OPTIONAL { ?a a org:Membership ; org:organization ?oa } OPTIONAL { ?b a org:Membership ; org:organization ?ob } }""",
    )
    assert len(rows) == 4
    assert all(r["oa"] and r["oa"] == r["ob"] for r in rows), rows


def test_germany_federal_republic_years_continue_into_unified_germany(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    assert spells(store, "DEU", cow_body(store, "UNX")) == {("FullMember", "1965-01-01", None)}


# --------------------------------------------------------------------------- seat_links (pure)


@pytest.mark.parametrize(
    "spells_in, expected",
    [
        ([("SUN", 1945, 1991), ("RUS", 1992, 2014)], [(("RUS", 1992), ("SUN", 1945))]),
        ([("SUN", 1945, 1989), ("RUS", 1992, 2014)], []),  # a gap: no continuation
        ([("SUN", 1950, 1991), ("RUS", 1993, 2014)], []),  # not at the boundary
        ([("TWN", 1945, 1970), ("CHN", 1971, 2014)], [(("CHN", 1971), ("TWN", 1945))]),
        ([("TWN", 1945, 1972), ("CHN", 1972, 2014)], [(("CHN", 1972), ("TWN", 1945))]),  # same-year hand-over
        ([("TWN", 1945, 1970), ("CHN", 1973, 2014)], []),
        ([("TWN", 1945, 1970), ("CHN", 1971, 2014), ("TWN", 1990, 2014)], []),  # the predecessor comes back
        ([("CHN", 1971, 1980), ("TWN", 1981, 2014)], []),  # no hand-over that way
        ([("USA", 1945, 1991), ("RUS", 1992, 2014)], []),
    ],
)
def test_seat_links(spells_in, expected):
    assert seat_links(spells_in) == expected


# --------------------------------------------------------------------------- real data sets


def _shared(*parts: str) -> Path:
    from kg.paths import shared_dir

    shared = shared_dir()
    path = shared.joinpath("data", *parts) if shared is not None else None
    if path is None or not path.is_file():
        pytest.skip("../shared/data is not present beside the checkout")
    return path


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real MIGO and COW files imported once each, with the package's curated graph (as `kg build` does)."""
    out = tmp_path_factory.mktemp("real-members")
    cache = {}

    def get(name):
        if name not in cache:
            src = (
                _shared("migo-iigo", "memberships_MIGO.csv")
                if name == "migo"
                else _shared("cow-igo-v3", "igo_year_format3.csv")
            )
            cache[name] = (src, load(import_file(name, src, out=out / f"{name}.nq")))
        return cache[name]

    return get


@pytest.mark.shared
def test_real_fatf_members_in_2004(real):
    import pandas as pd

    src, store = real("migo")
    d = pd.read_csv(src)
    expected = set(d[(d.igoID == "FATF") & (d.Year == 2004) & (d.membership > 0)].stateID)
    assert len(expected) == 29  # the data set's count, as the documentation reports it
    assert members(store, ID + "fatf", 2004) == expected
    for year in (1990, 2000, 2010):
        assert members(store, ID + "fatf", year) == set(d[(d.igoID == "FATF") & (d.Year == year)].stateID)


@pytest.mark.shared
def test_real_g7_and_g8_members_by_year(real):
    import pandas as pd

    src, store = real("migo")
    d = pd.read_csv(src)
    g7rows = d[(d.igoID == "G7") & (d.membership > 0)]
    russia_years = set(g7rows[g7rows.stateID == "RUS"].Year)
    assert russia_years  # the data do record Russia under G7
    for year in sorted(set(g7rows.Year)):
        coded = set(g7rows[g7rows.Year == year].stateID)
        assert members(store, ID + "g7", year) == coded - {"RUS"}, year
        assert members(store, ID + "g8", year) == (coded if year in russia_years else set()), year
    assert "JPN" in members(store, ID + "g7", 2004)
    assert select(store, "SELECT ?m WHERE { ?m org:member lat-id:state/RUS ; org:organization lat-id:g7 }") == []


@pytest.mark.shared
def test_real_iosco_starts_in_the_data_set_year(real):
    import pandas as pd

    src, store = real("migo")
    d = pd.read_csv(src)
    first = int(d[d.igoID == "IOSCO"].Year.min())
    starts = select(
        store,
        """SELECT ?start ?src WHERE { ?m org:organization lat-id:iosco ; lat:startDate ?start ;
                                                          dcterms:source ?src }""",
    )
    assert min(int(r["start"][:4]) for r in starts) == first == 1983
    assert {r["src"] for r in starts} == {DATASET_MIGO}


def _cow_runs(frame, body: str, column: str, keep) -> set[tuple]:
    """(start, end) year runs of full membership of COLUMN in BODY over the years KEEP accepts (independent of kg)."""
    rows = frame[frame.ioname == body].sort_values("year")
    last_year = int(frame.year.max())
    runs, cur = [], None
    for y, v in zip(rows.year.astype(int), rows[column]):
        if v == 1 and keep(y):
            if cur and cur[1] == y - 1:
                cur[1] = y
            else:
                cur = [y, y]
                runs.append(cur)
    return {(a, None if b >= last_year else b) for a, b in runs}


def _as_years(got: set[tuple]) -> set[tuple]:
    return {(int(s[:4]), None if e is None else int(e[:4])) for _, s, e in got}


@pytest.mark.shared
def test_real_un_and_imf_seats(real):
    import pandas as pd

    src, store = real("cow-igo")
    f = pd.read_csv(src, usecols=["ioname", "year", "china", "taiwan", "russia", "germany", "wgermany"])
    bodies = {"UN": ID + "un", "IMF": ID + "imf"}
    for name, body in bodies.items():
        rows = f[f.ioname == name].sort_values("year")
        # Soviet Union: the `russia` column up to 1991; the Russian Federation from 1992
        assert _as_years(spells(store, "SUN", body)) == _cow_runs(f, name, "russia", lambda y: y <= 1991), name
        assert _as_years(spells(store, "RUS", body)) == _cow_runs(f, name, "russia", lambda y: y >= 1992), name
        # Republic of China: `china` before 1949 joined with `taiwan`; People's Republic: `china` from 1949
        roc = rows[((rows.china == 1) & (rows.year < 1949)) | (rows.taiwan == 1)].year.astype(int)
        assert _as_years(spells(store, "TWN", body)) == {(int(roc.min()), int(roc.max()))}, name
        assert _as_years(spells(store, "CHN", body)) == _cow_runs(f, name, "china", lambda y: y >= 1949), name
        prc = record(store, "CHN", body, int(rows[(rows.china == 1) & (rows.year >= 1949)].year.min()))
        assert objects(store, prc, LAT + "continuesSeatOf") == {record(store, "TWN", body, int(roc.min()))}
        # Germany: the Federal Republic's years and unified Germany's, one spell
        deu = rows[(rows.wgermany == 1) | (rows.germany == 1)].year.astype(int)
        assert _as_years(spells(store, "DEU", body)) == {(int(deu.min()), None)}, name
    un_rus = record(store, "RUS", bodies["UN"], 1992)
    assert objects(store, un_rus, LAT + "continuesSeatOf") == {record(store, "SUN", bodies["UN"], 1945)}
    imf_rus = record(store, "RUS", bodies["IMF"], 1992)
    assert objects(store, imf_rus, LAT + "continuesSeatOf") == set()
    assert _as_years(spells(store, "DEU", bodies["IMF"])) != {(1990, None)}
