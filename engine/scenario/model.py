"""The frozen scenario model. YAML keys are exactly these attribute names.

Built only by ``engine.scenario.loader``; nothing downstream sees raw dicts. docs/scenario-format.md
documents every field; docs/scenario.schema.json is generated from these classes
(``python -m engine.scenario.schema``).
"""

from __future__ import annotations

import operator
import re
from typing import Any, NoReturn, TypeVar, dataclass_transform

import attrs

from engine.scenario.conditions import Condition
from engine.scenario.vocabulary import ActorKind, Better, Track

FORMAT_VERSION = 1
_T = TypeVar("_T")


def _repr(self: Any) -> str:
    """What attrs' own ``__repr__`` prints (``Citation(source='x', paragraph=1, last=None)``),
    shared by every model class: attrs would generate and compile one per class, a quarter
    of what defining the model costs at every start. The model is acyclic (frozen values all
    the way down), so attrs' guard against printing a cycle is not needed."""
    cls = self.__class__
    inner = ", ".join([f"{a.name}={getattr(self, a.name)!r}" for a in attrs.fields(cls)])
    return f'{cls.__qualname__.rsplit(">.", 1)[-1]}({inner})'


def _eq(self: Any, other: object) -> bool:
    """What attrs' own ``__eq__`` does (same class, then every field equal in order), shared
    like ``_repr``: attrs would compile an ``__eq__`` and a ``__hash__`` for each class, about
    3 ms of every start (`backchannel check` included). The fields' getter is made once per
    class by ``_frozen``."""
    if other.__class__ is not self.__class__:
        return NotImplemented
    cls: Any = self.__class__
    return cls._values(self) == cls._values(other)


def _ne(self: Any, other: object) -> bool:
    result = _eq(self, other)
    return result if result is NotImplemented else not result


def _hash(self: Any) -> int:
    cls: Any = self.__class__
    return hash((cls._salt, cls._values(self)))


@dataclass_transform(frozen_default=True, field_specifiers=(attrs.field,))
def _frozen(cls: type[_T]) -> type[_T]:
    """``attrs.frozen`` with the shared ``__repr__``, ``__eq__`` and ``__hash__`` (equal
    instances hash alike; a class's hashes are salted by its name, as attrs salts them).

    Without ``__slots__``: attrs then keeps the class it was given instead of building a
    second one, an eighth less of what defining the model costs at every start (`check`
    included); a scenario has a few thousand of these objects, so the memory that slots
    would save is small, and reading their fields is as quick either way."""
    cls.__repr__ = _repr  # type: ignore[method-assign]
    made: Any = attrs.frozen(repr=False, eq=False, slots=False)(cls)
    names = [a.name for a in attrs.fields(made) if a.eq]
    made._values = operator.attrgetter(*names) if names else (lambda obj: ())
    made._salt = hash(made.__qualname__)
    made.__eq__, made.__ne__, made.__hash__ = _eq, _ne, _hash
    return made


_CITE = re.compile(r"^\s*([a-z0-9][a-z0-9._-]*)\s*(?:¶|#)\s*(\d+)(?:\s*[-–]\s*(\d+))?\s*$")


@_frozen
class Citation:
    """A paragraph (or range) of a declared source. YAML: ``"kang-kwa-2025 ¶15"`` or
    ``"haggard-2024 ¶4-5"`` (``#`` may stand for ``¶``)."""

    source: str
    paragraph: int
    last: int | None = None

    @classmethod
    def parse(cls, text: object) -> Citation:
        if not isinstance(text, str):
            raise ValueError(
                f'a citation is text such as "kang-kwa-2025 ¶15", not {type(text).__name__}'
            )
        m = _CITE.match(text)
        if not m:
            raise ValueError(
                f'cannot read citation {text!r}; write the source id, then ¶ (or #) and the '
                'paragraph number, e.g. "kang-kwa-2025 ¶15" or "haggard-2024 ¶4-5"'
            )
        first, last = int(m.group(2)), int(m.group(3)) if m.group(3) else None
        if first < 1 or (last is not None and last <= first):
            raise ValueError(f"paragraph numbers in {text!r} must start at 1 and ascend")
        return cls(m.group(1), first, last)

    @property
    def paragraphs(self) -> range:
        return range(self.paragraph, (self.last or self.paragraph) + 1)

    def __str__(self) -> str:
        tail = f"-{self.last}" if self.last else ""
        return f"{self.source} ¶{self.paragraph}{tail}"


@_frozen
class Source:
    id: str
    title: str
    authors: tuple[str, ...]
    publisher: str
    date: str
    kind: str = "article"
    url: str | None = None
    paragraphs: int | None = None  # how many numbered paragraphs; citations beyond are errors
    note: str | None = None
    cite_as: str | None = None  # short label such as "Kang & Kwa 2025"

    @property
    def short(self) -> str:
        """``cite_as`` if given, else a guess from the last word of each author's name and
        the year in ``date`` (wrong for family-name-first names: give ``cite_as`` then)."""
        if self.cite_as:
            return self.cite_as
        surnames = [a.split()[-1] for a in self.authors] or [self.publisher]
        who = surnames[0] if len(surnames) == 1 else " & ".join(surnames[:2])
        if len(surnames) > 2:
            who = f"{surnames[0]} et al."
        year = re.search(r"\d{4}", self.date)
        return f"{who} {year.group(0)}" if year else who


@_frozen
class Actor:
    id: str
    name: str
    kind: ActorKind
    interests: str
    stance: str


@_frozen
class Indicator:
    id: str
    label: str
    start: int
    meaning: str
    min: int = 0
    max: int = 10
    better: Better = "higher"


@_frozen
class Flag:
    id: str
    meaning: str


@_frozen
class ChanceCase:
    """One row of a state-dependent chance: the first row whose ``when`` holds gives ``p``."""

    p: float
    when: Condition | None = None


class Changes(dict[str, int]):
    """An effect's indicator changes (indicator id -> delta): a dict that cannot be changed
    and so can be hashed, which keeps Effect, Option, Round, Event and Scenario hashable like
    every other frozen model class. It compares equal to a plain dict with the same items and
    prints like one."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple:
        return (Changes, (dict(self),))

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("an effect's changes cannot be modified")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse


@_frozen
class Otherwise:
    """What happens instead when an effect's chance roll fails."""

    change: dict[str, int] = attrs.field(factory=Changes, converter=Changes)
    set: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()
    text: str | None = None


@_frozen
class Effect:
    """Indicator changes and flags. ``after`` delays it by N rounds; ``chance`` makes it
    uncertain (a probability, or rows of ``{when, p}``); ``when`` is checked when it resolves."""

    change: dict[str, int] = attrs.field(factory=Changes, converter=Changes)
    set: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()
    text: str | None = None
    after: int = 0
    chance: float | tuple[ChanceCase, ...] | None = None
    when: Condition | None = None
    otherwise: Otherwise | None = None


@_frozen
class TradeOff:
    dimension: str
    rating: int
    why: str
    cite: tuple[Citation, ...]


@_frozen
class Option:
    id: str
    track: Track
    title: str
    description: str
    tradeoffs: tuple[TradeOff, ...]
    at_table: tuple[str, ...] = ()  # actor ids
    requires: Condition | None = None
    unavailable: str | None = None  # shown when ``requires`` does not hold
    effects: tuple[Effect, ...] = ()


@_frozen
class ConditionalText:
    when: Condition
    text: str


@_frozen
class Round:
    id: str
    title: str
    situation: str
    options: tuple[Option, ...]
    questions: tuple[str, ...] = ()
    facilitator_notes: str | None = None
    conditional_text: tuple[ConditionalText, ...] = ()
    when: Condition | None = None  # the round is skipped when this does not hold


@_frozen
class Event:
    """An inject: fires at the start of a round (``round``), when a condition holds
    (``when``), or both; once by default."""

    id: str
    title: str
    text: str
    round: int | None = None
    when: Condition | None = None
    once: bool = True
    effects: tuple[Effect, ...] = ()
    cite: tuple[Citation, ...] = ()


@_frozen
class Ending:
    id: str
    title: str
    epilogue: str
    assessment: str
    grade: str  # success | partial | failure (vocabulary.GRADES)
    when: Condition | None = None  # none: the fallback ending
    early: bool = False  # checked at the start of every round, not only after the last
    cite: tuple[Citation, ...] = ()


@_frozen
class Chance:
    """A probability on the right of a comparison: of ``of`` (default: the claim's own event)
    under ``under`` (default random play), given ``given`` (default: nothing)."""

    of: Condition | None = None
    under: str = "random"
    given: Condition | None = None


@_frozen
class ChanceClaim:
    """The probability that the game ends in a state where ``of`` holds, playing by
    ``under``, among the endings where ``given`` holds; compared with numbers (``at_least``,
    ``at_most``) and with other probabilities (``above``, ``below``: strictly)."""

    of: Condition
    under: str = "random"
    given: Condition | None = None
    at_least: float | None = None
    at_most: float | None = None
    above: tuple[Chance, ...] = ()
    below: tuple[Chance, ...] = ()


@_frozen
class Lesson:
    """What the scenario teaches, and a property that `check` proves over every path.
    ``every_ending`` must hold in every state the game can end in; each of ``chances`` must
    hold exactly. ``shown_when`` (over the ending state) marks a game that illustrates it."""

    id: str
    text: str
    cite: tuple[Citation, ...]
    every_ending: Condition | None = None
    chances: tuple[ChanceClaim, ...] = ()
    shown_when: Condition | None = None


@_frozen
class Claim:
    """One sourced sentence of a role's brief."""

    text: str
    cite: tuple[Citation, ...]


@_frozen
class RoleNote:
    """What a role knows or worries about in one round (by round id)."""

    round: str
    text: str
    cite: tuple[Citation, ...]


@_frozen
class Role:
    """A team member's private brief: what this role knows, wants and worries about."""

    id: str
    name: str
    brief: tuple[Claim, ...]
    notes: tuple[RoleNote, ...] = ()


@_frozen
class Duration:
    solo_minutes: int
    workshop_minutes: int


@_frozen
class TeamRole:
    name: str
    brief: str


@_frozen
class About:
    learning_objectives: tuple[str, ...]
    duration: Duration
    team_roles: tuple[TeamRole, ...] = ()


@_frozen
class Scenario:
    format: int
    id: str
    title: str
    region: str
    situation_date: str
    summary: str
    about: About
    sources: tuple[Source, ...]
    indicators: tuple[Indicator, ...]
    rounds: tuple[Round, ...]
    endings: tuple[Ending, ...]
    actors: tuple[Actor, ...] = ()
    flags: tuple[Flag, ...] = ()
    events: tuple[Event, ...] = ()
    lessons: tuple[Lesson, ...] = ()
    roles: tuple[Role, ...] = ()

    # Lookups by id give None when there is no such item: callers test for that.
    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def actor(self, actor_id: str) -> Actor | None:
        return next((a for a in self.actors if a.id == actor_id), None)

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def option(self, option_id: str) -> Option | None:
        return next((o for r in self.rounds for o in r.options if o.id == option_id), None)
