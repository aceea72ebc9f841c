"""Each vocabulary is defined once (engine.scenario.vocabulary); the checker, the schema and the
`new` command all read it from there."""

import json
import typing

import pytest

from backchannel_cli import main as cli
from engine.analysis.checking import check_file
from engine.scenario import schema
from engine.scenario.vocabulary import ACTOR_KINDS, BETTER, ActorKind, is_id


def test_every_actor_kind_the_type_allows_has_a_description():
    assert tuple(ACTOR_KINDS) == typing.get_args(ActorKind)


def test_schema_offers_exactly_the_words_the_checker_accepts():
    defs = json.loads(schema.render())["$defs"]
    assert defs["Actor"]["properties"]["kind"]["enum"] == list(ACTOR_KINDS)
    assert defs["Indicator"]["properties"]["better"]["enum"] == list(BETTER)


@pytest.mark.parametrize("text", ["ok", "a-b_2", "x"])
def test_ids_that_are_fine(text):
    assert is_id(text)


@pytest.mark.parametrize("text", ["ok\n", "ok\r\n", "", "-a", "a b", "A"])
def test_ids_that_are_refused(text):
    assert not is_id(text)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("id: haze-season\n", 'id: "haze-season\\n"\n', "scenario id must be"),
    ("  - id: air\n", '  - id: "air\\n"\n', "indicator id 'air\n' must be"),
    ("  - id: experts\n", '  - id: "experts\\n"\n', "actor id 'experts\n' must be"),
])
def test_check_refuses_an_id_with_a_trailing_newline(example_text, write, old, new, message):
    # `$` in a regex also matches before a final newline; such an id would end up in file names
    text = example_text.replace(old, new, 1)
    line = text[: text.index(new)].count("\n") + 1
    problems = check_file(write(text)).problems
    assert any(p.severity == "error" and f":{line}:" in str(p) and message in str(p)
               for p in problems), [str(p) for p in problems]


def test_new_refuses_an_id_with_a_trailing_newline(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "mekong\n"]) == 2
    assert "must be lower case letters" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
