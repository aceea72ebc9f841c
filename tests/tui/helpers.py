"""Helpers for the TUI tests: run an app headless and play it with key presses only."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from backchannel_tui.screens.debrief import DebriefScreen
from backchannel_tui.screens.decision import DecisionScreen
from backchannel_tui.screens.modals import ConfirmChoice
from backchannel_tui.screens.outcome import OutcomeScreen
from engine.play.session import Session

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "example-scenario.yaml"


def saved_game(scenario: Path, rounds: int | None = None, policy=None, seed: int = 1,
               **kw) -> Session:
    """A game played through the engine (fast): ``rounds`` decisions (all of them when
    None), each the option ``policy(round_no, offered numbers)`` picks (default: the first
    offered). The game is closed (its lock released) so that the app can open it with
    ``BackchannelApp(resume=str(session.path))``."""
    s = Session.new(scenario, seed=seed, **kw)
    policy = policy or (lambda k, offered: offered[0])
    while not s.over and (rounds is None or len(s.decisions) < rounds):
        choices = s.game.availability(s.state)
        offered = [n for n, (_, ok) in enumerate(choices, 1) if ok]
        s.decide(choices[policy(s.state.round_no, offered) - 1][0].id)
    s.close()
    return s


def example_catalog(folder: Path) -> Path:
    """A scenario folder holding only the example (as haze-season.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE, folder / "haze-season.yaml")
    return folder


def run(app, script: Callable[[Pilot], Awaitable[object]], size=(100, 30)):
    """Run ``app`` headless at ``size`` and drive it with ``script(pilot)``."""

    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await script(pilot)

    return asyncio.run(main())


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def cycle_tracks(round_no: int, offered: list[int]) -> int:
    """A policy: vary the choice from round to round (returns an option number)."""
    return offered[(round_no - 1) % len(offered)]


async def play_to_debrief(pilot: Pilot, policy=cycle_tracks, limit: int = 60) -> list[str]:
    """From a decision screen, play with key presses only until the debrief. Returns the
    option ids chosen."""
    app = pilot.app
    chosen = []
    for _ in range(limit):
        screen = app.screen
        if isinstance(screen, DebriefScreen):
            return chosen
        if isinstance(screen, DecisionScreen):
            offered = [o.number for o in screen.offers if o.available]
            n = policy(app.session.state.round_no, offered)
            await pilot.press(str(n), "enter")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmChoice), app.screen
            chosen.append(screen.offers[n - 1].option.id)
            await pilot.press("enter")
        elif isinstance(screen, OutcomeScreen):
            await pilot.press("enter")
        else:
            raise AssertionError(f"unexpected screen {screen!r}")
        await settle(pilot)
    raise AssertionError("the game did not reach the debrief")
