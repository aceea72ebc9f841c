"""The always-visible indicator panel: each indicator's name, value, last change and
history as bars scaled to its declared range. Docked right on wide terminals, a compact
strip on narrow ones (app.tcss). Each indicator is one widget that renders itself."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget

from backchannel_tui.text import ROLE_STYLE, esc
from engine.present import wording as w
from engine.scenario.model import Indicator, Scenario

BARS = "▁▂▃▄▅▆▇█"


def value_markup(ind: Indicator, values: Sequence[int]) -> str:
    now = values[-1] if values else ind.start
    text = f"[b]{now}[/b][dim]/{ind.max}[/]"
    if len(values) >= 2 and values[-1] != values[-2]:
        delta = values[-1] - values[-2]
        arrow = "▲" if delta > 0 else "▼"
        # The wording layer's verdict is a role; its look is the app's one role mapping.
        colour = ROLE_STYLE.get(w.direction(ind, delta) or "", "b")
        text += f" [{colour}]{arrow}{abs(delta)}[/]"
    return text


class IndicatorRow(Widget):
    """One indicator. ``values`` is its history, oldest first. Two lines when the row is
    two high (name; bars and value), else one line (name, value, and bars if room): the
    name is only ever shortened when it cannot fit the whole width."""

    DEFAULT_CSS = """
    IndicatorRow {
        height: 2;
        margin: 0 0 1 0;
    }
    IndicatorRow > .indicator--low { color: $text-primary 40%; }
    IndicatorRow > .indicator--high { color: $text-primary; }
    """
    COMPONENT_CLASSES = {"indicator--low", "indicator--high"}

    def __init__(self, indicator: Indicator, values: Sequence[int]) -> None:
        super().__init__()
        self.indicator = indicator
        self.values = list(values) or [indicator.start]
        self.tooltip = f"{indicator.label}: {indicator.meaning} ({w.better_hint(indicator)})"

    def _bars(self, width: int) -> Content:
        ind, data = self.indicator, self.values[-width:] if width > 0 else []
        if not data:
            return Content("")
        cell = 2 if len(data) * 2 <= width else 1
        low = self.get_component_styles("indicator--low").color
        high = self.get_component_styles("indicator--high").color
        extent = (ind.max - ind.min) or 1
        parts = []
        for value in data:
            ratio = min(1.0, max(0.0, (value - ind.min) / extent))
            bar = BARS[round(ratio * (len(BARS) - 1))]
            parts.append((bar * cell, low.blend(high, ratio).hex))
        return Content.assemble(*parts)

    def render(self) -> Content:
        ind, width = self.indicator, self.size.width
        name = Content.from_markup(f"{esc(ind.label)} [dim]{w.better_arrow(ind)}[/]")
        value = Content.from_markup(value_markup(ind, self.values))
        if self.size.height >= 2:
            bars = self._bars(max(0, width - value.cell_length - 1))
            line2 = bars.pad_right(max(0, width - value.cell_length - bars.cell_length))
            return Content("\n").join([name.truncate(width, ellipsis=True), line2 + value])
        room = width - value.cell_length - 1
        head = name.truncate(max(1, room), ellipsis=True)
        spare = room - head.cell_length - 1
        bars = self._bars(min(8, spare)) if spare >= 4 else Content("")
        gap = max(1, width - head.cell_length - value.cell_length - bars.cell_length
                  - (1 if bars.cell_length else 0))
        return head + Content(" " * gap) + value + (Content(" ") + bars if bars.cell_length
                                                    else Content(""))


class IndicatorPanel(Vertical):
    """All indicators of a scenario, from their history {indicator id: [values]}."""

    DEFAULT_CSS = """
    IndicatorPanel {
        border-title-color: $text-primary;
    }
    """

    def __init__(self, scenario: Scenario, history: dict[str, list[int]],
                 id: str | None = "indicators") -> None:
        super().__init__(id=id)
        self.scenario = scenario
        self.history = history
        self.border_title = "Indicators"

    def compose(self) -> ComposeResult:
        indicators = self.scenario.indicators
        for n, ind in enumerate(indicators, 1):
            row = IndicatorRow(ind, self.history.get(ind.id, [ind.start]))
            # Alone on the strip's last line (app.tcss: 2 columns narrow, 3 medium), a row
            # takes the whole line, so a long name leaves room for its bars.
            if n == len(indicators):
                row.set_class(n % 2 == 1, "-alone-of-2")
                row.set_class(n % 3 == 1, "-alone-of-3")
            yield row
