"""The trade-off comparison: one row per dimension, one column per option, ratings as
glyphs (++ + - --) so the table reads without colour; the colour only repeats the sign."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content

from backchannel_tui.text import TRACK_VAR, esc, glyph, to_rich
from backchannel_tui.widgets.table import ThemedTable
from engine.play.rules import Offer
from engine.present import wording as w
from engine.scenario.vocabulary import DIMENSIONS

NOT_RATED = "[dim]·[/]"


class TradeoffTable(ThemedTable):
    """Options side by side on every dimension any of them is rated on (a dimension an
    option is not rated on shows ·). The highlighted column follows the focused option."""

    # The highlighted column is marked by weight and underline on a neutral background, so
    # the track colours of the header stay readable in every theme (an accent background
    # made blue-on-orange in the dark theme and vanished in solarized-light).
    DEFAULT_CSS = """
    TradeoffTable {
        height: auto;
        max-height: 100%;
        & > .datatable--header-cursor { background: $panel; text-style: bold underline; }
        & > .datatable--header-hover { background: $panel; }
        & > .datatable--cursor { background: $panel; text-style: bold; }
    }
    """

    BINDINGS = [Binding("enter", "select_cursor", "Choose")]

    def __init__(self, offers: tuple[Offer, ...], id: str | None = "compare") -> None:
        super().__init__(id=id, cursor_type="column", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self.offers = offers

    def fill(self) -> None:
        self.add_column("Dimension", key="dimension")
        for offer in self.offers:
            var = TRACK_VAR[offer.option.track]
            label = f"[b]{offer.number}[/b] [$text-{var}]{offer.option.track.short}[/]"
            if not offer.available:
                label = f"[dim]{label}[/dim]"
            self.add_column(to_rich(label), key=offer.option.id)
        used = {t.dimension for o in self.offers for t in o.option.tradeoffs}
        for dim in DIMENSIONS.values():
            if dim.id not in used:
                continue
            cells: list[object] = [Text(dim.label)]
            for offer in self.offers:
                rating = next((t.rating for t in offer.option.tradeoffs
                               if t.dimension == dim.id), None)
                cells.append(to_rich(NOT_RATED if rating is None else glyph(rating)))
            self.add_row(*cells, key=dim.id)
        self.tooltip = "\n".join(
            f"{d.label}: {d.meaning}" for d in DIMENSIONS.values() if d.id in used
        )

    def follow(self, index: int) -> None:
        """Highlight the column of option ``index`` (0-based)."""
        if self.row_count and 0 <= index < len(self.offers):
            self.move_cursor(column=index + 1, animate=False)


# The ratings the scenarios use (no trade-off is rated 0, so the legend has no "neutral").
LEGEND = f"{esc(w.RATINGS_LEGEND)}  {NOT_RATED} not rated"


def legend() -> Content:
    return Content.from_markup(LEGEND)
