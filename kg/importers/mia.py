"""Import Measuring International Authority (Hooghe, Marks et al.): yearly delegation and pooling of IOs as Data Cube observations."""

from __future__ import annotations

import sys
from pathlib import Path

from kg.importers import LABEL, SOURCE, A, CsvSource, DatasetInfo, id_iri, integer, iri, lat, literal, parse_year, slug
from kg.importers.crosswalk import CROSSWALK_DIR, OrgResolver, decimal_cells, load_orgs
from kg.namespaces import QB

REQUIRED = ["igoID", "Title", "Year", "delegation", "pooling"]

# column -> measure property of lat:MiaAuthorityStructure (ontology/measures.ttl)
AUTHORITY = {
    "delegation": "delegationScore",
    "pooling": "poolingScore",
    "DS_sum_st": "disputeSettlementScore",
    "delaccess": "delegationAccession",
    "delsuspens": "delegationSuspension",
    "delconstit": "delegationConstitutionalReform",
    "delbudget": "delegationBudgetaryAllocation",
    "delcompliance": "delegationFinancialCompliance",
    "delpolicy": "delegationPolicyMaking",
    "del_agenda": "delegationAgendaSetting",
    "del_final": "delegationFinalDecision",
    "poolaccess": "poolingAccession",
    "poolsuspens": "poolingSuspension",
    "poolconstit": "poolingConstitutionalReform",
    "poolbudget": "poolingBudgetaryAllocation",
    "poolcompliance": "poolingFinancialCompliance",
    "poolpolicy": "poolingPolicyMaking",
    "poolagenda": "poolingAgendaSetting",
    "poolfinal": "poolingFinalDecision",
}
# column stem -> measure property of lat:MiaDisputeSettlementStructure; one observation per numbered group
DISPUTE = {
    "coverage": "dsCoverage",
    "thirdparty": "dsThirdParty",
    "tribunal": "dsTribunal",
    "binding": "dsBinding",
    "nonstate": "dsNonstateAccess",
    "remedy": "dsRemedy",
    "preliminary": "dsPreliminaryRuling",
    "DS_sum": "dsSum",
}
GROUPS = (1, 2, 3)
CUBES = {
    "mia-authority": ("MIA: authority of international organizations by year", "MiaAuthorityStructure"),
    "mia-dispute-settlement": (
        "MIA: dispute settlement arrangements of international organizations by year",
        "MiaDisputeSettlementStructure",
    ),
}


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register("mia", description=f"Imported by `kg import mia` from {Path(args.file).name}.")


def inputs(args) -> list[Path]:
    return [Path(args.file)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="Measuring International Authority: yearly delegation and pooling of IOs (Data Cube observations)",
        description="Import the MIA IO-year file (mia_delegation_pooling.csv): one qb:Observation per IO-year with "
        "delegation, pooling, the standardized dispute settlement score and their components, and one "
        "per IO-year and dispute settlement group with its seven components. Organizations are linked "
        "through the crosswalk kg/data/crosswalks/mia.csv to curated and COW IGO organizations; "
        "codes it leaves unmatched get their own node. Empty cells are left out (no record), never "
        "written as 0.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the MIA IO-year CSV file")
    p.add_argument(
        "--crosswalk",
        type=Path,
        default=CROSSWALK_DIR / "mia.csv",
        metavar="CSV",
        help="crosswalk from MIA igoID to COW IGO and curated organizations (default: the shipped table)",
    )
    return p


def write_cubes(ctx, cubes: dict) -> dict[str, str]:
    """The qb:DataSet nodes of this import, each with its structure and source; returns key -> N-Triples IRI."""
    nodes = {}
    for key, (label, structure) in cubes.items():
        node = id_iri(f"cube/{key}")
        ctx.out.add(node, A, iri(QB.DataSet))
        ctx.out.add(node, LABEL, literal(label, lang="en"))
        ctx.out.add(node, iri(QB.structure), lat(structure))
        ctx.out.add(node, SOURCE, ctx.src)
        nodes[key] = node
    return nodes


def convert(args, ctx) -> None:
    table = load_orgs(Path(args.crosswalk))
    resolver = OrgResolver(ctx, table, "mia", "miaId")
    cubes = write_cubes(ctx, CUBES)
    src = CsvSource(Path(args.file), ctx.rejects, REQUIRED, desc="MIA", progress=getattr(ctx, "progress", None))
    h = src.index
    authority = [(h[c], lat(p), c) for c, p in AUTHORITY.items() if c in h]
    groups = []
    for k in GROUPS:
        cols = [(h[f"{stem}{k}"], lat(p), f"{stem}{k}") for stem, p in DISPUTE.items() if f"{stem}{k}" in h]
        if cols:
            groups.append((k, cols))
    seen: set[tuple[str, int]] = set()
    out = ctx.out
    a, ds, qb_ds = A, iri(QB.Observation), iri(QB.dataSet)
    for line, row in src:
        code = row[h["igoID"]].strip()
        year = parse_year(row[h["Year"]])
        if not code:
            src.reject(line, "empty igoID", "empty igoID")
            continue
        if year is None:
            src.reject(line, f"Year {row[h['Year']]!r} is not a year", "non-numeric year")
            continue
        if (code, year) in seen:
            src.reject(line, f"{code} {year} appears twice; the first row is kept", "duplicate IO-year")
            continue
        cells, bad = decimal_cells(row, authority)
        values = [(prop, lit) for prop, lit, _ in cells]
        ds_values = []
        for k, cols in groups:
            if bad:
                break
            group, bad = decimal_cells(row, cols)
            vals = [(prop, lit) for prop, lit, _ in group]
            # a group whose seven components are all empty is not recorded (its DS_sum column is then 0 in the
            # file: a sum over nothing, not a measurement)
            if any(prop != lat("dsSum") for prop, _ in vals):
                ds_values.append((k, vals))
        if bad:
            src.reject(line, bad, "non-numeric value")
            continue
        seen.add((code, year))
        node = resolver.node(code, row[h["Title"]].strip(), year)
        obs = id_iri(f"obs/mia/{slug(code)}/{year}")
        out.add(obs, a, ds)
        out.add(obs, qb_ds, cubes["mia-authority"])
        out.add(obs, lat("refOrganization"), node)
        out.add(obs, lat("refYear"), integer(year))
        for prop, lit in values:
            out.add(obs, prop, lit)
        out.add(obs, SOURCE, ctx.src)
        ctx.stats.add("authority observations")
        for k, vals in ds_values:
            o = id_iri(f"obs/mia/{slug(code)}/{year}/ds{k}")
            out.add(o, a, ds)
            out.add(o, qb_ds, cubes["mia-dispute-settlement"])
            out.add(o, lat("refOrganization"), node)
            out.add(o, lat("refYear"), integer(year))
            out.add(o, lat("refDisputeSettlementGroup"), lat(f"DisputeSettlementGroup{k}"))
            for prop, lit in vals:
                out.add(o, prop, lit)
            out.add(o, SOURCE, ctx.src)
            ctx.stats.add("dispute settlement observations")
    if resolver.unlisted:
        print(
            f"warning: {len(resolver.unlisted)} igoID(s) not in the crosswalk {args.crosswalk} (given their own "
            f"node): {', '.join(sorted(resolver.unlisted))}",
            file=sys.stderr,
        )
