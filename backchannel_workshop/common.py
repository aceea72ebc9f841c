"""What the console, the projector and the team client share: following the store, the
timer as text, and a team's game as far as it may be seen (as the solo app's screens read a
session, so they can be reused as they are)."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from textual.app import App
from textual.css.query import NoMatches

import backchannel_tui
from engine.play.rules import GameState, Outcome
from engine.play.savelog import Decision
from engine.present import wording as w
from engine.workshop import Phase, Room, TeamGame

# The solo app's stylesheet (game screens reused as they are) plus the workshop's own.
CSS_PATHS: list[str | PurePath] = [Path(backchannel_tui.__file__).parent / "app.tcss",
                                   Path(__file__).parent / "workshop.tcss"]
BREAKPOINTS = [(0, "-narrow"), (110, "-medium"), (150, "-wide")]
POLL_SECONDS = 0.25  # how often a process looks for others' commits (a cheap read)

PHASE_WORDS = {
    Phase.READY: "not open yet",
    Phase.OPEN: "open for decisions",
    Phase.CLOSED: "closed",
    Phase.REVEALED: "revealed",
    Phase.ENDED: "finished",
}

STATUS_WORDS = w.TEAM_STATUS  # one vocabulary with `workshop status` and the reports


def clock_text(seconds: float | None, paused: bool = False) -> str:
    """'04:31', '00:00', '' without a timer; '(paused)' after it when paused."""
    if seconds is None:
        return ""
    s = max(0, int(seconds + 0.999))
    text = f"{s // 60:02d}:{s % 60:02d}"
    return f"{text} (paused)" if paused else text


def timer_text(room: Room, now: float | None = None) -> str:
    c = room.workshop.control
    left = c.remaining(time.time() if now is None else now)
    return clock_text(left, c.paused)


def timer_left(room: Room) -> str:
    """'03:12 left' or '03:12 left, paused'; '' without a timer or once time is up."""
    c = room.workshop.control
    left = c.remaining(time.time())
    return f"{clock_text(left)} left" + (", paused" if c.paused else "") if left else ""


def round_words(room: Room) -> str:
    c = room.workshop.control
    total = len(room.scenario.rounds)
    if c.phase is Phase.ENDED:
        return "Workshop finished"
    return f"Round {min(c.round_no, total)} of {total} · {PHASE_WORDS[c.phase]}"


class TeamPlay:
    """One team's game up to what may be shown: as ``engine.play.session.Session`` reads for
    the solo app's screens and the debrief (scenario, game, seed, team, states, outcomes,
    decisions, state, over). Read-only: decisions go through the Room."""

    def __init__(self, room: Room, tg: TeamGame, shown: int) -> None:
        self.scenario = room.scenario
        self.game = room.game
        self.seed = room.workshop.seed
        self.team: str | None = tg.team.name
        self.header: dict = {"team": tg.team.name}
        played = [d for d in tg.decisions if not d.absent and d.option_id is not None]
        self.states: list[GameState] = list(tg.states[:shown + 1])
        self.outcomes: list[Outcome] = list(tg.outcomes[:shown + 1])
        self.decisions = [
            Decision(d.round_no, d.option_id or "", _iso(d.at),
                     tg.team.name if d.by == "team" else d.by, d.reason)
            for d in played[:shown]]
        self.absent_from = tg.absent_from

    @property
    def state(self) -> GameState:
        return self.states[-1]

    @property
    def over(self) -> bool:
        return self.state.over

    def history(self) -> dict[str, list[int]]:
        """Each indicator's values at the start and after every decision shown."""
        return {ind.id: [o.after[n] for o in self.outcomes]
                for n, ind in enumerate(self.scenario.indicators)}

    def rewind_points(self) -> list:
        return []  # a workshop has no what-if


def visible_play(room: Room, team_id: int) -> TeamPlay:
    """The team's game as anyone may see it now: a decision of the current round counts
    only once the round is revealed (until then its outcome is nobody's to see)."""
    tg = room.team_game(team_id)
    c = room.workshop.control
    played = [d for d in tg.decisions if not d.absent and d.option_id is not None]
    shown = len(played)
    if (played and played[-1].round_no == c.round_no
            and c.phase not in (Phase.REVEALED, Phase.ENDED)):
        shown -= 1
    return TeamPlay(room, tg, shown)


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).isoformat(timespec="seconds")


@contextmanager
def _closing_quietly(app: App) -> Iterator[None]:
    """A tick or a poll that fires while the app is closing finds its widgets already gone
    (seen under load as a traceback on quitting); there is nothing left to update then.
    While the app runs, a missing widget is a bug and is raised."""
    try:
        yield
    except NoMatches:
        if app.is_running:
            raise


class FollowsStore(App[None]):
    """An App with ``self.room`` that polls the store's change token in its own loop (no
    threads) and calls ``changed()`` after re-reading, and ``tick()`` every second (for the
    timer). Widgets are updated in place by those methods, never recomposed wholesale, so
    nothing half-typed is lost."""

    room: Room | None = None
    _last_token: object = None

    def follow_store(self, changed: Callable[[], None], tick: Callable[[], None]) -> None:
        self._changed, self._tick_callback = changed, tick
        self._last_token = None
        self.set_interval(POLL_SECONDS, self.poll_store, name="poll-store")
        self.set_interval(1.0, self._tick, name="tick")

    def _tick(self) -> None:
        if self.screen_stack:  # not while shutting down
            with _closing_quietly(self):
                self._tick_callback()

    def poll_store(self) -> bool:
        """Re-read if another process (or this one) committed since the last look; True if
        something changed."""
        room = self.room
        if room is None or not self.screen_stack:
            return False  # not started, or shutting down
        token = room.store.change_token()
        if token == self._last_token:
            return False
        self._last_token = token
        room.refresh()
        with _closing_quietly(self):
            self._changed()
        return True
