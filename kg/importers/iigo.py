"""Import IIGO (Vabulas & Snidal): informal intergovernmental organizations and their member rosters."""

from __future__ import annotations

from pathlib import Path

from kg.importers import (
    COMMENT,
    LABEL,
    SOURCE,
    A,
    CsvSource,
    DatasetInfo,
    date,
    id_iri,
    iri,
    lat,
    literal,
    org,
    parse_year,
    slug,
)

ORG_COLUMNS = ["igoID", "Title", "Begin", "End"]
MEMBER_COLUMNS = ["stateID", "igoID", "Title", "Year"]


def dataset_info(args) -> DatasetInfo:
    """The data set this importer reads, as the register of cited data sets describes it."""
    return DatasetInfo.from_register(
        "iigo-2",
        description=f"Imported by `kg import iigo` from {Path(args.organizations).name} and "
        f"{Path(args.memberships).name}.",
    )


def inputs(args) -> list[Path]:
    return [Path(args.organizations), Path(args.memberships)]


def add_parser(sub, name, common):
    p = sub.add_parser(
        name,
        parents=[common],
        help="IIGO informal intergovernmental organizations (Contact Group, Quartet, Paris Club ...) and rosters",
        description="Import organizations_IIGO.csv and memberships_IIGO.csv. Each body gets its founding and "
        "end years. The membership file is a roster (members in 2017, or in the body's last year), "
        "without join dates: each roster row becomes a membership with no start date; for a body "
        "that ended, the membership ends with it.",
    )
    p.add_argument("organizations", type=Path, metavar="ORGANIZATIONS", help="organizations_IIGO.csv")
    p.add_argument("memberships", type=Path, metavar="MEMBERSHIPS", help="memberships_IIGO.csv")
    return p


def convert(args, ctx) -> None:
    progress = getattr(ctx, "progress", None)
    bodies: dict[str, tuple[str, int | None]] = {}  # igoID -> (node, end year)
    ambiguous: set[tuple[str, str]] = set()  # (igoID, title) of bodies whose igoID was taken
    orgs = CsvSource(Path(args.organizations), ctx.rejects, ORG_COLUMNS, desc="IIGO organizations", progress=progress)
    h = orgs.index
    follow = h.get("Follow-on IGO")
    for line, row in orgs:
        igo_id = row[h["igoID"]].strip()
        begin = parse_year(row[h["Begin"]])
        end_text = row[h["End"]].strip()
        end = parse_year(end_text) if end_text else None
        if not igo_id:
            orgs.reject(line, "empty igoID", "empty igoID")
            continue
        if begin is None:
            orgs.reject(line, f"Begin {row[h['Begin']]!r} is not a year", "non-numeric year")
            continue
        if end_text and end is None:
            orgs.reject(line, f"End {end_text!r} is not a year", "non-numeric year")
            continue
        if end is not None and end < begin:
            orgs.reject(line, f"End {end} before Begin {begin}", "dissolution before founding")
            continue
        if igo_id in bodies:
            orgs.reject(
                line,
                f"igoID {igo_id} is used again (for {row[h['Title']].strip()!r}); the first body keeps it",
                "duplicate igoID",
            )
            ambiguous.add((igo_id, row[h["Title"]].strip().casefold()))
            continue
        note = row[follow].strip() if follow is not None else ""
        bodies[igo_id] = (
            _body(ctx, igo_id, row[h["Title"]].strip(), begin, end, note if note not in ("", "0") else None),
            end,
        )

    members = CsvSource(Path(args.memberships), ctx.rejects, MEMBER_COLUMNS, desc="IIGO memberships", progress=progress)
    m = members.index
    for line, row in members:
        igo_id = row[m["igoID"]].strip()
        code = row[m["stateID"]].strip()
        year = parse_year(row[m["Year"]])
        if not igo_id:
            members.reject(line, "empty igoID", "empty igoID")
            continue
        if year is None:
            members.reject(line, f"Year {row[m['Year']]!r} is not a year", "non-numeric year")
            continue
        if (igo_id, row[m["Title"]].strip().casefold()) in ambiguous:
            members.reject(
                line,
                f"igoID {igo_id} here means {row[m['Title']].strip()!r}, a body whose igoID is taken by another",
                "duplicate igoID",
            )
            continue
        name = row[m["StateName"]].strip() if "StateName" in m else ""
        ref = ctx.states.from_code(code, name=name)
        if ref is None:
            members.reject(
                line,
                f"unknown state code {code!r}" + (f" ({name})" if name else "") + ": no ISO 3166 code",
                "unknown state code",
            )
            continue
        if igo_id not in bodies:
            bodies[igo_id] = (_body(ctx, igo_id, row[m["Title"]].strip(), None, None, None), None)
            ctx.stats.add("bodies known only from the roster")
        node, end = bodies[igo_id]
        rec = id_iri(f"membership/{ref.iso3}--iigo-{slug(igo_id)}--roster")
        out = ctx.out
        out.add(rec, A, org("Membership"))
        out.add(rec, org("member"), ctx.state(ref))
        out.add(rec, org("organization"), node)
        out.add(rec, lat("membershipStatus"), lat("FullMember"))
        when = end if end is not None else year
        if end is not None:
            out.add(rec, lat("endDate"), date(end, 12, 31))
            out.add(rec, lat("temporalPrecision"), literal("year"))
        out.add(
            rec,
            COMMENT,
            literal(
                f"Listed among the members in {when} by the data set's roster; the join date is not recorded.",
                lang="en",
            ),
        )
        out.add(rec, SOURCE, ctx.src)
        ctx.stats.add("memberships")


def _body(ctx, igo_id: str, title: str, begin: int | None, end: int | None, note: str | None) -> str:
    ctx.stats.add("bodies")
    linked = ctx.curated.entity("iigoId", igo_id)
    if linked:
        ctx.stats.add("bodies linked to curated")
        return iri(linked)
    node = id_iri(f"iigo/{slug(igo_id)}")
    out = ctx.out
    out.add(node, A, lat("InternationalOrganization"))
    out.add(node, LABEL, literal(title or igo_id, lang="en"))
    out.add(node, lat("iigoId"), literal(igo_id))
    if begin is not None:
        out.add(node, lat("foundingDate"), date(begin, 1, 1))
        out.add(node, lat("temporalPrecision"), literal("year"))
    if end is not None:
        out.add(node, lat("dissolutionDate"), date(end, 12, 31))
    if note:
        out.add(node, COMMENT, literal(f"Follow-on (as the data set records it): {note}", lang="en"))
    out.add(node, SOURCE, ctx.src)
    return node
