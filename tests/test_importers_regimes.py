"""Tests of `kg import regimes`: a small BMR-format file written here, the crosswalk, and the published file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.importers import import_file
from tests.test_importers import ID, LAT, load, no_curated, select  # noqa: F401  (no_curated: autouse fixture)

BMR = ID + "dataset/bmr-democracy-v4"
HEADER = (
    "country,ccode,abbreviation,abbreviation_undp,year,democracy,democracy_trans,democracy_breakdowns,"
    "democracy_duration,democracy_omitteddata,democracy_femalesuffrage"
)


def bmr_row(country: str, ccode, year, democracy, trans="0") -> str:
    name = f'"{country}"' if "," in country else country
    return f"{name},{ccode},XXX,XX,{year},{democracy},{trans},0,1,{democracy},{democracy}"


def write_crlf(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))  # the published file's line endings
    return path


@pytest.fixture
def bmr_file(tmp_path) -> Path:
    rows = [HEADER]
    # Spain: not democratic 1975-1976, transition 1977 (the year is coded democratic), democratic to 1980
    rows += [bmr_row("SPAIN", 230, y, 1 if y >= 1977 else 0, "1" if y == 1977 else "0") for y in range(1975, 1981)]
    # Fiji: democratic 1975-1986, breakdown 1987
    rows += [bmr_row("FIJI", 950, y, 0 if y == 1987 else 1, "-1" if y == 1987 else "0") for y in range(1975, 1988)]
    # China: never democratic (no democratic spell may appear)
    rows += [bmr_row("CHINA", 710, y, 0) for y in range(1975, 1981)]
    # Polity-style codes: the USSR (364) and Russia (365) are both Russia; Kosovo is 341 (COW's Montenegro)
    rows += [bmr_row("USSR", 364, y, 0) for y in (1990, 1991)]
    rows += [bmr_row("RUSSIA", 365, 1992, 1, "0")]
    rows += [bmr_row("KOSOVO", 341, 1980, 1)]
    # Germany: 260 (West Germany) and 255 (Germany) both code 1990; they merge into one DEU year
    rows += [bmr_row("GERMANY, WEST", 260, y, 1) for y in (1988, 1989, 1990)]
    rows += [bmr_row("GERMANY", 255, y, 1) for y in (1990, 1991)]
    # Estonia: listed, not independent (NA): no observation
    rows += [bmr_row("ESTONIA", 366, 1980, "NA").replace(",NA,0,", ",NA,NA,")]
    # South Vietnam: a COW state with no ISO code (unmatched); 999 is in no crosswalk; a renamed 2
    rows += [
        bmr_row("VIETNAM, SOUTH", 817, 1975, 0),
        bmr_row("ATLANTIS", 999, 1980, 1),
        bmr_row("FREEDONIA", 2, 1980, 1),
    ]
    return write_crlf(tmp_path / "bmr-democracy-v4.0.csv", rows)


def spells_of(store, iso3: str) -> list[tuple]:
    rows = select(
        store,
        f"""
        SELECT ?kind ?first ?last ?start ?end ?sc ?ec ?lc ?rc WHERE {{
          ?s lat:regimeState lat-id:state/{iso3} ; a ?k ; lat:firstYear ?first ; lat:lastYear ?last ;
             lat:startDate ?start ; lat:startsWithChange ?sc ; lat:endsWithChange ?ec ;
             lat:leftCensored ?lc ; lat:rightCensored ?rc .
          VALUES ?k {{ lat:DemocraticSpell lat:NonDemocraticSpell }}
          BIND(STRAFTER(STR(?k), "#") AS ?kind)
          OPTIONAL {{ ?s lat:endDate ?end }} }} ORDER BY ?first""",
    )
    return [
        (
            r["kind"],
            int(r["first"]),
            int(r["last"]),
            r["start"],
            r["end"],
            r["sc"] == "true",
            r["ec"] == "true",
            r["lc"] == "true",
            r["rc"] == "true",
        )
        for r in rows
    ]


def observations(store, iso3: str) -> dict[int, list[dict]]:
    rows = select(
        store,
        f"""
        SELECT ?o ?year ?dem ?line ?src WHERE {{
          ?o a lat:RegimeObservation ; lat:regimeState lat-id:state/{iso3} ; lat:year ?year ;
             lat:democratic ?dem ; lat:sourceLine ?line ; dcterms:source ?src }}""",
    )
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(int(r["year"]), []).append(r)
    return out


# --------------------------------------------------------------------------- the fixture file


def test_one_observation_per_coded_row_with_its_line(bmr_file, tmp_path):
    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    lines = bmr_file.read_text().splitlines()
    spain = observations(store, "ESP")
    assert sorted(spain) == list(range(1975, 1981))
    obs = spain[1977][0]
    assert obs["dem"] == "true" and spain[1976][0]["dem"] == "false"
    assert obs["src"] == BMR
    assert lines[int(obs["line"]) - 1].startswith("SPAIN,230,XXX,XX,1977,1,")  # the line the observation cites
    assert obs["o"] == ID + "regime-observation/bmr-democracy-v4/230-1977"
    # NA (not independent) is no observation; nor is anything the crosswalk cannot map
    assert observations(store, "EST") == {}
    n = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?o a lat:RegimeObservation }")
    assert int(n[0]["n"]) == 6 + 13 + 6 + 3 + 1 + 5


def test_transition_and_breakdown_years_bound_the_spells(bmr_file, tmp_path):
    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    # the data cover 1975-1992: Spain's democratic spell reaches the end of the data (no end date)
    assert spells_of(store, "ESP") == [
        ("NonDemocraticSpell", 1975, 1976, "1975-01-01", "1976-12-31", False, True, True, False),
        ("DemocraticSpell", 1977, 1980, "1977-01-01", "1980-12-31", True, False, False, False),
    ]
    assert spells_of(store, "FJI") == [
        ("DemocraticSpell", 1975, 1986, "1975-01-01", "1986-12-31", False, True, True, False),
        ("NonDemocraticSpell", 1987, 1987, "1987-01-01", "1987-12-31", True, False, False, False),
    ]
    # never democratic: no democratic spell
    assert [s[0] for s in spells_of(store, "CHN")] == ["NonDemocraticSpell"]


def test_a_spell_reaching_the_last_year_of_the_data_is_open(bmr_file, tmp_path):
    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    # Russia 1992 is the last year of the fixture: right-censored, no end date; USSR years are Russia's
    assert spells_of(store, "RUS") == [
        ("NonDemocraticSpell", 1990, 1991, "1990-01-01", "1991-12-31", False, True, False, False),
        ("DemocraticSpell", 1992, 1992, "1992-01-01", None, True, False, False, True),
    ]


def test_polity_style_codes_follow_the_crosswalk_not_the_cow_number(bmr_file, tmp_path):
    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    ussr = observations(store, "RUS")[1990][0]
    assert ussr["o"].endswith("/364-1990")  # the data set's own code stays in the IRI
    assert sorted(observations(store, "XKX")) == [1980]  # BMR 341 is Kosovo ...
    assert observations(store, "MNE") == {}  # ... although COW 341 is Montenegro


def test_codes_merging_into_one_state_give_one_spell_from_all_rows(bmr_file, tmp_path):
    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    deu = observations(store, "DEU")
    assert len(deu[1990]) == 2  # 260 and 255 both code 1990
    assert spells_of(store, "DEU") == [
        ("DemocraticSpell", 1988, 1991, "1988-01-01", "1991-12-31", False, False, False, False)
    ]
    derived = select(
        store,
        """SELECT (COUNT(?o) AS ?n) WHERE {
        ?s a lat:DemocraticSpell ; lat:regimeState lat-id:state/DEU ; prov:wasDerivedFrom ?o .
        ?o a lat:RegimeObservation }""".replace("SELECT", "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT", 1),
    )
    assert int(derived[0]["n"]) == 5


def test_a_state_year_coded_both_ways_is_left_out_and_reported(bmr_file, tmp_path, capsys):
    lines = bmr_file.read_text().splitlines()
    rows = [
        *lines,
        bmr_row("YEMEN, NORTH", 678, 1980, 0),
        bmr_row("YEMEN", 679, 1980, 1),
        bmr_row("YEMEN", 679, 1981, 1),
    ]
    path = write_crlf(tmp_path / "conflict.csv", rows)
    store = load(import_file("regimes", path, out=tmp_path / "c.nq"))
    err = capsys.readouterr().err
    assert f"{path}:{len(lines) + 1}: YEM 1980 is coded both ways (lines {len(lines) + 1}, {len(lines) + 2})" in err
    assert [s[1:3] for s in spells_of(store, "YEM")] == [(1981, 1981)]
    assert len(observations(store, "YEM")[1980]) == 2  # the rows themselves are still stated


def test_unmatched_codes_are_listed_not_guessed(bmr_file, tmp_path, capsys):
    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    err = capsys.readouterr().err
    assert "unmatched: 3 ccode value(s), 3 coded row(s) map to no Lattice state" in err
    assert "  2 FREEDONIA 1980-1980 (1 rows): named 'FREEDONIA' in the data, but 'UNITED STATES OF AMERICA'" in err
    assert "  817 VIETNAM, SOUTH 1975-1975 (1 rows): COW 817 (Republic of Vietnam) has no ISO 3166 code" in err
    assert "  999 ATLANTIS 1980-1980 (1 rows): no crosswalk row for ccode 999 in 1980" in err
    assert observations(store, "USA") == {}
    assert "rejected" not in err  # unmatched codes are not malformed rows


def test_import_validates_and_every_node_cites_the_data_set(bmr_file, tmp_path):
    from kg.validate import validate

    out = import_file("regimes", bmr_file, out=tmp_path / "r.nq")
    report = validate([out], with_ontology=True)
    assert [r for r in report.results if r.severity.endswith("Violation")] == []
    store = load(out)
    unsourced = select(
        store,
        """SELECT ?s WHERE { ?s a ?t . FILTER(?t != lat:Dataset)
                                 FILTER NOT EXISTS { ?s dcterms:source ?src } }""",
    )
    assert unsourced == []
    title = select(store, f"SELECT ?t WHERE {{ <{BMR}> dcterms:bibliographicCitation ?t }}")
    assert "Boix" in title[0]["t"] and "10.1177/0010414012463905" in title[0]["t"]


def test_regime_history_query_lists_the_spells(bmr_file, tmp_path):
    from kg.query import run_named

    store = load(import_file("regimes", bmr_file, out=tmp_path / "r.nq"))
    rows = run_named("regime-history", store=store, state="lat-id:state/ESP")
    got = [
        (r["democratic"], int(r["first"]), int(r["last"]), r["changeAtStart"], r["open"], int(r["observations"]))
        for r in rows
    ]
    assert got == [(False, 1975, 1976, False, False, 2), (True, 1977, 1980, True, False, 4)]
    in_1976 = run_named("regime-history", store=store, state="lat-id:state/ESP", year=1976)
    assert [int(r["first"]) for r in in_1976] == [1975]
    assert run_named("regime-history", store=store, state="lat-id:state/USA") == []


# --------------------------------------------------------------------------- malformed input


def test_malformed_rows_are_rejected_at_line_and_column(bmr_file, tmp_path, capsys):
    lines = bmr_file.read_text().splitlines()
    bad = [
        bmr_row("SPAIN", 230, 1981, 2),  # not a coding
        bmr_row("SPAIN", 230, "19x2", 1),  # not a year
        "SPAIN,230,ESP",  # too few columns
        bmr_row("SPAIN", 230, 1980, 1),  # (230, 1980) again
        bmr_row("GERMANY, WEST", 260, 1987, "yes"),
    ]  # quoted name before the bad cell
    path = write_crlf(tmp_path / "bad.csv", lines + bad)
    store = load(import_file("regimes", path, out=tmp_path / "bad.nq"))
    err = capsys.readouterr().err
    n = len(lines)
    assert "rejected 5 row(s):" in err
    assert f"{path}:{n + 1}:23: democracy '2' is not one of 0, 1, NA" in err
    assert f"{path}:{n + 2}:18: year '19x2' is not a year" in err
    assert f"{path}:{n + 3}: expected 11 columns, found 3" in err
    assert f"{path}:{n + 4}:18: a second row for ccode 230 in 1980 (the first is on line 7)" in err
    assert f"{path}:{n + 5}:33: democracy 'yes' is not one of 0, 1, NA" in err
    assert sorted(observations(store, "ESP")) == list(range(1975, 1981))  # the good rows still count


def test_strict_import_fails_with_the_location_and_writes_nothing(bmr_file, tmp_path):
    lines = bmr_file.read_text().splitlines()
    path = write_crlf(tmp_path / "bad.csv", [*lines, bmr_row("SPAIN", 230, 1981, 2)])
    target = tmp_path / "out" / "r.nq"
    with pytest.raises(InputError) as exc:
        import_file("regimes", path, out=target, strict=True)
    assert (exc.value.line, exc.value.col) == (len(lines) + 1, 23)
    assert str(exc.value).startswith(f"{path}:{len(lines) + 1}:23: democracy '2'")
    assert list(target.parent.iterdir()) == []


def test_cli_bad_crosswalk_exits_2_with_file_line_col(bmr_file, tmp_path, lattice_home, run_kg):
    crosswalk = tmp_path / "cw.csv"
    crosswalk.write_text(
        "bmr_ccode,bmr_country,from_year,to_year,lattice_state,cow_ccode,note\n"
        "230,SPAIN,,,ESP,230,\n"
        '2,"UNITED STATES, OF",,,USAX,2,\n'
    )
    res = run_kg("import", "regimes", bmr_file, "--crosswalk", crosswalk)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{crosswalk}:3:25: 'USAX' is not an ISO 3166-1 alpha-3 code of a Lattice state" in res.stderr
    assert not (lattice_home / "imports" / "regimes.nq").exists()


@pytest.mark.parametrize(
    "body, where, cause",
    [
        (
            "230,SPAIN,1900,,ESP,230,\n230,SPAIN,,1950,ESP,230,\n",
            "3:11",
            "code 230 is already mapped for these years (line 2)",
        ),
        ("230,SPAIN,19x0,,ESP,230,\n", "2:11", "from_year '19x0' is not a year"),
        ("230,SPAIN,1990,1980,ESP,230,\n", "2:16", "to_year 1980 is before from_year 1990"),
        ("230,SPAIN,,,ESP,two,\n", "2:17", "cow_ccode 'two' is not a number"),
    ],
)
def test_malformed_crosswalk_is_an_input_error(bmr_file, tmp_path, body, where, cause):
    crosswalk = tmp_path / "cw.csv"
    crosswalk.write_text("bmr_ccode,bmr_country,from_year,to_year,lattice_state,cow_ccode,note\n" + body)
    with pytest.raises(InputError) as exc:
        import_file("regimes", bmr_file, out=tmp_path / "r.nq", crosswalk=crosswalk)
    assert str(exc.value) == f"{crosswalk}:{where}: {cause}"
    assert not (tmp_path / "r.nq").exists()


# --------------------------------------------------------------------------- the crosswalk in the repository


def crosswalk_rows() -> list[dict]:
    from kg import paths

    with open(paths.CROSSWALKS_DIR / "bmr-ccode.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def crosswalk_state(rows: list[dict], ccode: int, year: int) -> str:
    """The Lattice state the crosswalk gives a BMR code in a year, read with the csv module ('' for none)."""
    for r in rows:
        if (
            int(r["bmr_ccode"]) == ccode
            and (not r["from_year"] or year >= int(r["from_year"]))
            and (not r["to_year"] or year <= int(r["to_year"]))
        ):
            return r["lattice_state"]
    return ""


def test_crosswalk_agrees_with_the_cow_table_of_the_other_importers():
    """Where the crosswalk gives a COW code, the Lattice state is the one every other importer uses for it."""
    from kg.importers.states import COW_STATES

    iso_of_cow = {cc: iso for _, cc, _, _, iso in COW_STATES}
    for r in crosswalk_rows():
        if r["cow_ccode"]:
            assert (iso_of_cow[int(r["cow_ccode"])] or "") == r["lattice_state"], r


def test_every_departure_from_the_cow_code_is_documented():
    for r in crosswalk_rows():
        if r["cow_ccode"] != r["bmr_ccode"] or not r["lattice_state"]:
            assert len(r["note"]) > 20, f"crosswalk row for {r['bmr_ccode']} {r['bmr_country']} needs a note"


def test_the_polity_style_codes_are_mapped_as_documented():
    got = {(r["bmr_ccode"], r["from_year"]): (r["lattice_state"], r["cow_ccode"]) for r in crosswalk_rows()}
    assert got[("364", "")] == ("RUS", "365")  # USSR
    assert got[("347", "")] == ("SRB", "345")  # FR Yugoslavia (in COW 347 is Kosovo)
    assert got[("342", "")] == ("SRB", "345")  # Serbia
    assert got[("348", "")] == ("MNE", "341")  # Montenegro
    assert got[("341", "")] == ("XKX", "347")  # Kosovo (in COW 341 is Montenegro)
    assert got[("529", "")] == ("ETH", "530")
    assert got[("624", "")] == ("SDN", "625")
    assert got[("769", "")] == ("PAK", "770")
    assert got[("818", "")] == ("VNM", "816")
    assert got[("305", "")] == ("", "300") and got[("305", "1918")] == ("AUT", "305")  # Austria-Hungary, Austria
    for unit in ("89", "99", "564"):
        assert got[(unit, "")] == ("", "")


# --------------------------------------------------------------------------- the published file


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The published BMR file and its import (once per module); skipped without ../shared."""
    import pandas as pd

    from kg.paths import shared_dir

    shared = shared_dir()
    path = shared / "data" / "regimes" / "bmr-democracy-v4.0.csv" if shared else None
    if path is None or not path.is_file():
        pytest.skip("../shared/data/regimes/bmr-democracy-v4.0.csv is not present")
    out = tmp_path_factory.mktemp("regimes") / "regimes.nq"
    import_file("regimes", path, out=out, link=False)
    frame = pd.read_csv(path, keep_default_na=False, na_values=["NA"])
    return shared, frame, load(out)


def pandas_spells(frame, ccodes) -> list[tuple[int, int]]:
    """Democratic spells (first, last) of the given codes, computed from the CSV with pandas."""
    d = frame[frame.ccode.isin(ccodes)].dropna(subset=["democracy"]).sort_values("year")
    d = d[d.democracy == 1]
    run_id = (d.year.diff() != 1).cumsum()
    return [(int(g.year.min()), int(g.year.max())) for _, g in d.groupby(run_id)]


@pytest.mark.shared
@pytest.mark.parametrize("iso3, ccodes, decade", [("ZAF", [560], range(1990, 2000)), ("ESP", [230], range(1975, 1980))])
def test_transitions_of_south_africa_and_spain(real, iso3, ccodes, decade):
    _, frame, store = real
    ours = [(s[1], s[2]) for s in spells_of(store, iso3) if s[0] == "DemocraticSpell"]
    assert ours == pandas_spells(frame, ccodes)
    current = [s for s in spells_of(store, iso3) if s[0] == "DemocraticSpell"][-1]
    assert current[1] in decade and current[5]  # the present spell starts with the transition
    assert current[8] and current[4] is None  # and runs to the end of the data


@pytest.mark.shared
def test_counts_agree_with_pandas(real):
    _, frame, store = real
    rows = crosswalk_rows()
    coded = frame.dropna(subset=["democracy"]).copy()
    coded["state"] = [crosswalk_state(rows, c, y) for c, y in zip(coded.ccode, coded.year)]
    matched = coded[coded.state != ""]
    n = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?o a lat:RegimeObservation }")
    assert int(n[0]["n"]) == len(matched)
    dem = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?o lat:democratic true }")
    assert int(dem[0]["n"]) == int((matched.democracy == 1).sum())
    states = select(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?o lat:regimeState ?s }")
    assert int(states[0]["n"]) == matched.state.nunique()
    # every year of every spell is covered by exactly the observations it cites
    loose = select(
        store,
        """PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?s WHERE { ?s prov:wasDerivedFrom ?o ; lat:firstYear ?a ; lat:lastYear ?b ; lat:regimeState ?st .
                          ?o lat:year ?y ; lat:regimeState ?st2 FILTER(?y < ?a || ?y > ?b || ?st != ?st2) }""",
    )
    assert loose == []


@pytest.mark.shared
def test_fatf_members_of_2004_coded_democratic(real, tmp_path):
    """FATF members in 2004 (MIGO, imported) whose chains can end in an electorate: the graph's answer equals
    the CSVs' answer computed with pandas, for the codings of 2003 (in force on 1 January 2004) and 2004."""
    import pandas as pd

    shared, frame, regimes = real
    migo_csv = shared / "data" / "migo-iigo" / "memberships_MIGO.csv"
    if not migo_csv.is_file():
        pytest.skip(f"{migo_csv} is not present")
    migo = load(import_file("migo", migo_csv, out=tmp_path / "migo.nq", link=False))
    members = {
        r["s"].rsplit("/", 1)[1]
        for r in select(
            migo,
            """
        SELECT ?s WHERE { ?m org:organization lat-id:migo/FATF ; org:member ?s ; lat:startDate ?a
                          FILTER(?a <= "2004-01-01"^^xsd:date)
                          OPTIONAL { ?m lat:endDate ?b } FILTER(!BOUND(?b) || ?b >= "2004-12-31"^^xsd:date) }""",
        )
    }
    m = pd.read_csv(migo_csv)
    fatf = m[(m.igoID == "FATF") & (m.Year == 2004) & (m.membership == 1)]
    assert members == set(fatf.stateID)
    rows = crosswalk_rows()
    for year in (2003, 2004):
        ours = {
            r["s"].rsplit("/", 1)[1]
            for r in select(
                regimes,
                f"""
            SELECT ?s WHERE {{ ?o lat:year {year} ; lat:democratic true ; lat:regimeState ?s }}""",
            )
        } & members
        coded = frame[(frame.year == year) & (frame.democracy == 1)]
        theirs = {crosswalk_state(rows, c, year) for c in coded.ccode} & set(fatf.stateID)
        assert ours == theirs
        print(f"FATF {year}: {len(ours)} of {len(members)} coded democratic; not: {sorted(members - ours)}")
