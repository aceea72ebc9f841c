"""The always-visible indicator panel: each indicator's value, its last change and its
history as a Sparkline. Docked right on wide terminals, a compact strip on narrow ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.app import ComposeResult
from textual.app import RenderResult as WidgetRender
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Sparkline

from backchannel_tui.text import esc
from engine.scenario.model import Indicator, Scenario


def _value_markup(ind: Indicator, values: Sequence[int]) -> str:
    now = values[-1] if values else ind.start
    text = f"[b]{now}[/b][dim]/{ind.max}[/]"
    if len(values) >= 2 and values[-1] != values[-2]:
        delta = values[-1] - values[-2]
        arrow = "▲" if delta > 0 else "▼"
        good = None if ind.better == "neither" else (delta > 0) == (ind.better == "higher")
        colour = "" if good is None else ("$text-success" if good else "$text-error")
        text += f" [{colour or 'b'}]{arrow}{abs(delta)}[/]"
    return text


class _RangeBars:
    """One bar (two cells when there is room) per value, scaled to a fixed range, so a flat
    history reads as flat and a value's height means the same in every round."""

    BARS = "▁▂▃▄▅▆▇█"

    def __init__(self, data: Sequence[float], low: float, high: float, width: int,
                 min_color: Color, max_color: Color) -> None:
        self.data, self.low, self.high, self.width = list(data), low, high, width
        self.min_color, self.max_color = min_color, max_color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.width or options.max_width
        data = self.data[-width:]
        cell = 2 if len(data) * 2 <= width else 1
        extent = (self.high - self.low) or 1
        segments = []
        for value in data:
            ratio = min(1.0, max(0.0, (value - self.low) / extent))
            bar = self.BARS[round(ratio * (len(self.BARS) - 1))]
            colour = self.min_color.blend(self.max_color, ratio)
            segments.append(Segment(bar * cell, RichStyle(color=colour.rich_color)))
        used = len(data) * cell
        if used < width:
            segments.append(Segment(" " * (width - used)))
        yield from segments


class RangeSparkline(Sparkline):
    """A Sparkline scaled to the indicator's declared range instead of the data's own."""

    def __init__(self, data: Sequence[float], *, low: float, high: float,
                 classes: str | None = None) -> None:
        super().__init__(data, classes=classes)
        self.low, self.high = low, high

    def render(self) -> WidgetRender:
        _, base = self.background_colors
        lo = base + self.get_component_styles("sparkline--min-color").color
        hi = base + self.get_component_styles("sparkline--max-color").color
        return _RangeBars(self.data or [], self.low, self.high, self.size.width, lo, hi)


class IndicatorRow(Widget):
    """One indicator. ``values`` is its history, oldest first."""

    def __init__(self, indicator: Indicator, values: Sequence[int]) -> None:
        super().__init__(classes="indicator-row")
        self.indicator = indicator
        self.values = list(values)
        hint = {"higher": "higher is better", "lower": "lower is better"}.get(
            indicator.better, "neither direction is simply better"
        )
        self.tooltip = f"{indicator.label}: {indicator.meaning} ({hint})"

    def compose(self) -> ComposeResult:
        ind = self.indicator
        arrow = {"higher": "↑", "lower": "↓"}.get(ind.better, "↕")
        with Horizontal(classes="indicator-head"):
            yield Label(
                Content.from_markup(f"{esc(ind.label)} [dim]{arrow}[/]"), classes="indicator-name"
            )
            yield Label(Content.from_markup(_value_markup(ind, self.values)),
                        classes="indicator-value")
        yield RangeSparkline(self._spark_data(), low=ind.min, high=ind.max,
                             classes="indicator-spark")

    def _spark_data(self) -> list[float]:
        return [float(v) for v in self.values] or [float(self.indicator.start)]

    def show(self, values: Sequence[int]) -> None:
        self.values = list(values)
        if not self.is_mounted:
            return
        self.query_one(".indicator-value", Label).update(
            Content.from_markup(_value_markup(self.indicator, self.values))
        )
        self.query_one(Sparkline).data = self._spark_data()


class IndicatorPanel(Vertical):
    """All indicators of a scenario; ``show(history)`` takes {indicator id: [values]}."""

    def __init__(self, scenario: Scenario, history: Mapping[str, Sequence[int]],
                 id: str | None = "indicators") -> None:
        super().__init__(id=id)
        self.scenario = scenario
        self.history = history
        self.border_title = "Indicators"

    def compose(self) -> ComposeResult:
        for ind in self.scenario.indicators:
            yield IndicatorRow(ind, self.history.get(ind.id, [ind.start]))

    def show(self, history: Mapping[str, Sequence[int]]) -> None:
        self.history = history
        for row in self.query(IndicatorRow):
            row.show(history.get(row.indicator.id, [row.indicator.start]))
