"""A picture of a scenario's structure: rounds, options (labelled by track), events, endings.

``to_mermaid(scenario)`` gives a Mermaid flowchart (renders on GitHub, GitLab and in many
Markdown previewers inside a ```mermaid fence); ``to_dot(scenario)`` gives Graphviz dot
(``dot -Tsvg``). Both draw the same graph:

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

from engine.scenario.model import Scenario

FORMATS = ("mermaid", "dot")
_TRACK_CLASS = {"1": "t1", "1.5": "t15", "2": "t2"}


class _Node:
    def __init__(self, nid: str, label: str, shape: str, cls: str) -> None:
        self.nid, self.label, self.shape, self.cls = nid, label, shape, cls


def _structure(scn: Scenario, unreachable: Collection[str]):
    """Nodes and edges, independent of the output format.

    Node ids are positional (r1, r1o2, e1, x1) so scenario ids never clash with either
    language's keywords or syntax."""
    nodes: list[_Node] = []
    edges: list[tuple[str, str, str, bool]] = []  # (from, to, label, dashed)
    groups: list[tuple[str, str, list[str]]] = []  # (group id, title, node ids)
    off = set(unreachable)

    def cls(kind: str, ident: str) -> str:
        return "unreachable" if ident in off else kind

    nodes.append(_Node("start", "Start", "circle", "marker"))
    n = len(scn.rounds)
    for i, rnd in enumerate(scn.rounds, 1):
        rid = f"r{i}"
        when = f"\nif {rnd.when}" if rnd.when is not None else ""
        nodes.append(_Node(rid, f"Round {i}: {rnd.title}{when}", "box", cls("round", rnd.id)))
        members = [rid]
        for j, opt in enumerate(rnd.options, 1):
            oid = f"{rid}o{j}"
            t = opt.track.value
            nodes.append(_Node(oid, f"T{t} · {opt.title}\n({opt.id})", "round",
                               cls(_TRACK_CLASS[t], opt.id)))
            members.append(oid)
            edges.append((rid, oid, f"requires {opt.requires}" if opt.requires else "", False))
            edges.append((oid, f"r{i + 1}" if i < n else "final", "", False))
        groups.append((f"g{i}", f"Round {i} · {rnd.id}", members))
        if rnd.when is not None:
            edges.append((rid, f"r{i + 1}" if i < n else "final", f"skipped unless {rnd.when}",
                          True))
    edges.insert(0, ("start", "r1" if n else "final", "", False))
    nodes.append(_Node("final", "After the last round", "box", "marker"))
    if any(e.early for e in scn.endings):
        nodes.append(_Node("early", "Checked at every round start", "box", "marker"))
    if any(ev.round is None for ev in scn.events):
        nodes.append(_Node("anyround", "Start of any round", "box", "marker"))
    for k, ev in enumerate(scn.events, 1):
        xid = f"x{k}"
        nodes.append(_Node(xid, f"Event: {ev.title}\n({ev.id})", "hexagon", cls("event", ev.id)))
        label = f"when {ev.when}" if ev.when is not None else ""
        if not ev.once:
            label = f"{label}, repeats" if label else "repeats"
        if ev.round is not None:
            edges.append((xid, f"r{ev.round}", label, True))
        else:
            edges.append(("anyround", xid, label, True))
    for k, end in enumerate(scn.endings, 1):
        eid = f"e{k}"
        nodes.append(_Node(eid, f"Ending: {end.title}\n({end.id})", "stadium",
                           cls("ending", end.id)))
        label = str(end.when) if end.when is not None else "otherwise"
        edges.append(("early" if end.early else "final", eid, label, end.early))
    return nodes, edges, groups


# --------------------------------------------------------------------------- Mermaid


def _mm_text(text: str) -> str:
    """Text for a quoted Mermaid label: quotes and markup characters as entity codes."""
    out = (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
           .replace(">", "#gt;"))
    return out.replace("\n", "<br/>")


_MM_SHAPES = {
    "box": ('["', '"]'),
    "round": ('("', '")'),
    "circle": ('(("', '"))'),
    "hexagon": ('{{"', '"}}'),
    "stadium": ('(["', '"])'),
}

_MM_STYLES = {
    "round": "fill:#eef2f7,stroke:#3b4b63,color:#111",
    "t1": "fill:#dbe8fb,stroke:#1f5fbf,color:#111",
    "t15": "fill:#e6f4dd,stroke:#3c8a2e,color:#111",
    "t2": "fill:#fdf0d5,stroke:#b7791f,color:#111",
    "event": "fill:#f7e1f0,stroke:#9b2c74,color:#111",
    "ending": "fill:#eaeaea,stroke:#333,color:#111",
    "marker": "fill:#fff,stroke:#777,color:#333",
    "unreachable": "fill:#fff,stroke:#bbb,color:#999,stroke-dasharray:4 3",
}


def to_mermaid(scn: Scenario, unreachable: Collection[str] = ()) -> str:
    nodes, edges, groups = _structure(scn, unreachable)
    lines = ["flowchart TD", f"  %% {scn.id}: {scn.title}".replace("\n", " ")]
    grouped = {m for _, _, ms in groups for m in ms}
    by_id = {nd.nid: nd for nd in nodes}

    def node_line(nd: _Node, indent: str) -> str:
        a, b = _MM_SHAPES[nd.shape]
        return f"{indent}{nd.nid}{a}{_mm_text(nd.label)}{b}:::{nd.cls}"

    for nd in nodes:
        if nd.nid not in grouped:
            lines.append(node_line(nd, "  "))
    for gid, title, members in groups:
        lines.append(f'  subgraph {gid}["{_mm_text(title)}"]')
        for m in members:
            lines.append(node_line(by_id[m], "    "))
        lines.append("  end")
    for a, b, label, dashed in edges:
        arrow = "-.->" if dashed else "-->"
        if label:
            lines.append(f'  {a} {arrow}|"{_mm_text(label)}"| {b}')
        else:
            lines.append(f"  {a} {arrow} {b}")
    for name, style in _MM_STYLES.items():
        lines.append(f"  classDef {name} {style}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Graphviz


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_DOT_SHAPES = {"box": "box", "round": "box", "circle": "circle", "hexagon": "hexagon",
               "stadium": "box"}
_DOT_STYLES = {
    "round": 'style="filled", fillcolor="#eef2f7"',
    "t1": 'style="rounded,filled", fillcolor="#dbe8fb", color="#1f5fbf"',
    "t15": 'style="rounded,filled", fillcolor="#e6f4dd", color="#3c8a2e"',
    "t2": 'style="rounded,filled", fillcolor="#fdf0d5", color="#b7791f"',
    "event": 'style="filled", fillcolor="#f7e1f0", color="#9b2c74"',
    "ending": 'style="rounded,filled,bold", fillcolor="#eaeaea"',
    "marker": 'style="dashed", color="#777777"',
    "unreachable": 'style="dashed", color="#bbbbbb", fontcolor="#999999"',
}


def to_dot(scn: Scenario, unreachable: Collection[str] = ()) -> str:
    nodes, edges, groups = _structure(scn, unreachable)
    lines = [f'digraph "{_dot_text(scn.id)}" {{',
             f'  label="{_dot_text(scn.title)}"; labelloc=t; rankdir=TB;',
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    grouped = {m for _, _, ms in groups for m in ms}
    by_id = {nd.nid: nd for nd in nodes}

    def node_line(nd: _Node, indent: str) -> str:
        return (f'{indent}{nd.nid} [label="{_dot_text(nd.label)}", '
                f'shape={_DOT_SHAPES[nd.shape]}, {_DOT_STYLES[nd.cls]}];')

    for nd in nodes:
        if nd.nid not in grouped:
            lines.append(node_line(nd, "  "))
    for gid, title, members in groups:
        lines.append(f"  subgraph cluster_{gid} {{")
        lines.append(f'    label="{_dot_text(title)}"; style="rounded"; color="#999999";')
        for m in members:
            lines.append(node_line(by_id[m], "    "))
        lines.append("  }")
    for a, b, label, dashed in edges:
        attrs = []
        if label:
            attrs.append(f'label="{_dot_text(label)}"')
        if dashed:
            attrs.append("style=dashed")
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {a} -> {b}{tail};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(scn: Scenario, fmt: str = "mermaid", unreachable: Collection[str] = ()) -> str:
    if fmt == "mermaid":
        return to_mermaid(scn, unreachable)
    if fmt == "dot":
        return to_dot(scn, unreachable)
    raise ValueError(f"unknown graph format {fmt!r}; choose one of {', '.join(FORMATS)}")
