"""The trade-off comparison: one row per dimension, one column per option, ratings as
glyphs (++ + 0 - --) so the table reads without colour; the colour only repeats the sign."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content

from backchannel_tui.text import TRACK_VAR, glyph, to_rich
from backchannel_tui.widgets.table import ThemedTable
from engine.scenario.model import Option
from engine.scenario.vocabulary import DIMENSIONS

NOT_RATED = "[dim]·[/]"


class TradeoffTable(ThemedTable):
    """Options side by side on every dimension any of them is rated on (a dimension an
    option is not rated on shows ·). The highlighted column follows the focused option."""

    BINDINGS = [Binding("enter", "select_cursor", "Choose")]

    def __init__(self, choices: list[tuple[Option, bool]], id: str | None = "compare") -> None:
        super().__init__(id=id, cursor_type="column", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self.choices = choices

    def fill(self) -> None:
        self.add_column("Dimension", key="dimension")
        for n, (option, offered) in enumerate(self.choices, 1):
            var = TRACK_VAR[option.track]
            label = f"[b]{n}[/b] [$text-{var}]{option.track.short}[/]"
            if not offered:
                label = f"[dim]{label}[/dim]"
            self.add_column(to_rich(label), key=option.id)
        used = {t.dimension for o, _ in self.choices for t in o.tradeoffs}
        for dim in DIMENSIONS.values():
            if dim.id not in used:
                continue
            cells: list[object] = [Text(dim.label)]
            for option, _ in self.choices:
                rating = next((t.rating for t in option.tradeoffs if t.dimension == dim.id),
                              None)
                cells.append(to_rich(NOT_RATED if rating is None else glyph(rating)))
            self.add_row(*cells, key=dim.id)
        self.tooltip = "\n".join(
            f"{d.label}: {d.meaning}" for d in DIMENSIONS.values() if d.id in used
        )

    def follow(self, index: int) -> None:
        """Highlight the column of option ``index`` (0-based)."""
        if self.row_count and 0 <= index < len(self.choices):
            self.move_cursor(column=index + 1, animate=False)


LEGEND = (
    "[bold $text-success]++[/] strong advantage  [bold $text-success]+[/] advantage  "
    "[dim]0[/] neutral  [bold $text-error]-[/] drawback  [bold $text-error]--[/] strong "
    "drawback  [dim]·[/] not rated"
)


def legend() -> Content:
    return Content.from_markup(LEGEND)
