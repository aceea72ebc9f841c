"""A small condition language, parsed by its own parser (the author's text never goes to eval).

    access >= 4 and not flags.envoy_refused
    (trust - risk) > 2 or round >= 5
    track2 >= 2 and last_track == 1.5

It reads indicators (by id), flags (``flags.<id>``), ``round`` (number of the round about to be
played; one past the last round once the game is over), ``track1`` / ``track1_5`` / ``track2``
(how many times that track has been chosen) and ``last_track`` (1, 1.5 or 2; 0 before any
choice) -- and nothing else. Operators: ``and or not``, ``< <= > >= == !=``, ``+ -`` and
parentheses; literals are integers, decimals, ``true`` and ``false``.

Parsing happens once, at load time (``parse``); names are checked and the expression is turned
into a function once per scenario (``compile_condition``: a tree of closures, or for a
condition joining several tests one function generated from the checked syntax tree).
Every error carries the 0-based column in the expression text.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import attrs

from engine.scenario.vocabulary import GRADES

BUILTIN_NUMBERS = ("round", "track1", "track1_5", "track2", "last_track")
# Dotted names are true/false: flags everywhere; the ending and its grade only in lessons.
_BOOL_PREFIXES = ("flags.", "ending.", "grade.")
KEYWORDS = {"and", "or", "not", "true", "false"}
MAX_LENGTH = 2000
MAX_DEPTH = 50  # nesting: parentheses, `not` and unary `-` each count one level
MAX_TREE_DEPTH = 100  # the whole syntax tree, chains of `+`, `and`, `or` included

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)?)"
    r"|(?P<op><=|>=|==|!=|<|>|\(|\)|\+|-)|(?P<bad>\S))"
)
_CMP = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class ConditionError(ValueError):
    """A condition that does not parse or does not make sense; ``column`` is 0-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@attrs.frozen
class Condition:
    """A parsed condition: its text and syntax tree (tuples). Compiled per scenario."""

    text: str
    tree: tuple = attrs.field(repr=False, eq=False)

    def names(self) -> Iterable[tuple[str, int]]:
        """Every name the condition reads, with its column: ('access', 0), ('flags.x', 12)."""
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if node[0] == "name":
                yield node[1], node[2]
            else:
                stack.extend(n for n in node[1:] if isinstance(n, tuple))

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Condition:
    if not isinstance(text, str):
        raise ConditionError(f"a condition must be text, not {type(text).__name__}", 0)
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition longer than {MAX_LENGTH} characters", 0)
    tokens = _tokenise(text)
    parser = _Parser(tokens, text)
    tree = parser.expr(0)
    kind, value, col = parser.peek()
    if kind != "end":
        raise ConditionError(f"unexpected {value!r} after a complete condition", col)
    _check_tree_depth(tree)
    typ = _type_of(tree)
    if typ != "bool":
        raise ConditionError(
            "a condition must be true or false; compare the number, e.g. `access >= 3`", 0
        )
    return Condition(text, tree)


def _tokenise(text: str) -> list[tuple[str, Any, int]]:
    out: list[tuple[str, Any, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:  # only trailing white space left
            break
        pos = m.end()
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        col = m.start(kind)
        value = m.group(kind)
        if kind == "bad":
            hint = " (write `and`, `or`, `not`)" if value in "&|!" else ""
            if value == "=":
                hint = " (write `==` to compare)"
            raise ConditionError(f"unexpected character {value!r}{hint}", col)
        if kind == "num":
            value = float(value) if "." in value else int(value)
        out.append((kind, value, col))
    out.append(("end", "end of condition", len(text)))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any, int]], text: str) -> None:
        self.tokens = tokens
        self.i = 0
        self.text = text

    def peek(self) -> tuple[str, Any, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, Any, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, kind: str, value: Any) -> bool:
        tok = self.tokens[self.i]
        return tok[0] == kind and tok[1] == value

    def expr(self, depth: int) -> tuple:
        if depth > MAX_DEPTH:
            raise ConditionError("condition nested too deeply", self.peek()[2])
        left = self.and_expr(depth)
        while self._is("name", "or"):
            col = self.take()[2]
            left = ("or", left, self.and_expr(depth), col)
        return left

    def and_expr(self, depth: int) -> tuple:
        left = self.not_expr(depth)
        while self._is("name", "and"):
            col = self.take()[2]
            left = ("and", left, self.not_expr(depth), col)
        return left

    def _deeper(self, depth: int) -> int:
        if depth + 1 > MAX_DEPTH:
            raise ConditionError(f"condition nested too deeply (more than {MAX_DEPTH} levels "
                                 "of parentheses, `not` and `-`)", self.peek()[2])
        return depth + 1

    def not_expr(self, depth: int) -> tuple:
        if self._is("name", "not"):
            col = self.take()[2]
            self._deeper(depth)
            return ("not", self.not_expr(depth + 1), col)
        return self.comparison(depth)

    def comparison(self, depth: int) -> tuple:
        left = self.arith(depth)
        kind, value, col = self.peek()
        if kind == "op" and value in _CMP:
            self.take()
            right = self.arith(depth)
            nk, nv, ncol = self.peek()
            if nk == "op" and nv in _CMP:
                raise ConditionError(
                    "comparisons cannot be chained; join them with `and`", ncol
                )
            return ("cmp", value, left, right, col)
        return left

    def arith(self, depth: int) -> tuple:
        left = self.unary(depth)
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            _, value, col = self.take()
            left = ("add" if value == "+" else "sub", left, self.unary(depth), col)
        return left

    def unary(self, depth: int) -> tuple:
        if self._is("op", "-"):
            col = self.take()[2]
            self._deeper(depth)
            return ("neg", self.unary(depth + 1), col)
        return self.atom(depth)

    def atom(self, depth: int) -> tuple:
        kind, value, col = self.take()
        if kind == "num":
            return ("lit", value, col)
        if kind == "name":
            if value in ("true", "false"):
                return ("lit", value == "true", col)
            if value in KEYWORDS:
                raise ConditionError(f"expected a value before `{value}`", col)
            return ("name", value, col)
        if kind == "op" and value == "(":
            inner = self.expr(depth + 1)
            if not self._is("op", ")"):
                raise ConditionError("missing `)`", self.peek()[2])
            self.take()
            return inner
        if kind == "end":
            raise ConditionError("condition ends too early: expected a value", col)
        raise ConditionError(f"expected a value, found {value!r}", col)


_CHILDREN = {"and": (1, 2), "or": (1, 2), "add": (1, 2), "sub": (1, 2), "not": (1,),
             "neg": (1,), "cmp": (2, 3)}


def _check_tree_depth(tree: tuple) -> None:
    """Refuse a tree too deep for the recursive checks and compilers (long chains of `+`,
    `and` or `or` nest as deeply as parentheses do); iterative, so it cannot overflow."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise ConditionError(f"condition too deeply nested or too long a chain (more "
                                 f"than {MAX_TREE_DEPTH} levels); split it up", _col(node))
        stack.extend((node[i], depth + 1) for i in _CHILDREN.get(node[0], ()))


def _type_of(node: tuple) -> str:
    """'num', 'bool' or 'any' (a name, resolved later); raises on obvious mismatches."""
    kind = node[0]
    if kind == "lit":
        return "bool" if isinstance(node[1], bool) else "num"
    if kind == "name":
        return "bool" if node[1].startswith(_BOOL_PREFIXES) else "num"
    if kind in ("and", "or"):
        for side in node[1:3]:
            if _type_of(side) != "bool":
                raise ConditionError(f"`{kind}` joins conditions, not numbers", _col(side))
        return "bool"
    if kind == "not":
        if _type_of(node[1]) != "bool":
            raise ConditionError("`not` applies to a condition, not a number", _col(node[1]))
        return "bool"
    if kind == "cmp":
        left, right = _type_of(node[2]), _type_of(node[3])
        if node[1] in ("==", "!=") and left == right:
            return "bool"
        if left != "num" or right != "num":
            raise ConditionError(f"`{node[1]}` compares numbers", node[4])
        return "bool"
    # add, sub, neg
    for side in node[1:-1]:
        if _type_of(side) != "num":
            raise ConditionError("arithmetic needs numbers", _col(side))
    return "num"


def _col(node: tuple) -> int:
    return node[-1]


Getter = Callable[[Any], Any]


class Namespace(NamedTuple):
    """What a condition may read in one scenario: indicator positions and declared flags.
    (A named tuple, not an attrs class: `check` builds this module at every run.)"""

    indicators: dict[str, int]
    flags: frozenset[str]
    # Lessons only: ending id -> grade; makes `ending.<id>` and `grade.<grade>` readable.
    endings: dict[str, str] | None = None

    def check(self, cond: Condition) -> list[ConditionError]:
        problems = []
        for name, col in sorted(cond.names(), key=lambda nc: nc[1]):
            if name.startswith("flags."):
                flag = name[len("flags.") :]
                if flag not in self.flags:
                    problems.append(
                        ConditionError(f"unknown flag `{flag}`{_suggest(flag, self.flags)}", col)
                    )
            elif self.endings is not None and name.startswith(("ending.", "grade.")):
                prefix, _, rest = name.partition(".")
                known = list(self.endings) if prefix == "ending" else list(GRADES)
                if rest not in known:
                    problems.append(ConditionError(
                        f"unknown {prefix} `{rest}`{_suggest(rest, known)}", col))
            elif "." in name and name.startswith(("ending.", "grade.")):
                problems.append(ConditionError(
                    f"`{name}` can only be read by a lesson, which looks at how a game ended",
                    col))
            elif "." in name:
                problems.append(
                    ConditionError(f"unknown name `{name}` (only `flags.<id>` has a dot)", col)
                )
            elif name not in self.indicators and name not in BUILTIN_NUMBERS:
                known = list(self.indicators) + list(BUILTIN_NUMBERS)
                hint = _suggest(name, known)
                problems.append(ConditionError(f"unknown name `{name}`{hint}", col))
        return problems


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def compile_condition(cond: Condition, ns: Namespace) -> Callable[[Any], bool]:
    """Turn a parsed condition into a closure over a game state (see engine.play.rules.GameState).

    The state must offer ``values`` (tuple of indicator values), ``flags`` (frozenset),
    ``round_no`` (1-based), ``tracks`` (counts of T1, T1.5, T2) and ``last_track`` (float).
    Names must already have passed ``Namespace.check``.

    A condition joining several tests (``and``, ``or``, ``not``) becomes one Python function
    generated from its syntax tree (``_generated``): one call per evaluation instead of one per
    node, which is most of the cost of exploring a scenario exactly. Anything else, and
    anything the generator does not handle, is a tree of closures (``_compile``); both read
    the state the same way and give the same values.
    """
    tree = cond.tree
    if tree[0] in ("and", "or", "not"):
        fn = _generated(tree, ns)
        if fn is not None:
            return fn
    return _compile(tree, ns)


def _generated(tree: tuple, ns: Namespace) -> Getter | None:
    """The condition as one generated function, or None where the closures must do.

    The source is built only from the checked tree: attribute reads of the state with
    indexes, ``repr`` of flag ids and of numbers that round-trip, Python's own operators,
    every node parenthesised. The author's text is never evaluated, and the function sees no
    builtins."""
    try:
        source = "lambda s: " + _source(tree, ns)
    except _NotGenerated:
        return None
    return _function(source)


@functools.lru_cache(maxsize=4096)  # a server may load many scenarios
def _function(source: str) -> Getter | None:
    """The function of a generated source; identical conditions (in one scenario or another)
    share one, so a scenario repeating a condition pays for compiling it once."""
    try:
        code = compile(source, "<condition>", "eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None  # e.g. nested deeper than Python's parser takes: closures then
    return eval(code, {"__builtins__": {}})  # noqa: S307 - generated from the checked tree


class _NotGenerated(Exception):
    pass


def condition_source(cond: Condition, ns: Namespace) -> str | None:
    """A parenthesised Python expression over a state named ``s`` that computes ``cond`` as
    ``compile_condition``'s function does (same value, same type), for code generated from a
    scenario (``engine.play.rules``); None where only the closures will do. Built from the
    checked tree only, as ``_generated`` explains."""
    try:
        return _source(cond.tree, ns)
    except _NotGenerated:
        return None


_TRACK_NAMES = ("track1", "track1_5", "track2")


def _source(node: tuple, ns: Namespace) -> str:  # noqa: C901 - one branch per node kind
    """A Python expression over the state ``s`` computing ``node`` as ``_compile`` does."""
    kind = node[0]
    if kind == "lit":
        value = node[1]
        if isinstance(value, int):  # bool included: True, False
            return repr(value)
        text = repr(value)
        if not isinstance(value, float) or text in ("inf", "nan") or float(text) != value:
            raise _NotGenerated
        return text
    if kind == "name":
        name = node[1]
        if name.startswith("flags."):
            return f"({name[len('flags.'):]!r} in s.flags)"
        if name.startswith(("ending.", "grade.")):
            raise _NotGenerated  # lessons only: the closures do
        if name in ns.indicators:
            return f"s.values[{int(ns.indicators[name])}]"
        if name == "round":
            return "s.round_no"
        if name == "last_track":
            return "s.last_track"
        if name in _TRACK_NAMES:
            return f"s.tracks[{_TRACK_NAMES.index(name)}]"
        raise _NotGenerated
    if kind == "not":
        sub = node[1]
        if sub[0] == "name" and sub[1].startswith("flags."):
            return f"({sub[1][len('flags.'):]!r} not in s.flags)"
        return f"(not {_source(sub, ns)})"
    if kind == "neg":
        return f"(-{_source(node[1], ns)})"
    if kind == "cmp":
        if node[1] not in _CMP:
            raise _NotGenerated
        return f"({_source(node[2], ns)} {node[1]} {_source(node[3], ns)})"
    op = {"and": "and", "or": "or", "add": "+", "sub": "-"}.get(kind)
    if op is None:
        raise _NotGenerated
    return f"({_source(node[1], ns)} {op} {_source(node[2], ns)})"


def _compile(node: tuple, ns: Namespace) -> Getter:  # noqa: C901 - one branch per node kind
    kind = node[0]
    if kind == "lit":
        value = node[1]
        return lambda s: value
    if kind == "name":
        name = node[1]
        if name.startswith("flags."):
            flag = name[len("flags.") :]
            return lambda s: flag in s.flags
        if name.startswith("ending."):
            ending = name[len("ending.") :]
            return lambda s: s.ending_id == ending
        if name.startswith("grade."):
            grade = name[len("grade.") :]
            ids = frozenset(e for e, g in (ns.endings or {}).items() if g == grade)
            return lambda s: s.ending_id in ids
        if name in ns.indicators:
            i = ns.indicators[name]
            return lambda s: s.values[i]
        if name == "round":
            return lambda s: s.round_no
        if name == "last_track":
            return lambda s: s.last_track
        i = ("track1", "track1_5", "track2").index(name)
        return lambda s: s.tracks[i]
    if kind == "not":
        sub = node[1]
        if sub[0] == "name" and sub[1].startswith("flags."):
            flag = sub[1][len("flags.") :]
            return lambda s: flag not in s.flags
        inner = _compile(sub, ns)
        return lambda s: not inner(s)
    if kind == "neg":
        inner = _compile(node[1], ns)
        return lambda s: -inner(s)
    left, right = _compile(node[1 if kind != "cmp" else 2], ns), _compile(
        node[2 if kind != "cmp" else 3], ns
    )
    if kind == "and":
        return lambda s: left(s) and right(s)
    if kind == "or":
        return lambda s: left(s) or right(s)
    if kind == "add":
        return lambda s: left(s) + right(s)
    if kind == "sub":
        return lambda s: left(s) - right(s)
    op = _CMP[node[1]]
    # Specialise the common `indicator OP literal` shape into one call per evaluation (this is
    # the hot path of play and exploration), then `name OP literal`: one call fewer.
    if node[3][0] == "lit":
        lit = node[3][1]
        a = node[2]
        if a[0] == "name" and a[1] in ns.indicators:
            return _INDICATOR_VS_LITERAL[node[1]](ns.indicators[a[1]], lit)
        return lambda s: op(left(s), lit)
    return lambda s: op(left(s), right(s))


def _ind_lt(i: int, lit: object) -> Getter:
    return lambda s: s.values[i] < lit


def _ind_le(i: int, lit: object) -> Getter:
    return lambda s: s.values[i] <= lit


def _ind_gt(i: int, lit: object) -> Getter:
    return lambda s: s.values[i] > lit


def _ind_ge(i: int, lit: object) -> Getter:
    return lambda s: s.values[i] >= lit


def _ind_eq(i: int, lit: object) -> Getter:
    return lambda s: s.values[i] == lit


def _ind_ne(i: int, lit: object) -> Getter:
    return lambda s: s.values[i] != lit


_INDICATOR_VS_LITERAL = {"<": _ind_lt, "<=": _ind_le, ">": _ind_gt, ">=": _ind_ge,
                         "==": _ind_eq, "!=": _ind_ne}
