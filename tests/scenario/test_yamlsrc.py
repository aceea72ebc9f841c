"""Reading YAML with positions: every value's and every key's line and column, and every
scalar's style, agree with what PyYAML's own composer says about the same text."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scenario import yamlsrc

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-999, 999), _TEXT,
                     st.sampled_from(["1.5", "yes", "~", "2025-01-01", "a: b", "- x", "#"]))
_KEYS = st.text("abcdefgh-_ 123", min_size=1, max_size=6)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=30,
)


def _node_paths(node: yaml.Node, path: tuple = ()):
    """(path, value node, key node or None) for every node under ``node``."""
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            key = yaml.safe_load(yaml.serialize(knode))
            yield (*path, str(key)), vnode, knode
            yield from _node_paths(vnode, (*path, str(key)))
    elif isinstance(node, yaml.SequenceNode):
        for i, vnode in enumerate(node.value):
            yield (*path, i), vnode, None
            yield from _node_paths(vnode, (*path, i))


@settings(max_examples=150, deadline=None)
@given(data=_DATA, flow=st.sampled_from([False, True, None]))
def test_positions_and_styles_agree_with_pyyaml(data, flow):
    text = yaml.safe_dump({"root": data}, default_flow_style=flow, allow_unicode=True)
    doc = yamlsrc.parse(text)
    assert doc.data == yaml.safe_load(text)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    for path, vnode, knode in _node_paths(root):
        at = doc.pos(path)
        assert (at.line, at.col) == (vnode.start_mark.line + 1, vnode.start_mark.column + 1)
        assert doc.has(path)
        if knode is not None:
            k = doc.pos(path, key=True)
            assert (k.line, k.col) == (knode.start_mark.line + 1, knode.start_mark.column + 1)
        style = vnode.style if isinstance(vnode, yaml.ScalarNode) else None
        assert doc.style(path) == (style or "")


def test_a_path_the_file_does_not_have_falls_back_to_its_nearest_ancestor():
    doc = yamlsrc.parse("a:\n  b: [1, 2]\n  c: x\n")
    assert not doc.has(("a", "b", 5))
    assert doc.pos(("a", "b", 5)) == doc.pos(("a", "b")) == yamlsrc.Pos(2, 6)
    assert doc.pos(("a", "zz", "y")) == doc.pos(("a",)) == yamlsrc.Pos(2, 3)
    assert doc.pos(("a", "c"), key=True) == yamlsrc.Pos(3, 3)


def test_a_key_added_to_the_data_after_reading_has_no_position_of_its_own():
    doc = yamlsrc.parse("sources:\n  - id: x\n    note: y\n")
    doc.data["sources"][0]["title"] = "from the bibliography"
    assert not doc.has(("sources", 0, "title"))
    assert doc.pos(("sources", 0, "title")) == doc.pos(("sources", 0)) == yamlsrc.Pos(2, 5)
    assert doc.pos(("sources", 0, "note"), key=True) == yamlsrc.Pos(3, 5)


def test_a_duplicate_key_names_the_line_of_the_first():
    try:
        yamlsrc.parse("a: 1\nb:\n  c: 2\n  d: 3\n  c: 4\n")
    except yamlsrc.YamlProblem as exc:
        assert "duplicate key 'c' (first at line 3)" in str(exc)
        assert exc.pos == yamlsrc.Pos(5, 3)
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("a duplicate key was accepted")


def test_a_control_character_is_the_problem_named_even_after_other_mistakes():
    for text, at in [("a: x\x07y\n", (1, 5)), ("a: 1\na: 2\nb: '\x01'\n", (3, 5)),
                     ("a: [1\nb: é\x1b\n", (2, 5))]:
        try:
            yamlsrc.parse(text)
        except yamlsrc.YamlProblem as exc:
            assert "control character U+00" in str(exc) and "remove it" in str(exc)
            assert (exc.pos.line, exc.pos.col) == at
        else:  # pragma: no cover - the assertion is the test
            raise AssertionError(f"{text!r} was accepted")


def test_the_node_limit_speaks_of_an_alias_bomb_only_when_aliases_were_expanded(monkeypatch):
    monkeypatch.setattr(yamlsrc, "MAX_NODES", 50)
    for text, bomb in [("".join(f"- {i}\n" for i in range(60)), False),
                       ("a: &a [x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a]\n", True)]:
        try:
            yamlsrc.parse(text)
        except yamlsrc.YamlProblem as exc:
            assert "more than 50 YAML nodes" in str(exc)
            assert ("alias bomb" in str(exc)) == bomb, str(exc)
        else:  # pragma: no cover - the assertion is the test
            raise AssertionError("the limit was not applied")
