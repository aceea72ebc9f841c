"""The debrief: the ending, the path round by round, indicator trajectories, trade-offs
accepted and forgone, the bibliography and the discussion questions; export, and what-if
(rewind and compare two paths side by side)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, DataTable, Footer, Header, Static

from backchannel_tui.messages import Export, Rewind
from backchannel_tui.screens.game import GameScreen
from backchannel_tui.screens.modals import ExportScreen, QuestionsScreen, RewindScreen
from backchannel_tui.text import cite_short, esc, esc_prose, source_full, track_badge, tradeoff_line
from backchannel_tui.widgets.indicators import IndicatorPanel
from backchannel_tui.widgets.table import ThemedTable
from engine.play.session import Session
from engine.present.debrief import Debrief


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


def ending_title(d: Debrief) -> str:
    if d.ending:
        return d.ending.title
    return "No ending" if d.over else "Game in progress"


class DebriefScreen(GameScreen):
    BINDINGS = [
        Binding("e", "export", "Export"),
        Binding("w", "rewind", "What-if"),
    ]

    def __init__(self, session: Session, debrief: Debrief, export_dir: Path,
                 other: Debrief | None = None) -> None:
        super().__init__(session)
        self.debrief, self.other, self.export_dir = debrief, other, export_dir

    def compose(self) -> ComposeResult:
        d, scn = self.debrief, self.scenario
        yield Header(show_clock=False, icon="≡")
        with Container(classes="game-layout"):
            yield IndicatorPanel(scn, self.session.history())
            with VerticalScroll(id="debrief-body"):
                yield _md(f"[b]Debrief · {esc(ending_title(d))}[/b]", "screen-title")
                if d.ending:
                    yield _md(esc_prose(d.ending.epilogue, scn), id="epilogue")
                    yield _md("Assessment", "section-title")
                    text = esc_prose(d.ending.assessment, scn)
                    if d.ending.cite:
                        text += "\n[dim]Sources: " + esc("; ".join(
                            cite_short(scn, c) for c in d.ending.cite)) + "[/]"
                    yield _md(text, id="assessment")
                elif not d.over:
                    yield _md(f"[dim]The game is not over: {len(d.steps)} decisions so far.[/]")
                if self.other is not None:
                    yield _md("What-if: two paths side by side", "section-title")
                    yield self._compare()
                yield _md("The path taken", "section-title")
                yield _md("\n".join(
                    f"[b]Round {s.round_no}[/b] · {esc(s.round_title)}\n"
                    f"   {track_badge(s.option.track)} {esc(s.option.title)}"
                    + (f"\n   [dim]Why:[/] [i]{esc(s.why)}[/i]" if s.why else "")
                    for s in d.steps)
                    or "[dim]No decisions.[/]", id="path")
                if d.events:
                    yield _md("Events", "section-title")
                    yield _md("\n".join(f"• Round {k}: [b]{esc(t)}[/b]. {esc_prose(x, scn)}"
                                        for k, t, x in d.events))
                yield _md("Indicator trajectories", "section-title")
                yield ThemedTable(self._fill_trajectories, id="trajectories", cursor_type="none",
                                  zebra_stripes=True)
                yield _md("Trade-offs accepted", "section-title")
                yield _md("\n".join(f"• [dim]Round {k}, {esc(o.title)}:[/] {tradeoff_line(scn, t)}"
                                    for k, o, t in d.accepted) or "[dim]none[/]", id="accepted")
                yield _md("Trade-offs forgone", "section-title")
                yield _md("\n".join(f"• [dim]Round {k}, {esc(o.title)}:[/] {tradeoff_line(scn, t)}"
                                    for k, o, t in d.forgone) or "[dim]none[/]", id="forgone")
                if d.dropped:
                    yield _md("Investments that never came due", "section-title")
                    yield _md("\n".join(f"• {esc(x)}" for x in d.dropped))
                yield _md("Sources cited in this game", "section-title")
                yield _md("\n".join(
                    f"• {source_full(src)}\n  [dim]Cited as {esc(src.short)}: "
                    + esc(", ".join(f"¶{c.paragraph}" + (f"-{c.last}" if c.last else "")
                                    for c in cs)) + "[/]"
                    for src, cs in d.bibliography) or "[dim]none[/]", id="bibliography")
                if d.questions:
                    yield _md("Discussion questions", "section-title")
                    yield _md("\n".join(
                        f"[b]{esc(title)}[/b]\n" + "\n".join(f"  {n}. {esc(q)}"
                                                            for n, q in enumerate(qs, 1))
                        for title, qs in d.questions), id="questions")
                yield Static("", id="export-result")
                with Horizontal(classes="screen-buttons"):
                    yield Button("Export (e)", id="export", variant="primary")
                    yield Button("What-if (w)", id="rewind")
        yield Footer(compact=True)


    def _compare(self) -> Horizontal:
        """This path and the other, each as a column: choices per round and the ending."""
        cols = []
        earlier = self.other
        assert earlier is not None  # compose() shows the comparison only when there is one
        for label, d in (("This path (what-if)", self.debrief), ("Earlier path", earlier)):
            mine = {s.round_no: s for s in d.steps}
            theirs = {s.round_no: s for s in (earlier if d is self.debrief
                                              else self.debrief).steps}
            lines = [f"[b]{label}[/b]"]
            for k in sorted(mine):
                s = mine[k]
                other = theirs.get(k)
                differs = other is None or other.option.id != s.option.id
                mark = "[b $text-accent]◀ differs[/]" if differs else ""
                lines.append(f"Round {k}: {track_badge(s.option.track, short=True)} "
                             f"{esc(s.option.title)} {mark}")
            lines.append(f"[b]Ending:[/b] {esc(ending_title(d))}")
            for ind in self.scenario.indicators:
                vals = d.trajectories[ind.id]
                lines.append(f"[dim]{esc(ind.label)}:[/] {' → '.join(map(str, vals))}")
            cols.append(Vertical(_md("\n".join(lines)), classes="compare-col"))
        return Horizontal(*cols, id="compare-paths")

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self.sub_title = "Debrief"
        self.query_one("#debrief-body").focus()

    def _fill_trajectories(self, table: DataTable) -> None:
        table.add_columns("Indicator", "Trajectory", "Start", "End")
        for ind in self.scenario.indicators:
            vals = self.debrief.trajectories[ind.id]
            better = {"higher": " ↑", "lower": " ↓"}.get(ind.better, "")
            table.add_row(Text(ind.label + better), " → ".join(map(str, vals)),
                          str(vals[0]), str(vals[-1]), key=ind.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self.action_export()
        elif event.button.id == "rewind":
            self.action_rewind()

    def action_export(self) -> None:
        def answer(directory: Path | None) -> None:
            if directory is not None:
                self.post_message(Export(directory))

        self.app.push_screen(ExportScreen(self.export_dir), answer)

    def show_export(self, paths: tuple[Path, Path]) -> None:
        md, html = paths
        self.query_one("#export-result", Static).update(Content.from_markup(
            f"[b $text-success]Exported:[/]\n  {esc(md)}\n  {esc(html)}"))

    def action_rewind(self) -> None:
        steps = self.session.rewind_points()
        if not steps:
            self.notify("No decisions to rewind.", timeout=3)
            return

        def answer(at: int | None) -> None:
            if at:
                self.post_message(Rewind(at))

        self.app.push_screen(RewindScreen(steps), answer)

    def action_questions(self) -> None:
        self.app.push_screen(QuestionsScreen(list(self.debrief.questions)))

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from super().palette_commands()
        yield SystemCommand("Export the debrief", "Markdown and HTML (e)", self.action_export)
        yield SystemCommand("What-if: rewind", "Choose differently in an earlier round and "
                            "compare (w)", self.action_rewind)
