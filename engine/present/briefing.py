"""The briefing before play, for both front ends: what it says, line by line, and in which
order. The app lays it out (badges, a table of actors) and line mode prints it as plain
text, so a screen-reader player is told what a sighted one sees."""

from __future__ import annotations

from engine.present import wording as w
from engine.scenario.model import Scenario


def facts(scn: Scenario) -> list[str]:
    """['Region', 'Situation date', '3 rounds', '10 min solo', '45 min workshop'], for a front
    end to join its way (the app with ' · ')."""
    d = scn.about.duration
    return [scn.region, scn.situation_date,
            *w.length(len(scn.rounds), d.solo_minutes, d.workshop_minutes)]
