"""Map the state codes of the imported data sets (COW numbers, COW abbreviations, ISO codes) to ISO 3166-1 alpha-3."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kg.namespaces import LAT_ID

# Correlates of War state system members: (COW column name in the IGO file, ccode, COW abbreviation,
# name, ISO 3166-1 alpha-3 or None). None marks a state that never had an ISO 3166 code (the German and
# Italian states before unification, Austria-Hungary, Zanzibar, the Korean Empire, the Republic of
# Vietnam); its memberships are reported and left out. Choices worth knowing:
#  - COW keeps one code for Yugoslavia and its successor Serbia (345): mapped to SRB.
#  - Germany (255) and the German Federal Republic (260) both map to DEU; their years never overlap.
#  - Czechoslovakia, the GDR and South Yemen keep their former ISO 3166-1 codes (now in ISO 3166-3):
#    CSK, DDR, YMD. Kosovo, which has no ISO code, gets the user-assigned code XKX in common use.
#  - The Yemen Arab Republic (678) and Yemen (679) both map to YEM, North Yemen's ISO code before 1990.
COW_STATES: tuple[tuple[str, int, str, str, str | None], ...] = (
    ("usa", 2, "USA", "United States of America", "USA"),
    ("canada", 20, "CAN", "Canada", "CAN"),
    ("bahamas", 31, "BHM", "Bahamas", "BHS"),
    ("cuba", 40, "CUB", "Cuba", "CUB"),
    ("haiti", 41, "HAI", "Haiti", "HTI"),
    ("domrepublic", 42, "DOM", "Dominican Republic", "DOM"),
    ("jamaica", 51, "JAM", "Jamaica", "JAM"),
    ("trinidad", 52, "TRI", "Trinidad and Tobago", "TTO"),
    ("barbados", 53, "BAR", "Barbados", "BRB"),
    ("dominica", 54, "DMA", "Dominica", "DMA"),
    ("grenada", 55, "GRN", "Grenada", "GRD"),
    ("stlucia", 56, "SLU", "St. Lucia", "LCA"),
    ("stvincent", 57, "SVG", "St. Vincent and the Grenadines", "VCT"),
    ("antiguabarbuda", 58, "AAB", "Antigua & Barbuda", "ATG"),
    ("stkitts", 60, "SKN", "St. Kitts and Nevis", "KNA"),
    ("mexico", 70, "MEX", "Mexico", "MEX"),
    ("belize", 80, "BLZ", "Belize", "BLZ"),
    ("guatemala", 90, "GUA", "Guatemala", "GTM"),
    ("honduras", 91, "HON", "Honduras", "HND"),
    ("elsalvador", 92, "SAL", "El Salvador", "SLV"),
    ("nicaragua", 93, "NIC", "Nicaragua", "NIC"),
    ("costarica", 94, "COS", "Costa Rica", "CRI"),
    ("panama", 95, "PAN", "Panama", "PAN"),
    ("colombia", 100, "COL", "Colombia", "COL"),
    ("venezuela", 101, "VEN", "Venezuela", "VEN"),
    ("guyana", 110, "GUY", "Guyana", "GUY"),
    ("suriname", 115, "SUR", "Suriname", "SUR"),
    ("ecuador", 130, "ECU", "Ecuador", "ECU"),
    ("peru", 135, "PER", "Peru", "PER"),
    ("brazil", 140, "BRA", "Brazil", "BRA"),
    ("bolivia", 145, "BOL", "Bolivia", "BOL"),
    ("paraguay", 150, "PAR", "Paraguay", "PRY"),
    ("chile", 155, "CHL", "Chile", "CHL"),
    ("argentina", 160, "ARG", "Argentina", "ARG"),
    ("uruguay", 165, "URU", "Uruguay", "URY"),
    ("uk", 200, "UKG", "United Kingdom", "GBR"),
    ("ireland", 205, "IRE", "Ireland", "IRL"),
    ("netherlands", 210, "NTH", "Netherlands", "NLD"),
    ("belgium", 211, "BEL", "Belgium", "BEL"),
    ("luxembourg", 212, "LUX", "Luxembourg", "LUX"),
    ("france", 220, "FRN", "France", "FRA"),
    ("monaco", 221, "MNC", "Monaco", "MCO"),
    ("liechtenstein", 223, "LIE", "Liechtenstein", "LIE"),
    ("switzerland", 225, "SWZ", "Switzerland", "CHE"),
    ("spain", 230, "SPN", "Spain", "ESP"),
    ("andorra", 232, "AND", "Andorra", "AND"),
    ("portugal", 235, "POR", "Portugal", "PRT"),
    ("hanover", 240, "HAN", "Hanover", None),
    ("bavariaelect", 245, "BAV", "Bavaria", None),
    ("germany", 255, "GMY", "Germany", "DEU"),
    ("wgermany", 260, "GFR", "German Federal Republic", "DEU"),
    ("egermany", 265, "GDR", "German Democratic Republic", "DDR"),
    ("baden", 267, "BAD", "Baden", None),
    ("saxony", 269, "SAX", "Saxony", None),
    ("wurtenburg", 271, "WRT", "Wuerttemburg", None),
    ("hesseelect", 273, "HSE", "Hesse Electoral", None),
    ("hessegrand", 275, "HSG", "Hesse Grand Ducal", None),
    ("mecklenburg", 280, "MEC", "Mecklenburg Schwerin", None),
    ("poland", 290, "POL", "Poland", "POL"),
    ("austriahungary", 300, "AUH", "Austria-Hungary", None),
    ("austria", 305, "AUS", "Austria", "AUT"),
    ("hungary", 310, "HUN", "Hungary", "HUN"),
    ("czechoslovakia", 315, "CZE", "Czechoslovakia", "CSK"),
    ("czechrep", 316, "CZR", "Czech Republic", "CZE"),
    ("slovakia", 317, "SLO", "Slovakia", "SVK"),
    ("italy", 325, "ITA", "Italy", "ITA"),
    ("papalstates", 327, "PAP", "Papal States", None),
    ("twosicilies", 329, "SIC", "Two Sicilies", None),
    ("sanmarino", 331, "SNM", "San Marino", "SMR"),
    ("modena", 332, "MOD", "Modena", None),
    ("parma", 335, "PMA", "Parma", None),
    ("tuscany", 337, "TUS", "Tuscany", None),
    ("malta", 338, "MLT", "Malta", "MLT"),
    ("albania", 339, "ALB", "Albania", "ALB"),
    ("montenegro", 341, "MNG", "Montenegro", "MNE"),
    ("fyromacedonia", 343, "MAC", "Macedonia", "MKD"),
    ("croatia", 344, "CRO", "Croatia", "HRV"),
    ("yugoslaviaserb", 345, "YUG", "Yugoslavia", "SRB"),
    ("bosnia", 346, "BOS", "Bosnia and Herzegovina", "BIH"),
    ("kosovo", 347, "KOS", "Kosovo", "XKX"),
    ("slovenia", 349, "SLV", "Slovenia", "SVN"),
    ("greece", 350, "GRC", "Greece", "GRC"),
    ("cyprus", 352, "CYP", "Cyprus", "CYP"),
    ("bulgaria", 355, "BUL", "Bulgaria", "BGR"),
    ("moldova", 359, "MLD", "Moldova", "MDA"),
    ("romania", 360, "ROM", "Romania", "ROU"),
    ("russia", 365, "RUS", "Russia", "RUS"),
    ("estonia", 366, "EST", "Estonia", "EST"),
    ("latvia", 367, "LAT", "Latvia", "LVA"),
    ("lithuania", 368, "LIT", "Lithuania", "LTU"),
    ("ukraine", 369, "UKR", "Ukraine", "UKR"),
    ("belarus", 370, "BLR", "Belarus", "BLR"),
    ("armenia", 371, "ARM", "Armenia", "ARM"),
    ("georgia", 372, "GRG", "Georgia", "GEO"),
    ("azerbaijan", 373, "AZE", "Azerbaijan", "AZE"),
    ("finland", 375, "FIN", "Finland", "FIN"),
    ("sweden", 380, "SWD", "Sweden", "SWE"),
    ("norway", 385, "NOR", "Norway", "NOR"),
    ("denmark", 390, "DEN", "Denmark", "DNK"),
    ("iceland", 395, "ICE", "Iceland", "ISL"),
    ("capeverde", 402, "CAP", "Cape Verde", "CPV"),
    ("saotome", 403, "STP", "Sao Tome and Principe", "STP"),
    ("guineabissau", 404, "GNB", "Guinea-Bissau", "GNB"),
    ("eqguinea", 411, "EQG", "Equatorial Guinea", "GNQ"),
    ("gambia", 420, "GAM", "Gambia", "GMB"),
    ("mali", 432, "MLI", "Mali", "MLI"),
    ("senegal", 433, "SEN", "Senegal", "SEN"),
    ("benin", 434, "BEN", "Benin", "BEN"),
    ("mauritania", 435, "MAA", "Mauritania", "MRT"),
    ("niger", 436, "NIR", "Niger", "NER"),
    ("ivorycoast", 437, "CDI", "Ivory Coast", "CIV"),
    ("guinea", 438, "GUI", "Guinea", "GIN"),
    ("burkinafaso", 439, "BFO", "Burkina Faso", "BFA"),
    ("liberia", 450, "LBR", "Liberia", "LBR"),
    ("sierraleone", 451, "SIE", "Sierra Leone", "SLE"),
    ("ghana", 452, "GHA", "Ghana", "GHA"),
    ("togo", 461, "TOG", "Togo", "TGO"),
    ("cameroon", 471, "CAO", "Cameroon", "CMR"),
    ("nigeria", 475, "NIG", "Nigeria", "NGA"),
    ("gabon", 481, "GAB", "Gabon", "GAB"),
    ("car", 482, "CEN", "Central African Republic", "CAF"),
    ("chad", 483, "CHA", "Chad", "TCD"),
    ("congobrazz", 484, "CON", "Congo", "COG"),
    ("zaire", 490, "DRC", "Democratic Republic of the Congo", "COD"),
    ("uganda", 500, "UGA", "Uganda", "UGA"),
    ("kenya", 501, "KEN", "Kenya", "KEN"),
    ("tanzania", 510, "TAZ", "Tanzania", "TZA"),
    ("zanzibar", 511, "ZAN", "Zanzibar", None),
    ("burundi", 516, "BUI", "Burundi", "BDI"),
    ("rwanda", 517, "RWA", "Rwanda", "RWA"),
    ("somalia", 520, "SOM", "Somalia", "SOM"),
    ("djibouti", 522, "DJI", "Djibouti", "DJI"),
    ("ethiopia", 530, "ETH", "Ethiopia", "ETH"),
    ("eritrea", 531, "ERI", "Eritrea", "ERI"),
    ("angola", 540, "ANG", "Angola", "AGO"),
    ("mozambique", 541, "MZM", "Mozambique", "MOZ"),
    ("zambia", 551, "ZAM", "Zambia", "ZMB"),
    ("zimbabwe", 552, "ZIM", "Zimbabwe", "ZWE"),
    ("malawi", 553, "MAW", "Malawi", "MWI"),
    ("soafrica", 560, "SAF", "South Africa", "ZAF"),
    ("namibia", 565, "NAM", "Namibia", "NAM"),
    ("lesotho", 570, "LES", "Lesotho", "LSO"),
    ("botswana", 571, "BOT", "Botswana", "BWA"),
    ("swaziland", 572, "SWA", "Swaziland", "SWZ"),
    ("madagascar", 580, "MAG", "Madagascar", "MDG"),
    ("comoros", 581, "COM", "Comoros", "COM"),
    ("mauritius", 590, "MAS", "Mauritius", "MUS"),
    ("seychelles", 591, "SEY", "Seychelles", "SYC"),
    ("morocco", 600, "MOR", "Morocco", "MAR"),
    ("algeria", 615, "ALG", "Algeria", "DZA"),
    ("tunisia", 616, "TUN", "Tunisia", "TUN"),
    ("libya", 620, "LIB", "Libya", "LBY"),
    ("sudan", 625, "SUD", "Sudan", "SDN"),
    ("sosudan", 626, "SSD", "South Sudan", "SSD"),
    ("iran", 630, "IRN", "Iran", "IRN"),
    ("turkey", 640, "TUR", "Turkey", "TUR"),
    ("iraq", 645, "IRQ", "Iraq", "IRQ"),
    ("egypt", 651, "EGY", "Egypt", "EGY"),
    ("syria", 652, "SYR", "Syria", "SYR"),
    ("lebanon", 660, "LEB", "Lebanon", "LBN"),
    ("jordan", 663, "JOR", "Jordan", "JOR"),
    ("israel", 666, "ISR", "Israel", "ISR"),
    ("saudiarabia", 670, "SAU", "Saudi Arabia", "SAU"),
    ("nyemen", 678, "YAR", "Yemen Arab Republic", "YEM"),
    ("yemen", 679, "YEM", "Yemen", "YEM"),
    ("syemen", 680, "YPR", "Yemen People's Republic", "YMD"),
    ("kuwait", 690, "KUW", "Kuwait", "KWT"),
    ("bahrain", 692, "BAH", "Bahrain", "BHR"),
    ("qatar", 694, "QAT", "Qatar", "QAT"),
    ("uae", 696, "UAE", "United Arab Emirates", "ARE"),
    ("oman", 698, "OMA", "Oman", "OMN"),
    ("afghanistan", 700, "AFG", "Afghanistan", "AFG"),
    ("turkmenistan", 701, "TKM", "Turkmenistan", "TKM"),
    ("tajikistan", 702, "TAJ", "Tajikistan", "TJK"),
    ("kyrgyzstan", 703, "KYR", "Kyrgyzstan", "KGZ"),
    ("uzbekistan", 704, "UZB", "Uzbekistan", "UZB"),
    ("kazakhstan", 705, "KZK", "Kazakhstan", "KAZ"),
    ("china", 710, "CHN", "China", "CHN"),
    ("mongolia", 712, "MON", "Mongolia", "MNG"),
    ("taiwan", 713, "TAW", "Taiwan", "TWN"),
    ("korea", 730, "KOR", "Korea", None),
    ("nokorea", 731, "PRK", "North Korea", "PRK"),
    ("sokorea", 732, "ROK", "South Korea", "KOR"),
    ("japan", 740, "JPN", "Japan", "JPN"),
    ("india", 750, "IND", "India", "IND"),
    ("bhutan", 760, "BHU", "Bhutan", "BTN"),
    ("pakistan", 770, "PAK", "Pakistan", "PAK"),
    ("bangladesh", 771, "BNG", "Bangladesh", "BGD"),
    ("myanmar", 775, "MYA", "Myanmar", "MMR"),
    ("srilanka", 780, "SRI", "Sri Lanka", "LKA"),
    ("maldives", 781, "MAD", "Maldives", "MDV"),
    ("nepal", 790, "NEP", "Nepal", "NPL"),
    ("thailand", 800, "THI", "Thailand", "THA"),
    ("cambodia", 811, "CAM", "Cambodia", "KHM"),
    ("laos", 812, "LAO", "Laos", "LAO"),
    ("vietnam", 816, "DRV", "Vietnam", "VNM"),
    ("svietnam", 817, "RVN", "Republic of Vietnam", None),
    ("malaysia", 820, "MAL", "Malaysia", "MYS"),
    ("singapore", 830, "SIN", "Singapore", "SGP"),
    ("brunei", 835, "BRU", "Brunei", "BRN"),
    ("philippines", 840, "PHI", "Philippines", "PHL"),
    ("indonesia", 850, "INS", "Indonesia", "IDN"),
    ("etimor", 860, "ETM", "East Timor", "TLS"),
    ("australia", 900, "AUL", "Australia", "AUS"),
    ("papuanewguinea", 910, "PNG", "Papua New Guinea", "PNG"),
    ("newzealand", 920, "NEW", "New Zealand", "NZL"),
    ("vanuatu", 935, "VAN", "Vanuatu", "VUT"),
    ("solomonis", 940, "SOL", "Solomon Islands", "SLB"),
    ("kiribati", 946, "KIR", "Kiribati", "KIR"),
    ("tuvalu", 947, "TUV", "Tuvalu", "TUV"),
    ("fiji", 950, "FIJ", "Fiji", "FJI"),
    ("tonga", 955, "TON", "Tonga", "TON"),
    ("nauru", 970, "NAU", "Nauru", "NRU"),
    ("marshallis", 983, "MSI", "Marshall Islands", "MHL"),
    ("palau", 986, "PAL", "Palau", "PLW"),
    ("micronesiafs", 987, "FSM", "Federated States of Micronesia", "FSM"),
    ("wsamoa", 990, "WSM", "Samoa", "WSM"),
)

# Codes that are neither current ISO 3166-1 codes nor COW abbreviations but occur in the data sets.
EXTRA_ALIASES = {
    "XKX": "XKX",  # Kosovo, user-assigned code
    "KOSOVO": "XKX",
}

# Names for codes pycountry does not know (or names it a way no reader expects).
EXTRA_NAMES = {"XKX": "Kosovo", "SUN": "Soviet Union"}


@dataclass(frozen=True)
class Era:
    """Years in which the state a data set codes under CODE is read as another state, HOLDER.

    Correlates of War (and MIGO, which takes COW's codes) keep one code for a seat whose holder changed:
    COW 365 `russia` is the Russian Empire, the Soviet Union and the Russian Federation; COW 710 `china` is
    the Republic of China until it is coded under 713 `taiwan` in 1949, and the People's Republic after.
    The boundaries are the project's reading (docs/data.md, "Successor seats"); BOUNDARY_BASIS says why."""

    code: str  # ISO 3166 alpha-3 the data set's code maps to
    first: int  # first year (inclusive) read as HOLDER
    last: int  # last year (inclusive) read as HOLDER
    holder: str  # ISO 3166 alpha-3 (current or former) of the state read in those years


ERAS: tuple[Era, ...] = (
    Era("RUS", 1922, 1991, "SUN"),
    Era("CHN", 1912, 1948, "TWN"),
)

BOUNDARY_BASIS = {
    "SUN": "the Boix-Miller-Rosato democracy data code the Soviet Union as a state of its own in those years, "
    "while the Correlates of War codes its `russia` column without a break",
    "TWN": "the Correlates of War codes the Republic of China under `china` until the People's Republic is "
    "proclaimed and under `taiwan` after",
}

# Pairs (predecessor, successor) whose records are linked as one seat when the predecessor's spell in a
# body ends the year before (or the year) the successor's begins. Era boundaries link only at the
# boundary year; the Republic of China -> People's Republic hand-over (two COW columns) at any year.
ERA_BOUNDARIES: dict[tuple[str, str], int] = {
    **{(e.code, e.holder): e.first for e in ERAS},
    **{(e.holder, e.code): e.last + 1 for e in ERAS},
}
HANDOVERS = {("TWN", "CHN")}


def seat_links(spells) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """((successor ISO3, start), (predecessor ISO3, start)) for the spells of one body that continue a seat.

    SPELLS: (ISO3, first year, last year) of every spell of one body. A successor's spell continues a
    predecessor's when the pair is an era boundary and the successor starts in the boundary year right
    after the predecessor's last year, or the pair is a hand-over and the successor starts in the
    predecessor's last year or the year after, and the predecessor has no later spell in the body. Each
    successor spell continues at most one spell (the latest)."""
    by_state: dict[str, list[tuple[int, int]]] = {}
    for iso3, first, last in spells:
        by_state.setdefault(iso3, []).append((first, last))
    links = []
    for iso3, runs in by_state.items():
        for first, _ in runs:
            best = None
            for (pred, succ), boundary in ERA_BOUNDARIES.items():
                if succ != iso3 or first != boundary:
                    continue
                for p_first, p_last in by_state.get(pred, ()):
                    if p_last == boundary - 1 and (best is None or p_first > best[1]):
                        best = (pred, p_first)
            if best is None:
                for pred, succ in HANDOVERS:
                    if succ != iso3 or any(p_first > first for p_first, _ in by_state.get(pred, ())):
                        continue  # the predecessor comes back: the data do not show the seat passing
                    for p_first, p_last in by_state.get(pred, ()):
                        if p_first < first and first - p_last in (0, 1) and (best is None or p_first > best[1]):
                            best = (pred, p_first)
            if best is not None:
                links.append(((iso3, first), best))
    return sorted(links)


def era_note(iso3: str, start: int, dataset: str, code: str) -> str | None:
    """The explanation carried by a record whose member is read through an era (None for other records)."""
    for era in ERAS:
        if era.holder == iso3 and start <= era.last:
            return (
                f"{_sentence(dataset)} codes the member of this record under {code}; the project reads it "
                f"in these years as {iso3} because {BOUNDARY_BASIS[iso3]} (an interpretation of the data, "
                "not a statement of the data set; docs/data.md, successor seats)."
            )
    return None


def seat_note(dataset: str) -> str:
    """The explanation carried by a record that continues a seat (lat:continuesSeatOf)."""
    return (
        f"{_sentence(dataset)} codes this membership as following the linked one without a gap; the "
        "project reads it as the same seat passing to a successor (an interpretation of the data, not a "
        "statement of the data set; docs/data.md, successor seats)."
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def membership_node(iso3: str, body_slug: str, start: int) -> str:
    """The N-Triples IRI of the membership record ImportContext.membership mints for a spell."""
    return f"<{LAT_ID}membership/{iso3}--{body_slug}--{start}>"


@dataclass(frozen=True)
class StateRef:
    """A state resolved to its ISO 3166-1 alpha-3 code (and COW code when known)."""

    iso3: str
    cow_code: int | None
    name: str

    @property
    def iri(self) -> str:
        return f"{LAT_ID}state/{self.iso3}"


class StateMapper:
    """Resolve the state codes found in the data sets; unresolvable codes give None."""

    def __init__(self, countries_table: Path | None = None):
        import pycountry

        self._pc = pycountry
        self.by_column: dict[str, tuple[int, str, str | None]] = {}
        self.by_ccode: dict[int, tuple[str, str | None]] = {}
        self.by_cow_abbrev: dict[str, str | None] = {}
        self.cow_of_iso: dict[str, int] = {}
        for column, ccode, abbrev, name, iso3 in COW_STATES:
            self.by_column[column] = (ccode, name, iso3)
            self.by_ccode[ccode] = (name, iso3)
            self.by_cow_abbrev[abbrev] = iso3
            if iso3 and iso3 not in self.cow_of_iso:
                self.cow_of_iso[iso3] = ccode
        self.historic = {c.alpha_3: c.name for c in pycountry.historic_countries}
        self.aliases: dict[str, str] = dict(EXTRA_ALIASES)
        self.names: dict[str, str] = dict(EXTRA_NAMES)
        self._eras: dict[str, list[Era]] = {}
        for era in ERAS:
            self._eras.setdefault(era.code, []).append(era)
        self._era_refs: dict[str, StateRef] = {}
        if countries_table is not None:
            self._read_countries_table(Path(countries_table))

    def _read_countries_table(self, path: Path) -> None:
        """Add the short and official names of a country_converter-style table as aliases."""
        from kg.errors import InputError

        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                reader = csv.DictReader(f, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
                if not reader.fieldnames or "ISO3" not in reader.fieldnames:
                    raise InputError("countries table needs an ISO3 column", path=path, line=1)
                for row in reader:
                    iso3 = (row.get("ISO3") or "").strip().upper()
                    if not self.is_iso3(iso3):
                        continue
                    for key in ("name_short", "name_official"):
                        value = (row.get(key) or "").strip()
                        if value:
                            self.aliases.setdefault(value.upper(), iso3)
        except OSError as exc:
            raise InputError(f"cannot read countries table: {exc}", path=path) from None

    def is_iso3(self, code: str) -> bool:
        """True for a current or former ISO 3166-1 alpha-3 code (or Kosovo's XKX)."""
        if not code or len(code) != 3:
            return False
        return code in self.historic or code == "XKX" or self._pc.countries.get(alpha_3=code) is not None

    def name_of(self, iso3: str) -> str:
        """An English display name for an ISO code."""
        if iso3 in self.names:
            return self.names[iso3]
        for name, code in self.by_ccode.values():
            if code == iso3:
                return name
        country = self._pc.countries.get(alpha_3=iso3)
        if country is not None:
            return getattr(country, "common_name", None) or country.name
        return self.historic.get(iso3, iso3)

    def _ref(self, iso3: str | None) -> StateRef | None:
        if not iso3:
            return None
        return StateRef(iso3, self.cow_of_iso.get(iso3), self.name_of(iso3))

    def in_year(self, ref: StateRef, year: int) -> StateRef:
        """The state a data set's code stands for in YEAR (ERAS): the Soviet Union for Russia's code in
        1922-1991, the Republic of China (TWN) for China's code in 1912-1948; otherwise REF itself."""
        for era in self._eras.get(ref.iso3, ()):
            if era.first <= year <= era.last:
                held = self._era_refs.get(era.holder)
                if held is None:
                    ref_of_holder = self._ref(era.holder)
                    assert ref_of_holder is not None  # an era's holder is an ISO 3166 code, never empty
                    held = self._era_refs[era.holder] = ref_of_holder
                return held
        return ref

    @staticmethod
    def era_code(holder: str) -> str:
        """The code a data set writes for a state read through an era (SUN -> RUS); HOLDER otherwise."""
        return next((era.code for era in ERAS if era.holder == holder), holder)

    def has_eras(self, iso3: str) -> bool:
        """True when the state coded ISO3 is read as another state in some years (ERAS)."""
        return iso3 in self._eras

    def from_cow_column(self, column: str) -> StateRef | None:
        """The state of a state column of the COW IGO file (e.g. 'canada')."""
        entry = self.by_column.get(column.strip().lower())
        if entry is None or entry[2] is None:
            return None
        return StateRef(entry[2], entry[0], self.name_of(entry[2]))

    def known_cow_column(self, column: str) -> bool:
        """True when the column is a COW state column (even one without an ISO code)."""
        return column.strip().lower() in self.by_column

    def from_ccode(self, ccode: int) -> StateRef | None:
        """The state with COW numeric code CCODE."""
        entry = self.by_ccode.get(ccode)
        if entry is None or entry[1] is None:
            return None
        return StateRef(entry[1], ccode, self.name_of(entry[1]))

    def from_name(self, name: str) -> StateRef | None:
        """Resolve a country name written exactly as ISO 3166 (or the countries table) writes it."""
        name = (name or "").strip()
        if not name:
            return None
        if name.upper() in self.aliases:
            return self._ref(self.aliases[name.upper()])
        for field in ("name", "official_name", "common_name"):
            country = self._pc.countries.get(**{field: name})  # type: ignore[arg-type]  # the stub lets **kw fill `default`
            if country is not None:
                return self._ref(country.alpha_3)
        return None

    def from_code(self, code: str, cow_code: str | int | None = None, name: str | None = None) -> StateRef | None:
        """Resolve an ISO alpha-3 code, a COW abbreviation (e.g. ALG), a known alias, a COW number, or a name."""
        code = (code or "").strip()
        upper = code.upper()
        if len(upper) == 3 and self.is_iso3(upper):
            return self._ref(upper)
        if self.by_cow_abbrev.get(upper):
            return self._ref(self.by_cow_abbrev[upper])
        if upper in self.aliases:
            return self._ref(self.aliases[upper])
        if cow_code not in (None, ""):
            try:
                ref = self.from_ccode(int(float(cow_code)))
            except (TypeError, ValueError):
                ref = None
            if ref is not None:
                return ref
        return self.from_name(name) if name else None
