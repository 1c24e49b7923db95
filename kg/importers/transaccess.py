"""Import TRANSACCESS (Tallberg et al.): access of transnational actors to IO bodies by year and policy phase, as Data Cube observations."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from kg.importers import (
    LABEL,
    SOURCE,
    A,
    CsvSource,
    DatasetInfo,
    id_iri,
    integer,
    iri,
    lat,
    literal,
    org,
    parse_year,
    slug,
)
from kg.importers.crosswalk import (
    CROSSWALK_DIR,
    OrgResolver,
    decimal_cells,
    decimal_literal,
    integer_literal,
    load_bodies,
    load_orgs,
)
from kg.importers.mia import write_cubes
from kg.namespaces import QB

REQUIRED = ["igoID", "Title", "igobodyID", "igoBody", "Year", "access", "openbody", "multiple_arr"]
PHASES = (1, 2, 3, 4, 5)
PHASE_MEASURES = {
    "range": "accessRange",
    "depth": "accessDepth",
    "permanence": "accessPermanence",
    "codification": "accessCodification",
}
CUBES = {
    "transaccess-bodies": (
        "TRANSACCESS: access of transnational actors to IO bodies by year",
        "TransaccessBodyStructure",
    ),
    "transaccess-phases": (
        "TRANSACCESS: access of transnational actors to IO bodies by year and policy phase",
        "TransaccessPhaseStructure",
    ),
}


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register(
        "transaccess", description=f"Imported by `kg import transaccess` from {Path(args.file).name}."
    )


def inputs(args) -> list[Path]:
    return [Path(args.file)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="TRANSACCESS: access of transnational actors to IO bodies by year and policy phase (Data Cube)",
        description="Import the TRANSACCESS IO-body-year file (transaccess_io_body_years.csv): each body becomes "
        "an organ (lat:organOf) of its organization, with one qb:Observation per body-year (access "
        "score and flags) and one per body-year and policy phase (range, depth, permanence, "
        "codification) where the phase is open; a phase coded 0 on all four is measured closed and is "
        "recorded as lat:closedInPhase on the body-year observation, never left out). Organizations "
        "are linked through kg/data/crosswalks/transaccess.csv, bodies through "
        "transaccess-bodies.csv.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the TRANSACCESS IO-body-year CSV file")
    p.add_argument(
        "--crosswalk",
        type=Path,
        default=CROSSWALK_DIR / "transaccess.csv",
        metavar="CSV",
        help="crosswalk from TRANSACCESS igoID to COW IGO and curated organizations",
    )
    p.add_argument(
        "--body-crosswalk",
        type=Path,
        default=CROSSWALK_DIR / "transaccess-bodies.csv",
        metavar="CSV",
        help="crosswalk from TRANSACCESS igobodyID to curated bodies",
    )
    return p


def convert(args, ctx) -> None:
    resolver = OrgResolver(ctx, load_orgs(Path(args.crosswalk)), "transaccess", "transaccessId")
    body_table = load_bodies(Path(args.body_crosswalk))
    cubes = write_cubes(ctx, CUBES)
    src = CsvSource(Path(args.file), ctx.rejects, REQUIRED, desc="TRANSACCESS", progress=getattr(ctx, "progress", None))
    h = src.index
    phases = []
    for k in PHASES:
        cols = [(h[f"{stem}_{k}"], lat(p), f"{stem}_{k}") for stem, p in PHASE_MEASURES.items() if f"{stem}_{k}" in h]
        if cols:
            phases.append((k, cols))
    bodies: dict[str, str] = {}  # igobodyID -> node
    organ_of: set[tuple[str, str]] = set()  # (body node, organization node) written
    seen: set[tuple[str, int]] = set()
    out = ctx.out
    qb_obs, qb_ds = iri(QB.Observation), iri(QB.dataSet)
    for line, row in src:
        code, body_id = row[h["igoID"]].strip(), row[h["igobodyID"]].strip()
        year = parse_year(row[h["Year"]])
        if not code or not body_id:
            src.reject(line, "empty igoID or igobodyID", "empty identifier")
            continue
        if year is None:
            src.reject(line, f"Year {row[h['Year']]!r} is not a year", "non-numeric year")
            continue
        if (body_id, year) in seen:
            src.reject(line, f"body {body_id} {year} appears twice; the first row is kept", "duplicate body-year")
            continue
        access = decimal_literal(row[h["access"]]) if row[h["access"]].strip() else None
        flags = [
            (col, integer_literal(row[h[col]])) if row[h[col]].strip() else (col, None)
            for col in ("openbody", "multiple_arr")
        ]
        bad = None
        if row[h["access"]].strip() and access is None:
            bad = f"access {row[h['access']]!r} is not a number"
        for col, lit in flags:
            if bad is None and row[h[col]].strip() and lit is None:
                bad = f"{col} {row[h[col]]!r} is not an integer"
        phase_values = []
        for k, cols in phases:
            if bad:
                break
            cells, bad = decimal_cells(row, cols)
            vals = [(prop, lit, Decimal(text) == 0) for prop, lit, text in cells]
            phase_values.append((k, vals))
        if bad:
            src.reject(line, bad, "non-numeric value")
            continue
        seen.add((body_id, year))
        org_node = resolver.node(code, row[h["Title"]].strip(), year)
        body = bodies.get(body_id)
        if body is None:
            body = bodies[body_id] = _body(ctx, body_id, row[h["igoBody"]].strip(), body_table)
        if (body, org_node) not in organ_of:
            organ_of.add((body, org_node))
            out.add(body, lat("organOf"), org_node)
        obs = id_iri(f"obs/transaccess/{slug(body_id)}/{year}")
        out.add(obs, A, qb_obs)
        out.add(obs, qb_ds, cubes["transaccess-bodies"])
        out.add(obs, lat("refOrganization"), org_node)
        out.add(obs, lat("refBody"), body)
        out.add(obs, lat("refYear"), integer(year))
        if access is not None:
            out.add(obs, lat("transnationalAccess"), access)
        for col, lit in flags:
            if lit is not None:
                out.add(obs, lat("openToTransnationalActors" if col == "openbody" else "multipleArrangements"), lit)
        out.add(obs, SOURCE, ctx.src)
        ctx.stats.add("body observations")
        for k, vals in phase_values:
            if not vals:  # empty cells: no record for this phase
                continue
            if all(zero for _, _, zero in vals):
                # coded 0 on every component: measured closed in this phase, said once on the body-year
                out.add(obs, lat("closedInPhase"), lat(f"PolicyPhase{k}"))
                ctx.stats.add("closed phases")
                continue
            o = id_iri(f"obs/transaccess/{slug(body_id)}/{year}/p{k}")
            out.add(o, A, qb_obs)
            out.add(o, qb_ds, cubes["transaccess-phases"])
            out.add(o, lat("refBody"), body)
            out.add(o, lat("refYear"), integer(year))
            out.add(o, lat("refPolicyPhase"), lat(f"PolicyPhase{k}"))
            for prop, lit, _ in vals:
                out.add(o, prop, lit)
            out.add(o, SOURCE, ctx.src)
            ctx.stats.add("phase observations (open)")
    if resolver.unlisted:
        print(
            f"warning: {len(resolver.unlisted)} igoID(s) not in the crosswalk {args.crosswalk} (given their own "
            f"node): {', '.join(sorted(resolver.unlisted))}",
            file=sys.stderr,
        )


def _body(ctx, body_id: str, name: str, table: dict) -> str:
    """The node of a TRANSACCESS body: the curated body the crosswalk names, else one minted for the data set."""
    ctx.stats.add("bodies")
    curated = table.get(body_id)
    if curated and ctx.curated.link and ctx.curated.defines(curated[0]):
        node = iri(curated[0])
        ctx.stats.add("bodies linked to curated")
        ctx.out.add(node, lat("transaccessBodyId"), literal(body_id))
        return node
    node = id_iri(f"transaccess/body/{slug(body_id)}")
    ctx.out.add(node, A, org("OrganizationalUnit"))
    ctx.out.add(node, LABEL, literal(name or body_id, lang="en"))
    ctx.out.add(node, lat("transaccessBodyId"), literal(body_id))
    ctx.out.add(node, SOURCE, ctx.src)
    return node
