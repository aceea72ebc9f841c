"""The quick block-YAML reader never disagrees with PyYAML: whenever it reads a text at all,
its data (with exact types), every value's and key's position and every scalar's style are
PyYAML's; where PyYAML finds a problem, it gives up, so the problem is worded as before."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scenario import blockyaml, yamlevents, yamlsrc
from engine.scenario.yamlsrc import MAX_DEPTH, MAX_NODES, Document, YamlProblem

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml")) + [ROOT / "bibliography.yaml",
                                                          ROOT / "docs/example-scenario.yaml"]


def _typed(value: object) -> object:
    """``value`` with every scalar's type beside it (1, 1.0 and True are equal in Python)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _paths(data: object, path: tuple = ()):
    yield path
    items = data.items() if isinstance(data, dict) else (
        enumerate(data) if isinstance(data, list) else ())
    for k, v in items:
        yield from _paths(v, (*path, k))


def quick_agrees(text: str) -> bool:
    """True when the quick reader read ``text`` just as PyYAML does, False when it left the
    text to PyYAML; fails the test when it read it otherwise."""
    quick = blockyaml.read(text, MAX_DEPTH, MAX_NODES)
    try:
        slow = yamlevents.parse(text, MAX_DEPTH, MAX_NODES)
    except YamlProblem as exc:
        assert quick is None, f"PyYAML refuses ({exc}) what the quick reader read:\n{text}"
        return False
    if quick is None:
        return False
    doc = Document(*quick)
    assert _typed(doc.data) == _typed(slow.data), text
    for path in _paths(slow.data):
        assert doc.has(path) == slow.has(path), (path, text)
        assert doc.pos(path) == slow.pos(path), (path, text)
        assert doc.pos(path, key=True) == slow.pos(path, key=True), (path, text)
        assert doc.style(path) == slow.style(path), (path, text)
    return True


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_the_bundled_files_are_read_quickly_and_alike(path):
    assert quick_agrees(yamlsrc.read_text(path.read_bytes()))


def test_the_synthetic_benchmark_stories_and_the_starter_are_read_quickly_and_alike():
    from benchmarks.synthetic import scenario_yaml
    from engine.scenario.starter import starter_yaml

    for n in (3, 50):
        assert quick_agrees(scenario_yaml(n))
    assert quick_agrees(starter_yaml("my-scenario"))


# Pieces of lines that scenario files use, and some that they must not, to put together at
# random indentations: most texts made of them are odd or wrong YAML.
_SCALARS = ["x", "two words", "1", "-3", "1.5", "010", "0x1f", "1_000", "1:30", ".5", "1e3",
            "yes", "No", "on", "~", "null", "true", "2025-01-01", "<<", "=", "a#b", "a #b",
            "a: b", "a:", "- x", "-x", "?x", "'q'", "'it''s'", '"dq"', '"a\\"b"', '"a #b"',
            "[a, b]", "[a, [b, 'c']]", "{k: v}", "{k: {j: 1}, m: [2]}", "[]", "{}", "[a,]",
            "{k:v}", "[a", "&anc x", "*anc", "!!str x", "|", ">-", "|-", ">", "|+", ">2",
            "x  ", "é ¶1", "%x", "@x", "`x", ",x", "]", "risk > 3"]
_KEYS = ["id", "a", "b-c", "on", "yes", "null", "k_1", "1", "'q'", "a b"]
_LINE = st.one_of(
    st.tuples(st.just("{k}: {v}"), st.sampled_from(_KEYS), st.sampled_from(_SCALARS)),
    st.tuples(st.just("{k}:"), st.sampled_from(_KEYS), st.just("")),
    st.tuples(st.just("- {v}"), st.just(""), st.sampled_from(_SCALARS)),
    st.tuples(st.just("- {k}: {v}"), st.sampled_from(_KEYS), st.sampled_from(_SCALARS)),
    st.tuples(st.just("-"), st.just(""), st.just("")),
    st.tuples(st.just("{v}"), st.just(""), st.sampled_from(_SCALARS + ["# note", "more text"])),
    st.tuples(st.just("{k}: {v} # c"), st.sampled_from(_KEYS), st.sampled_from(_SCALARS)),
    st.tuples(st.sampled_from(["", "   ", "# c", "---", "..."]), st.just(""), st.just("")),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 0, 2, 2, 4, 4, 6, 1, 3]), _LINE), min_size=1,
                max_size=12))
def test_texts_made_of_scenario_pieces_are_read_alike_or_left_to_pyyaml(lines):
    text = "\n".join(" " * indent + form.format(k=k, v=v) for indent, (form, k, v) in lines)
    quick_agrees(text + "\n")
    quick_agrees(text)


_WORDS = ["alpha", "two words", "risk > 3", "it's", "Trust wins.", "é ¶1", "1", "-3", "1.5",
          "yes", "Off", "~", "null", "2025-01-01", "a#b", "x-y", "a:b", "10:30", "0", "[b]"]
_NAMES = ["id", "title", "when", "r1-t2", "on", "k_1", "x"]


def _scalar(rng: random.Random, indent: int) -> list[str]:
    """A scalar as it may follow 'key: ' or '- ', with any lines it continues on."""
    word = rng.choice(_WORDS)
    form = rng.randrange(8)
    more = " " * (indent + rng.randint(1, 3))
    if form == 0:
        return [f"'{word}'".replace("'s", "''s")]
    if form == 1:
        return [f'"{word}"']
    if form == 2:  # a block scalar
        header = rng.choice(["|", ">", "|-", ">-"])
        body = [more + rng.choice(_WORDS) for _ in range(rng.randint(1, 4))]
        if len(body) > 1 and rng.random() < 0.3:
            body.insert(1, "")
        if header[0] == "|" and rng.random() < 0.3:
            body.append(more + "  indented")
        return [header, *body]
    if form == 3:  # plain, continued
        return [word + " and", *[more + rng.choice(_WORDS[:6]) for _ in range(rng.randint(1, 2))]]
    if form == 4:
        inner = ", ".join(rng.choice(_WORDS[:12]) for _ in range(rng.randint(0, 3)))
        return [f"[{inner}]" if rng.random() < 0.5 else f"{{when: {word}, text: [{inner}]}}"]
    if form == 5:
        return [f"{word} # a comment"]
    return [word]


def _block(rng: random.Random, indent: int, depth: int) -> list[str]:
    """A block mapping or sequence whose lines are indented ``indent``."""
    pad = " " * indent
    lines: list[str] = []
    is_map = rng.random() < 0.6
    names = rng.sample(_NAMES, rng.randint(1, 4)) if is_map else range(rng.randint(1, 4))
    for name in names:
        lead = f"{pad}{name}:" if is_map else f"{pad}-"
        if rng.random() < 0.15:
            lines.append(" " * rng.randint(0, indent + 2) + "# note")
        if rng.random() < 0.1:
            lines.append("")
        nested = depth < 3 and rng.random() < 0.35
        if nested and not is_map and rng.random() < 0.4:  # '- key: value' and its keys below
            inner = _block(rng, indent + 2, depth + 1)
            if inner[0].lstrip()[:1].isalpha():
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
                continue
        if nested:
            step = rng.choice([1, 2, 4]) if not (is_map and rng.random() < 0.3) else 0
            lines.append(lead)
            lines.extend(_block(rng, indent + step, depth + 1))
        elif rng.random() < 0.05:
            lines.append(lead)  # an empty value
        else:
            first, *rest = _scalar(rng, indent)
            lines.append(f"{lead} {first}")
            lines.extend(rest)
    return lines


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False))
def test_texts_in_the_scenario_style_are_read_quickly_and_alike(rng):
    text = "\n".join(_block(rng, 0, 0))
    quick_agrees(text + "\n")
    quick_agrees(text)  # no line break at the end


def test_a_block_scalar_at_the_end_of_a_text_without_a_last_line_break():
    # Found in review: '|' and '>' keep the line break that follows their last line, and
    # here there is none.
    for text in ["k: |\n  x", "k: >\n  a\n  b", "- |\n x", "k:\n- |\n x", "- k: |\n   x",
                 "k: |\n  a\n\n  b", "k: |-\n  x", "k: |\n  x\n  "]:
        quick_agrees(text)
        assert yamlsrc.parse(text).data == yamlevents.parse(text, MAX_DEPTH, MAX_NODES).data


@settings(max_examples=300, deadline=None)
@given(st.text("0123456789+-._:eExXbo~<=nNyYaflsINFA", min_size=1, max_size=8))
def test_scalars_that_may_be_numbers_resolve_as_in_pyyaml(text):
    quick_agrees(f"k: {text}\nl: [{text}, 1]\n{text}: 1\n")


_FLOW_PIECES = ["[", "]", "{", "}", ",", ", ", " ", "a", "two words", "k: ", "on: ", "k:", '"q"',
                "'s''t'", "1", "-2", "1.5", ":", "#", " #", "- ", "-", "~", "é", "a:b"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_FLOW_PIECES), min_size=1, max_size=14))
def test_flow_collections_are_read_alike_or_left_to_pyyaml(pieces):
    flow = "".join(pieces)
    quick_agrees(f"k: [{flow}]\nm: {{k: {flow}}}\n")
    quick_agrees(f"- {flow}\n")


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=14)
_DATA = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-99, 99), st.floats(allow_nan=False,
              allow_infinity=False), _TEXT),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text("abcdef-_ 12", min_size=1, max_size=5), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(data=_DATA, flow=st.sampled_from([False, None]), width=st.sampled_from([12, 80]),
       indent=st.sampled_from([2, 4]))
def test_what_pyyaml_writes_is_read_alike_or_left_to_pyyaml(data, flow, width, indent):
    text = yaml.safe_dump({"root": data}, default_flow_style=flow, allow_unicode=True,
                          width=width, indent=indent)
    quick_agrees(text)


def _items(path: Path) -> list[list[str]]:
    """Each ``- id:`` item of a bundled file (a round, an option, a source, ...), dedented."""
    lines = path.read_text(encoding="utf-8").splitlines()
    items = []
    for i, line in enumerate(lines):
        if line.lstrip().startswith("- id:"):
            indent = len(line) - len(line.lstrip())
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or
                                        len(lines[end]) - len(lines[end].lstrip()) > indent):
                end += 1
            items.append([piece[indent:] for piece in lines[i:min(end, i + 60)]])
    return items


def _damaged(rng: random.Random, item: list[str]) -> str:
    window = list(item)
    for _ in range(rng.randint(1, 2)):
        at = rng.randrange(len(window))
        line = window[at]
        what = rng.randrange(6)
        if what == 0:
            del window[at]
            if not window:
                window.append("")
        elif what == 1:
            window.insert(at, line)
        elif what == 2:
            window[at] = " " * rng.randint(1, 3) + line
        elif what == 3:
            window[at] = line[rng.randint(0, 3):]
        else:
            col = rng.randint(0, len(line))
            piece = rng.choice(["#", " #", ":", ": ", "- ", "'", '"', "[", "]", "{", "}", ",",
                                "|", ">", "&a ", "*a", "\t", "\\", "''", " ", "1", "x"])
            window[at] = line[:col] + piece + line[col:] if what == 4 else (
                line[:col] + line[col + 1:])
    return "\n".join(window) + "\n"


def test_damaged_pieces_of_the_bundled_scenarios_are_read_alike_or_left_to_pyyaml():
    rng = random.Random(20261203)
    items = [item for path in BUNDLED for item in _items(path)]
    assert len(items) > 100
    quick = 0
    for _ in range(1200):
        quick += quick_agrees(_damaged(rng, rng.choice(items)))
    assert quick > 400  # much damage still leaves YAML that the quick reader takes


def test_limits_are_left_to_pyyaml_which_words_them():
    deep = "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 2)) + " " * 50 + "k: 1\n"
    assert blockyaml.read(deep, MAX_DEPTH, MAX_NODES) is None
    with pytest.raises(YamlProblem, match="nesting deeper"):
        yamlsrc.parse(deep)
    many = "".join(f"- {i}\n" for i in range(200))
    assert blockyaml.read(many, MAX_DEPTH, 150) is None
    assert blockyaml.read(many, MAX_DEPTH, 300) is not None


def test_a_long_run_of_spaces_in_a_flow_collection_does_not_hang_the_reader():
    # The plain-scalar pattern used to give back its trailing spaces one at a time when the
    # collection did not close, so time grew with the square of the run: 16,000 spaces took
    # 3 s, and a file of them at the size limit would have taken hours. This is not a speed
    # target, only a guard: the quadratic reading of this text took about 20 s.
    for text in ("k: [a" + " " * 40_000 + "x\n", "k: {a: b" + " " * 40_000 + "\n"):
        start = time.process_time()
        assert blockyaml.read(text, MAX_DEPTH, MAX_NODES) is None
        assert time.process_time() - start < 1
