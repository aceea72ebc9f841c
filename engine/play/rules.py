"""The rules: pure functions from (state, choice) to (new state, outcome).

``Game(scenario)`` compiles a scenario once (conditions become closures, ids become indexes);
then ``start(seed)`` and ``apply(state, option_id)`` never mutate anything they are given.
Same seed + same choices = same game: chance is drawn from a SplitMix64 generator whose state
lives in ``GameState.rng``.

Order of play (docs/scenario-format.md, "Order of play"): at the start of round k, delayed
effects due in k resolve, then events fire, then early endings are checked; past the last round
the final endings are checked; a round whose ``when`` fails is skipped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container
from typing import Any, NamedTuple

import attrs

from engine.scenario.conditions import Namespace, compile_condition, condition_source
from engine.scenario.model import Effect, Ending, Event, Option, Round, Scenario, TradeOff
from engine.scenario.vocabulary import OwnerKind, Status, Track

_MASK = (1 << 64) - 1
_TRACK_INDEX = {Track.T1: 0, Track.T1_5: 1, Track.T2: 2}


class _Probe:
    """What a condition reads of a state, for testing the final endings before the final
    state is built (``Game.expand``)."""

    __slots__ = ("round_no", "values", "flags", "tracks", "last_track")

    def __init__(self, round_no: int, values: tuple[int, ...], flags: frozenset[str],
                 tracks: tuple[int, int, int], last_track: float) -> None:
        self.round_no = round_no
        self.values = values
        self.flags = flags
        self.tracks = tracks
        self.last_track = last_track


class RulesError(ValueError):
    """A choice the rules do not allow (unknown option, not offered, game over)."""


def _splitmix(x: int) -> tuple[int, float]:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    z ^= z >> 31
    return x, (z >> 11) * (1.0 / (1 << 53))


@attrs.frozen(cache_hash=True)
class Pending:
    """A delayed effect: due at the start of round ``due``; ``owner`` is ('option', id) or
    ('event', id); ``index`` is the effect's position in the owner's list.

    Its hash is kept (``cache_hash``): a pending effect is carried from state to state and
    hashed with every memo key that holds it (exact exploration)."""

    due: int
    kind: str
    owner: str
    index: int
    origin_round: int


class Trail(NamedTuple):
    """The choices so far as a linked list (cheap to extend, newest first; a tuple because
    one is made at every step)."""

    round_no: int
    option_id: str
    prev: Trail | None


_new_trail = tuple.__new__  # Trail(...) without the generated __new__'s Python frame


@attrs.frozen
class GameState:
    round_no: int
    values: tuple[int, ...]
    flags: frozenset[str]
    tracks: tuple[int, int, int]
    last_track: float
    pending: tuple[Pending, ...]
    fired: frozenset[str]
    rng: int
    over: bool = False
    ending_id: str | None = None
    trail: Trail | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def choices(self) -> tuple[tuple[int, str], ...]:
        """(round number, option id) for every choice, oldest first."""
        out = []
        t = self.trail
        while t is not None:
            out.append((t.round_no, t.option_id))
            t = t.prev
        return tuple(reversed(out))

    @property
    def dead_end(self) -> bool:
        return self.over and self.ending_id is None

    def key(self) -> tuple:
        """Everything that decides the future except the random stream: for memoisation."""
        return (
            self.round_no,
            self.values,
            self.flags,
            self.tracks,
            self.last_track,
            self.pending,
            self.fired,
            self.over,
            self.ending_id,
        )


def _state_maker() -> Callable[..., GameState]:
    """``GameState(...)`` with every field given, at two thirds of the cost: a frozen attrs
    class sets each field through ``object.__setattr__`` looked up per instance; this sets the
    slots through their descriptors, found once. Used where exploration and play make a state
    at every step; the result is equal, field for field, to the class's own constructor."""
    names = ("round_no", "values", "flags", "tracks", "last_track", "pending", "fired", "rng",
             "over", "ending_id", "trail")
    assert tuple(a.name for a in attrs.fields(GameState)) == names
    (r, v, f, t, lt, p, fi, rn, o, e, tr) = (getattr(GameState, n).__set__ for n in names)
    new = object.__new__

    def make(round_no: int, values: tuple[int, ...], flags: frozenset[str],
             tracks: tuple[int, int, int], last_track: float, pending: tuple[Pending, ...],
             fired: frozenset[str], rng: int, over: bool, ending_id: str | None,
             trail: Trail | None) -> GameState:
        s = new(GameState)
        r(s, round_no)
        v(s, values)
        f(s, flags)
        t(s, tracks)
        lt(s, last_track)
        p(s, pending)
        fi(s, fired)
        rn(s, rng)
        o(s, over)
        e(s, ending_id)
        tr(s, trail)
        return s

    return make


_make_state = _state_maker()


@attrs.frozen
class Resolution:
    """One effect as it resolved (``status``: see engine.scenario.vocabulary.Status)."""

    kind: OwnerKind
    owner: str
    origin_round: int
    delayed: bool
    status: Status
    text: str | None
    chance: float | None
    changes: tuple[tuple[str, int], ...]  # (indicator id, applied delta after clamping)
    set: tuple[str, ...] = ()
    cleared: tuple[str, ...] = ()


@attrs.frozen
class Outcome:
    """What one step did: the choice, indicator values before and after, effects resolved
    (immediate, delayed and from events), effects scheduled, events fired, the ending."""

    round_no: int  # the round decided (0 for the start of the game)
    option: Option | None
    offered: tuple[Option, ...]
    before: tuple[int, ...]
    after: tuple[int, ...]
    resolutions: tuple[Resolution, ...]
    scheduled: tuple[Pending, ...]
    events: tuple[str, ...]
    ending_id: str | None
    next_round: int

    @property
    def accepted(self) -> tuple[TradeOff, ...]:
        return self.option.tradeoffs if self.option else ()

    @property
    def forgone(self) -> tuple[tuple[Option, TradeOff], ...]:
        """The trade-offs of the options offered but not taken."""
        return tuple(
            (o, t) for o in self.offered if o is not self.option for t in o.tradeoffs
        )

    @property
    def dropped(self) -> tuple[Resolution, ...]:
        return tuple(r for r in self.resolutions if r.status == "dropped")


@attrs.frozen
class Offer:
    """One option of the current round as every front end shows it: its ``number`` is its
    place in the round (1-based) whether or not it is available, so a number means the same
    option in line mode, the app, exports and comparisons. ``reason`` is the author's
    ``unavailable`` text (None when the option is available or the author gave none)."""

    number: int
    option: Option
    available: bool
    reason: str | None = None


# --------------------------------------------------------------------------- compiled form

Test = Callable[[Any], bool]


@attrs.frozen
class _CEffect:
    changes: tuple[tuple[int, int], ...]
    set: frozenset[str]
    clear: frozenset[str]
    text: str | None
    after: int
    chance: Callable[[Any], float] | None
    when: Test | None
    otherwise: _CEffect | None
    plain: bool = attrs.field(init=False)  # applies at once, always: no after/when/chance

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "plain",
                           not self.after and self.when is None and self.chance is None)


@attrs.frozen
class _COption:
    option: Option
    track: int
    requires: Test | None
    effects: tuple[_CEffect, ...]
    number: float  # option.track.number, looked up once
    plain: bool = attrs.field(init=False)  # every effect plain: ``Game._quick`` may apply it

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "plain", all(ce.plain for ce in self.effects))


@attrs.frozen
class _CRound:
    round: Round
    when: Test | None
    options: tuple[_COption, ...]
    texts: tuple[tuple[Test, str], ...]  # (test, text without trailing blanks)
    open: bool  # some option has no ``requires``: the round can never be a dead end
    situation: str  # round.situation without trailing blanks
    # Every option, when none has ``requires`` (then every one is always offered), else None.
    always: tuple[Option, ...] | None = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "always", None if any(
            co.requires is not None for co in self.options) else tuple(
            co.option for co in self.options))


@attrs.frozen
class _CEvent:
    event: Event
    when: Test | None
    effects: tuple[_CEffect, ...]


class _Work:
    """Scratch space for one step; condition closures read it like a GameState."""

    __slots__ = (
        "round_no", "values", "flags", "tracks", "last_track", "pending", "fired", "rng",
        "log", "scheduled", "events", "script", "forks", "pos", "prob", "record",
    )  # fmt: skip
    round_no: int
    values: list[int]
    flags: set[str]
    tracks: list[int]
    last_track: float
    pending: list[Pending]
    fired: set[str]
    rng: int
    log: list[tuple]  # (kind, owner, origin, delayed, status, text, p, changes, set, cleared)
    record: bool  # keep ``log`` (False: the caller needs only the state it reaches)
    scheduled: list[Pending]
    events: list[str]
    script: list[bool] | None  # exact exploration: the chance results to follow
    forks: list[list[bool]]  # exact exploration: the scripts still to run (see roll)
    pos: int
    prob: float

    def roll(self, p: float) -> bool:
        if p >= 1.0:
            return True
        if p <= 0.0:
            return False
        if self.script is None:
            self.rng, u = _splitmix(self.rng)
            return u < p
        if self.pos >= len(self.script):
            # A roll past the script: follow the hit in this run and leave the miss for a
            # later one (``forks`` is a stack, so the branches still come depth first, the hit
            # first), instead of abandoning the run and starting it twice over.
            self.forks.append([*self.script, False])
            self.script.append(True)
        hit = self.script[self.pos]
        self.pos += 1
        self.prob *= p if hit else 1.0 - p
        return hit


def _add_clamped(values: list[int], changes, mins, maxs) -> None:
    """Add each (indicator, delta) of ``changes`` to ``values`` in place, kept in range."""
    for i, d in changes:
        new = values[i] + d
        if new < mins[i]:
            new = mins[i]
        elif new > maxs[i]:
            new = maxs[i]
        values[i] = new


def _rolls(log: list[tuple]) -> tuple[bool, ...]:
    """The chance rolls in a step's log (entries as ``_Work.log``): applied or not."""
    return tuple([entry[4] == "applied" for entry in log
                  if entry[6] is not None and 0.0 < entry[6] < 1.0])


_SKIP = object()  # a generated round start (Game._advancer): the round is skipped
_GENERATE_AFTER = 1024  # general steps of exact exploration before code is generated


@functools.lru_cache(maxsize=4096)  # a server may load many scenarios
def _compiled(source: str, name: str) -> Any:
    """``source`` compiled, once per process for each text and name."""
    return compile(source, name, "exec")


class _Generated:
    """The constants of one generated function (``Game._advancer``, ``Game._chooser``): each
    value the code needs gets a name in its namespace, and a condition becomes a Python
    expression from its checked tree (``condition_source``) or, where none exists, a call to
    its compiled test."""

    def __init__(self, ns: Any, consts: dict[str, Any]) -> None:
        self.ns, self.consts = ns, consts

    def const(self, value: Any) -> str:
        name = f"c{len(self.consts)}"
        self.consts[name] = value
        return name

    def test(self, cond: Any, compiled: Test | None) -> str:
        src = condition_source(cond, self.ns)
        return src if src is not None else f"{self.const(compiled)}(s)"


class Game:
    """A compiled scenario: the rules of one game, shared by any number of sessions."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        inds = scenario.indicators
        self.index = {ind.id: i for i, ind in enumerate(inds)}
        self.mins = tuple(ind.min for ind in inds)
        self.indicator_ids = tuple(ind.id for ind in inds)
        self.maxs = tuple(ind.max for ind in inds)
        self.ns = Namespace(self.index, frozenset(f.id for f in scenario.flags))
        self.rounds = tuple(self._round(r) for r in scenario.rounds)
        self.n_rounds = len(self.rounds)
        self.options = {co.option.id: co for cr in self.rounds for co in cr.options}
        self.option_round = {
            co.option.id: k for k, cr in enumerate(self.rounds, 1) for co in cr.options
        }
        self.events = tuple(
            _CEvent(e, self._test(e.when), tuple(self._effect(x) for x in e.effects))
            for e in scenario.events
        )
        self.events_by_id = {ce.event.id: ce for ce in self.events}
        self.events_at: dict[int | None, tuple[_CEvent, ...]] = {}
        for ce in self.events:
            self.events_at.setdefault(ce.event.round, ())
            self.events_at[ce.event.round] += (ce,)
        # Events to consider at the start of round k (index k, 1..n_rounds + 1): those of round
        # k, then those with no round, as ``_advance`` has always taken them.
        anytime = self.events_at.get(None, ())
        self._events_in = tuple(
            self.events_at.get(k, ()) + anytime for k in range(self.n_rounds + 2)
        )
        # The same, flat, for _advance: (event id, once, when, effects) per event.
        self._event_rows = tuple(
            tuple((ce.event.id, ce.event.once, ce.when, ce.effects) for ce in evs)
            for evs in self._events_in
        )
        self.early = tuple((e, self._test(e.when)) for e in scenario.endings if e.early)
        self._early_rows = tuple((e.id, test) for e, test in self.early)
        self.final = tuple((e, self._test(e.when)) for e in scenario.endings if not e.early)
        self.endings = {e.id: e for e in scenario.endings}
        # Rounds entered with nothing to decide: no event to consider, no early ending, no
        # ``when``, an option always offered (index k as _events_in; see _quick).
        self._calm = tuple(
            0 < k <= self.n_rounds and not self._events_in[k] and not self.early
            and self.rounds[k - 1].when is None and self.rounds[k - 1].open
            for k in range(self.n_rounds + 2)
        )
        # Generated choices and round starts for steps without a record, made when first
        # needed (_chooser, _advancer).
        self._choosers: dict[str, Callable[[_Work], Any]] = {}
        # General steps expand takes through branch_keys before it generates code: compiling
        # a scenario's choices and round starts costs ~5 ms, more than a small walk (the
        # example scenario: 19 states, 0.1 ms), and pays for itself after a few thousand steps.
        self._untiered = _GENERATE_AFTER
        self._advancers: list[Callable[[_Work], Any] | None] = [None] * (self.n_rounds + 2)
        # Delayed effects as they fall due, by (kind, owner, index) (_delayed_runner).
        self._delayed: dict[tuple[str, str, int], Callable[[_Work], Any]] = {}
        # Past the last round with nothing but the final endings to check.
        self._calm_end = not self._events_in[self.n_rounds + 1] and not self.early

    # -- compilation

    def _test(self, cond) -> Test | None:
        return None if cond is None else compile_condition(cond, self.ns)

    def _effect(self, e: Effect) -> _CEffect:
        chance: Callable[[Any], float] | None
        if e.chance is None:
            chance = None
        elif isinstance(e.chance, float | int):
            p = float(e.chance)
            chance = lambda s, p=p: p  # noqa: E731
        else:
            rows = tuple((self._test(c.when), c.p) for c in e.chance)

            def chance(s, rows=rows):
                for test, p in rows:
                    if test is None or test(s):
                        return p
                return 0.0

        other = None
        if e.otherwise is not None:
            o = e.otherwise
            other = _CEffect(self._changes(o.change), frozenset(o.set), frozenset(o.clear),
                             o.text, 0, None, None, None)
        return _CEffect(
            self._changes(e.change), frozenset(e.set), frozenset(e.clear), e.text, e.after,
            chance, self._test(e.when), other,
        )

    def _changes(self, change: dict[str, int]) -> tuple[tuple[int, int], ...]:
        return tuple((self.index[k], v) for k, v in change.items())

    def _round(self, r: Round) -> _CRound:
        opts = tuple(
            _COption(o, _TRACK_INDEX[o.track], self._test(o.requires),
                     tuple(self._effect(x) for x in o.effects), o.track.number)
            for o in r.options
        )
        texts = tuple((compile_condition(t.when, self.ns), t.text.rstrip())
                      for t in r.conditional_text)
        return _CRound(r, self._test(r.when), opts, texts,
                       any(co.requires is None for co in opts), r.situation.rstrip())

    # -- queries

    def current_round(self, state: GameState) -> Round | None:
        if state.over or state.round_no > self.n_rounds:
            return None
        return self.rounds[state.round_no - 1].round

    def availability(self, state: GameState) -> list[tuple[Option, bool]]:
        """Every option of the current round with whether it is offered now."""
        if state.over:
            return []
        cr = self.rounds[state.round_no - 1]
        return [(co.option, co.requires is None or co.requires(state)) for co in cr.options]

    def offers(self, state: GameState) -> tuple[Offer, ...]:
        """Every option of the current round, numbered by its place in the round, with
        whether it can be chosen now and, if not, why."""
        if state.over:
            return ()
        out = []
        for n, co in enumerate(self.rounds[state.round_no - 1].options, 1):
            ok = co.requires is None or co.requires(state)
            out.append(Offer(n, co.option, ok, None if ok else co.option.unavailable))
        return tuple(out)

    def offer(self, state: GameState, key: int | str) -> Offer | None:
        """The offer a player or script means by a number (``3``, ``"3"``) or an option id,
        available or not; None when this round has no such option."""
        offers = self.offers(state)
        text = str(key).strip()
        if text.isdigit():
            n = int(text)
            return offers[n - 1] if 1 <= n <= len(offers) else None
        return next((o for o in offers if o.option.id == text), None)

    def option_number(self, option_id: str) -> int:
        """An option's number: its place in its round (1-based)."""
        home = self.rounds[self.option_round[option_id] - 1]
        return next(n for n, co in enumerate(home.options, 1) if co.option.id == option_id)

    def offered(self, state: GameState) -> list[Option]:
        if state.over:
            return []
        cr = self.rounds[state.round_no - 1]
        if cr.always is not None:
            return list(cr.always)
        return [co.option for co in cr.options if co.requires is None or co.requires(state)]

    def situation(self, state: GameState) -> str:
        """The current round's situation text with the conditional lines that hold now."""
        if state.over:
            return ""
        cr = self.rounds[state.round_no - 1]
        if not cr.texts:
            return cr.situation
        if len(cr.texts) == 1:  # the common case: one conditional line
            test, text = cr.texts[0]
            return cr.situation + "\n\n" + text if test(state) else cr.situation
        parts = [cr.situation]
        parts.extend([text for test, text in cr.texts if test(state)])
        return "\n\n".join(parts)

    def ending(self, state: GameState) -> Ending | None:
        return self.endings.get(state.ending_id) if state.ending_id else None

    def value(self, state: GameState, indicator_id: str) -> int:
        return state.values[self.index[indicator_id]]

    # -- the two pure transitions

    def start(self, seed: int) -> tuple[GameState, Outcome]:
        """The state before the first choice (round-1 events already fired)."""
        w = self._work_initial(seed, None)
        before = tuple(w.values)
        ending = self._advance(w)
        return self._finish(w, ending, before, 0, None, ())

    def apply(self, state: GameState, option_id: str) -> tuple[GameState, Outcome]:
        """The state after choosing ``option_id``, with the full record of what happened."""
        co, k = self._validate(state, option_id)
        w = self._work_from(state, None)
        ending = self._choose(w, co, k)
        offered = tuple(o.option for o in self.rounds[k - 1].options
                        if o.requires is None or o.requires(state))
        return self._finish(w, ending, state.values, k, co.option, offered,
                            trail=Trail(k, option_id, state.trail))

    def step(self, state: GameState, option_id: str) -> GameState:
        """As ``apply``, without building the outcome record: for callers that only need the
        next state (random play, sampling). Same rules, same random stream, same state."""
        co = self.options.get(option_id)
        k = state.round_no
        # The common case checked inline (same checks as _validate, which words the refusal).
        if (co is None or state.over or self.option_round[option_id] != k
                or (co.requires is not None and not co.requires(state))):
            co, k = self._validate(state, option_id)
        trail = _new_trail(Trail, (k, option_id, state.trail))
        if co.plain:
            quick = self._quick(state, co, k, trail)
            if quick is not None:
                return quick
        w = self._work_from(state, None, record=False)
        ending = self._choose(w, co, k)
        return self._state(w, ending, trail)

    def sample_start(self, seed: int) -> tuple[GameState, tuple[bool, ...]]:
        """As ``start`` without the record, giving the results of the chance rolls made (see
        ``sample_step``)."""
        w = self._work_initial(seed, None)
        ending = self._advance(w)
        return self._state(w, ending, None), _rolls(w.log)

    def sample_step(self, state: GameState, option_id: str) -> tuple[GameState, tuple[bool, ...]]:
        """As ``step``, also giving the result of each chance roll it made, in order (True: the
        effect applied): what tells apart two playthroughs that made the same choices."""
        co, k = self._validate(state, option_id)
        trail = Trail(k, option_id, state.trail)
        if co.plain:
            quick = self._quick(state, co, k, trail)
            if quick is not None:
                return quick, ()  # no chance on the quick path
        w = self._work_from(state, None)
        ending = self._choose(w, co, k)
        return self._state(w, ending, trail), _rolls(w.log)

    def _validate(self, state: GameState, option_id: str) -> tuple[_COption, int]:
        if state.over:
            raise RulesError("the game is over; no more choices")
        co = self.options.get(option_id)
        if co is None:
            raise RulesError(f"no option '{option_id}' in this scenario")
        k = state.round_no
        home = self.option_round[option_id]
        if home != k:  # round numbers, not a comparison of whole option objects
            raise RulesError(f"option '{option_id}' belongs to round {home}, not round {k}")
        if co.requires is not None and not co.requires(state):
            raise RulesError(f"option '{option_id}' is not available now")
        return co, k

    def branches(self, state: GameState, option_id: str | None) -> list[tuple[float, GameState]]:
        """Every chance outcome of a choice (or of the start, with None) and its probability.

        Used for exact exploration; the states carry no random stream and no trail."""
        out: list[tuple[float, GameState]] = []
        scripts: list[list[bool]] = [[]]
        while scripts:
            script = scripts.pop()
            if option_id is None:
                w = self._work_initial(0, script, record=False)
            else:
                w = self._work_from(state, script, record=False)
            w.forks = scripts
            if option_id is None:
                ending = self._advance(w)
            else:
                ending = self._choose(w, self.options[option_id], state.round_no)
            out.append((w.prob, self._state(w, ending, None)))
        return out

    def branch_keys(self, state: GameState | None, option_id: str | None,
                    known: Container[tuple]) -> list[tuple[float, tuple, GameState | None]]:
        """As ``branches`` (``state`` None for the start of the game), giving each outcome's
        memo key (``GameState.key()``) and its state only when the key is not in ``known``:
        exact exploration finds most children already known and need not build them."""
        co = None if option_id is None else self.options[option_id]
        if co is not None and co.plain and state is not None:
            j = state.round_no + 1
            if self._calm[j] and (not state.pending
                                  or not any(p.due == j for p in state.pending)):
                # The key first: most children are states already known, not worth building.
                values, flags, tracks = self._quick_parts(state, co)
                qkey = (j, values, flags, tracks, co.number, state.pending, state.fired, False,
                        None)
                return [(1.0, qkey, None if qkey in known else _make_state(
                    j, values, flags, tracks, co.number, state.pending, state.fired, state.rng,
                    False, None, None))]
            quick = self._quick(state, co, state.round_no, None)
            if quick is not None:
                qkey = quick.key()
                return [(1.0, qkey, None if qkey in known else quick)]
        out: list[tuple[float, tuple, GameState | None]] = []
        scripts: list[list[bool]] = [[]]
        while scripts:
            script = scripts.pop()
            if co is None or state is None:
                w = self._work_initial(0, script, record=False)
                w.forks = scripts
                ending = self._advance(w)
            else:
                w = self._work_from(state, script, record=False)
                w.forks = scripts
                ending = self._choose(w, co, state.round_no)
            over = ending is not None
            key: tuple = (w.round_no, tuple(w.values), frozenset(w.flags), tuple(w.tracks),
                   w.last_track, () if over else tuple(w.pending), frozenset(w.fired), over,
                   ending or None)
            if key in known:
                out.append((w.prob, key, None))
            else:
                out.append((w.prob, key, _make_state(
                    w.round_no, key[1], key[2], key[3], w.last_track, key[5], key[6], w.rng,
                    over, key[8], None)))
        return out

    def expand(self, state: GameState,
               known: Container[tuple]) -> list[tuple[str, float, tuple, GameState | None]]:
        """Every child of ``state`` for exact exploration: (option id, probability of the
        chance branch, child key, child state or None when its key is in ``known``), option
        by option in the order ``offered`` gives, branches as ``branch_keys`` gives them."""
        if state.over:
            return []
        k = state.round_no
        j = k + 1
        pending = state.pending
        calm = self._calm[j] and (not pending or not any(p.due == j for p in pending))
        final = (j > self.n_rounds and self._calm_end
                 and (not pending or not any(p.due == j for p in pending)))
        out: list[tuple[str, float, tuple, GameState | None]] = []
        for co in self.rounds[k - 1].options:
            if co.requires is not None and not co.requires(state):
                continue
            oid = co.option.id
            if calm and co.plain:  # the key first, as branch_keys does
                values, flags, tracks = self._quick_parts(state, co)
                key: tuple = (j, values, flags, tracks, co.number, pending, state.fired,
                              False, None)
                out.append((oid, 1.0, key, None if key in known else _make_state(
                    j, values, flags, tracks, co.number, pending, state.fired, state.rng,
                    False, None, None)))
            elif final and co.plain:  # the last choice: the key first too
                values, flags, tracks = self._quick_parts(state, co)
                probe = _Probe(j, values, flags, tracks, co.number)
                ending_id = ""
                for ending, test in self.final:
                    if test is None or test(probe):
                        ending_id = ending.id
                        break
                key = (j, values, flags, tracks, co.number, (), state.fired, True,
                       ending_id or None)
                out.append((oid, 1.0, key, None if key in known else _make_state(
                    j, values, flags, tracks, co.number, (), state.fired, state.rng, True,
                    ending_id or None, None)))
            elif self._untiered:  # a small walk so far: not worth compiling code for
                self._untiered -= 1
                out.extend([(oid, p, ck, child)
                            for p, ck, child in self.branch_keys(state, oid, known)])
            else:  # generated code (_chooser, _advancer) beats _quick's loops here
                self._branch_out(state, co, known, out)
        return out

    def _branch_out(self, state: GameState, co: _COption, known: Container[tuple],
                    out: list[tuple[str, float, tuple, GameState | None]]) -> None:
        """The general path of ``branch_keys`` for ``expand``: every chance outcome of choosing
        ``co`` in ``state``, appended to ``out`` with the option's id."""
        oid = co.option.id
        k = state.round_no
        flags0, fired0 = state.flags, state.fired
        choose = self._choosers.get(oid) or self._chooser(co)
        advance = self._advancers[k + 1] or self._advancer(k + 1)
        scripts: list[list[bool]] = [[]]
        while scripts:
            # No record: log, events and scheduled stay unset (the generated code lists
            # nothing); last_track is the chooser's first assignment.
            w = _Work()
            w.round_no = k
            w.values = list(state.values)
            w.flags = set(flags0)
            w.tracks = list(state.tracks)
            w.pending = list(state.pending)
            w.fired = set(fired0)
            w.rng = state.rng
            w.record = False
            w.script = scripts.pop()
            w.forks = scripts
            w.pos = 0
            w.prob = 1.0
            choose(w)
            ending = advance(w)
            if ending is _SKIP:  # round k + 1 is skipped
                ending = self._advance_quietly(w)
            over = ending is not None
            flags = frozenset(w.flags)  # even if equal to flags0: its order may differ
            fired = frozenset(w.fired)
            tracks = w.tracks
            key: tuple = (w.round_no, tuple(w.values), flags, (tracks[0], tracks[1], tracks[2]),
                          w.last_track, () if over else tuple(w.pending), fired, over,
                          ending or None)
            if key in known:
                out.append((oid, w.prob, key, None))
            else:
                out.append((oid, w.prob, key, _make_state(
                    w.round_no, key[1], flags, key[3], w.last_track, key[5], fired, w.rng,
                    over, key[8], None)))

    # -- internals

    def _quick(self, state: GameState, co: _COption, k: int,
               trail: Trail | None) -> GameState | None:
        """The state after ``co`` when nothing but its plain effects happens -- no delayed
        effect falls due, no event fires, no early ending, the next round is played (or the
        final endings are checked) -- else None, and the caller takes the general path.

        The common step of play and exploration, without the scratch state, the log and the
        copies of what did not change: no chance is drawn on this path, so the random stream
        and every outcome are the general path's (benchmarks/identity.py checks it)."""
        j = k + 1
        pending = state.pending
        if pending:
            for p in pending:
                if p.due == j:
                    return None
        values, flags, tracks = self._quick_parts(state, co)
        new_state = _make_state(j, values, flags, tracks, co.number, pending, state.fired,
                              state.rng, False, None, trail)
        if self._calm[j]:
            return new_state
        return self._quick_end(new_state, j, trail)

    def _quick_parts(self, state: GameState,
                     co: _COption) -> tuple[tuple[int, ...], frozenset[str], tuple[int, int, int]]:
        """Indicator values, flags and track counts after ``co``'s plain effects."""
        values = list(state.values)
        mins, maxs = self.mins, self.maxs
        flags: Any = state.flags
        for ce in co.effects:
            _add_clamped(values, ce.changes, mins, maxs)
            if ce.set:
                if flags is state.flags:
                    flags = set(flags)
                flags |= ce.set
            if ce.clear:
                if flags is state.flags:
                    flags = set(flags)
                flags -= ce.clear
        if flags is not state.flags:
            flags = frozenset(flags)
        t = state.tracks
        c = co.track
        tracks = (t[0] + 1, t[1], t[2]) if c == 0 else (
            (t[0], t[1] + 1, t[2]) if c == 1 else (t[0], t[1], t[2] + 1))
        return tuple(values), flags, tracks

    def _quick_end(self, new_state: GameState, j: int,
                   trail: Trail | None) -> GameState | None:
        """The rest of ``_quick`` when round ``j`` is not calm: None if anything happens."""
        fired = new_state.fired
        for cev in self._events_in[j]:
            if cev.event.once and cev.event.id in fired:
                continue
            if cev.when is None or cev.when(new_state):
                return None  # an event fires
        for _ending, test in self.early:
            if test is not None and test(new_state):
                return None
        flags, tracks, number = new_state.flags, new_state.tracks, new_state.last_track
        if j > self.n_rounds:
            ending_id = ""
            for ending, test in self.final:
                if test is None or test(new_state):
                    ending_id = ending.id
                    break
            return _make_state(j, new_state.values, flags, tracks, number, (), fired,
                             new_state.rng, True, ending_id or None, trail)
        cr = self.rounds[j - 1]
        if cr.when is not None and not cr.when(new_state):
            return None  # the round is skipped
        if not cr.open and not any(o.requires is not None and o.requires(new_state)
                                   for o in cr.options):
            return None  # a dead end
        return new_state

    def _work_initial(self, seed: int, script: list[bool] | None,
                      record: bool = True) -> _Work:
        w = _Work()
        w.round_no = 1
        w.values = [ind.start for ind in self.scenario.indicators]
        w.flags = set()
        w.tracks = [0, 0, 0]
        w.last_track = 0.0
        w.pending = []
        w.fired = set()
        w.rng = seed & _MASK
        self._reset_log(w, script, record)
        return w

    def _work_from(self, s: GameState, script: list[bool] | None,
                   record: bool = True) -> _Work:
        w = _Work()
        w.round_no = s.round_no
        w.values = list(s.values)
        w.flags = set(s.flags)
        w.tracks = list(s.tracks)
        w.last_track = s.last_track
        w.pending = list(s.pending)
        w.fired = set(s.fired)
        w.rng = s.rng
        self._reset_log(w, script, record)
        return w

    @staticmethod
    def _reset_log(w: _Work, script: list[bool] | None, record: bool = True) -> None:
        w.record = record
        w.log = []
        w.scheduled = []
        w.events = []
        w.script = script
        w.pos = 0
        w.prob = 1.0

    def _choose(self, w: _Work, co: _COption, k: int) -> str | None:
        w.tracks[co.track] += 1
        w.last_track = co.number
        oid = co.option.id
        for i, ce in enumerate(co.effects):
            if ce.plain and not w.record:  # no log: only the state matters
                self._apply_quietly(w, ce)
            elif ce.plain:  # the common case, inline: no delay, condition or chance
                changes = self._apply_changes(w, ce.changes) if ce.changes else ()
                set_: tuple = ()
                cleared: tuple = ()
                if ce.set:
                    set_ = tuple(f for f in ce.set if f not in w.flags)
                    w.flags |= ce.set
                if ce.clear:
                    cleared = tuple(f for f in ce.clear if f in w.flags)
                    w.flags -= ce.clear
                w.log.append(("option", oid, k, False, "applied", ce.text, None,
                              changes, set_, cleared))
            else:
                self._run(w, ce, "option", oid, i, k, k)
        w.round_no = k + 1
        return self._advance(w)

    def _run(self, w: _Work, ce: _CEffect, kind: str, owner: str, index: int,
             origin: int, now: int, delayed: bool = False) -> None:
        if ce.after and not delayed:
            later = Pending(now + ce.after, kind, owner, index, origin)
            w.pending.append(later)
            w.scheduled.append(later)
            return
        if ce.when is not None and not ce.when(w):
            if w.record:
                w.log.append((kind, owner, origin, delayed, "void", ce.text, None, (), (), ()))
            return
        p: float | None = None
        target: _CEffect | None = ce
        status = "applied"
        if ce.chance is not None:
            p = ce.chance(w)
            if not w.roll(p):
                status = "failed"
                target = ce.otherwise
        if not w.record:
            if target is not None:
                self._apply_quietly(w, target)
            return
        changes: tuple = ()
        set_: tuple = ()
        cleared: tuple = ()
        if target is not None:
            if target.changes:
                changes = self._apply_changes(w, target.changes)
            if target.set:
                set_ = tuple(f for f in target.set if f not in w.flags)
                w.flags |= target.set
            if target.clear:
                cleared = tuple(f for f in target.clear if f in w.flags)
                w.flags -= target.clear
        w.log.append((kind, owner, origin, delayed, status, target.text if target else None, p,
                      changes, set_, cleared))

    def _apply_quietly(self, w: _Work, target: _CEffect) -> None:
        """``target``'s changes (clamped) and flags, without recording what was applied: a
        step that keeps no record (exploration, ``Game.step``)."""
        if target.changes:
            _add_clamped(w.values, target.changes, self.mins, self.maxs)
        if target.set:
            w.flags |= target.set
        if target.clear:
            w.flags -= target.clear

    def _apply_changes(self, w: _Work, changes) -> tuple:
        values, mins, maxs = w.values, self.mins, self.maxs
        applied = []
        for i, d in changes:
            old = values[i]
            new = old + d
            if new < mins[i]:
                new = mins[i]
            elif new > maxs[i]:
                new = maxs[i]
            values[i] = new
            applied.append((i, new - old))
        return tuple(applied)

    def _advance(self, w: _Work) -> str | None:
        """Start-of-round processing from ``w.round_no`` until a choice or an ending.

        Returns the ending id when the game ends (``''`` for a dead end), else None."""
        while True:
            k = w.round_no
            if w.pending:
                self._run_due(w, k)
            if k < len(self._event_rows):
                rows = self._event_rows[k]
            else:  # not reached: play stops past the last round
                rows = tuple((ce.event.id, ce.event.once, ce.when, ce.effects) for ce in
                             self.events_at.get(k, ()) + self.events_at.get(None, ()))
            for ev_id, once, when, effects in rows:
                if once and ev_id in w.fired:
                    continue
                if when is not None and not when(w):
                    continue
                w.fired.add(ev_id)
                w.events.append(ev_id)
                for i, eff in enumerate(effects):
                    if eff.plain and not w.record:  # no delay, condition or chance: no _run
                        self._apply_quietly(w, eff)
                    else:
                        self._run(w, eff, "event", ev_id, i, k, k)
            for ending_id, test in self._early_rows:
                if test is not None and test(w):  # an early ending always has a `when`
                    return ending_id
            if k > self.n_rounds:
                for ending, test in self.final:
                    if test is None or test(w):
                        return ending.id
                return ""
            cr = self.rounds[k - 1]
            if cr.when is not None and not cr.when(w):
                w.round_no = k + 1
                continue
            if not cr.open and not any(co.requires is not None and co.requires(w)
                                       for co in cr.options):
                return ""  # dead end: nothing can be chosen
            return None

    def _run_due(self, w: _Work, k: int) -> None:
        """Resolve the delayed effects due at the start of round ``k``."""
        due = [p for p in w.pending if p.due == k]
        if due:
            w.pending = [p for p in w.pending if p.due != k]
            for p in due:
                self._run(w, self._owner_effect(p), p.kind, p.owner, p.index,
                          p.origin_round, k, True)

    def _run_due_quietly(self, w: _Work, k: int) -> None:
        """``_run_due`` without a record (the generated round starts'), each effect through
        the function generated for it (``_delayed_runner``) instead of ``_run``."""
        pending = w.pending
        later = [p for p in pending if p.due != k]
        if len(later) != len(pending):  # some fall due: in their order, as _run_due runs them
            w.pending = later
            runners = self._delayed
            for p in pending:
                if p.due == k:
                    (runners.get((p.kind, p.owner, p.index)) or self._delayed_runner(p))(w)

    def _delayed_runner(self, p: Pending) -> Callable[[_Work], Any]:
        """A delayed effect resolving as it falls due, without a record, generated as one
        function: what ``_run`` does with ``delayed`` set (its condition, its chance, then its
        changes or its ``otherwise``'s), as the generated choices resolve effects at once."""
        gen = _Generated(self.ns, {})
        lines = ["def run(s):", " values = s.values",
                 *self._effect_lines(self._owner_effect(p), self.effect_of(p), p.kind, p.owner,
                                     p.index, p.due, " ", gen.const, gen.test, delayed=True),
                 " return None"]
        code = _compiled("\n".join(lines) + "\n", f"<delayed {p.kind} effect>")
        namespace = {"__builtins__": {}, **gen.consts}
        exec(code, namespace)  # noqa: S102 - generated above from the checked scenario
        fn: Callable[[_Work], Any] = namespace["run"]
        self._delayed[p.kind, p.owner, p.index] = fn
        return fn

    def _advance_quietly(self, w: _Work) -> str | None:
        """``_advance`` for a step that keeps no record (``w.record`` False), through one
        function generated per round (``_advancer``): exact exploration's general path."""
        advancers = self._advancers
        while True:
            k = w.round_no
            if k >= len(advancers):  # not reached: play stops past the last round
                w.log, w.events, w.scheduled = [], [], []
                return self._advance(w)
            result = (advancers[k] or self._advancer(k))(w)
            if result is not _SKIP:
                return result

    def _advancer(self, k: int) -> Callable[[_Work], Any]:
        """The start of round ``k`` (1 .. n_rounds + 1) as ``_advance`` plays it without a
        record, generated as one Python function: delayed effects due, each event of the round
        (its condition inline, its plain effects as additions clamped in place), the early
        endings, then the final endings past the last round, or the round's ``when`` (a
        skipped round returns ``_SKIP``: the caller goes on with round k + 1) and the dead-end
        test. Nothing is listed (no record: ``w.log``, ``events`` and ``scheduled`` are not
        even set). Conditions come from ``condition_source`` (the checked tree, never the
        author's text); anything else is a constant of the function's own namespace. Compiled
        the first time a walk reaches the round; rounds of the same shape share the code."""
        gen = _Generated(self.ns, {"SKIP": _SKIP, "due": self._run_due_quietly})
        const, test, consts = gen.const, gen.test, gen.consts
        lines = ["def advance(s):", " if s.pending:", f"  due(s, {k})",
                 " values = s.values", " fired = s.fired"]

        for ce in self._events_in[k]:
            ev = ce.event
            parts = []
            if ev.once:
                parts.append(f"{ev.id!r} not in fired")
            if ce.when is not None:
                parts.append(test(ev.when, ce.when))
            lines.append(f" if {' and '.join(parts) or 'True'}:")
            lines.append(f"  fired.add({ev.id!r})")
            for i, (eff, model) in enumerate(zip(ce.effects, ev.effects, strict=True)):
                lines += self._effect_lines(eff, model, "event", ev.id, i, k, "  ", const,
                                            test)
        for ending, compiled in self.early:
            if compiled is not None:
                lines += [f" if {test(ending.when, compiled)}:", f"  return {ending.id!r}"]
        if k > self.n_rounds:
            for ending, compiled in self.final:
                if compiled is None:
                    lines.append(f" return {ending.id!r}")
                    break
                lines += [f" if {test(ending.when, compiled)}:", f"  return {ending.id!r}"]
            else:
                lines.append(" return ''")
        else:
            cr = self.rounds[k - 1]
            if cr.when is not None:
                lines += [f" if not {test(cr.round.when, cr.when)}:",
                          f"  s.round_no = {k + 1}", "  return SKIP"]
            if not cr.open:
                tests = [test(co.option.requires, co.requires) for co in cr.options]
                lines += [f" if not ({' or '.join(tests)}):", "  return ''"]
            lines.append(" return None")
        source = "\n".join(lines) + "\n"
        code = _compiled(source, f"<round {k} advance>")
        namespace = {"__builtins__": {}, **consts}
        exec(code, namespace)  # noqa: S102 - generated above from the checked scenario
        fn: Callable[[_Work], Any] = namespace["advance"]
        self._advancers[k] = fn
        return fn

    def _effect_lines(self, eff: _CEffect, model: Effect, kind: str, owner: str, index: int,
                      k: int, indent: str, const: Callable[[Any], str],
                      test: Callable[[Any, Test | None], str],
                      delayed: bool = False) -> list[str]:
        """Generated lines resolving ``eff`` in round ``k`` without a record, as ``_run``
        does: a delay schedules it (unless ``delayed``: it is falling due now); else its
        condition, then its chance (``s.roll``, as ``_Work.roll`` draws it), then its
        changes, or its ``otherwise``'s when the chance fails."""
        if eff.after and not delayed:
            return [f"{indent}s.pending.append({const(Pending)}({k + eff.after}, {kind!r}, "
                    f"{owner!r}, {index}, {k}))"]

        def apply(target: _CEffect | None) -> list[str]:
            body = []
            if target is not None:
                for j, d in target.changes:
                    lo, hi = self.mins[j], self.maxs[j]
                    body += [f"x = values[{j}] + {d!r}", f"if x < {lo!r}:", f" x = {lo!r}",
                             f"elif x > {hi!r}:", f" x = {hi!r}", f"values[{j}] = x"]
                if target.set:
                    body.append(f"s.flags |= {const(target.set)}")
                if target.clear:
                    body.append(f"s.flags -= {const(target.clear)}")
            return body or ["pass"]

        if eff.chance is None:
            body = apply(eff)
        else:
            p = f"{const(eff.chance)}(s)"
            if isinstance(model.chance, float | int):
                p = const(eff.chance(None))  # a fixed chance: its value, as _effect made it
            body = [f"if s.roll({p}):", *[" " + line for line in apply(eff)],
                    "else:", *[" " + line for line in apply(eff.otherwise)]]
        if eff.when is None:
            return [indent + line for line in body if line != "pass"]
        return [f"{indent}if {test(model.when, eff.when)}:",
                *[f"{indent} {line}" for line in body]]

    def _chooser(self, co: _COption) -> Callable[[_Work], Any]:
        """Choosing ``co`` without a record, as ``_choose`` does up to the next round's start,
        generated as one function (see ``_advancer``)."""
        k = self.option_round[co.option.id]
        gen = _Generated(self.ns, {})
        const, test, consts = gen.const, gen.test, gen.consts

        lines = ["def choose(s):", f" s.tracks[{co.track}] += 1",
                 f" s.last_track = {const(co.number)}", " values = s.values"]
        for i, (eff, model) in enumerate(zip(co.effects, co.option.effects, strict=True)):
            lines += self._effect_lines(eff, model, "option", co.option.id, i, k, " ", const,
                                        test)
        lines.append(f" s.round_no = {k + 1}")
        source = "\n".join(lines) + "\n"
        code = _compiled(source, f"<option {k} choice>")
        namespace = {"__builtins__": {}, **consts}
        exec(code, namespace)  # noqa: S102 - generated above from the checked scenario
        fn: Callable[[_Work], Any] = namespace["choose"]
        self._choosers[co.option.id] = fn
        return fn

    def _owner_effect(self, p: Pending) -> _CEffect:
        if p.kind == "option":
            return self.options[p.owner].effects[p.index]
        return self.events_by_id[p.owner].effects[p.index]

    def _state(self, w: _Work, ending: str | None, trail: Trail | None) -> GameState:
        """The state ``w`` has reached (``ending``: as ``_advance`` returned it)."""
        over = ending is not None
        if over and w.pending:
            if w.record:
                for p in w.pending:
                    w.log.append((p.kind, p.owner, p.origin_round, True, "dropped",
                                  self._owner_effect(p).text, None, (), (), ()))
            w.pending = []
        return _make_state(
            w.round_no, tuple(w.values), frozenset(w.flags),
            (w.tracks[0], w.tracks[1], w.tracks[2]), w.last_track,
            tuple(w.pending), frozenset(w.fired), w.rng, over, ending or None, trail,
        )

    def _finish(self, w: _Work, ending: str | None, before: tuple, k: int,
                option: Option | None, offered: tuple,
                trail: Trail | None = None) -> tuple[GameState, Outcome]:
        state = self._state(w, ending, trail)
        ids = self.indicator_ids
        resolutions = tuple([
            Resolution(kind, owner, origin, delayed, status, text, p,
                       tuple([(ids[i], d) for i, d in changes]), tuple(set_), tuple(cleared))
            for kind, owner, origin, delayed, status, text, p, changes, set_, cleared in w.log
        ])
        outcome = Outcome(k, option, offered, tuple(before), state.values, resolutions,
                          tuple(w.scheduled), tuple(w.events), state.ending_id, w.round_no)
        return state, outcome

    # -- helpers for reports and tools

    def explain_branch(self, state: GameState | None, option_id: str | None,
                       target: tuple) -> Outcome | None:
        """The outcome (with every chance roll resolved) of the branch of ``branches(state,
        option_id)`` that leads to the state whose ``key()`` is ``target``: how a
        counterexample found by exploration came about. None if no branch leads there."""
        scripts: list[list[bool]] = [[]]
        while scripts:
            script = scripts.pop()
            w = self._work_initial(0, script) if state is None else self._work_from(state,
                                                                                    script)
            w.forks = scripts
            if option_id is None or state is None:
                ending, k, co = self._advance(w), 0, None
            else:
                co = self.options[option_id]
                ending, k = self._choose(w, co, state.round_no), state.round_no
            before = state.values if state is not None else ()
            new, outcome = self._finish(w, ending, before, k, co.option if co else None, ())
            if new.key() == target:
                return outcome
        return None

    def effect_of(self, p: Pending) -> Effect:
        """The scenario's Effect behind a scheduled (pending) effect."""
        if p.kind == "option":
            return self.options[p.owner].option.effects[p.index]
        return self.events_by_id[p.owner].event.effects[p.index]
