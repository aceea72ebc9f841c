"""The workshop's records and its phase machine (pure: no store, no clock of its own).

A workshop moves all its teams through each round together::

    ready --open--> open --close--> closed --reveal--> revealed --next--> ready (next round)
                                                                 \\--next--> ended (after the last)

Every control change (phase or timer) bumps ``Control.version``; stores apply a change only
if the version they read is still current (compare-and-swap), so two consoles or a double key
press cannot advance twice.
"""

from __future__ import annotations

import enum
import secrets
from typing import Any

import attrs

# Join codes: 6 characters a participant can read off a projector and type without asking:
# no 0/O, 1/I/L, and no U/V (confused in some fonts and when read aloud).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 6
_ID_ALPHABET = "23456789abcdefghjkmnpqrstwxyz"

BOT_POLICIES = ("random", "track-1", "track-1.5", "track-2")


class WorkshopError(Exception):
    """A workshop operation that cannot be done; the message says why (one line)."""


class NotFound(WorkshopError):
    """No such workshop, team or join code."""


class Refused(WorkshopError):
    """A submission the store refused: ``reason`` is one of 'duplicate', 'closed',
    'wrong-round', 'not-open', 'invalid-option', 'absent', 'finished', 'decided' (see
    AlreadyDecided); the message explains."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class AlreadyDecided(Refused):
    """A facilitator's decision or absent mark refused because the team already has a
    decision in the round (replacing one must be asked for). ``team`` names the team,
    ``existing`` is its decision, so each front end can say how to replace it there."""

    def __init__(self, message: str, team: str, existing: TeamDecision) -> None:
        super().__init__("decided", message)
        self.team, self.existing = team, existing


class Conflict(WorkshopError):
    """A compare-and-swap that lost: someone else changed the workshop first."""


class PhaseError(WorkshopError):
    """A control action that the current phase does not allow (e.g. reveal while open)."""


class MissingDecisions(PhaseError):
    """A reveal refused because teams have no decision for the round; ``teams`` names them,
    so each front end can say how to enter one there (the message names the commands)."""

    def __init__(self, message: str, round_no: int, teams: tuple[str, ...]) -> None:
        super().__init__(message)
        self.round_no, self.teams = round_no, teams


class Phase(enum.StrEnum):
    READY = "ready"  # the round is prepared; teams see the situation but cannot submit yet
    OPEN = "open"  # teams discuss and submit; the timer runs
    CLOSED = "closed"  # no more submissions; the facilitator fills gaps (override / absent)
    REVEALED = "revealed"  # every team sees its outcome; the board shows all choices
    ENDED = "ended"  # past the last round: debriefs and the comparison


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_workshop_id() -> str:
    return "w-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))


def normalise_code(text: str) -> str:
    """What a participant typed -> a code to look up ('ab3-7kq ' -> 'AB37KQ')."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def check_code(text: str) -> str:
    """The normalised code, or WorkshopError saying what is wrong with what was typed."""
    code = normalise_code(text)
    if len(code) != CODE_LENGTH:
        raise WorkshopError(f"a join code has {CODE_LENGTH} characters; '{text.strip()}' has "
                            f"{len(code)}")
    bad = sorted({ch for ch in code if ch not in CODE_ALPHABET})
    if bad:
        raise WorkshopError(f"'{''.join(bad)}' never appears in a join code (codes use "
                            f"{CODE_ALPHABET}); check the code on the screen")
    return code


@attrs.frozen
class Control:
    """Where the workshop is: round, phase, the timer, and the version every change bumps.

    The timer is one stored end time (epoch seconds); while paused, ``timer_ends_at`` is None
    and ``timer_paused`` holds the seconds left. Both None: no timer."""

    round_no: int
    phase: Phase
    version: int
    timer_ends_at: float | None = None
    timer_paused: float | None = None

    def remaining(self, now: float) -> float | None:
        """Seconds left on the timer (never negative), or None without a timer."""
        if self.timer_paused is not None:
            return self.timer_paused
        if self.timer_ends_at is None:
            return None
        return max(0.0, self.timer_ends_at - now)

    @property
    def paused(self) -> bool:
        return self.timer_paused is not None


ACTIONS = ("open", "close", "reveal", "next", "timer-start", "timer-add", "timer-pause",
           "timer-resume", "timer-end")
MAX_TIMER_S = 24 * 3600


def parse_duration(text: str) -> float:
    """A timer's length as a facilitator types it: minutes ('5', '2.5', '5m'), seconds
    ('90s') or minutes:seconds ('4:30'). Raises WorkshopError saying what to type."""
    t = text.strip().lower().replace(" ", "")
    bad = WorkshopError(f"'{text.strip()}' is not a timer length: give minutes (5 or 2.5), "
                        "seconds (90s) or minutes:seconds (4:30)")
    try:
        if ":" in t:
            minutes, secs = t.split(":", 1)
            if not (minutes.isdigit() and secs.isdigit() and len(secs) == 2):
                raise bad
            seconds = int(minutes) * 60.0 + int(secs)
        elif t.endswith("s"):
            seconds = float(t[:-1])
        else:
            seconds = float(t.removesuffix("min").removesuffix("m")) * 60
    except ValueError:
        raise bad from None
    if not 0 < seconds <= MAX_TIMER_S:  # also refuses nan and inf
        raise WorkshopError(f"a timer runs for more than 0 s and at most 24 hours, not "
                            f"'{text.strip()}'")
    return seconds


def step(c: Control, action: str, now: float, *, round_seconds: int = 0,
         next_round: int | None = None, seconds: float = 0.0) -> Control:
    """The control after ``action`` (pure). ``next_round``: the round `next` goes to (None:
    the workshop ends). Raises PhaseError with a one-line reason when the phase forbids it."""
    p = c.phase
    v = c.version + 1
    if action == "open":
        if p is not Phase.READY:
            raise PhaseError(_why_not("open", c))
        ends = now + round_seconds if round_seconds > 0 else None
        return Control(c.round_no, Phase.OPEN, v, ends, None)
    if action == "close":
        if p is not Phase.OPEN:
            raise PhaseError(_why_not("close", c))
        return Control(c.round_no, Phase.CLOSED, v, None, None)
    if action == "reveal":
        if p is not Phase.CLOSED:
            raise PhaseError(_why_not("reveal", c))
        return Control(c.round_no, Phase.REVEALED, v, None, None)
    if action == "next":
        if p is not Phase.REVEALED:
            raise PhaseError(_why_not("next", c))
        if next_round is None:
            return Control(c.round_no, Phase.ENDED, v, None, None)
        if next_round <= c.round_no:
            raise PhaseError(f"the next round must come after round {c.round_no}")
        return Control(next_round, Phase.READY, v, None, None)
    if action == "timer-start":  # a new timer of the given length, with or without one before
        if p is not Phase.OPEN:
            raise PhaseError(f"a timer runs only while a round is open (round {c.round_no} is "
                             f"{p.value})")
        if not 0 < seconds <= MAX_TIMER_S:
            raise PhaseError("a timer runs for more than 0 s and at most 24 hours")
        return Control(c.round_no, p, v, now + seconds, None)
    if action.startswith("timer-"):
        if p is not Phase.OPEN:
            raise PhaseError(f"no timer is running (round {c.round_no} is {p.value})")
        if c.timer_ends_at is None and c.timer_paused is None:
            raise PhaseError(f"no timer is running in round {c.round_no}: start one with its "
                             "length first")
        left = c.remaining(now) or 0.0
        if action == "timer-add":
            left = max(0.0, left + seconds)
            if c.paused:
                return Control(c.round_no, p, v, None, left)
            return Control(c.round_no, p, v, now + left, None)
        if action == "timer-pause":
            if c.paused:
                raise PhaseError("the timer is already paused")
            return Control(c.round_no, p, v, None, left)
        if action == "timer-resume":
            if not c.paused:
                raise PhaseError("the timer is not paused")
            return Control(c.round_no, p, v, now + left, None)
        if action == "timer-end":
            return Control(c.round_no, p, v, now, None)
    raise PhaseError(f"unknown action '{action}' (one of {', '.join(ACTIONS)})")


_NEXT_STEP = {
    Phase.READY: "open it",
    Phase.OPEN: "close it",
    Phase.CLOSED: "reveal it",
    Phase.REVEALED: "go to the next round",
}


def _why_not(action: str, c: Control) -> str:
    if c.phase is Phase.ENDED:
        return f"cannot {action}: the workshop has ended"
    return (f"cannot {action}: round {c.round_no} is {c.phase.value} "
            f"(next step: {_NEXT_STEP[c.phase]})")


@attrs.frozen
class Team:
    workshop_id: str
    id: int  # 1..N in the order given
    name: str
    code: str
    bot: str | None = None  # bot policy for a stand-in team, else None
    joined_at: float | None = None  # first join (None: never joined)


@attrs.frozen
class Workshop:
    id: str
    name: str
    scenario_id: str
    scenario_path: str  # absolute
    scenario_sha256: str
    seed: int
    round_seconds: int  # 0: no timer
    created_at: float
    control: Control
    message: str | None = None  # the broadcast to all teams
    changes: int = 0  # bumped by every write about this workshop (cheap polling on any store)


@attrs.frozen
class Draft:
    """What a team has typed so far this round (kept so a refresh loses nothing)."""

    team_id: int
    round_no: int
    option_id: str | None
    reason: str
    updated_at: float


@attrs.frozen
class TeamDecision:
    """One (team, round) entry: a submission, a facilitator's override, or an absent mark.

    ``by``: 'team', 'bot' or 'facilitator'. For an override ``reason`` is the facilitator's
    reason and ``team_reason`` keeps what the team had written, if anything. An absent mark has
    no option; the team's game stops there."""

    team_id: int
    round_no: int
    option_id: str | None
    reason: str | None
    by: str
    at: float
    override: bool = False
    absent: bool = False
    team_reason: str | None = None


@attrs.frozen
class Event:
    """One line of the append-only audit trail."""

    seq: int
    at: float
    kind: str  # 'created', 'join', 'phase', 'timer', 'submit', 'override', 'absent', 'note',
    #            'message'
    team_id: int | None
    round_no: int | None
    actor: str  # 'facilitator', 'team', 'bot', 'system'
    data: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class NewTeam:
    name: str
    bot: str | None = None


@attrs.frozen
class NewWorkshop:
    name: str
    scenario_id: str
    scenario_path: str
    scenario_sha256: str
    seed: int
    round_seconds: int
    first_round: int
    teams: tuple[NewTeam, ...]
