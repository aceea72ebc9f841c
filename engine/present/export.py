"""Write a debrief to disk as Markdown and as one self-contained HTML page.

The HTML comes from the Jinja2 template ``engine/present/templates/debrief.html.j2`` with autoescape
on, inline CSS and inline SVG: no scripts, fonts or images are fetched, so the page can be
mailed or archived as one file. A what-if comparison (two debriefs of the same scenario, the
paths side by side) is supported by passing ``other``.

Nothing here imports a UI toolkit.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2

from engine.present.debrief import Debrief, compare_markdown, rating, to_markdown
from engine.present.wording import cite_label
from engine.scenario.model import Citation, Scenario
from engine.scenario.vocabulary import DIMENSIONS, Track

TEMPLATES = Path(__file__).resolve().parent / "templates"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,  # every value is scenario or player text: always escape
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["paragraphs"] = lambda text: [
    " ".join(p.split()) for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()
]
_TRACK_CLASS = {Track.T1: "t1", Track.T1_5: "t15", Track.T2: "t2"}


def _ending_title(d: Debrief) -> str:
    if d.ending:
        return d.ending.title
    return "No ending" if d.over else "Game in progress"


def _spark_points(values: tuple[int, ...], lo: int, hi: int, width: int = 160,
                  height: int = 32) -> str:
    """SVG polyline points for a trajectory, scaled to the indicator's range."""
    if not values:
        return ""
    extent = (hi - lo) or 1
    step = width / max(1, len(values) - 1)
    pts = []
    for i, v in enumerate(values):
        x = round(i * step, 1) if len(values) > 1 else width / 2
        y = round(height - (v - lo) / extent * height, 1)
        pts.append(f"{x},{y}")
    return " ".join(pts)


def _cites(scn: Scenario, cites: tuple[Citation, ...]) -> str:
    return "; ".join(cite_label(scn, c) for c in cites)


def _context(d: Debrief) -> dict:
    scn = d.scenario
    indicators = []
    for ind in scn.indicators:
        vals = d.trajectories.get(ind.id, ())
        indicators.append({
            "label": ind.label,
            "meaning": ind.meaning,
            "better": ind.better,
            "trajectory": vals,
            "start": vals[0] if vals else ind.start,
            "end": vals[-1] if vals else ind.start,
            "min": ind.min,
            "max": ind.max,
            "points": _spark_points(vals, ind.min, ind.max),
        })

    def tradeoffs(rows):
        return [{
            "round": k,
            "option": opt.title,
            "track": opt.track.label,
            "track_class": _TRACK_CLASS[opt.track],
            "dimension": DIMENSIONS[t.dimension].label if t.dimension in DIMENSIONS
            else t.dimension,
            "glyph": rating(t.rating),
            "sign": "pos" if t.rating > 0 else "neg" if t.rating < 0 else "zero",
            "why": t.why,
            "cite": _cites(scn, t.cite),
        } for k, opt, t in rows]

    steps = [{
        "round": s.round_no,
        "title": s.round_title,
        "option": s.option.title,
        "track": s.option.track.label,
        "track_class": _TRACK_CLASS[s.option.track],
        "by": s.by,
        "why": s.why,
    } for s in d.steps]
    bibliography = [{
        "authors": ", ".join(src.authors),
        "title": src.title,
        "publisher": src.publisher,
        "date": src.date,
        "url": src.url,
        "short": src.short,
        "paragraphs": ", ".join(f"¶{c.paragraph}" + (f"-{c.last}" if c.last else "")
                                for c in cs),
    } for src, cs in d.bibliography]
    return {
        "scenario": scn,
        "d": d,
        "ending_title": _ending_title(d),
        "ending_cite": _cites(scn, d.ending.cite) if d.ending else "",
        "steps": steps,
        "indicators": indicators,
        "accepted": tradeoffs(d.accepted),
        "forgone": tradeoffs(d.forgone),
        "bibliography": bibliography,
    }


def _compare_context(a: Debrief, b: Debrief) -> dict:
    by_a = {s.round_no: s for s in a.steps}
    by_b = {s.round_no: s for s in b.steps}
    rows = []
    for k in sorted(set(by_a) | set(by_b)):
        cells = []
        for steps in (by_a, by_b):
            s = steps.get(k)
            cells.append(None if s is None else {
                "option": s.option.title, "track": s.option.track.label,
                "track_class": _TRACK_CLASS[s.option.track]})
        differs = (cells[0] or {}).get("option") != (cells[1] or {}).get("option")
        rows.append({"round": k, "a": cells[0], "b": cells[1], "differs": differs})
    inds = [{
        "label": ind.label,
        "a": " → ".join(map(str, a.trajectories[ind.id])),
        "b": " → ".join(map(str, b.trajectories[ind.id])),
    } for ind in a.scenario.indicators]
    return {"rows": rows, "indicators": inds, "ending_a": _ending_title(a),
            "ending_b": _ending_title(b)}


def to_html(debrief: Debrief, other: Debrief | None = None, label_a: str = "This path",
            label_b: str = "Other path") -> str:
    """The debrief as one self-contained HTML page (optionally with a what-if comparison)."""
    ctx = _context(debrief)
    ctx["compare"] = _compare_context(debrief, other) if other is not None else None
    ctx["label_a"], ctx["label_b"] = label_a, label_b
    return _ENV.get_template("debrief.html.j2").render(**ctx)


def _free_stem(directory: Path, base: str) -> str:
    stem, n = base, 1
    while (directory / f"{stem}.md").exists() or (directory / f"{stem}.html").exists():
        n += 1
        stem = f"{base}-{n}"
    return stem


def export(debrief: Debrief, directory: str | os.PathLike, other: Debrief | None = None,
           stem: str | None = None, label_a: str = "This path",
           label_b: str = "Other path") -> tuple[Path, Path]:
    """Write ``<scenario>-debrief.md`` and ``.html`` into ``directory`` (created if needed;
    an existing export is never overwritten: a number is added). Returns both paths."""
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    stem = _free_stem(directory, stem or f"{debrief.scenario.id}-debrief")
    md = to_markdown(debrief)
    if other is not None:
        md = md.rstrip() + "\n\n" + compare_markdown(
            [debrief, other], [label_a, label_b], title="What-if: two paths side by side")
    md_path = directory / f"{stem}.md"
    html_path = directory / f"{stem}.html"
    md_path.write_text(md, encoding="utf-8")
    html_path.write_text(to_html(debrief, other, label_a, label_b), encoding="utf-8")
    return md_path, html_path
