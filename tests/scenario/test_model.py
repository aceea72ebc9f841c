"""The frozen model: lookups by id and hashing."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import attrs
import pytest

from engine.scenario.loader import load_scenario
from engine.scenario.model import Changes, Effect, Otherwise, Scenario

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module", params=BUNDLED, ids=lambda p: p.stem)
def scn(request) -> Scenario:
    return load_scenario(request.param)


def _model_objects(obj: object):
    """Every attrs instance reachable from ``obj`` (the scenario and all it holds)."""
    if attrs.has(type(obj)):
        yield obj
        for a in attrs.fields(type(obj)):
            yield from _model_objects(getattr(obj, a.name))
    elif isinstance(obj, tuple | list):
        for x in obj:
            yield from _model_objects(x)


def test_every_model_object_of_a_bundled_scenario_is_hashable(scn):
    objects = list(_model_objects(scn))
    assert any(isinstance(o, Effect) and o.change for o in objects)
    for o in objects:
        hash(o)  # raises TypeError for an unhashable field (a dict)
    assert len({scn, attrs.evolve(scn)}) == 1  # equal scenarios are one set member


def test_lookups_find_by_id_and_give_none_for_an_unknown_id(scn):
    first = scn.rounds[0].options[0]
    assert scn.option(first.id) is first
    assert scn.indicator(scn.indicators[-1].id) is scn.indicators[-1]
    assert scn.source(scn.sources[0].id) is scn.sources[0]
    if scn.events:
        assert scn.event(scn.events[0].id) is scn.events[0]
    for lookup in (scn.option, scn.indicator, scn.source, scn.event, scn.actor, scn.role):
        assert lookup("no-such-id") is None  # not StopIteration


def test_changes_are_frozen_and_behave_like_the_dict_they_came_from():
    eff = Effect(change={"trust": 2, "risk": -1})
    assert isinstance(eff.change, Changes)
    assert eff.change == {"trust": 2, "risk": -1} and repr(eff.change) == "{'trust': 2, 'risk': -1}"
    with pytest.raises(TypeError):
        eff.change["trust"] = 5  # type: ignore[index]
    with pytest.raises(TypeError):
        eff.change.update(risk=0)
    assert eff.change == {"trust": 2, "risk": -1}
    same = Effect(change={"risk": -1, "trust": 2})
    assert eff == same and hash(eff) == hash(same)
    assert hash(Otherwise(change={"trust": 1})) == hash(Otherwise(change={"trust": 1}))
    assert Effect(change={"trust": 1}) != Effect(change={"trust": 2})
    for again in (pickle.loads(pickle.dumps(eff)), copy.deepcopy(eff)):
        assert again == eff and isinstance(again.change, Changes)


def test_equality_and_hashing_go_field_by_field_as_attrs_does(scn):
    # The model shares one __eq__/__hash__ (engine.scenario.model._frozen) instead of attrs'
    # compiled ones: a copy is equal and hashes alike; a change to any field makes it differ.
    checked = set()
    for o in _model_objects(scn):
        cls = type(o)
        if cls in checked:
            continue
        checked.add(cls)
        copy_ = attrs.evolve(o)
        assert copy_ is not o and copy_ == o and hash(copy_) == hash(o)
        assert (copy_ != o) is False  # __ne__ too
        assert o != object() and (o == object()) is False
        for a in attrs.fields(cls):
            if not a.eq:  # e.g. a condition's parsed tree, which its text determines
                continue
            value = getattr(o, a.name)
            other = "changed" if value != "changed" else "changed again"
            changed = copy_.__class__.__new__(cls)
            for b in attrs.fields(cls):
                object.__setattr__(changed, b.name, other if b is a else getattr(o, b.name))
            assert changed != o and (changed == o) is False, (cls.__name__, a.name)
    assert len(checked) >= 10
