"""`backchannel graph`: Mermaid and Graphviz pictures of a scenario's structure."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel_cli import main as cli
from engine.analysis.diagrams import structure
from engine.present.diagram_text import render, to_dot, to_mermaid
from engine.scenario.loader import load_file
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures" / "explore"
FILES = [ROOT / "docs" / "example-scenario.yaml", *sorted(FIX.glob("*.yaml")),
         *sorted((ROOT / "scenarios").glob("*.yaml"))]


def load(path: Path):
    loaded = load_file(path)
    if loaded.scenario is None:
        pytest.skip(f"{path.name} has errors (a scenario being written?)")
    return loaded.scenario


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_round_option_event_and_ending_is_drawn(path, fmt):
    scn = load(path)
    text = render(structure(scn), fmt)
    for i, rnd in enumerate(scn.rounds, 1):
        assert f"Round {i}" in text and f"Round {i} · {rnd.id}" in text
        for opt in rnd.options:
            assert f"({opt.id})" in text
            assert f"T{opt.track.value} · " in text
    for ev in scn.events:
        assert f"({ev.id})" in text
    for end in scn.endings:
        assert f"({end.id})" in text


def test_mermaid_shape_of_the_example():
    scn = load(ROOT / "docs" / "example-scenario.yaml")
    text = to_mermaid(structure(scn))
    assert text.startswith("flowchart TD\n")
    lines = text.splitlines()
    assert '    r1o1("T1 · Call an emergency ministerial meeting<br/>(ministerial-summit)"):::t1' \
        in lines
    assert '  r2 -->|"requires trust #gt;= 5"| r2o1' in lines
    assert "  r1o3 --> r2" in lines and "  r2o3 --> final" in lines
    assert '  x1 -.-> r2' in lines  # dry-spell fires before round 2
    assert '  anyround -.->|"when friction #gt;= 8"| x2' in lines
    assert '  early -.->|"friction #gt;= 8"| e1' in lines
    assert '  final -->|"otherwise"| e3' in lines
    assert text.count("subgraph ") == len(scn.rounds)
    assert text.count("  end\n") == len(scn.rounds)


def test_dot_shape_of_the_example():
    scn = load(ROOT / "docs" / "example-scenario.yaml")
    text = to_dot(structure(scn))
    assert text.startswith('digraph "haze-season" {')
    assert text.rstrip().endswith("}")
    assert "subgraph cluster_g1 {" in text
    assert 'r2 -> r2o1 [label="requires trust >= 5"];' in text
    assert 'early -> e1 [label="friction >= 8", style=dashed];' in text


def test_unreachable_pieces_are_greyed():
    scn = load(FIX / "hand.yaml")
    text = to_mermaid(structure(scn, {"r3", "q1", "p2x", "never-ev", "crisis"}))
    assert re.search(r"r3\[.*\]:::unreachable", text)
    assert re.search(r"r3o1\(.*\):::unreachable", text)
    assert re.search(r"r2o3\(.*\):::unreachable", text)
    assert re.search(r"e1\(\[.*\]\):::unreachable", text)
    assert re.search(r"r2o1\(.*\):::t1", text)


def test_round_when_draws_a_skip_edge():
    scn = load(FIX / "hand.yaml")
    text = to_mermaid(structure(scn))
    assert '  r3 -.->|"skipped unless risk #gt;= 9"| final' in text
    assert "Round 3: Never played<br/>if risk #gt;= 9" in text


@functools.cache
def _example():
    return load(ROOT / "docs" / "example-scenario.yaml")


@settings(max_examples=50, deadline=None)
@given(title=st.text(min_size=1, max_size=40))
def test_labels_are_escaped(title):
    import attrs

    scn = _example()  # loaded once: the property is about the title, not the file
    rnd = attrs.evolve(scn.rounds[0], title=title)
    scn = attrs.evolve(scn, rounds=(rnd, *scn.rounds[1:]), title=title)
    mm = to_mermaid(structure(scn))
    line = next(x for x in mm.splitlines() if x.strip().startswith("r1["))
    inner = line.split('["', 1)[1].rsplit('"]', 1)[0]
    assert '"' not in inner and "\n" not in inner and "<" not in inner.replace("<br/>", "")
    dot = to_dot(structure(scn))
    line = next(x for x in dot.splitlines() if x.strip().startswith("r1 ["))
    label = line.split('label="', 1)[1].split('", shape=', 1)[0]
    assert re.fullmatch(r'(?:[^"\\\n]|\\.)*', label)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_graphviz_accepts_the_dot(path):
    out = subprocess.run(["dot", "-Tsvg"], input=to_dot(structure(load(path))), capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_cli_graph(tmp_path, capsys):
    assert cli.main(["graph", str(FIX / "hand.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD")
    assert ":::unreachable" in out  # reachability is marked from exploration
    target = tmp_path / "g.dot"
    assert cli.main(["graph", str(FIX / "hand.yaml"), "--format", "dot", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith('digraph "hand"')


def test_cli_graph_errors(write, capsys):
    bad = write("format: 1\nid: x\n", "bad.yaml")
    assert cli.main(["graph", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:1:1: error: missing required key" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["graph", str(FIX / "hand.yaml"), "--format", "png"])
    assert exc.value.code == 2
