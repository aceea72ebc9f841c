"""Safe YAML reading that remembers where every value came from.

Builds plain Python data (dict, list, str, int, float, bool, None) straight from PyYAML's event
stream (iteratively, so deep nesting cannot overflow the stack), with the line and column of
every value and every mapping key. Refuses what a scenario never needs and a hostile file might
carry: tags other than the core ones, merge keys, duplicate keys, oversized or binary files,
excessive nesting and alias expansion.
"""

from __future__ import annotations

import attrs
import yaml

try:  # the C parser when PyYAML was built with libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1 << 20
MAX_DEPTH = 40
MAX_NODES = 100_000

Path_ = tuple  # a path into the data: ("rounds", 0, "options", 2, "track")

_CORE = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


@attrs.frozen
class Pos:
    line: int  # 1-based
    col: int  # 1-based


@attrs.define
class YamlProblem(Exception):
    message: str
    pos: Pos | None = None

    def __str__(self) -> str:
        return self.message


@attrs.frozen
class Document:
    """Parsed data plus where each path starts (values) and where each mapping key stands."""

    data: object
    values: dict[Path_, Pos]
    keys: dict[Path_, Pos]
    styles: dict[Path_, str]  # scalar style: '' plain, "'" / '"' quoted, '|' / '>' block

    def pos(self, path: Path_, *, key: bool = False) -> Pos | None:
        """The position of ``path`` (its key if ``key``), else of its nearest known ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), None)


def read_text(raw: bytes) -> str:
    """Decode a scenario file's bytes, refusing what is clearly not a YAML text."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem(
            f"file is {len(raw):,} bytes; scenarios are limited to {MAX_BYTES:,} bytes"
        )
    if b"\x00" in raw:
        raise YamlProblem("file contains NUL bytes: this is a binary file, not YAML")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(
            f"file is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


def parse(text: str) -> Document:
    """Parse one YAML document; raise YamlProblem with a position on the first problem."""
    values: dict[Path_, Pos] = {}
    keys: dict[Path_, Pos] = {}
    styles: dict[Path_, str] = {}
    anchors: dict[str, tuple[object, int]] = {}  # anchor -> (value, node count)
    nodes = 0
    root: list[object] = []
    # Each frame: [container, path, pending_key (for mappings), key_pos, anchor, start_nodes]
    stack: list[list] = []
    documents = 0

    def pos_of(mark) -> Pos:
        return Pos(mark.line + 1, mark.column + 1)

    def attach(value: object, pos: Pos, style: str | None, size: int) -> None:
        nonlocal nodes
        nodes += size
        if nodes > MAX_NODES:
            raise YamlProblem(
                f"more than {MAX_NODES:,} YAML nodes (after expanding aliases); "
                "this looks like an alias bomb or a generated file",
                pos,
            )
        if not stack:
            root.append(value)
            values[()] = pos
            return
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            values[child] = pos
            if style is not None:
                styles[child] = style
            return
        if frame[2] is _NO_KEY:  # this value is a key
            if not isinstance(value, str | int | float | bool) or value is None:
                raise YamlProblem("mapping keys must be plain text", pos)
            key = value if isinstance(value, str) else str(value)
            if key == "<<":
                raise YamlProblem("merge keys (<<) are not supported; write the keys out", pos)
            if key in container:
                first = keys.get((*path, key))
                where = f" (first at line {first.line})" if first else ""
                raise YamlProblem(f"duplicate key '{key}'{where}; remove one of them", pos)
            frame[2], frame[3] = key, pos
            return
        key = frame[2]
        child = (*path, key)
        container[key] = value
        values[child] = pos
        keys[child] = frame[3]
        if style is not None:
            styles[child] = style
        frame[2] = _NO_KEY

    def child_path() -> Path_:
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame[0], list):
            return (*frame[1], len(frame[0]))
        return (*frame[1], frame[2])

    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlProblem(
                        "more than one YAML document (---); a scenario is one document",
                        pos_of(event.start_mark),
                    )
            elif isinstance(event, yaml.ScalarEvent):
                value = _scalar(event, pos_of(event.start_mark))
                attach(value, pos_of(event.start_mark), event.style or "", 1)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                _check_tag(event, pos_of(event.start_mark))
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(
                        f"nesting deeper than {MAX_DEPTH} levels", pos_of(event.start_mark)
                    )
                if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is _NO_KEY:
                    raise YamlProblem("mapping keys must be plain text", pos_of(event.start_mark))
                container: object = [] if isinstance(event, yaml.SequenceStartEvent) else {}
                path = child_path()
                stack.append([container, path, _NO_KEY, None, event.anchor, nodes,
                              pos_of(event.start_mark)])
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                container, _path, _k, _kp, anchor, start_nodes, pos = stack.pop()
                size = nodes - start_nodes + 1
                attach(container, pos, None, 1)
                if anchor:
                    anchors[anchor] = (container, size)
            elif isinstance(event, yaml.AliasEvent):
                pos = pos_of(event.start_mark)
                if event.anchor not in anchors:
                    raise YamlProblem(f"alias *{event.anchor} has no anchor before it", pos)
                value, size = anchors[event.anchor]
                attach(value, pos, None, size)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or str(exc)
        ctx = f" ({exc.context})" if exc.context else ""
        raise YamlProblem(f"YAML syntax: {what}{ctx}", pos_of(mark) if mark else None) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) and the like
        mark = getattr(exc, "problem_mark", None)
        raise YamlProblem(f"YAML: {exc}", pos_of(mark) if mark else None) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels") from None

    if not root:
        raise YamlProblem("the file is empty", Pos(1, 1))
    return Document(root[0], values, keys, styles)


class _NoKey:
    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()


def _check_tag(event, pos: Pos) -> None:
    tag = event.tag
    if tag and tag not in (_CORE + "seq", _CORE + "map", _CORE + "str", "!"):
        raise YamlProblem(f"YAML tag {tag!r} is not allowed in a scenario; remove it", pos)


def _scalar(event, pos: Pos) -> object:
    tag = event.tag
    if tag in (None, "!"):
        if event.implicit[0]:  # plain scalar: resolve as YAML 1.1 does
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        else:
            tag = _CORE + "str"
    if tag == _CORE + "merge":
        raise YamlProblem("merge keys (<<) are not supported; write the keys out", pos)
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
        return method(node)
    raise YamlProblem(f"YAML tag {tag!r} is not allowed in a scenario; remove it", pos)
