"""A scenario diagram (``engine.analysis.diagrams.structure``) as text.

``to_mermaid`` gives a Mermaid flowchart (renders on GitHub, GitLab and in many Markdown
previewers inside a ```mermaid fence); ``to_dot`` gives Graphviz dot (``dot -Tsvg``). Both draw
the same nodes and edges; unreachable parts are grey and dashed.
"""

from __future__ import annotations

from engine.analysis.diagrams import Diagram, Node

FORMATS = ("mermaid", "dot")


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


def to_mermaid(d: Diagram) -> str:
    nodes, edges, groups = d.nodes, d.edges, d.groups
    lines = ["flowchart TD", f"  %% {d.scenario_id}: {d.title}".replace("\n", " ")]
    grouped = {m for _, _, ms in groups for m in ms}
    by_id = {nd.nid: nd for nd in nodes}

    def node_line(nd: Node, indent: str) -> str:
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


def to_dot(d: Diagram) -> str:
    nodes, edges, groups = d.nodes, d.edges, d.groups
    lines = [f'digraph "{_dot_text(d.scenario_id)}" {{',
             f'  label="{_dot_text(d.title)}"; labelloc=t; rankdir=TB;',
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    grouped = {m for _, _, ms in groups for m in ms}
    by_id = {nd.nid: nd for nd in nodes}

    def node_line(nd: Node, indent: str) -> str:
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


def render(d: Diagram, fmt: str = "mermaid") -> str:
    if fmt == "mermaid":
        return to_mermaid(d)
    if fmt == "dot":
        return to_dot(d)
    raise ValueError(f"unknown graph format {fmt!r}; choose one of {', '.join(FORMATS)}")
