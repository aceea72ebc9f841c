"""The briefing before play, for both front ends: what it says, line by line, and in which
order. The app lays it out (badges, a table of actors) and line mode prints it as plain
text, so a screen-reader player is told what a sighted one sees."""

from __future__ import annotations

from typing import Any

import attrs

from engine.present import wording as w
from engine.present.reflow import reflow
from engine.present.wording import Phrase
from engine.scenario.model import Indicator, Role, Scenario
from engine.scenario.vocabulary import TRACK_BLURBS, Track


def facts(scn: Scenario) -> list[str]:
    """['Region', 'Situation date', '3 rounds', '10 min solo', '45 min workshop'], for a front
    end to join its way (the app with ' · ')."""
    d = scn.about.duration
    return [scn.region, scn.situation_date,
            *w.length(len(scn.rounds), d.solo_minutes, d.workshop_minutes)]


# Section titles, as both front ends show them.
OBJECTIVES_TITLE = "What this game is for"
TRACKS_TITLE = "The three tracks"
ACTORS_TITLE = "Actors and their stances"
INDICATORS_TITLE = "Indicators"
INTERESTS, STANCE = "Interests:", "Stance:"


def role_title(role: Role) -> str:
    return f"Your role (private): {role.name}"


@attrs.frozen
class Item:
    """One entry of a section: its lines (the first is the entry itself, the others go under
    it), and what it is about (a Track, an Actor, an Indicator, ...) for a front end's own
    layout: the app shows a track as its coloured badge, line mode as 'Track 1: '."""

    lines: tuple[Phrase, ...]
    subject: Any = None


@attrs.frozen
class Section:
    kind: str  # "role", "objectives", "tracks", "actors", "indicators" or "team_roles"
    title: str
    items: tuple[Item, ...]


def role_section(scn: Scenario, role: Role) -> Section:
    """One team member's private brief (`play --role`), shown first."""
    return Section("role", role_title(role), tuple(
        Item((w.phrase(w.prose(scn, c.text), " ", w.cited(scn, c.cite)),), c)
        for c in role.brief))


def indicator_item(ind: Indicator) -> Item:
    """'Trust (starts at 3, 0-10, higher is better)', then what the indicator means."""
    return Item((w.phrase(w.Span(ind.label, w.STRONG), " ", w.Span(
        f"(starts at {ind.start}, {ind.min}-{ind.max}, {w.better_hint(ind)})", w.MUTED)),
        w.phrase(reflow(ind.meaning))), ind)


def sections(scn: Scenario, role: Role | None = None) -> list[Section]:
    """What the briefing shows after the facts and the summary, in order: the player's
    private role, the learning objectives, the three tracks, the actors, the indicators and
    the workshop's team roles (sections with nothing to show left out)."""
    out = [role_section(scn, role)] if role is not None else []
    out.append(Section("objectives", OBJECTIVES_TITLE, tuple(
        Item((w.prose(scn, o),), o) for o in scn.about.learning_objectives)))
    out.append(Section("tracks", TRACKS_TITLE, tuple(
        Item((w.phrase(TRACK_BLURBS[t]),), t) for t in Track)))
    if scn.actors:
        out.append(Section("actors", ACTORS_TITLE, tuple(
            Item((w.phrase(w.Span(a.name, w.STRONG), " ", w.Span(f"({a.kind})", w.MUTED)),
                  w.phrase(w.Span(INTERESTS, w.LABEL), " ", w.prose(scn, a.interests)),
                  w.phrase(w.Span(STANCE, w.LABEL), " ", w.prose(scn, a.stance))), a)
            for a in scn.actors)))
    out.append(Section("indicators", INDICATORS_TITLE,
                       tuple(indicator_item(i) for i in scn.indicators)))
    if scn.about.team_roles:
        out.append(Section("team_roles", w.TEAM_ROLES_TITLE, tuple(
            Item((w.phrase(w.Span(r.name, w.STRONG), ": ", w.prose(scn, r.brief)),), r)
            for r in scn.about.team_roles)))
    return out
