"""Write a debrief to disk as Markdown and as one self-contained HTML page.

The HTML comes from the Jinja2 template ``engine/present/templates/debrief.html.j2`` with autoescape
on, inline CSS and inline SVG: no scripts, fonts or images are fetched, so the page can be
mailed or archived as one file. A what-if comparison (two debriefs of the same scenario, the
paths side by side) is supported by passing ``other``.

Nothing here imports a UI toolkit.
"""

from __future__ import annotations

import contextlib
import html as _html
import os
from pathlib import Path

import jinja2
from markupsafe import Markup

from engine.present import wording as w
from engine.present.debrief import (
    Block,
    Chart,
    Debrief,
    Heading,
    Items,
    Para,
    appendix,
    ending_title,
    summary,
    what_if_markdown,
)
from engine.scenario.vocabulary import Track

TEMPLATES = Path(__file__).resolve().parent / "templates"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,  # every value is scenario or player text: always escape
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TRACK_CLASS = {Track.T1: "t1", Track.T1_5: "t15", Track.T2: "t2"}


def _spark_points(values: tuple[int, ...], lo: int, hi: int, width: float = 160,
                  height: float = 32, x0: float = 0, y0: float = 0) -> str:
    """SVG polyline points for a trajectory, scaled to the indicator's range."""
    if not values:
        return ""
    extent = (hi - lo) or 1
    step = width / max(1, len(values) - 1)
    pts = []
    for i, v in enumerate(values):
        x = x0 + (round(i * step, 1) if len(values) > 1 else width / 2)
        y = y0 + round(height - (v - lo) / extent * height, 1)
        pts.append(f"{round(x, 1)},{round(y, 1)}")
    return " ".join(pts)


_ROW, _LABEL_W, _PLOT_W = 26, 230, 300


def _chart_svg(chart: Chart) -> str:
    """Every indicator's trajectory as one small inline SVG (no script): a row per
    indicator with its label, a line scaled to its range, and the start and end values."""
    rows = []
    for n, (ind, vals) in enumerate(chart.rows):
        top = n * _ROW + 4
        mid = top + 11
        label = _html.escape(f"{ind.label} {w.better_arrow(ind)}")
        points = _spark_points(vals, ind.min, ind.max, _PLOT_W, 18, _LABEL_W, top)
        rows.append(
            f'<text x="0" y="{mid + 4}" class="lbl">{label}</text>'
            f'<line x1="{_LABEL_W}" y1="{top + 18}" x2="{_LABEL_W + _PLOT_W}" y2="{top + 18}"'
            ' stroke="#d6d6de" stroke-width="1"/>'
            # presentation attributes for renderers without CSS variables (PDF); the page's
            # CSS overrides them in browsers (dark mode)
            f'<polyline points="{points}" fill="none" stroke="#0b5cad" stroke-width="2"/>'
            f'<text x="{_LABEL_W + _PLOT_W + 10}" y="{mid + 4}" class="val">'
            f'{_html.escape(w.trajectory(vals))}</text>')
    height = len(chart.rows) * _ROW + 4
    desc = "; ".join(f"{ind.label}: {w.trajectory(vals)}" for ind, vals in chart.rows)
    return (f'<svg class="chart" viewBox="0 0 760 {height}" role="img" '
            f'aria-label="{_html.escape(desc)}">{"".join(rows)}</svg>')


def render_html(blocks: list[Block]) -> str:
    """Blocks as HTML: every text escaped by the wording layer."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            cls = f' class="{b.id}"' if b.id else ""
            out.append(f"<h{b.level}{cls}>{_html.escape(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            cls = f' class="{b.role}"' if b.role else ""
            out.append(f"<p{cls}>{w.html(b.text)}</p>")
        elif isinstance(b, Items):
            tag = "ol" if b.numbered else "ul"
            out.append(f"<{tag}>")
            for item, subs in b.items:
                inner = "".join(f"<li>{w.html(x)}</li>" for x in subs)
                out.append(f"<li>{w.html(item)}" + (f"<ul>{inner}</ul>" if inner else "")
                           + "</li>")
            out.append(f"</{tag}>")
        elif isinstance(b, Chart):
            out.append(_chart_svg(b))
    return "\n".join(out)


def _compare_context(a: Debrief, b: Debrief) -> dict:
    by_a = {s.round_no: s for s in a.steps}
    by_b = {s.round_no: s for s in b.steps}
    rows = []
    for k in sorted(set(by_a) | set(by_b)):
        cells = []
        for steps in (by_a, by_b):
            s = steps.get(k)
            cells.append(None if s is None else {
                "option": f"{s.number}. {s.option.title}", "track": s.option.track.label,
                "track_class": _TRACK_CLASS[s.option.track]})
        differs = (cells[0] or {}).get("option") != (cells[1] or {}).get("option")
        rows.append({"round": k, "a": cells[0], "b": cells[1], "differs": differs})
    inds = [{
        "label": ind.label,
        "a": w.trajectory(a.trajectories[ind.id]),
        "b": w.trajectory(b.trajectories[ind.id]),
    } for ind in a.scenario.indicators]
    return {"rows": rows, "indicators": inds, "ending_a": ending_title(a),
            "ending_b": ending_title(b)}


def to_html(debrief: Debrief, other: Debrief | None = None, label_a: str = "This path",
            label_b: str = "Other path") -> str:
    """The debrief as one self-contained HTML page: the summary (two printed pages at most),
    the what-if comparison if any, then the appendix on a page of its own."""
    return _ENV.get_template("debrief.html.j2").render(
        title=f"Debrief: {debrief.scenario.title}",
        summary=Markup(render_html(summary(debrief))),
        appendix=Markup(render_html(appendix(debrief))),
        compare=_compare_context(debrief, other) if other is not None else None,
        compare_title=w.WHAT_IF_TITLE, label_a=label_a, label_b=label_b)


def _create(path: Path, text: str) -> None:
    """Write a new file: exclusively (an existing file, or a symlink even to nowhere, is
    never followed or overwritten: FileExistsError). A failed write leaves no file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        with open(fd, "w", encoding="utf-8", closefd=True) as fh:
            fh.write(text)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def export_texts(debrief: Debrief, other: Debrief | None = None, label_a: str = "This path",
                 label_b: str = "Other path") -> tuple[str, str]:
    """The debrief's Markdown and HTML, as ``export`` writes them (a served app hands them
    to the browser as downloads instead)."""
    md = what_if_markdown(debrief, other, label_a, label_b)
    return md, to_html(debrief, other, label_a, label_b)


def export(debrief: Debrief, directory: str | os.PathLike, other: Debrief | None = None,
           stem: str | None = None, label_a: str = "This path",
           label_b: str = "Other path") -> tuple[Path, Path]:
    """Write ``<scenario>-debrief.md`` and ``.html`` into ``directory`` (created if needed;
    an existing file or link is never followed or overwritten: a number is added). Returns
    both paths."""
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    base = stem or f"{debrief.scenario.id}-debrief"
    md, html = export_texts(debrief, other, label_a, label_b)
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}-{n}"
        md_path = directory / f"{name}.md"
        html_path = directory / f"{name}.html"
        try:
            _create(md_path, md)
        except FileExistsError:
            continue
        try:
            _create(html_path, html)
        except FileExistsError:
            md_path.unlink()
            continue
        except BaseException:
            with contextlib.suppress(OSError):
                md_path.unlink()
            raise
        return md_path, html_path
    raise FileExistsError(f"{directory}: too many earlier exports named {base}-N")
