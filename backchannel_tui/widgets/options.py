"""The round's options as a list: number, track badge, title. Options that are not offered
stay visible with their number, greyed, with the reason (the engine's ``Offer``)."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option as ListOption

from backchannel_tui.text import esc, track_badge
from engine.play.rules import Offer
from engine.present import wording as w


def option_prompt(offer: Offer) -> Content:
    number, option = offer.number, offer.option
    if offer.available:
        return Content.from_markup(
            f"[b]{number}[/b] {track_badge(option.track)} {esc(option.title)}"
        )
    why = offer.reason or w.NOT_AVAILABLE
    return Content.from_markup(
        f"[dim][b]{number}[/b] {track_badge(option.track)} [s]{esc(option.title)}[/s][/dim]\n"
        f"   [dim i]Not available: {esc(why)}[/]"
    )


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
