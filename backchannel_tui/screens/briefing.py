"""The briefing: the situation, the actors and their stances, the indicators and what they
mean, the tracks, and (for workshops) the team roles."""

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
from engine.present import wording as w
from engine.scenario.model import Role, Scenario
from engine.scenario.vocabulary import ACTOR_KINDS, TRACK_BLURBS, Track


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


class BriefingScreen(BaseScreen):
    # One of the two Enter bindings shows, so the footer says what the button says.
    BINDINGS = [
        Binding("enter", "begin", "Begin"),
        Binding("enter", "resume_game", "Back to the game"),
        Binding("escape", "back", "Back"),
    ]

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
            if self.role is not None:
                yield _md(f"Your role (private): {esc(self.role.name)}", "section-title")
                yield _md("\n".join(
                    "• " + markup(w.phrase(c.text, " ", w.cited(scn, c.cite)))
                    for c in self.role.brief), id="role-brief")
            yield _md("What this game is for", "section-title")
            yield _md("\n".join(f"• {esc(o)}" for o in scn.about.learning_objectives))
            yield _md("The three tracks", "section-title")
            yield _md("\n".join(f"{track_badge(t)} {esc(TRACK_BLURBS[t])}" for t in Track))
            if scn.actors:
                yield _md("Actors and their stances", "section-title")
                yield from self._actors()
            yield _md("Indicators", "section-title")
            yield _md("\n".join(self._indicator_line(i) for i in scn.indicators),
                      id="briefing-indicators")
            if scn.about.team_roles:
                yield _md(w.TEAM_ROLES_TITLE, "section-title")
                yield _md("\n".join(f"• [b]{esc(r.name)}[/b]: {esc(r.brief)}"
                                    for r in scn.about.team_roles))
            with Horizontal(classes="screen-buttons"):
                label = "Back to the game (enter)" if self.in_progress else "Begin (enter)"
                yield Button(label, id="begin", variant="primary")
        yield Footer(compact=True)

    @staticmethod
    def _indicator_line(ind) -> str:
        better = esc(w.better_hint(ind))
        return (f"• [b]{esc(ind.label)}[/b] [dim](starts at {ind.start}, "
                f"{ind.min}-{ind.max}, {better})[/]\n  {esc(ind.meaning)}")

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self.sub_title = "Briefing"
        self.query_one("#briefing-body").focus()

    def _actors(self) -> ComposeResult:
        """The actors twice, one shown by width (app.tcss): a table whose cells wrap (medium
        and wide), and one block per actor (narrow). Nothing is ever cut: every cell is a
        Static that wraps in its column."""
        kinds = "\n".join(f"{k}: {v}" for k, v in ACTOR_KINDS.items())
        with Grid(id="actors") as grid:
            grid.tooltip = kinds
            for head in ("Actor", "Kind", "Interests", "Stance"):
                yield _md(f"[b]{head}[/b]", "actor-cell actor-head")
            for a in self.scenario.actors:
                yield _md(f"[b]{esc(a.name)}[/b]", "actor-cell")
                yield _md(esc(a.kind), "actor-cell")
                yield _md(esc(a.interests), "actor-cell")
                yield _md(esc(a.stance), "actor-cell")
        with Vertical(id="actors-list") as blocks:
            blocks.tooltip = kinds
            for a in self.scenario.actors:
                yield _md(f"[b]{esc(a.name)}[/b] [dim]({esc(a.kind)})[/]\n"
                          f"[$text-secondary]Interests:[/] {esc(a.interests)}\n"
                          f"[$text-secondary]Stance:[/] {esc(a.stance)}", "actor-block")

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
