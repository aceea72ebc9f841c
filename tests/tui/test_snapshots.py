"""Snapshot tests (pytest-textual-snapshot): every screen and every dialog at 80x24, the
game screens also wide, and the decision screen in two light themes.

Deterministic: the example scenario only, fixed seeds, games made through the engine (the
app opens at the screen under test), relative data and export folders, no clock. Update
with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after a deliberate change,
and look at the report before committing."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.helpers import example_catalog, saved_game, settle
from tui import BackchannelApp

SMALL = (80, 24)


@pytest.fixture
def game(tmp_path, monkeypatch):
    """game(rounds=None|n) -> an app resuming the example after ``rounds`` decisions, or
    game() with rounds=-1 -> a fresh app on the picker."""
    scenario = example_catalog(tmp_path / "scen") / "haze-season.yaml"
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(scenario.parent))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", "data")  # shown (relative) in the help

    def make(rounds: int | None = -1, **kw) -> BackchannelApp:
        if rounds == -1 or kw:
            return BackchannelApp(seed=1, export_dir="exports", **kw)
        session = saved_game(scenario, rounds=rounds, seed=1)
        return BackchannelApp(resume=str(session.path), export_dir="exports", **kw)

    return make


def keys(*presses: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):  # a blinking cursor is not a difference
            field.cursor_blink = False
        await settle(pilot)

    return run_before


# -- screens

def test_picker(snap_compare, game):
    assert snap_compare(game(), terminal_size=SMALL, run_before=keys())


def test_briefing(snap_compare, game):
    assert snap_compare(game(), terminal_size=SMALL, run_before=keys("enter"))


@pytest.mark.parametrize("size", [SMALL, (160, 48)], ids=["80x24", "160x48"])
def test_decision(snap_compare, game, size):
    assert snap_compare(game(0), terminal_size=size, run_before=keys())


def test_decision_after_page_down(snap_compare, game):
    """PageDown scrolls the round's text to the options; the highlight stays on 1."""
    assert snap_compare(game(0), terminal_size=SMALL, run_before=keys("pagedown"))


def test_outcome(snap_compare, game):
    assert snap_compare(game(0), terminal_size=SMALL, run_before=keys("3", "enter", "enter"))


@pytest.mark.parametrize("size", [SMALL, (160, 48)], ids=["80x24", "160x48"])
def test_debrief(snap_compare, game, size):
    assert snap_compare(game(None), terminal_size=size, run_before=keys())


@pytest.mark.parametrize("theme", ["textual-light", "solarized-light"])
def test_decision_light_themes(snap_compare, game, theme):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await settle(pilot)

    assert snap_compare(game(0), terminal_size=(120, 36), run_before=run_before)


# -- dialogs, each at 80x24 with its buttons and its own keys in the footer

def test_confirm_dialog(snap_compare, game):
    assert snap_compare(game(0), terminal_size=SMALL, run_before=keys("3", "enter"))


def test_rewind_dialog(snap_compare, game):
    assert snap_compare(game(1), terminal_size=SMALL, run_before=keys("w"))


def test_questions_dialog(snap_compare, game):
    assert snap_compare(game(0), terminal_size=SMALL, run_before=keys("d"))


def test_export_dialog(snap_compare, game):
    assert snap_compare(game(None), terminal_size=SMALL, run_before=keys("e"))


def test_quit_dialog(snap_compare, game):
    assert snap_compare(game(), terminal_size=SMALL, run_before=keys("q"))


def test_help_dialog(snap_compare, game):
    assert snap_compare(game(), terminal_size=SMALL, run_before=keys("question_mark"))


def test_message_dialog(snap_compare, game):
    assert snap_compare(game(scenario="no-such-scenario"), terminal_size=SMALL,
                        run_before=keys())
