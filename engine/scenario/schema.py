"""JSON Schema for the scenario format, generated from the attrs model.

    python -m engine.scenario.schema > docs/scenario.schema.json

The schema checks structure (keys, types, enumerations, ranges, id and citation shapes) so an
editor can autocomplete and underline; references between parts (a citation's source, an
option's actors, names in conditions) only `backchannel check` can verify.
tests/scenario/test_schema.py proves the shipped file is up to date and agrees with the loader.
"""

from __future__ import annotations

import json
import sys
import types
import typing

import attrs

from engine.scenario import model
from engine.scenario.conditions import Condition
from engine.scenario.vocabulary import (
    DIMENSIONS,
    GRADES,
    ID_CHARS,
    NAME_CHARS,
    POLICIES,
    RATING_MAX,
    RATING_MIN,
    Track,
)

SCHEMA_ID = "https://backchannel.invalid/scenario.schema.json"
# ECMA-262 regexes (JSON Schema): `$` is the end of the text there.
ID_PATTERN = f"^{ID_CHARS}$"
VAR_PATTERN = f"^{NAME_CHARS}$"
CITE_PATTERN = r"^\s*[a-z0-9][a-z0-9._-]*\s*(¶|#)\s*\d+(\s*[-–]\s*\d+)?\s*$"

# Field-level refinements the Python types alone do not say.
_FIELD: dict[tuple[str, str], dict] = {
    ("Scenario", "format"): {"const": model.FORMAT_VERSION},
    ("Scenario", "id"): {"pattern": ID_PATTERN},
    ("Source", "id"): {"pattern": ID_PATTERN},
    ("Source", "paragraphs"): {"minimum": 1},
    ("Actor", "id"): {"pattern": ID_PATTERN},
    ("Indicator", "id"): {"pattern": VAR_PATTERN},
    ("Flag", "id"): {"pattern": VAR_PATTERN},
    ("Round", "id"): {"pattern": ID_PATTERN},
    ("Option", "id"): {"pattern": ID_PATTERN},
    ("Event", "id"): {"pattern": ID_PATTERN},
    ("Event", "round"): {"minimum": 1},
    ("Ending", "id"): {"pattern": ID_PATTERN},
    ("Ending", "grade"): {"enum": list(GRADES)},
    ("Lesson", "id"): {"pattern": ID_PATTERN},
    ("Lesson", "cite"): {"minItems": 1},
    ("ChanceClaim", "under"): {"enum": list(POLICIES)},
    ("Chance", "under"): {"enum": list(POLICIES)},
    ("ChanceClaim", "at_least"): {"minimum": 0, "maximum": 1},
    ("ChanceClaim", "at_most"): {"minimum": 0, "maximum": 1},
    ("Role", "id"): {"pattern": ID_PATTERN},
    ("Role", "brief"): {"minItems": 1},
    ("Claim", "cite"): {"minItems": 1},
    ("RoleNote", "cite"): {"minItems": 1},
    ("TradeOff", "dimension"): {"enum": list(DIMENSIONS)},
    ("TradeOff", "rating"): {"minimum": RATING_MIN, "maximum": RATING_MAX},
    ("TradeOff", "cite"): {"minItems": 1},
    ("Effect", "after"): {"minimum": 0},
    ("ChanceCase", "p"): {"minimum": 0, "maximum": 1},
}


def _type_schema(tp, owner: str, name: str, defs: dict) -> dict:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is type(None):
        return {"type": "null"}
    if origin is typing.Literal:  # a vocabulary (engine.scenario.vocabulary)
        return {"type": "string", "enum": list(args)}
    if tp is Track:
        return {"enum": [1, 1.5, 2], "description": "1 official, 1.5 officials in a personal "
                "capacity beside experts, 2 unofficial"}
    if tp is Condition:
        return {"type": "string", "description": "a condition, e.g. `access >= 4 and not "
                "flags.envoy_refused` (docs/scenario-format.md#conditions)"}
    if tp is model.Citation:
        return {"type": "string", "pattern": CITE_PATTERN,
                "description": 'source id, ¶ and paragraph, e.g. "kang-kwa-2025 ¶15"'}
    if origin in (typing.Union, types.UnionType):
        if owner == "Effect" and name == "chance":
            return {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                              {"type": "array", "items": _class_ref(model.ChanceCase, defs)},
                              {"type": "null"}]}
        return {"anyOf": [_type_schema(a, owner, name, defs) for a in args]}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0], owner, name, defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], owner, name, defs),
                "propertyNames": {"pattern": VAR_PATTERN}}
    if attrs.has(tp):
        return _class_ref(tp, defs)
    raise TypeError(f"no schema for {tp!r} ({owner}.{name})")


def _class_ref(cls, defs: dict) -> dict:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # placeholder against recursion
        hints = typing.get_type_hints(cls)
        props, required = {}, []
        for f in attrs.fields(cls):
            schema = _type_schema(hints[f.name], name, f.name, defs)
            schema.update(_FIELD.get((name, f.name), {}))
            props[f.name] = schema
            if f.default is attrs.NOTHING:
                required.append(f.name)
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        defs[name] = {"type": "object", "properties": props, "required": required,
                      "additionalProperties": False}
        if doc:
            defs[name]["description"] = " ".join(doc.split())
    return {"$ref": f"#/$defs/{name}"}


def _bibliography_ids() -> list[str]:
    from engine.scenario.catalog import bibliography_path
    from engine.scenario.loader import read_bibliography

    path = bibliography_path()
    return list(read_bibliography(path)[0]) if path.is_file() else []


def scenario_schema() -> dict:
    defs: dict = {}
    root = _class_ref(model.Scenario, defs)
    ids = _bibliography_ids()
    if ids:  # a source may be declared by the id of a shared bibliography record alone
        full = defs["Source"]
        defs["SourceRef"] = {
            "type": "object",
            "description": "a source of bibliography.yaml, by id; any field given here "
                           "overrides the shared record",
            "properties": {**full["properties"], "id": {"enum": ids}},
            "required": ["id"],
            "additionalProperties": False,
        }
        defs["Scenario"]["properties"]["sources"]["items"] = {
            "anyOf": [{"$ref": "#/$defs/Source"}, {"$ref": "#/$defs/SourceRef"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "backchannel scenario",
        "description": "A backchannel scenario (format 1). See docs/scenario-format.md.",
        **root,
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
