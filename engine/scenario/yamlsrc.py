"""Safe YAML reading that remembers where every value came from.

Builds plain Python data (dict, list, str, int, float, bool, None) with the line and column of
every value and every mapping key. Refuses what a scenario never needs and a hostile file might
carry: tags other than the core ones, merge keys, duplicate keys, oversized or binary files,
excessive nesting and alias expansion.

Two readers do the work: ``blockyaml`` reads the plain block YAML scenarios are written in,
quickly, and gives up on anything else; ``yamlevents`` reads the rest with PyYAML, and every
text with a problem, so all problems are worded there.
"""

from __future__ import annotations

import codecs
import os
import re
from typing import TYPE_CHECKING, NamedTuple, Union

from engine.scenario import blockyaml
from engine.scenario.files import MAX_BYTES, Unreadable, read_scenario_bytes

if TYPE_CHECKING:
    from yaml.error import Mark

MAX_DEPTH = 40
MAX_NODES = 300_000

Path_ = tuple  # a path into the data: ("rounds", 0, "options", 2, "track")

# Where a value starts: PyYAML's start mark, or blockyaml's (line, column); both 0-based.
Where = Union["Mark", tuple[int, int]]


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

    def __init__(self, data: object, root: Where | None, where: dict[int, tuple]) -> None:
        self.data = data
        self.root = root
        self.where = where

    def _walk(self, path: Path_) -> tuple[list[Where | None], tuple | None]:
        """Positions of the values along ``path`` as far as they are known, and the entry
        (key position, style) of its last step when the whole path is known."""
        found: list[Where | None] = [self.root]
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


def _at(mark: Where) -> Pos:
    if isinstance(mark, tuple):
        return Pos(mark[0] + 1, mark[1] + 1)
    return Pos(mark.line + 1, mark.column + 1)


_BOMS = (  # longest first: the UTF-32 LE mark starts like the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)
# What YAML refuses (the YAML 1.1 printable set, as PyYAML's reader checks it), compiled only
# on the way to a problem: compiling it takes 3.5 ms.
_NON_PRINTABLE = ("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
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
    bad = re.search(_NON_PRINTABLE, text)
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
    quick = blockyaml.read(text, MAX_DEPTH, MAX_NODES)
    if quick is not None:
        return Document(*quick)
    from engine.scenario import yamlevents  # PyYAML: only for what blockyaml leaves

    try:
        return yamlevents.parse(text, MAX_DEPTH, MAX_NODES)
    except YamlProblem:
        bad = _control_character(text)
        if bad is not None:
            raise bad from None
        raise


