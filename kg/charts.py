"""Plain SVG line and bar charts, each written with the CSV of the numbers it draws (no plotting library)."""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path

from kg.fileio import write_atomic

PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
]
W, H = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 60, 190, 40, 50


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """The chart's data, atomically."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else (f"{v:.4f}" if isinstance(v, float) else v) for v in r])
    write_atomic(Path(path), buf.getvalue())


def _frame(title: str, ylabel: str) -> list[str]:
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
            f'font-family="sans-serif" font-size="11" role="img" aria-label="{escape(title)}">'
        ),
        f"<title>{escape(title)}</title>",
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
        (
            f'<text x="14" y="{TOP + (H - TOP - BOTTOM) / 2}" transform="rotate(-90 14 {TOP + (H - TOP - BOTTOM) / 2})" '
            f'text-anchor="middle">{escape(ylabel)}</text>'
        ),
    ]


def line_chart(
    path: Path,
    title: str,
    series: dict[str, list[tuple[float, float]]],
    ylabel: str,
    xlabel: str = "year",
    ymax: float | None = None,
    dashed: set[str] | None = None,
) -> None:
    """SERIES: name -> [(x, y)]; a gap in x (missing year) breaks the line. Writes PATH (.svg)."""
    write_atomic(Path(path), line_svg(title, series, ylabel, xlabel, ymax, dashed))


def line_svg(
    title: str,
    series: dict[str, list[tuple[float, float]]],
    ylabel: str,
    xlabel: str = "year",
    ymax: float | None = None,
    dashed: set[str] | None = None,
) -> str:
    """The SVG text of line_chart."""
    pts = [p for s in series.values() for p in s]
    out = _frame(title, ylabel)
    if not pts:
        out.append(f'<text x="{LEFT}" y="{H / 2}">no data</text></svg>')
        return "\n".join(out) + "\n"
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    x1 = x1 if x1 > x0 else x0 + 1
    top = ymax if ymax is not None else max(max(p[1] for p in pts), 1e-9) * 1.05
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x):
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y):
        return TOP + ph - y / top * ph

    out.append(f'<line x1="{LEFT}" y1="{TOP + ph}" x2="{LEFT + pw}" y2="{TOP + ph}" stroke="black"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + ph}" stroke="black"/>')
    for i in range(6):
        y = top * i / 5
        out.append(f'<line x1="{LEFT}" y1="{sy(y):.1f}" x2="{LEFT + pw}" y2="{sy(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.2f}</text>')
    step = max(1, round((x1 - x0) / 10))
    x = int(x0)
    while x <= x1:
        out.append(f'<text x="{sx(x):.1f}" y="{TOP + ph + 16}" text-anchor="middle">{x}</text>')
        x += step
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 10}" text-anchor="middle">{escape(xlabel)}</text>')
    for i, (name, s) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="5,3"' if dashed and name in dashed else ""
        runs: list[list] = []
        run: list = []
        for p in sorted(s):
            if run and p[0] - run[-1][0] > 1:
                runs.append(run)
                run = []
            run.append(p)
        if run:
            runs.append(run)
        for r in runs:
            if len(r) == 1:
                out.append(f'<circle cx="{sx(r[0][0]):.1f}" cy="{sy(r[0][1]):.1f}" r="2.5" fill="{color}"/>')
            else:
                d = " ".join(f"{sx(px):.1f},{sy(py):.1f}" for px, py in r)
                out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="1.8"{dash}/>')
        ly = TOP + 14 * i
        out.append(
            f'<line x1="{W - RIGHT + 10}" y1="{ly}" x2="{W - RIGHT + 30}" y2="{ly}" stroke="{color}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{W - RIGHT + 34}" y="{ly + 4}">{escape(name[:26])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(path: Path, title: str, bars: list[tuple[str, float]], xlabel: str) -> None:
    """Horizontal bars, largest first as given. Writes PATH (.svg)."""
    write_atomic(Path(path), bar_svg(title, bars, xlabel))


def bar_svg(title: str, bars: list[tuple[str, float]], xlabel: str) -> str:
    """The SVG text of bar_chart."""
    out = _frame(title, "")
    if not bars:
        out.append(f'<text x="{LEFT}" y="{H / 2}">no data</text></svg>')
        return "\n".join(out) + "\n"
    left = 200
    pw, ph = W - left - 40, H - TOP - BOTTOM
    top = max(v for _, v in bars) or 1.0
    bh = ph / len(bars)
    for i, (name, v) in enumerate(bars):
        y = TOP + i * bh
        out.append(f'<text x="{left - 6}" y="{y + bh * 0.65:.1f}" text-anchor="end">{escape(name[:32])}</text>')
        out.append(
            f'<rect x="{left}" y="{y + bh * 0.15:.1f}" width="{v / top * pw:.1f}" height="{bh * 0.7:.1f}" '
            f'fill="{PALETTE[0]}"/>'
        )
        out.append(f'<text x="{left + v / top * pw + 4:.1f}" y="{y + bh * 0.65:.1f}">{v:.3f}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{H - 10}" text-anchor="middle">{escape(xlabel)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
