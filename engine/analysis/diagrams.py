"""A scenario's structure as a graph to draw: rounds, options (labelled by track), events,
endings. Data only: ``engine.present.diagram_text`` writes it as Mermaid or Graphviz dot.

``structure(scenario, unreachable)`` gives the nodes, edges and groups:

* ``Start`` leads to round 1; every round leads to its options (the edge names the option's
  ``requires``), and every option leads on to the next round, or to "After the last round";
* a round with a ``when`` has a dashed "skipped unless ..." edge to the round after it;
* an event with a ``round`` points (dashed) at the round it fires before; events without one
  hang off "Start of any round";
* early endings hang off "Checked at every round start", final endings off "After the last
  round", each edge labelled with the ending's ``when`` ("otherwise" for the fallback).

``unreachable`` (ids from ``backchannel explore``) greys out the pieces no play can reach.
"""

from __future__ import annotations

from collections.abc import Collection

import attrs

from engine.scenario.model import Scenario

_TRACK_CLASS = {"1": "t1", "1.5": "t15", "2": "t2"}


@attrs.frozen
class Node:
    nid: str  # positional (r1, r1o2, e1, x1): scenario ids never clash with a language's syntax
    label: str  # may hold line breaks
    shape: str  # 'box' | 'round' | 'circle' | 'hexagon' | 'stadium'
    cls: str  # 'round', 't1', 't15', 't2', 'event', 'ending', 'marker' or 'unreachable'


@attrs.frozen
class Diagram:
    scenario_id: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str, str, bool], ...]  # (from, to, label, dashed)
    groups: tuple[tuple[str, str, tuple[str, ...]], ...]  # (group id, title, node ids): rounds


def structure(scn: Scenario, unreachable: Collection[str] = ()) -> Diagram:
    """Nodes, edges and groups, independent of the output format; the parts named in
    ``unreachable`` get the class 'unreachable'."""
    nodes: list[Node] = []
    edges: list[tuple[str, str, str, bool]] = []
    groups: list[tuple[str, str, tuple[str, ...]]] = []
    off = set(unreachable)

    def cls(kind: str, ident: str) -> str:
        return "unreachable" if ident in off else kind

    nodes.append(Node("start", "Start", "circle", "marker"))
    n = len(scn.rounds)
    for i, rnd in enumerate(scn.rounds, 1):
        rid = f"r{i}"
        when = f"\nif {rnd.when}" if rnd.when is not None else ""
        nodes.append(Node(rid, f"Round {i}: {rnd.title}{when}", "box", cls("round", rnd.id)))
        members = [rid]
        for j, opt in enumerate(rnd.options, 1):
            oid = f"{rid}o{j}"
            t = opt.track.value
            nodes.append(Node(oid, f"T{t} · {opt.title}\n({opt.id})", "round",
                               cls(_TRACK_CLASS[t], opt.id)))
            members.append(oid)
            edges.append((rid, oid, f"requires {opt.requires}" if opt.requires else "", False))
            edges.append((oid, f"r{i + 1}" if i < n else "final", "", False))
        groups.append((f"g{i}", f"Round {i} · {rnd.id}", tuple(members)))
        if rnd.when is not None:
            edges.append((rid, f"r{i + 1}" if i < n else "final", f"skipped unless {rnd.when}",
                          True))
    edges.insert(0, ("start", "r1" if n else "final", "", False))
    nodes.append(Node("final", "After the last round", "box", "marker"))
    if any(e.early for e in scn.endings):
        nodes.append(Node("early", "Checked at every round start", "box", "marker"))
    if any(ev.round is None for ev in scn.events):
        nodes.append(Node("anyround", "Start of any round", "box", "marker"))
    for k, ev in enumerate(scn.events, 1):
        xid = f"x{k}"
        nodes.append(Node(xid, f"Event: {ev.title}\n({ev.id})", "hexagon", cls("event", ev.id)))
        label = f"when {ev.when}" if ev.when is not None else ""
        if not ev.once:
            label = f"{label}, repeats" if label else "repeats"
        if ev.round is not None:
            edges.append((xid, f"r{ev.round}", label, True))
        else:
            edges.append(("anyround", xid, label, True))
    for k, end in enumerate(scn.endings, 1):
        eid = f"e{k}"
        nodes.append(Node(eid, f"Ending: {end.title}\n({end.id})", "stadium",
                           cls("ending", end.id)))
        label = str(end.when) if end.when is not None else "otherwise"
        edges.append(("early" if end.early else "final", eid, label, end.early))
    return Diagram(scn.id, scn.title, tuple(nodes), tuple(edges), tuple(groups))
