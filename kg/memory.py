"""The memory a build or a validation may use, and whether its inputs fit in it or go on disk."""

from __future__ import annotations

import os
import re
from pathlib import Path

MEMORY_ENV = "LATTICE_MEMORY"  # e.g. "4G", "512M", a number of bytes; unset: most of what the machine has free
SHARE_OF_AVAILABLE = 0.75  # of the memory available when the command starts, when MEMORY_ENV is unset

# Bytes of input per triple, by file extension (a Turtle triple shares its subject and prefixes with others).
BYTES_PER_TRIPLE = {".nt": 150, ".nq": 150, ".ttl": 40, ".trig": 40}
OTHER_BYTES_PER_TRIPLE = 80

# Peak resident memory per triple when the work happens in memory, measured on the synthetic graph of 10^7
# triples (bench/run.py --huge): per input triple, the build holds the inferences too and validation its
# worker processes; per triple of the built dataset, serving holds it loaded.
PEAK_PER_TRIPLE = {"build": 950, "validate": 1100, "serve": 400}
BASE_PEAK = 300 << 20  # the interpreter, the libraries and the schema

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from a size such as "4G", "512M", "1.5g" or "1000000"; ValueError otherwise."""
    m = _SIZE.match(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (expected a number of bytes, or e.g. 512M, 4G)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def available() -> int | None:
    """The memory the system reports available now (Linux MemAvailable), or None when it cannot be read."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def budget() -> int | None:
    """The bytes a command may hold in memory: LATTICE_MEMORY, else a share of what is available; None when
    unknown (everything then stays in memory)."""
    from kg.errors import UsageError

    text = os.environ.get(MEMORY_ENV, "").strip()
    if text:
        try:
            return parse_size(text)
        except ValueError as exc:
            raise UsageError(f"{MEMORY_ENV}: {exc}") from None
    free = available()
    return int(free * SHARE_OF_AVAILABLE) if free is not None else None


def estimated_triples(files) -> int:
    """About how many triples FILES hold, from their sizes."""
    total = 0
    for f in files:
        try:
            size = Path(f).stat().st_size
        except OSError:
            continue
        total += size // BYTES_PER_TRIPLE.get(Path(f).suffix.lower(), OTHER_BYTES_PER_TRIPLE)
    return total


def estimated_peak(files, work: str) -> int:
    """About how many bytes WORK ("build" or "validate") of FILES would hold at its peak in memory."""
    return BASE_PEAK + estimated_triples(files) * PEAK_PER_TRIPLE[work]


def fits(files, work: str) -> bool:
    """Whether WORK ("build" or "validate") of FILES can happen in memory within the budget; if not, it works
    on an on-disk store: slower, with a peak that does not grow with the data."""
    return fits_triples(estimated_triples(files), work)


def fits_triples(triples: int, work: str) -> bool:
    """Whether WORK of TRIPLES triples can happen in memory within the budget."""
    limit = budget()
    return limit is None or BASE_PEAK + triples * PEAK_PER_TRIPLE[work] <= limit


def say_on_disk(files, work: str) -> str:
    """The line a command prints when WORK of FILES goes on disk."""
    need = estimated_peak(files, work) / (1 << 30)
    limit = (budget() or 0) / (1 << 30)
    return (
        f"{work} on disk: about {need:.1f} GiB would be needed in memory, over the {limit:.1f} GiB allowed "
        f"({MEMORY_ENV}); slower, with bounded memory"
    )
