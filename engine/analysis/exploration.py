"""The author's exploration report: what uniformly random play does with a scenario.

``explore(scenario)`` walks the exact state graph
(``engine.analysis.statespace.build_graph``) and reports:

* every ending with its probability under uniformly random play and the number of distinct
  paths (sequences of choices and chance outcomes) that lead to it;
* rounds, options, events and endings that no play can reach;
* dead ends: states where the game stops with no option to choose and no ending;
* each indicator's minimum, maximum, mean and distribution at the end of the game;
* per track, the ending distribution of a player who always picks that track where it is
  offered (``engine.analysis.statespace.prefer_track``);
* options dominated in *every* reachable state where they are offered (see below);
* citation coverage: which source paragraphs the scenario cites, and how often.

When the game has more states than ``max_states`` the walk stops, the report says so in
``notice`` and falls back to sampling. ``explore(..., samples=N, seed=S)`` asks for sampling
directly: N playthroughs, each choosing uniformly among the offered options with a
``random.Random`` seeded from S (the game's own chance rolls are seeded from the same
generator), so a fixed seed gives the same report. Sampled figures are frequencies; "paths" are
distinct observed paths and "unreachable" means "never seen".

**State-aware dominance.** In a state s where options a and b are both offered, the *outlook*
of an option is

* for each indicator, its expected value right after the choice (exact: every chance outcome of
  ``Game.branches``, including events, delayed effects falling due and clamping) plus the
  expected change of the delayed effects the choice schedules, each judged (its ``when`` and
  its chance) as if it resolved in the state right after the choice;
* the trade-off ratings of the option (a dimension it does not rate counts as 0).

``b`` dominates ``a`` in s when b's outlook is at least as good as a's on every indicator (in
the indicator's ``better`` direction; equal for ``better: neither``) and every dimension, and
strictly better on one -- and the two choices cannot open different futures in another way:
each flag has the same probability of being set after either choice, both schedule the same
flag changes, and, when any condition reads ``track1``, ``track1_5``, ``track2`` or
``last_track``, both are of the same track. An option is reported when it is dominated in every
reachable state where it is offered (``options[].states_dominated == states_offered``). Unlike
the checker's static test (``engine.scenario.checks.dominated_by``), this compares options with
different ``requires`` whenever they are offered together, sees clamping at an indicator's
bounds, and evaluates state-dependent chances exactly.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from engine.analysis.lessons import Proof, prove
from engine.analysis.limits import DEFAULT_BUDGET, DEFAULT_SAMPLES
from engine.analysis.reachability import Reached, unreachable
from engine.analysis.statespace import (
    DEFAULT_MAX_STATES,
    Graph,
    build_graph,
    no_gc,
    prefer_track,
    round_order,
    surely_more_states_than,
    uniform,
)
from engine.play.rules import Game, GameState
from engine.scenario.conditions import Condition
from engine.scenario.model import Scenario
from engine.scenario.vocabulary import DIMENSIONS, Track

REPORT_FORMAT = "backchannel-explore/1"
SEEN_STATES = 200_000  # distinct states counted while sampling (one hash each)
DOMINANCE_STATES = 20_000  # distinct states in which sampling judges dominance
EPS = 1e-9
_TRACK_NAMES = ("track1", "track1_5", "track2", "last_track")

Progress = Callable[[str, int, "int | None"], Any]
"""``progress(phase, done, total)``; phase is 'exploring' (done = states so far, total = the
bound), 'analysing' or 'sampling' (done = playthroughs so far, total = how many)."""


class Report:
    """An exploration report: ``data`` is the JSON form (docs/explore-json.md); the text form
    is ``engine.present.explore_text.render_text(report.data)``."""

    def __init__(self, data: dict) -> None:
        self.data = data

    @property
    def has_errors(self) -> bool:
        """Dead ends are errors (the checker refuses such a scenario)."""
        return bool(self.data["dead_ends"]["groups"])

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.data, indent=indent, ensure_ascii=False)


def explore(
    scenario: Scenario,
    *,
    max_states: int = DEFAULT_MAX_STATES,
    samples: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    file: str | None = None,
    fallback_samples: int = DEFAULT_SAMPLES,
    budget: float | None = None,
) -> Report:
    """Explore ``scenario`` exactly (or by ``samples`` random playthroughs) and report.

    ``budget`` (seconds) bounds the sampling: it stops after ``samples`` playthroughs per
    policy or when the time is up, whichever comes first, and the report says how many it made.
    Falling back to sampling past ``max_states`` always has a budget (DEFAULT_BUDGET unless
    given). Without a budget a report is reproducible byte for byte; with one it depends on
    the machine's speed."""
    t0 = time.monotonic()
    game = Game(scenario)
    notice = None
    bound_hit = False
    if samples is None:
        if surely_more_states_than(game, max_states):
            complete = False  # known without walking: the walk would stop at the bound
        else:
            cb = None if progress is None else (lambda n: progress("exploring", n, max_states))
            graph = build_graph(game, max_states=max_states, progress=cb)
            complete = graph.complete
            if complete:
                body = _exact(game, graph, progress)
                body["lessons"] = prove(graph)
                return Report(_assemble(game, "exact", body, max_states, False, None, None,
                                        None, file))
            del graph
        bound_hit = True
        samples = fallback_samples
        if budget is None:
            budget = DEFAULT_BUDGET
        notice = (f"the game has more than {max_states:,} states, the bound on exact "
                  f"exploration; fell back to sampling random playthroughs (seed {seed}). "
                  "Raise the bound with --max-states for an exact report.")
    if samples < 1:
        raise ValueError("samples must be at least 1")
    deadline = None if budget is None else t0 + budget
    with no_gc():
        body = _sampled(game, samples, seed, progress, deadline)
    extra = []
    if body["samples"] < samples:
        extra.append(f"sampling stopped at the time budget of {budget:g} s after "
                     f"{body['samples']:,} of {samples:,} playthroughs per policy (--budget "
                     "buys precision: the standard error shrinks as 1/sqrt(playthroughs))")
    if body["states_capped"]:
        extra.append(f"distinct states were counted up to {SEEN_STATES:,}")
    if body["unjudged"]:
        extra.append(f"dominance was judged in the first {body['judged']:,} distinct states "
                     "seen (options' states_offered count those)")
    if extra:
        notice = "; ".join(([notice] if notice else []) + extra)
    return Report(_assemble(game, "sampled", body, max_states, bound_hit, notice,
                            body["samples"], seed, file))


# --------------------------------------------------------------------------- exact


class _Compact:
    """The graph with states numbered in round order and edges as (option, p, child index):
    the passes below then index lists instead of hashing state keys."""

    def __init__(self, graph: Graph) -> None:
        order = round_order(graph)
        index = {k: i for i, k in enumerate(order)}
        nodes = graph.nodes
        self.keys = order
        self.states = [nodes[k].state for k in order]
        self.edges = [[(oid, p, index[ck]) for oid, p, ck in nodes[k].edges] for k in order]
        self.offered = [list(dict.fromkeys(oid for oid, _, _ in e)) for e in self.edges]
        self.start = [(p, index[k]) for p, k in graph.start]

    def reach(self, game: Game, policy) -> list[float]:
        """The probability of passing through each state (by index) when playing by
        ``policy``."""
        prob = [0.0] * len(self.states)
        for p, i in self.start:
            prob[i] += p
        for i, edges in enumerate(self.edges):
            pi = prob[i]
            if pi == 0.0 or not edges:
                continue
            weights = policy(game, self.states[i], self.offered[i])
            for oid, p, c in edges:
                w = weights.get(oid, 0.0)
                if w:
                    prob[c] += pi * w * p
        return prob

    def path_counts(self) -> list[int]:
        count = [0] * len(self.states)
        for _, i in self.start:
            count[i] += 1
        for i, edges in enumerate(self.edges):
            c = count[i]
            if c:
                for _, _, j in edges:
                    count[j] += c
        return count

    def first_parents(self) -> dict[int, tuple[int, str]]:
        parents: dict[int, tuple[int, str]] = {}
        for i, edges in enumerate(self.edges):
            for oid, _, j in edges:
                if j not in parents:
                    parents[j] = (i, oid)
        return parents


def _exact(game: Game, graph: Graph, progress: Progress | None = None) -> dict:
    with no_gc():
        return _exact_body(game, graph, progress)


def _exact_body(game: Game, graph: Graph, progress: Progress | None) -> dict:
    n_states = len(graph.nodes)
    if progress is not None:
        progress("analysing", 0, n_states)
    g = _Compact(graph)
    prob = g.reach(game, uniform)
    paths = g.path_counts()
    scn = game.scenario

    round_p: defaultdict[Any, float] = defaultdict(float)
    offered_p: defaultdict[Any, float] = defaultdict(float)
    chosen_p: defaultdict[Any, float] = defaultdict(float)
    finals = []
    dom = _Dominance(game)
    states = g.states
    for i, st in enumerate(states):
        if progress is not None and i % 4096 == 0:
            progress("analysing", i, n_states)
        if st.over:
            finals.append(i)
            continue
        p = prob[i]
        round_p[st.round_no] += p
        by_option: dict[str, list[tuple[float, GameState]]] = {}
        for oid, bp, j in g.edges[i]:
            by_option.setdefault(oid, []).append((bp, states[j]))
        share = p / len(by_option)
        for oid in by_option:
            offered_p[oid] += p
            chosen_p[oid] += share
        dom.state(st, by_option)

    ending_p: defaultdict[Any, float] = defaultdict(float)
    ending_paths: Counter = Counter()
    event_p: defaultdict[Any, float] = defaultdict(float)
    values: list[defaultdict[int, float]] = [defaultdict(float) for _ in scn.indicators]
    dead: dict[tuple, _DeadGroup] = {}
    for i in finals:
        st = states[i]
        p = prob[i]
        ending_p[st.ending_id] += p
        ending_paths[st.ending_id] += paths[i]
        for e in st.fired:
            event_p[e] += p
        for n, v in enumerate(st.values):
            values[n][v] += p
        if st.ending_id is None:
            dg = dead.setdefault(_dead_where(game, st), _DeadGroup())
            dg.add(st, p, paths[i], i)
    if dead:
        parents = g.first_parents()
        for dg in dead.values():
            dg.choices = _choices_to(parents, dg.example_key)

    tracks = []
    for t in Track:
        prob_t = g.reach(game, prefer_track(t))
        dist: defaultdict[str | None, float] = defaultdict(float)
        for i in finals:
            dist[states[i].ending_id] += prob_t[i]
        tracks.append((t, dist))
    if progress is not None:
        progress("analysing", n_states, n_states)

    return {
        "states": len(states),
        "round_p": round_p,
        "offered_p": offered_p,
        "chosen_p": chosen_p,
        "ending_p": ending_p,
        "ending_paths": ending_paths,
        "ending_stderr": None,
        "event_p": event_p,
        "values": values,
        "dead": dead,
        "tracks": tracks,
        "dominance": dom,
    }


def _choices_to(parents: dict, key) -> list[str]:
    out = []
    while key in parents:
        key, oid = parents[key]
        out.append(oid)
    return out[::-1]


class _DeadGroup:
    def __init__(self) -> None:
        self.states = 0
        self.probability = 0.0
        self.paths = 0
        self.example: GameState | None = None
        self.example_key: Any = None
        self.choices: list[str] = []
        self.sigs: set[int] = set()
        self.keys: set[object] = set()  # state indexes (exact) or state keys (sampled)

    def add(self, st: GameState, p: float, paths: int, key: object) -> None:
        self.keys.add(key)
        self.states = len(self.keys)
        self.probability += p
        self.paths += paths
        if self.example is None:
            self.example, self.example_key = st, key


def _dead_where(game: Game, st: GameState) -> tuple[int | None, str]:
    if st.round_no > game.n_rounds:
        return (None, "after the last round no ending's condition holds")
    rnd = game.rounds[st.round_no - 1].round
    return (st.round_no, f"in round {st.round_no} ('{rnd.id}') no option's 'requires' holds")


# --------------------------------------------------------------------------- dominance


class _Dominance:
    """Counts, per option, the states where it is offered and those where it is dominated."""

    def __init__(self, game: Game) -> None:
        self.game = game
        scn = game.scenario
        self.sign = [{"higher": 1, "lower": -1}.get(i.better, 0) for i in scn.indicators]
        self.flag_ids = tuple(f.id for f in scn.flags)
        self.track_matters = any(
            name in _TRACK_NAMES for cond in _all_conditions(scn) for name, _ in cond.names()
        )
        self.ratings = {}
        for rnd in scn.rounds:
            for o in rnd.options:
                r = {t.dimension: t.rating for t in o.tradeoffs}
                self.ratings[o.id] = tuple(r.get(d, 0) for d in DIMENSIONS)
        self.offered: Counter = Counter()
        self.dominated: Counter = Counter()
        self.by: dict[str, Counter] = defaultdict(Counter)

    def state(self, st: GameState, by_option: dict[str, list[tuple[float, GameState]]]) -> None:
        ids = list(by_option)
        for oid in ids:
            self.offered[oid] += 1
        if len(ids) < 2:
            return
        looks = {oid: self._outlook(st, oid, by_option[oid]) for oid in ids}
        for a in ids:
            hit = False
            for b in ids:
                if a != b and self._dominates(looks[b], looks[a]):
                    self.by[a][b] += 1
                    hit = True
            if hit:
                self.dominated[a] += 1

    def _outlook(self, st: GameState, oid: str, branches) -> tuple:
        game = self.game
        n = len(st.values)
        values = [0.0] * n
        flags = [0.0] * len(self.flag_ids)
        co = game.options[oid]
        delayed_flags = []
        for p, child in branches:
            cv = child.values
            for i in range(n):
                values[i] += p * cv[i]
            for j, f in enumerate(self.flag_ids):
                if f in child.flags:
                    flags[j] += p
            for pend in child.pending:
                if (pend.kind == "option" and pend.owner == oid
                        and pend.origin_round == st.round_no):
                    ce = co.effects[pend.index]
                    if ce.when is not None and not ce.when(child):
                        continue
                    q = 1.0 if ce.chance is None else ce.chance(child)
                    for i, d in ce.changes:
                        values[i] += p * q * d
                    if ce.set or ce.clear:
                        delayed_flags.append((tuple(sorted(ce.set)), tuple(sorted(ce.clear))))
                    other = ce.otherwise
                    if other is not None and q < 1.0:
                        for i, d in other.changes:
                            values[i] += p * (1.0 - q) * d
                        if other.set or other.clear:
                            delayed_flags.append(
                                (tuple(sorted(other.set)), tuple(sorted(other.clear))))
        signature = (
            tuple(round(x, 9) for x in flags),
            tuple(sorted(set(delayed_flags))),
            co.track if self.track_matters else None,
        )
        return values, self.ratings[oid], signature

    def _dominates(self, b: tuple, a: tuple) -> bool:
        """True when outlook ``b`` dominates outlook ``a``."""
        va, ra, sa = a
        vb, rb, sb = b
        if sa != sb:
            return False
        strictly = False
        for s, xa, xb in zip(self.sign, va, vb, strict=True):
            if s == 0:
                if abs(xa - xb) > EPS:
                    return False
                continue
            d = s * (xb - xa)
            if d < -EPS:
                return False
            if d > EPS:
                strictly = True
        for xa, xb in zip(ra, rb, strict=True):
            if xb < xa:
                return False
            if xb > xa:
                strictly = True
        return strictly


def _all_conditions(scn: Scenario) -> Iterator[Condition]:
    """Every condition that can change how the game goes (not conditional texts)."""

    def effects(effs):
        for e in effs:
            if e.when is not None:
                yield e.when
            if isinstance(e.chance, tuple):
                yield from (c.when for c in e.chance if c.when is not None)

    for rnd in scn.rounds:
        if rnd.when is not None:
            yield rnd.when
        for o in rnd.options:
            if o.requires is not None:
                yield o.requires
            yield from effects(o.effects)
    for ev in scn.events:
        if ev.when is not None:
            yield ev.when
        yield from effects(ev.effects)
    for end in scn.endings:
        if end.when is not None:
            yield end.when


# --------------------------------------------------------------------------- sampling


def _sampled(game: Game, n: int, seed: int, progress: Progress | None,
             deadline: float | None = None) -> dict:
    """``n`` playthroughs per policy (uniform, then always-this-track for each track), or as
    many as fit before ``deadline`` (``time.monotonic``). Keeps aggregates only: counts, one
    hash per distinct path and per distinct state (up to SEEN_STATES), never the states."""
    scn = game.scenario
    now = time.monotonic()
    rng = random.Random(seed)
    round_c: Counter = Counter()
    offered_c: Counter = Counter()
    chosen_c: Counter = Counter()
    ending_c: Counter = Counter()
    ending_paths: dict[str | None, set[int]] = defaultdict(set)
    event_c: Counter = Counter()
    values: list[Counter] = [Counter() for _ in scn.indicators]
    dead: dict[tuple, _DeadGroup] = {}
    seen: set[int] = set()
    dom = _Dominance(game)
    judged = unjudged = 0
    # With a deadline, dominance (a few exact branchings per state) may take a quarter of it.
    judge_until = None if deadline is None else now + (deadline - now) / 4
    total = n * (1 + len(Track))
    step = max(1, total // 200)
    done = 0
    offered_now = game.offered
    sample_step = game.sample_step

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and done % step == 0:
            progress("sampling", done, total)

    def visit(s: GameState) -> None:
        """Count a distinct state; judge dominance in the first DOMINANCE_STATES of them."""
        nonlocal judged, unjudged
        if len(seen) >= SEEN_STATES:
            return
        k = hash(s.key())
        if k in seen:
            return
        seen.add(k)
        if s.over:
            return
        if judged < DOMINANCE_STATES and (judge_until is None
                                          or time.monotonic() < judge_until):
            judged += 1
            dom.state(s, {o.id: game.branches(s, o.id) for o in offered_now(s)})
        else:
            unjudged += 1

    pickers: list[tuple[Track, random.Random, set[str], Counter[str | None]]] = []
    for t in Track:
        trng = random.Random(f"{seed}/{t.value}")
        ids = {o for o, co in game.options.items() if co.option.track is t}
        pickers.append((t, trng, ids, Counter()))

    played = 0
    for _ in range(n):
        if deadline is not None and time.monotonic() > deadline:
            break
        played += 1
        # uniform play: every aggregate of the report
        st, rolls = game.sample_start(rng.getrandbits(64))
        sig = hash(rolls)
        visit(st)
        while not st.over:
            offered = [o.id for o in offered_now(st)]
            oid = offered[rng.randrange(len(offered))]
            round_c[st.round_no] += 1
            for o in offered:
                offered_c[o] += 1
            chosen_c[oid] += 1
            st, rolls = sample_step(st, oid)
            sig = hash((sig, oid, rolls))
            visit(st)
        tick()
        ending_c[st.ending_id] += 1
        ending_paths[st.ending_id].add(sig)
        for e in st.fired:
            event_c[e] += 1
        for i, v in enumerate(st.values):
            values[i][v] += 1
        if st.ending_id is None:
            g = dead.setdefault(_dead_where(game, st), _DeadGroup())
            g.add(st, 1.0, 0, st.key())
            g.sigs.add(sig)
            g.paths = len(g.sigs)
            if g.example is st:
                g.choices = [oid for _, oid in st.choices]
        # each track's player: the ending only (each policy has its own random stream)
        for _t, trng, ids, dist in pickers:
            st, _ = game.start(trng.getrandbits(64))
            while not st.over:
                offered = [o.id for o in offered_now(st)]
                pool = [o for o in offered if o in ids] or offered
                st = game.step(st, pool[trng.randrange(len(pool))])
            dist[st.ending_id] += 1
            tick()
    if played == 0:
        raise ValueError("no playthrough fitted in the time budget")
    for g in dead.values():
        g.probability /= played
    tracks = [(t, {k: v / played for k, v in dist.items()}) for t, _, _, dist in pickers]

    def freq(c: Counter) -> Counter:
        return Counter({k: v / played for k, v in c.items()})

    stderr = {k: math.sqrt(p * (1 - p) / played) for k, p in freq(ending_c).items()}
    return {
        "states": len(seen),
        "states_capped": len(seen) >= SEEN_STATES,
        "judged": judged,
        "unjudged": unjudged,
        "samples": played,
        "round_p": freq(round_c),
        "offered_p": freq(offered_c),
        "chosen_p": freq(chosen_c),
        "ending_p": freq(ending_c),
        "ending_paths": Counter({k: len(v) for k, v in ending_paths.items()}),
        "ending_stderr": stderr,
        "event_p": freq(event_c),
        "values": [freq(c) for c in values],
        "dead": dead,
        "tracks": tracks,
        "dominance": dom,
    }


# --------------------------------------------------------------------------- assembly


def _assemble(game: Game, mode: str, b: dict, max_states: int, bound_hit: bool,
              notice: str | None, samples: int | None, seed: int | None,
              file: str | None) -> dict:
    scn = game.scenario
    dom: _Dominance = b["dominance"]

    def p(x: float) -> float:
        return round(x, 12)

    def seen(c: Counter) -> frozenset:
        return frozenset(k for k, v in c.items() if v > 0 and k is not None)

    gone = unreachable(scn, Reached(seen(b["round_p"]), seen(b["offered_p"]),
                                    seen(b["event_p"]), seen(b["ending_p"])))

    rounds = [
        {"id": r.id, "number": i, "title": r.title, "probability": p(b["round_p"].get(i, 0.0)),
         "reachable": r.id not in gone.rounds}
        for i, r in enumerate(scn.rounds, 1)
    ]
    options: list[dict[str, Any]] = []  # JSON rows
    for i, r in enumerate(scn.rounds, 1):
        for o in r.options:
            options.append({
                "id": o.id, "round": i, "track": o.track.value, "title": o.title,
                "offered": p(b["offered_p"].get(o.id, 0.0)),
                "chosen": p(b["chosen_p"].get(o.id, 0.0)),
                "reachable": o.id not in gone.options,
                "states_offered": dom.offered.get(o.id, 0),
                "states_dominated": dom.dominated.get(o.id, 0),
            })
    events = [
        {"id": e.id, "title": e.title, "probability": p(b["event_p"].get(e.id, 0.0)),
         "reachable": e.id not in gone.events}
        for e in scn.events
    ]
    stderr = b["ending_stderr"]
    endings = [
        {"id": e.id, "title": e.title, "grade": e.grade, "early": e.early,
         "probability": p(b["ending_p"].get(e.id, 0.0)),
         "stderr": None if stderr is None else p(stderr.get(e.id, 0.0)),
         "paths": b["ending_paths"].get(e.id, 0),
         "reachable": e.id not in gone.endings}
        for e in scn.endings
    ]
    groups = []
    for (rno, where), g in sorted(b["dead"].items(), key=lambda kv: (kv[0][0] or 1 << 30)):
        st = g.example
        groups.append({
            "round": rno, "where": where, "states": g.states,
            "probability": p(g.probability), "paths": g.paths,
            "example": {
                "values": {ind.id: v for ind, v in zip(scn.indicators, st.values, strict=True)},
                "flags": sorted(st.flags),
                "choices": list(g.choices),
            },
        })
    dead_ends = {
        "probability": p(b["ending_p"].get(None, 0.0)),
        "paths": b["ending_paths"].get(None, 0),
        "groups": groups,
    }
    indicators = []
    for ind, dist in zip(scn.indicators, b["values"], strict=True):
        present = sorted(v for v, q in dist.items() if q > 0)
        mean = sum(v * q for v, q in dist.items())
        indicators.append({
            "id": ind.id, "label": ind.label, "better": ind.better, "start": ind.start,
            "min": present[0] if present else None, "max": present[-1] if present else None,
            "mean": p(mean) if present else None,
            "distribution": [{"value": v, "probability": p(dist[v])} for v in present],
        })
    tracks = []
    for t, dist in b["tracks"]:
        tracks.append({
            "track": t.value, "label": t.label,
            "endings": {e.id: p(dist.get(e.id, 0.0)) for e in scn.endings},
            "dead_end": p(dist.get(None, 0.0)),
        })
    dominated = []
    for row in options:
        if row["states_offered"] and row["states_dominated"] == row["states_offered"]:
            by = dom.by[row["id"]]
            dominated.append({
                "option": row["id"], "round": row["round"], "track": row["track"],
                "states": row["states_offered"],
                "by": [{"option": k, "states": v}
                       for k, v in sorted(by.items(), key=lambda kv: (-kv[1], kv[0]))],
            })
    return {
        "format": REPORT_FORMAT,
        "scenario": {"id": scn.id, "title": scn.title, "file": file},
        "mode": mode,
        "states": b["states"],
        "max_states": max_states,
        "bound_hit": bound_hit,
        "notice": notice,
        "samples": samples,
        "seed": seed,
        "endings": endings,
        "dead_ends": dead_ends,
        "unreachable": gone.as_dict(),
        "rounds": rounds,
        "options": options,
        "events": events,
        "indicators": indicators,
        "tracks": tracks,
        "dominated": dominated,
        "lessons": _lessons(scn, b.get("lessons")),
        "citations": citation_coverage(scn),
    }


def _lessons(scn: Scenario, proofs: list[Proof] | None) -> list[dict]:
    """Each lesson with its verdict; ``holds`` is None when sampling could not prove it."""
    by_id = {p.lesson.id: p for p in proofs or ()}
    out = []
    for lesson in scn.lessons:
        proof = by_id.get(lesson.id)
        out.append({
            "id": lesson.id,
            "text": lesson.text,
            "citations": [str(c) for c in lesson.cite],
            "holds": None if proof is None else proof.holds,
            "evidence": list(proof.evidence) if proof else [],
            "counterexample": proof.counterexample if proof else None,
        })
    return out


# --------------------------------------------------------------------------- citations


def citation_coverage(scn: Scenario) -> dict:
    """Per source: the paragraphs cited (structured ``cite`` lists of trade-offs, events,
    endings, lessons and role briefs) with how often and by what, the declared paragraphs
    never cited, and the paragraphs mentioned in free text (facilitator notes, assessments
    and so on)."""
    cited: dict[str, dict[int, list[str]]] = {s.id: defaultdict(list) for s in scn.sources}
    entries: Counter = Counter()
    total = 0

    def add(cites, where: str) -> None:
        nonlocal total
        for c in cites:
            total += 1
            entries[c.source] += 1
            if c.source in cited:
                for para in c.paragraphs:
                    cited[c.source][para].append(where)

    texts: list[str] = []
    for rnd in scn.rounds:
        texts += [rnd.situation, rnd.facilitator_notes or "", *rnd.questions]
        texts += [ct.text for ct in rnd.conditional_text]
        for o in rnd.options:
            texts += [o.description, *(t.why for t in o.tradeoffs)]
            for t in o.tradeoffs:
                add(t.cite, f"option {o.id} ({t.dimension})")
    for ev in scn.events:
        texts.append(ev.text)
        add(ev.cite, f"event {ev.id}")
    for end in scn.endings:
        texts += [end.epilogue, end.assessment]
        add(end.cite, f"ending {end.id}")
    for lesson in scn.lessons:
        texts.append(lesson.text)
        add(lesson.cite, f"lesson {lesson.id}")
    for role in scn.roles:
        for claim in role.brief:
            texts.append(claim.text)
            add(claim.cite, f"role {role.id}")
        for note in role.notes:
            texts.append(note.text)
            add(note.cite, f"role {role.id}")
    mentions: dict[str, Counter] = {s.id: Counter() for s in scn.sources}
    ids = sorted((s.id for s in scn.sources), key=len, reverse=True)
    if ids:
        pattern = re.compile(
            r"(?<![a-z0-9._-])(" + "|".join(re.escape(i) for i in ids)
            + r")\s*(?:¶|#)\s*(\d+)(?:\s*[-–]\s*¶?\s*(\d+))?"
        )
        for text in texts:
            for m in pattern.finditer(text):
                first = int(m.group(2))
                last = int(m.group(3)) if m.group(3) else first
                for para in range(first, max(first, last) + 1):
                    mentions[m.group(1)][para] += 1
    sources = []
    for s in scn.sources:
        paras = cited[s.id]
        declared = s.paragraphs
        uncited = ([i for i in range(1, declared + 1) if i not in paras]
                   if declared is not None else [])
        sources.append({
            "id": s.id, "title": s.title, "paragraphs": declared,
            "citations": entries[s.id],
            "cited": [{"paragraph": k, "count": len(v), "by": v}
                      for k, v in sorted(paras.items())],
            "uncited": uncited,
            "mentions": [{"paragraph": k, "count": v} for k, v in sorted(mentions[s.id].items())],
        })
    return {"total": total, "sources": sources}
