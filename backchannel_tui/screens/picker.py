"""The first screen: bundled scenarios (title, region, date, duration, summary) and saved
games to resume."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from backchannel_tui.messages import OpenScenario, ResumeSave
from backchannel_tui.screens.base import BaseScreen
from backchannel_tui.textbase import esc, prose
from backchannel_tui.widgets.footer import Footer
from backchannel_tui.widgets.lists import OpenList
from engine.play.savelog import SaveInfo, data_dir, list_saves
from engine.present.numbers import count, length
from engine.scenario import catalog, meta
from engine.scenario.meta import info as scenario_info


def scenario_prompt(path: Path) -> tuple[Content, bool]:
    """The picker line of a scenario file, and whether it can be opened. Only the metadata
    is read here (fast); opening the scenario checks it fully and explains any problem."""
    meta = scenario_info(path)
    if meta.problem:
        return Content.from_markup(
            f"[b]{esc(path.stem)}[/b] (cannot be played)\n[i]{esc(meta.problem)}[/i]"), False
    facts = [meta.region, meta.situation_date,
             *length(meta.rounds, meta.solo_minutes, meta.workshop_minutes)]
    return Content.from_markup(
        f"[b]{esc(meta.title)}[/b]\n"
        f"[i]{esc(' · '.join(facts))}[/i]\n"
        f"{esc(prose(meta.summary))}"), True


def _when(info: SaveInfo) -> str:
    return dt.datetime.fromtimestamp(info.updated).strftime("%d %b %Y %H:%M")


def whatif_label(info: SaveInfo, parent: SaveInfo | None) -> str:
    """'what-if of the game saved 02 Dec 2026 18:40, from round 2' (empty for a game that
    is not a what-if)."""
    if info.parent is None:
        return ""
    of = f"the game saved {_when(parent)}" if parent is not None else "an earlier game"
    at = f", from round {info.parent_round}" if info.parent_round else ""
    return f"what-if of {of}{at}"


def save_prompt(info: SaveInfo, parent: SaveInfo | None = None) -> Content:
    when = _when(info)
    if info.damaged:
        return Content.from_markup(f"[b]{esc(info.path.name)}[/b] (cannot be opened)\n"
                                   f"[i]{esc(info.problem or '')}[/i]")
    where = "[b]finished[/b]" if info.over else f"at round {info.round_no}"
    team = f" · team {esc(info.team)}" if info.team else ""
    whatif = whatif_label(info, parent)
    return Content.from_markup(
        f"[b]{esc(info.title)}[/b]{team}"
        + (f" · [$text-accent]{esc(whatif)}[/]" if whatif else "") + "\n"
        f"[i]{where} · {count(info.decisions, 'decision')} · saved {when}[/i]"
    )


class PickerScreen(BaseScreen):
    """Pick a bundled scenario or resume a saved game. Enter (or a click) opens it."""

    # The scenarios list is focused by hand (on_screen_resume), not by AUTO_FOCUS: Textual
    # would bring it into view with a 0.2 s animated scroll, repainting the whole screen at
    # every frame just as it first appears; the same scroll, done at once, ends alike.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("s", "focus_saves", "Saved games"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saves: list[SaveInfo] = []
        self.scenario_paths: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="picker-body"):
            yield Static(Content.from_markup(
                "[b]backchannel[/b] · a scenario discussion game about diplomacy: choose "
                "between Track-1, Track-1.5 and Track-2, weigh their sourced trade-offs, and "
                "see the consequences play out."), id="picker-intro")
            yield Static("", id="saves-hint")
            yield Static("Scenarios", classes="section-title")
            yield OpenList(id="scenarios")
            yield Static("Saved games", classes="section-title")
            yield OpenList(id="saves")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "backchannel"
        self.sub_title = "Choose a scenario"

    def on_screen_resume(self) -> None:
        # Runs when the picker is first shown and whenever the player comes back to it.
        self.reload()
        if self.focused is None:
            self.set_focus(self.query_one("#scenarios"), scroll_visible=False)
            self.call_after_refresh(self._show_focused)

    def _show_focused(self) -> None:
        focused = self.focused
        if focused is not None and not self.can_view_entire(focused):
            self.scroll_to_center(focused, animate=False, origin_visible=True)

    def reload(self) -> None:
        scen = self.query_one("#scenarios", OptionList)
        highlighted = scen.highlighted
        scen.clear_options()
        # What the picker shows of each scenario is kept for the next start (engine.scenario.
        # meta), except when served: the server's data folder is no visitor's business.
        served = getattr(self.app, "served", False)
        meta.remember_in(None if served else data_dir() / "scenario-info.json")
        self.scenario_paths = catalog.bundled()
        for n, path in enumerate(self.scenario_paths):
            if n:
                scen.add_option(None)
            prompt, ok = scenario_prompt(path)
            scen.add_option(ListOption(prompt, id=str(path), disabled=not ok))
        if not self.scenario_paths:
            scen.add_option(ListOption(Content.from_markup(
                "[dim]No bundled scenarios found. Start one with "
                "[b]backchannel play FILE.yaml[/b].[/]"), disabled=True))
        if highlighted is not None and highlighted < scen.option_count:
            scen.highlighted = highlighted
        elif scen.option_count:
            scen.highlighted = 0
        saves = self.query_one("#saves", OptionList)
        saves.clear_options()
        if served:
            # In a browser: the saved games are the server's user's, not this visitor's.
            self.saves = []
            self.query_one("#saves-hint", Static).display = False
            saves.add_option(ListOption(Content.from_markup(
                "[dim]Saved games are not listed when backchannel is served in a browser.[/]"),
                disabled=True))
            return
        self.saves = list_saves()
        by_path = {str(info.path): info for info in self.saves}
        for n, info in enumerate(self.saves):
            if n:
                saves.add_option(None)
            saves.add_option(ListOption(save_prompt(info, by_path.get(info.parent or "")),
                                        id=str(info.path),
                                        disabled=info.damaged))
        if self.saves:
            saves.highlighted = 0
        going = sum(not info.over for info in self.saves)
        hint = self.query_one("#saves-hint", Static)
        hint.display = bool(going)
        if going:
            hint.update(Content.from_markup(
                f"[b $text-accent]{count(going, 'game')} in progress[/]: press "
                "[b]s[/b] to pick one under Saved games."))
        else:
            saves.add_option(ListOption(Content.from_markup(
                "[dim]No saved games yet: every decision is saved as you play.[/]"),
                disabled=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        if event.option_list.id == "saves":
            self.post_message(ResumeSave(Path(event.option.id)))
        else:
            self.post_message(OpenScenario(Path(event.option.id)))

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList) and focused.highlighted is not None:
            focused.action_select()

    def action_focus_saves(self) -> None:
        self.query_one("#saves", OptionList).focus()
