"""Line mode as a player or a script meets it, driven in-process (fast): one numbering,
outcomes that say what happened, effects hidden before the choice unless studying, short
rounds, and the same words as the app."""

from __future__ import annotations

import io
import re

import pytest
from textual.content import Content

from backchannel_cli.plain import PlainGame
from backchannel_tui import text as app_text
from engine.play.rules import Offer, Resolution
from engine.play.session import Session
from engine.present import wording as w
from tests.conftest import EXAMPLE, SCENARIOS

NK = SCENARIOS / "north-korea-reengagement.yaml"
MY = SCENARIOS / "myanmar-humanitarian-access.yaml"


def play(tmp_path, scenario, script: str, seed: int = 3, study: bool = False):
    s = Session.new(scenario, seed=seed, path=tmp_path / "game.jsonl")
    out = io.StringIO()
    PlainGame(s, io.StringIO(script), out, team="Blue", study=study, width=80).run()
    return s, out.getvalue()


def flat(text: str) -> str:
    return " ".join(text.split())


# -- one numbering (issue 10 §4)


def test_an_unavailable_option_keeps_its_number_and_cannot_be_chosen(tmp_path):
    # Round 2 of the Korea scenario after the envoy: option 4 needs a study group that does
    # not exist yet. Before, line mode skipped it and renumbered, so "4" chose option 5.
    s, out = play(tmp_path, NK, "1\n4\n5\nq\n")
    assert " 4. [Track 1.5] Attach officials" in out
    assert "not available. There is no Track-2 study group yet" in flat(out)
    assert "Option 4 is not available now" in out
    assert " 5. [Track 2] Hold a CSCAP workshop" in out
    assert [d.option_id for d in s.decisions] == ["r1-envoy", "r2-cscap-crisis"]


def test_scripts_choose_by_id_and_a_number_means_one_option_everywhere(tmp_path):
    s, out = play(tmp_path, NK, "r1-envoy\nr2-cscap-crisis\nq\n")
    assert [d.option_id for d in s.decisions] == ["r1-envoy", "r2-cscap-crisis"]
    assert "Outcome of round 2: 5. [Track 2] Hold a CSCAP workshop" in out
    offers = s.game.offers(s.states[1])
    assert [o.number for o in offers] == [1, 2, 3, 4, 5]
    assert [o.available for o in offers] == [True, True, True, False, True]
    assert s.game.offer(s.states[1], "r2-attach-officials").available is False
    assert s.game.offer(s.states[1], 6) is None
    assert s.game.option_number("r2-cscap-crisis") == 5


# -- outcomes say what happened (§5)


def test_an_effect_whose_condition_did_not_hold_is_not_news(tmp_path):
    # No envoy was sent (option 2), so the missile test's "why was your envoy in Pyongyang"
    # effect is void: it must not read as something that happened.
    s, out = play(tmp_path, NK, "2\nq\n")
    first = s.outcomes[1]
    void = [r for r in first.resolutions if r.status == "void"]
    assert void and not any(w.newsworthy(r) for r in void)
    assert "A long-range missile test" in out
    assert "envoy was in Pyongyang" not in out


def test_a_failed_chance_is_shown_as_failed():
    from engine.scenario.loader import load_scenario

    scn = load_scenario(NK)
    res = Resolution("option", scn.rounds[0].options[0].id, 1, False, "failed", None, 0.4,
                     (("trust", -1),))
    assert w.newsworthy(res)
    assert w.plain(w.resolution(scn, res)).startswith("did not come off (40% chance) ")


# -- decide before you know (§6)


def test_exact_effects_are_hidden_before_the_choice_unless_studying(tmp_path):
    _, out = play(tmp_path, MY, "m 1\nq\n")
    before_choice = out.split("Choice [")[1]
    assert w.EFFECTS_HIDDEN in flat(before_choice)
    assert "(better)" not in before_choice and "(worse)" not in before_choice
    assert "What the sources say:" in before_choice and "Kang & Kwa 2025 ¶" in before_choice
    _, studied = play(tmp_path / "study", MY, "m 1\nq\n", study=True)
    assert "Study mode" in studied
    assert w.EFFECTS_HIDDEN not in flat(studied)
    assert re.search(r"\((better|worse)\)", studied.split("Choice [")[0].split("== Round 1")[1])


def test_delays_and_chances_read_as_in_the_app(tmp_path):
    # Before: "After 2 rounds ..." and "... else 30%" in line mode.
    _, out = play(tmp_path, MY, "m 2\nm 3\no\nq\n", study=True)
    assert "In 2 rounds (round 3)" in flat(out)
    assert "After 2 rounds" not in out and "else " not in out


def test_study_mode_says_now_once_for_an_effect_that_sets_a_flag(tmp_path):
    # Before: "Now: Trust ... ▲+2 (better), ..., now: “Research institutes have agreed ...”".
    _, out = play(tmp_path, EXAMPLE, "q\n", study=True)
    shown = flat(out.split("Choice [")[0])
    assert ("Now: Trust between neighbours ▲+2 (better), Diplomatic friction ▼-1 (better), "
            "from now on: “Research institutes have agreed to pool hotspot data”") in shown
    assert ", now: “" not in shown
    # After the choice the outcome says what holds now.
    _, played = play(tmp_path / "played", EXAMPLE, "3\nq\n")
    assert "(better), now: “Research institutes have agreed" in flat(played)


def test_a_delay_past_the_last_round_says_when_it_lands_truthfully(tmp_path):
    # The example has 2 rounds; its round-1 network pays off at the start of "round 3",
    # which is the end of the game (before the ending is decided). It read "Round 3".
    _, out = play(tmp_path, EXAMPLE, "3\nq\n", study=True)
    text = flat(out)
    assert "In 2 rounds (at the end of the game), if Trust between neighbours >= 6" in text
    assert ("Set in motion for the end of the game (after round 2), if Trust between "
            "neighbours >= 6: Air quality ▲+2 (better)") in text
    assert "round 3" not in text.lower()
    # Myanmar's last-round funding (after: 2 from round 6 of 6) never lands: say so.
    s = Session.new(MY, seed=1, path=tmp_path / "my.jsonl")
    scn = s.scenario
    out_ = io.StringIO()
    game = PlainGame(s, io.StringIO(""), out_, study=True, width=80)
    opt = next(o for o in scn.rounds[5].options if o.id == "r6-network-funding")
    game.show_option_full(Offer(scn.rounds[5].options.index(opt) + 1, opt, True), 6)
    game.para(w.scheduled(scn, opt.effects[1], 8, lead=True))
    shown = flat(out_.getvalue())
    assert "In 2 rounds (after the game has ended: it will not land)" in shown
    assert "Set in motion for round 8, after the game's end (it will not land), if" in shown


# -- a round fits a screen (§9)


@pytest.mark.parametrize("scenario", [NK, MY])
def test_every_round_stays_under_40_lines_and_o_repeats_the_options(tmp_path, scenario):
    s, out = play(tmp_path, scenario, "o\n" + "1\n2\n3\n" * 8)
    assert s.over
    rounds = out.split("\n== Round ")[1:]
    assert len(rounds) == len(s.decisions)
    for text in rounds:
        shown = text.split("\nChoice [")[0]
        assert len(shown.splitlines()) <= 40, shown
    again = rounds[0].split("\nChoice [")[1]
    assert "Options (" in again and " 1. [Track 1]" in again


# -- one wording layer: line mode and the app carry the same words (issue 8 §3)


def _app_plain(markup: str) -> str:
    return flat(Content.from_markup(markup).plain)


@pytest.mark.parametrize("scenario", [NK, MY])
def test_line_mode_and_the_app_word_every_option_event_and_ending_alike(tmp_path, scenario):
    s = Session.new(scenario, seed=1, path=tmp_path / "g.jsonl")
    scn = s.scenario
    out = io.StringIO()
    game = PlainGame(s, io.StringIO(""), out, study=True, width=80)
    checked = 0
    for k, rnd in enumerate(scn.rounds, 1):
        for n, opt in enumerate(rnd.options, 1):
            out.seek(0)
            out.truncate()
            game.show_option_full(Offer(n, opt, True), k)
            line_mode = flat(out.getvalue())
            for eff in opt.effects:
                for part in app_text.effect_lines(scn, eff, k).split("\n"):
                    assert _app_plain(part) in line_mode
                    checked += 1
            for t in opt.tradeoffs:
                assert _app_plain(app_text.tradeoff_line(scn, t)) in line_mode
                checked += 1
            for eff in opt.effects:
                if eff.after:  # once chosen, a delayed effect is announced alike
                    out.seek(0)
                    out.truncate()
                    game.para(w.scheduled(scn, eff, k + eff.after, lead=True))
                    app = _app_plain(app_text.scheduled_phrase(scn, eff, k + eff.after))
                    assert app[:1].isupper() and flat(out.getvalue()).startswith(
                        "Set in motion for " + app[:1].lower() + app[1:])
            assert _app_plain(app_text.esc_prose(opt.description, scn)) in line_mode
    for ev in scn.events:
        out.seek(0)
        out.truncate()
        for eff in ev.effects:
            for status in ("applied", "failed"):
                res = Resolution("event", ev.id, 1, False, status, eff.text,
                                 0.5 if eff.chance is not None else None,
                                 tuple(eff.change.items()), eff.set, eff.clear)
                out.seek(0)
                out.truncate()
                game.show_resolutions([res])
                assert _app_plain(app_text.resolution_phrase(scn, res)) in flat(out.getvalue())
                checked += 1
        out.seek(0)
        out.truncate()
        game.para(w.prose(scn, ev.text))
        assert _app_plain(app_text.esc_prose(ev.text, scn)) == flat(out.getvalue())
    for ending in scn.endings:
        for text in (ending.epilogue, ending.assessment):
            out.seek(0)
            out.truncate()
            game.para(w.prose(scn, text))
            assert _app_plain(app_text.esc_prose(text, scn)) == flat(out.getvalue())
            assert not re.search(r"\b(kang-kwa-2025|feng-track2|haggard-2024) ¶",
                                 out.getvalue())
    assert checked > 100


def test_discussion_shows_questions_and_notes_with_citation_labels(tmp_path):
    # The Myanmar round-1 notes cite "kang-kwa-2025 ¶11"; players read "Kang & Kwa 2025 ¶11".
    _, out = play(tmp_path, MY, "d\nq\n")
    shown = flat(out.split("Choice [")[1])
    assert "Discussion questions:" in shown and "Facilitator notes:" in shown
    assert "Kang & Kwa 2025 ¶11" in shown and "kang-kwa-2025" not in shown


def test_an_outcome_heading_is_wrapped_like_the_rest(tmp_path):
    """A long option title ran the outcome's heading past the width, so an 80-column
    terminal cut it mid-word ('...on the regime's perm' / 'its')."""
    _, out = play(tmp_path, MY, "1\nq\n")
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("-- Outcome of round 1: "))
    assert max(len(line) for line in lines[at:at + 2]) <= 80
    assert flat(" ".join(lines[at:at + 2])).endswith(
        "ASEAN relief through the AHA Centre, on the regime's permits")
    assert lines[at + 1].startswith("   ")


def test_every_line_of_a_game_fits_80_columns_but_a_path_of_its_own(tmp_path):
    """The header, the help and the refusals were written unwrapped: at 80 columns a
    terminal or a screen reader's braille line cut them mid-word. Only a file path, alone
    on its line, may be longer (it is not broken)."""
    moves = "".join(f"{1 + k % 3} # reason {k}\n" for k in range(12))
    s, out = play(tmp_path, MY, "?\n\n" + "x" * 30 + "\n" + moves + "\n")
    assert s.over and "Type a and Enter for the appendix" in out
    for line in out.splitlines():
        assert len(line) <= 80 or str(s.path) in line, line
    assert f"Saving to {s.path}" in out.splitlines()
    assert "is not an option here" in out and "add '# reason' to record why" in flat(out)
    assert "'' is not an option" not in out  # Enter alone asks again
