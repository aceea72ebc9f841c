"""The round's options as a list: number, track badge, title (a long title wraps under its
own first character). Options that are not offered stay visible with their number, greyed,
with the reason (the engine's ``Offer``)."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option as ListOption

from backchannel_tui.text import esc, track_badge
from engine.play.rules import Offer
from engine.present import wording as w


class Hanging(Visual):
    """A prefix (number and track badge), then a title whose wrapped lines start under the
    title's first character, not under the number; and an optional note, indented the same."""

    def __init__(self, prefix: Content, body: Content, note: Content | None = None) -> None:
        self.prefix, self.body, self.note = prefix, body, note

    def lines(self, width: int) -> list[Content]:
        indent = self.prefix.cell_length
        inner = max(width - indent, 12)  # too narrow for the indent: wrap under it anyway
        pad = Content(" " * indent)
        body = self.body.wrap(inner)
        out = [self.prefix + body[0], *(pad + line for line in body[1:])]
        if self.note is not None:
            out += [pad + line for line in self.note.wrap(inner)]
        return out

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        return Content("\n").join(self.lines(width)).render_strips(width, height, style,
                                                                   options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.prefix.cell_length + max(
            self.body.cell_length, self.note.cell_length if self.note is not None else 0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    @property
    def plain(self) -> str:
        """The text as it reads (tests and screen readers see this)."""
        note = f"\n{self.note.plain}" if self.note is not None else ""
        return f"{self.prefix.plain}{self.body.plain}{note}"


def option_prompt(offer: Offer) -> Hanging:
    number, option = offer.number, offer.option
    if offer.available:
        return Hanging(Content.from_markup(f"[b]{number}[/b] {track_badge(option.track)} "),
                       Content.from_markup(esc(option.title)))
    why = offer.reason or w.NOT_AVAILABLE
    return Hanging(
        Content.from_markup(f"[dim][b]{number}[/b] {track_badge(option.track)} [/dim]"),
        Content.from_markup(f"[dim][s]{esc(option.title)}[/s][/dim]"),
        Content.from_markup(f"[dim i]Not available: {esc(why)}[/]"))


class OptionPicker(OptionList):
    """Options of one round. The list itself only highlights and selects; the screen
    decides what a selection means (ask for confirmation, or explain it is unavailable).
    It never scrolls on its own: the round's text scrolls around it, so a title is never
    clipped behind a second scrollbar."""

    DEFAULT_CSS = """
    OptionPicker {
        height: auto;
        max-height: 999;
        overflow-y: hidden;
        scrollbar-size-vertical: 0;
    }
    """

    BINDINGS = [Binding("enter", "select", "Choose")]

    def __init__(self, offers: tuple[Offer, ...], id: str | None = "options") -> None:
        self.offers = offers
        super().__init__(*(ListOption(option_prompt(o), id=o.option.id) for o in offers),
                         id=id)

    def offer_at(self, index: int | None) -> Offer | None:
        if index is None or not 0 <= index < len(self.offers):
            return None
        return self.offers[index]
