"""The fixed vocabularies a scenario draws on: tracks, trade-off dimensions, actor kinds, which
way an indicator is better, how an effect resolved, and what an id may look like. Each is
defined here once, as a type (an enum or a Literal) with its values; code elsewhere names the
type instead of re-typing the words, so mypy catches a misspelt value.

Every trade-off dimension is rated from -2 to +2 where **+ is favourable** for the option
(so "low_exposure: +2" means the option carries little political exposure).
"""

from __future__ import annotations

import enum
import re
from typing import Literal, NamedTuple, get_args


class Track(enum.Enum):
    """The diplomatic track of an option. Written in YAML as the number 1, 1.5 or 2."""

    T1 = "1"
    T1_5 = "1.5"
    T2 = "2"

    @property
    def label(self) -> str:
        return f"Track {self.value}"

    @property
    def short(self) -> str:
        return f"T{self.value}"

    @property
    def number(self) -> float:
        return float(self.value)

    @classmethod
    def from_yaml(cls, value: object) -> Track:
        """1 -> T1, 1.5 -> T1_5, 2 -> T2; anything else (including the string "1") is refused."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"track must be the number 1, 1.5 or 2, not {value!r}")
        for track in cls:
            if float(value) == track.number:
                return track
        raise ValueError(f"track must be 1, 1.5 or 2, not {value!r}")


TRACK_BLURBS = {
    Track.T1: "official, state-to-state diplomacy through government channels",
    Track.T1_5: "officials in a personal capacity sitting beside independent experts",
    Track.T2: "unofficial dialogue: experts, think tanks, networks such as CSCAP",
}


class Dimension(NamedTuple):
    id: str
    label: str
    meaning: str  # what a + rating means


DIMENSIONS: dict[str, Dimension] = {
    d.id: d
    for d in (
        Dimension(
            "inclusiveness",
            "Inclusiveness",
            "+ brings in actors who otherwise have no seat (opposition, non-state, civil society)",
        ),
        Dimension(
            "official_weight",
            "Official weight",
            "+ outcomes carry the authority of governments and can bind them",
        ),
        Dimension(
            "flexibility",
            "Flexibility / deniability",
            "+ participants can float ideas and retreat from them without loss of face",
        ),
        Dimension("speed", "Speed of results", "+ results show within weeks, not years"),
        Dimension(
            "track1_uptake",
            "Feeds into Track-1",
            "+ what is produced has a clear path into official decisions",
        ),
        Dimension(
            "continuity",
            "Continuity",
            "+ the channel keeps running through political shifts and crises",
        ),
        Dimension(
            "low_exposure",
            "Low political exposure",
            "+ little risk of legitimising a party, losing face or provoking backlash",
        ),
        Dimension(
            "low_cost",
            "Low cost",
            "+ cheap in money and in scarce senior officials' time",
        ),
        Dimension(
            "trust_building",
            "Trust building",
            "+ builds confidence between people and parties over time",
        ),
        Dimension(
            "risk_reduction",
            "Reduces miscalculation",
            "+ helps parties read each other's intentions and capabilities correctly",
        ),
    )
}

RATING_MIN, RATING_MAX = -2, 2
GLYPHS = {-2: "--", -1: "-", 0: "0", 1: "+", 2: "++"}

ActorKind = Literal[
    "state", "armed-forces", "opposition", "armed-group", "intergovernmental", "humanitarian",
    "track2-network", "track15-forum", "civil-society", "other",
]
ACTOR_KINDS: dict[ActorKind, str] = {
    "state": "a government acting for a state",
    "armed-forces": "a military or a regime run by one",
    "opposition": "a political opposition or government in exile",
    "armed-group": "a non-state armed organisation",
    "intergovernmental": "an intergovernmental body or its office holders",
    "humanitarian": "UN agencies, INGOs and other aid providers",
    "track2-network": "an unofficial expert network or think tank",
    "track15-forum": "a forum mixing officials in a personal capacity with experts",
    "civil-society": "local civil society groups",
    "other": "anything else",
}

# Which way an indicator is better for the players ("neither": a dial, not a score).
Better = Literal["higher", "lower", "neither"]
BETTER: tuple[Better, ...] = get_args(Better)

# How an effect resolved: 'applied'; 'failed' (its chance roll lost; the `otherwise` branch
# applied if it has one); 'void' (its `when` no longer held); 'dropped' (due after the game
# ended, so it never came due).
Status = Literal["applied", "failed", "void", "dropped"]
STATUSES: tuple[Status, ...] = get_args(Status)

# What an effect belongs to: an option chosen or an event that fired.
OwnerKind = Literal["option", "event"]

# Ids: a lower-case letter, then lower-case letters, digits, '-' or '_'. Indicator and flag
# ids are read as names inside conditions, where '-' would be a minus: no '-' there.
# ID_RE / NAME_RE end with \Z, not $: `$` also matches before a trailing newline, so "a\n"
# would pass and end up in file names. The JSON Schema (ECMA-262 regexes, where `$` is the
# end of the text) uses ID_CHARS / NAME_CHARS between ^ and $.
ID_CHARS = r"[a-z][a-z0-9_-]*"
NAME_CHARS = r"[a-z][a-z0-9_]*"
ID_RE = re.compile(ID_CHARS + r"\Z")
NAME_RE = re.compile(NAME_CHARS + r"\Z")


def is_id(text: str) -> bool:
    """Whether ``text`` is a valid id (scenario, source, actor, round, option, event, ending)."""
    return ID_RE.match(text) is not None

# How an ending went, best first. Workshops compare teams by it; lessons read it as `grade.<g>`.
Grade = Literal["success", "partial", "failure"]
GRADES: tuple[Grade, ...] = get_args(Grade)

# Ways of playing a lesson's chance claims are judged under (docs/scenario-format.md#lessons):
# uniformly random; always a given track where one is offered (uniformly among its options,
# uniformly among all elsewhere); and the best and worst any plan can do for the event.
POLICIES: dict[str, str] = {
    "random": "uniformly random play",
    "random-track": "a track chosen uniformly among those offered, then one of its options",
    "track-1": "always a Track-1 option where one is offered",
    "track-1.5": "always a Track-1.5 option where one is offered",
    "track-2": "always a Track-2 option where one is offered",
    "best": "the plan that makes the event most likely",
    "worst": "the plan that makes the event least likely",
}
