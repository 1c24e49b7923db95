"""Integration tests of `kg import` on the published data sets beside the checkout (skipped when absent)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kg.importers import import_file
from tests.test_importers import ID, assert_integrity, load, select, spells

pytestmark = pytest.mark.shared


def data_file(shared_dir: Path, *parts: str) -> Path:
    path = shared_dir.joinpath("data", *parts)
    from tests.support import need_shared

    return need_shared(path, str(path))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each real data set imported once (without curated links, so IRIs are the minted ones)."""
    from kg.paths import shared_dir
    from tests.support import need_shared

    shared = need_shared(shared_dir(), "../shared (seeds and data sets)")
    out = tmp_path_factory.mktemp("real-imports")
    cache = {}

    def get(name):
        if name not in cache:
            if name == "cow-igo":
                files = [data_file(shared, "cow-igo-v3", "igo_year_format3.csv")]
            elif name == "migo":
                files = [data_file(shared, "migo-iigo", "memberships_MIGO.csv")]
            else:
                files = [
                    data_file(shared, "treaties", "parties_GGO.csv"),
                    data_file(shared, "treaties", "agreements_GGO.csv"),
                ]
            path = import_file(name, *files, out=out / f"{name}.nq", link=False)
            cache[name] = (path, load(path))
        return cache[name]

    return get


@pytest.mark.slow
def test_china_un_membership_spells(imported):
    _, store = imported("cow-igo")
    un = select(store, 'SELECT ?o WHERE { ?o lat:cowIgoCode "UN" }')
    assert len(un) == 1
    # COW's `china` column before 1949 is the Republic of China: its seat, not the People's Republic's
    assert spells(store, "CHN", un[0]["o"]) == {("FullMember", "1971-01-01", None)}
    assert spells(store, "TWN", un[0]["o"]) == {("FullMember", "1945-01-01", "1970-12-31")}


@pytest.mark.slow
def test_cow_output_passes_integrity_expectations(imported):
    _, store = imported("cow-igo")
    assert_integrity(store)
    n = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?o a lat:IntergovernmentalOrganization }")
    assert int(n[0]["n"]) == 534  # the number of IGOs the publisher documents


@pytest.mark.slow
def test_burundi_left_the_rome_statute(imported):
    _, store = imported("treaties")
    rows = select(
        store,
        """SELECT ?exit WHERE { ?r lat:party lat-id:state/BDI ;
        lat:treaty lat-id:treaty/STTICC_1998A ; lat:exitDate ?exit }""",
    )
    assert rows == [{"exit": "2017-10-27"}]
    phl = select(
        store,
        """SELECT ?exit WHERE { ?r lat:party lat-id:state/PHL ;
        lat:treaty lat-id:treaty/STTICC_1998A ; lat:exitDate ?exit }""",
    )
    assert phl == [{"exit": "2019-03-17"}]
    assert_integrity(store)


def test_australia_in_the_fsb_from_1999(imported):
    _, store = imported("migo")
    got = spells(store, "AUS", ID + "migo/FSB")
    assert {s for s in got if s[1] == "1999-01-01"}, got
    assert min(start for _, start, _ in got) == "1999-01-01"
    assert_integrity(store)


def test_cow_state_columns_agree_with_the_cow_state_list(shared_dir):
    """The built-in COW table matches the publisher's state list and covers every state column of the IGO file."""
    from kg.importers.states import COW_STATES

    states = data_file(shared_dir, "cow-igo-v3", "states2016.csv")
    igo = data_file(shared_dir, "cow-igo-v3", "igo_year_format3.csv")
    published = {}
    with open(states, newline="") as f:
        for row in csv.DictReader(f):
            published[row["state"]] = (int(row["ccode"]), row["stateabb"])
    ours = {col: (cc, abbrev) for col, cc, abbrev, _, _ in COW_STATES}
    assert ours == published
    with open(igo, newline="") as f:
        header = next(csv.reader(f))
    columns = header[header.index("year") + 1 : header.index("sdate")]
    assert set(columns) == set(ours)


def test_iso_codes_agree_with_the_gleditsch_ward_table(shared_dir):
    """Where the shared state table gives an ISO code for a COW number, ours agrees, except documented choices."""
    from kg.importers.states import COW_STATES

    table = data_file(shared_dir, "countries", "states_GW.csv")
    theirs = {}
    with open(table, newline="") as f:
        for row in csv.DictReader(f):
            if row["cowNR"]:
                theirs.setdefault(int(row["cowNR"]), set()).add(row["stateID"])
    documented = {315: "CSK", 347: "XKX", 680: "YMD"}  # former ISO codes; Kosovo's user-assigned code
    differ = {cc: iso for _, cc, _, _, iso in COW_STATES if iso and cc in theirs and iso not in theirs[cc]}
    assert differ == documented


def test_build_takes_the_import_as_a_named_graph(imported, tmp_path, monkeypatch):
    """`kg build` lists $LATTICE_HOME/imports/migo.nq as graph lat-g:import/migo and loads it there."""
    build_mod = pytest.importorskip("kg.build")
    import pyoxigraph as ox

    path, _ = imported("migo")
    home = tmp_path / "home"
    (home / "imports").mkdir(parents=True)
    shutil.copyfile(path, home / "imports" / "migo.nq")
    monkeypatch.setenv("LATTICE_HOME", str(home))
    graph = "https://w3id.org/lattice/graph/import/migo"
    found = [s for s in build_mod.sources() if s.graph == graph]
    assert [s.path.name for s in found] == ["migo.nq"]
    store = ox.Store()
    build_mod._load(store, found[0])
    n = select(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?m a org:Membership }} }}""")
    assert int(n[0]["n"]) > 5000


def test_balkans_contact_group(shared_dir, tmp_path):
    orgs = data_file(shared_dir, "migo-iigo", "organizations_IIGO.csv")
    members = data_file(shared_dir, "migo-iigo", "memberships_IIGO.csv")
    store = load(import_file("iigo", orgs, members, out=tmp_path / "iigo.nq", link=False))
    body = select(store, "SELECT ?f ?d WHERE { lat-id:iigo/CGB lat:foundingDate ?f ; lat:dissolutionDate ?d }")
    assert body == [{"f": "1994-01-01", "d": "2006-12-31"}]
    states = select(store, "SELECT ?s WHERE { ?m org:organization lat-id:iigo/CGB ; org:member ?s }")
    assert {r["s"].rsplit("/", 1)[1] for r in states} == {"FRA", "DEU", "ITA", "RUS", "GBR", "USA"}
    assert_integrity(store)
