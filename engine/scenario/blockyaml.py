"""A quick reader for the plain block YAML that scenario files are written in.

`check` reads a whole scenario at every run, and PyYAML's share of that was about a third:
importing it (10 ms) and building a Python object per parser event (17 ms for a 200-round
story). This module reads the subset of YAML that scenarios use, line by line, straight into
the data and the marks ``yamlsrc.Document`` keeps:

- block mappings whose keys are names (``id:``, ``learning_objectives:``, ``r1-t1:``);
- block sequences, including ``- key: value`` items and a sequence at its key's indentation;
- plain scalars (continued on more-indented lines too), resolved as YAML 1.1 and PyYAML
  resolve them, and one-line single- and double-quoted ones (without escapes);
- ``|``, ``|-``, ``>`` and ``>-`` block scalars;
- flow sequences and mappings on one line, of such scalars and of each other
  (``[a, "b"]``, ``{when: x, text: y}``, ``[{change: {trust: 1}}]``);
- comments and blank lines.

Anything else, and anything it is not sure of (a tab, a tag, an anchor, a quoted scalar over
several lines, an escape, a duplicate key, a mistake of any kind), makes ``read`` return None
and ``yamlsrc`` reads the text with PyYAML, which also words every problem. So this module
never reports a problem and never decides what a text means on its own where PyYAML would
decide otherwise: tests/scenario/test_blockyaml.py holds its data, marks and styles to
PyYAML's on generated documents and on damaged pieces of the bundled files.

Marks are (line, column) pairs, both 0-based, as PyYAML's start marks are.
"""

from __future__ import annotations

import re
from typing import Any

# Characters YAML refuses (the set libyaml checks) and characters this reader leaves to
# PyYAML: tab, carriage return and the other line breaks (U+0085, U+2028, U+2029), and a
# byte-order mark past the start.
_UNSURE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# A mapping key this reader takes: a name, then ':' and a space or the end of the line
# (YAML's implicit keys are limited to 1024 characters).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}):(?: +|$)")

# YAML 1.1's implicit types as PyYAML resolves plain scalars (yaml/resolver.py), for the
# scalars whose first character can start one.
_IMPLICIT_FIRST = frozenset("-+0123456789.yYnNtTfFoO~<=")
_BOOL = {w: True for w in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")}
_BOOL.update({w: False for w in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off",
                                 "OFF")})
_NULL = frozenset(("~", "null", "Null", "NULL"))
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")  # longer: left to PyYAML
_SIMPLE_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+")
# What PyYAML would read as a number in a form the two above do not take (octal, hex,
# binary, underscores, base 60, exponents, .inf, .nan): left to PyYAML.
_OTHER_NUMBER = re.compile(
    r"""[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    |[-+]?[0-9_]+|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)""", re.X)


class _Unsure(Exception):
    """Raised where the text leaves this reader's subset: PyYAML reads it instead."""


def _resolve(text: str) -> object:
    """A plain scalar's value, as PyYAML's safe loader gives it (dates stay text, as yamlsrc
    keeps them)."""
    first = text[0]
    if first not in _IMPLICIT_FIRST:
        return text
    if first.isalpha():  # a boolean, null or text
        return _BOOL.get(text, None if text in _NULL else text)
    if _SIMPLE_INT.fullmatch(text):
        return int(text)
    if _SIMPLE_FLOAT.fullmatch(text):
        return float(text)
    if text == "~":
        return None
    if text in ("<<", "=") or _OTHER_NUMBER.fullmatch(text):
        raise _Unsure
    return text


# A key is a name (``_KEY``), so of YAML's implicit types only a boolean or null can be one.
_WORD_KEYS = frozenset(_BOOL) | _NULL


def _word_key(key: str) -> str:
    """A key that PyYAML reads as a boolean is text again in yamlsrc ("True"); one it reads as
    null is refused there."""
    if key in _NULL:
        raise _Unsure
    return str(_BOOL[key])


def read(text: str, max_depth: int, max_nodes: int
         ) -> tuple[object, tuple[int, int], dict[int, tuple]] | None:
    """(data, the root's mark, marks and styles per container as ``yamlsrc.Document`` keeps
    them), or None when PyYAML must read ``text``."""
    if _UNSURE.search(text):
        return None
    reader = _Reader(text.split("\n"), max_depth, max_nodes)
    try:
        return reader.document()
    except (_Unsure, RecursionError):
        return None


class _Reader:
    def __init__(self, lines: list[str], max_depth: int, max_nodes: int) -> None:
        self.lines = lines
        self.n = len(lines)
        self.where: dict[int, tuple] = {}
        self.nodes = 1  # the top node
        self.depth = 0
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.next = 0  # the first line after the node read last
        self.skipped: tuple[int, tuple[int, int]] = (-1, (0, 0))

    def skip(self, i: int) -> tuple[int, int]:
        """The first line from ``i`` on that holds more than a comment, and its indentation
        (``n``, -1 at the end). Remembers its last answer: a plain scalar's end asks, then
        the collection that holds it."""
        if i == self.skipped[0]:
            return self.skipped[1]
        start = i
        lines, n = self.lines, self.n
        found = n, -1
        while i < n:
            line = lines[i]
            rest = line.lstrip(" ")
            if rest and rest[0] != "#":
                found = i, len(line) - len(rest)
                break
            i += 1
        self.skipped = start, found
        return found

    def document(self) -> tuple[object, tuple[int, int], dict[int, tuple]] | None:
        i, col = self.skip(0)
        if i == self.n:
            return None  # an empty file: PyYAML's reading says so
        value, mark = self.block_node(i, col)
        if self.skip(self.next)[0] != self.n:
            raise _Unsure  # more than one node at the top
        return value, mark, self.where

    def block_node(self, i: int, col: int) -> tuple[object, tuple[int, int]]:
        line = self.lines[i]
        if _is_item(line, col):
            return self.sequence(i, col)
        if _KEY.match(line, col):
            return self.mapping(i, col)
        raise _Unsure  # a scalar on a line of its own

    def mapping(self, i: int, col: int) -> tuple[object, tuple[int, int]]:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _Unsure
        data: dict = {}
        marks: list = []
        styles: dict = {}
        start = (i, col)
        lines = self.lines
        key_match = _KEY.match
        while True:
            line = lines[i]
            m = key_match(line, col)
            if m is None:
                raise _Unsure
            key: str = m.group(1)
            if key in _WORD_KEYS:
                key = _word_key(key)
            if key in data:
                raise _Unsure
            marks.append((i, col))
            at = m.end()
            if at == len(line) or line[at] == "#":  # the value is on the lines below
                j, jcol = self.skip(i + 1)
                if jcol > col:
                    value, mark = self.block_node(j, jcol)
                elif jcol == col and _is_item(lines[j], col):
                    value, mark = self.sequence(j, col)  # a sequence at its key's indent
                else:
                    value, mark = None, (i, m.end(1) + 1)
                    self.next = j
            else:
                value, style = self.inline(i, at, col)
                mark = (i, at)
                if style:
                    styles[key] = style
            data[key] = value
            marks.append(mark)
            i, icol = self.skip(self.next)
            if icol != col:
                if icol > col:
                    raise _Unsure  # a continuation line or a mistake
                break
        self.count(marks)
        self.where[id(data)] = (data, marks, styles)
        self.next = i
        self.depth -= 1
        return data, start

    def sequence(self, i: int, col: int) -> tuple[object, tuple[int, int]]:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _Unsure
        items: list = []
        marks: list = []
        styles: dict = {}
        start = (i, col)
        lines = self.lines
        while True:
            line = lines[i]
            at = col + 1
            size = len(line)
            while at < size and line[at] == " ":
                at += 1
            if at == size or line[at] == "#":  # the item is on the lines below
                j, jcol = self.skip(i + 1)
                if jcol > col:
                    value, mark = self.block_node(j, jcol)
                else:
                    value, mark = None, (i, col + 1)
                    self.next = j
            elif _is_item(line, at):
                raise _Unsure  # '- - x'
            elif _KEY.match(line, at):
                value, mark = self.mapping(i, at)
            else:
                value, style = self.inline(i, at, col)
                mark = (i, at)
                if style:
                    styles[len(items)] = style
            items.append(value)
            marks.append(mark)
            i, icol = self.skip(self.next)
            if icol != col:
                if icol > col:
                    raise _Unsure
                break
            if not _is_item(lines[i], col):
                break  # the key after a sequence at its key's indent
        self.count(marks)
        self.where[id(items)] = (items, marks, styles)
        self.next = i
        self.depth -= 1
        return items, start

    def count(self, marks: list) -> None:
        """Count what a collection holds against the limit: each value and key has a mark
        (the collection itself is counted in its parent's marks, the top one from the
        start)."""
        self.nodes += len(marks)
        if self.nodes > self.max_nodes:
            raise _Unsure

    def inline(self, i: int, at: int, parent: int) -> tuple[object, str | None]:
        """The value that starts at column ``at`` of line ``i`` (in a collection indented
        ``parent``) and its style if it is not plain."""
        line = self.lines[i]
        first = line[at]
        self.next = i + 1
        if first == '"' or first == "'":
            text, end = _quoted(line, at)
            _end_of_line(line, end)
            return text, first
        if first == "|" or first == ">":
            return self.block_scalar(i, at, parent), first
        if first == "[" or first == "{":
            value, end = self.flow(i, at)
            _end_of_line(line, end)
            return value, None
        if first in _INDICATORS and not (first == "-" and line[at + 1:at + 2] in _DIGITS):
            raise _Unsure
        end = line.find(" #", at)
        text = (line[at:] if end < 0 else line[at:end]).rstrip(" ")
        if ": " in text or text[-1] == ":":
            raise _Unsure
        if end < 0 and self.skip(i + 1)[1] > parent:
            more = self.continued(i + 1, parent)
            if more:
                return _folded([text, *more]), None  # text, never a number
        return (_resolve(text) if text[0] in _IMPLICIT_FIRST else text), None

    def continued(self, j: int, parent: int) -> list[str | None]:
        """The lines that continue a plain scalar from line ``j`` on (indented past its
        collection's ``parent`` column), None for each empty line between them."""
        lines, n = self.lines, self.n
        parts: list[str | None] = []
        empty = 0
        while j < n:
            line = lines[j]
            rest = line.lstrip(" ")
            if not rest:
                empty += 1
                j += 1
                continue
            if len(line) - len(rest) <= parent or rest[0] == "#":
                break  # the next node, or a comment, which ends the scalar
            if rest[0] in _INDICATORS:
                raise _Unsure
            end = rest.find(" #")
            piece = (rest if end < 0 else rest[:end]).rstrip(" ")
            if ": " in piece or piece[-1] == ":":
                raise _Unsure
            parts += [None] * empty
            parts.append(piece)
            empty = 0
            j += 1
            if end >= 0:
                break  # a comment ends it
        if parts:
            self.next = j
        return parts

    def block_scalar(self, i: int, at: int, parent: int) -> str:
        line = self.lines[i]
        header = line[at + 1:].rstrip(" ")
        if header not in ("", "-"):
            raise _Unsure  # an indentation or keep indicator, or a comment
        lines, n = self.lines, self.n
        j = i + 1
        if j >= n or not lines[j].strip(" "):
            raise _Unsure  # empty, or starting with empty lines
        first = lines[j]
        indent = len(first) - len(first.lstrip(" "))
        if indent <= parent:
            raise _Unsure  # an empty block scalar
        folded = line[at] == ">"
        content: list[str | None] = []
        while j < n:
            text = lines[j]
            rest = text.lstrip(" ")
            if not rest:
                if len(text) > indent:
                    raise _Unsure  # spaces past the indentation
                content.append(None)
            else:
                ind = len(text) - len(rest)
                if ind < indent:
                    break
                if (ind > indent and folded) or text[-1] == " ":
                    raise _Unsure  # a more-indented folded line, or trailing spaces
                content.append(text[indent:])
            j += 1
        if j == n and lines[-1].strip(" "):
            raise _Unsure  # the text ends without a line break: 'clip' keeps none
        self.next = j
        while content[-1] is None:
            content.pop()
        value = _folded(content) if folded else "\n".join(piece or "" for piece in content)
        return value if header else value + "\n"

    def flow(self, i: int, at: int) -> tuple[object, int]:
        """A flow sequence or mapping that opens and closes on line ``i``, of scalars and
        other such collections, and the column after it."""
        if self.depth >= self.max_depth:
            raise _Unsure
        self.depth += 1
        line = self.lines[i]
        is_map = line[at] == "{"
        close = "}" if is_map else "]"
        data: Any = {} if is_map else []
        marks: list = []
        styles: dict = {}
        m = _FLOW_EMPTY.match(line, at + 1) if line[at + 1:at + 2] in _EMPTY_NEXT else None
        if m is not None:
            if m.group(1) != close:
                raise _Unsure
            end = m.end()
        else:
            item = _FLOW_ITEM.match
            after = _FLOW_AFTER.match
            end = at + 1
            while True:
                m = item(line, end)
                if m is None:
                    raise _Unsure  # something else, or continued on the next line
                key, opening, double, single, plain, comma, closing = m.groups()
                if is_map:
                    if key is None:
                        raise _Unsure  # a mapping needs 'name: ' here
                    if key in _WORD_KEYS:
                        key = _word_key(key)
                    if key in data:
                        raise _Unsure
                    marks.append((i, m.start(1)))
                elif key is not None:
                    raise _Unsure  # a pair in a sequence
                style = None
                if plain is not None:
                    start = m.start(5)
                    value = plain.rstrip(" ")
                    if value[0] in _IMPLICIT_FIRST:
                        value = _resolve(value)
                elif double is not None:
                    start = m.start(3) - 1  # the quote
                    value, style = double, '"'
                elif single is not None:
                    start = m.start(4) - 1
                    value, style = single.replace("''", "'"), "'"
                else:  # a collection inside
                    start = m.start(2)
                    value, end = self.flow(i, start)
                    m = after(line, end)
                    if m is None:
                        raise _Unsure
                    comma, closing = m.groups()
                marks.append((i, start))
                if is_map:
                    data[key] = value
                    if style:
                        styles[key] = style
                else:
                    if style:
                        styles[len(data)] = style
                    data.append(value)
                end = m.end()
                if closing is not None:
                    if closing != close:
                        raise _Unsure
                    break
                if comma is None:
                    raise _Unsure
        self.count(marks)
        self.where[id(data)] = (data, marks, styles)
        self.depth -= 1
        return data, end


# An item of a flow collection: an optional key, then a scalar followed by a comma or a
# closing bracket, or an opening bracket (what follows the collection it opens is then read
# by _FLOW_AFTER). A comma is never followed by a closing bracket (a trailing comma).
_AFTER = r"""\ *(?:(,)\ *(?![\]}])|([\]}]))"""
_FLOW_ITEM = re.compile(r"""\ *
    (?:([A-Za-z_][A-Za-z0-9_-]{0,200}):\ +)?    # a key
    (?:([\[{])                                # an opening bracket
      |(?:"([^"\\]*)"                         # double-quoted, without escapes
      |'([^']*(?:''[^']*)*)'                  # single-quoted
      # plain: no character that could end or nest it, start a comment or make it a
      # key, and no indicator first; possessive (*+): giving back its trailing spaces
      # cannot help, and trying it made a long run of spaces take quadratic time
      |((?:[^-?:,\[\]{}\#&*!|>'"%@`\s]|-(?=[0-9.]))[^,\[\]{}:\#]*+)
      )""" + _AFTER + ")", re.X)
_FLOW_AFTER = re.compile(_AFTER)
_FLOW_EMPTY = re.compile(r"\ *([\]}])")
_EMPTY_NEXT = frozenset(" ]}")  # what may follow an opening bracket that closes at once


def _is_item(line: str, col: int) -> bool:
    """Whether ``line`` holds a block sequence's '-' at ``col`` (then a space, or nothing)."""
    return line[col] == "-" and (len(line) == col + 1 or line[col + 1] == " ")


def _folded(lines: list[str | None]) -> str:
    """Lines folded as YAML folds them (a folded block scalar, a plain scalar over several
    lines): each joins the one before with a space, or with a line break per empty line
    (None) between them. The first and the last are not empty."""
    parts: list[str] = []
    empty = 0
    for line in lines:
        if line is None:
            empty += 1
        else:
            if parts:
                parts.append("\n" * empty if empty else " ")
            parts.append(line)
            empty = 0
    return "".join(parts)


_DIGITS = frozenset("0123456789.")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _quoted(line: str, at: int) -> tuple[str, int]:
    """A quoted scalar that closes on its line: its text and the column after it."""
    quote = line[at]
    if quote == '"':
        end = line.find('"', at + 1)
        if end < 0:
            raise _Unsure  # continued on the next line
        text = line[at + 1:end]
        if "\\" in text:
            raise _Unsure  # an escape
        return text, end + 1
    parts = []
    pos = at + 1
    while True:
        end = line.find("'", pos)
        if end < 0:
            raise _Unsure
        if line[end + 1:end + 2] == "'":
            parts.append(line[pos:end + 1])
            pos = end + 2
        else:
            parts.append(line[pos:end])
            return "".join(parts), end + 1


def _end_of_line(line: str, pos: int) -> None:
    """Only spaces and a comment may follow a closed scalar or collection."""
    rest = line[pos:]
    if rest:
        stripped = rest.lstrip(" ")
        if stripped and (stripped[0] != "#" or rest[0] != " "):
            raise _Unsure
