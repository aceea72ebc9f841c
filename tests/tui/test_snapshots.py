"""Snapshot tests of the main screens at 80x24 and 160x48 (pytest-textual-snapshot).

Deterministic: the example scenario only, a fixed seed, an empty save folder, no clock, no
paths or timestamps on screen. Update with ``pytest tests/tui/test_snapshots.py
--snapshot-update`` after a deliberate change, and look at the report before committing."""

from __future__ import annotations

import pytest

from tests.tui.helpers import example_catalog, settle
from tui import BackchannelApp

SIZES = [(80, 24), (160, 48)]
SIZE_IDS = ["80x24", "160x48"]

# From the picker: open the example, begin, then round 1 and round 2 choices.
TO_DECISION = ["enter", "enter"]
TO_OUTCOME = [*TO_DECISION, "3", "enter", "enter"]
TO_DEBRIEF = [*TO_OUTCOME, "enter", "2", "enter", "enter", "enter"]


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(example_catalog(tmp_path / "scen")))
    monkeypatch.chdir(tmp_path)
    return BackchannelApp(seed=1)


def keys(*presses: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_picker(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_decision(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys(*TO_DECISION))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_outcome(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys(*TO_OUTCOME))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_debrief(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys(*TO_DEBRIEF))


def test_decision_light_theme(snap_compare, app):
    async def run_before(pilot) -> None:
        await keys(*TO_DECISION)(pilot)
        pilot.app.theme = "textual-light"
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
