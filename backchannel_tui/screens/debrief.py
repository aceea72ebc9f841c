"""The debrief: the engine's summary (ending and assessment, the path, the trade-offs that
weigh most, the indicators) and then its appendix (every trade-off, the sources, the
questions); export, and what-if (rewind, then both paths compared)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Header, Static

from backchannel_tui.messages import Export, Rewind
from backchannel_tui.screens.game import GameScreen
from backchannel_tui.screens.modals import ExportScreen, QuestionsScreen, RewindScreen
from backchannel_tui.text import blocks_markup, esc, track_badge
from backchannel_tui.widgets.footer import Footer
from backchannel_tui.widgets.indicators import IndicatorPanel
from engine.play.session import Session
from engine.present import wording as w
from engine.present.debrief import Block, Debrief, Heading, appendix, ending_title, summary


def _md(markup: str, classes: str = "", id: str | None = None) -> Static:
    return Static(Content.from_markup(markup), classes=classes, id=id)


def _statics(blocks: list[Block]) -> ComposeResult:
    """One Static per block (backchannel_tui.text.blocks_markup). A heading with an id in
    the engine ('ending', 'path', 'appendix', ...) gives its Static the id 'sec-<id>', and
    the first list or paragraph under it gets 'sec-<id>-body', so tests and keys can find a
    section (prefixed: the indicator panel's id is 'indicators' too)."""
    section = ""
    for block in blocks:
        for classes, text in blocks_markup([block]):
            ident = None
            if isinstance(block, Heading):
                section = f"sec-{block.id}" if block.id else ""
                ident = section or None
            elif section:
                ident, section = f"{section}-body", ""
            yield _md(text, classes, id=ident)


class DebriefScreen(GameScreen):
    BINDINGS = [
        Binding("e", "export", "Export"),
        Binding("w", "rewind", "What-if"),
        Binding("a", "appendix", "Appendix"),
    ]

    def __init__(self, session: Session, debrief: Debrief, export_dir: Path,
                 other: Debrief | None = None) -> None:
        super().__init__(session)
        self.debrief, self.other, self.export_dir = debrief, other, export_dir
        # A game open for play in another window, looked at here (Session.open); the
        # workshop's team client hands in its own session-like object, never read-only.
        self.read_only: bool = getattr(session, "read_only", False)

    def compose(self) -> ComposeResult:
        """The engine's debrief blocks as they are: the summary first (what people read),
        then the what-if comparison when there is one, then the appendix with the full
        lists. The words are the engine's (engine.present.debrief); only the look is ours."""
        yield Header(show_clock=False, icon="≡")
        with Container(classes="game-layout"):
            yield IndicatorPanel(self.scenario, self.session.history())
            with VerticalScroll(id="debrief-body"):
                if self.read_only:
                    yield _md("[b $text-warning]Read-only[/]: this game is open for play in "
                              "another window, so nothing can be chosen or saved here. This "
                              "is the game as it was when you opened it"
                              + ("." if self.session.over else ", up to round "
                                 f"{self.session.state.round_no}."), id="read-only-note")
                yield from _statics(summary(self.debrief))
                if self.other is not None:
                    yield _md(f"[b]{esc(w.WHAT_IF_TITLE)}[/b]", "section-title",
                              id="what-if")
                    yield self._compare()
                yield from _statics(appendix(self.debrief))
                yield Static("", id="export-result")
                with Horizontal(classes="screen-buttons"):
                    yield Button("Export (e)", id="export", variant="primary")
                    if not self.read_only:
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
                lines.append(f"[dim]{esc(ind.label)}:[/] "
                             f"{esc(w.trajectory(d.trajectories[ind.id]))}")
            cols.append(Vertical(_md("\n".join(lines)), classes="compare-col"))
        return Horizontal(*cols, id="compare-paths")

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self.sub_title = "Debrief" if self.debrief.final else "Debrief so far"
        if self.read_only:
            self.sub_title += " · read-only"
        self.query_one("#debrief-body").focus()

    def action_appendix(self) -> None:
        """Scroll to the full lists (and back to the top when already there)."""
        body = self.query_one("#debrief-body", VerticalScroll)
        target = self.query_one("#sec-appendix", Static)
        if body.scroll_y >= target.virtual_region.y - body.virtual_region.y:
            body.scroll_home(animate=False)
        else:
            body.scroll_to_widget(target, top=True, animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self.action_export()
        elif event.button.id == "rewind":
            self.action_rewind()

    def action_export(self) -> None:
        if getattr(self.app, "served", False):  # in a browser: downloads, no server folder
            self.post_message(Export(None))
            return

        def answer(directory: Path | None) -> None:
            if directory is not None:
                self.post_message(Export(directory))

        self.app.push_screen(ExportScreen(self.export_dir), answer)

    def show_export(self, paths: tuple[Path, Path] | tuple[str, str],
                    downloaded: bool = False) -> None:
        md, html = paths
        said = "Sent to your browser as downloads" if downloaded else "Exported"
        self.query_one("#export-result", Static).update(Content.from_markup(
            f"[b $text-success]{said}:[/]\n  {esc(str(md))}\n  {esc(str(html))}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A what-if of a game played elsewhere would branch from a moving target.
        return not (action == "rewind" and self.read_only)

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
        yield SystemCommand("Appendix", "Jump to the full lists and back (a)",
                            self.action_appendix)
        if not self.read_only:
            yield SystemCommand("What-if: rewind", "Choose differently in an earlier round "
                                "and compare (w)", self.action_rewind)
