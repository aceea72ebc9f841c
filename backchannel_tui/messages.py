"""Intents that screens post up to the app. The app (which owns the engine Session) acts on
them and pushes new screens down with the data they render: messages up, attributes down."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message


class OpenScenario(Message):
    """Show the briefing of a scenario file (from the picker)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class ResumeSave(Message):
    """Resume a saved game (a session log)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class BeginPlay(Message):
    """Start (or go back to) the game of the briefed scenario."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class Decide(Message):
    """The player confirmed an option, with the reason they typed (if any)."""

    def __init__(self, option_id: str, why: str | None = None) -> None:
        super().__init__()
        self.option_id = option_id
        self.why = why


class SetStudy(Message):
    """Study mode on or off: exact effects shown before a choice (kept for later rounds)."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on = on


class Continue(Message):
    """The player has read the outcome; show the next round or the debrief."""


class Rewind(Message):
    """What-if: branch the game at an earlier round and choose differently."""

    def __init__(self, at_round: int) -> None:
        super().__init__()
        self.at_round = at_round


class Export(Message):
    """Write the debrief as Markdown and HTML into ``directory``; None: hand both to the
    browser as downloads (a served app never writes where a visitor says)."""

    def __init__(self, directory: Path | None) -> None:
        super().__init__()
        self.directory = directory
