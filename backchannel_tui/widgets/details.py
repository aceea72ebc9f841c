"""The focused option in full: who sits at the table, what the sources say (each
trade-off's reason with its citation) and, in study mode, its exact effects. The full
references of the sources it cites are one Collapsible away."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Collapsible, Static

from backchannel_tui.text import (
    actor_line,
    esc,
    esc_prose,
    markup,
    option_heading,
    source_full,
    source_of,
    tradeoff_line,
)
from engine.play.rules import Offer
from engine.present import wording as w
from engine.scenario.model import Scenario


def _static(text: str, classes: str = "") -> Static:
    return Static(Content.from_markup(text), classes=classes)


class OptionDetails(Vertical):
    """Everything about one offer. ``show(offer, round_no, study)`` re-renders it; the
    screen hands the offer down, this widget never reads the session."""

    DEFAULT_CSS = """
    OptionDetails {
        height: auto;
        padding: 0 1;
        & .details-title { margin: 0 0 1 0; }
        & .details-heading { text-style: bold; color: $text-primary; margin: 1 0 0 0; }
        & .unavailable { margin: 1 0 0 0; }
        & .tradeoffs { height: auto; }
        & .tradeoffs Static { margin: 0 0 1 0; }
        & Collapsible { background: transparent; border-top: none; padding: 0; }
        & CollapsibleTitle { padding: 0; color: $text-secondary; }
        & Collapsible Contents { padding: 0 0 0 2; }
    }
    """

    def __init__(self, scenario: Scenario, offer: Offer | None = None, round_no: int = 1,
                 study: bool = False, id: str | None = "details") -> None:
        super().__init__(id=id)
        self.scenario = scenario
        self.offer, self.round_no, self.study = offer, round_no, study
        self.border_title = "Option details"

    def show(self, offer: Offer, round_no: int, study: bool) -> None:
        if (offer, round_no, study) == (self.offer, self.round_no, self.study):
            return
        self.offer, self.round_no, self.study = offer, round_no, study
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        scn, offer = self.scenario, self.offer
        if offer is None:
            yield _static("[dim]Pick an option (1-9) to see its details.[/]")
            return
        option = offer.option
        yield _static(option_heading(option, offer.number), "details-title")
        yield _static(esc_prose(option.description, scn), "details-description")
        if not offer.available:
            why = offer.reason or w.NOT_AVAILABLE
            yield _static(f"[b $text-warning]Not available now:[/] {esc(why)}", "unavailable")
        yield _static("At the table", "details-heading")
        yield _static("\n".join(f"• {actor_line(scn, a)}" for a in option.at_table)
                      or "[dim]No one named.[/]")
        yield _static("What the sources say", "details-heading")
        with Vertical(classes="tradeoffs"):
            for t in option.tradeoffs:
                yield _static(tradeoff_line(scn, t))
        yield _static("What it changes", "details-heading")
        yield _static("\n".join(f"• {markup(p)}" if self.study else markup(p)
                                for p in w.effects_before_choice(scn, option, self.round_no,
                                                                 self.study)))
        sources = []
        for t in option.tradeoffs:
            for c in t.cite:
                src = source_of(scn, c)
                if src is not None and src not in sources:
                    sources.append(src)
        if sources:
            yield Collapsible(
                _static("\n".join(f"• {source_full(s)}" for s in sources)),
                title=f"Full references ({len(sources)})", collapsed=True)

