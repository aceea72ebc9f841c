"""The heart of the game: the round's situation, its options with track badges, the
trade-off comparison, and the focused option's details and sources."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Header, OptionList, Static

from backchannel_tui.messages import Decide, Rewind, SetStudy
from backchannel_tui.screens.game import GameScreen, round_label
from backchannel_tui.screens.modals import (
    ConfirmChoice,
    QuestionsScreen,
    RewindScreen,
    round_questions,
)
from backchannel_tui.text import esc, esc_prose, markup
from backchannel_tui.widgets.details import OptionDetails
from backchannel_tui.widgets.footer import Footer
from backchannel_tui.widgets.indicators import IndicatorPanel
from backchannel_tui.widgets.options import OptionPicker
from backchannel_tui.widgets.tradeoffs import TradeoffTable, legend
from engine.play.session import Session
from engine.present import wording as w
from engine.scenario.model import Role, Round


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


class DecisionScreen(GameScreen):
    BINDINGS = [
        Binding("enter", "choose", "Choose"),
        # The options' heading says "1-9 to highlight": the footer keeps room for the rest.
        Binding("1", "pick(1)", "Option", key_display="1-9", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)),
        Binding("w", "rewind", "What-if"),
        Binding("s", "study", "Study"),
        # Page keys scroll the round's text even while the options list has focus (the
        # list would otherwise move an unseen highlight).
        Binding("pageup", "page(-1)", "Scroll", show=False, priority=True),
        Binding("pagedown", "page(1)", "Scroll", show=False, priority=True),
    ]

    def __init__(self, session: Session, study: bool = False, role: Role | None = None) -> None:
        super().__init__(session)
        self.study = study
        self.role = role  # its note for this round, if any, shows under the situation
        self._load()

    def _load(self) -> None:
        """Take the session's current round (at first, and again for each next round)."""
        session = self.session
        self.offers = session.game.offers(session.state)
        rnd = session.game.current_round(session.state)
        if rnd is None:  # the app shows the debrief, never this screen, once the game is over
            raise ValueError("no round to decide: the game is over")
        self.round: Round = rnd
        self.first = next((i for i, o in enumerate(self.offers) if o.available), 0)
        self._opened = False

    async def next_round(self) -> None:
        """Show the session's next round on this same screen. The app calls it while the
        outcome is on top, so the round is built, styled and laid out before the player
        asks for it: going on from the outcome is only a switch back (issue 10 §10: it
        took 0.4-0.9 s to build a new screen then)."""
        self._load()
        await self.recompose()
        self._start()

    def compose(self) -> ComposeResult:
        s, scn, rnd = self.session, self.scenario, self.round
        round_no = s.state.round_no
        yield Header(show_clock=False, icon="≡")
        with Container(classes="game-layout"):
            yield IndicatorPanel(scn, s.history())
            with Container(id="decision-body"):
                with VerticalScroll(id="decision-main"):
                    yield _md(f"[b]{round_label(s, round_no)} · {esc(rnd.title)}[/b]",
                              "screen-title", id="round-title")
                    yield _md(esc_prose(s.game.situation(s.state), scn), id="situation")
                    note = self._role_note()
                    if note:
                        yield _md(note, id="role-note")
                    news = self._news()
                    if news:
                        yield _md(news, id="news")
                    yield _md("Options [dim](1-9 to highlight, enter to choose, PgDn/PgUp "
                              "to scroll)[/]", "section-title")
                    yield OptionPicker(self.offers)
                    yield _md("Trade-offs compared", "section-title")
                    yield TradeoffTable(self.offers)
                    yield Static(legend(), classes="legend")
                with VerticalScroll(id="decision-side"):
                    yield OptionDetails(scn, self.offers[self.first] if self.offers else None,
                                        round_no, self.study)
        yield Footer(compact=True)

    def _role_note(self) -> str:
        """The role's private note for this round (as line mode shows it)."""
        if self.role is None:
            return ""
        return "\n".join(
            f"[b]{esc(self.role.name)} (only you see this):[/b] "
            + markup(w.phrase(n.text, " ", w.cited(self.scenario, n.cite)))
            for n in self.role.notes if n.round == self.round.id)

    def _news(self) -> str:
        """Events that fired as this round began (round 1's come from the start)."""
        last = self.session.outcomes[-1]
        lines = []
        for eid in last.events:
            ev = self.scenario.event(eid)
            if ev is not None:
                lines.append(f"[b $text-warning]News:[/] [b]{esc(ev.title)}[/b]. "
                             f"{esc_prose(ev.text, self.scenario)}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self._start()

    def _start(self) -> None:
        self.sub_title = round_label(self.session, self.session.state.round_no)
        picker = self.query_one(OptionPicker)
        picker.highlighted = self.first
        # The round opens at its title: focusing the list must not scroll the text to it.
        picker.focus(scroll_visible=False)
        self.query_one(TradeoffTable).follow(self.first)
        self.call_after_refresh(self._open)

    def _open(self) -> None:
        self._scroller().scroll_home(animate=False, immediate=True)
        self._opened = True

    def _scroller(self) -> Widget:
        """What scrolls the round's text: the whole body in one column, else the left pane."""
        return self.query_one("#decision-body" if self.has_class("-narrow")
                              else "#decision-main")

    # -- following the highlighted option

    def _show(self, index: int | None) -> None:
        offer = self.query_one(OptionPicker).offer_at(index)
        if offer is None or index is None:
            return
        self.query_one(OptionDetails).show(offer, self.session.state.round_no, self.study)
        self.query_one(TradeoffTable).follow(index)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show(event.option_index)
        if self._opened:  # a key the player pressed: bring the options into view
            event.option_list.scroll_visible(animate=False)

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

    def action_page(self, direction: int) -> None:
        scroller = self._scroller()
        if direction > 0:
            scroller.scroll_page_down(animate=False)
        else:
            scroller.scroll_page_up(animate=False)

    def action_pick(self, number: int) -> None:
        if not 1 <= number <= len(self.offers):
            self.notify(f"This round has {len(self.offers)} options.", severity="warning",
                        timeout=3)
            return
        self.query_one(OptionPicker).highlighted = number - 1

    def action_choose(self) -> None:
        self._ask(self.query_one(OptionPicker).highlighted)

    def _ask(self, index: int | None) -> None:
        offer = self.query_one(OptionPicker).offer_at(index)
        if offer is None:
            self.notify("Highlight an option first (1-9).", severity="warning", timeout=3)
            return
        if not offer.available:
            self.notify(offer.reason or "This option is not available now.",
                        title="Not available", severity="warning", timeout=5)
            return

        def answer(why: str | None) -> None:
            if why is not None:
                self.post_message(Decide(offer.option.id, why.strip() or None))

        self.app.push_screen(ConfirmChoice(self.scenario, offer.option, offer.number,
                                           self.reason_so_far()), answer)

    def reason_so_far(self) -> str:
        """What the confirmation's 'Why?' line starts with (solo play: nothing yet)."""
        return ""

    def action_study(self) -> None:
        self.study = not self.study
        self.post_message(SetStudy(self.study))
        offer = self.query_one(OptionPicker).offer_at(self.query_one(OptionPicker).highlighted)
        if offer is not None:
            self.query_one(OptionDetails).show(offer, self.session.state.round_no, self.study)
        self.notify("Study mode: exact effects shown before you choose." if self.study
                    else "Exact effects hidden until you choose.", timeout=3)

    def action_questions(self) -> None:
        self.app.push_screen(QuestionsScreen(round_questions(self.round),
                                             self.round.facilitator_notes, self.scenario))

    def action_rewind(self) -> None:
        steps = self.session.rewind_points()
        if not steps:
            self.notify("Nothing to rewind yet: this is the first decision.", timeout=3)
            return

        def answer(at: int | None) -> None:
            if at:
                self.post_message(Rewind(at))

        self.app.push_screen(RewindScreen(steps), answer)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from super().palette_commands()
        yield SystemCommand("Choose the highlighted option", "Confirm, then decide (enter)",
                            self.action_choose)
        for offer in self.offers:
            note = "" if offer.available else " (not available)"
            yield SystemCommand(f"Option {offer.number}: {offer.option.title}",
                                f"{offer.option.track.label}{note} — highlight it "
                                f"({offer.number})",
                                lambda n=offer.number: self.action_pick(n))
        yield SystemCommand("Study mode", "Show or hide exact effects before choosing (s)",
                            self.action_study)
        yield SystemCommand("What-if: rewind", "Go back to an earlier round (w)",
                            self.action_rewind)
