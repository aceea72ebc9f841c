"""What the in-game screens share: the header, the indicator panel and the round counter,
all read from the session the app hands down."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.binding import Binding

from backchannel_tui.screens.base import BaseScreen
from engine.play.session import Session


def round_label(session: Session, round_no: int) -> str:
    total = len(session.scenario.rounds)
    return f"Round {min(round_no, total)} of {total}"


class GameScreen(BaseScreen):
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

    def action_questions(self) -> None:
        raise NotImplementedError

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Discussion questions", "Questions to discuss (d)",
                            self.action_questions)
        yield SystemCommand("Back", "Back to the briefing (escape)", self.action_back)
