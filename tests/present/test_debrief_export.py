"""engine/export.py: Markdown and self-contained HTML debriefs, and what-if comparisons."""

from __future__ import annotations

import re

from engine.play.session import Session
from engine.present.debrief import build_debrief, compare_markdown
from engine.present.export import export, to_html
from tests.conftest import EXAMPLE


def _played(path, choices, seed=1):
    s = Session.new(path, seed=seed)
    for option_id in choices:
        s.decide(option_id)
    return s


def test_html_is_self_contained_and_escaped(write):
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "title: A season of haze", 'title: "A season of <script>alert(1)</script> & haze"')
    path = write(text, "haze.yaml")
    d = build_debrief(_played(path, ["research-network", "quiet-dinner"]))
    html = to_html(d)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; haze" in html
    # Nothing is fetched: no external scripts, styles, fonts or images.
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "@import" not in html and "url(" not in html
    assert "src=" not in html and "href=" not in html
    # The sections of the debrief are there.
    for heading in ("The path taken", "Indicators", "Trade-offs accepted", "Trade-offs forgone",
                    "Sources cited in this game", "Discussion questions"):
        assert heading in html
    assert "Track 2" in html and "Track 1.5" in html
    assert "Kang &amp; Kwa 2025" in html


def test_export_writes_both_files_without_overwriting(tmp_path):
    d = build_debrief(_played(EXAMPLE, ["ministerial-summit", "quiet-dinner"]))
    md, html = export(d, tmp_path / "out")
    assert md.name == "haze-season-debrief.md" and html.name == "haze-season-debrief.html"
    assert md.read_text(encoding="utf-8").startswith("# Debrief: A season of haze")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md2, html2 = export(d, tmp_path / "out")
    assert md2.name == "haze-season-debrief-2.md" and html2.name == "haze-season-debrief-2.html"


def test_whatif_comparison(tmp_path):
    a = _played(EXAMPLE, ["research-network", "quiet-dinner"])
    b = a.branch(2)
    b.decide("public-report")
    da, db = build_debrief(b), build_debrief(a)
    md = compare_markdown([da, db], ["What-if", "Earlier"])
    assert "| Round | What-if | Earlier |" in md
    assert "| 2. The next season ◀ differs |" in md and "| 1. The first smoke |" in md
    _, html = export(da, tmp_path, other=db)
    page = html.read_text(encoding="utf-8")
    assert "What-if: two paths side by side" in page and "◀ differs" in page
    assert "What-if: two paths side by side" in (tmp_path / "haze-season-debrief.md").read_text(
        encoding="utf-8")


def test_unfinished_game_exports(tmp_path):
    d = build_debrief(_played(EXAMPLE, ["officials-and-experts"]))
    html = to_html(d)
    assert "Game in progress" in html
