"""Proving a scenario's lessons over its whole state graph.

A lesson (docs/scenario-format.md#lessons) states what the scenario teaches and carries
properties that exact exploration decides:

* ``every_ending``: a condition that holds in every state the game can end in. The explored
  state already carries what such a condition reads (indicators, flags, how often each track
  was chosen, the ending), so this is a scan of the final states; a failure comes with the
  shortest path (fewest choices) to an ending state that breaks it, each step with the chance
  rolls that went the way they had to.
* ``chances``: the probability of ending in a state where a condition holds, under a way of
  playing (random, always one track, the best or worst plan), optionally among the endings
  where ``given`` holds, compared with a number or with other such probabilities. A failure
  comes with the probabilities that break it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import attrs

from engine.analysis.statespace import Graph, prefer_track, reach, round_order, uniform
from engine.play.rules import Game, GameState, Outcome
from engine.scenario.checks import lesson_namespace
from engine.scenario.conditions import Condition, compile_condition
from engine.scenario.model import ChanceClaim, Lesson, Scenario
from engine.scenario.vocabulary import POLICIES, Track

EPS = 1e-9
_POLICY_TRACK = {"track-1": Track.T1, "track-1.5": Track.T1_5, "track-2": Track.T2}


@attrs.frozen
class Proof:
    """The verdict on one lesson. ``evidence``: one line per property, saying what was found;
    ``failures``: each broken property with where it is in the file (for `check`'s
    file:line) and its counterexample (JSON-ready)."""

    lesson: Lesson
    holds: bool
    evidence: tuple[str, ...]
    # (path in the file, evidence line, counterexample) of every property that fails
    failures: tuple[tuple[tuple, str, dict], ...] = ()

    @property
    def counterexample(self) -> dict | None:
        return self.failures[0][2] if self.failures else None


class _Prover:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.game: Game = graph.game
        self.scn: Scenario = self.game.scenario
        self.ns = lesson_namespace(self.scn)
        self.order = round_order(graph)
        self.finals = [k for k in self.order if graph.nodes[k].state.over]
        self._tests: dict[str, Callable[[Any], bool]] = {}
        self._dists: dict[str, dict[tuple, float]] = {}

    def test(self, cond: Condition) -> Callable[[Any], bool]:
        if cond.text not in self._tests:
            self._tests[cond.text] = compile_condition(cond, self.ns)
        return self._tests[cond.text]

    # -- every_ending

    def every_ending(self, lesson: Lesson) -> tuple[bool, str, dict]:
        cond = lesson.every_ending
        assert cond is not None
        test = self.test(cond)
        bad = {k for k in self.finals if not test(self.graph.nodes[k].state)}
        if not bad:
            return True, (f"`{cond}` holds in all {len(self.finals):,} states the game can "
                          "end in"), {}
        path = self._shortest_path_to(bad)
        example = self._describe_path(path)
        return False, (f"`{cond}` fails in {len(bad):,} of {len(self.finals):,} ending "
                       f"states; shortest: {example['summary']}"), example

    def _shortest_path_to(self, targets: set[tuple]) -> list[tuple[tuple | None, str | None,
                                                                   tuple]]:
        """(parent key, option id, child key) steps from the start (parent None) to the
        nearest state of ``targets``, by fewest choices."""
        parent: dict[tuple, tuple[tuple | None, str | None]] = {}
        queue: deque[tuple] = deque()
        for _, k in self.graph.start:
            if k not in parent:
                parent[k] = (None, None)
                queue.append(k)
        found = None
        while queue:
            k = queue.popleft()
            if k in targets:
                found = k
                break
            for oid, _, ck in self.graph.nodes[k].edges:
                if ck not in parent and ck in self.graph.nodes:
                    parent[ck] = (k, oid)
                    queue.append(ck)
        assert found is not None, "every final state is reachable from the start"
        steps: list[tuple[tuple | None, str | None, tuple]] = []
        k = found
        while True:
            pk, via = parent[k]
            steps.append((pk, via, k))
            if pk is None:
                break
            k = pk
        return list(reversed(steps))

    def _describe_path(self, steps: list) -> dict:
        game, scn = self.game, self.scn
        out_steps: list[dict] = []
        for pk, oid, ck in steps:
            st = self.graph.nodes[pk].state if pk is not None else None
            outcome = game.explain_branch(st, oid, ck)
            rolls = _rolls(outcome)
            events = list(outcome.events) if outcome else []
            if pk is None:
                if rolls or events:
                    out_steps.append({"round": 0, "option": None, "track": None,
                                      "events": events, "chance": rolls})
                continue
            out_steps.append({"round": st.round_no, "option": oid,  # type: ignore[union-attr]
                              "track": game.options[oid].option.track.value,
                              "events": events, "chance": rolls})
        end = self.graph.nodes[steps[-1][2]].state
        ending = game.ending(end)
        counts = dict(zip(("track1", "track1_5", "track2"), end.tracks, strict=True))
        example: dict[str, Any] = {
            "steps": out_steps,
            "ending": end.ending_id,
            "grade": ending.grade if ending else None,
            "values": {i.id: v for i, v in zip(scn.indicators, end.values, strict=True)},
            "flags": sorted(end.flags),
            "tracks": counts,
        }
        example["summary"] = describe_counterexample(example)
        return example

    # -- chances

    def dist(self, policy: str) -> dict[tuple, float]:
        if policy not in self._dists:
            pol = {"random": uniform, "random-track": _track_balanced}.get(policy) or prefer_track(
                _POLICY_TRACK[policy])
            prob = reach(self.graph, pol, self.order)
            self._dists[policy] = {k: prob.get(k, 0.0) for k in self.finals}
        return self._dists[policy]

    def chance(self, of: Condition, under: str, given: Condition | None) -> float | None:
        """P(ending state satisfies ``of`` | it satisfies ``given``) playing by ``under``;
        None when no ending satisfies ``given`` under that play."""
        if under in ("best", "worst"):
            return self._optimal(of, under == "best")
        test = self.test(of)
        cond = self.test(given) if given is not None else None
        num = den = 0.0
        for k, p in self.dist(under).items():
            if not p:
                continue
            st = self.graph.nodes[k].state
            if cond is not None and not cond(st):
                continue
            den += p
            if test(st):
                num += p
        return num / den if den > EPS else None

    def _optimal(self, of: Condition, best: bool) -> float:
        """The highest (lowest) probability of ``of`` any adaptive plan reaches."""
        test = self.test(of)
        pick = max if best else min
        value: dict[tuple, float] = {}
        for k in reversed(self.order):
            node = self.graph.nodes[k]
            if node.state.over:
                value[k] = 1.0 if test(node.state) else 0.0
                continue
            by_option: dict[str, float] = {}
            for oid, p, ck in node.edges:
                by_option[oid] = by_option.get(oid, 0.0) + p * value[ck]
            value[k] = pick(by_option.values())
        return sum(p * value[k] for p, k in self.graph.start)

    def claim(self, claim: ChanceClaim) -> tuple[bool, str, dict]:
        left = self.chance(claim.of, claim.under, claim.given)
        name = _measure_name(claim.of, claim.under, claim.given)
        figures = {name: left}
        fails = []
        parts = []
        if left is None:
            fails.append(f"no ending under {POLICIES[claim.under]} satisfies `{claim.given}`")
        for key, bound, ok in (("at least", claim.at_least, lambda v, b: v >= b - EPS),
                               ("at most", claim.at_most, lambda v, b: v <= b + EPS)):
            if bound is None:
                continue
            parts.append(f"{key} {_pct(bound)}")
            if left is not None and not ok(left, bound):
                fails.append(f"{_pct(left)} is not {key} {_pct(bound)}")
        for side, others, word in (("above", claim.above, "above"),
                                   ("below", claim.below, "below")):
            for other in others:
                of = other.of or claim.of
                right = self.chance(of, other.under, other.given)
                rname = _measure_name(of, other.under, other.given)
                figures[rname] = right
                parts.append(f"{word} {rname} = {_pct(right)}")
                if right is None:
                    fails.append(f"{rname} is undefined: no ending under "
                                 f"{POLICIES[other.under]} satisfies `{other.given}`")
                elif left is not None and not (left > right + EPS if side == "above"
                                               else left < right - EPS):
                    fails.append(f"{_pct(left)} is not {word} {rname} = {_pct(right)}")
        shown = f"{name} = {_pct(left)}" + (f" ({'; '.join(parts)})" if parts else "")
        if fails:
            return False, shown + ": FAILS, " + "; ".join(fails), {
                "probabilities": [{"measure": k, "probability": v} for k, v in figures.items()],
                "summary": "; ".join(fails)}
        return True, shown, {}


def _track_balanced(game: Game, state: GameState, offered: list[str]) -> dict[str, float]:
    """Random play that a track with more options does not skew: a track uniformly among
    those offered, then one of its options uniformly."""
    by_track: dict[Track, list[str]] = {}
    for oid in offered:
        by_track.setdefault(game.options[oid].option.track, []).append(oid)
    return {oid: 1.0 / len(by_track) / len(ids) for ids in by_track.values() for oid in ids}


def _measure_name(of: Condition, under: str, given: Condition | None) -> str:
    cond = f"`{of}`" + (f" given `{given}`" if given is not None else "")
    return f"P({cond}) under {under}"


def _pct(x: float | None) -> str:
    if x is None:
        return "undefined"
    if x == 0:
        return "0%"
    if x == 1:
        return "100%"
    return f"{100 * x:.1f}%"


def _rolls(outcome: Outcome | None) -> list[dict]:
    """The chance rolls of one step: what was at stake, whether it came off, its chance."""
    if outcome is None:
        return []
    return [{"owner": r.owner, "text": r.text, "happened": r.status == "applied",
             "chance": r.chance}
            for r in outcome.resolutions if r.chance is not None and 0 < r.chance < 1]


def describe_counterexample(example: dict) -> str:
    """One line: the choices, the chance rolls that went the fatal way, where it ended."""
    parts = []
    for s in example["steps"]:
        rolls = "".join(
            f" [{r['owner']}: {'happened' if r['happened'] else 'did not happen'}, "
            f"chance {_pct(r['chance'])}]" for r in s["chance"])
        if s["option"] is None:
            parts.append(f"start{rolls}")
        else:
            parts.append(f"round {s['round']} {s['option']} (T{s['track']}){rolls}")
    t = example["tracks"]
    end = example["ending"] or "a dead end"
    grade = f" ({example['grade']})" if example["grade"] else ""
    return (" -> ".join(parts) + f" -> ends in {end}{grade} with Track-1 x{t['track1']}, "
            f"Track-1.5 x{t['track1_5']}, Track-2 x{t['track2']}")


def prove(graph: Graph) -> list[Proof]:
    """Every lesson of the graph's scenario, proven or refuted. The graph must be complete."""
    if not graph.complete:
        raise ValueError("lessons are proven over the complete state graph")
    prover = _Prover(graph)
    proofs = []
    for n, lesson in enumerate(prover.scn.lessons):
        evidence: list[str] = []
        failures: list[tuple[tuple, str, dict]] = []
        if lesson.every_ending is not None:
            ok, line, ex = prover.every_ending(lesson)
            evidence.append(line)
            if not ok:
                failures.append((("lessons", n, "every_ending"), line, ex))
        for c, claim in enumerate(lesson.chances):
            ok, line, ex = prover.claim(claim)
            evidence.append(line)
            if not ok:
                failures.append((("lessons", n, "chances", c), line, ex))
        proofs.append(Proof(lesson, not failures, tuple(evidence), tuple(failures)))
    return proofs


def probability(graph: Graph, of: Condition, under: str = "random",
                given: Condition | None = None) -> float | None:
    """The chance that a game ends in a state where ``of`` holds (a lesson condition), playing
    by ``under`` (vocabulary.POLICIES), among endings where ``given`` holds."""
    return _Prover(graph).chance(of, under, given)


def _premise(cond: Condition) -> Condition | None:
    """What an ``every_ending`` written as an implication is about: P of `not P or Q` (the
    disjuncts in any order; several negated ones are all required). None when the condition
    is not of that shape. `not grade.success or track1 >= 1` is about successes: an ending
    that is no success satisfies it without showing anything."""
    disjuncts, stack = [], [cond.tree]
    while stack:
        node = stack.pop()
        if node[0] == "or":
            stack += [node[2], node[1]]
        else:
            disjuncts.append(node)
    negated = [d[1] for d in disjuncts if d[0] == "not"]
    if not negated or len(negated) == len(disjuncts):
        return None
    tree = negated[0]
    for other in negated[1:]:
        tree = ("and", tree, other, 0)
    # its own text says what it is (columns in the tree still point into the lesson's text)
    return Condition(f"the premise of `{cond.text}`", tree)


def illustrated(scenario: Scenario, final: GameState) -> list[tuple[Lesson, bool]]:
    """Each lesson with whether a game that ended in ``final`` illustrates it: its
    ``shown_when`` holds there and, for a lesson whose ``every_ending`` is an implication
    (`not P or Q`), so does P. "Every success uses all three tracks" is not illustrated by a
    failure that happened to use them. A lesson without ``shown_when`` is never marked."""
    ns = lesson_namespace(scenario)
    out = []
    for lesson in scenario.lessons:
        shown = lesson.shown_when is not None and bool(
            compile_condition(lesson.shown_when, ns)(final))
        about = _premise(lesson.every_ending) if lesson.every_ending is not None else None
        if shown and about is not None:
            shown = bool(compile_condition(about, ns)(final))
        out.append((lesson, shown))
    return out


__all__ = ["Proof", "describe_counterexample", "illustrated", "probability", "prove"]
