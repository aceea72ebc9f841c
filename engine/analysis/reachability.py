"""Which parts of a scenario no play reaches: computed once, used by `check`, `explore` and
`graph`.

``Reached`` is what some play was seen to reach (every play, for a complete state graph; the
sampled playthroughs, for an estimate); ``unreachable(scenario, reached)`` names the rounds,
options, events and endings outside it, in file order. An option of a round that is never
played is unreachable too.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from engine.analysis.statespace import Graph
from engine.scenario.model import Scenario


@attrs.frozen
class Reached:
    rounds: frozenset[int]  # round numbers (1-based) played in some game
    options: frozenset[str]  # option ids offered in some state
    events: frozenset[str]
    endings: frozenset[str]

    @classmethod
    def of_graph(cls, graph: Graph) -> Reached:
        """What the states of ``graph`` reach (everything, when ``graph.complete``)."""
        rounds: set[int] = set()
        options: set[str] = set()
        events: set[str] = set()
        endings: set[str] = set()
        for node in graph.nodes.values():
            st = node.state
            if st.over:
                if st.ending_id:
                    endings.add(st.ending_id)
            else:
                rounds.add(st.round_no)
            for oid, _, _ in node.edges:
                options.add(oid)
            events.update(st.fired)
        return cls(frozenset(rounds), frozenset(options), frozenset(events), frozenset(endings))


@attrs.frozen
class Unreachable:
    """Ids, in file order, of the parts no play reaches."""

    rounds: tuple[str, ...]
    options: tuple[str, ...]
    events: tuple[str, ...]
    endings: tuple[str, ...]

    def ids(self) -> set[str]:
        return {*self.rounds, *self.options, *self.events, *self.endings}

    def as_dict(self) -> dict[str, list[str]]:
        return {"rounds": list(self.rounds), "options": list(self.options),
                "events": list(self.events), "endings": list(self.endings)}

    def __bool__(self) -> bool:
        return bool(self.rounds or self.options or self.events or self.endings)


def unreachable(scn: Scenario, reached: Reached) -> Unreachable:
    def missing(ids: Iterable[str], seen: frozenset[str]) -> tuple[str, ...]:
        return tuple(i for i in ids if i not in seen)

    return Unreachable(
        tuple(r.id for k, r in enumerate(scn.rounds, 1) if k not in reached.rounds),
        missing((o.id for r in scn.rounds for o in r.options), reached.options),
        missing((e.id for e in scn.events), reached.events),
        missing((e.id for e in scn.endings), reached.endings),
    )
