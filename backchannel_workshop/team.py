"""The team client: a join code, then that team's round (the solo app's decision screen
with a reason box), the wait for the reveal, the outcome, and the debrief at the end.

Runs in a terminal (`backchannel workshop join CODE`) or, one process per browser tab, under
`backchannel workshop serve`. It shows only its own team's game: no other team, no saved
games, no file paths. What a participant types is stored as text and shown as text (never
markup, never a path or a command); exports go to the browser as downloads.
"""

from __future__ import annotations

import io
import itertools
import re
import time
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static

from backchannel_tui.messages import Continue, Decide
from backchannel_tui.screens.debrief import DebriefScreen
from backchannel_tui.screens.decision import DecisionScreen
from backchannel_tui.screens.outcome import OutcomeScreen
from backchannel_tui.textbase import fitted_header_title
from backchannel_tui.widgets.options import OptionPicker
from backchannel_workshop.common import (
    BREAKPOINTS,
    CSS_PATHS,
    STATUS_WORDS,
    FollowsStore,
    TeamPlay,
    round_words,
    timer_text,
    visible_play,
)
from engine.present.debrief import build_debrief, to_markdown
from engine.present.wording import CLOSED_UNSUBMITTED, already_submitted, team_absent_since
from engine.workshop import (
    NotFound,
    Phase,
    Refused,
    Room,
    ScenarioChanged,
    Team,
    WorkshopError,
    WorkshopStore,
    open_store,
)
from engine.workshop.room import MAX_REASON

FREE_TRIES = 3  # wrong codes before each further try has to wait
MAX_WAIT = 60.0  # seconds; the wait doubles per wrong code up to this


def plain(text: str) -> Content:
    """Text shown exactly as typed or stored: never read as markup."""
    return Content(text)


_screens = itertools.count(1)


def unique_id(kind: str) -> str:
    return f"{kind}-{next(_screens)}"


class CodeGate:
    """Wrong join codes, per connection (one client process is one connection): the first
    ``FREE_TRIES`` are free, then each wrong code makes the next try wait twice as long."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.failures = 0
        self.not_before = 0.0

    def wait(self) -> float:
        return max(0.0, self.not_before - self.clock())

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= FREE_TRIES:
            self.not_before = self.clock() + min(MAX_WAIT, 2.0 ** (self.failures - FREE_TRIES))

    def passed(self) -> None:
        self.failures, self.not_before = 0, 0.0


class JoinScreen(Screen):
    """Asks for the team's join code."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", show=True)]

    def __init__(self, code: str = "") -> None:
        super().__init__(id="join")
        self.initial = code

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Center(), Vertical(id="join-box") as box:
            box.border_title = "Join your team"
            yield Static("Type the join code your facilitator gave your team "
                         "(6 letters and digits).")  # a Static wraps; a Label was cut off
            yield Input(self.initial, placeholder="e.g. K7M2QX", id="code", max_length=16,
                        restrict=r"[A-Za-z0-9 \-]*")
            yield Static("", id="join-error")
            with Horizontal(classes="screen-buttons"):
                yield Button("Join", id="join-button", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "backchannel workshop"
        self.query_one("#code", Input).focus()
        app = self.app
        assert isinstance(app, TeamApp)
        app.call_next(app.screen_ready, self)

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#join-button")
    def attempt(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        app = self.app
        assert isinstance(app, TeamApp)
        error = app.try_join(self.query_one("#code", Input).value)
        if error:
            self.show_error(error)

    def show_error(self, text: str) -> None:
        self.query_one("#join-error", Static).update(plain(text))


class StatusLine(Static):
    """One line about where the team stands, updated in place."""


class MessageLine(Static):
    """The facilitator's message to all teams, on every screen until it is replaced or
    cleared, or the round is left (a toast alone is gone before a team that was talking
    looks up)."""


def status_lines() -> tuple[StatusLine, MessageLine]:
    return StatusLine(id="team-status"), MessageLine(id="team-message")


class TeamDecisionScreen(DecisionScreen):
    """The solo decision screen for one team's round, with the reason box, the draft (reason
    and highlighted option) kept in the store once the team writes a reason, and a line saying
    where the round stands. No what-if here."""

    BINDINGS = [Binding("ctrl+s", "submit", "Submit", show=False),
                Binding("r", "reason", "Reason")]

    def __init__(self, play: TeamPlay, round_no: int) -> None:
        super().__init__(play)  # type: ignore[arg-type]  # reads it as a session
        self.round_no = round_no
        self._draft_timer: Timer | None = None
        self._restoring = False
        # Whether the store holds a draft of this round: none is made until the team has
        # written something (a highlight alone, even the first one on opening, is not a
        # draft: the console would show the team as drafting before it has begun).
        self._drafted = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A workshop has no what-if, and no briefing to go back to.
        return action not in ("rewind", "back")

    def on_mount(self) -> None:
        # Textual runs the base class's on_mount after this one: set up after it.
        self.call_later(self._add_reason_box)

    async def _add_reason_box(self) -> None:
        # Where the round stands (open, the time left, submitted) and the facilitator's
        # message go above the scrolling round, always in view: below the options they were
        # out of sight at 80x24, so a team could not see that the round had opened.
        body = self.query_one("#decision-body")
        await self.query_one(".game-layout").mount(
            Vertical(*status_lines(), id="team-status-box"), before=body)
        main = self.query_one("#decision-main")
        box = Vertical(Label("Your reason (kept as you type; shown to everyone at the reveal)",
                             classes="section-title"),
                       Input(placeholder="Why this option?", id="reason",
                             max_length=MAX_REASON),
                       id="team-submit")
        await main.mount(box, after=self.query_one(OptionPicker))
        app = self.app
        assert isinstance(app, TeamApp)
        draft = app.current_draft()
        if draft is not None:
            self._drafted = True
            self._restoring = True
            self.query_one("#reason", Input).value = draft.reason
            ids = [offer.option.id for offer in self.offers]
            if draft.option_id in ids:
                self.query_one(OptionPicker).highlighted = ids.index(draft.option_id)
            self.call_after_refresh(self._restored)
        app.call_next(app.screen_ready, self)

    def _restored(self) -> None:
        self._restoring = False

    @property
    def reason(self) -> str:
        return self.query_one("#reason", Input).value if self.is_mounted else ""

    def reason_so_far(self) -> str:
        """The confirmation shows the reason written in the box, to keep or edit (it showed
        an empty 'Why?' and then joined the two)."""
        return self.reason.strip()

    def highlighted_option(self) -> str | None:
        picker = self.query_one(OptionPicker)
        offer = picker.offer_at(picker.highlighted)
        return offer.option.id if offer else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._keep_draft()  # the base class then shows the option's details

    @on(Input.Changed, "#reason")
    def _reason_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._keep_draft()

    @on(Input.Submitted, "#reason")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def action_submit(self) -> None:
        self.action_choose()

    def _ask(self, index: int | None) -> None:
        # Once the team has submitted, say so at once: Enter walked the team through the
        # confirmation, reason and all, only to be refused at the end.
        app = self.app
        if isinstance(app, TeamApp) and app.refused_as_decided(self.round_no):
            return
        super()._ask(index)

    def action_reason(self) -> None:
        """From the options to the reason box (Tab gets there too, past other widgets). At
        once, not after the queue: what is typed right after the key goes into the box."""
        for box in self.query("#reason").results(Input):
            self.set_focus(box)

    def _keep_draft(self) -> None:
        if self._restoring or not self.is_mounted:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(0.4, self.save_draft)

    def save_draft(self) -> None:
        self._draft_timer = None
        app = self.app
        if not isinstance(app, TeamApp) or not self.query("#reason"):
            return
        if not self._drafted and not self.reason.strip():
            return  # nothing written yet: nothing a refresh could lose
        app.keep_draft(self.round_no, self.highlighted_option(), self.reason)
        self._drafted = True  # from now on the option and the reason follow as they change

    def on_unmount(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()


class TeamOutcomeScreen(OutcomeScreen):
    """The solo outcome screen; the next round comes when the facilitator opens it."""

    def __init__(self, play: TeamPlay, round_no: int) -> None:
        super().__init__(play, play.outcomes[-1])  # type: ignore[arg-type]
        self.round_no = round_no

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ("continue", "back")

    def on_mount(self) -> None:
        self.call_later(self._adapt)  # after the base class's on_mount

    def _adapt(self) -> None:
        for button in self.query("#continue"):
            button.remove()
        body = self.query_one("#outcome-body")
        body.mount(*status_lines(), before=0)
        app = self.app
        assert isinstance(app, TeamApp)
        app.call_next(app.screen_ready, self)


class TeamDebriefScreen(DebriefScreen):
    """The solo debrief; export is a download (Markdown), never a file on the server."""

    def __init__(self, play: TeamPlay) -> None:
        # export_dir is never used: action_export below delivers a download instead.
        super().__init__(play, build_debrief(play),  # type: ignore[arg-type]
                         export_dir=Path())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ("rewind", "back")

    def on_mount(self) -> None:
        self.call_later(self._adapt)  # after the base class's on_mount

    def _adapt(self) -> None:
        for button in self.query("#rewind"):
            button.remove()
        for button in self.query("#export").results(Button):
            button.label = "Download the debrief (e)"
        self.query_one("#debrief-body").mount(*status_lines(), before=0)
        app = self.app
        assert isinstance(app, TeamApp)
        app.call_next(app.screen_ready, self)

    def action_export(self) -> None:
        text = to_markdown(self.debrief)
        team = re.sub(r"[^a-z0-9]+", "-", (self.session.team or "team").lower()).strip("-")
        name = f"{self.scenario.id}-{team or 'team'}-debrief.md"
        self.app.deliver_text(io.StringIO(text), save_filename=name,
                              mime_type="text/markdown")
        self.notify(f"Debrief delivered as {name}", timeout=6)


class TeamApp(FollowsStore):
    """Join -> the team's round -> the reveal -> ... -> the debrief."""

    CSS_PATH = CSS_PATHS
    TITLE = "backchannel workshop"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    ENABLE_COMMAND_PALETTE = False  # its system commands (e.g. save screenshot) are not for here

    def format_title(self, title: str, sub_title: str) -> Content:
        # "Red · <workshop>" is shortened, never "Round 2 of 6 · outcome": at 80 columns the
        # header cut the round off the end.
        return fitted_header_title(self, title, sub_title)

    def __init__(self, store: WorkshopStore | str | None = None, code: str | None = None,
                 workshop_id: str | None = None, client: str = "terminal",
                 accept_changed: bool = False) -> None:
        super().__init__()
        self.accept_changed = accept_changed
        self._store_arg = store
        self.store: WorkshopStore | None = None
        self.initial_code = code or ""
        self.workshop_id = workshop_id  # when served for one workshop: codes of others fail
        self.client = client
        self.gate = CodeGate()
        self.room: Room | None = None
        self.team: Team | None = None
        self.view: tuple | None = None  # what the current screen shows (round, kind)
        self.last_message: str | None = None
        self.ready = False  # the current screen is set up and may be replaced

    def on_mount(self) -> None:
        try:
            self.store = (self._store_arg if isinstance(self._store_arg, WorkshopStore)
                          else open_store(self._store_arg, create=False))
        except WorkshopError as exc:
            self.exit(return_code=1, message=f"backchannel: {exc}")
            return
        self.push_screen(JoinScreen(self.initial_code))

    def screen_ready(self, screen: Screen) -> None:
        """A screen of ours has mounted and Textual has finished setting it up (this runs
        from the app's queue after its Header's own set-up). Only now may it be replaced:
        replacing a screen sooner leaves its Header's pending updates on a dead widget."""
        if not self.screen_stack or screen is not self.screen:
            return
        self.ready = True
        if isinstance(screen, JoinScreen):
            if self.initial_code and self.room is None:
                code, self.initial_code = self.initial_code, ""
                error = self.try_join(code)
                if error:
                    screen.show_error(error)
            return
        if self.team is not None and self.room is not None:
            # Set once per screen: the live status (timer included) is the StatusLine's.
            # A Header's title changing while the app shuts down fails inside Textual.
            screen.title = f"{self.team.name} · {self.room.workshop.name}"
        self.refresh_status()
        self.show_current()  # catch up with anything that changed meanwhile

    # -- joining

    def try_join(self, typed: str) -> str | None:
        """Join with what was typed; None on success, else what to tell the participant."""
        wait = self.gate.wait()
        if wait > 0:
            return f"Too many wrong codes: try again in {int(wait + 0.999)} s."
        assert self.store is not None
        try:
            room, team = Room.for_code(self.store, typed,
                                       accept_changed_scenario=self.accept_changed)
            if self.workshop_id is not None and room.id != self.workshop_id:
                raise NotFound("not this workshop")
        except NotFound:
            self.gate.failed()
            return ("No team has this code. Check it on the facilitator's screen "
                    "(letters and digits, no O, I or L).")
        except ScenarioChanged:  # the full story (file, hashes, remedy) is the facilitator's
            return ("This workshop cannot go on: its scenario was changed on the server after "
                    "the workshop began. Tell your facilitator; `backchannel workshop status` "
                    "on their machine says what changed and what to do.")
        except WorkshopError as exc:  # a malformed code, or the workshop cannot be played
            return str(exc)
        self.gate.passed()
        self.room, self.team = room, team
        room.join(team, self.client)
        self.last_message = room.workshop.message
        self.follow_store(self.store_changed, self.refresh_status)
        self.show_current()
        return None

    # -- following the workshop

    def store_changed(self) -> None:
        self.show_current()
        room = self.room
        assert room is not None
        message = room.workshop.message
        if message and message != self.last_message:
            self.notify(message, title="From the facilitator", timeout=20, markup=False)
        self.last_message = message

    def wanted_view(self) -> tuple:
        """Which screen the team should see now: (kind, round)."""
        room, team = self.room, self.team
        assert room is not None and team is not None
        c = room.workshop.control
        play = visible_play(room, team.id)
        if c.phase is Phase.ENDED or play.over:
            return ("debrief", len(play.decisions))
        decided = room.snap.decision(team.id, c.round_no)
        if c.phase is Phase.REVEALED and decided is not None and not decided.absent:
            return ("outcome", c.round_no)
        if play.absent_from is not None:
            return ("absent", play.absent_from)
        return ("decision", play.state.round_no)

    def show_current(self) -> None:
        if not self.ready or not self.screen_stack:
            return  # screen_ready() calls again (or the app is shutting down)
        view = self.wanted_view()
        if view == self.view:
            self.refresh_status()
            return
        room, team = self.room, self.team
        assert room is not None and team is not None
        play = visible_play(room, team.id)
        kind, round_no = view
        screen: Screen
        if kind == "debrief":
            screen = TeamDebriefScreen(play)
        elif kind == "outcome":
            screen = TeamOutcomeScreen(play, round_no)
        elif kind == "absent":
            screen = TeamDebriefScreen(play)
        else:
            screen = TeamDecisionScreen(play, round_no)
        self.view = view
        self.ready = False
        if isinstance(self.screen, JoinScreen | TeamDecisionScreen | TeamOutcomeScreen
                      | TeamDebriefScreen):
            self.switch_screen(screen)
        else:  # a dialog is open on top: replace what is under it
            while len(self.screen_stack) > 2:
                self.pop_screen()
            self.switch_screen(screen)

    def status_text(self) -> str:
        room, team = self.room, self.team
        assert room is not None and team is not None
        c = room.workshop.control
        parts = [team.name, round_words(room)]
        decided = room.snap.decision(team.id, c.round_no)
        # Marked absent in an earlier round: nothing is due from this team any more (it was
        # told to choose an option and submit, over its debrief, in every round after).
        gone = room.team_game(team.id).absent_from if decided is None else None
        clock = timer_text(room)
        if clock and c.phase is Phase.OPEN and gone is None:
            parts.append(f"{clock} left")
        if c.phase is Phase.ENDED:
            parts.append("see your debrief below")
        elif gone is not None:
            parts.append(f"{team_absent_since(gone)} (see your debrief below)")
        elif decided is not None:
            if decided.absent:
                parts.append("marked absent by the facilitator")
            elif c.phase is Phase.REVEALED:
                parts.append("outcome below")
            else:
                opt = room.scenario.option(decided.option_id) if decided.option_id else None
                who = STATUS_WORDS["override"] if decided.override else STATUS_WORDS["submitted"]
                what = f": {opt.title}" if opt is not None else ""
                parts.append(f"{who}{what}; waiting for the reveal")
        elif c.phase is Phase.READY:
            parts.append("discuss; you can submit once the facilitator opens the round")
        elif c.phase is Phase.OPEN:
            parts.append("choose an option, write your reason, press Enter to submit")
        elif c.phase is Phase.CLOSED:
            parts.append(CLOSED_UNSUBMITTED)
        elif c.phase is Phase.REVEALED:
            parts.append("waiting for the next round")
        return " · ".join(parts)

    def refresh_status(self) -> None:
        """The status line, in place (the timer ticks here every second)."""
        if self.room is None or self.team is None or not self.screen_stack:
            return
        text = self.status_text()
        for line in self.screen.query(StatusLine):
            line.update(plain(text))
        message = self.room.workshop.message
        for shown in self.screen.query(MessageLine):
            shown.update(plain(f"From the facilitator: {message}" if message else ""))
            shown.display = bool(message)

    def refused_as_decided(self, round_no: int) -> bool:
        """Whether the team already has a decision in ``round_no``; if so, say it is kept."""
        room, team = self.room, self.team
        assert room is not None and team is not None
        decided = room.refresh().decision(team.id, round_no)
        if decided is None:
            return False
        self.notify(already_submitted(room.scenario, round_no, decided), title="Not submitted",
                    severity="error", timeout=10, markup=False)
        return True

    def current_draft(self):
        assert self.room is not None and self.team is not None
        return self.room.draft(self.team.id)

    def keep_draft(self, round_no: int, option_id: str | None, reason: str) -> None:
        room, team = self.room, self.team
        if room is None or team is None or room.workshop.control.round_no != round_no:
            return
        if room.snap.decision(team.id, round_no) is not None:
            return  # submitted: the draft no longer matters
        try:
            room.save_draft(team.id, option_id, reason)
        except WorkshopError as exc:
            self.notify(str(exc), title="Draft not kept", severity="warning", markup=False)

    # -- intents from the reused screens

    def on_decide(self, message: Decide) -> None:
        message.stop()
        room, team, screen = self.room, self.team, self.screen
        assert room is not None and team is not None
        if not isinstance(screen, TeamDecisionScreen):
            return
        try:
            # The confirmation's line started with the reason box's text: what it holds now
            # is the reason.
            room.submit(team.id, message.option_id, (message.why or "").strip(),
                        round_no=screen.round_no)
        except Refused as exc:
            if exc.reason == "duplicate" and self.refused_as_decided(screen.round_no):
                return  # submitted meanwhile, from another device of the team
            self.notify(str(exc), title="Not submitted", severity="error", timeout=10,
                        markup=False)
            return
        except WorkshopError as exc:
            self.notify(str(exc), title="Not submitted", severity="error", timeout=10,
                        markup=False)
            return
        self.notify("Submitted. It stays hidden from the other teams until the reveal.",
                    title="Submitted", timeout=6)
        self.show_current()

    def on_continue(self, message: Continue) -> None:
        message.stop()
        self.refresh_status()


def run_team(code: str | None = None, store: str | None = None, workshop_id: str | None = None,
             client: str = "terminal", accept_changed: bool = False) -> int:
    app = TeamApp(store, code=code, workshop_id=workshop_id, client=client,
                  accept_changed=accept_changed)
    app.run()
    return app.return_code or 0


def main(argv: list[str] | None = None) -> int:
    """The served entry point: `python -m backchannel_workshop.team --workshop ID`, the store
    in $BACKCHANNEL_STORE (a URL with a password must not be on a command line)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m backchannel_workshop.team")
    parser.add_argument("--store", default=None,
                        help="file or URL (default: $BACKCHANNEL_STORE, as `serve` sets it)")
    parser.add_argument("--workshop", required=True)
    parser.add_argument("--client", default="browser", choices=("browser", "terminal"))
    parser.add_argument("--accept-changed-scenario", action="store_true")
    args = parser.parse_args(argv)
    return run_team(None, args.store, args.workshop, args.client,
                    accept_changed=args.accept_changed_scenario)


if __name__ == "__main__":
    raise SystemExit(main())
