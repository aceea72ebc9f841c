"""A workshop in play: the store plus the rules. What every front end calls.

``Room(store, workshop_id)`` loads the workshop's scenario (refusing, with an explanation, if
the file changed since the workshop was created), replays each team's game from its decisions
with the workshop's seed (the pure rules: equal choices meet equal chances), and offers the
facilitator's actions (``act``: open, close, reveal, next, timer), the teams' (``submit``,
``save_draft``), overrides, absent marks, notes, the broadcast message, bots and the export.
A Room holds no state that the store does not: any process can build one at any time, and a
restarted console resumes exactly where the workshop was.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import attrs

from engine import __version__
from engine.play.rules import Game, GameState, Outcome, RulesError
from engine.play.savelog import Absent, Decision, Header, WorkshopRef, write_log
from engine.scenario.loader import ScenarioError, load_with_digest, summarise
from engine.scenario.model import Option, Scenario
from engine.workshop.model import (
    BOT_POLICIES,
    AlreadyDecided,
    Conflict,
    Draft,
    MissingDecisions,
    NewTeam,
    NewWorkshop,
    NotFound,
    Phase,
    Refused,
    Team,
    TeamDecision,
    Workshop,
    WorkshopError,
    check_code,
    step,
)
from engine.workshop.store import Snapshot, WorkshopStore

MAX_REASON = 2000
MAX_NAME = 40
MAX_TEAMS = 60
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ScenarioChanged(WorkshopError):
    """The workshop's scenario file is not the one the workshop was created with."""


def clean_text(text: str | None, limit: int = MAX_REASON, what: str = "text") -> str | None:
    """Participants' text as stored: control characters dropped, trimmed, bounded."""
    if text is None:
        return None
    text = _CONTROL_CHARS.sub("", text).strip()
    if len(text) > limit:
        raise WorkshopError(f"the {what} is {len(text)} characters; at most {limit} are kept")
    return text or None


def _load(path: Path) -> tuple[Scenario, str]:
    try:
        return load_with_digest(path)
    except FileNotFoundError:
        raise WorkshopError(f"{path}: the scenario file is missing") from None
    except ScenarioError as exc:
        raise WorkshopError(f"{path}: the scenario has errors ({summarise(exc.problems)}); run "
                            f"`backchannel check {path}`") from None
    except OSError as exc:
        raise WorkshopError(f"{path}: cannot read the scenario: {exc.strerror or exc}") from None


def create_workshop(store: WorkshopStore, scenario_path: str | Path, teams: list[str], *,
                    seed: int | None = None, round_minutes: float | None = None,
                    name: str | None = None, bots: int = 0, bot_policy: str = "random",
                    now: float | None = None) -> Workshop:
    """A new workshop in the store: round 1 ready, nothing open yet."""
    path = Path(scenario_path).expanduser().resolve()
    scenario, digest = _load(path)
    names = [clean_text(t, MAX_NAME, "team name") or "" for t in teams]
    if bot_policy not in BOT_POLICIES:
        raise WorkshopError(f"unknown bot policy '{bot_policy}' (one of "
                            f"{', '.join(BOT_POLICIES)})")
    if bots < 0:
        raise WorkshopError("--bots must be 0 or more")
    if any(not n for n in names):
        raise WorkshopError("a team name is empty; give names like --teams \"Red,Blue,Green\"")
    bot_names: list[str] = []
    k = 1
    while len(bot_names) < bots:
        candidate = f"Bot {k}"
        if candidate.lower() not in {n.lower() for n in names}:
            bot_names.append(candidate)
        k += 1
    all_names = [n for n in names if n] + bot_names
    seen: set[str] = set()
    for n in all_names:
        if n.lower() in seen:
            raise WorkshopError(f"two teams are called '{n}'; give each team its own name")
        seen.add(n.lower())
    if not all_names:
        raise WorkshopError("a workshop needs at least one team (--teams or --bots)")
    if len(all_names) > MAX_TEAMS:
        raise WorkshopError(f"{len(all_names)} teams; at most {MAX_TEAMS} in one workshop")
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 31)
    if not 0 <= seed < (1 << 63):
        raise WorkshopError("--seed must be between 0 and 2^63 - 1")
    if round_minutes is None:
        d = scenario.about.duration.workshop_minutes
        round_minutes = max(1, round(d * 0.6 / max(1, len(scenario.rounds))))
    if not 0 <= round_minutes <= 24 * 60:
        raise WorkshopError("--round-minutes must be between 0 (no timer) and 1440")
    start, _ = Game(scenario).start(seed)
    if start.over:
        raise WorkshopError(f"{path}: the game ends before its first round; nothing to play")
    new = NewWorkshop(
        name=clean_text(name, 120, "workshop name") or f"{scenario.title} workshop",
        scenario_id=scenario.id, scenario_path=str(path), scenario_sha256=digest, seed=seed,
        round_seconds=int(round_minutes * 60), first_round=start.round_no,
        teams=tuple([NewTeam(n) for n in names] + [NewTeam(n, bot_policy) for n in bot_names]),
    )
    return store.create(new, time.time() if now is None else now)


@attrs.frozen
class TeamGame:
    """One team's game, replayed from its decisions: ``states[0]`` is the start."""

    team: Team
    decisions: tuple[TeamDecision, ...]
    states: tuple[GameState, ...]
    outcomes: tuple[Outcome, ...]
    absent_from: int | None  # the round the team was marked absent (its game stops there)

    @property
    def state(self) -> GameState:
        return self.states[-1]

    def status(self, round_no: int, decided: TeamDecision | None) -> str:
        """In workshop round ``round_no``: 'submitted' | 'override' | 'absent' | 'waiting'
        (a decision is due) | 'out' (absent earlier) | 'finished' | 'skips' (this team's
        game has no round ``round_no``)."""
        if decided is not None:
            return "absent" if decided.absent else "override" if decided.override else "submitted"
        if self.absent_from is not None:
            return "out"
        if self.state.over:
            return "finished"
        if self.state.round_no != round_no:
            return "skips"
        return "waiting"


@attrs.frozen
class TeamRow:
    """One line of the status board. ``choice`` is filled only once it may be shown."""

    team: Team
    status: str
    by: str | None
    at: float | None
    choice: TeamDecision | None
    game: TeamGame


@attrs.frozen
class Status:
    workshop: Workshop
    remaining: float | None  # seconds on the timer
    rows: tuple[TeamRow, ...]

    @property
    def missing(self) -> list[Team]:
        return [r.team for r in self.rows if r.status == "waiting"]


def bot_choice(policy: str, offered: list[Option], seed: int, team_id: int,
               round_no: int) -> Option:
    """A stand-in team's choice: deterministic in (workshop seed, team, round)."""
    rng = random.Random(f"{seed}:{team_id}:{round_no}")
    if policy.startswith("track-"):
        want = policy.removeprefix("track-")
        on_track = [o for o in offered if o.track.value == want]
        if on_track:
            return rng.choice(on_track)
    return rng.choice(offered)


class Room:
    """One workshop, seen from any process. Cheap to rebuild; call ``refresh`` (or look at
    ``store.change_token()``) to see others' changes."""

    def __init__(self, store: WorkshopStore, workshop_id: str, *,
                 accept_changed_scenario: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        w = store.workshop(workshop_id)
        self.id = w.id
        path = Path(w.scenario_path)
        if not path.is_file():
            raise ScenarioChanged(
                f"workshop {w.id} plays {path}, which is no longer there; put the file back "
                "(teams' games are replayed from it)")
        self.scenario, digest = _load(path)
        self.scenario_changed = digest != w.scenario_sha256
        if self.scenario_changed and not accept_changed_scenario:
            raise ScenarioChanged(
                f"{path} has changed since workshop {w.id} was created (content hash "
                f"{w.scenario_sha256[:12]} then, {digest[:12]} now): teams' games would be "
                "replayed on other rules. Put the original file back, or if the change is only "
                "wording, pass --accept-changed-scenario")
        if self.scenario.id != w.scenario_id:
            raise ScenarioChanged(f"{path} now holds scenario '{self.scenario.id}', not "
                                  f"'{w.scenario_id}'")
        self.game = Game(self.scenario)
        self._replays: dict[int, tuple[tuple[TeamDecision, ...], TeamGame]] = {}
        self.snap: Snapshot = store.snapshot(self.id)

    @classmethod
    def for_code(cls, store: WorkshopStore, code: str, **kw) -> tuple[Room, Team]:
        team = store.team_by_code(check_code(code))
        return cls(store, team.workshop_id, **kw), team

    # -- reading

    @property
    def workshop(self) -> Workshop:
        return self.snap.workshop

    def refresh(self) -> Snapshot:
        self.snap = self.store.snapshot(self.id)
        return self.snap

    def team(self, key: int | str) -> Team:
        """A team by id, name (case-insensitive) or join code."""
        for t in self.snap.teams:
            if (isinstance(key, int) and t.id == key) or (
                    isinstance(key, str) and key.strip().lower() in (t.name.lower(),
                                                                     t.code.lower())):
                return t
        names = ", ".join(t.name for t in self.snap.teams)
        raise NotFound(f"workshop {self.id} has no team '{key}' (teams: {names})")

    def team_game(self, team_id: int) -> TeamGame:
        team = self.snap.team(team_id)
        mine = tuple(d for d in self.snap.decisions if d.team_id == team_id)
        cached = self._replays.get(team_id)
        if cached is not None and cached[0] == mine and cached[1].team == team:
            return cached[1]
        state, outcome = self.game.start(self.workshop.seed)
        states, outcomes = [state], [outcome]
        absent_from = None
        for d in mine:
            if d.absent or d.option_id is None:
                absent_from = d.round_no
                break
            if state.over or state.round_no != d.round_no:
                raise WorkshopError(f"team {team.name}: the decision for round {d.round_no} "
                                    f"does not fit its game (at round {state.round_no}); the "
                                    "store is inconsistent")
            try:
                state, outcome = self.game.apply(state, d.option_id)
            except RulesError as exc:
                raise ScenarioChanged(f"team {team.name}, round {d.round_no}: {exc}; the "
                                      "scenario has changed since this was decided") from None
            states.append(state)
            outcomes.append(outcome)
        tg = TeamGame(team, mine, tuple(states), tuple(outcomes), absent_from)
        self._replays[team_id] = (mine, tg)
        return tg

    def status(self, show_choices: bool | None = None) -> Status:
        """The board for the current round. Choices are hidden until the reveal unless
        ``show_choices`` says otherwise (the facilitator console may show who, never what)."""
        w = self.workshop
        c = w.control
        if show_choices is None:
            show_choices = c.phase in (Phase.REVEALED, Phase.ENDED)
        rows = []
        for t in self.snap.teams:
            tg = self.team_game(t.id)
            d = self.snap.decision(t.id, c.round_no)
            st = tg.status(c.round_no, d)
            if c.phase is Phase.ENDED:
                st = "out" if tg.absent_from is not None else (
                    "finished" if tg.state.over else "stopped")
            rows.append(TeamRow(t, st, d.by if d else None, d.at if d else None,
                                d if show_choices else None, tg))
        return Status(w, c.remaining(self.clock()), tuple(rows))

    def offered(self, team_id: int) -> list[Option]:
        """The options this team may choose now (empty if it has nothing to decide)."""
        tg = self.team_game(team_id)
        c = self.workshop.control
        if tg.absent_from is not None or tg.state.over or tg.state.round_no != c.round_no:
            return []
        return self.game.offered(tg.state)

    # -- the facilitator

    def act(self, action: str, *, seconds: float = 0.0, expected_version: int | None = None,
            actor: str = "facilitator") -> Workshop:
        """open | close | reveal | next | timer-start (``seconds`` long) | timer-add |
        timer-pause | timer-resume | timer-end,
        as a compare-and-swap on the version read now (or on ``expected_version``, the one the
        console last showed). Opening a round lets the bots submit."""
        self.refresh()
        w = self.workshop
        c = w.control
        if expected_version is not None and c.version != expected_version:
            raise Conflict(f"the workshop changed since this screen was drawn (now round "
                           f"{c.round_no}, {c.phase.value}); nothing was changed")
        now = self.clock()
        next_round = None
        if action == "reveal" and c.phase is Phase.CLOSED:
            missing = self.status().missing
            if missing:
                names = tuple(t.name for t in missing)
                raise MissingDecisions(
                    f"cannot reveal round {c.round_no}: no decision from {', '.join(names)}; "
                    "enter one (workshop decide) or mark the team absent (workshop absent)",
                    c.round_no, names)
        if action == "next":
            rounds = [tg.state.round_no for tg in map(self.team_game, (t.id for t in
                                                                         self.snap.teams))
                      if tg.absent_from is None and not tg.state.over]
            later = [r for r in rounds if r > c.round_no]
            next_round = min(later) if later else None
        new = step(c, action, now, round_seconds=w.round_seconds, next_round=next_round,
                   seconds=seconds)
        kind = "timer" if action.startswith("timer-") else "phase"
        data: dict = {"action": action}
        if seconds:
            data["seconds"] = seconds
        # The facilitator's message belongs to the round it was sent in: moving on (to the
        # next round or the end) takes it down, or teams read a stale one after the end.
        self.store.apply_control(self.id, c, new, kind=kind, actor=actor, now=now, data=data,
                                 clear_message=action == "next")
        self.refresh()
        if action == "open":
            self.run_bots()
        return self.workshop

    def override(self, team: int | str, option_id: str, reason: str, *,
                 replace: bool = False) -> TeamDecision:
        """The facilitator's decision for ``team`` in the closed round, with a reason. A team
        that already has a decision this round (its own, an earlier override or an absent
        mark) keeps it unless ``replace``: AlreadyDecided says what it is."""
        t = self.team(team)
        why = clean_text(reason, what="reason")
        if not why:
            raise WorkshopError("an override needs a reason (--reason); it is kept in the log")
        c = self.refresh().workshop.control
        option_id = self._check_option(t, option_id, c.round_no).id  # a number names it too
        self._refuse_silent_replace(t, c.round_no, replace)
        d = TeamDecision(t.id, c.round_no, option_id, why, "facilitator", self.clock(),
                         override=True)
        d = self.store.override(self.id, d)
        self.refresh()
        return d

    def mark_absent(self, team: int | str, reason: str | None = None, *,
                    replace: bool = False) -> TeamDecision:
        """Mark ``team`` absent in the closed round: its game stops there, and from the reveal
        on for good (until then an override with ``replace`` takes the mark back). A decision
        the team already has this round is kept unless ``replace`` (AlreadyDecided)."""
        t = self.team(team)
        c = self.refresh().workshop.control
        tg = self.team_game(t.id)
        if self.snap.decision(t.id, c.round_no) is None and tg.status(c.round_no, None) in (
                "finished", "skips", "out"):
            raise WorkshopError(f"{t.name} has no decision due in round {c.round_no}")
        self._refuse_silent_replace(t, c.round_no, replace)
        d = TeamDecision(t.id, c.round_no, None, clean_text(reason, what="reason"),
                         "facilitator", self.clock(), absent=True)
        d = self.store.override(self.id, d)
        self.refresh()
        return d

    def _refuse_silent_replace(self, t: Team, round_no: int, replace: bool) -> None:
        """AlreadyDecided if ``t`` has a decision in ``round_no`` and replacing it was not
        asked for (it was replaced without a word)."""
        d = self.snap.decision(t.id, round_no)
        if d is None or replace or self.workshop.control.phase is not Phase.CLOSED:
            # Outside a closed round the store refuses anyway, saying why (open, revealed,
            # ended): told to add --replace, the facilitator was then refused for that.
            return
        what = ("is already marked absent" if d.absent else
                f"already has a decision ('{d.option_id}', "
                + ("entered by the facilitator" if d.override else f"by the {d.by}") + ")")
        raise AlreadyDecided(f"{t.name} {what} in round {round_no}; nothing was changed "
                             "(replacing it must be asked for)", t.name, d)

    def note(self, team: int | str | None, text: str, round_no: int | None = None,
             actor: str = "facilitator"):
        body = clean_text(text, what="note")
        if not body:
            raise WorkshopError("the note is empty")
        tid = self.team(team).id if team is not None else None
        rnd = self.workshop.control.round_no if round_no is None else round_no
        ev = self.store.add_note(self.id, tid, rnd, body, actor=actor, now=self.clock())
        self.refresh()
        return ev

    def message(self, text: str | None) -> None:
        self.store.set_message(self.id, clean_text(text, 500, "message"), actor="facilitator",
                               now=self.clock())
        self.refresh()

    def notes(self) -> list:
        return self.store.events(self.id, kinds=("note",))

    # -- teams

    def join(self, team: Team, client: str = "terminal") -> None:
        self.store.record_join(self.id, team.id, client=client, now=self.clock())

    def save_draft(self, team_id: int, option_id: str | None, reason: str) -> None:
        self.store.save_draft(self.id, Draft(team_id, self.workshop.control.round_no, option_id,
                                             clean_text(reason, what="reason") or "",
                                             self.clock()))

    def draft(self, team_id: int) -> Draft | None:
        return self.store.draft(self.id, team_id, self.workshop.control.round_no)

    def _check_option(self, t: Team, option_id: str, round_no: int) -> Option:
        """The option if ``t`` may take it in ``round_no``, judged on the team's state before
        that round's decision (an override may replace a submission or an absent mark)."""
        tg = self.team_game(t.id)
        state = self._state_before(tg, round_no)
        if state is not None:
            return self._offered_option(t, state, option_id, round_no)
        st = tg.status(round_no, None)
        if st == "out":
            raise Refused("absent", f"{t.name} was marked absent in round {tg.absent_from}; "
                          "its game stopped there")
        if st == "finished":
            raise Refused("finished", f"{t.name}'s game has ended; nothing to decide")
        if st == "skips":
            raise Refused("wrong-round", f"{t.name}'s game has no round {round_no} (it is at "
                          f"round {tg.state.round_no}); nothing to decide now")
        return self._offered_option(t, tg.state, option_id, round_no)

    @staticmethod
    def _state_before(tg: TeamGame, round_no: int) -> GameState | None:
        """The team's state before its decision (or absent mark) in ``round_no``; None if it
        has none there."""
        played = [d for d in tg.decisions if not d.absent]
        before = next((i for i, d in enumerate(played) if d.round_no == round_no), None)
        if before is not None:
            return tg.states[before]
        return tg.state if tg.absent_from == round_no else None

    def override_options(self, team_id: int) -> list[Option]:
        """The options the facilitator may enter for this team in the current round: as
        ``offered``, but for a team that already decided (or was marked absent) in it, those
        it had before that decision, which an override with ``replace`` may take instead."""
        state = self._state_before(self.team_game(team_id), self.workshop.control.round_no)
        return self.offered(team_id) if state is None else self.game.offered(state)

    def _offered_option(self, t: Team, state: GameState, key: str, round_no: int) -> Option:
        """The option ``key`` (its id, or its number as every screen shows it) if ``t`` may
        take it in ``state``; else Refused, naming the options that may be taken."""
        offer = self.game.offer(state, key)
        if offer is not None and offer.available:
            return offer.option
        if offer is not None:
            raise Refused("invalid-option", f"option {offer.number} ({offer.option.id}) is not "
                          f"available to {t.name} in round {round_no}: {offer.reason}")
        ids = ", ".join(f"{o.number} {o.option.id}" for o in self.game.offers(state)
                        if o.available)
        raise Refused("invalid-option", f"'{key}' is not an option for {t.name} in round "
                      f"{round_no} (options: {ids})")

    def submit(self, team_id: int, option_id: str, reason: str | None, *, by: str = "team",
               round_no: int | None = None) -> TeamDecision:
        """A team's one decision for the round (``round_no``: the round the team's screen
        showed; defaults to the current one). Raises Refused, saying why, if not taken."""
        t = self.team(team_id)
        self.refresh()
        rnd = self.workshop.control.round_no if round_no is None else round_no
        if (rnd == self.workshop.control.round_no
                and self.snap.decision(t.id, rnd) is None):  # else the store says 'duplicate'
            option_id = self._check_option(t, option_id, rnd).id
        d = TeamDecision(t.id, rnd, option_id, clean_text(reason, what="reason"), by,
                         self.clock())
        d = self.store.submit(self.id, d)
        self.refresh()
        return d

    def run_bots(self) -> list[TeamDecision]:
        """Stand-in teams submit if the round is open and they have not yet (safe to call
        from several processes: the store takes one submission per team and round)."""
        c = self.refresh().workshop.control
        if c.phase is not Phase.OPEN:
            return []
        done = []
        for t in self.snap.teams:
            if t.bot is None or self.snap.decision(t.id, c.round_no) is not None:
                continue
            offered = self.offered(t.id)
            if not offered:
                continue
            choice = bot_choice(t.bot, offered, self.workshop.seed, t.id, c.round_no)
            try:
                done.append(self.store.submit(self.id, TeamDecision(
                    t.id, c.round_no, choice.id, f"stand-in team ({t.bot})", "bot",
                    self.clock())))
            except Refused:
                continue  # another process's bot got there first, or the round just closed
        if done:
            self.refresh()
        return done

    # -- export

    def export(self, out_dir: str | Path) -> list[Path]:
        """Each team's game as a session log (debrief, compare and --resume read it)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.refresh()
        w = self.workshop
        paths = []
        for t in self.snap.teams:
            tg = self.team_game(t.id)
            slug = re.sub(r"[^a-z0-9]+", "-", t.name.lower()).strip("-") or f"team-{t.id}"
            path = out / f"{w.id}-{t.id:02d}-{slug}.jsonl"
            header = Header(w.scenario_id, w.scenario_sha256, w.seed, w.scenario_path,
                            __version__, t.name, _iso(w.created_at),
                            workshop=WorkshopRef(w.id, w.name, t.id))
            records: list[Decision | Absent] = []
            played = [d for d in tg.decisions if not d.absent and d.option_id is not None]
            for i, d in enumerate(played):
                assert d.option_id is not None
                state = tg.states[i + 1]
                ending = (state.ending_id or "") if state.over else None
                if d.override:  # the facilitator's reason, and what the team had written
                    records.append(Decision(d.round_no, d.option_id, _iso(d.at), "facilitator",
                                            d.team_reason, ending, True, d.reason))
                else:
                    records.append(Decision(d.round_no, d.option_id, _iso(d.at),
                                            t.name if d.by == "team" else d.by, d.reason,
                                            ending))
            if tg.absent_from is not None:
                records.append(Absent(tg.absent_from))
            write_log(path, header, records)
            paths.append(path)
        return paths


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).isoformat(timespec="seconds")
