"""Exact exploration of a scenario's reachable states.

Effects are data, so the game's state graph can be walked exactly: every offered option,
every chance outcome (with its probability), memoised on the full game state (round, indicator
values, flags, track counts, pending delayed effects, events fired). Every transition moves
``round_no`` forward, so the graph is a DAG ordered by round, and probabilities under any
playing policy follow from one forward pass.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import attrs

from engine.analysis.limits import DEFAULT_MAX_STATES, surely_more_states
from engine.gcpause import no_gc
from engine.play.rules import Game, GameState
from engine.scenario.vocabulary import Track


@attrs.define
class Node:
    state: GameState
    # (option id, probability of this chance branch, child key); empty for a final state
    edges: list[tuple[str, float, tuple]] = attrs.Factory(list)


@attrs.define
class Graph:
    game: Game
    root: tuple
    start: list[tuple[float, tuple]]  # the chance branches of the start of the game
    nodes: dict[tuple, Node]
    complete: bool

    @property
    def finals(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.state.over]

    def endings_reached(self) -> set[str]:
        return {n.state.ending_id for n in self.finals if n.state.ending_id}

    def dead_ends(self) -> list[GameState]:
        return [n.state for n in self.finals if n.state.dead_end]


Policy = Callable[[Game, GameState, list[str]], dict[str, float]]


def uniform(game: Game, state: GameState, offered: list[str]) -> dict[str, float]:
    w = 1.0 / len(offered)
    return dict.fromkeys(offered, w)


def prefer_track(track: Track) -> Policy:
    """Always pick an option of ``track`` where one is offered (uniformly among them);
    elsewhere, any offered option uniformly."""

    def policy(game: Game, state: GameState, offered: list[str]) -> dict[str, float]:
        mine = [o for o in offered if game.options[o].option.track is track]
        pool = mine or offered
        return dict.fromkeys(pool, 1.0 / len(pool))

    return policy


def surely_more_states_than(game: Game, bound: int) -> bool:
    """True when ``game`` certainly has more than ``bound`` reachable states, known without
    walking them (False means "not known", not "fewer"); see limits.surely_more_states."""
    if game.early:
        return False
    return surely_more_states(
        ((cr.when is not None, {co.track for co in cr.options if co.requires is None})
         for cr in game.rounds), len(game.rounds), bound)


def build_graph(game: Game, max_states: int = DEFAULT_MAX_STATES,
                progress: Callable[[int], Any] | None = None) -> Graph:
    """Walk every reachable state (up to ``max_states``; ``complete`` says if it got there)."""
    settle = gc.isenabled()  # else the caller manages the collector: leave it as it is
    with no_gc():
        graph = _build_graph(game, max_states, progress)
        if settle:
            _to_oldest_generation()
    return graph


def _to_oldest_generation() -> None:
    """Hand what the walk allocated straight to the collector's oldest generation.

    The graph is one big acyclic structure that lives as long as its caller needs it. Left
    young, the first collection after the pause examines every object of it (~90 ns each, a
    tenth of the walk's time on the bundled scenarios) and the next generation's examines
    them again; in the oldest generation only a full collection looks at them, as it would
    anyway. ``gc.freeze`` then ``gc.unfreeze`` moves every tracked object there in constant
    time, and nothing stays frozen: garbage cycles are still collected, by the next full
    collection. Called while the collector is paused (``no_gc``); in a batch process that
    freezes what survives each pause (``engine.gcpause.freeze_survivors``) the pause's end
    freezes everything again, as it would have."""
    gc.freeze()
    gc.unfreeze()


def _build_graph(game: Game, max_states: int,
                 progress: Callable[[int], Any] | None) -> Graph:
    nodes: dict[tuple, Node] = {}
    start = []
    todo: list[Node] = []
    for p, k, s in game.branch_keys(None, None, nodes):
        start.append((p, k))
        if k not in nodes and s is not None:
            nodes[k] = Node(s)
            todo.append(nodes[k])
    complete = True
    expanded = 0
    expand = game.expand
    setdefault = nodes.setdefault
    while todo:
        node = todo.pop()
        state = node.state
        if state.over:
            continue
        expanded += 1
        edges = node.edges
        for oid, p, ck, child in expand(state, nodes):
            edges.append((oid, p, ck))
            if child is not None:  # not known when expand looked (an option before may add it)
                if len(nodes) >= max_states:
                    if ck not in nodes:
                        complete = False
                    continue
                new = Node(child, [])
                # one hash of the key, not two; a final state has nothing to expand
                if setdefault(ck, new) is new and not child.over:
                    todo.append(new)
        if progress is not None and expanded % 1024 == 0:
            progress(len(nodes))
    root = start[0][1] if start else ()
    return Graph(game, root, start, nodes, complete)


def reach(graph: Graph, policy: Policy = uniform,
          order: list[tuple] | None = None) -> dict[tuple, float]:
    """The probability of passing through each state when playing by ``policy``.

    ``order`` (from ``round_order``) saves re-sorting when several policies are evaluated."""
    prob: dict[tuple, float] = {}
    for p, k in graph.start:
        prob[k] = prob.get(k, 0.0) + p
    if order is None:
        order = round_order(graph)
    game = graph.game
    for k in order:
        pk = prob.get(k, 0.0)
        node = graph.nodes[k]
        if pk == 0.0 or not node.edges:
            continue
        offered = list(dict.fromkeys(oid for oid, _, _ in node.edges))
        weights = policy(game, node.state, offered)
        for oid, p, ck in node.edges:
            w = weights.get(oid, 0.0)
            if w and ck in graph.nodes:
                prob[ck] = prob.get(ck, 0.0) + pk * w * p
    return prob


def round_order(graph: Graph) -> list[tuple]:
    """State keys sorted by round: every edge goes from an earlier key to a later one."""
    return sorted(graph.nodes, key=lambda k: graph.nodes[k].state.round_no)
