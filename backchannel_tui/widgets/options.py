"""The round's options as a list: number, track badge, title; options that are not offered
stay visible, greyed, with the scenario's ``unavailable`` text."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option as ListOption

from backchannel_tui.text import esc, track_badge
from engine.scenario.model import Option


def option_prompt(number: int, option: Option, offered: bool) -> Content:
    if offered:
        return Content.from_markup(
            f"[b]{number}[/b] {track_badge(option.track)} {esc(option.title)}"
        )
    why = option.unavailable or "Not available in the present situation."
    return Content.from_markup(
        f"[dim][b]{number}[/b] {track_badge(option.track)} [s]{esc(option.title)}[/s][/dim]\n"
        f"   [dim i]Not available: {esc(why)}[/]"
    )


class OptionPicker(OptionList):
    """Options of one round. The list itself only highlights and selects; the screen
    decides what a selection means (ask for confirmation, or explain it is unavailable)."""

    BINDINGS = [Binding("enter", "select", "Choose")]

    def __init__(self, choices: list[tuple[Option, bool]], id: str | None = "options") -> None:
        self.choices = choices
        super().__init__(
            *(ListOption(option_prompt(n, o, ok), id=o.id)
              for n, (o, ok) in enumerate(choices, 1)),
            id=id,
        )

    def option_at(self, index: int | None) -> tuple[Option, bool] | None:
        if index is None or not 0 <= index < len(self.choices):
            return None
        return self.choices[index]


class OpenList(OptionList):
    """An option list whose Enter shows in the footer as 'Open'."""

    BINDINGS = [Binding("enter", "select", "Open")]


class RewindList(OptionList):
    BINDINGS = [Binding("enter", "select", "Rewind here")]
