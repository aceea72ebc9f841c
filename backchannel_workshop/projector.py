"""The projector view: read-only, large. While a round runs: its situation, the timer in big
digits and who has submitted (never what); after the reveal: every team's choice, track and
reason side by side, then the indicators of all teams compared. No keys change anything."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Digits, Static

from backchannel_tui.text import esc, esc_prose
from backchannel_workshop.board import (
    REVEALED,
    RevealBoard,
    comparison_block,
    fill_comparison,
    submitted_line,
)
from backchannel_workshop.common import (
    BREAKPOINTS,
    CSS_PATHS,
    FollowsStore,
    round_words,
    timer_text,
)
from engine.workshop import Phase, Room, WorkshopError, WorkshopStore, open_store


class ProjectorApp(FollowsStore):
    CSS_PATH = CSS_PATHS
    TITLE = "backchannel workshop"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, workshop_id: str, store: WorkshopStore | str | None = None,
                 accept_changed: bool = False) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self._store_arg = store
        self.accept_changed = accept_changed
        self.room: Room | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="proj-top"):
            yield Static("", id="proj-round")
            yield Digits("", id="proj-timer")
        with VerticalScroll(id="proj-body"):
            yield Static("", id="proj-message")  # in every phase, until replaced or cleared
            yield Static("", id="proj-situation")
            yield Static("", id="proj-submitted")
            yield RevealBoard(id="reveal-board")
            yield comparison_block()

    def on_mount(self) -> None:
        try:
            store = (self._store_arg if isinstance(self._store_arg, WorkshopStore)
                     else open_store(self._store_arg, create=False))
            self.room = Room(store, self.workshop_id,
                             accept_changed_scenario=self.accept_changed)
        except WorkshopError as exc:
            self.exit(return_code=1, message=f"backchannel: {exc}")
            return
        self.follow_store(self.store_changed, self.tick)
        self.poll_store()

    def store_changed(self) -> None:
        room = self.room
        assert room is not None
        w = room.workshop
        c = w.control
        status = room.status()
        revealed = c.phase in REVEALED
        self.query_one("#proj-round", Static).update(Content.from_markup(
            f"[b]{esc(w.name)}[/b]\n{esc(round_words(room))}"))
        if c.phase is Phase.ENDED:
            situation = "[b]The workshop has finished.[/b] Every team's debrief is on its screen."
        else:
            rnd = room.scenario.rounds[c.round_no - 1]
            situation = f"[b]{esc(rnd.title)}[/b]\n{esc_prose(rnd.situation, room.scenario)}"
        self.query_one("#proj-situation", Static).update(Content.from_markup(situation))
        message = self.query_one("#proj-message", Static)
        message.update(Content(f"From the facilitator: {w.message}" if w.message else ""))
        message.display = bool(w.message)
        self.query_one("#proj-submitted", Static).update(
            Content.from_markup(submitted_line(status)))
        self.query_one("#proj-situation").display = not revealed
        self.query_one(RevealBoard).display = revealed
        self.query_one("#comparison-box").display = revealed
        self.query_one(RevealBoard).show(room, status)
        if revealed:
            fill_comparison(self.query_one("#comparison", DataTable), room)
        self.tick()

    def tick(self) -> None:
        if self.room is None:
            return
        digits = self.query_one("#proj-timer", Digits)
        c = self.room.workshop.control
        text = timer_text(self.room).removesuffix(" (paused)")
        digits.update(text if c.phase is Phase.OPEN else "")
        digits.set_class(c.paused, "-paused")


def run_projector(workshop_id: str, store: str | None = None, accept_changed: bool = False
                  ) -> int:
    app = ProjectorApp(workshop_id, store, accept_changed)
    app.run()
    return app.return_code or 0
