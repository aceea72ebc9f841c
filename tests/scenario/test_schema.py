"""docs/scenario.schema.json is generated from the model and agrees with the loader."""

import json

import jsonschema
import pytest
import yaml

from engine.analysis.checking import check_file
from engine.scenario import schema
from tests.conftest import EXAMPLE, ROOT, SCENARIOS

SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))


def test_shipped_schema_is_up_to_date():
    assert SCHEMA_FILE.read_text() == schema.render(), \
        "regenerate: python -m engine.scenario.schema > docs/scenario.schema.json"


GOOD = [EXAMPLE, *sorted(SCENARIOS.glob("*.yaml"))]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_schema_and_loader_accept_every_bundled_scenario(path):
    assert not check_file(path).errors
    assert list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text()))) == []


STRUCTURAL = {
    "unknown key": ("\nsummary:", "\nsumary:"),
    "string for int": ("    start: 4\n", "    start: '4'\n"),
    "bad track": ("track: 1.5", "track: 3"),
    "bad dimension": ("dimension: continuity", "dimension: persistence"),
    "rating range": ("rating: 2", "rating: 3"),
    "empty cite": ('cite: ["feng-track2 ¶6"]', "cite: []"),
    "citation shape": ('cite: ["feng-track2 ¶6"]', 'cite: ["feng-track2, page 6"]'),
    "missing title": ("title: A season of haze\n", ""),
    "bad actor kind": ("kind: state", "kind: country"),
    "chance range": ("chance: 0.5", "chance: 1.5"),
    "format": ("format: 1", "format: 2"),
}


@pytest.mark.parametrize("name", list(STRUCTURAL))
def test_schema_and_loader_reject_the_same_broken_files(tmp_path, example_text, name):
    old, new = STRUCTURAL[name]
    assert old in example_text
    text = example_text.replace(old, new, 1)
    path = tmp_path / "b.yaml"
    path.write_text(text)
    assert check_file(path).errors, "loader accepted it"
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text))), "schema accepted it"
