"""Unit tests of `kg import`: small files in each publisher's format, written by the tests, malformed rows included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.importers import import_file

LAT = "https://w3id.org/lattice/ontology#"
ID = "https://w3id.org/lattice/id/"
PREFIXES = f"""
PREFIX lat: <{LAT}>
PREFIX lat-id: <{ID}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# --------------------------------------------------------------------------- helpers


def load(path: Path):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def select(store, query: str) -> list[dict]:
    """Run a SELECT; `lat-id:a/b` may be written for <https://w3id.org/lattice/id/a/b> (a slash is not
    allowed in a SPARQL prefixed name)."""
    query = re.sub(r"lat-id:([\w\-]+(?:/[\w\-.]+)+)", lambda m: f"<{ID}{m.group(1)}>", query)
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in result]


def spells(store, state: str, body: str) -> set[tuple]:
    """(status, start, end) of every membership of STATE (ISO3) in BODY (full IRI)."""
    rows = select(
        store,
        f"""
        SELECT ?status ?start ?end WHERE {{
          ?m a org:Membership ; org:member lat-id:state/{state} ; org:organization <{body}> ;
             lat:membershipStatus ?status ; lat:startDate ?start .
          OPTIONAL {{ ?m lat:endDate ?end }}
        }}""",
    )
    return {(r["status"].rsplit("#", 1)[1], r["start"], r["end"]) for r in rows}


@pytest.fixture(autouse=True)
def no_curated(tmp_path, monkeypatch):
    """Unit tests see an empty curated graph unless they pass their own."""
    import kg.paths

    empty = tmp_path / "empty-curated"
    empty.mkdir()
    monkeypatch.setattr(kg.paths, "DATA_DIR", empty)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_integrity(store):
    """Every typed node cites its source; every date is an xsd:date; no record ends before it starts."""
    unsourced = select(
        store,
        """
        SELECT ?s WHERE { ?s a ?t . FILTER(isIRI(?s)) FILTER(?t != lat:Dataset)
                          FILTER NOT EXISTS { ?s dcterms:source ?src } }""",
    )
    assert unsourced == [], f"nodes without dcterms:source: {unsourced[:5]}"
    bad_dates = select(
        store,
        """
        SELECT ?s ?p ?o WHERE { ?s ?p ?o .
          VALUES ?p { lat:startDate lat:endDate lat:foundingDate lat:dissolutionDate lat:signatureDate
                      lat:ratificationDate lat:entryIntoForceDate lat:exitDate }
          FILTER(datatype(?o) != xsd:date) }""",
    )
    assert bad_dates == []
    backwards = select(
        store,
        """
        SELECT ?s WHERE { { ?s lat:startDate ?a ; lat:endDate ?b } UNION { ?s lat:foundingDate ?a ; lat:dissolutionDate ?b }
          UNION { ?s lat:entryIntoForceDate ?a ; lat:exitDate ?b } FILTER(?b < ?a) }""",
    )
    assert backwards == []


# --------------------------------------------------------------------------- COW IGO

COW_STATE_COLUMNS = ["china", "taiwan", "usa", "uk", "algeria", "baden", "germany", "wgermany"]
COW_TAIL = [
    "sdate",
    "deaddate",
    "dead",
    "integrated",
    "replaced",
    "longorgname",
    "ionum",
    "igocode",
    "version",
    "accuracyofpre1965membershipdates",
    "sourcesandnotes",
    "imputed",
    "political",
    "social",
    "economic",
]
COW_HEADER = ",".join(["ioname", "orgname", "year", *COW_STATE_COLUMNS, *COW_TAIL])


def cow_row(ioname, orgname, year, cells: dict, sdate, ionum, deaddate="", dead="0.0", replaced="0.0", longname=None):
    states = [cells.get(c, "0.0") for c in COW_STATE_COLUMNS]
    tail = [
        f"{sdate}.0",
        deaddate,
        dead,
        "0.0",
        replaced,
        longname or orgname,
        f"{ionum}.0",
        "",
        "3.0",
        "Completely accurate",
        "",
        "0.0",
        "1.0",
        "0.0",
        "0.0",
    ]
    return ",".join([ioname, orgname, f"{year}.0", *states, *tail])


@pytest.fixture
def cow_file(tmp_path) -> Path:
    rows = [COW_HEADER]
    # TESTORG 2000-2005: china 1,1,0,1,1,1 ; usa 1,1,-9,1,1,1 ; uk 3,3,1,1,1,1 ; baden always 1 (no ISO code)
    china = ["1.0", "1.0", "0.0", "1.0", "1.0", "1.0"]
    usa = ["1.0", "1.0", "-9.0", "1.0", "1.0", "1.0"]
    uk = ["3.0", "3.0", "1.0", "1.0", "1.0", "1.0"]
    for k, year in enumerate(range(2000, 2006)):
        rows.append(
            cow_row(
                "TESTORG",
                'Test "Quoted" Org',
                year,
                {
                    "china": china[k],
                    "usa": usa[k],
                    "uk": uk[k],
                    "baden": "1.0",
                    "wgermany": "1.0" if year < 2003 else "-9.0",
                    "germany": "1.0" if year >= 2003 else "-9.0",
                    "taiwan": "",
                },
                2000,
                10,
                longname="Test Organization \\ with backslash",
            )
        )
    # DEADORG 2000-2002, dissolved 2002: china member throughout
    for year in range(2000, 2003):
        rows.append(
            cow_row(
                "DEADORG",
                "Dead Org",
                year,
                {"china": "1.0"},
                2000,
                20,
                deaddate="2002.0",
                dead="1.0" if year == 2002 else "0.0",
                replaced="1.0" if year == 2002 else "0.0",
            )
        )
    return write(tmp_path / "igo_year_format3.csv", rows)


def test_cow_spells_from_year_columns(cow_file, tmp_path):
    out = import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False)
    store = load(out)
    org = ID + "cow-igo/10"
    full, obs = "FullMember", "ObserverMember"
    # 0 ends a spell; the spell reaching the file's last year (2005) of a living organization is open-ended
    assert spells(store, "CHN", org) == {(full, "2000-01-01", "2001-12-31"), (full, "2003-01-01", None)}
    # -9 (missing) ends a spell too and creates nothing
    assert spells(store, "USA", org) == {(full, "2000-01-01", "2001-12-31"), (full, "2003-01-01", None)}
    # a change of status starts a new spell
    assert spells(store, "GBR", org) == {(obs, "2000-01-01", "2001-12-31"), (full, "2002-01-01", None)}
    # Germany and the German Federal Republic are one ISO state: one continuous spell
    assert spells(store, "DEU", org) == {(full, "2000-01-01", None)}
    # empty cells (Taiwan) are no membership
    assert spells(store, "TWN", org) == set()


def test_cow_dissolved_organization_closes_spells(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    dead = ID + "cow-igo/20"
    assert spells(store, "CHN", dead) == {("FullMember", "2000-01-01", "2002-12-31")}
    rows = select(
        store,
        """SELECT ?f ?d ?p ?code ?c WHERE { lat-id:cow-igo/20 lat:foundingDate ?f ;
        lat:dissolutionDate ?d ; lat:temporalPrecision ?p ; lat:cowIgoCode ?code ; rdfs:comment ?c }""",
    )
    assert len(rows) == 1
    r = rows[0]
    assert (r["f"], r["d"], r["p"], r["code"]) == ("2000-01-01", "2002-12-31", "year", "DEADORG")
    assert "replaced in 2002" in r["c"] and "successor" in r["c"]


def test_cow_labels_escaped_and_states_mapped(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    labels = select(store, "SELECT ?l ?alt WHERE { lat-id:cow-igo/10 rdfs:label ?l ; skos:altLabel ?alt }")
    assert labels == [{"l": "Test Organization \\ with backslash", "alt": 'Test "Quoted" Org'}]
    china = select(store, "SELECT ?iso ?cow WHERE { lat-id:state/CHN lat:iso3 ?iso ; lat:cowCode ?cow }")
    assert china == [{"iso": "CHN", "cow": "710"}]
    # Baden has no ISO 3166 code: nothing about it is written
    assert select(store, "SELECT ?m WHERE { ?m org:member ?s . FILTER(CONTAINS(STR(?s), 'BAD')) }") == []
    assert_integrity(store)


def test_cow_provenance(cow_file, tmp_path):
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", link=False))
    ds = select(
        store,
        """SELECT ?t ?v ?c ?l WHERE { lat-id:dataset/cow-igo-v3 a lat:Dataset ;
        dcterms:title ?t ; <http://www.w3.org/2002/07/owl#versionInfo> ?v ;
        dcterms:bibliographicCitation ?c ; dcterms:license ?l }""",
    )
    assert len(ds) == 1 and ds[0]["v"] == "3.0" and "Pevehouse" in ds[0]["c"]
    sources = select(store, "SELECT DISTINCT ?src WHERE { ?s dcterms:source ?src }")
    assert sources == [{"src": ID + "dataset/cow-igo-v3"}]


def test_cow_malformed_rows_rejected_with_line_numbers(cow_file, tmp_path, capsys):
    lines = cow_file.read_text().splitlines()
    header = lines[0].replace("wgermany", "atlantis")  # unknown state column -> reported at line 1
    good = lines[1:]
    bad_width = "TESTORG,Test,2006.0,1.0"  # wrong column count
    bad_year = good[0].replace("2000.0", "19x5", 1)  # non-numeric year
    bad_cell = cow_row("OTHER", "Other", 2001, {"usa": "7.0"}, 2001, 30)  # unknown membership code
    rows = [header, *good[:6], bad_width, bad_year, *good[6:], bad_cell]
    path = write(tmp_path / "bad.csv", rows)
    import_file("cow-igo", path, out=tmp_path / "bad.nq", link=False)
    err = capsys.readouterr().err
    assert "rejected 4 row(s)" in err
    assert f"{path}:1: column 'atlantis' is not a COW state column" in err
    assert f"{path}:8: expected {len(lines[0].split(','))} columns, found 4" in err
    assert f"{path}:9: year '19x5' is not a year" in err
    assert f"{path}:13: column 'usa': '7.0' is not one of 0, 1, 2, 3, -9" in err


def test_cow_rows_of_one_igo_must_be_contiguous(cow_file, tmp_path, capsys):
    lines = cow_file.read_text().splitlines()
    again = cow_row("TESTORG", "Test", 2006, {"china": "1.0"}, 2000, 10)
    path = write(tmp_path / "split.csv", [*lines, again])
    import_file("cow-igo", path, out=tmp_path / "split.nq", link=False)
    assert f"{path}:{len(lines) + 1}: rows of TESTORG are not contiguous" in capsys.readouterr().err


def test_cow_known_erratum_recorded_as_observer(tmp_path):
    rows = [COW_HEADER] + [
        cow_row(
            "WTO", "World Trade Organization", y, {"algeria": "1.0" if y >= 2000 else "0.0", "usa": "1.0"}, 1995, 4580
        )
        for y in range(1998, 2003)
    ]
    store = load(import_file("cow-igo", write(tmp_path / "wto.csv", rows), out=tmp_path / "wto.nq", link=False))
    assert spells(store, "DZA", ID + "cow-igo/4580") == {("ObserverMember", "2000-01-01", None)}
    comment = select(store, "SELECT ?c WHERE { ?m org:member lat-id:state/DZA ; rdfs:comment ?c }")
    assert comment and "observer" in comment[0]["c"]


def test_cow_links_to_curated_organization(cow_file, tmp_path):
    curated = tmp_path / "curated"
    curated.mkdir()
    (curated / "orgs.ttl").write_text(
        f"@prefix lat: <{LAT}> . @prefix lat-id: <{ID}> .\n"
        'lat-id:test-org a lat:IntergovernmentalOrganization ; lat:cowIgoCode "TESTORG" .\n'
        f'<{ID}state/CHN> a lat:State ; lat:iso3 "CHN" .\n'
    )
    store = load(import_file("cow-igo", cow_file, out=tmp_path / "cow.nq", curated=curated))
    assert spells(store, "CHN", ID + "test-org") == {
        ("FullMember", "2000-01-01", "2001-12-31"),
        ("FullMember", "2003-01-01", None),
    }
    # no second node is minted for the curated body, and the curated state is not re-described
    assert select(store, "SELECT ?p WHERE { lat-id:cow-igo/10 ?p ?o }") == []
    assert select(store, "SELECT ?p WHERE { lat-id:state/CHN ?p ?o }") == []
    # the other organization is still minted
    assert select(store, "SELECT ?c WHERE { lat-id:cow-igo/20 lat:cowIgoCode ?c }") == [{"c": "DEADORG"}]


def test_cow_missing_column_is_an_input_error(tmp_path):
    path = write(tmp_path / "nohead.csv", ["ioname,orgname,year,usa", "UN,United Nations,1945.0,1.0"])
    with pytest.raises(InputError) as exc:
        import_file("cow-igo", path, out=tmp_path / "x.nq", link=False)
    assert exc.value.line == 1 and "ionum" in exc.value.message
    assert not (tmp_path / "x.nq").exists()


# --------------------------------------------------------------------------- atomic output


def test_strict_failure_leaves_nothing(cow_file, tmp_path):
    lines = cow_file.read_text().splitlines()
    path = write(tmp_path / "bad.csv", [*lines, "TESTORG,Test,2006.0"])
    target = tmp_path / "out" / "cow.nq"
    with pytest.raises(InputError) as exc:
        import_file("cow-igo", path, out=target, link=False, strict=True)
    assert exc.value.line == len(lines) + 1
    assert list(target.parent.iterdir()) == []


def test_crash_midway_leaves_previous_output_untouched(cow_file, tmp_path, monkeypatch):
    import kg.importers.cow_igo as cow

    target = tmp_path / "cow.nq"
    target.write_text("previous\n")

    def boom(ctx, *a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cow, "_emit_spell", boom)
    with pytest.raises(RuntimeError):
        import_file("cow-igo", cow_file, out=target, link=False)
    assert target.read_text() == "previous\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".cow.nq")]  # no temp file left


# --------------------------------------------------------------------------- MIGO

MIGO_HEADER = "igoID,stateID,StateName,membership,Year,Begin,End,cowID,active"


def migo_rows(igo, state, name, cow, years, code="1", begin=1945, end=2003):
    return [f"{igo},{state},{name},{code},{y},{begin},{end},{cow},1" for y in years]


@pytest.fixture
def migo_file(tmp_path) -> Path:
    rows = [MIGO_HEADER]
    rows += migo_rows("FSB", "AUS", "Australia", 900, range(1999, 2004))  # Begin/End say 1945-2003
    rows += migo_rows("FSB", "", "Congo Brazzaville", 484, [2001, 2002])  # empty code -> cowID
    rows += migo_rows("G7", "ALG", "Algeria", 615, [1998, 1999])  # COW abbreviation
    rows += migo_rows("G7", "DEU", "Germany", 255, [1998, 1999])
    rows += migo_rows("G7", "DEU", "Germany", 255, [1999])  # duplicate row
    rows += migo_rows("G7", "RUS", "Russia", 365, [1998, 1999, 2001, 2002, 2003])  # gap in 2000
    rows += migo_rows("G7", "RVN", "Republic Of Viet Nam", 817, [1970])  # no ISO code
    rows += migo_rows("G7", "USA", "United States", 2, ["19x8"])  # non-numeric year
    rows += ["G7,USA,United States,1,2001,1945,2003,2"]  # wrong column count
    rows += migo_rows("G7", "USA", "United States", 2, [2002], code="9")  # unknown code
    rows += migo_rows("ASEAN", "PNG", "Papua New Guinea", 910, [2000, 2001], code="3")
    return write(tmp_path / "memberships_MIGO.csv", rows)


def test_migo_spells_from_consecutive_years_not_begin_end(migo_file, tmp_path):
    store = load(import_file("migo", migo_file, out=tmp_path / "migo.nq", link=False))
    fsb, g7 = ID + "migo/FSB", ID + "migo/G7"
    assert spells(store, "AUS", fsb) == {("FullMember", "1999-01-01", None)}  # not 1945
    assert spells(store, "COG", fsb) == {("FullMember", "2001-01-01", "2002-12-31")}
    # MIGO's G7 rows of Russia are G-8 membership (see test_importers_memberships.py)
    assert spells(store, "RUS", ID + "migo/G7-G8") == {
        ("FullMember", "1998-01-01", "1999-12-31"),
        ("FullMember", "2001-01-01", None),
    }
    assert spells(store, "RUS", g7) == set()
    assert spells(store, "DZA", g7) == {("FullMember", "1998-01-01", "1999-12-31")}
    assert spells(store, "DEU", g7) == {("FullMember", "1998-01-01", "1999-12-31")}
    assert spells(store, "PNG", ID + "migo/ASEAN") == {("ObserverMember", "2000-01-01", "2001-12-31")}
    body = select(store, "SELECT ?t ?id WHERE { lat-id:migo/G7 a ?t ; lat:migoId ?id }")
    assert body == [{"t": LAT + "GovernmentNetwork", "id": "G7"}]
    assert_integrity(store)


def test_migo_rejects(migo_file, tmp_path, capsys):
    import_file("migo", migo_file, out=tmp_path / "migo.nq", link=False)
    err = capsys.readouterr().err
    lines = migo_file.read_text().splitlines()
    at = {i + 1 for i, l in enumerate(lines) if ",RVN," in l or "19x8" in l or l.count(",") != 8 or ",9," in l}
    assert "rejected 4 row(s)" in err
    for n in sorted(at):
        assert f"{migo_file}:{n}:" in err
    assert "unknown state code RVN (Republic Of Viet Nam)" in err


def test_migo_links_to_curated_network(migo_file, tmp_path):
    curated = tmp_path / "curated"
    curated.mkdir()
    (curated / "nets.ttl").write_text(f'@prefix lat: <{LAT}> . <{ID}fsb> lat:migoId "FSB" .\n')
    store = load(import_file("migo", migo_file, out=tmp_path / "migo.nq", curated=curated))
    assert spells(store, "AUS", ID + "fsb") == {("FullMember", "1999-01-01", None)}
    assert select(store, "SELECT ?p WHERE { lat-id:migo/FSB ?p ?o }") == []


# --------------------------------------------------------------------------- treaties

PARTIES_HEADER = (
    "stateID,treatyID,Title,Begin,End,Signature,StateSignature,StateRatification,Force,StateForce,"
    "Term,StateEnd,Coder,Comments"
)
AGREEMENTS_HEADER = (
    "treatyID,Title,Begin,End,Signature,Force,Term,Grounds,TypeDomain,TypeAgree,TypeAmbit,TypeGeo,"
    "TypeSubject,Location,Depository,Published,Secretariat,Website,TitleAlt,Language,Languages,Text,"
    "TextURL,Coder,Comments,Source"
)
ROME = "Rome Statute Of The International Criminal Court (ICC)"


def party(state, treaty, title, sig="", rat="", force="", end="9999-12-31"):
    return f'{state},{treaty},"{title}",1998-07-17,9999-12-31,1998-07-17,{sig},{rat},2002-07-01,{force},,{end},Tan,'


@pytest.fixture
def treaty_files(tmp_path) -> tuple[Path, Path]:
    agreements = write(
        tmp_path / "agreements_GGO.csv",
        [
            AGREEMENTS_HEADER,
            f'STTICC_1998A,"{ROME}",1998-07-17,9999-12-31,1998-07-17,2002-07-01' + "," * 20,
            "BROKEN_1900A,Too short",  # wrong column count
        ],
    )
    parties = write(
        tmp_path / "parties_GGO.csv",
        [
            PARTIES_HEADER,
            party("BDI", "STTICC_1998A", ROME, "1999-01-13", "2004-09-21", "2004-12-01", "2017-10-27"),
            party("DEU", "STTICC_1998A", ROME, "1998-12-10", "2000-12-11", "2002-07-01"),
            party("USA", "STTICC_1998A", ROME, "2000-12-31", "", "", "9999-12-31"),
            party("EUE", "STTICC_1998A", ROME, "2000-01-01"),  # not a state
            party("FRA", "STTICC_1998A", ROME, "2001-13-45"),  # not a date
            party("ALG", "OLDTRT_1950A", "Old Treaty", "1950", "", "1951-03", "1960-05"),  # coarse dates
            party("KEN", "OLDTRT_1950A", "Old Treaty", "", "", "1970-01-01", "1960-12-31"),  # exit before joining
            party("ITA", "OLDTRT_1950A", "Old Treaty, Amended", "1952-02-02?"),  # uncertain
            "CHN,STTICC_1998A,only three",  # wrong column count
        ],
    )
    return parties, agreements


def participation(store, state, treaty):
    rows = select(
        store,
        f"""
        SELECT ?r ?sig ?rat ?force ?exit ?prec ?comment WHERE {{
          ?r a lat:TreatyParticipation ; lat:party lat-id:state/{state} ; lat:treaty lat-id:treaty/{treaty} .
          OPTIONAL {{ ?r lat:signatureDate ?sig }} OPTIONAL {{ ?r lat:ratificationDate ?rat }}
          OPTIONAL {{ ?r lat:entryIntoForceDate ?force }} OPTIONAL {{ ?r lat:exitDate ?exit }}
          OPTIONAL {{ ?r lat:temporalPrecision ?prec }} OPTIONAL {{ ?r rdfs:comment ?comment }} }}""",
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_treaty_dates_per_state(treaty_files, tmp_path):
    parties, agreements = treaty_files
    store = load(import_file("treaties", parties, agreements, out=tmp_path / "t.nq", link=False))
    bdi = participation(store, "BDI", "STTICC_1998A")
    assert (bdi["sig"], bdi["rat"], bdi["force"], bdi["exit"], bdi["prec"]) == (
        "1999-01-13",
        "2004-09-21",
        "2004-12-01",
        "2017-10-27",
        "day",
    )
    assert participation(store, "DEU", "STTICC_1998A")["exit"] is None  # 9999-12-31 = open-ended
    usa = participation(store, "USA", "STTICC_1998A")
    assert (usa["sig"], usa["rat"], usa["force"]) == ("2000-12-31", None, None)
    label = select(store, "SELECT ?l ?id WHERE { lat-id:treaty/STTICC_1998A rdfs:label ?l ; lat:ggoTreatyId ?id }")
    assert label == [{"l": ROME, "id": "STTICC_1998A"}]
    assert_integrity(store)


def test_treaty_coarse_uncertain_and_inconsistent_dates(treaty_files, tmp_path):
    parties, agreements = treaty_files
    store = load(import_file("treaties", parties, agreements, out=tmp_path / "t.nq", link=False))
    alg = participation(store, "DZA", "OLDTRT_1950A")  # ALG is COW's code for Algeria
    assert (alg["sig"], alg["force"], alg["exit"], alg["prec"]) == ("1950-01-01", "1951-03-01", "1960-05-31", "year")
    ken = participation(store, "KEN", "OLDTRT_1950A")
    assert ken["exit"] is None and ken["force"] == "1970-01-01" and "left out" in ken["comment"]
    ita = participation(store, "ITA", "OLDTRT_1950A")
    assert ita["sig"] == "1952-02-02" and "uncertain" in ita["comment"]
    # a treaty known only from the parties file still gets a node, with both titles
    titles = select(store, "SELECT ?l ?alt WHERE { lat-id:treaty/OLDTRT_1950A rdfs:label ?l ; skos:altLabel ?alt }")
    assert titles == [{"l": "Old Treaty", "alt": "Old Treaty, Amended"}]


def test_treaty_rejects(treaty_files, tmp_path, capsys):
    parties, agreements = treaty_files
    import_file("treaties", parties, agreements, out=tmp_path / "t.nq", link=False)
    err = capsys.readouterr().err
    assert "rejected 4 row(s)" in err
    assert f"{agreements}:3: expected 26 columns, found 2" in err
    assert f"{parties}:5: party 'EUE' is not a state with an ISO 3166 code" in err
    assert f"{parties}:6: StateSignature: '2001-13-45' is not a calendar date" in err
    assert f"{parties}:10: expected 14 columns, found 3" in err


# --------------------------------------------------------------------------- states


def test_state_codes():
    from kg.importers.states import COW_STATES, StateMapper

    m = StateMapper()
    assert m.from_code("AUS").iso3 == "AUS"  # ISO first: Australia, not COW's Austria
    assert m.from_code("ALG").iso3 == "DZA"  # COW abbreviation
    assert m.from_code("ROM").iso3 == "ROU"
    assert m.from_code("DDR").iso3 == "DDR"  # former ISO code
    assert m.from_code("KOS").iso3 == "XKX"
    assert m.from_code("", "484").iso3 == "COG"  # COW number when the code is empty
    assert m.from_code("RVN") is None and m.from_code("EUE") is None and m.from_code("EC") is None
    assert m.from_cow_column("austria").iso3 == "AUT" and m.from_cow_column("austria").cow_code == 305
    assert m.from_cow_column("baden") is None and m.known_cow_column("baden")
    assert m.from_ccode(900).iri == ID + "state/AUS"
    # every ISO code in the table is real, and only the documented merges share one
    isos = [iso for *_, iso in COW_STATES if iso]
    assert all(m.is_iso3(i) for i in isos)
    shared = {i for i in isos if isos.count(i) > 1}
    assert shared == {"DEU", "YEM"}


def test_countries_table_adds_name_aliases(tmp_path):
    from kg.importers.states import StateMapper

    table = write(
        tmp_path / "countries.tsv", ["name_short\tname_official\tISO2\tISO3", "Narnia Test\tRepublic of Test\tEC\tECU"]
    )
    m = StateMapper(table)
    assert m.from_code("Narnia Test").iso3 == "ECU"
    assert m.from_code("EC") is None  # two-letter codes are not trusted


# --------------------------------------------------------------------------- command line


def test_cli_writes_to_imports_folder(cow_file, lattice_home, run_kg):
    res = run_kg("import", "cow-igo", cow_file, "--no-link")
    assert res.returncode == 0, res.stderr
    out = lattice_home / "imports" / "cow-igo.nq"
    assert out.is_file() and "triples ->" in res.stderr
    assert "\r" not in res.stderr and "B/s" not in res.stderr  # no progress bar when stderr is not a terminal
    assert [p.name for p in out.parent.iterdir()] == ["cow-igo.nq"]


def test_cli_bad_input_exits_2_with_location(tmp_path, lattice_home, run_kg):
    path = write(tmp_path / "x.csv", ["igoID,stateID", "FSB,AUS"])
    res = run_kg("import", "migo", path)
    assert res.returncode == 2
    assert f"{path}:1: " in res.stderr and "Traceback" not in res.stderr
    assert not (lattice_home / "imports" / "migo.nq").exists()


def test_cli_progress_bar_on_request(cow_file, tmp_path, run_kg):
    res = run_kg("import", "cow-igo", cow_file, "--output", tmp_path / "p.nq", "--progress", "always")
    assert res.returncode == 0, res.stderr
    assert "COW IGO" in res.stderr  # the bar's label


# --------------------------------------------------------------------------- IIGO

IIGO_ORG_HEADER = (
    "igoID,Title,Begin,End,End_reason,Regional,Nbr.,Domain,Nbr State Mbrs 2017 (or end),"
    "Ind. Sec. Year,Formal Treaty Year,Follow-on IGO"
)
IIGO_MEMBER_HEADER = "stateID,StateName,igoID,Title,Begin,End,Year"


@pytest.fixture
def iigo_files(tmp_path) -> tuple[Path, Path]:
    orgs = write(
        tmp_path / "organizations_IIGO.csv",
        [
            IIGO_ORG_HEADER,
            "CGX,Contact Group (Test),1994,2006,2,0,51,Security,2,,,0",
            "QX,Quartet Test,2002,,0,0,3,Security,2,,,Superseded by nothing in particular",
            "QX,Another Body,2005,,0,0,3,Security,2,,,0",  # igoID used twice
            "BAD,Bad Years,19x4,,0,0,3,Security,2,,,0",  # non-numeric year
        ],
    )
    members = write(
        tmp_path / "memberships_IIGO.csv",
        [
            IIGO_MEMBER_HEADER,
            "FRA,France,CGX,Contact Group (Test),1994,2006,2017",
            "ALG,Algeria,QX,Quartet Test,2002,,2017",
            "USA,United States,QX,Another Body,2005,,2017",  # belongs to the duplicate
            "XYZ,Nowhere,QX,Quartet Test,2002,,2017",  # unknown state
            "DEU,Germany,RX,Roster Only,1999,,2017",  # body only in the roster
        ],
    )
    return orgs, members


def test_iigo_bodies_and_rosters(iigo_files, tmp_path, capsys):
    orgs, members = iigo_files
    store = load(import_file("iigo", orgs, members, out=tmp_path / "i.nq", link=False))
    body = select(
        store,
        """SELECT ?f ?d ?id WHERE { lat-id:iigo/CGX lat:foundingDate ?f ;
        lat:dissolutionDate ?d ; lat:iigoId ?id }""",
    )
    assert body == [{"f": "1994-01-01", "d": "2006-12-31", "id": "CGX"}]
    rows = select(
        store,
        """SELECT ?state ?org ?start ?end WHERE { ?m a org:Membership ; org:member ?state ;
        org:organization ?org . OPTIONAL { ?m lat:startDate ?start } OPTIONAL { ?m lat:endDate ?end } }""",
    )
    got = {(r["state"].rsplit("/", 1)[1], r["org"].rsplit("/", 1)[1], r["start"], r["end"]) for r in rows}
    # rosters carry no join dates; a body's end closes its memberships
    assert got == {("FRA", "CGX", None, "2006-12-31"), ("DZA", "QX", None, None), ("DEU", "RX", None, None)}
    assert_integrity(store)
    err = capsys.readouterr().err
    assert f"{orgs}:4: igoID QX is used again" in err
    assert f"{orgs}:5: Begin '19x4' is not a year" in err
    assert f"{members}:4: igoID QX here means 'Another Body'" in err
    assert f"{members}:5: unknown state code 'XYZ' (Nowhere)" in err


def test_an_import_validates_on_its_own_with_the_register_of_data_sets(migo_file, tmp_path):
    """The curated graph describes the data set, so the import only cites it; `kg validate FILE` adds the
    register of cited data sets with the ontology, and without it every record's source is unknown."""
    from kg import paths
    from kg.fileio import load_rdf as load_files
    from kg.validate import validate

    out = import_file("migo", migo_file, out=tmp_path / "migo.nq", curated=paths.PACKAGE_DIR / "data")
    source_results = lambda rep: [r for r in rep.results if r.shape.endswith("#EveryFactHasSource")]  # noqa: E731
    assert source_results(validate([out], with_ontology=True)) == []
    bare = load_files([out, *paths.ontology_modules()])
    assert source_results(validate(bare))


def test_the_data_set_is_described_as_the_register_says(migo_file, tmp_path):
    """Title, version, citation and licence are written once, in the register; an import without the curated
    graph copies them from there."""
    import pyoxigraph as ox

    from kg import paths
    from kg.importers import DatasetInfo

    register = ox.Store()
    register.load(path=str(paths.DATASETS_REGISTER), format=ox.RdfFormat.TURTLE)
    store = load(import_file("migo", migo_file, out=tmp_path / "migo.nq", link=False))
    query = (
        "SELECT ?p ?o WHERE { <https://w3id.org/lattice/id/dataset/migo-memberships> ?p ?o "
        "FILTER(?p != dcterms:description) }"
    )
    rows = lambda st: sorted((r["p"], r["o"]) for r in select(st, query))  # noqa: E731
    assert len(rows(store)) == 7 and rows(store) == rows(register)  # coverage end included
    with pytest.raises(InputError, match=r"sources-datasets\.ttl"):
        DatasetInfo.from_register("no-such-data-set")
