"""The briefing: the situation, then the sections of engine.present.briefing (the player's
private role, the learning objectives, the tracks, the actors and their stances, the
indicators and what they mean, and the workshop's team roles), which line mode prints too."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Header, Static

from backchannel_tui.messages import BeginPlay
from backchannel_tui.screens.base import BaseScreen
from backchannel_tui.text import esc, esc_prose, markup, track_badge
from backchannel_tui.widgets.footer import Footer
from engine.present import briefing
from engine.scenario.model import Role, Scenario
from engine.scenario.vocabulary import ACTOR_KINDS


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


class BriefingScreen(BaseScreen):
    # One of the two Enter bindings shows, so the footer says what the button says.
    BINDINGS = [
        Binding("enter", "begin", "Begin"),
        Binding("enter", "resume_game", "Back to the game"),
        Binding("escape", "back", "Back"),
    ]
    SECTION_IDS = {"role": "role-brief", "indicators": "briefing-indicators"}  # for tests

    def __init__(self, scenario: Scenario, path: Path, in_progress: bool = False,
                 role: Role | None = None) -> None:
        super().__init__()
        self.scenario, self.path, self.in_progress = scenario, path, in_progress
        self.role = role  # one team member's private brief (`play --role`), shown first

    def compose(self) -> ComposeResult:
        scn = self.scenario
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="briefing-body"):
            yield _md(f"[b]{esc(scn.title)}[/b]", "screen-title")
            yield _md(f"[$text-secondary]{esc(' · '.join(briefing.facts(scn)))}[/]")
            yield _md(esc_prose(scn.summary, scn), "briefing-summary")
            for section in briefing.sections(scn, self.role):
                yield _md(esc(section.title), "section-title")
                yield from self._section(section)
            with Horizontal(classes="screen-buttons"):
                label = "Back to the game (enter)" if self.in_progress else "Begin (enter)"
                yield Button(label, id="begin", variant="primary")
        yield Footer(compact=True)

    def _section(self, section: briefing.Section) -> ComposeResult:
        """One section of the briefing (engine.present.briefing: the same words and order as
        line mode), laid out for the screen: the actors as a table or blocks, the tracks
        behind their badges, every other entry as a bullet."""
        if section.kind == "actors":
            yield from self._actors(section)
            return
        lines = []
        for item in section.items:
            first, *rest = (markup(line) for line in item.lines)
            lead = track_badge(item.subject) if section.kind == "tracks" else "•"
            lines.append("\n".join([f"{lead} {first}", *(f"  {x}" for x in rest)]))
        yield _md("\n".join(lines), id=self.SECTION_IDS.get(section.kind))

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self.sub_title = "Briefing"
        self.query_one("#briefing-body").focus()

    def _actors(self, section: briefing.Section) -> ComposeResult:
        """The actors twice, one shown by width (app.tcss): a table whose cells wrap (medium
        and wide), and one block per actor (narrow), the section's lines as they are. Nothing
        is ever cut: every cell is a Static that wraps in its column."""
        scn = self.scenario
        kinds = "\n".join(f"{k}: {v}" for k, v in ACTOR_KINDS.items())
        with Grid(id="actors") as grid:
            grid.tooltip = kinds
            for head in ("Actor", "Kind", "Interests", "Stance"):
                yield _md(f"[b]{head}[/b]", "actor-cell actor-head")
            for a in (item.subject for item in section.items):
                yield _md(f"[b]{esc(a.name)}[/b]", "actor-cell")
                yield _md(esc(a.kind), "actor-cell")
                yield _md(esc_prose(a.interests, scn), "actor-cell")
                yield _md(esc_prose(a.stance, scn), "actor-cell")
        with Vertical(id="actors-list") as blocks:
            blocks.tooltip = kinds
            for item in section.items:
                yield _md("\n".join(markup(line) for line in item.lines), "actor-block")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_begin()

    def action_begin(self) -> None:
        self.post_message(BeginPlay(self.path))

    def action_resume_game(self) -> None:
        self.action_begin()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "begin":
            return not self.in_progress
        if action == "resume_game":
            return self.in_progress
        return True

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Back to the game" if self.in_progress else "Begin",
                            "Start or go back to the game (enter)", self.action_begin)

    def set_in_progress(self, value: bool) -> None:
        self.in_progress = value
        if self.is_mounted:
            label = "Back to the game (enter)" if value else "Begin (enter)"
            self.query_one("#begin", Button).label = label
            self.refresh_bindings()
