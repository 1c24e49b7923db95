"""The findings index: the built dataset's validation results per focus node, written beside it for `kg serve`."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

FINDINGS_FILE = "findings.json"  # beside dataset.nq and manifest.json in the dataset folder
FORMAT = 1
MAX_PER_NODE = 25  # results kept for one focus node (the most severe first)
MAX_TOTAL = 20_000  # results kept in the whole index
MAX_TEXT = 600  # characters kept of a message, label or quote
MAX_FILE_BYTES = 32 * 1024 * 1024  # a larger index is refused when read
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def build_stamp(dataset: Path) -> dict | None:
    """What identifies one build of DATASET: the SHA-256 of its manifest.json and its build time; None when
    the folder holds no manifest."""
    try:
        raw = (Path(dataset) / "manifest.json").read_bytes()
    except OSError:
        return None
    built = None
    try:
        built = json.loads(raw).get("built")
    except (ValueError, AttributeError):
        pass
    return {"manifest_sha256": hashlib.sha256(raw).hexdigest(), "built": built if isinstance(built, str) else None}


def _cut(text) -> str | None:
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def index_from_report(report, stamp: dict, max_per_node: int = MAX_PER_NODE, max_total: int = MAX_TOTAL) -> dict:
    """The findings index of REPORT (a validation of the build STAMP identifies), bounded: at most
    MAX_PER_NODE results per focus node and MAX_TOTAL in all; what was left out is counted."""
    by_node: dict[str, list] = {}
    for r in report.results:
        if r.focus.startswith(("_:", '"')):
            continue  # pages exist for IRIs only
        by_node.setdefault(r.focus, []).append(r)
    nodes: dict[str, dict] = {}
    shapes: dict[str, dict] = {}
    norms: dict[str, dict] = {}
    kept = 0
    capped = False
    for focus in sorted(by_node):
        found = sorted(by_node[focus], key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.shape, r.message))
        room = min(max_per_node, max_total - kept)
        if room <= 0:
            capped = True
            break
        rows = []
        for r in found[:room]:
            owner = report.shape_owner.get(r.shape, r.shape)
            norm = report.norms.get(r.shape) or report.norms.get(owner)
            if owner not in shapes:
                info = report.shape_info.get(owner) or report.shape_info.get(r.shape) or {}
                shapes[owner] = {
                    "label": _cut(info.get("label")),
                    "description": _cut(info.get("description")),
                    "message": _cut(r.message),  # a result with the same message does not repeat it
                }
            if norm and norm not in norms:
                n = report.norm_info.get(norm, {})
                norms[norm] = {k: _cut(n.get(k)) for k in ("label", "passage", "quote", "locator", "document")}
            rows.append(
                {
                    "shape": owner,
                    "severity": r.severity,
                    "message": None if _cut(r.message) == shapes[owner]["message"] else _cut(r.message),
                    "value": _cut(r.value),
                    "norm": norm,
                }
            )
        kept += len(rows)
        more = len(found) - len(rows)
        capped = capped or more > 0
        nodes[focus] = {"results": rows, "more": more}
    total = sum(len(v) for v in by_node.values())
    dropped = len(by_node) - len(nodes)  # focus nodes the total cap left out entirely
    return {
        "format": FORMAT,
        "build": stamp,
        "validated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "engine": report.engine,
        "inference": report.inference,
        "counts": report.counts(),
        "results_total": total,
        "results_kept": kept,
        "nodes_total": len(by_node),
        "capped": capped,
        "nodes_dropped": dropped,
        "max_per_node": max_per_node,
        "max_total": max_total,
        "shapes": shapes,
        "norms": norms,
        "nodes": nodes,
    }


def write_index(dataset: Path, index: dict) -> Path:
    """Write INDEX into DATASET/findings.json atomically (a temporary file renamed into place)."""
    from kg.fileio import atomic_write

    def dump(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(index, f, ensure_ascii=False, separators=(",", ":"))

    return atomic_write(Path(dataset) / FINDINGS_FILE, dump)


def read_index(path: Path) -> dict | None:
    """The findings index at PATH, or None when it is absent, too large, unreadable or not an index."""
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size > MAX_FILE_BYTES:
                return None
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("nodes"), dict):
        return None
    if not all(isinstance(data.get(k), dict) for k in ("build", "shapes", "norms")):
        return None
    return data


def findings_for(index: dict | None, stamp: dict | None, iri: str) -> dict:
    """What an entity page shows of the index: {"state": "current" | "stale" | "absent", ...}; the results of
    IRI (with their shapes' and norms' descriptions) only when the index belongs to the build STAMP names."""
    if index is None:
        return {"state": "absent"}
    built = index.get("build") or {}
    if stamp is None or built.get("manifest_sha256") != stamp.get("manifest_sha256"):
        return {"state": "stale", "validated": _text(index.get("validated")), "index_built": _text(built.get("built"))}
    node = index["nodes"].get(iri)
    rows = []
    if isinstance(node, dict) and isinstance(node.get("results"), list):
        for r in node["results"][:MAX_PER_NODE]:
            if not isinstance(r, dict):
                continue
            shape = _text(r.get("shape"))
            norm = _text(r.get("norm"))
            s_info = index.get("shapes", {}).get(shape) if shape else None
            n_info = index.get("norms", {}).get(norm) if norm else None
            rows.append(
                {
                    "shape": shape,
                    "severity": _text(r.get("severity")),
                    "message": _text(r.get("message"))
                    or (_text(s_info.get("message")) if isinstance(s_info, dict) else None),
                    "shape_label": _text((s_info or {}).get("label")) if isinstance(s_info, dict) else None,
                    "norm": norm,
                    "norm_info": {k: _text(v) for k, v in n_info.items()} if isinstance(n_info, dict) else None,
                }
            )
    more = node.get("more", 0) if isinstance(node, dict) else 0
    return {
        "state": "current",
        "validated": _text(index.get("validated")),
        "results": rows,
        "more": more if isinstance(more, int) and more >= 0 else 0,
        "capped": bool(index.get("capped")),
        "incomplete": node is None and isinstance(index.get("nodes_dropped"), int) and index["nodes_dropped"] > 0,
    }


def _text(v) -> str | None:
    return _cut(v) if isinstance(v, str) else None
