"""The heart of the game: the round's situation, its options with track badges, the
trade-off comparison, and the focused option's details and sources."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, OptionList, Static

from backchannel_tui.messages import Decide, Rewind
from backchannel_tui.screens.game import GameScreen, history, rewind_steps, round_label
from backchannel_tui.screens.modals import (
    ConfirmChoice,
    QuestionsScreen,
    RewindScreen,
    round_questions,
)
from backchannel_tui.text import esc, esc_prose
from backchannel_tui.widgets.details import OptionDetails
from backchannel_tui.widgets.indicators import IndicatorPanel
from backchannel_tui.widgets.options import OptionPicker
from backchannel_tui.widgets.tradeoffs import TradeoffTable, legend
from engine.play.session import Session
from engine.scenario.model import Round


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


class DecisionScreen(GameScreen):
    BINDINGS = [
        Binding("enter", "choose", "Choose"),
        Binding("1", "pick(1)", "Option", key_display="1-9"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)),
        Binding("w", "rewind", "What-if"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.choices = session.game.availability(session.state)
        rnd = session.game.current_round(session.state)
        if rnd is None:  # the app shows the debrief, never this screen, once the game is over
            raise ValueError("no round to decide: the game is over")
        self.round: Round = rnd

    def compose(self) -> ComposeResult:
        s, scn, rnd = self.session, self.scenario, self.round
        yield Header(show_clock=False, icon="≡")
        with Container(classes="game-layout"):
            yield IndicatorPanel(scn, history(s))
            with Container(id="decision-body"):
                with VerticalScroll(id="decision-main"):
                    yield _md(f"[b]{round_label(s, s.state.round_no)} · {esc(rnd.title)}[/b]",
                              "screen-title", id="round-title")
                    yield _md(esc_prose(s.game.situation(s.state)), id="situation")
                    news = self._news()
                    if news:
                        yield _md(news, id="news")
                    yield _md("Options [dim](1-9 to highlight, enter to choose)[/]",
                              "section-title")
                    yield OptionPicker(self.choices)
                    yield _md("Trade-offs compared", "section-title")
                    yield TradeoffTable(self.choices)
                    yield Static(legend(), classes="legend")
                with VerticalScroll(id="decision-side"):
                    yield OptionDetails(scn)
        yield Footer(compact=True)

    def _news(self) -> str:
        """Events that fired as this round began (round 1's come from the start)."""
        last = self.session.outcomes[-1]
        lines = []
        for eid in last.events:
            ev = self.scenario.event(eid)
            if ev is not None:
                lines.append(f"[b $text-warning]News:[/] [b]{esc(ev.title)}[/b]. "
                             f"{esc_prose(ev.text)}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self.sub_title = round_label(self.session, self.session.state.round_no)
        picker = self.query_one(OptionPicker)
        first = next((i for i, (_, ok) in enumerate(self.choices) if ok), 0)
        picker.highlighted = first
        picker.focus()
        self._show(first)

    # -- following the highlighted option

    def _show(self, index: int | None) -> None:
        picked = self.query_one(OptionPicker).option_at(index)
        if picked is None or index is None:
            return
        option, offered = picked
        self.query_one(OptionDetails).show(option, offered, self.session.state.round_no,
                                           index + 1)
        self.query_one(TradeoffTable).follow(index)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._ask(event.option_index)

    def on_data_table_column_highlighted(self, event: DataTable.ColumnHighlighted) -> None:
        event.stop()
        # Only a move the player made in the table moves the option highlight; the table
        # following the list must not echo back (stale echoes would ping-pong).
        if event.data_table.has_focus and event.cursor_column >= 1:
            self.query_one(OptionPicker).highlighted = event.cursor_column - 1

    def on_data_table_column_selected(self, event: DataTable.ColumnSelected) -> None:
        event.stop()
        if event.cursor_column >= 1:
            self._ask(event.cursor_column - 1)

    # -- actions

    def action_pick(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.notify(f"This round has {len(self.choices)} options.", severity="warning",
                        timeout=3)
            return
        self.query_one(OptionPicker).highlighted = number - 1

    def action_choose(self) -> None:
        self._ask(self.query_one(OptionPicker).highlighted)

    def _ask(self, index: int | None) -> None:
        picked = self.query_one(OptionPicker).option_at(index)
        if picked is None or index is None:
            self.notify("Highlight an option first (1-9).", severity="warning", timeout=3)
            return
        option, offered = picked
        if not offered:
            self.notify(option.unavailable or "This option is not available now.",
                        title="Not available", severity="warning", timeout=5)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(Decide(option.id))

        self.app.push_screen(ConfirmChoice(self.scenario, option, index + 1), answer)

    def action_questions(self) -> None:
        self.app.push_screen(QuestionsScreen(round_questions(self.round),
                                             self.round.facilitator_notes))

    def action_rewind(self) -> None:
        steps = rewind_steps(self.session)
        if not steps:
            self.notify("Nothing to rewind yet: this is the first decision.", timeout=3)
            return

        def answer(at: int | None) -> None:
            if at:
                self.post_message(Rewind(at))

        self.app.push_screen(RewindScreen(steps), answer)
