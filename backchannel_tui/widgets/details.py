"""The focused option in full: who sits at the table, what it changes now and later, and
what the sources say (each trade-off's reason with its citation, expandable to the full
reference)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Collapsible, Static
from textual.widgets._collapsible import CollapsibleTitle

from backchannel_tui.text import (
    actor_line,
    cite_short,
    dimension_label,
    effect_lines,
    esc,
    esc_prose,
    glyph,
    option_heading,
    source_full,
    source_of,
)
from engine.scenario.model import Option, Scenario


def _static(markup: str, classes: str = "") -> Static:
    return Static(Content.from_markup(markup), classes=classes)


class SourceTitle(CollapsibleTitle):
    """The citation line; Enter expands it (shown in the footer as 'Full reference')."""

    BINDINGS = [Binding("enter", "toggle_collapsible", "Full reference")]


class SourceNote(Collapsible):
    """'Kang & Kwa 2025 ¶15', expandable to the source's full reference."""

    def __init__(self, scenario: Scenario, cite) -> None:
        src = source_of(scenario, cite)
        body = source_full(src) if src else esc(cite.source)
        where = f"paragraph {cite.paragraph}" + (f" to {cite.last}" if cite.last else "")
        super().__init__(
            Static(Content.from_markup(f"{body}\n[dim]Cited: {where}[/]"),
                   classes="source-full"),
            title=cite_short(scenario, cite),
            collapsed=True,
            classes="source-note",
        )
        self._title = SourceTitle(label=esc(cite_short(scenario, cite)), collapsed_symbol="▶",
                                  expanded_symbol="▼", collapsed=True)


class OptionDetails(Vertical):
    """Everything about one option. ``show(option, offered, round_no)`` re-renders it."""

    def __init__(self, scenario: Scenario, id: str | None = "details") -> None:
        super().__init__(id=id)
        self.scenario = scenario
        self.option: Option | None = None
        self.number: int | None = None
        self.offered = True
        self.round_no = 1
        self.border_title = "Option details"

    def show(self, option: Option, offered: bool, round_no: int, number: int) -> None:
        if (option, offered, round_no, number) == (self.option, self.offered, self.round_no,
                                                   self.number):
            return
        self.option, self.offered, self.round_no, self.number = option, offered, round_no, number
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        scn, option = self.scenario, self.option
        if option is None:
            yield _static("[dim]Pick an option (1-9) to see its details.[/]")
            return
        yield _static(option_heading(option, self.number), "details-title")
        yield _static(esc_prose(option.description), "details-description")
        if not self.offered:
            why = option.unavailable or "Not available in the present situation."
            yield _static(f"[b $text-warning]Not available now:[/] {esc(why)}", "unavailable")
        yield _static("At the table", "details-heading")
        if option.at_table:
            yield _static("\n".join(f"• {actor_line(scn, a)}" for a in option.at_table))
        else:
            yield _static("[dim]No one named.[/]")
        yield _static("What it changes", "details-heading")
        if option.effects:
            yield _static("\n".join(f"• {effect_lines(scn, e, self.round_no)}"
                                    for e in option.effects))
        else:
            yield _static("[dim]No direct effect on the indicators.[/]")
        yield _static("What the sources say", "details-heading")
        for t in option.tradeoffs:
            with Vertical(classes="tradeoff"):
                yield _static(f"{glyph(t.rating)} [b]{esc(dimension_label(t.dimension))}[/b]: "
                              f"{esc(t.why)}")
                for c in t.cite:
                    yield SourceNote(scn, c)
