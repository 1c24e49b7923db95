"""`kg synth`: a deterministic synthetic governance graph of a requested size, with planted violations.

Longer than 600 lines on purpose: one Generator whose methods each write one kind of record from one
seeded random stream; split across modules, the order of draws (and so every generated file) would be
harder to keep stable.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from kg import namespaces as ns
from kg.cliopts import add_output
from kg.errors import UsageError
from kg.namespaces import DCTERMS, ORG, OWL, RDF, RDFS, XSD
from kg.version import __version__

FORMATS = {".nt": "ntriples", ".nq": "nquads", ".ttl": "turtle"}

# The kinds of planted violation, what each breaks, and the shape family expected to catch it.
VIOLATION_KINDS = {
    "end-before-start": "a membership or accountability record whose lat:endDate precedes its lat:startDate",
    "missing-source": "a membership or accountability record without dcterms:source",
    "wrong-date-datatype": "a record whose lat:startDate is a plain string instead of an xsd:date",
    "two-component-of": "a government institution that is lat:componentOf two different states",
    "network-without-accountable-core": "a government network whose members are only non-state actors, "
    "none answering through any chain to a national constituency",
    "ngo-without-downward-accountability": "an NGO that declares upward accountability only",
    "supranational-without-checks": "a supranational institution with no accountability relation and no "
    "national counterpart it relies on",
}

# Record-level kinds, chosen for a membership or accountability record picked for a violation.
RECORD_KINDS = ("end-before-start", "missing-source", "wrong-date-datatype")


def _x(local: str) -> str:
    return f"<{ns.LAT}{local}>"


A = f"<{RDF.type}>"
LABEL = f"<{RDFS.label}>"
SOURCE = f"<{DCTERMS.source}>"
P = {
    name: _x(name)
    for name in (
        "componentOf",
        "subunitOf",
        "constituencyOf",
        "iso3",
        "officialName",
        "function",
        "formality",
        "networkScope",
        "networkLevel",
        "counterpartOf",
        "regionalBodyOf",
        "hostedBy",
        "decisionMethod",
        "foundingDate",
        "membershipStatus",
        "startDate",
        "endDate",
        "temporalPrecision",
        "accountableActor",
        "forum",
        "mechanism",
        "direction",
        "basis",
        "derivation",
        "reliesOn",
        "complementaryTo",
        "purpose",
        "addressesChallenge",
        "participationLevel",
        "relationToSystem",
        "participationVoluntary",
        "hasDomesticValueTest",
        "mandate",
        "countOf",
        "count",
        "countedKind",
        "observationDate",
        "cowIgoCode",
        "membershipCriterion",
    )
}
MEMBER = f"<{ORG.member}>"
ORGANIZATION = f"<{ORG.organization}>"
MEMBERSHIP = f"<{ORG.Membership}>"

# institution kinds every synthetic state has, with the slug used in their IRIs
CORE_KINDS = [
    ("Legislature", "legislature", "legislature"),
    ("Executive", "executive", "executive"),
    ("FinanceMinistry", "finance-ministry", "finance ministry"),
    ("ForeignMinistry", "foreign-ministry", "foreign ministry"),
    ("CentralBank", "central-bank", "central bank"),
    ("SupremeCourt", "supreme-court", "supreme court"),
]
AGENCY_KINDS = [
    ("RegulatoryAgency", "regulator", "regulatory agency", 6),
    ("LawEnforcementAgency", "police", "law-enforcement agency", 2),
    ("Ministry", "ministry", "ministry", 1),
]
# network kind by the kind of institution that composes it
NETWORK_OF = {
    "RegulatoryAgency": ("RegulatoryNetwork", "AgencyLevel"),
    "CentralBank": ("RegulatoryNetwork", "AgencyLevel"),
    "LawEnforcementAgency": ("LawEnforcementNetwork", "AgencyLevel"),
    "SupremeCourt": ("JudicialNetwork", "JudicialLevel"),
    "Legislature": ("LegislativeNetwork", "LegislativeLevel"),
    "FinanceMinistry": (None, "MinisterialLevel"),
    "ForeignMinistry": (None, "MinisterialLevel"),
    "Ministry": (None, "MinisterialLevel"),
}
PEER_REVIEWED = ("RegulatoryAgency", "LawEnforcementAgency")
FUNCTIONS = [
    "InformationExchange",
    "Enforcement",
    "Harmonization",
    "TechnicalAssistance",
    "PolicyCoordination",
    "RuleMaking",
]
FORMALITIES = ["Spontaneous", "ExecutiveAgreement", "WithinOrganization", "TreatyBased"]
SCOPES = ["Bilateral", "Plurilateral", "Regional", "Global"]
DECISIONS = ["Consensus", "Unanimity", "MajorityVoting", "QualifiedMajorityVoting", "WeightedVoting"]
CHALLENGES = [
    "ClimateChange",
    "Pandemics",
    "Energy",
    "NaturalResources",
    "FoodSecurity",
    "AIGovernance",
    "TransnationalCrime",
    "Terrorism",
    "Water",
    "Migration",
    "MaritimeSecurity",
    "Piracy",
    "Landmines",
    "FinancialStability",
    "MoneyLaundering",
    "ArmedConflict",
    "Environment",
    "HumanRights",
]
LEVELS = ["HeadsOfStateLevel", "MinisterialParticipation", "OfficialsLevel", "MilitaryLevel", "ExpertLevel"]
MECHANISM_SLUG = {
    "HierarchicalAccountability": "hierarchical",
    "SupervisoryAccountability": "supervisory",
    "FiscalAccountability": "fiscal",
    "LegalAccountability": "legal",
    "MarketAccountability": "market",
    "PeerAccountability": "peer",
    "PublicReputationalAccountability": "reputational",
    "ElectoralAccountability": "electoral",
}


def _lit(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _date(d: date) -> str:
    return f'"{d.isoformat()}"^^<{XSD.date}>'


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD.integer}>'


def _bool(b: bool) -> str:
    return f'"{"true" if b else "false"}"^^<{XSD.boolean}>'


def _id(local: str) -> str:
    return f"<{ns.LAT_ID}{local}>"


def _slug(iri: str) -> str:
    """The last readable part of an instance IRI (`<...id/state/USA>` -> `usa`)."""
    return iri[len(ns.LAT_ID) + 1 : -1].rsplit("/", 1)[-1].lower()


def state_codes() -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-3 codes and names, sorted by code."""
    import pycountry

    return sorted((c.alpha_3, c.name) for c in pycountry.countries)


class _Writer:
    """Writes triples as N-Triples / N-Quads lines (Turtle accepts the same lines) and counts them."""

    def __init__(self, fh, graph: str | None):
        self.fh = fh
        self.suffix = f" <{graph}> .\n" if graph else " .\n"
        self.buf: list[str] = []
        self.count = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.buf.append(f"{s} {p} {o}{self.suffix}")
        if len(self.buf) >= 20000:
            self.flush()

    def flush(self) -> None:
        self.count += len(self.buf)
        self.fh.writelines(self.buf)
        self.buf.clear()


class Generator:
    """Emits a synthetic governance graph block by block until the requested number of triples is reached."""

    def __init__(self, writer: _Writer, triples: int, seed: int, violation_rate: float):
        self.w = writer
        self.target = triples
        self.seed = seed
        self.rate = violation_rate
        self.rng = random.Random(seed)
        self.dataset = _id(f"dataset/synthetic-{seed}")
        self.used: set[str] = set()
        self.counterparts: set[tuple[str, str]] = set()
        self.top_agencies: set[str] = set()
        self.peer_reviewed: set[str] = set()
        self.state_depth: dict[str, int] = {}  # actor -> longest chain to its own state's electorate
        self.planted: list[dict] = []
        self.counts = {
            k: 0
            for k in (
                "states",
                "institutions",
                "networks",
                "organizations",
                "ngos",
                "spics",
                "supranational",
                "memberships",
                "accountability_relations",
                "count_observations",
                "non_state_actors",
            )
        }
        self.pools: dict[str, list[str]] = {}  # institution kind -> IRIs
        self.state_of: dict[str, str] = {}  # institution IRI -> state IRI
        self.states: list[tuple[str, str, str]] = []  # (state IRI, iso3, name)
        self.core: dict[str, dict[str, str]] = {}  # state IRI -> kind -> institution IRI
        self.depth: dict[str, int] = {}  # actor -> length of its longest chain to an electorate
        self.chain_actor: str | None = None
        self.chain_depth = 0
        self.n = 0  # running serial for slugs

    # ---- helpers -------------------------------------------------------------------------------
    @property
    def written(self) -> int:
        return self.w.count + len(self.w.buf)

    def unique(self, local: str) -> str:
        iri = _id(local)
        k = 2
        while iri in self.used:
            iri = _id(f"{local}--{k}")
            k += 1
        self.used.add(iri)
        return iri

    def plant(self, kind: str, focus: str) -> None:
        self.planted.append({"kind": kind, "focus": focus[1:-1]})

    def violate(self) -> bool:
        return self.rate > 0 and self.rng.random() < self.rate

    def entity(self, iri: str, cls: str, label: str) -> None:
        t = self.w.t
        t(iri, A, _x(cls))
        t(iri, LABEL, _lit(label))
        t(iri, SOURCE, self.dataset)

    def institution(self, state: str, cls: str, slug: str, label: str) -> str:
        iri = self.unique(slug)
        self.entity(iri, cls, label)
        self.w.t(iri, P["componentOf"], state)
        if self.violate():
            others = [s for s, _, _ in self.states if s != state]
            if others:
                self.w.t(iri, P["componentOf"], self.rng.choice(others))
                self.plant("two-component-of", iri)
        self.pools.setdefault(cls, []).append(iri)
        self.state_of[iri] = state
        self.counts["institutions"] += 1
        return iri

    def spell_dates(self, first_year: int, precision: str) -> tuple[date, date | None]:
        rng = self.rng
        y0 = rng.randint(first_year, 2020)
        if precision == "year":
            start = date(y0, 1, 1)
        else:
            start = date(y0, 1, 1) + timedelta(days=rng.randrange(365))
        if rng.random() < 0.7:  # most spells are still running
            return start, None
        if precision == "year":
            return start, date(rng.randint(y0, min(y0 + 30, 2023)), 12, 31)
        return start, min(start + timedelta(days=rng.randint(30, 30 * 365)), date(2024, 12, 31))

    def record_dates(self, rec: str, start: date, end: date | None, precision: str | None, kind: str | None):
        """Dates of a record, bent by a planted date violation when KIND says so."""
        t = self.w.t
        if kind == "end-before-start":
            end = start - timedelta(days=self.rng.randint(1, 3650))
        if kind == "wrong-date-datatype":
            t(rec, P["startDate"], _lit(start.isoformat()))
        else:
            t(rec, P["startDate"], _date(start))
        if end is not None:
            t(rec, P["endDate"], _date(end))
        if precision:
            t(rec, P["temporalPrecision"], _lit(precision))

    def record_kind(self, rec: str) -> str | None:
        if not self.violate():
            return None
        kind = self.rng.choice(RECORD_KINDS)
        self.plant(kind, rec)
        return kind

    def membership(
        self, member: str, body: str, status: str = "FullMember", precision: str = "day", first_year: int = 1950
    ) -> None:
        t = self.w.t
        rng = self.rng
        spells = 1 if rng.random() < 0.85 else 2
        year = first_year
        for i in range(spells):
            suffix = "" if i == 0 else f"--{i + 1}"
            rec = self.unique(f"membership/{_slug(member)}--{_slug(body)}{suffix}")
            start, end = self.spell_dates(min(year, 2020), precision)
            if i + 1 < spells and end is None:
                end = date(min(start.year + rng.randint(1, 10), 2021), 12, 31)
            kind = self.record_kind(rec)
            t(rec, A, MEMBERSHIP)
            t(rec, MEMBER, member)
            t(rec, ORGANIZATION, body)
            t(rec, P["membershipStatus"], _x(status))
            self.record_dates(rec, start, end, precision, kind)
            if kind != "missing-source":
                t(rec, SOURCE, self.dataset)
            self.counts["memberships"] += 1
            if end is None or end.year >= 2021:
                break
            year = end.year + 1

    def accountability(
        self,
        actor: str,
        forum: str,
        mechanism: str,
        basis: str,
        direction: str = "Upward",
        derivation: str = "Derived",
        start_year: int | None = None,
        plantable: bool = True,
    ) -> str:
        t = self.w.t
        rec = self.unique(f"accountability/{_slug(actor)}--{_slug(forum)}--{MECHANISM_SLUG[mechanism]}")
        kind = self.record_kind(rec) if plantable else None
        t(rec, A, _x("AccountabilityRelation"))
        t(rec, P["accountableActor"], actor)
        t(rec, P["forum"], forum)
        t(rec, P["mechanism"], _x(mechanism))
        t(rec, P["direction"], _x(direction))
        t(rec, P["basis"], _x(basis))
        t(rec, P["derivation"], _x(derivation))
        year = start_year or self.rng.randint(1950, 2015)
        self.record_dates(rec, date(year, 1, 1), None, "year", kind)
        if kind != "missing-source":
            t(rec, SOURCE, self.dataset)
        self.counts["accountability_relations"] += 1
        if forum in self.depth:
            d = self.depth[forum] + 1
            if d > self.depth.get(actor, 0):
                self.depth[actor] = d
        # the chain inside one state (agency -> ministry -> legislature -> electorate), for the chain actor
        if forum in self.state_depth and self.state_of.get(actor, actor) == self.state_of.get(forum, forum):
            d = self.state_depth[forum] + 1
            if d > self.state_depth.get(actor, 0):
                self.state_depth[actor] = d
        return rec

    # ---- blocks --------------------------------------------------------------------------------
    def header(self) -> None:
        t = self.w.t
        d = self.dataset
        t(d, A, _x("Dataset"))
        t(d, f"<{DCTERMS.title}>", _lit(f"Lattice synthetic governance graph (seed {self.seed})"))
        t(d, f"<{OWL.versionInfo}>", _lit(__version__))
        t(
            d,
            f"<{DCTERMS.bibliographicCitation}>",
            _lit(
                f"Generated by `kg synth --triples {self.target} --seed {self.seed} "
                f"--violation-rate {self.rate}`; synthetic data, not facts about the world."
            ),
        )
        t(d, f"<{DCTERMS.license}>", "<https://creativecommons.org/licenses/by/4.0/>")

    def state(self, iso3: str, name: str) -> None:
        t = self.w.t
        s = _id(f"state/{iso3}")
        self.used.add(s)
        self.entity(s, "State", name)
        t(s, P["iso3"], _lit(iso3))
        self.states.append((s, iso3, name))
        self.counts["states"] += 1
        low = iso3.lower()
        electorate = self.unique(f"{low}-electorate")
        self.entity(electorate, "Electorate", f"Electorate of {name}")
        t(electorate, P["constituencyOf"], s)
        self.depth[electorate] = 0
        self.state_depth[electorate] = 0
        self.state_of[electorate] = s
        core = {"Electorate": electorate}
        for cls, slug, label in CORE_KINDS:
            core[cls] = self.institution(s, cls, f"{low}-{slug}", f"{label} of {name}")
        self.core[s] = core
        leg, exe = core["Legislature"], core["Executive"]
        self.accountability(leg, electorate, "ElectoralAccountability", "ConstitutionBasis", plantable=False)
        self.accountability(exe, leg, "SupervisoryAccountability", "ConstitutionBasis")
        for cls in ("FinanceMinistry", "ForeignMinistry"):
            self.accountability(core[cls], exe, "HierarchicalAccountability", "ConstitutionBasis")
            self.accountability(core[cls], leg, "SupervisoryAccountability", "ConstitutionBasis")
        self.accountability(core["CentralBank"], leg, "SupervisoryAccountability", "StatuteBasis")
        self.accountability(core["SupremeCourt"], leg, "SupervisoryAccountability", "ConstitutionBasis")
        if self.rng.random() < 0.5:  # about half of the states have a separate constitutional court
            cc = self.institution(
                s, "ConstitutionalCourt", f"{low}-constitutional-court", f"constitutional court of {name}"
            )
            core["ConstitutionalCourt"] = cc
            self.accountability(cc, leg, "SupervisoryAccountability", "ConstitutionBasis")

    def agency(self) -> None:
        rng = self.rng
        s, iso3, name = rng.choice(self.states)
        core = self.core[s]
        cls, slug, label, _ = rng.choices(AGENCY_KINDS, weights=[k[3] for k in AGENCY_KINDS])[0]
        self.n += 1
        iri = self.institution(s, cls, f"{iso3.lower()}-{slug}-{self.n}", f"{label} {self.n} of {name}")
        leg = core["Legislature"]
        if cls == "Ministry":
            self.accountability(iri, core["Executive"], "HierarchicalAccountability", "ConstitutionBasis")
            self.accountability(iri, leg, "SupervisoryAccountability", "ConstitutionBasis")
            core.setdefault("ministries", []).append(iri)  # type: ignore[union-attr]
            return
        # parent: a ministry of the state, or (for a sub-agency) another agency of the state
        # agencies that may take sub-agencies: at most two levels below a ministry, as in real administrations
        agencies = core.setdefault("agencies", [])  # type: ignore[assignment]
        nested = False
        if agencies and rng.random() < 0.25:
            parent = rng.choice(agencies)
            self.w.t(iri, P["subunitOf"], parent)
            nested = True
        else:
            ministries = core.get("ministries") or [core["FinanceMinistry"]]
            parent = rng.choice([*ministries, core["FinanceMinistry"]])
        self.accountability(iri, parent, "HierarchicalAccountability", "StatuteBasis")
        if rng.random() < 0.3:
            committees = core.setdefault("committees", [])  # type: ignore[assignment]
            if not committees or rng.random() < 0.3:
                self.n += 1
                com = self.institution(
                    s,
                    "LegislativeCommittee",
                    f"{iso3.lower()}-committee-{self.n}",
                    f"legislative committee {self.n} of {name}",
                )
                self.w.t(com, P["subunitOf"], leg)
                self.accountability(com, leg, "HierarchicalAccountability", "ConstitutionBasis")
                committees.append(com)
            self.accountability(iri, rng.choice(committees), "SupervisoryAccountability", "StatuteBasis")
        if rng.random() < 0.15:
            self.accountability(iri, core["SupremeCourt"], "LegalAccountability", "StatuteBasis")
        if not nested or parent in self.top_agencies:
            agencies.append(iri)
            if not nested:
                self.top_agencies.add(iri)
        # the benchmark's chain actor: the agency with the longest chain inside its own state
        if self.chain_actor is None or self.state_depth.get(iri, 0) > self.chain_depth:
            self.chain_actor, self.chain_depth = iri, self.state_depth.get(iri, 0)

    def non_state(self, cls: str, label: str) -> str:
        self.n += 1
        iri = self.unique(f"{cls.lower()}-{self.n}")
        self.entity(iri, cls, f"{label} {self.n}")
        self.counts["non_state_actors"] += 1
        return iri

    def network(self) -> None:
        rng = self.rng
        t = self.w.t
        self.n += 1
        member_kind = rng.choice([k for k in NETWORK_OF if len(self.pools.get(k, [])) >= 3] or ["CentralBank"])
        special, level = NETWORK_OF[member_kind]
        coreless = self.violate()
        net = self.unique(f"network-{self.n}")
        cls = special or "HorizontalNetwork"
        self.entity(net, cls, f"network {self.n} of {member_kind} bodies")
        if special:
            t(net, A, _x("HorizontalNetwork"))
        for f in rng.sample(FUNCTIONS, rng.randint(1, 2)):
            t(net, P["function"], _x(f))
        t(net, P["formality"], _x(rng.choice(FORMALITIES)))
        t(net, P["networkScope"], _x(rng.choice(SCOPES)))
        t(net, P["networkLevel"], _x(level))
        founded = rng.randint(1960, 2015)
        t(net, P["foundingDate"], _date(date(founded, 1, 1)))
        t(net, P["temporalPrecision"], _lit("year"))
        self.counts["networks"] += 1
        size = min(int(rng.paretovariate(1.3) * 6), 120)
        if coreless:
            self.plant("network-without-accountable-core", net)
            members = [
                self.non_state(rng.choice(["Corporation", "StakeholderGroup"]), "private member")
                for _ in range(max(2, min(size, 8)))
            ]
        else:
            pool = self.pools[member_kind]
            members = rng.sample(pool, min(size, len(pool)))
        for m in members:
            self.membership(
                m, net, rng.choice(["FullMember"] * 8 + ["AssociateMember", "ObserverMember"]), "day", founded
            )
        if coreless:
            return
        for m in rng.sample(members, min(len(members), rng.randint(1, 3))):
            self.accountability(net, m, "SupervisoryAccountability", "MoUBasis")
        if member_kind in PEER_REVIEWED and rng.random() < 0.25:
            # peer review: some member agencies answer to the network (cycles, as in real networks). Only
            # agencies, at most one review each: the core institutions every chain of a state passes through
            # (ministries, legislature) answer to their own state, not to networks.
            for m in rng.sample(members, min(len(members), rng.randint(1, 3))):
                if m not in self.peer_reviewed:
                    self.peer_reviewed.add(m)
                    self.accountability(m, net, "PeerAccountability", "MoUBasis")
        if len(members) >= 2 and rng.random() < 0.3:
            a, b = rng.sample(members, 2)
            if self.state_of.get(a) != self.state_of.get(b) and (a, b) not in self.counterparts:
                self.counterparts.add((a, b))
                t(a, P["counterpartOf"], b)

    def organization(self) -> None:
        rng = self.rng
        t = self.w.t
        self.n += 1
        org = self.unique(f"igo-{self.n}")
        self.entity(org, "IntergovernmentalOrganization", f"intergovernmental organization {self.n}")
        founded = rng.randint(1900, 2010)
        t(org, P["foundingDate"], _date(date(founded, 1, 1)))
        t(org, P["temporalPrecision"], _lit("year"))
        t(org, P["decisionMethod"], _x(rng.choice(DECISIONS)))
        t(org, P["cowIgoCode"], _lit(f"SYN{self.n}"))
        self.counts["organizations"] += 1
        size = min(int(rng.paretovariate(1.1) * 8), len(self.states))
        members = rng.sample(self.states, size)
        for s, _, _ in members:
            status = rng.choice(["FullMember"] * 12 + ["AssociateMember", "ObserverMember"])
            self.membership(s, org, status, "year", max(founded, 1945))
        for s, _, _ in members[: rng.randint(1, 3)]:
            self.accountability(org, self.core[s]["ForeignMinistry"], "SupervisoryAccountability", "TreatyBasis")
        if rng.random() < 0.3:
            self.n += 1
            obs = self.unique(f"count/{_slug(org)}--{self.n}")
            t(obs, A, _x("CountObservation"))
            t(obs, P["countOf"], org)
            t(obs, P["count"], _int(size))
            t(obs, P["countedKind"], _lit("states"))
            t(obs, P["observationDate"], _date(date(rng.randint(max(founded, 1950), 2020), 12, 31)))
            t(obs, SOURCE, self.dataset)
            self.counts["count_observations"] += 1

    def ngo(self) -> None:
        rng = self.rng
        ngo = self.non_state("NGO", "non-governmental organization")
        self.counts["ngos"] += 1
        funder = rng.choice(
            [
                self.non_state("Corporation", "donor foundation"),
                self.core[rng.choice(self.states)[0]]["FinanceMinistry"],
            ]
        )
        self.accountability(ngo, funder, "FiscalAccountability", "FundingAgreementBasis", "Upward")
        if self.violate():
            self.plant("ngo-without-downward-accountability", ngo)
            return
        group = self.non_state("BeneficiaryGroup", "beneficiaries of NGO work")
        self.accountability(ngo, group, "PublicReputationalAccountability", "CharterBasis", "Downward")

    def spic(self) -> None:
        rng = self.rng
        t = self.w.t
        self.n += 1
        sp = self.unique(f"collaboration-{self.n}")
        challenge = rng.choice(CHALLENGES)
        self.entity(
            sp,
            rng.choice(["SpecialPurposeCollaboration"] * 3 + ["ContactGroup"]),
            f"special purpose collaboration {self.n}",
        )
        t(sp, P["purpose"], _lit(f"address {challenge} (synthetic)"))
        t(sp, P["addressesChallenge"], _x(challenge))
        t(sp, P["participationLevel"], _x(rng.choice(LEVELS)))
        t(sp, P["decisionMethod"], _x(rng.choice(DECISIONS)))
        t(sp, P["relationToSystem"], _x(rng.choice(["OutsideUNSystem", "ComplementsUNSystem"])))
        t(sp, P["participationVoluntary"], _bool(True))
        t(sp, P["hasDomesticValueTest"], _bool(False))
        founded = rng.randint(1990, 2021)
        t(sp, P["foundingDate"], _date(date(founded, 1, 1) + timedelta(days=rng.randrange(365))))
        t(sp, P["temporalPrecision"], _lit("day"))
        self.counts["spics"] += 1
        members = rng.sample(self.states, min(rng.randint(3, 40), len(self.states)))
        for s, _, _ in members:
            self.membership(s, sp, "FullMember", "day", founded)
        for s, _, _ in members[:2]:
            self.accountability(sp, self.core[s]["ForeignMinistry"], "PeerAccountability", "MoUBasis")

    def supranational(self) -> None:
        rng = self.rng
        t = self.w.t
        self.n += 1
        body = self.unique(f"supranational-{self.n}")
        self.entity(body, "SupranationalInstitution", f"supranational institution {self.n}")
        t(body, P["foundingDate"], _date(date(rng.randint(1950, 2010), 1, 1)))
        t(body, P["temporalPrecision"], _lit("year"))
        self.counts["supranational"] += 1
        if self.violate():
            self.plant("supranational-without-checks", body)
            return
        kind = rng.choice(["SupremeCourt", "CentralBank", "RegulatoryAgency"])
        pool = self.pools.get(kind) or self.pools["SupremeCourt"]
        counterparts = rng.sample(pool, min(len(pool), rng.randint(3, 25)))
        self.n += 1
        vnet = self.unique(f"vertical-network-{self.n}")
        self.entity(vnet, "VerticalNetwork", f"vertical network {self.n}")
        t(vnet, P["function"], _x(rng.choice(["Enforcement", "Harmonization"])))
        t(vnet, P["networkLevel"], _x(NETWORK_OF[kind][1]))
        self.counts["networks"] += 1
        self.membership(body, vnet, "FullMember", "year", 1960)
        for c in counterparts:
            t(body, P["reliesOn"], c)
            if kind == "SupremeCourt":
                t(body, P["complementaryTo"], c)
            self.membership(c, vnet, "FullMember", "year", 1960)
        for c in counterparts[: rng.randint(1, 4)]:
            self.accountability(
                body, c, "LegalAccountability" if kind == "SupremeCourt" else "SupervisoryAccountability", "TreatyBasis"
            )
        self.accountability(vnet, rng.choice(counterparts), "PeerAccountability", "TreatyBasis")

    # ---- driver --------------------------------------------------------------------------------
    BLOCKS = (("agency", 40), ("network", 14), ("organization", 5), ("ngo", 14), ("spic", 3), ("supranational", 3))

    def run(self) -> None:
        self.header()
        codes = state_codes()
        # about 100 triples per state; states take at most ~20% of the graph
        n_states = max(5, min(len(codes), self.target // 500))
        pick = random.Random(self.seed ^ 0x5EED).sample(codes, n_states) if n_states < len(codes) else codes
        for iso3, name in sorted(pick):
            self.state(iso3, name)
        names = [b for b, _ in self.BLOCKS]
        weights = [w for _, w in self.BLOCKS]
        # at least one agency per state before networks form, so that every kind has a pool
        for _ in range(n_states):
            if self.written >= self.target:
                break
            self.agency()
        while self.written < self.target:
            getattr(self, self.rng.choices(names, weights=weights)[0])()
        self.w.flush()

    def sidecar(self) -> dict:
        by_kind = {k: 0 for k in VIOLATION_KINDS}
        for p in self.planted:
            by_kind[p["kind"]] += 1
        return {
            "generator": "kg synth",
            "kg_version": __version__,
            "seed": self.seed,
            "requested_triples": self.target,
            "triples": self.w.count,
            "violation_rate": self.rate,
            "dataset": self.dataset[1:-1],
            "counts": self.counts,
            "chain_actor": self.chain_actor[1:-1] if self.chain_actor else None,
            "chain_depth": self.chain_depth,
            "deepest_actor": max(self.depth, key=lambda a: (self.depth[a], a))[1:-1] if self.depth else None,
            "deepest_depth": max(self.depth.values(), default=0),
            "violation_kinds": VIOLATION_KINDS,
            "violations": by_kind,
            "violations_total": len(self.planted),
            "planted": self.planted,
        }


def sidecar_path(out: Path) -> Path:
    """Where the planted-violation record of OUT is written: OUT with `.violations.json` appended."""
    return out.with_name(out.name + ".violations.json")


def synth(out, triples: int, seed: int = 0, violation_rate: float = 0.01) -> dict:
    """Write a synthetic graph of about TRIPLES triples to OUT (.nt, .nq, .ttl) and its sidecar; returns the sidecar."""
    out = Path(out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"--out {out}: unknown extension (expected one of {', '.join(FORMATS)})")
    if triples < 1000:
        raise UsageError(f"--triples {triples}: at least 1000 triples are needed for a graph of this shape")
    if not 0.0 <= violation_rate <= 1.0:
        raise UsageError(f"--violation-rate {violation_rate}: must be between 0 and 1")
    out.parent.mkdir(parents=True, exist_ok=True)
    graph = ns.import_graph(out.stem) if fmt == "nquads" else None
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            if fmt == "turtle":
                fh.write(f"# Lattice synthetic governance graph; seed {seed}\n")
            gen = Generator(_Writer(fh, graph), triples, seed, violation_rate)
            gen.run()
        meta = gen.sidecar()
        meta["file"] = out.name
        meta["format"] = fmt
        side = sidecar_path(out)
        side_tmp = side.with_name(f".{side.name}.tmp-{os.getpid()}")
        side_tmp.write_text(json.dumps(meta, indent=1) + "\n")
        os.replace(tmp, out)
        os.replace(side_tmp, side)
    except BaseException:
        for p in (tmp, sidecar_path(out).with_name(f".{sidecar_path(out).name}.tmp-{os.getpid()}")):
            try:
                p.unlink()
            except OSError:
                pass
        raise
    return meta


def _count(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--triples {text!r}: not a number (e.g. 100000 or 1e6)") from None
    if value != int(value):
        raise UsageError(f"--triples {text!r}: not a whole number")
    return int(value)


def register(sub) -> None:
    """Add `kg synth` to the command line."""
    p = sub.add_parser(
        "synth",
        help="write a synthetic governance graph of a given size (for benchmarks and tests)",
        description="Write a deterministic synthetic governance graph: states with their institutions and "
        "accountability chains, government networks, intergovernmental organizations, NGOs, special purpose "
        "collaborations and supranational bodies, with membership intervals and a known number of planted "
        "integrity and principle violations (recorded in OUT.violations.json). Synthetic data, not facts.",
    )
    p.add_argument("--triples", required=True, metavar="N", help="approximate number of triples (e.g. 1e5)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same file (default 0)")
    p.add_argument(
        "--violation-rate",
        type=float,
        default=0.01,
        metavar="R",
        help="share of records and bodies given a planted violation (default 0.01)",
    )
    add_output(p, "output file: .nt, .nq or .ttl", dest="out", required=True, metavar="FILE")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run)


def run(args) -> int:
    triples = _count(args.triples)
    started = time.perf_counter()
    meta = synth(Path(args.out), triples, seed=args.seed, violation_rate=args.violation_rate)
    if not args.quiet:
        print(
            f"{args.out}: {meta['triples']} triples, {meta['violations_total']} planted violations "
            f"({time.perf_counter() - started:.1f} s); record in {sidecar_path(Path(args.out)).name}",
            file=sys.stderr,
        )
    return 0


__all__ = ["VIOLATION_KINDS", "sidecar_path", "synth"]
