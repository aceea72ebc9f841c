"""`backchannel check`: a file's structural and semantic problems (engine.scenario.loader),
plus what only playing it out can show: parts that can never be reached and dead ends."""

from __future__ import annotations

import os

from engine.analysis.limits import CHECK_MAX_STATES, surely_more_states
from engine.gcpause import no_gc
from engine.scenario.loader import Loaded, Located, ScenarioError, load_file, remember
from engine.scenario.model import Scenario
from engine.scenario.vocabulary import Track

# CHECK_MAX_STATES (engine.analysis.limits): states the checker explores to prove reachability
# and find dead ends. The bundled scenarios need about 4,300; past it `check` says so and
# `backchannel explore` takes over.


def check_file(path: str | os.PathLike, raw: bytes | None = None) -> Loaded:
    """Everything `backchannel check` reports for one file (``raw``: its bytes, when the
    caller has read them); never raises for bad input."""
    with no_gc():
        loaded = load_file(path, raw)
        if loaded.scenario is None or loaded.located is None:
            return loaded
        _check_reachability(loaded.scenario, loaded.located)
        return loaded.with_problems(loaded.located.problems)


def playable(path: str | os.PathLike) -> Scenario:
    """The scenario in ``path`` for a new game, checked as `backchannel check` checks it:
    nobody plays what the checker rejects (e.g. a reachable dead end). Raises
    ``ScenarioError`` with every problem (file:line:col) when it has an error; line mode and
    the app both open scenarios through here. A file that passed before, byte for byte and
    with the same engine, is taken from its compiled copy (engine.scenario.compiled)."""
    from engine.scenario import compiled  # `check` needs none of it (nor hashlib, pathlib)

    raw = compiled.read_bytes(path)
    digest = None if raw is None else compiled.content_digest(raw)
    if digest is not None:
        known = compiled.get(digest, checked=True)
        if known is not None:
            remember(path, known, digest)
            return known
    loaded = check_file(path, raw)  # the bytes hashed above, not a second read
    digest = digest or loaded.digest
    if loaded.errors or loaded.scenario is None or digest is None:
        raise ScenarioError(list(loaded.problems))
    compiled.put(digest, loaded.scenario, checked=True)
    remember(path, loaded.scenario, digest)  # the game that follows loads no more
    return loaded.scenario


def _check_reachability(scn: Scenario, loc: Located) -> None:
    # When the walk would surely stop at its bound, do not spend it (0.1-0.2 s for 10,000
    # states): the finding is the same. Seen on the model first, so that a story far too
    # large to walk is not even compiled into a game (its rules, ~10 ms, are not imported).
    graph = None
    if not surely_too_many_states(scn, CHECK_MAX_STATES):
        from engine.analysis.statespace import build_graph, surely_more_states_than
        from engine.play.rules import Game

        game = Game(scn)
        if not surely_more_states_than(game, CHECK_MAX_STATES):
            graph = build_graph(game, max_states=CHECK_MAX_STATES)
    if graph is None or not graph.complete:
        lessons = f" or its {len(scn.lessons)} lesson(s)" if scn.lessons else ""
        loc.warn((), f"the game has more than {CHECK_MAX_STATES:,} states, so `check` did not "
                     f"prove that every part is reachable or that nothing dead-ends{lessons}; "
                     "run `backchannel explore` (larger bound, then sampling)")
        return
    # Imported here: a story too large to walk (a long generated one) never needs them.
    from engine.analysis.lessons import prove
    from engine.analysis.reachability import Reached, unreachable

    dead = graph.dead_ends()
    if dead:
        s = dead[0]
        if s.round_no > len(scn.rounds):
            where = "after the last round no ending's condition holds"
            path: tuple = ("endings",)
        else:
            where = f"in round {s.round_no} no option's 'requires' holds"
            path = ("rounds", s.round_no - 1, "options")
        values = ", ".join(f"{i.id}={v}" for i, v in zip(scn.indicators, s.values, strict=True))
        loc.error(path, f"dead end: {where} (for example with {values}"
                        f"{'; flags ' + ', '.join(sorted(s.flags)) if s.flags else ''}); "
                        f"add an option or a fallback ending ({len(dead)} such state(s))")
    for proof in prove(graph):
        for path, reason, _ in proof.failures:
            loc.error(path, f"lesson '{proof.lesson.id}' does not hold: {reason}")
    gone = unreachable(scn, Reached.of_graph(graph))
    skipped = set(gone.rounds)
    never = set(gone.options)
    for r, rnd in enumerate(scn.rounds):
        if rnd.id in skipped:
            loc.warn(("rounds", r, "id"), f"round '{rnd.id}' can never be played")
            continue
        for o, opt in enumerate(rnd.options):
            if opt.id in never:
                loc.warn(("rounds", r, "options", o, "id"),
                         f"option '{opt.id}' is never offered (its 'requires' never holds)")
    for e, ev in enumerate(scn.events):
        if ev.id in gone.events:
            loc.warn(("events", e, "id"), f"event '{ev.id}' can never fire")
    for e, end in enumerate(scn.endings):
        if end.id in gone.endings:
            loc.warn(("endings", e, "id"), f"ending '{end.id}' can never be reached")


_STEP = {Track.T1: 0, Track.T1_5: 1, Track.T2: 2}  # engine.play.rules' track index


def surely_too_many_states(scn: Scenario, bound: int) -> bool:
    """``statespace.surely_more_states_than(Game(scn), bound)``, read off the model (the same
    count, limits.surely_more_states) without compiling the game."""
    if any(e.early for e in scn.endings):
        return False
    return surely_more_states(
        ((rnd.when is not None, {_STEP[o.track] for o in rnd.options if o.requires is None})
         for rnd in scn.rounds), len(scn.rounds), bound)
