"""Reading YAML with PyYAML's event stream, for ``yamlsrc.parse``: every text the quick
reader (``blockyaml``) leaves, and every text with a problem, whose words come from here.

Builds plain Python data (dict, list, str, int, float, bool, None) straight from the events
(iteratively, so deep nesting cannot overflow the stack), with the start mark of every value
and every mapping key. Imported only when needed: importing PyYAML costs 10 ms.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.error import Mark

from engine.scenario.yamlsrc import (
    Document,
    Pos,
    YamlProblem,
    _at,
    _key_index,
)

try:  # the C parser when PyYAML was built with libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CORE = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def parse(text: str, max_depth: int, max_nodes: int) -> Document:
    """``yamlsrc.parse`` by PyYAML, with its limits on nesting and on nodes.

    The hot loop keeps each key's and value's position as the start mark PyYAML made for it
    anyway (one list of them per container, in file order) and the styles of the scalars
    that are not plain (a dict per container, by key or index); ``Document.pos`` makes a Pos
    only when somebody asks, which is when a problem is reported."""
    where: dict[int, tuple] = {}
    anchors: dict[str, tuple[object, int]] = {}  # anchor -> (value, node count)
    root: list[object] = []
    root_pos: Mark | None = None
    # Each frame: [container, pending_key, anchor, nodes_at_start, pos, marks, styles]; the
    # pending key is stored in a frame only while a child container is read.
    stack: list[list[Any]] = []
    # The innermost frame's parts, kept in locals for the hot path (``frame`` is None at the
    # top level; ``key`` is _SEQ in a sequence, _NO_KEY in a mapping waiting for its key).
    frame: list[Any] | None = None
    container: Any = None
    marks: Any = None
    styles: Any = None
    key: Any = None
    nodes = 0
    aliases = False  # whether an alias was expanded (for the words of the node limit)
    documents = 0
    loader = _Loader(text)
    get_event = loader.get_event
    scalar = _scalar
    implicit_first = _IMPLICIT
    plain = _PLAIN
    plain_get = _PLAIN.get
    no_key = _NO_KEY
    seq = _SEQ
    scalar_event = _Scalar
    try:
        while True:
            # Any: events are told apart by class identity below (the hot loop), which a type
            # checker cannot narrow on; each branch reads only its class's attributes.
            event: Any = get_event()
            cls = event.__class__
            if cls is scalar_event:
                pos = event.start_mark
                value = event.value
                if event.tag is None:
                    # Text that no resolver can match (most of a file) is taken as it is;
                    # other plain text as it resolved before, if it has been seen.
                    if event.implicit[0] and (not value or value[0] in implicit_first):
                        known = plain_get(value, plain)
                        value = known if known is not plain else scalar(event, pos)
                else:
                    value = scalar(event, pos)
                style = event.style
                size = 1
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            elif cls is _MapStart or cls is _SeqStart:
                pos = event.start_mark
                tag = event.tag
                if tag and tag not in _CONTAINER_TAGS:
                    raise YamlProblem(
                        f"YAML tag {tag!r} is not allowed in a scenario; remove it", _at(pos))
                if len(stack) >= max_depth:
                    raise YamlProblem(f"nesting deeper than {max_depth} levels", _at(pos))
                if key is no_key:
                    raise YamlProblem("mapping keys must be plain text", _at(pos))
                if frame is not None:
                    frame[1] = key
                if cls is _MapStart:
                    container, key = {}, no_key
                else:
                    container, key = [], seq
                marks, styles = [], {}
                frame = [container, key, event.anchor, nodes, pos, marks, styles]
                stack.append(frame)
                continue
            elif cls is _MapEnd or cls is _SeqEnd:
                value, _k, anchor, start_nodes, pos, _m, _s = stack.pop()
                where[id(value)] = (value, marks, styles)
                size = 1
                style = None
                if anchor:
                    anchors[anchor] = (value, nodes - start_nodes + 1)
                if stack:
                    frame = stack[-1]
                    container, key, _a, _n, _p, marks, styles = frame
                else:
                    frame = container = marks = styles = key = None
            elif cls is _Alias:
                pos = event.start_mark
                if event.anchor not in anchors:
                    raise YamlProblem(f"alias *{event.anchor} has no anchor before it",
                                      _at(pos))
                value, size = anchors[event.anchor]
                style = None
                aliases = True
            elif cls is _StreamEnd:
                break
            elif cls is _DocStart:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    raise YamlProblem(
                        "more than one YAML document (---); a scenario is one document",
                        Pos(mark.line + 1, mark.column + 1),
                    )
                continue
            else:  # stream start, document end
                continue

            # attach ``value`` (found at ``pos``) to its parent
            nodes += size
            if nodes > max_nodes:
                why = (" (after expanding aliases); this looks like an alias bomb or a "
                       "generated file" if aliases else "; this looks like a generated file")
                raise YamlProblem(f"more than {max_nodes:,} YAML nodes{why}", _at(pos))
            if key is seq:
                if style:
                    styles[len(marks)] = style
                container.append(value)
                marks.append(pos)
            elif key is no_key:  # this value is a key
                if value is None or value.__class__ not in _KEY_TYPES:
                    raise YamlProblem("mapping keys must be plain text", _at(pos))
                key = value if value.__class__ is str else str(value)
                if key in container:
                    first = marks[_key_index(container, key, marks) or 0]
                    raise YamlProblem(f"duplicate key '{key}' (first at line {first.line + 1})"
                                      "; remove one of them", _at(pos))
                marks.append(pos)
            elif frame is not None:
                container[key] = value
                marks.append(pos)
                if style:
                    styles[key] = style
                key = no_key
            else:
                root.append(value)
                root_pos = pos
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or str(exc)
        ctx = f" ({exc.context})" if exc.context else ""
        if "tab" in what:  # YAML indents with spaces only; the parser does not say so
            ctx += "; indent with spaces, not tabs"
        where_pos = Pos(mark.line + 1, mark.column + 1) if mark else None
        raise YamlProblem(f"YAML syntax: {what}{ctx}", where_pos) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) and the like
        mark = getattr(exc, "problem_mark", None)
        where_pos = Pos(mark.line + 1, mark.column + 1) if mark else None
        raise YamlProblem(f"YAML: {exc}", where_pos) from None
    finally:
        loader.dispose()

    if not root:
        raise YamlProblem("the file is empty", Pos(1, 1))
    return Document(root[0], root_pos, where)


_StreamEnd, _Scalar, _Alias = yaml.StreamEndEvent, yaml.ScalarEvent, yaml.AliasEvent
_MapStart, _SeqStart = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MapEnd, _SeqEnd, _DocStart = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.DocumentStartEvent
_KEY_TYPES = (str, int, float, bool)
_CONTAINER_TAGS = (_CORE + "seq", _CORE + "map", _CORE + "str", "!")
_IMPLICIT = _RESOLVER.yaml_implicit_resolvers


class _NoKey:
    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()
_SEQ = _NoKey()  # the pending key of a sequence: its items have none


def _scalar(event, pos: Mark) -> object:
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted or block: text
            return event.value
        value = event.value
        if value and value[0] not in _IMPLICIT:  # most text: no resolver can match
            return value
        # A plain scalar resolves by its text alone: the same few numbers recur all over a
        # file, so remember what each resolved to (bounded: a generated file may hold many).
        known = _PLAIN.get(value, _PLAIN)
        if known is not _PLAIN:
            return known
        result = _resolve_plain(event, pos)
        if len(_PLAIN) >= _PLAIN_MAX:
            _PLAIN.clear()
        _PLAIN[value] = result
        return result
    return _tagged(event, pos, tag)


_PLAIN: dict = {}
_PLAIN_MAX = 4096


def _resolve_plain(event, pos: Mark) -> object:
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    return _tagged(event, pos, tag)


def _tagged(event, pos: Mark, tag: str) -> object:
    if tag == _CORE + "merge":
        raise YamlProblem("merge keys (<<) are not supported; write the keys out", _at(pos))
    if tag == _CORE + "timestamp":  # dates stay as written
        return event.value
    if tag == _CORE + "str":
        return event.value
    if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        method = {
            "int": _CONSTRUCTOR.construct_yaml_int,
            "float": _CONSTRUCTOR.construct_yaml_float,
            "bool": _CONSTRUCTOR.construct_yaml_bool,
            "null": _CONSTRUCTOR.construct_yaml_null,
        }[tag[len(_CORE) :]]
        kind = tag[len(_CORE):]
        value = event.value
        # PyYAML reads a base-60 number ('1:30') part by part into an ever larger integer, in
        # time growing with the square of its length (a 1 MB one took 23 s): a long one is
        # refused before it is read, as a long decimal number is when it fails below.
        if ":" in value and len(value) > 100 and kind in ("int", "float"):
            raise YamlProblem(f"a number of {len(value):,} characters is too large; "
                              "scenario numbers are small", _at(pos))
        try:
            return method(node)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError):
            if kind == "int" and len(value) > 100:
                raise YamlProblem(f"a number of {len(value):,} characters is too large; "
                                  "scenario numbers are small", _at(pos)) from None
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise YamlProblem(f"{shown!r} is not a valid {kind} (it is tagged or read as "
                              f"!!{kind}); remove the tag or fix the value",
                              _at(pos)) from None
    raise YamlProblem(f"YAML tag {tag!r} is not allowed in a scenario; remove it", _at(pos))
