"""Tests of `kg import mia` and `kg import transaccess`, their crosswalks, and `kg report principles --data real`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.importers import register
from kg.importers.crosswalk import CROSSWALK_DIR, load_bodies, load_orgs
from tests.test_importers import ID, LAT, assert_integrity, load, select, write

QB = "http://purl.org/linked-data/cube#"
REPO = Path(__file__).resolve().parent.parent


def imp(name, *files, out, curated=None, link=True, strict=False, extra=()):
    """Run `kg import NAME FILES` in-process, raising its errors."""
    parser = argparse.ArgumentParser(prog="kg")
    register(parser.add_subparsers(dest="command"))
    argv = ["import", name, *map(str, files), "--output", str(out), "--progress", "never", *map(str, extra)]
    if curated is not None:
        argv += ["--curated", str(curated)]
    if not link:
        argv.append("--no-link")
    if strict:
        argv.append("--strict")
    args = parser.parse_args(argv)
    args.func(args)
    return Path(out)


@pytest.fixture(autouse=True)
def empty_curated(tmp_path, monkeypatch):
    import kg.paths

    empty = tmp_path / "empty-curated"
    empty.mkdir()
    monkeypatch.setattr(kg.paths, "DATA_DIR", empty)


@pytest.fixture
def curated(tmp_path) -> Path:
    folder = tmp_path / "curated"
    folder.mkdir()
    (folder / "orgs.ttl").write_text(
        f"@prefix lat: <{LAT}> . @prefix lat-id: <{ID}> .\n"
        'lat-id:wto a lat:InternationalOrganization ; lat:cowIgoCode "WTO" .\n'
        'lat-id:un a lat:IntergovernmentalOrganization ; lat:cowIgoCode "UN" .\n'
        "lat-id:un-security-council a lat:IntergovernmentalOrganization ; lat:organOf lat-id:un .\n"
    )
    return folder


ORG_XWALK = [
    "source_id,source_title,first_year,last_year,cow_ionum,cow_ioname,curated,basis",
    "UN,UN,,,4400,UN,lat-id:un,test",
    "WTO,General Agreement On Tariffs And Trade,,1994,1880,GATT,,test",
    "WTO,World Trade Organization,1995,,4580,WTO,lat-id:wto,test",
    "NOPE,Nope,,,,,,unmatched: test",
]


@pytest.fixture
def org_xwalk(tmp_path) -> Path:
    return write(tmp_path / "orgs.csv", ORG_XWALK)


# --------------------------------------------------------------------------- MIA

MIA_HEADER = (
    "igoID,Title,cowigoNR,Year,delegation,pooling,DS_sum_st,delaccess,"
    "coverage1,thirdparty1,tribunal1,binding1,nonstate1,remedy1,preliminary1,DS_sum1,"
    "coverage2,thirdparty2,tribunal2,binding2,nonstate2,remedy2,preliminary2,DS_sum2"
)


@pytest.fixture
def mia_file(tmp_path) -> Path:
    return write(
        tmp_path / "mia.csv",
        [
            MIA_HEADER,
            "UN,UN,4400,1990,0.3,0.25,0.5,0.1,1,0,1,1,0,0,0,3,,,,,,,,0",
            "UN,UN,4400,1991,,0.25,0.5,0.1,1,0,1,1,0,0,0,3,,,,,,,,0",  # delegation empty: no record
            "WTO,WTO,4580,1995,0.44,0.55,0.6,0,1,1,1,1,0,0,0,4,1,1,1,1,0,0,0.5,4.5",
            "NOPE,Nope,1,2000,0.1,0.1,0,0,,,,,,,,0,,,,,,,,0",
            "UN,UN,4400,1992,high,0.2,0,0,,,,,,,,0,,,,,,,,0",  # rejected: not a number
            "UN,UN,4400,19x2,0.1,0.2,0,0,,,,,,,,0,,,,,,,,0",  # rejected: not a year
            "UN,UN,4400,1990,0.9,0.2,0,0,,,,,,,,0,,,,,,,,0",  # rejected: duplicate IO-year
            "UN,UN,4400",  # rejected: wrong column count
        ],
    )


def test_mia_observations_with_structure_and_provenance(mia_file, org_xwalk, tmp_path):
    store = load(imp("mia", mia_file, out=tmp_path / "mia.nq", extra=["--crosswalk", org_xwalk]))
    assert_integrity(store)
    rows = select(
        store,
        f"""SELECT ?d ?p ?ds ?src WHERE {{ lat-id:obs/mia/UN/1990 a <{QB}Observation> ;
        <{QB}dataSet> lat-id:cube/mia-authority ; lat:delegationScore ?d ; lat:poolingScore ?p ;
        lat:disputeSettlementScore ?ds ; dcterms:source ?src }}""",
    )
    assert rows == [{"d": "0.3", "p": "0.25", "ds": "0.5", "src": ID + "dataset/mia"}]
    cube = select(store, f"SELECT ?s WHERE {{ lat-id:cube/mia-authority <{QB}structure> ?s }}")
    assert cube == [{"s": LAT + "MiaAuthorityStructure"}]


def test_mia_empty_cell_is_no_record_not_zero(mia_file, org_xwalk, tmp_path):
    store = load(imp("mia", mia_file, out=tmp_path / "mia.nq", extra=["--crosswalk", org_xwalk]))
    assert select(store, "SELECT ?d WHERE { lat-id:obs/mia/UN/1991 lat:delegationScore ?d }") == []
    assert select(store, "SELECT ?p WHERE { lat-id:obs/mia/UN/1991 lat:poolingScore ?p }") == [{"p": "0.25"}]
    # a dispute settlement group whose seven components are empty is not observed (its DS_sum 0 is a sum over
    # nothing); a coded group is, with its components
    groups = select(store, "SELECT ?o ?g WHERE { ?o lat:refOrganization ?io ; lat:refDisputeSettlementGroup ?g }")
    assert {(r["o"].rsplit("/", 3)[-3], r["g"].rsplit("#")[-1]) for r in groups} == {
        ("UN", "DisputeSettlementGroup1"),
        ("WTO", "DisputeSettlementGroup1"),
        ("WTO", "DisputeSettlementGroup2"),
    }
    assert select(store, "SELECT ?v WHERE { lat-id:obs/mia/WTO/1995/ds2 lat:dsPreliminaryRuling ?v }") == [{"v": "0.5"}]


def test_mia_rejects_rows_with_line_numbers(mia_file, org_xwalk, tmp_path, capsys):
    imp("mia", mia_file, out=tmp_path / "mia.nq", extra=["--crosswalk", org_xwalk])
    err = capsys.readouterr().err
    assert "rejected 4 row(s)" in err
    assert f"{mia_file}:6: delegation 'high' is not a number" in err
    assert f"{mia_file}:7: Year '19x2' is not a year" in err
    assert f"{mia_file}:8: UN 1990 appears twice" in err
    assert f"{mia_file}:9: expected 24 columns, found 3" in err


def test_mia_strict_writes_nothing(mia_file, org_xwalk, tmp_path):
    target = tmp_path / "out" / "mia.nq"
    with pytest.raises(InputError) as exc:
        imp("mia", mia_file, out=target, strict=True, extra=["--crosswalk", org_xwalk])
    assert exc.value.line == 6
    assert list(target.parent.iterdir()) == []


def test_mia_crosswalk_links_curated_cow_and_minted(mia_file, org_xwalk, curated, tmp_path, capsys):
    store = load(imp("mia", mia_file, out=tmp_path / "mia.nq", curated=curated, extra=["--crosswalk", org_xwalk]))
    orgs = {
        r["o"]: r["io"]
        for r in select(store, "SELECT ?o ?io WHERE { ?o lat:delegationScore ?d ; lat:refOrganization ?io }")
    }
    assert orgs[ID + "obs/mia/UN/1990"] == ID + "un"  # curated, named by the crosswalk
    assert orgs[ID + "obs/mia/WTO/1995"] == ID + "wto"  # curated, for the years the row covers
    assert orgs[ID + "obs/mia/NOPE/2000"] == ID + "mia/NOPE"  # listed as unmatched: its own node
    # a curated node is not re-described, only given its MIA code
    assert select(store, "SELECT ?p WHERE { lat-id:un ?p ?o }") == [{"p": LAT + "miaId"}]
    minted = select(store, "SELECT ?t ?l WHERE { lat-id:mia/NOPE a ?t ; rdfs:label ?l }")
    assert minted == [{"t": LAT + "InternationalOrganization", "l": "Nope"}]
    assert "not in the crosswalk" not in capsys.readouterr().err


def test_mia_without_curated_links_uses_cow_nodes_and_warns_on_unlisted_codes(mia_file, tmp_path, capsys):
    xwalk = write(tmp_path / "x.csv", ORG_XWALK[:2])
    store = load(imp("mia", mia_file, out=tmp_path / "mia.nq", link=False, extra=["--crosswalk", xwalk]))
    assert select(store, "SELECT ?c WHERE { lat-id:cow-igo/4400 lat:cowIgoCode ?c }") == [{"c": "UN"}]
    assert select(store, "SELECT ?t WHERE { lat-id:cow-igo/4400 a ?t }") == [
        {"t": LAT + "IntergovernmentalOrganization"}
    ]
    assert "2 igoID(s) not in the crosswalk" in capsys.readouterr().err


# --------------------------------------------------------------------------- TRANSACCESS

TA_HEADER = "igoID,Title,igobodyID,igoBody,Begin,Year,access,ID,ID_IO,ID_Body,openbody,multiple_arr," + ",".join(
    f"{m}_{k}" for k in range(1, 6) for m in ("range", "depth", "permanence", "codification")
)
Z4 = "0,0,0,0"


@pytest.fixture
def ta_file(tmp_path) -> Path:
    return write(
        tmp_path / "ta.csv",
        [
            TA_HEADER,
            (
                "WTO,General Agreement On Tariffs And Trade,18201,Session Of The Contracting Parties,1950,1994,0,1,182,"
                f"1,0,0,{Z4},{Z4},{Z4},{Z4},{Z4}"
            ),
            (
                "WTO,World Trade Organization,18201,Session Of The Contracting Parties,1950,1995,0.8,2,182,1,1,1,"
                f"2,2,1,1,1,1,0.5,1,{Z4},{Z4},{Z4}"
            ),
            f"UN,United Nations,16806,Security Council,1950,2000,0,3,168,6,0,0,{Z4},{Z4},{Z4},{Z4},{Z4}",
            f"UN,United Nations,16806,Security Council,1950,2000,0,4,168,6,0,0,{Z4},{Z4},{Z4},{Z4},{Z4}",  # duplicate
            f"UN,United Nations,16807,Commission,1950,2000,x,5,168,7,0,0,{Z4},{Z4},{Z4},{Z4},{Z4}",  # bad access
        ],
    )


@pytest.fixture
def body_xwalk(tmp_path) -> Path:
    return write(
        tmp_path / "bodies.csv",
        ["body_id,source_id,body_name,curated,basis", "16806,UN,Security Council,lat-id:un-security-council,test"],
    )


def test_transaccess_closed_phases_are_measured_not_missing(ta_file, org_xwalk, body_xwalk, tmp_path, capsys):
    store = load(
        imp(
            "transaccess",
            ta_file,
            out=tmp_path / "ta.nq",
            extra=["--crosswalk", org_xwalk, "--body-crosswalk", body_xwalk],
        )
    )
    assert_integrity(store)
    closed = select(store, "SELECT ?p WHERE { lat-id:obs/transaccess/18201/1994 lat:closedInPhase ?p }")
    assert sorted(r["p"].rsplit("#")[-1] for r in closed) == [f"PolicyPhase{k}" for k in range(1, 6)]
    # 1995: phases 1 and 2 open (their own observations), 3-5 measured closed
    closed95 = select(store, "SELECT ?p WHERE { lat-id:obs/transaccess/18201/1995 lat:closedInPhase ?p }")
    assert sorted(r["p"].rsplit("#")[-1] for r in closed95) == ["PolicyPhase3", "PolicyPhase4", "PolicyPhase5"]
    p2 = select(
        store,
        """SELECT ?r ?d ?pe ?c WHERE { lat-id:obs/transaccess/18201/1995/p2 lat:accessRange ?r ;
        lat:accessDepth ?d ; lat:accessPermanence ?pe ; lat:accessCodification ?c ; lat:refPolicyPhase lat:PolicyPhase2 }""",
    )
    assert p2 == [{"r": "1", "d": "1", "pe": "0.5", "c": "1"}]
    err = capsys.readouterr().err
    assert f"{ta_file}:5: body 16806 2000 appears twice" in err
    assert f"{ta_file}:6: access 'x' is not a number" in err


def test_transaccess_year_split_crosswalk_and_curated_body(ta_file, org_xwalk, body_xwalk, curated, tmp_path):
    store = load(
        imp(
            "transaccess",
            ta_file,
            out=tmp_path / "ta.nq",
            curated=curated,
            extra=["--crosswalk", org_xwalk, "--body-crosswalk", body_xwalk],
        )
    )
    orgs = {
        r["y"]: r["io"]
        for r in select(
            store,
            """SELECT ?y ?io WHERE {
        ?o lat:refBody lat-id:transaccess/body/18201 ; lat:refYear ?y ; lat:refOrganization ?io ;
           lat:openToTransnationalActors ?f }""",
        )
    }
    assert orgs == {"1994": ID + "cow-igo/1880", "1995": ID + "wto"}  # GATT before 1995, the WTO after
    organ_of = {r["io"] for r in select(store, "SELECT ?io WHERE { lat-id:transaccess/body/18201 lat:organOf ?io }")}
    assert organ_of == {ID + "cow-igo/1880", ID + "wto"}
    sc = select(store, "SELECT ?b WHERE { ?o lat:refBody ?b ; lat:refYear 2000 ; lat:openToTransnationalActors 0 }")
    assert sc == [{"b": ID + "un-security-council"}]


# --------------------------------------------------------------------------- crosswalk tables


@pytest.mark.parametrize(
    "lines, line, words",
    [
        (
            [
                "source_id,source_title,first_year,last_year,cow_ionum,cow_ioname,curated,basis",
                "A,A,,1990,1,X,,b",
                "A,A,1990,,2,Y,,b",
            ],
            3,
            "overlap",
        ),
        (["source_id,title"], 1, "header"),
        (
            ["source_id,source_title,first_year,last_year,cow_ionum,cow_ioname,curated,basis", "A,A,,,x,X,,b"],
            2,
            "not a number",
        ),
        (["source_id,source_title,first_year,last_year,cow_ionum,cow_ioname,curated,basis", "A,A,,,1,X,,"], 2, "basis"),
        (
            ["source_id,source_title,first_year,last_year,cow_ionum,cow_ioname,curated,basis", "A,A,,,1,X,un,b"],
            2,
            "lat-id:",
        ),
    ],
)
def test_bad_crosswalk_is_an_input_error_with_its_line(tmp_path, lines, line, words):
    path = write(tmp_path / "x.csv", lines)
    with pytest.raises(InputError) as exc:
        load_orgs(path)
    assert exc.value.line == line and words in exc.value.message


def _curated_keys() -> dict[str, str]:
    """lat:cowIgoCode -> curated entity, read from the real kg/data with rdflib (not the importer's reader)."""
    import rdflib

    from kg.paths import PACKAGE_DIR

    g = rdflib.Graph()
    for f in sorted((PACKAGE_DIR / "data").glob("*.ttl")):
        g.parse(f, format="turtle")
    return {str(o): str(s) for s, o in g.subject_objects(rdflib.URIRef(LAT + "cowIgoCode"))}, {
        str(s) for s in g.subjects()
    }


@pytest.mark.parametrize("table", ["mia.csv", "transaccess.csv"])
def test_shipped_crosswalks_agree_with_the_curated_graph(table):
    keys, subjects = _curated_keys()
    rows = load_orgs(CROSSWALK_DIR / table)
    for rs in rows.values():
        for r in rs:
            if r.curated:
                assert r.curated in subjects, (table, r.line, r.curated)
            if r.cow_ioname in keys:
                # a COW code the curated graph carries must send the row to that curated entity
                assert r.curated == keys[r.cow_ioname], (table, r.line)
            assert r.basis


def test_shipped_body_crosswalk_names_curated_bodies():
    _, subjects = _curated_keys()
    for node, line in load_bodies(CROSSWALK_DIR / "transaccess-bodies.csv").values():
        assert node in subjects, line


@pytest.mark.shared
@pytest.mark.parametrize(
    "table, data, column",
    [("mia.csv", "mia_delegation_pooling.csv", "igoID"), ("transaccess.csv", "transaccess_io_body_years.csv", "igoID")],
)
def test_shipped_crosswalks_cover_every_code_and_name_real_cow_organizations(shared_dir, table, data, column):
    pd = pytest.importorskip("pandas")
    path = shared_dir / "data" / "io-design" / data
    cow = shared_dir / "data" / "cow-igo-v3" / "igo_year_format3.csv"
    if not path.is_file() or not cow.is_file():
        pytest.skip("io-design or COW IGO data not present")
    frame = pd.read_csv(path, usecols=[column, "Year"])
    rows = load_orgs(CROSSWALK_DIR / table)
    # every (code, year) of the data set is covered by exactly one crosswalk row
    for code, years in frame.groupby(column)["Year"]:
        assert code in rows, code
        for y in years.unique():
            assert sum(r.covers(int(y)) for r in rows[code]) == 1, (code, y)
    names = pd.read_csv(cow, usecols=["ioname", "ionum"], encoding="latin-1").drop_duplicates("ionum")
    cow_names = dict(zip(names.ionum.astype(int), names.ioname))
    for rs in rows.values():
        for r in rs:
            if r.cow_ionum is not None:
                assert cow_names.get(r.cow_ionum) == r.cow_ioname, (table, r.line)
            else:
                assert r.basis.startswith("unmatched") or r.curated, (table, r.line)


def test_kg_import_lists_the_new_importers(run_kg):
    res = run_kg("import", "--help")
    assert "mia" in res.stdout and "transaccess" in res.stdout
