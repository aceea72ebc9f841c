"""The facilitator console: lobby, phase control, timer, who has submitted, the reveal
board, indicators compared across teams, notes, overrides and a message to all teams.

Runs only in the facilitator's own terminal (`backchannel workshop run ID`); nothing serves
it. Every phase or timer change is a compare-and-swap on the version this console last
showed, so a double key press or a second console cannot advance twice. The console follows
the store by polling its change token in the app's own loop and updates widgets in place:
a half-typed note or message survives every refresh.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option as ListOption

from backchannel_tui.text import esc, esc_prose, track_badge
from backchannel_tui.widgets.options import Hanging
from backchannel_workshop.board import (
    RevealBoard,
    comparison_block,
    fill_comparison,
    status_word,
    submitted_line,
)
from backchannel_workshop.common import (
    BREAKPOINTS,
    CSS_PATHS,
    FollowsStore,
    round_words,
    timer_left,
    timer_text,
)
from engine.present import wording
from engine.workshop import (
    MissingDecisions,
    Phase,
    Room,
    Status,
    WorkshopError,
    WorkshopStore,
    open_store,
)
from engine.workshop.model import parse_duration
from engine.workshop.room import MAX_REASON

ACTION_WORDS = {"open": "Opened", "close": "Closed", "reveal": "Revealed", "next": "Moved on"}

# The command palette's console actions: (title, key, help, action).
CONSOLE_COMMANDS = (
    ("Open the round", "o", "Teams may submit; the round's timer starts", "act('open')"),
    ("Close the round", "c", "No more submissions; missing decisions can then be entered",
     "act('close')"),
    ("Reveal the round", "r", "Every team sees its outcome, all at once", "act('reveal')"),
    ("Next round", "n", "Go on to the next round (or end the workshop)", "act('next')"),
    ("Start or change the timer", "t", "A timer of the length you type", "start_timer"),
    ("Add 30 seconds", "+", "To the running timer", "timer(30)"),
    ("Take 30 seconds off", "-", "The running timer", "timer(-30)"),
    ("Pause or resume the timer", "p", "The teams see it paused", "pause"),
    ("End the timer now", "e", "Time is up for every team", "end_timer"),
    ("Decide for the highlighted team", "d",
     "Enter or change its decision (with a reason, kept in the log), or mark it absent",
     "override"),
)


CHOICE_WIDTH, REASON_WIDTH = 44, 60  # characters the teams table shows of each


def _cut(text: str, width: int) -> Text:
    """``text`` as plain text (never markup), shortened to ``width`` with an ellipsis."""
    return Text(text if len(text) <= width else text[:width - 1].rstrip() + "…")


def _clock(t: float | None) -> str:
    if t is None:
        return "—"
    return _dt.datetime.fromtimestamp(t).strftime("%H:%M:%S")


class ConfirmStep(ModalScreen[bool]):
    """A facilitator's step that is easy to take by mistake and hard to undo: replacing a
    team's decision, marking a team absent. True to go on; the safe answer has the focus."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"),
                Binding("n,escape", "answer(False)", "No")]

    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__(classes="modal")
        self.title_text, self.text, self.yes = title, text, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="confirm-dialog") as box:
            box.border_title = self.title_text
            yield Static(Content(self.text), id="confirm-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning", compact=True)
                yield Button("Go back (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class OverrideAnswer(NamedTuple):
    """What the facilitator asked for in the decision dialog (already confirmed)."""

    option_id: str | None  # None: mark the team absent
    reason: str
    absent: bool
    replace: bool  # the team has a decision this round, and replacing it was confirmed


class OverrideScreen(ModalScreen[OverrideAnswer | None]):
    """Enter a decision for a team (with a reason, kept in the log) or mark it absent.
    No option is chosen at first: the facilitator picks one (a highlighted first option was
    entered by Enter alone). Replacing a decision the team has this round, and marking a team
    absent (final), are confirmed first. Returns the answer, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, room: Room, team_id: int) -> None:
        super().__init__(classes="modal")
        self.room, self.team = room, room.snap.team(team_id)
        self.options = room.override_options(team_id)  # also for a team that decided
        self.round_no = room.workshop.control.round_no
        self.existing = room.snap.decision(team_id, self.round_no)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="override-dialog") as box:
            box.border_title = f"Decision for {self.team.name}"
            with VerticalScroll(classes="dialog-body"):
                # what the team has now, before anything is chosen (it was said only when
                # the confirmation of a replacement asked)
                yield Static(Content(wording.decision_now(self.room.scenario, self.round_no,
                                                          self.existing)), id="override-now")
                if self.options:
                    yield Label("The option to enter:")
                    yield OptionList(*(ListOption(Hanging(
                        Content.from_markup(f"{track_badge(o.track, short=True)} "),
                        Content(o.title)), id=o.id) for o in self.options),
                        id="override-options")
                else:
                    yield Label("This team has no decision due in this round.")
                yield Label("Reason (required; it is kept in the workshop's log):")
                yield Input(id="override-reason", max_length=MAX_REASON)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Enter decision", id="enter", variant="primary")
                yield Button("Mark absent", id="absent", variant="warning")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        lists = self.query("#override-options")
        if lists:
            ol = lists.first(OptionList)
            ol.highlighted = None  # OptionList highlights its first option; nothing is chosen
            ol.focus()

    @on(OptionList.OptionSelected, "#override-options")
    def _option_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on an option chooses it; the reason comes next."""
        event.stop()
        self.query_one("#override-reason", Input).focus()

    @on(Input.Submitted, "#override-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        """Enter in the reason line enters the decision, as the button does."""
        event.stop()
        self._done("enter")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._done(event.button.id)

    def _done(self, button: str | None) -> None:
        reason = self.query_one("#override-reason", Input).value
        name, rnd = self.team.name, self.round_no
        scn = self.room.scenario
        has = (f"\n{wording.already_decided(scn, name, rnd, self.existing)}; it is replaced."
               if self.existing is not None and not self.existing.absent else "")
        if button == "cancel":
            self.dismiss(None)
        elif button == "absent":
            if self.existing is not None and self.existing.absent:
                self.notify(f"{name} is already marked absent in round {rnd}.",
                            severity="warning", markup=False)
                return
            self._confirm(f"Mark {name} absent?",
                          f"This is final: {wording.ABSENT_FINAL}. Until the reveal, "
                          f"entering a decision for {name} (d) takes the mark back.{has}",
                          "Mark absent",
                          OverrideAnswer(None, reason, True, self.existing is not None))
        elif button == "enter":
            lists = self.query("#override-options").results(OptionList)
            ol = next(lists, None)
            if ol is None or ol.highlighted is None:
                self.notify("Choose an option first.", severity="warning")
                if ol is not None:
                    ol.focus()
                return
            if not reason.strip():
                self.notify("An override needs a reason.", severity="warning")
                self.query_one("#override-reason", Input).focus()
                return
            option = self.options[ol.highlighted]
            answer = OverrideAnswer(option.id, reason, False, self.existing is not None)
            if self.existing is None:
                self.dismiss(answer)
                return
            self._confirm(f"Replace {name}'s decision?",
                          f"{wording.already_decided(scn, name, rnd, self.existing)}.\n"
                          f"Enter {wording.plain(wording.option_heading(option))} instead? "
                          "The change is kept in the log as an override with your reason.",
                          "Replace", answer)

    def _confirm(self, title: str, text: str, yes: str, answer: OverrideAnswer) -> None:
        """Ask first; the dialog stays open (with what was typed) if the answer is no."""
        def confirmed(go_on: bool | None) -> None:
            if go_on:
                self.dismiss(answer)

        self.app.push_screen(ConfirmStep(title, text, yes), confirmed)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TimerScreen(ModalScreen[float | None]):
    """Start a timer of a chosen length in the open round, or change the running one (the
    new length replaces what is left; ``left``: what the running timer has, e.g. '03:12 left'
    or '03:12 left, paused'). Returns the seconds, or None when cancelled; a length that cannot be
    read is said in the dialog."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggested: str, left: str = "",
                 follow: Callable[[], str] | None = None) -> None:
        super().__init__(classes="modal")
        self.suggested, self.left = suggested, left
        self.follow = follow  # what is left now: the title kept the time the dialog opened

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="timer-dialog") as box:
            # It said "Start a timer" while one was running: say what the length will do.
            box.border_title = self._change_title() if self.left else "Start a timer"
            if self.left:
                yield Static(self._running_text(), id="timer-running")
            yield Label("Length: minutes (5 or 2.5), seconds (90s) or minutes:seconds (4:30)")
            yield Input(self.suggested, id="timer-length", max_length=12)
            yield Static("", id="timer-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Change (enter)" if self.left else "Start (enter)", id="start",
                             variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#timer-length", Input).focus()
        if self.left and self.follow is not None:
            self.set_interval(0.5, self._follow)

    def _change_title(self) -> str:
        return f"Change the timer ({self.left})"

    def _running_text(self) -> Content:
        return Content(f"Running: {self.left}. The length you give replaces it, counted "
                       "from now.")

    def _follow(self) -> None:
        assert self.follow is not None
        left = self.follow()
        if left and left != self.left:
            self.left = left
            self.query_one("#timer-dialog").border_title = self._change_title()
            self.query_one("#timer-running", Static).update(self._running_text())

    @on(Input.Submitted, "#timer-length")
    @on(Button.Pressed, "#start")
    def _start(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        try:
            seconds = parse_duration(self.query_one("#timer-length", Input).value)
        except WorkshopError as exc:
            self.query_one("#timer-error", Static).update(Content(str(exc)))
            return
        self.dismiss(seconds)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# The console's single-key actions (a letter, +, -): typed into a note or message line, the
# key is text, not the action.
LETTER_ACTIONS = frozenset({"act", "timer", "start_timer", "pause", "end_timer", "override"})


class ConsoleApp(FollowsStore):
    CSS_PATH = CSS_PATHS
    TITLE = "backchannel workshop · facilitator"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    # The footer shows what fits in 80 columns; +, - and e are listed in the command palette
    # (ctrl+p) with every other action, each with its key (CONSOLE_COMMANDS).
    BINDINGS = [
        Binding("o", "act('open')", "Open"),
        Binding("c", "act('close')", "Close"),
        Binding("r", "act('reveal')", "Reveal"),
        Binding("n", "act('next')", "Next"),
        Binding("plus,equals_sign", "timer(30)", "+30 s", key_display="+", show=False),
        Binding("minus", "timer(-30)", "-30 s", key_display="-", show=False),
        Binding("t", "start_timer", "Timer"),
        Binding("p", "pause", "Pause"),
        Binding("e", "end_timer", "End timer", show=False),
        Binding("d", "override", "Decide"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, workshop_id: str, store: WorkshopStore | str | None = None,
                 accept_changed: bool = False) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self._store_arg = store
        self.accept_changed = accept_changed
        self.room: Room | None = None
        self.shown_version: int | None = None
        self.notes_seen = 0
        self.drafting: set[int] = set()

    # -- layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True, icon="≡")
        yield Static("", id="phase-line")
        with TabbedContent(id="tabs"):
            with TabPane("Teams", id="tab-teams"):
                yield Static("", id="submitted")
                yield DataTable(id="teams", cursor_type="row", zebra_stripes=True)
                yield Static("", id="situation")
            with TabPane("Reveal board", id="tab-reveal"), VerticalScroll():
                yield RevealBoard(id="reveal-board")
            with TabPane("Indicators", id="tab-compare"), VerticalScroll():
                yield comparison_block()
            with TabPane("Notes & message", id="tab-notes"):
                yield Label("", id="note-target")
                yield Input(placeholder="A note on the highlighted team, this round (Enter "
                            "keeps it)", id="note", max_length=MAX_REASON)
                yield DataTable(id="notes", cursor_type="row", zebra_stripes=True)
                yield Label("Message to all teams, this round (Enter sends; empty Enter "
                            "clears it):",
                            classes="section-title")
                yield Input(placeholder="e.g. Five minutes left: agree on your reason",
                            id="message", max_length=500)
                yield Static("", id="message-now")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        try:
            store = (self._store_arg if isinstance(self._store_arg, WorkshopStore)
                     else open_store(self._store_arg, create=False))
            self.room = Room(store, self.workshop_id,
                             accept_changed_scenario=self.accept_changed)
        except WorkshopError as exc:
            self.exit(return_code=1, message=f"backchannel: {exc}")
            return
        teams = self.query_one("#teams", DataTable)
        teams.add_columns("Team", "Code", "Joined", "This round", "At", "Choice", "Reason")
        notes = self.query_one("#notes", DataTable)
        notes.add_columns("Time", "Round", "Team", "Note or message")
        self.title = self.room.workshop.name
        self.follow_store(self.store_changed, self.tick)
        self.poll_store()
        teams.focus()

    # -- following the store (in place)

    def store_changed(self) -> None:
        room = self.room
        assert room is not None
        w = room.workshop
        if w.control.phase is Phase.OPEN and any(
                t.bot is not None and room.snap.decision(t.id, w.control.round_no) is None
                for t in room.snap.teams):
            room.run_bots()
        self.shown_version = w.control.version
        status = room.status()
        self.drafting = {t.id for t in room.snap.teams
                         if status_of(status, t.id) == "waiting" and room.draft(t.id)}
        self.tick()
        self.query_one("#submitted", Static).update(Content.from_markup(submitted_line(status)))
        self._fill_teams(status)
        self.query_one(RevealBoard).show(room, status)
        fill_comparison(self.query_one("#comparison", DataTable), room)
        self._fill_notes()
        self._show_situation()
        now = w.message
        self.query_one("#message-now", Static).update(
            Content(f"Now showing to teams: {now}") if now else Content("No message shown."))
        self._note_target()

    def tick(self) -> None:
        room = self.room
        if room is None:
            return
        clock = timer_text(room)
        line = round_words(room) + (f" · timer {clock}" if clock else "")
        self.sub_title = line
        self.query_one("#phase-line", Static).update(Content(line))

    def _fill_teams(self, status: Status) -> None:
        room = self.room
        assert room is not None
        table = self.query_one("#teams", DataTable)
        revealed = status.workshop.control.phase in (Phase.REVEALED, Phase.ENDED)
        for row in status.rows:
            t = row.team
            joined = _clock(t.joined_at) if t.joined_at else ("bot" if t.bot else "not yet")
            choice, reason = "", ""
            if revealed and row.choice is not None:
                d = row.choice
                opt = room.scenario.option(d.option_id) if d.option_id else None
                choice = f"{opt.track.short} {opt.title}" if opt else "absent"
                reason = d.reason or ""
            # Long titles and reasons are cut here; the reveal board shows them whole.
            cells = [Text(t.name), t.code, joined,
                     status_word(row, t.id in self.drafting),
                     _clock(row.at) if row.at else "", _cut(choice, CHOICE_WIDTH),
                     _cut(reason, REASON_WIDTH)]
            key = str(t.id)
            if key in table.rows:
                for col, value in zip(table.columns, cells, strict=True):
                    # Columns grow with what they show (they were sized when still empty).
                    table.update_cell(key, col, value, update_width=True)
            else:
                table.add_row(*cells, key=key)

    def _fill_notes(self) -> None:
        room = self.room
        assert room is not None
        table = self.query_one("#notes", DataTable)
        names = {t.id: t.name for t in room.snap.teams}
        for ev in room.store.events(room.id, after=self.notes_seen, kinds=("note", "message")):
            self.notes_seen = ev.seq
            text = str(ev.data.get("text") or "")
            if ev.kind == "message":  # the log of what teams were shown, and when
                who, text = "message", text or "(message cleared)"
            else:
                who = names.get(ev.team_id, "all") if ev.team_id is not None else "all"
            table.add_row(_clock(ev.at), str(ev.round_no or ""), Text(who), Text(text),
                          key=str(ev.seq))

    def _show_situation(self) -> None:
        room = self.room
        assert room is not None
        c = room.workshop.control
        if c.phase is Phase.ENDED:
            text = "[b]The workshop has finished.[/b] Exports: backchannel workshop export " \
                   f"{esc(room.id)} --out DIR"
        else:
            rnd = room.scenario.rounds[c.round_no - 1]
            scn = room.scenario  # citation keys in the text become "Kang & Kwa 2025 ¶15"
            text = f"[b]Round {c.round_no}: {esc(rnd.title)}[/b]\n{esc_prose(rnd.situation, scn)}"
            if rnd.facilitator_notes:
                text += f"\n[b]Facilitator notes:[/b] {esc_prose(rnd.facilitator_notes, scn)}"
        self.query_one("#situation", Static).update(Content.from_markup(text))

    def _selected_team(self) -> int | None:
        table = self.query_one("#teams", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def _note_target(self) -> None:
        room = self.room
        tid = self._selected_team()
        if room is None or tid is None:
            return
        name = room.snap.team(tid).name
        self.query_one("#note-target", Label).update(Content(
            f"Note on {name}, round {room.workshop.control.round_no} (move the highlight "
            "in the Teams tab to change team):"))

    @on(DataTable.RowHighlighted, "#teams")
    def _team_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._note_target()

    # -- facilitator actions

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every console action in the palette, with its key (the footer shows only some)."""
        for title, key, help_text, action in CONSOLE_COMMANDS:
            yield SystemCommand(f"{title} ({key})", help_text,
                                partial(self.run_action, action))
        yield from super().get_system_commands(screen)

    def action_act(self, action: str) -> None:
        room = self.room
        if room is None:
            return
        try:
            room.act(action, expected_version=self.shown_version)
        except MissingDecisions as exc:
            names = ", ".join(exc.teams)
            self.notify(f"No decision from {names} in round {exc.round_no}. Highlight the "
                        "team in the Teams tab and press d to enter its decision or mark it "
                        "absent.", title="Not revealed yet", severity="warning", timeout=10,
                        markup=False)
        except WorkshopError as exc:
            self.notify(str(exc), title="Not done", severity="warning", timeout=8, markup=False)
        else:
            self.notify(f"{ACTION_WORDS.get(action, action)}: {round_words(room)}", timeout=3,
                        markup=False)
        self.poll_store()

    def action_timer(self, seconds: int) -> None:
        self._timer("timer-add", seconds)

    def action_pause(self) -> None:
        room = self.room
        if room is not None:
            paused = room.workshop.control.paused
            self._timer("timer-resume" if paused else "timer-pause")

    def action_end_timer(self) -> None:
        self._timer("timer-end")

    def action_start_timer(self) -> None:
        """A timer of a chosen length (also where rounds have none: --round-minutes 0)."""
        room = self.room
        if room is None:
            return
        if room.workshop.control.phase is not Phase.OPEN:
            self.notify("Open the round first: a timer runs while a round is open.",
                        title="Timer", severity="warning")
            return
        minutes = room.workshop.round_seconds / 60
        suggested = f"{minutes:g}" if minutes else "5"

        def answer(seconds: float | None) -> None:
            if seconds is not None:
                self._timer("timer-start", seconds)

        # No timer, or time is up: a new one starts; else the dialog changes the running one.
        self.push_screen(TimerScreen(suggested, timer_left(room), follow=partial(timer_left, room)),
                         answer)

    def _timer(self, action: str, seconds: float = 0.0) -> None:
        room = self.room
        if room is None:
            return
        try:
            room.act(action, seconds=seconds, expected_version=self.shown_version)
        except WorkshopError as exc:
            self.notify(str(exc), title="Timer", severity="warning", markup=False)
        self.poll_store()

    def action_override(self) -> None:
        room, tid = self.room, self._selected_team()
        if room is None or tid is None:
            return
        c = room.workshop.control
        if c.phase is not Phase.CLOSED:
            self.notify(f"Close the round first (c): decisions are entered for teams only "
                        f"while a round is closed; round {c.round_no} is {c.phase.value}.",
                        severity="warning", markup=False)
            return

        def answer(result: OverrideAnswer | None) -> None:
            if result is None or self.room is None:
                return
            try:
                if result.absent:
                    self.room.mark_absent(tid, result.reason or None, replace=result.replace)
                else:
                    assert result.option_id is not None
                    self.room.override(tid, result.option_id, result.reason,
                                       replace=result.replace)
            except WorkshopError as exc:  # e.g. another console entered one meanwhile
                self.notify(str(exc), title="Not entered", severity="error", markup=False)
            self.poll_store()

        self.push_screen(OverrideScreen(room, tid), answer)

    @on(Input.Submitted, "#note")
    def _note(self, event: Input.Submitted) -> None:
        event.stop()
        room, tid = self.room, self._selected_team()
        if room is None or not event.value.strip():
            return
        try:
            room.note(tid, event.value)
        except WorkshopError as exc:
            self.notify(str(exc), title="Note not kept", severity="error", markup=False)
            return
        event.input.value = ""
        self.poll_store()

    @on(Input.Submitted, "#message")
    def _message(self, event: Input.Submitted) -> None:
        event.stop()
        room = self.room
        if room is None:
            return
        try:
            room.message(event.value or None)
        except WorkshopError as exc:
            self.notify(str(exc), title="Message not sent", severity="error", markup=False)
            return
        event.input.value = ""
        self.poll_store()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letter keys belong to an input while one has focus. Only the console's own keys
        # wait: Tab, Shift+Tab and ctrl+p are the way out of a note or message line (all
        # actions were refused here, so a facilitator who typed a note was stuck in it).
        # (Under a dialog, a modal screen, the app's keys are not even looked up.)
        return not (isinstance(self.focused, Input) and action in LETTER_ACTIONS)


def status_of(status: Status, team_id: int) -> str:
    return next((r.status for r in status.rows if r.team.id == team_id), "")


def run_console(workshop_id: str, store: str | None = None, accept_changed: bool = False
                ) -> int:
    app = ConsoleApp(workshop_id, store, accept_changed)
    app.run()
    return app.return_code or 0

