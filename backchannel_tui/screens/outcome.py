"""What a decision did: the narrative (effects and events), each indicator before -> after,
what is now scheduled for later rounds, and the trade-offs accepted and forgone."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, DataTable, Header, Static

from backchannel_tui.messages import Continue
from backchannel_tui.screens.game import GameScreen, round_label
from backchannel_tui.screens.modals import QuestionsScreen, round_questions
from backchannel_tui.text import (
    delta_phrase,
    esc,
    esc_prose,
    option_heading,
    resolution_phrase,
    scheduled_phrase,
    to_rich,
    track_badge,
    tradeoff_line,
)
from backchannel_tui.widgets.footer import Footer
from backchannel_tui.widgets.indicators import IndicatorPanel
from backchannel_tui.widgets.table import ThemedTable
from engine.play.rules import Outcome, Resolution
from engine.play.session import Session
from engine.present import wording as w


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


class OutcomeScreen(GameScreen):
    BINDINGS = [Binding("enter", "continue", "Continue")]

    def __init__(self, session: Session, outcome: Outcome) -> None:
        super().__init__(session)
        self.outcome = outcome

    # -- text

    def _owner_title(self, res: Resolution) -> str:
        return w.owner_title(self.scenario, res.kind, res.owner)

    def narrative(self) -> list[str]:
        """What happened: only resolutions that are news (an effect whose condition no
        longer held did nothing, so it is not reported as if it had)."""
        o, scn, lines = self.outcome, self.scenario, []
        news = [r for r in o.resolutions if w.newsworthy(r)]
        mine = [r for r in news if r.kind == "option" and not r.delayed]
        if mine:
            lines.append("[b]Your decision[/b]")
            lines += [f"• {resolution_phrase(scn, r)}" for r in mine]
        due = [r for r in news if r.delayed]
        if (due or o.events) and not o.ending_id:
            lines.append(f"[b]As round {o.next_round} begins[/b]")
        elif due or o.events:
            lines.append("[b]Then[/b]")
        for r in due:
            lines.append(f"• [dim]From round {r.origin_round}, "
                         f"{esc(self._owner_title(r))}:[/] {resolution_phrase(scn, r)}")
        for eid in o.events:
            ev = scn.event(eid)
            if ev is None:
                continue
            lines.append(f"• [b $text-warning]Event:[/] [b]{esc(ev.title)}[/b]. "
                         f"{esc_prose(ev.text, scn)}")
            for r in news:
                if r.kind == "event" and r.owner == eid and not r.delayed:
                    lines.append(f"  {resolution_phrase(scn, r)}")
        dropped = [r for r in o.resolutions if r.status == "dropped"]
        if dropped:
            lines.append("[b]Investments that never came due[/b] [dim](the game ended first)[/]")
            for r in dropped:
                lines.append(f"• [dim]From round {r.origin_round}, "
                             f"{esc(self._owner_title(r))}:[/] "
                             + (esc_prose(r.text, scn) if r.text else "(no effect)"))
        return lines or ["[dim]Nothing visible happened yet.[/]"]

    def scheduled(self) -> list[str]:
        scn, game, lines = self.scenario, self.session.game, []
        for p in self.outcome.scheduled:  # worded once, as line mode words it
            lines.append(f"• {scheduled_phrase(scn, game.effect_of(p), p.due)}")
        return lines

    # -- layout

    def compose(self) -> ComposeResult:
        s, o, scn = self.session, self.outcome, self.scenario
        yield Header(show_clock=False, icon="≡")
        with Container(classes="game-layout"):
            yield IndicatorPanel(scn, s.history())
            with VerticalScroll(id="outcome-body"):
                yield _md(f"[b]{round_label(s, o.round_no)} · outcome[/b]", "screen-title")
                if o.option is not None:
                    yield _md("You chose " + option_heading(o.option))
                yield _md("What happened", "section-title")
                yield _md("\n".join(self.narrative()), id="narrative")
                yield _md("Indicators", "section-title")
                yield ThemedTable(self._fill_changes, id="changes", cursor_type="none",
                                  zebra_stripes=True)
                later = self.scheduled()
                if later:
                    yield _md("Set in motion", "section-title")
                    yield _md("\n".join(later), id="scheduled")
                if o.ending_id:
                    ending = s.game.endings[o.ending_id]
                    yield _md(f"[b $text-accent]The game has ended:[/] [b]{esc(ending.title)}[/b]",
                              id="ended")
                yield _md("Trade-offs you accepted", "section-title")
                yield _md("\n".join(f"• {tradeoff_line(scn, t)}" for t in o.accepted)
                          or "[dim]none[/]", id="accepted")
                yield _md("Trade-offs you forwent", "section-title")
                yield _md(self._forgone() or "[dim]No other option was on offer.[/]",
                          id="forgone")
                with Horizontal(classes="screen-buttons"):
                    label = "See the debrief (enter)" if s.state.over else "Next round (enter)"
                    yield Button(label, id="continue", variant="primary")
        yield Footer(compact=True)

    def _forgone(self) -> str:
        scn, lines, seen = self.scenario, [], None
        for opt, t in self.outcome.forgone:
            if opt is not seen:
                lines.append(f"{track_badge(opt.track, short=True)} [b]{esc(opt.title)}[/b]")
                seen = opt
            lines.append(f"  • {tradeoff_line(scn, t)}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        s, o = self.session, self.outcome
        self.title = self.scenario.title
        self.sub_title = f"{round_label(s, o.round_no)} · outcome"
        self.query_one("#outcome-body").focus()

    def _fill_changes(self, table: DataTable) -> None:
        o = self.outcome
        table.add_columns("Indicator", "Before", "After", "Change")
        for n, ind in enumerate(self.scenario.indicators):
            before, after = o.before[n], o.after[n]
            change = to_rich(delta_phrase(ind, after - before) if after != before
                             else "[dim]unchanged[/]")
            table.add_row(Text(ind.label), str(before), str(after), change, key=ind.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_continue()

    def action_back(self) -> None:
        """Back to the briefing, as from a round: past the next round too, which the app
        builds behind this screen (tui.py on_decide)."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) >= 2 else None
        self.dismiss()
        if isinstance(below, GameScreen):
            self.app.pop_screen()

    def action_continue(self) -> None:
        self.post_message(Continue())

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from super().palette_commands()
        yield SystemCommand("Continue", "Next round or debrief (enter)", self.action_continue)

    def action_questions(self) -> None:
        rnd = self.scenario.rounds[self.outcome.round_no - 1]
        self.app.push_screen(QuestionsScreen(round_questions(rnd), rnd.facilitator_notes,
                                             self.scenario))
