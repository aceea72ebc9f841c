"""YAML file -> frozen ``Scenario``, or every problem at once with file:line:col.

Three passes, all collected rather than stopping at the first problem:
1. ``yamlsrc``: safe YAML with positions (syntax, duplicate keys, hostile input);
2. structure into the attrs model, strictly (no coercion, no unknown keys): a direct pass
   that gives up at the first thing it does not like, then, only when it gave up, cattrs,
   which finds and places every structural problem;
3. ``checks``: references, citations, conditions, reachability, balance.
"""

from __future__ import annotations

import functools
import os
import sys
import typing
from collections.abc import Iterable

import attrs

from engine.gcpause import no_gc
from engine.scenario import yamlsrc
from engine.scenario.catalog import bibliography_path
from engine.scenario.checks import check_scenario
from engine.scenario.conditions import Condition, ConditionError
from engine.scenario.conditions import parse as parse_condition
from engine.scenario.files import content_digest
from engine.scenario.model import ChanceCase, Citation, Scenario
from engine.scenario.vocabulary import Track

if typing.TYPE_CHECKING:
    from pathlib import Path

    import cattrs

Severity = str  # "error" | "warning"


def file_identity(path: str | os.PathLike) -> tuple | None:
    """engine.scenario.meta's, imported when first needed: checking a file needs neither it,
    nor meta's JSON memo, nor pathlib (6 ms of imports in all)."""
    from pathlib import Path

    from engine.scenario.meta import file_identity as identity

    return identity(Path(path))


class Problem(typing.NamedTuple):
    """One finding, printable as ``path:line:col: severity: message``. A named tuple, not an
    attrs class: `check` builds this module at every run (an attrs class costs 0.25 ms)."""

    file: str
    line: int | None
    col: int | None
    severity: Severity
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class ScenarioError(Exception):
    """Raised by ``load_scenario`` when a file has errors; ``problems`` holds all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        errors = [p for p in self.problems if p.is_error]
        super().__init__("\n".join(str(p) for p in errors) or "scenario has problems")


@attrs.frozen
class Loaded:
    """What checking one file found: the scenario (when it has no errors), the bytes it was
    read from (``digest`` names them) and every problem, sorted by line."""

    path: str | os.PathLike
    scenario: Scenario | None
    raw: bytes | None = attrs.field(eq=False, repr=False)  # None when it could not be read
    problems: tuple[Problem, ...]
    # Where further findings about this file go (with line:col): engine.analysis.checking
    # adds what exploration finds. None when the file could not even be parsed.
    located: Located | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def digest(self) -> str | None:
        """The content hash of the bytes read (what saves record and compiled copies are
        keyed by); computed when asked, as `check` never does."""
        return None if self.raw is None else content_digest(self.raw)

    def with_problems(self, problems: Iterable[Problem]) -> Loaded:
        """The same file with ``problems`` (sorted); the scenario is kept only while none of
        them is an error."""
        ordered = tuple(sorted(problems, key=_sort_key))
        ok = self.scenario is not None and not any(p.is_error for p in ordered)
        return attrs.evolve(self, scenario=self.scenario if ok else None, problems=ordered)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.col or 0, p.severity != "error", p.message)


class Located:
    """Collects problems for one file, turning data paths into line:col."""

    def __init__(self, file: str, doc: yamlsrc.Document | None) -> None:
        self.file = file
        self.doc = doc
        self.problems: list[Problem] = []
        # Paths already reported as malformed and patched so that the semantic checks can
        # still run: findings under them would only repeat the first report.
        self.patched: list[tuple] = []

    def add(
        self,
        path: tuple,
        message: str,
        *,
        severity: Severity = "error",
        key: bool = False,
        col_offset: int | None = None,
    ) -> None:
        path = tuple(path)
        if self.patched and (severity != "error" or any(path[: len(p)] == p
                                                        for p in self.patched)):
            return  # placeholders would make warnings (e.g. a missing track) misleading
        pos = self.doc.pos(path, key=key) if self.doc else None
        line = pos.line if pos else None
        col = pos.col if pos else None
        if pos and col_offset is not None and self.doc and self.doc.has(path):
            style = self.doc.style(path)
            if style in ("", "'", '"'):  # the text starts on the value's own line
                col = pos.col + col_offset + (1 if style else 0)
        self.problems.append(Problem(self.file, line, col, severity, message))

    def error(self, path: tuple, message: str, **kw) -> None:
        self.add(path, message, severity="error", **kw)

    def warn(self, path: tuple, message: str, **kw) -> None:
        self.add(path, message, severity="warning", **kw)


# --------------------------------------------------------------------------- structuring


class _Refused(ValueError):
    """A value of the wrong kind; the message says what was expected."""


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"text {shown!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _is_literal(tp: object) -> bool:
    return typing.get_origin(tp) in (typing.Literal,)


# The structuring hooks of the leaves of the model, shared by the direct pass and cattrs.


def _strict_str(value, _):
    if not isinstance(value, str):
        hint = ' (put quotes around it: "...")' if isinstance(value, int | float) else ""
        raise _Refused(f"expected text, got {_describe(value)}{hint}")
    return value


def _number_hint(value: object) -> str:
    """What to do about text where a number belongs: "4" has quotes to remove, "two" is not
    written in digits."""
    if not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return " (write it in digits)"
    return " (remove the quotes)"


def _strict_int(value, _):
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Refused(f"expected a whole number, got {_describe(value)}{_number_hint(value)}")
    return value


def _strict_float(value, _):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(f"expected a number, got {_describe(value)}{_number_hint(value)}")
    return float(value)


def _strict_bool(value, _):
    if not isinstance(value, bool):
        raise _Refused(f"expected true or false, got {_describe(value)}")
    return value


def _track(value, _):
    try:
        return Track.from_yaml(value)
    except ValueError as exc:
        raise _Refused(str(exc)) from None


# Conditions and citations by their text: the same few recur all over a file (`risk > 3` in
# each of 200 rounds, one source's paragraph in many trade-offs), and both are frozen values
# made from their text alone, so each text is parsed once (4 ms of check's structuring of
# the N=200 story). Only what parsed is kept; bounded, as a generated file may hold many.
_PARSED: dict[tuple[type, str], object] = {}
_PARSED_MAX = 4096


def _parsed(kind: type, text: str, parse: typing.Callable[[str], object]) -> object:
    made = _PARSED.get((kind, text))
    if made is None:
        made = parse(text)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[kind, text] = made
    return made


def _condition(value, _):
    if not isinstance(value, str):
        raise _Refused(f"expected a condition as text, got {_describe(value)}")
    return _parsed(Condition, value, parse_condition)  # raises ConditionError with a column


def _citation(value, _):
    try:
        if value.__class__ is str:
            return _parsed(Citation, value, Citation.parse)
        return Citation.parse(value)  # not text: it says what a citation is
    except ValueError as exc:
        raise _Refused(str(exc)) from None


def _changes(value, _):
    if not isinstance(value, dict):
        raise _Refused(
            "expected a mapping of indicator: change, e.g. {trust: 1}, got "
            + _describe(value)
        )
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise _Refused(f"change of {k!r} must be a whole number, got {_describe(v)}")
    return dict(value)


_LEAVES: dict[object, typing.Callable] = {
    str: _strict_str, int: _strict_int, float: _strict_float, bool: _strict_bool,
    Track: _track, Condition: _condition, Citation: _citation,
}
_CHANGES = dict[str, int]
_CHANCE = float | tuple[ChanceCase, ...] | None


def _make_converter() -> cattrs.Converter:
    import cattrs
    from cattrs.errors import IterableValidationNote

    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

    def chance(value, _):
        if value is None:
            return None
        if isinstance(value, list):
            return tuple(conv.structure(v, ChanceCase) for v in value)
        return _strict_float(value, float)

    def seq_hook_factory(typ):
        inner = typ.__args__[0]

        def hook(value, _):
            if not isinstance(value, list):
                raise _Refused(f"expected a list, got {_describe(value)}")
            return _tuple(value, inner)

        return hook

    def _tuple(values: list, inner):
        # Collect each item's failure with its index so every problem is reported.
        out, errors = [], []
        for i, v in enumerate(values):
            try:
                out.append(conv.structure(v, inner))
            except Exception as exc:  # noqa: BLE001 - re-raised as a group below
                note = IterableValidationNote(f"@ index {i}", i, inner)
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                errors.append(exc)
        if errors:
            raise ExceptionGroup("list items", errors)
        return tuple(out)

    for tp, hook in _LEAVES.items():
        conv.register_structure_hook(tp, hook)
    # A word from a fixed vocabulary (vocabulary.Better, ActorKind): any text is taken here and
    # check_scenario refuses a word outside it, with its position and the nearest word.
    conv.register_structure_hook_func(_is_literal, _strict_str)
    conv.register_structure_hook_func(lambda t: t == _CHANGES, _changes)
    conv.register_structure_hook_func(lambda t: t == _CHANCE, chance)
    conv.register_structure_hook_factory(
        lambda t: getattr(t, "__origin__", None) is tuple
        and len(getattr(t, "__args__", ())) == 2
        and t.__args__[1] is Ellipsis,
        seq_hook_factory,
    )
    return conv


@functools.cache
def _converter() -> cattrs.Converter:
    """The cattrs converter, made when first needed: a file without structural problems
    never needs it (importing cattrs and generating its code cost 15-20 ms)."""
    return _make_converter()


class _GiveUp(Exception):
    """The direct pass met something it does not take; cattrs will say what."""


def _direct(tp: object) -> typing.Callable[[object], object]:
    """A function structuring a value of type ``tp`` exactly as the converter does when
    the value is well-formed, raising (anything) where the converter would find a problem.
    Made once per type, on first use."""
    fn = _DIRECT.get(tp)
    if fn is None:
        fn = _DIRECT[tp] = _make_direct(tp)
    return fn


def _make_direct(tp: object) -> typing.Callable[[object], object]:
    import types

    if tp is Track:
        return _direct_track
    leaf = _LEAVES.get(tp)
    if leaf is not None:
        return lambda value: leaf(value, tp)
    if _is_literal(tp):
        return lambda value: _strict_str(value, tp)
    if tp == _CHANGES:
        return lambda value: _changes(value, tp)
    if tp == _CHANCE:
        cases = _direct(ChanceCase)

        def chance(value):
            if value is None:
                return None
            if isinstance(value, list):
                return tuple([cases(v) for v in value])
            return _strict_float(value, float)

        return chance
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _direct(args[0] if args[1] is type(None) else args[1])
        return lambda value: None if value is None else inner(value)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _direct(args[0])

        def seq(value):
            if value.__class__ is not list:
                raise _GiveUp
            return tuple([item(v) for v in value])

        return seq
    if isinstance(tp, type) and attrs.has(tp):
        return _make_direct_class(tp)
    raise TypeError(f"no direct structuring for {tp!r}")  # pragma: no cover - model changed


_TRACKS = {t.number: t for t in Track}  # 1, 1.5, 2


def _direct_track(value):
    if value.__class__ is int or value.__class__ is float:  # not bool
        track = _TRACKS.get(value)
        if track is not None:
            return track
    return _track(value, Track)


def _make_direct_class(cls: type) -> typing.Callable[[object], object]:
    fields = attrs.fields(cls)
    hints = {f.name: _field_type(cls, f.type) for f in fields}
    required = frozenset(f.name for f in fields if f.default is attrs.NOTHING)
    # field name -> its structuring function; None for plain text, the commonest field
    table: dict[str, typing.Callable | None] = {}
    unknown = object()
    strict_str = _strict_str

    def structure(value):
        if value.__class__ is not dict:
            raise _GiveUp
        if not table:  # made on first use: the model refers to itself (Chance, Effect)
            table.update((f.name, None if hints[f.name] is str else _direct(hints[f.name]))
                         for f in fields)
        res = {}
        for key, item in value.items():
            hook = table.get(key, unknown)
            if hook is None:
                res[key] = item if item.__class__ is str else strict_str(item, str)
            elif hook is unknown:
                raise _GiveUp
            else:
                res[key] = hook(item)  # type: ignore[operator]
        if not required <= res.keys():
            raise _GiveUp
        return cls(**res)

    return structure


_DIRECT: dict[object, typing.Callable[[object], object]] = {}
_FIELD_TYPES: dict[tuple[str, str], object] = {}


def _field_type(cls: type, annotation: object) -> object:
    """A field's type, as typing.get_type_hints gives it: the model's annotations are text
    (``from __future__ import annotations``), and the same few recur, so each is evaluated
    once (get_type_hints compiles every one afresh: 1.5 ms for the model)."""
    if not isinstance(annotation, str):
        return annotation
    key = (cls.__module__, annotation)
    if key not in _FIELD_TYPES:
        _FIELD_TYPES[key] = eval(annotation, vars(sys.modules[cls.__module__]))  # noqa: S307
    return _FIELD_TYPES[key]


def _walk_errors(exc: BaseException, path: tuple, out: list[tuple[tuple, BaseException]]) -> None:
    """Flatten cattrs' exception groups into (data path, leaf exception) pairs."""
    from cattrs.errors import AttributeValidationNote, IterableValidationNote

    if isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", []):
                # cattrs' notes (and ours, for tuples) say which field or item failed; any
                # other note is text (every str has an .index method, so test the class).
                if isinstance(note, AttributeValidationNote):
                    sub_path = (*sub_path, note.name)
                elif isinstance(note, IterableValidationNote):
                    sub_path = (*sub_path, note.index)
            _walk_errors(sub, sub_path, out)
    else:
        out.append((path, exc))


def _fields_of(cls) -> list[str]:
    return [f.name for f in attrs.fields(cls)]


_BIBLIOGRAPHY: dict[tuple, tuple[dict[str, dict], Problem | None]] = {}


def _bibliography(loc: Located) -> dict[str, dict]:
    """The shared bibliography's records by id (read once per version of the file); a
    broken bibliography is a problem of its own file, reported with the scenario's."""
    path = bibliography_path()
    key = file_identity(path)
    if key is None:
        return {}
    if key not in _BIBLIOGRAPHY:
        _BIBLIOGRAPHY[key] = read_bibliography(path)
    records, problem = _BIBLIOGRAPHY[key]
    if problem is not None:
        loc.problems.append(problem)
    return records


def read_bibliography(path: Path) -> tuple[dict[str, dict], Problem | None]:
    """The records of a bibliography file by id, or a problem saying why it cannot be read."""
    try:
        data = yamlsrc.parse(yamlsrc.read_text(yamlsrc.read_file(path))).data
    except (OSError, yamlsrc.YamlProblem) as exc:
        pos = getattr(exc, "pos", None)
        return {}, Problem(str(path), pos.line if pos else None, pos.col if pos else None,
                           "error", str(exc))
    records = data.get("sources") if isinstance(data, dict) else None
    return {r["id"]: r for r in records or () if isinstance(r, dict) and isinstance(
        r.get("id"), str)}, None


def _complete_sources(data: object, loc: Located) -> None:
    """A scenario may declare a source by id alone; fill in what it leaves out from the
    shared bibliography (what the scenario gives itself wins)."""
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, list) or not any(
            isinstance(s, dict) and "title" not in s for s in sources):
        return
    records = _bibliography(loc)
    for entry in sources:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) \
                and entry["id"] in records:  # a wrong-typed id is reported by structuring
            for key, value in records[entry["id"]].items():
                entry.setdefault(key, value)


def _structure(data: object, loc: Located) -> Scenario | None:
    if not isinstance(data, dict):
        loc.error((), f"a scenario file is a YAML mapping (key: value), got {_describe(data)}")
        return None
    try:  # well-formed data, as nearly every file is, structured without cattrs
        return _direct(Scenario)(data)  # type: ignore[return-value]
    except Exception:  # noqa: BLE001, S110 - cattrs finds and reports the problems
        pass
    try:
        return _converter().structure(data, Scenario)
    except Exception as exc:  # noqa: BLE001 - every leaf becomes a reported problem
        leaves: list[tuple[tuple, BaseException]] = []
        _walk_errors(exc, (), leaves)
        for path, leaf in leaves:
            _report_leaf(path, leaf, data, loc)
    return _patched_structure(data, leaves, loc)


def _patched_structure(data: dict, leaves: list, loc: Located) -> Scenario | None:
    """Every problem of a file at once: after the structural errors are reported, patch a
    copy of the data (drop unknown keys and malformed optional values, put a placeholder of
    the right type in a malformed required one) and structure again, so that the semantic
    checks can report the rest. Findings under patched paths are suppressed. Returns None
    when the data cannot be patched into shape; the structural errors stand alone then."""
    import copy

    from cattrs.errors import ForbiddenExtraKeysError

    patched = copy.deepcopy(data)
    for path, leaf in leaves:
        if isinstance(leaf, ForbiddenExtraKeysError):
            parent = _value_at(patched, path)
            for key in leaf.extra_fields:
                if isinstance(parent, dict):
                    parent.pop(key, None)
            continue
        if isinstance(leaf, KeyError):  # a missing required key: give it a placeholder
            name = leaf.args[0] if leaf.args else None
            parent_path = path[:-1] if path and path[-1] == name else path
            target = _value_at(patched, parent_path)
            placeholder = _placeholder(_type_at((*parent_path, name)), patched)
            if not isinstance(target, dict) or placeholder is _NO_PLACEHOLDER:
                return None
            target[name] = placeholder
            loc.patched.append((*parent_path, name))
            continue
        if not path:
            return None
        parent = _value_at(patched, path[:-1])
        field_type = _type_at(path)
        if isinstance(parent, dict) and _optional(path):
            parent.pop(path[-1], None)
        else:
            placeholder = _placeholder(field_type, patched)
            if placeholder is _NO_PLACEHOLDER or not isinstance(parent, dict | list):
                return None
            parent[path[-1]] = placeholder
        loc.patched.append(tuple(path))
    try:
        return _converter().structure(patched, Scenario)
    except Exception:  # noqa: BLE001 - could not be patched into shape
        return None


_NO_PLACEHOLDER = object()


def _type_at(path: tuple):
    """The model type expected at a data path (None when the path leaves the model)."""
    tp: object = Scenario
    for step in path:
        tp = _strip_optional(tp)
        if isinstance(step, int):
            args = typing.get_args(tp)
            if typing.get_origin(tp) is not tuple or not args:
                return None
            tp = args[0]
        elif isinstance(tp, type) and attrs.has(tp):
            hints = typing.get_type_hints(tp)
            if step not in hints:
                return None
            tp = hints[step]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return _strip_optional(tp)


def _strip_optional(tp):
    import types
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _optional(path: tuple) -> bool:
    """Whether the attrs field at ``path`` (a key of a mapping) has a default."""
    parent = _type_at(path[:-1])
    if not attrs.has(parent) or not isinstance(path[-1], str):
        return False
    field = attrs.fields_dict(parent).get(path[-1])
    return field is not None and field.default is not attrs.NOTHING


def _placeholder(tp, data: dict) -> object:
    if tp is str or _is_literal(tp):  # a vocabulary word: as text
        return "?"
    if tp is int:
        return 0
    if tp is float:
        return 0.0
    if tp is bool:
        return False
    if tp is Track:
        return 1
    if tp is Condition:
        return "true"
    if tp is Citation:  # a citation of the first declared source, which always resolves
        sources = data.get("sources")
        first = sources[0].get("id") if isinstance(sources, list) and sources and isinstance(
            sources[0], dict) else None
        return f"{first} ¶1" if isinstance(first, str) else _NO_PLACEHOLDER
    if typing.get_origin(tp) is tuple:
        return []
    if typing.get_origin(tp) is dict:
        return {}
    return _NO_PLACEHOLDER


def _value_at(data: object, path: tuple) -> object:
    for step in path:
        try:
            data = data[step]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _report_leaf(path: tuple, leaf: BaseException, data: object, loc: Located) -> None:
    from cattrs.errors import ForbiddenExtraKeysError

    if isinstance(leaf, ForbiddenExtraKeysError):
        known = _fields_of(leaf.cl)
        for key in sorted(leaf.extra_fields):
            import difflib  # only when a suggestion is needed

            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(known)}"
            loc.error((*path, key), f"unknown key '{key}'{hint}", key=True)
        return
    if isinstance(leaf, KeyError):
        # cattrs raises KeyError(name) for a missing required attribute
        name = leaf.args[0] if leaf.args else "?"
        if path and path[-1] == name:
            path = path[:-1]
        container = _value_at(data, path)
        if isinstance(container, dict) and len(path) == 2 and path[0] == "sources":
            loc.error(path, f"missing required key '{name}': give the full record, or use "
                            "the id of a source in bibliography.yaml")
        elif isinstance(container, dict):
            loc.error(path, f"missing required key '{name}'")
        else:
            loc.error(path, f"expected a mapping with '{name}', got {_describe(container)}")
        return
    if isinstance(leaf, ConditionError):
        loc.error(path, f"condition: {leaf.message}", col_offset=leaf.column)
        return
    if isinstance(leaf, _Refused | ValueError):
        loc.error(path, str(leaf))
        return
    if isinstance(leaf, TypeError | AttributeError):
        value = _value_at(data, path)
        loc.error(path, f"wrong kind of value: {_describe(value)} ({leaf})")
        return
    loc.error(path, f"{type(leaf).__name__}: {leaf}")


# --------------------------------------------------------------------------- entry points


def load_file(path: str | os.PathLike, raw: bytes | None = None) -> Loaded:
    """Read, structure and check one file (every structural and semantic problem; what only
    exploration finds is added by engine.analysis.checking); never raises for bad input.
    ``raw``: the file's bytes when the caller has read them already (as
    ``compiled.read_bytes`` does), so that what is checked is what was hashed."""
    with no_gc():
        return _load_file(path, raw)


def _load_file(path: str | os.PathLike, raw: bytes | None) -> Loaded:
    display = os.fspath(path)
    loc = Located(display, None)
    try:
        if raw is None:
            raw = yamlsrc.read_file(path)
    except yamlsrc.YamlProblem as exc:
        loc.error((), exc.message)
        return Loaded(path, None, None, tuple(loc.problems))
    except IsADirectoryError:
        loc.error((), "is a folder, not a scenario file")
        return Loaded(path, None, None, tuple(loc.problems))
    except OSError as exc:
        loc.error((), f"cannot read the file: {exc.strerror or exc}")
        return Loaded(path, None, None, tuple(loc.problems))
    try:
        doc = yamlsrc.parse(yamlsrc.read_text(raw))
    except yamlsrc.YamlProblem as exc:
        p = exc.pos
        loc.problems.append(
            Problem(display, p.line if p else None, p.col if p else None, "error", exc.message)
        )
        return Loaded(path, None, raw, tuple(loc.problems))
    loc.doc = doc
    _complete_sources(doc.data, loc)
    scenario = _structure(doc.data, loc)
    if scenario is not None:
        check_scenario(scenario, loc)
    problems = tuple(sorted(loc.problems, key=_sort_key))
    ok = scenario is not None and not any(p.is_error for p in problems)
    return Loaded(path, scenario if ok else None, raw, problems, loc)


_LOADED: dict[tuple, tuple[Scenario, str]] = {}


def remember(path: str | os.PathLike, scenario: Scenario, digest: str) -> None:
    """Keep a scenario loaded another way (``checking.playable``) for ``load_with_digest``,
    so a game started right after its check does not load the file a second time."""
    key = file_identity(path)
    if key is not None:
        _LOADED[key] = (scenario, digest)


def load_with_digest(path: str | os.PathLike) -> tuple[Scenario, str]:
    """The scenario in ``path`` and its content hash; raises ScenarioError listing every
    error. Memoised on (path, mtime, size): a scenario is immutable once loaded, so the
    picker, the saves list and a session share one load; across processes, by the compiled
    copy of engine.scenario.compiled."""
    key = file_identity(path)
    if key is not None and key in _LOADED:
        return _LOADED[key]
    from engine.scenario import compiled  # its copy from an earlier process, when unchanged

    result = compiled.load(path)
    if key is not None:
        _LOADED[key] = result
    return result


def load_scenario(path: str | os.PathLike) -> Scenario:
    """The scenario in ``path``; raises ScenarioError listing every error if it has any."""
    return load_with_digest(path)[0]


def summarise(problems: Iterable[Problem]) -> str:
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
