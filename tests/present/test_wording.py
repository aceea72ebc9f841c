"""The wording layer: phrases made once, rendered as plain text, Markdown, HTML and Textual
markup with the same words."""

from __future__ import annotations

import pytest
from textual.content import Content

from backchannel_tui.text import markup
from engine.present import wording as w
from engine.scenario.loader import load_scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def my():
    return load_scenario(SCENARIOS / "myanmar-humanitarian-access.yaml")


def test_raw_citation_keys_in_prose_become_labels(my):
    text = ("Access is politicised (kang-kwa-2025 ¶15), as the ARF\n  case shows (feng-track2 "
            "¶6; haggard-2024 #4-5). A bare (¶7) stays.")
    p = w.prose(my, text)
    assert w.plain(p) == ("Access is politicised (Kang & Kwa 2025 ¶15), as the ARF case shows "
                          "(Feng (n.d.) ¶6; Haggard 2024 ¶4-5). A bare (¶7) stays.")
    assert [s.text for s in p if s.role == w.CITATION] == [
        "Kang & Kwa 2025 ¶15", "Feng (n.d.) ¶6", "Haggard 2024 ¶4-5"]


def test_every_facilitator_note_and_assessment_reads_without_raw_keys(my):
    texts = [r.facilitator_notes for r in my.rounds if r.facilitator_notes]
    texts += [e.assessment for e in my.endings]
    assert any("kang-kwa-2025 ¶" in t for t in texts)  # authors do write keys
    for t in texts:
        assert "kang-kwa-2025 ¶" not in w.plain(w.prose(my, t))
        assert "feng-track2 ¶" not in w.plain(w.prose(my, t))


def test_authoring_notes_of_the_bibliography_never_reach_players(my):
    feng = next(s for s in my.sources if s.id == "feng-track2")
    assert feng.date == "not given in the excerpt" and feng.note
    ref = w.plain(w.source_reference(feng))
    assert "n.d." in ref and "not given" not in ref and feng.note not in ref
    assert "not given" not in Content.from_markup(markup(w.source_reference(feng))).plain


def test_better_and_worse_have_one_wording_including_neither():
    from engine.scenario.model import Indicator

    higher = Indicator("t", "Trust", 5, "m", better="higher")
    lower = Indicator("r", "Risk", 5, "m", better="lower")
    neither = Indicator("x", "Tempo", 5, "m", better="neither")
    assert w.plain(w.delta(higher, 2)) == "▲+2 (better)"
    assert w.plain(w.delta(lower, -1)) == "▼-1 (better)"
    assert w.plain(w.delta(lower, 1)) == "▲+1 (worse)"
    assert w.direction(neither, 3) is None and w.plain(w.delta(neither, 3)) == "▲+3"
    assert [w.better_hint(i) for i in (higher, lower, neither)] == [
        "higher is better", "lower is better", "neither direction is better"]


def test_renderers_keep_the_words_and_escape_the_text():
    p = w.phrase(w.Span("In 2 rounds", w.STRONG), ": ", w.Span("a [b]|*x*", w.EMPHASIS), " ",
                 w.Span("Kang & Kwa 2025 ¶15", w.CITATION))
    assert w.plain(p) == "In 2 rounds: a [b]|*x* Kang & Kwa 2025 ¶15"
    assert w.markdown(p) == r"**In 2 rounds**: *a [b]\|\*x\** Kang & Kwa 2025 ¶15"
    assert w.html(p) == ('<strong>In 2 rounds</strong>: <em>a [b]|*x*</em> '
                         '<span class="cite">Kang &amp; Kwa 2025 ¶15</span>')
    assert Content.from_markup(markup(p)).plain == w.plain(p)


def test_citations_group_paragraphs_of_one_source(my):
    from engine.scenario.model import Citation

    cites = [Citation("kang-kwa-2025", 8), Citation("kang-kwa-2025", 18),
             Citation("haggard-2024", 4, 5)]
    assert w.plain(w.cited(my, cites)) == "(Kang & Kwa 2025 ¶8, ¶18; Haggard 2024 ¶4-5)"


def test_the_app_renders_the_debrief_blocks_with_the_same_words(tmp_path):
    from backchannel_tui.text import blocks_markup
    from engine.play.session import Session
    from engine.present.debrief import Items, Para, build_debrief, sections

    s = Session.new(SCENARIOS / "north-korea-reengagement.yaml", seed=2,
                    path=tmp_path / "g.jsonl")
    while not s.over:
        s.decide(next(o for o in s.game.offers(s.state) if o.available).option.id,
                 by="Blue", why="it is the official route")
    blocks = sections(build_debrief(s))
    shown = " ".join(Content.from_markup(m).plain for _, m in blocks_markup(blocks))
    shown = " ".join(shown.split())
    for b in blocks:
        phrases = [b.text] if isinstance(b, Para) else [
            x for item, subs in b.items for x in (item, *subs)] if isinstance(b, Items) else []
        for p in phrases:
            assert " ".join(w.plain(p).split()) in shown
