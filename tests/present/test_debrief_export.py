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


# -- a debrief people read (issue 10 §9)

import attrs  # noqa: E402
import pytest  # noqa: E402

from engine.present.debrief import (  # noqa: E402
    Heading,
    appendix,
    render_text,
    sections,
    summary,
    to_markdown,
    to_text,
    top_accepted,
    top_forgone,
)
from tests.conftest import SCENARIOS  # noqa: E402

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))


def _full_game(path, log, seed=5):
    s = Session.new(path, seed=seed, path=log)
    n = 0
    while not s.over:
        offers = [o for o in s.game.offers(s.state) if o.available]
        s.decide(offers[n % len(offers)].option.id, by="Blue",
                 why="the sources favour it" if n % 2 else None)
        n += 1
    return s


@pytest.fixture(scope="module", params=BUNDLED, ids=lambda p: p.stem)
def played(request, tmp_path_factory):
    log = tmp_path_factory.mktemp("saves") / "game.jsonl"
    return build_debrief(_full_game(request.param, log))


def test_summary_leads_and_the_full_lists_go_to_an_appendix(played):
    md = to_markdown(played)
    order = ["## Ending:", "### Assessment", "## The path taken",
             "## What you took on and what you gave up", "## Indicators", "## Appendix",
             "### Trade-offs accepted, in full", "### Trade-offs forgone, in full",
             "### Sources cited in this game"]
    at = [md.index(h) for h in order]
    assert at == sorted(at)
    assert not any(line.startswith("|") for line in md.splitlines())  # no tables
    summary_md = md[:md.index("## Appendix")]
    # The path: every step with its number, track and the reasons given.
    for s in played.steps:
        assert f"Round {s.round_no}, **{s.number}.** [{s.option.track.label}]" in summary_md
    assert "decided by Blue: *the sources favour it*" in summary_md
    # Three trade-offs each way, each with its citation.
    highlights = summary_md.split("## What you took on")[1].split("## Indicators")[0]
    bullets = [ln for ln in highlights.splitlines() if ln.startswith("- ")]
    assert len(bullets) == 6 and all(re.search(r"\(.+ ¶\d+", b) for b in bullets)
    # Each option title is written once in the appendix's forgone list, not once per row.
    forgone = md.split("### Trade-offs forgone, in full")[1].split("###")[0]
    heads = [ln for ln in forgone.splitlines() if ln.startswith("- Round")]
    assert len(heads) == len(set(heads))


def test_the_important_trade_offs_are_both_sides_and_real_losses(played):
    acc = top_accepted(played)
    assert len(acc) == 3 and len({t.dimension for _, t in acc}) == 3
    assert any(t.rating > 0 for _, t in acc) and any(t.rating < 0 for _, t in acc)
    for step, opt, t in top_forgone(played):
        mine = {x.dimension: x.rating for x in step.option.tradeoffs}
        assert opt is not step.option and t.rating > mine.get(t.dimension, 0)


def test_markdown_line_mode_and_html_share_one_structure(played):
    heads = [b.text for b in sections(played) if isinstance(b, Heading)]
    md = to_markdown(played)
    text = to_text(played)
    html = to_html(played)
    md_heads = [ln.lstrip("#").strip() for ln in md.splitlines() if ln.startswith("#")]
    assert md_heads == heads
    text_lines = text.splitlines()
    text_heads = [text_lines[i - 1] for i in range(1, len(text_lines))
                  if text_lines[i] and set(text_lines[i]) <= {"=", "-"}]
    assert [h.lower() for h in text_heads] == [h.lower() for h in heads]
    html_heads = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html)
    assert [h.replace("&#x27;", "'").replace("&amp;", "&") for h in html_heads
            if h not in ("What-if: two paths side by side",)] == heads


def test_summary_fits_two_printed_pages(played):
    # Two A4 pages hold about 110 lines of 80 characters; the summary must stay within that
    # however long the game (before: the trade-off lists alone ran to 14 printed pages).
    assert len(render_text(summary(played), 80).splitlines()) <= 110
    assert len(render_text(appendix(played), 80).splitlines()) > 110


def test_html_draws_the_trajectories_as_an_inline_chart(played):
    html = to_html(played)
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S)
    assert chart and chart.start() < html.index('class="appendix"')
    assert chart.group(0).count("<polyline") == len(played.scenario.indicators)
    assert "<script" not in html
    assert "break-before: page" in html  # the appendix starts on a page of its own


def test_no_raw_citation_key_or_authoring_note_reaches_a_reader(played):
    scn = played.scenario
    notes = [s.note for s in scn.sources if s.note]
    for ending in scn.endings:
        d = attrs.evolve(played, ending=ending)
        for out in (to_markdown(d), to_text(d), to_html(d)):
            assert not re.search(r"\b(kang-kwa-2025|feng-track2|haggard-2024) ?¶", out)
            assert "not given in the excerpt" not in out
            assert not any(n in out for n in notes)
