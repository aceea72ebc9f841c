"""What the in-game screens share: the header, the indicator panel and the round counter,
all read from the session the app hands down."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from engine.play.session import Session
from engine.scenario.model import Option


def history(session: Session) -> dict[str, list[int]]:
    """Each indicator's values after the start and after every decision so far."""
    return {
        ind.id: [o.after[n] for o in session.outcomes]
        for n, ind in enumerate(session.scenario.indicators)
    }


def round_label(session: Session, round_no: int) -> str:
    total = len(session.scenario.rounds)
    return f"Round {min(round_no, total)} of {total}"


def rewind_steps(session: Session) -> list[tuple[int, str, Option]]:
    """(round, round title, option chosen) for each decision so far: the rounds a what-if
    can go back to."""
    scn = session.scenario
    return [(d.round_no, scn.rounds[d.round_no - 1].title, scn.option(d.option_id))
            for d in session.decisions]


class GameScreen(Screen):
    """Base for the decision, outcome and debrief screens."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("d", "questions", "Questions"),
    ]

    def __init__(self, session: Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session

    @property
    def scenario(self):
        return self.session.scenario

    def action_back(self) -> None:
        self.dismiss()
