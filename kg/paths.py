"""Where Lattice finds its resources (ontology, shapes, queries, curated data) and its working files."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    """A resource folder: inside the installed wheel, or beside the package in a checkout."""
    packaged = PACKAGE_DIR / "_resources" / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


ONTOLOGY_DIR = _resource("ontology")
SHAPES_DIR = _resource("shapes")
QUERIES_DIR = _resource("queries")
RULES_DIR = _resource("rules")
HYGIENE_DIR = ONTOLOGY_DIR / "hygiene"
DATA_DIR = PACKAGE_DIR / "data"
DATASETS_REGISTER = DATA_DIR / "sources-datasets.ttl"  # the data sets that curated and imported records cite
CROSSWALKS_DIR = DATA_DIR / "crosswalks"  # code tables from a data set's own state codes to Lattice's states


def ontology_modules() -> list[Path]:
    """The Lattice ontology modules (ontology/*.ttl)."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))


def ontology_files() -> list[Path]:
    """The ontology modules and the local declarations of the external vocabularies."""
    return ontology_modules() + sorted((ONTOLOGY_DIR / "external").glob("*.ttl"))


def curated_files() -> list[Path]:
    """The curated instance graph (kg/data/*.ttl)."""
    return sorted(DATA_DIR.glob("*.ttl"))


def lattice_home() -> Path:
    """The folder holding builds and imports: $LATTICE_HOME, else the user's cache folder."""
    env = os.environ.get("LATTICE_HOME")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(cache) / "lattice"


def default_dataset() -> Path:
    """The default build folder."""
    return lattice_home() / "build"


def imports_dir() -> Path:
    """The folder where `kg import` leaves the data sets it converted."""
    return lattice_home() / "imports"


def shared_dir() -> Path | None:
    """The shared seeds and data sets beside a checkout ($LATTICE_SHARED overrides), if present."""
    env = os.environ.get("LATTICE_SHARED")
    candidates = [Path(env)] if env else [PACKAGE_DIR.parent.parent / "shared", Path.cwd().parent / "shared"]
    for c in candidates:
        if c.is_dir():
            return c
    return None
