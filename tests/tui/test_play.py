"""Pilot tests: the app played with key presses only, from the picker to the debrief."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from textual import events
from textual.widgets import Input, Static

from backchannel_tui.screens.briefing import BriefingScreen
from backchannel_tui.screens.debrief import DebriefScreen
from backchannel_tui.screens.decision import DecisionScreen
from backchannel_tui.screens.modals import (
    ConfirmChoice,
    ConfirmQuit,
    ExportScreen,
    HelpScreen,
    MessageScreen,
    OpenReadOnly,
    QuestionsScreen,
    RewindScreen,
)
from backchannel_tui.screens.outcome import OutcomeScreen
from backchannel_tui.screens.picker import PickerScreen
from backchannel_tui.widgets.indicators import BARS, IndicatorRow
from engine.play.session import Session, list_saves
from engine.scenario import catalog
from tests.tui.helpers import EXAMPLE, example_catalog, play_to_debrief, run, saved_game, settle
from tui import BackchannelApp

BUNDLED = catalog.bundled()
DEADEND = EXAMPLE.parents[1] / "tests" / "fixtures" / "explore" / "deadend.yaml"


@pytest.fixture
def example_only(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(example_catalog(tmp_path / "scen")))
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def _open_first(pilot, down: int = 0) -> None:
    assert isinstance(pilot.app.screen, PickerScreen)
    await pilot.press(*(["down"] * down), "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BriefingScreen)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DecisionScreen)


def test_example_picker_to_debrief(example_only):
    app = BackchannelApp(seed=3)

    async def script(pilot):
        await _open_first(pilot)
        chosen = await play_to_debrief(pilot)
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        assert screen.debrief.ending is not None
        text = str(screen.query_one("#sec-path-body", Static).render())
        assert "Round 1" in text and "Round 2" in text
        return chosen

    chosen = run(app, script)
    assert len(chosen) == 2
    saves = list_saves()
    assert len(saves) == 1 and saves[0].over and saves[0].decisions == 2


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenario_last_round_at_80x24(path):
    """The long part of the game is played through the engine; the app takes over for the
    last round at 80x24, where nothing is cut, and reaches the debrief on keys alone."""
    session = saved_game(path, seed=5, policy=lambda k, offered: offered[-1])
    total = len(session.decisions)
    start = saved_game(path, rounds=max(0, total - 1), seed=5,
                       policy=lambda k, offered: offered[-1])
    app = BackchannelApp(resume=str(start.path))

    async def script(pilot):
        await nothing_is_cut(pilot, (80, 24))
        offered = [o.number for o in app.screen.offers if o.available]
        await pilot.press(str(offered[-1]), "enter")
        await settle(pilot)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        # The header keeps where the player is whole; the scenario's title gives way.
        shown = app.screen.query_one("HeaderTitle")
        header = str(shown.render())
        assert re.search(r"Round \d+ of \d+ · outcome$", header), header
        assert len(header) <= shown.content_size.width, (header, shown.content_size)
        await pilot.press("enter")
        await settle(pilot)
        return isinstance(app.screen, DebriefScreen)

    assert run(app, script, size=(80, 24))
    assert app.session.over


def test_play_scenario_directly(example_only):
    app = BackchannelApp(scenario="haze-season", seed=1)

    async def script(pilot):
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)

    run(app, script)


def test_quit_mid_game_and_resume_at_same_point(example_only):
    first = BackchannelApp(seed=9)

    async def play_one(pilot):
        await _open_first(pilot)
        await pilot.press("2", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(first.screen, OutcomeScreen)
        # Esc leads back to the briefing (past the next round, built behind the outcome).
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(first.screen, BriefingScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(first.screen, DecisionScreen)
        state = first.session.state
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(first.screen, ConfirmQuit)
        await pilot.press("enter")
        await settle(pilot)
        return state.round_no, state.values, first.session.path

    round_no, values, log = run(first, play_one)
    assert round_no == 2

    second = BackchannelApp()

    async def resume(pilot):
        assert isinstance(second.screen, PickerScreen)
        await pilot.press("s", "enter")
        await settle(pilot)
        screen = second.screen
        assert isinstance(screen, DecisionScreen)
        assert second.session.path == log
        assert screen.session.state.round_no == round_no
        assert screen.session.state.values == values
        # The indicator panel shows the same values.
        for ind, value in zip(second.session.scenario.indicators, values, strict=True):
            row = next(r for r in screen.query("IndicatorRow") if r.indicator.id == ind.id)
            assert row.values[-1] == value
        # Esc goes back to the briefing, Enter returns to the same round.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(second.screen, BriefingScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(second.screen, DecisionScreen)
        assert second.session.state.round_no == round_no

    run(second, resume)


def test_confirm_can_be_cancelled_and_unavailable_option_is_refused(example_only):
    app = BackchannelApp(seed=2)

    async def script(pilot):
        await _open_first(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmChoice)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert app.session.decisions == []
        # Choose the ministerial meeting: trust stays low, so the protocol is not offered.
        await pilot.press("1", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DecisionScreen)
        offered = {o.option.id: o.available for o in screen.offers}
        assert offered["binding-agreement"] is False
        await pilot.press("1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)  # refused, no confirmation
        assert len(app.session.decisions) == 1

    run(app, script)


def test_help_questions_and_palette_commands(example_only):
    app = BackchannelApp(seed=2)

    async def script(pilot):
        await _open_first(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, QuestionsScreen)
        # The facilitator's notes cite "feng-track2 ¶4": the reader sees the source's label.
        notes = " ".join(str(s.render()) for s in app.screen.query("Collapsible Static"))
        assert "(Feng ¶4)" in notes and "feng-track2" not in notes
        await pilot.press("escape")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Help", "Discussion questions", "Choose the highlighted option",
                       "What-if: rewind", "Quit backchannel", "Toggle light/dark theme"):
            assert wanted in titles
        assert any(t.startswith("Option 3: ") for t in titles)
        app.action_toggle_theme()
        await settle(pilot)
        assert app.theme == "textual-light"

    run(app, script)


def test_whatif_from_a_decision_screen(example_only):
    """Round 2, press w, pick round 1: a new path at round 1, the old one kept for the
    comparison (this used to crash with DuplicateIds)."""
    earlier = saved_game(EXAMPLE, rounds=1)
    app = BackchannelApp(resume=str(earlier.path))

    async def script(pilot):
        assert isinstance(app.screen, DecisionScreen)
        assert app.session.state.round_no == 2
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, RewindScreen)
        await pilot.press("enter")  # round 1
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert app.session.state.round_no == 1
        assert app.session.path != earlier.path and app.other.path == earlier.path
        await play_to_debrief(pilot, policy=lambda k, offered: offered[-1])
        assert app.screen.query_one("#compare-paths")

    run(app, script)


def test_whatif_and_export_from_debrief(example_only):
    first = saved_game(EXAMPLE, policy=lambda k, offered: offered[0])
    app = BackchannelApp(resume=str(first.path))

    async def script(pilot):
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, RewindScreen)
        await pilot.press("down", "enter")  # the last round: one round to replay, not two
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert app.session.state.round_no == 2 and app.other is not None
        second = await play_to_debrief(pilot, policy=lambda k, offered: offered[-1])
        assert first.decisions[-1].option_id != second[-1]
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        assert screen.query_one("#compare-paths")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one(Input).value == str(example_only)
        await pilot.press("enter")
        await settle(pilot)
        result = str(screen.query_one("#export-result", Static).render())
        assert "haze-season-debrief.md" in result and "haze-season-debrief.html" in result

    run(app, script)
    md = (example_only / "haze-season-debrief.md").read_text(encoding="utf-8")
    assert "What-if: two paths side by side" in md
    html = (example_only / "haze-season-debrief.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html


def test_broken_scenario_is_listed_not_fatal(example_only, tmp_path):
    (tmp_path / "scen" / "broken.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    app = BackchannelApp()

    async def script(pilot):
        assert isinstance(app.screen, PickerScreen)
        assert len(app.screen.scenario_paths) == 2

    run(app, script)


def test_reason_typed_when_confirming_is_saved_and_shown(example_only):
    """The reason is kept whole even when typed (or pasted) faster than the line takes it:
    Enter, a key of the dialog's own, was handled ahead of the letters before it, so a
    quick typist's 'keep the door open' was saved as 'keep the do'."""
    app = BackchannelApp(resume=str(saved_game(EXAMPLE, rounds=1).path))

    async def script(pilot):
        await pilot.press("3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmChoice)
        for ch in "slow trust":  # all at once, as a terminal delivers a paste
            app.post_message(events.Key("space" if ch == " " else ch, ch))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert "slow trust" in str(app.screen.query_one("#sec-path-body", Static).render())

    run(app, script)
    assert list_saves()[0].path == app.session.path
    resumed = Session.open(app.session.path)
    assert resumed.decisions[-1].why == "slow trust"


def test_round_opens_at_its_title_and_page_keys_scroll_the_text(example_only):
    path = BUNDLED[0]
    app = BackchannelApp(resume=str(saved_game(path, rounds=0).path))

    async def script(pilot):
        screen = app.screen
        assert isinstance(screen, DecisionScreen)
        scroller = screen._scroller()
        title = screen.query_one("#round-title")
        assert scroller.scroll_y == 0 and title.region.y >= scroller.region.y
        assert str(title.render()).startswith("Round 1 of ")
        for size in ((120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            scroller = screen._scroller()
            highlighted = screen.query_one("#options").highlighted
            await pilot.press("pagedown")
            await settle(pilot)
            assert scroller.scroll_y > 0
            assert screen.query_one("#options").highlighted == highlighted

    run(app, script, size=(120, 40))


def test_first_frame_has_the_narrow_layout(example_only):
    app = BackchannelApp(resume=str(saved_game(EXAMPLE, rounds=0).path))

    async def script(pilot):
        # The width class is there when the screen is built, before any Resize reaches it.
        assert DecisionScreen(app.session).has_class("-narrow")

    run(app, script, size=(80, 24))


def test_palette_has_one_quit_one_theme_and_a_working_screenshot(example_only):
    app = BackchannelApp(export_dir=example_only / "shots")

    async def script(pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Quit backchannel") == 1 and "Quit" not in titles
        assert "Theme" not in titles and "Choose a theme" in titles
        assert titles.count("Screenshot") == 1
        (example_only / "shots").mkdir()
        app.action_screenshot_to_folder()
        await settle(pilot)

    run(app, script)
    assert list((example_only / "shots").glob("*.svg"))


def test_theme_is_remembered_between_runs(example_only):
    first = BackchannelApp()

    async def choose(pilot):
        first.theme = "solarized-light"
        await settle(pilot)

    run(first, choose)
    second = BackchannelApp()

    async def check(pilot):
        assert second.theme == "solarized-light"

    run(second, check)


def test_briefing_footer_says_what_the_button_says(example_only):
    app = BackchannelApp(resume=str(saved_game(EXAMPLE, rounds=1).path))

    async def script(pilot):
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BriefingScreen)
        shown = {b.description for b in (a.binding for a in screen.active_bindings.values())
                 if b.show}
        assert "Back to the game" in shown and "Begin" not in shown

    run(app, script)


def test_served_app_lists_no_saved_games_and_exports_as_downloads(example_only):
    """Under `backchannel serve` the visitor is not the server's user: the picker lists none
    of that user's saved games, and the debrief and a screenshot go to the browser as
    downloads; nothing is written in the server's folders."""
    saved = saved_game(EXAMPLE)
    browsing = BackchannelApp(served=True)

    async def picker(pilot):
        saves = pilot.app.screen.query_one("#saves")
        shown = [str(saves.get_option_at_index(i).prompt) for i in range(saves.option_count)]
        assert saves.option_count == 1 and "not listed" in shown[0]
        assert all(saves.get_option_at_index(i).id is None for i in range(saves.option_count))

    run(browsing, picker)
    app = BackchannelApp(resume=str(saved.path), served=True)  # as if played to the end
    delivered = []
    app.deliver_text = lambda f, **kw: delivered.append((kw["save_filename"], f.read()))

    async def script(pilot):
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is screen  # no dialog asking for a folder on the server
        result = str(screen.query_one("#export-result", Static).render())
        assert "downloads" in result and "haze-season-debrief.md" in result
        app.action_screenshot_to_folder()

    run(app, script)
    names = [name for name, _ in delivered]
    assert names == ["haze-season-debrief.md", "haze-season-debrief.html",
                     "backchannel-screenshot.svg"]
    assert delivered[0][1].startswith("#") and "<html" in delivered[1][1].lower()
    before = {p.name for p in example_only.iterdir()}
    assert not any(n.endswith((".md", ".html", ".svg")) for n in before)


def test_whatif_branch_is_labelled_in_the_picker(example_only):
    first = saved_game(EXAMPLE)
    with Session.resume(first.path) as game:
        branch = game.branch(2)
        branch.close()
    app = BackchannelApp()

    async def script(pilot):
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        saves = screen.query_one("#saves")
        prompts = [str(saves.get_option_at_index(i).prompt)
                   for i in range(saves.option_count)
                   if saves.get_option_at_index(i).id == str(branch.path)]
        assert len(prompts) == 1
        assert "what-if of the game saved" in prompts[0] and "from round 2" in prompts[0]

    run(app, script)


def test_picker_refuses_what_check_rejects_and_says_where(example_only):
    """A scenario with a reachable dead end (which `check` and `play` reject) is not opened
    from the picker: the problem dialog shows the checker's finding with file:line."""
    deadend = catalog.bundled_dir() / "deadend.yaml"
    shutil.copy(DEADEND, deadend)
    app = BackchannelApp()

    async def script(pilot):
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        await pilot.press("down", "down", "enter")  # deadend sorts first; the separator
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MessageScreen), dialog
        assert "deadend.yaml cannot be played" in dialog.title_text
        assert f"{deadend}:46:7: error: dead end: in round 2" in dialog.text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is picker and app.session is None

    run(app, script)
    assert list_saves() == []


HOLD = ("import sys; from engine.play.session import Session; "
        "s = Session.resume(sys.argv[1]); print('held', flush=True); sys.stdin.read()")


def test_game_open_elsewhere_is_offered_read_only(example_only):
    """Another process plays the game (it holds the save's lock): the app says so and, if
    asked, shows the briefing and the debrief so far without writing a byte."""
    path = saved_game(EXAMPLE, rounds=1).path
    before = path.read_bytes()
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, cwd=EXAMPLE.parents[1])
    try:
        assert other.stdout.readline() == b"held\n"
        app = BackchannelApp(resume=str(path))

        async def script(pilot):
            dialog = app.screen
            assert isinstance(dialog, OpenReadOnly), dialog
            shown = " ".join(str(s.render()) for s in dialog.query(Static))
            assert f"another window (pid {other.pid}, since " in shown
            await pilot.press("v")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DebriefScreen) and app.session.read_only
            assert screen.sub_title == "Debrief so far · read-only"
            note = str(screen.query_one("#read-only-note", Static).render())
            assert "open for play in another window" in note and "up to round 2" in note
            assert "Round 1" in str(screen.query_one("#sec-path-body", Static).render())
            assert not screen.query("#rewind")
            await pilot.press("w")  # no what-if of a game played elsewhere
            await settle(pilot)
            assert app.screen is screen
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, BriefingScreen)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DebriefScreen)

        run(app, script)
    finally:
        other.communicate(b"", timeout=30)
    assert path.read_bytes() == before


def test_a_role_brief_shows_in_the_briefing_and_its_note_in_its_round(example_only):
    """`play SCENARIO --role ID` in the app mirrors line mode: the role's private brief on the
    briefing, its note for a round under that round's situation, no other role's words. A
    resumed game is played as the role its save was started with (here without --role: the
    app dropped it, line mode did not)."""
    save = saved_game(EXAMPLE, rounds=1, role="ministry-adviser").path
    app = BackchannelApp(resume=str(save))

    async def script(pilot):
        assert isinstance(app.screen, DecisionScreen) and app.session.state.round_no == 2
        note = " ".join(str(app.screen.query_one("#role-note", Static).render()).split())
        assert "Adviser to the environment minister (only you see this):" in note
        assert "public embarrassment at home. (Kang & Kwa 2025 ¶4)" in note
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        body = " ".join(" ".join(str(s.render()).split()) for s in app.screen.query(Static))
        assert "Your role (private): Adviser to the environment minister" in body
        assert "something on the record this season, and soon. (Feng ¶4)" in body
        assert "Director of a regional research institute" not in body

    run(app, script)


def test_a_resumed_game_asked_for_another_role_plays_it_and_says_so(example_only):
    """As line mode: a member may take another seat; the app says which role the game was
    started with (the save keeps that one)."""
    save = saved_game(EXAMPLE, rounds=1, role="ministry-adviser").path
    app = BackchannelApp(resume=str(save), role="institute-director")

    async def script(pilot):
        assert isinstance(app.screen, DecisionScreen)
        assert not app.screen.query("#role-note")  # the director has no note for round 2
        await pilot.press("escape")
        await settle(pilot)
        body = " ".join(" ".join(str(s.render()).split()) for s in app.screen.query(Static))
        assert "Your role (private): Director of a regional research institute" in body
        assert "Adviser to the environment minister" not in body
        shown = " ".join(" ".join(n.message.split()) for n in app._notifications)
        assert ("this game was started with role 'ministry-adviser'; playing on as "
                "'institute-director', as asked" in shown)

    run(app, script)


def test_a_role_the_scenario_lacks_is_named_with_the_roles_it_has(example_only):
    app = BackchannelApp(scenario="haze-season", seed=1, role="envoy")

    async def script(pilot):
        assert isinstance(app.screen, BriefingScreen)
        assert not app.screen.query("#role-brief")
        shown = " ".join(n.message for n in app._notifications)
        assert "no role 'envoy' (roles: ministry-adviser, institute-director)" in shown

    run(app, script)


def test_play_in_the_app_refuses_an_unknown_role_before_it_starts(capsys, monkeypatch):
    from backchannel_cli import main as cli

    monkeypatch.setattr(cli, "_app", lambda: pytest.fail("the app must not start"))
    assert cli.main(["play", str(EXAMPLE), "--role", "envoy"]) == 2
    assert ("no role 'envoy' in haze-season; roles: ministry-adviser, institute-director"
            in capsys.readouterr().err)


async def nothing_is_cut(pilot, size) -> None:
    """From a decision screen (Myanmar: 7 indicators, long actor texts): every indicator
    shows its whole name (a name comes before its bars where both do not fit), the 7th,
    alone on the strip's last line, its bars too, and
    the briefing's actors wrap inside the screen instead of being cut (a kind is never
    split). Back on the decision screen after."""
    app = pilot.app
    assert isinstance(app.screen, DecisionScreen)
    rows = list(app.screen.query(IndicatorRow))
    assert len(rows) == len(app.session.scenario.indicators)
    for row in rows:
        shown = str(row.render())
        assert row.indicator.label in shown and "…" not in shown, shown
        assert row.region.right <= size[0]
    assert any(bar in str(rows[-1].render()) for bar in BARS)
    await pilot.press("escape")
    await settle(pilot)
    briefing = app.screen
    assert isinstance(briefing, BriefingScreen)
    body = briefing.query_one("#briefing-body")
    shown = [w for w in briefing.query("#actors, #actors-list") if w.display]
    assert len(shown) == 1
    cells = list(shown[0].query(Static))
    for actor in app.session.scenario.actors:
        for text in (actor.stance, actor.interests, actor.kind):
            holding = [c for c in cells if text in str(c.render())]
            assert holding, text
            for cell in holding:
                assert cell.content_region.right <= body.scrollable_content_region.right
                assert cell.content_size.width >= len(actor.kind)  # never split
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DecisionScreen)


def test_nothing_is_cut_at_120x40():
    """(80x24: test_bundled_scenario_last_round_at_80x24.)"""
    myanmar = catalog.find("myanmar-humanitarian-access")
    app = BackchannelApp(resume=str(saved_game(myanmar, rounds=1).path))
    run(app, lambda pilot: nothing_is_cut(pilot, (120, 40)), size=(120, 40))


def test_next_round_is_built_behind_the_outcome_and_nothing_rewraps(example_only):
    """Going on from an outcome shows the round that was built behind it (no new screen to
    build then: issue 10 §10, it took 0.4-1.0 s); the round opens at its title with the
    first offered option highlighted; the first key re-wraps nothing (80x24)."""
    app = BackchannelApp(resume=str(saved_game(EXAMPLE, rounds=0).path))

    def sizes(screen):
        """Every widget's size, but the highlighted option's details (they change)."""
        side = screen.query_one("#decision-side")
        return {w: w.size for w in screen.query("*")
                if w.display and w is not side and side not in w.ancestors}

    async def script(pilot):
        decision = app.screen
        assert isinstance(decision, DecisionScreen)
        before = sizes(decision)
        await pilot.press("down")
        await settle(pilot)
        after = sizes(decision)
        assert {w: s for w, s in after.items() if w in before} == {
            w: s for w, s in before.items() if w in after}
        await pilot.press("3", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        assert app.screen_stack[-2] is decision
        # The network's data lands after the last of the example's 2 rounds: in the words
        # line mode uses (it read "Round 3").
        later = " ".join(str(app.screen.query_one("#scheduled", Static).render()).split())
        assert later.startswith("• The end of the game (after round 2), if Trust between "
                                "neighbours >= 6: Air quality ▲+2 (better) — Shared"), later
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is decision
        assert str(decision.query_one("#round-title", Static).render()).startswith(
            "Round 2 of 2")
        assert decision.sub_title == "Round 2 of 2"
        picker = decision.query_one("#options")
        assert picker.has_focus and picker.highlighted == decision.first
        assert decision.offers[decision.first].available
        assert decision._scroller().scroll_y == 0

    run(app, script, size=(80, 24))


def _footer_keys(screen) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [key.description for key in screen.query(FooterKey) if key.description]


def test_the_footer_names_each_screens_keys_along_a_round(example_only):
    """The footer is rebuilt once per burst of binding changes (widgets.footer): it must
    still end up naming the keys of the screen on top, also after going on from an outcome
    to the round built behind it."""
    app = BackchannelApp(seed=3)

    async def script(pilot):
        seen = {"picker": _footer_keys(app.screen)}
        await pilot.press("enter")
        await settle(pilot)
        seen["briefing"] = _footer_keys(app.screen)
        await pilot.press("enter")
        await settle(pilot)
        seen["decision"] = _footer_keys(app.screen)
        number = next(o.number for o in app.screen.offers if o.available)
        await pilot.press(str(number), "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        seen["outcome"] = _footer_keys(app.screen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        seen["next round"] = _footer_keys(app.screen)
        return seen

    seen = run(app, script)
    assert seen["picker"][:2] == ["Open", "Saved games"]
    assert seen["briefing"][0] == "Begin"
    assert seen["decision"][0] == "Choose" and {"What-if", "Study"} <= set(seen["decision"])
    assert "Continue" in seen["outcome"]
    assert seen["next round"] == seen["decision"]


def _one_round_example() -> str:
    """The example cut to its first round (the second round, and what refers to it, gone)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    cut = text[:text.index("  - id: next-season")] + text[text.index("events:\n"):]
    cut = cut.replace("    round: 2\n", "    round: 1\n").replace("round: next-season",
                                                              "round: first-smoke")
    return cut[:cut.index("lessons:\n")] + cut[cut.index("# Private briefs"):]


def test_a_one_round_scenario_says_1_round_in_the_picker_and_the_briefing(tmp_path,
                                                                         monkeypatch):
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "one.yaml").write_text(_one_round_example(), encoding="utf-8")
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(folder))
    monkeypatch.chdir(tmp_path)
    app = BackchannelApp()

    async def script(pilot):
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        prompt = str(picker.query_one("#scenarios").get_option_at_index(0).prompt)
        assert "an unnamed dry season · 1 round · 10 min solo" in prompt, prompt
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        body = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "an unnamed dry season · 1 round · 10 min solo · 45 min workshop" in body
        assert "rounds" not in prompt + body

    run(app, script)
