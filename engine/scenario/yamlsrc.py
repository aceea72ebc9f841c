"""Safe YAML reading that remembers where every value came from.

Builds plain Python data (dict, list, str, int, float, bool, None) straight from PyYAML's event
stream (iteratively, so deep nesting cannot overflow the stack), with the line and column of
every value and every mapping key. Refuses what a scenario never needs and a hostile file might
carry: tags other than the core ones, merge keys, duplicate keys, oversized or binary files,
excessive nesting and alias expansion.
"""

from __future__ import annotations

import codecs
import os
import re
from typing import Any, NamedTuple

import yaml
from yaml.error import Mark

from engine.scenario.files import MAX_BYTES, Unreadable, read_scenario_bytes

try:  # the C parser when PyYAML was built with libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 40
MAX_NODES = 300_000

Path_ = tuple  # a path into the data: ("rounds", 0, "options", 2, "track")

_CORE = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# The reader's own small types are a named tuple and plain classes, not attrs classes: `check`
# imports this module at every run, and each attrs class costs about 0.25 ms to build.


class Pos(NamedTuple):
    line: int  # 1-based
    col: int  # 1-based


class YamlProblem(Exception):
    def __init__(self, message: str, pos: Pos | None = None) -> None:
        super().__init__(message, pos)
        self.message, self.pos = message, pos

    def __str__(self) -> str:
        return self.message


class Document:
    """Parsed data plus where each value and each mapping key stands.

    Positions are kept per container (``where``: id of a dict or list -> the container, the
    marks of its children in file order and the styles of its scalars that are not plain),
    not per path: building a path tuple for every node was much of the reading cost. A
    sequence's marks are its items'; a mapping's come in pairs, key then value, in the
    order of its keys (keys added to the data later, such as a source completed from the
    bibliography, have none). ``pos``, ``has`` and ``style`` look a path up by walking the
    data from the root."""

    __slots__ = ("data", "root", "where")

    def __init__(self, data: object, root: Mark | None, where: dict[int, tuple]) -> None:
        self.data = data
        self.root = root  # PyYAML's mark: line and column, both 0-based
        self.where = where

    def _walk(self, path: Path_) -> tuple[list[Mark | None], tuple | None]:
        """Positions of the values along ``path`` as far as they are known, and the entry
        (key position, style) of its last step when the whole path is known."""
        found: list[Mark | None] = [self.root]
        node = self.data
        last = None
        for step in path:
            entry = self.where.get(id(node))
            if entry is None or entry[0] is not node:
                return found, None
            _, marks, styles = entry
            if node.__class__ is list:
                if step.__class__ is not int or not 0 <= step < len(marks):
                    return found, None
                key_mark, mark = None, marks[step]
            else:
                at = _key_index(node, step, marks)
                if at is None:
                    return found, None
                key_mark, mark = marks[at], marks[at + 1]
            found.append(mark)
            last = (key_mark, styles.get(step))
            node = node[step]
        return found, last

    def pos(self, path: Path_, *, key: bool = False) -> Pos | None:
        """The position of ``path`` (its key if ``key``), else of its nearest known ancestor."""
        found, last = self._walk(tuple(path))
        if key and last is not None and last[0] is not None and len(found) == len(path) + 1:
            return _at(last[0])
        for p in reversed(found):
            if p is not None:
                return _at(p)
        return None

    def has(self, path: Path_) -> bool:
        """Whether ``path`` names a value read from the file."""
        found, _ = self._walk(tuple(path))
        return len(found) == len(path) + 1

    def style(self, path: Path_) -> str:
        """The scalar style at ``path``: '' plain (and for collections), "'" / '"' quoted,
        '|' / '>' block."""
        found, last = self._walk(tuple(path))
        if last is None or len(found) != len(path) + 1:
            return ""
        return last[1] or ""


def _key_index(mapping: dict, key: object, marks: list) -> int | None:
    """Where ``key``'s pair of marks starts in its mapping's ``marks``, if it was read."""
    if key not in mapping:
        return None
    for i, k in enumerate(mapping):  # on the way to a problem's line only: a short scan
        if 2 * i >= len(marks):
            return None
        if k == key:
            return 2 * i
    return None  # pragma: no cover - key is in mapping


def _at(mark: Mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


_BOMS = (  # longest first: the UTF-32 LE mark starts like the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)
# What YAML refuses (the YAML 1.1 printable set, as PyYAML's reader checks it).
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
                            "\U00010000-\U0010FFFF]")


def _byte_pos(raw: bytes, offset: int) -> Pos:
    """Line and column (in characters, 1-based) of byte ``offset`` of ``raw``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return Pos(raw.count(b"\n", 0, offset) + 1, col)


def read_file(path: str | os.PathLike) -> bytes:
    """A scenario file's bytes (engine.scenario.files): a device, a pipe or an oversized file
    is a YamlProblem saying so; IsADirectoryError for a folder, OSError for files that cannot
    be opened."""
    try:
        return read_scenario_bytes(path)
    except Unreadable as exc:
        raise YamlProblem(str(exc)) from None


def read_text(raw: bytes) -> str:
    """Decode a scenario file's bytes, refusing what is clearly not a YAML text (with the
    line and column of the first offending byte). A control character is refused by
    ``parse``, which finds it when the parser does (scanning every text for one beforehand
    was 0.6 ms of reading a 200 KB file)."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem(
            f"file is {len(raw):,} bytes; scenarios are limited to {MAX_BYTES:,} bytes"
        )
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise YamlProblem(f"the file is saved as {name}; save it as UTF-8", Pos(1, 1))
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise YamlProblem("file contains NUL bytes: this is a binary file, not YAML",
                          _byte_pos(raw, nul))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot start or continue "
            "a character here); save it as UTF-8", _byte_pos(raw, exc.start)
        ) from None
    return text


def _control_character(text: str) -> YamlProblem | None:
    """The first character YAML does not allow, said with its line and column."""
    bad = _NON_PRINTABLE.search(text)
    if bad is None:
        return None
    before = text[: bad.start()]
    line = before.count("\n") + 1
    col = bad.start() - (before.rfind("\n") + 1) + 1
    return YamlProblem(f"control character U+{ord(bad.group()):04X} is not allowed in YAML; "
                       "remove it", Pos(line, col))


def parse(text: str) -> Document:
    """Parse one YAML document; raise YamlProblem with a position on the first problem (a
    control character anywhere comes first, as the parser's reader refuses it)."""
    try:
        return _parse(text)
    except YamlProblem:
        bad = _control_character(text)
        if bad is not None:
            raise bad from None
        raise


def _parse(text: str) -> Document:
    """``parse`` itself.

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
    max_nodes = MAX_NODES
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
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", _at(pos))
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
                raise YamlProblem(
                    f"more than {max_nodes:,} YAML nodes (after expanding aliases); "
                    "this looks like an alias bomb or a generated file",
                    _at(pos),
                )
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
        try:
            return method(node)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            kind = tag[len(_CORE):]
            value = event.value
            if kind == "int" and len(value) > 100:
                raise YamlProblem(f"a number of {len(value):,} characters is too large; "
                                  "scenario numbers are small", _at(pos)) from None
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise YamlProblem(f"{shown!r} is not a valid {kind} (it is tagged or read as "
                              f"!!{kind}); remove the tag or fix the value",
                              _at(pos)) from None
    raise YamlProblem(f"YAML tag {tag!r} is not allowed in a scenario; remove it", _at(pos))
