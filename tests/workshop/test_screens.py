"""Pilot tests of the workshop screens on one shared temporary store: the team client, the
facilitator console and the projector, each with its own store connection (as in separate
processes), driven by key presses; the facilitator's or other teams' moves are made through
another connection, as another process would."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, OptionList, Static
from textual.widgets._footer import FooterKey
from textual.widgets._header import HeaderTitle

from backchannel_tui.screens.modals import ConfirmChoice
from backchannel_tui.widgets.options import OptionPicker
from backchannel_workshop.board import RevealBoard
from backchannel_workshop.console import ConfirmStep, ConsoleApp, OverrideScreen, TimerScreen
from backchannel_workshop.projector import ProjectorApp
from backchannel_workshop.team import (
    FREE_TRIES,
    JoinScreen,
    MessageLine,
    StatusLine,
    TeamApp,
    TeamDebriefScreen,
    TeamDecisionScreen,
    TeamOutcomeScreen,
)
from engine.workshop import Phase, Room, create_workshop, open_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "example-scenario.yaml"


class Workshop:
    """A workshop of Red and Blue on a fresh store, and a facilitator's connection to it."""

    def __init__(self, folder: Path) -> None:
        self.path = str(folder / "workshops.sqlite3")
        self.store = open_store(self.path)
        w = create_workshop(self.store, EXAMPLE, ["Red", "Blue"], seed=7, round_minutes=5)
        self.id = w.id
        self.room = Room(self.store, w.id)
        self.codes = {t.name: t.code for t in self.room.snap.teams}
        self.ids = {t.name: t.id for t in self.room.snap.teams}

    def act(self, *actions: str) -> None:
        for action in actions:
            self.room.act(action)

    def submit(self, team: str, n: int = 0, reason: str = "ours") -> str:
        option = self.room.offered(self.ids[team])[n]
        self.room.submit(self.ids[team], option.id, reason)
        return option.id


@pytest.fixture
def ws(tmp_path) -> Workshop:
    return Workshop(tmp_path)


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    """The screens look for others' changes every 0.05 s here (0.25 s in use): the tests
    wait on those looks, and the suite must stay fast. What a look finds is unchanged."""
    monkeypatch.setattr("backchannel_workshop.common.POLL_SECONDS", 0.05)


def run(app, script, size=(110, 36)):
    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await script(pilot)

    return asyncio.run(main())


async def until(pilot: Pilot, test, timeout: float = 30.0) -> float:
    """Wait (in the app's own loop) until ``test()`` holds; returns the seconds it took.
    The limit only matters when something is broken: a loaded machine (the whole suite on
    two shared cores) can take several seconds for a screen's refresh."""
    start = time.perf_counter()
    while not test():
        if time.perf_counter() - start > timeout:
            raise AssertionError("the screen did not update in time")
        await pilot.pause(0.02)
    return time.perf_counter() - start


def showing(app, kind) -> bool:
    """The team client shows a screen of this kind, set up and live."""
    return isinstance(app.screen, kind) and app.ready


def status(app) -> str:
    """The team client's status line (where the round stands, the timer)."""
    return " ".join(str(w.render()) for w in app.screen.query(StatusLine))


def message(app) -> str | None:
    """The facilitator's message as the team client shows it on this screen (None: none)."""
    shown = [str(w.render()) for w in app.screen.query(MessageLine) if w.display]
    return " ".join(shown) if shown else None


def text_of(screen) -> str:
    """Everything the screen's text widgets show, as plain text."""
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def join(pilot: Pilot, code: str) -> None:
    field = pilot.app.screen.query_one("#code", Input)
    field.focus()
    field.value = code
    await pilot.press("enter")
    await pilot.pause()


# ------------------------------------------------------------------ team client


def test_wrong_codes_are_refused_and_slowed_per_connection(ws):
    app = TeamApp(ws.path, workshop_id=ws.id)
    now = [1000.0]
    app.gate.clock = lambda: now[0]

    async def script(pilot):
        for _ in range(FREE_TRIES):
            await join(pilot, "ABCDEF")
            assert isinstance(app.screen, JoinScreen)
            assert "No team has this code" in text_of(app.screen)
        # Now even the right code must wait: guessing costs time, per connection.
        await join(pilot, ws.codes["Red"])
        assert isinstance(app.screen, JoinScreen)
        assert "Too many wrong codes" in text_of(app.screen)
        now[0] += 1.5
        await join(pilot, ws.codes["Red"].lower())
        await until(pilot, lambda: showing(app, TeamDecisionScreen))

    run(app, script)
    assert ws.room.refresh().team(ws.ids["Red"]).joined_at is not None


def test_code_of_another_workshop_is_refused_when_served_for_one(ws, tmp_path):
    other = create_workshop(ws.store, EXAMPLE, ["Green"], seed=1)
    green = ws.store.teams(other.id)[0].code
    app = TeamApp(ws.path, workshop_id=ws.id)

    async def script(pilot):
        await join(pilot, green)
        assert isinstance(app.screen, JoinScreen)
        assert "No team has this code" in text_of(app.screen)

    run(app, script)


def test_team_round_draft_submit_reveal(ws):
    app = TeamApp(ws.path, code=ws.codes["Red"])

    async def script(pilot):
        await until(pilot, lambda: showing(app, TeamDecisionScreen))
        screen = app.screen
        await until(pilot, lambda: "not open yet" in status(app))
        ws.act("open")
        await until(pilot, lambda: "open for decisions" in status(app))
        # The facilitator's message stays on the team's screen until replaced or cleared.
        ws.room.message("Five minutes left")
        await until(pilot, lambda: message(app) == "From the facilitator: Five minutes left")
        await pilot.press("2")
        reason = screen.query_one("#reason", Input)
        reason.focus()
        reason.value = "talk first [b]now"
        await pilot.press("end", *"[/b]")
        second = screen.offers[1].option.id
        # The draft reaches the store as typed (debounced), so a refresh loses nothing.
        def drafted():
            draft = ws.room.draft(ws.ids["Red"])
            return draft is not None and draft.reason == "talk first [b]now[/b]"

        await until(pilot, drafted)
        assert ws.room.draft(ws.ids["Red"]).option_id == second
        ws.submit("Blue", 0, "Blue's secret reason")
        await pilot.press("enter")  # in the reason box: choose the highlighted option
        await until(pilot, lambda: isinstance(app.screen, ConfirmChoice))
        # The confirmation's 'Why?' starts with the reason already written (it was empty),
        # to keep or add to: a key typed goes after it (selected, the key replaced it).
        assert app.screen.query_one("#why", Input).value == "talk first [b]now[/b]"
        await pilot.press("!")
        await pilot.press("enter")
        await until(pilot, lambda: ws.room.refresh().decision(ws.ids["Red"], 1) is not None)
        d = ws.room.snap.decision(ws.ids["Red"], 1)
        assert (d.option_id, d.reason, d.by) == (second, "talk first [b]now[/b]!", "team")
        await until(pilot, lambda: "waiting for the reveal" in status(app))
        # A second submission is refused at once, without the confirmation, and said so;
        # nothing changes.
        await pilot.press("enter")
        await until(pilot, lambda: any(n.title == "Not submitted" for n in app._notifications))
        assert not isinstance(app.screen, ConfirmChoice)
        said = next(n.message for n in app._notifications if n.title == "Not submitted")
        # Said as the screens name options, not by the id no participant has seen.
        title = ws.room.scenario.option(second).title
        assert f"already submitted for round 1: [Track 1.5] {title} (submitted)" in said
        assert second not in said
        assert ws.room.refresh().decision(ws.ids["Red"], 1).option_id == second
        ws.act("close", "reveal")
        await until(pilot, lambda: showing(app, TeamOutcomeScreen))
        shown = text_of(app.screen)
        assert "Blue's secret reason" not in shown and "Blue" not in status(app)
        assert message(app) == "From the facilitator: Five minutes left"  # still there
        ws.room.message(None)
        await until(pilot, lambda: message(app) is None)
        ws.act("next")
        await until(pilot, lambda: showing(app, TeamDecisionScreen)
                    and app.screen.round_no == 2 and app.ready)

    run(app, script)


def test_a_submission_from_another_device_meanwhile_is_kept_and_said(ws):
    """The team's second device submits while this one's confirmation is open: this one's
    submission is refused in the screens' words, and the first stands."""
    app = TeamApp(ws.path, code=ws.codes["Red"])

    async def script(pilot):
        ws.act("open")
        await until(pilot, lambda: showing(app, TeamDecisionScreen)
                    and "open for decisions" in status(app))
        await pilot.press("2", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmChoice))
        first = ws.submit("Red", 0, "from the other laptop")
        app.screen.query_one("#why", Input).value = "ours"
        await pilot.press("enter")
        await until(pilot, lambda: any(n.title == "Not submitted" for n in app._notifications))
        said = next(n.message for n in app._notifications if n.title == "Not submitted")
        assert "already submitted for round 1: [Track 1]" in said and first not in said
        assert ws.room.refresh().decision(ws.ids["Red"], 1).reason == "from the other laptop"

    run(app, script)


def test_team_at_80x24_sees_where_the_round_stands_without_scrolling(tmp_path):
    """The status line (open, the time left, submitted) and the facilitator's message stay in
    view at 80x24 over a long situation, also once the options are scrolled to: below the
    options they were out of sight, and a team could not tell that the round had opened."""
    store = open_store(tmp_path / "w.sqlite3")
    room = Room(store, create_workshop(store, ROOT / "scenarios" /
                                       "myanmar-humanitarian-access.yaml", ["Red"], seed=7,
                                       round_minutes=5).id)
    app = TeamApp(store, code=room.snap.teams[0].code)

    def in_view(kind) -> bool:
        line = app.screen.query_one(kind)
        r = line.region
        return (r.height > 0 and r.y >= 0 and r.bottom <= 23  # above the footer
                and app.screen.get_widget_at(r.x + 1, r.y)[0] is line)

    async def script(pilot):
        await until(pilot, lambda: showing(app, TeamDecisionScreen))
        room.act("open")
        room.message("Ten minutes")
        await until(pilot, lambda: "open for decisions" in status(app) and message(app))
        # Waited for, not asserted at once: the message's line is laid out on the next refresh.
        await until(pilot, lambda: in_view(StatusLine) and in_view(MessageLine))
        await pilot.press("3")  # the options come into view
        await pilot.pause()
        await until(pilot, lambda: in_view(StatusLine) and in_view(MessageLine))
        # the header keeps the round and shortens the team's and workshop's name instead
        title = app.screen.query_one(HeaderTitle)
        header = str(title.render())
        assert header.startswith("Red · Myanmar") and header.endswith("Round 1 of 6"), header
        assert len(header) <= title.region.width, header  # all of it shows

    run(app, script, size=(80, 24))


def test_a_team_is_drafting_only_once_it_writes_a_reason(ws):
    """Opening the round highlights the first option and browsing moves the highlight: no
    draft (the console would show 'drafting' before the team has begun). Writing a reason
    makes one, and from then on the option follows the highlight."""
    ws.act("open")
    app = TeamApp(ws.path, code=ws.codes["Red"])
    red = ws.ids["Red"]

    async def script(pilot):
        await until(pilot, lambda: showing(app, TeamDecisionScreen))
        screen = app.screen
        await pilot.press("2", "down")
        screen.save_draft()  # what the typing pause would do, now
        assert ws.room.draft(red) is None
        await pilot.press("r", *"we")
        third, second = (offer.option.id for offer in screen.offers[2:0:-1])
        await until(pilot, lambda: (d := ws.room.draft(red)) is not None and d.reason == "we")
        assert ws.room.draft(red).option_id == third
        screen.set_focus(screen.query_one(OptionPicker))
        await pilot.press("up")
        await until(pilot, lambda: screen.highlighted_option() == second)
        screen.save_draft()
        assert (ws.room.draft(red).option_id, ws.room.draft(red).reason) == (second, "we")

    run(app, script)


def test_rejoin_from_a_new_device_restores_the_draft(ws):
    ws.act("open")
    second = ws.room.offered(ws.ids["Red"])[1].id
    ws.room.save_draft(ws.ids["Red"], second, "half a thought")
    app = TeamApp(ws.path)

    async def script(pilot):
        await join(pilot, ws.codes["Red"])
        await until(pilot, lambda: showing(app, TeamDecisionScreen))
        screen = app.screen
        await pilot.pause()
        assert screen.query_one("#reason", Input).value == "half a thought"
        assert screen.highlighted_option() == second

    run(app, script)


def test_team_sees_the_end_and_downloads_its_debrief(ws):
    app = TeamApp(ws.path, code=ws.codes["Red"])
    delivered = []
    app.deliver_text = lambda f, **kw: delivered.append((f.read(), kw))  # type: ignore

    async def script(pilot):
        await until(pilot, lambda: showing(app, TeamDecisionScreen))
        while ws.room.refresh().workshop.control.phase is not Phase.ENDED:
            ws.act("open")
            for team in ("Red", "Blue"):
                if ws.room.offered(ws.ids[team]):
                    ws.submit(team)
            ws.act("close", "reveal")
            ws.room.message("Well done: one more round")
            ws.act("next")
        await until(pilot, lambda: showing(app, TeamDebriefScreen))
        # The last round's message went with it (it stayed on the debrief after the end).
        await pilot.pause(0.3)
        assert message(app) is None
        await pilot.press("e")
        await pilot.pause()

    run(app, script)
    (text, kw), = delivered
    assert kw["save_filename"].endswith("-red-debrief.md") and "/" not in kw["save_filename"]
    assert "Red" in text or "Round 1" in text


def test_a_team_absent_since_an_earlier_round_is_not_told_to_submit(ws):
    """In the rounds after its absence the team's status line said 'open for decisions ·
    04:59 left · choose an option, write your reason, press Enter to submit' over its
    debrief; nothing is due from it any more."""
    app = TeamApp(ws.path, code=ws.codes["Red"])

    async def script(pilot):
        await until(pilot, lambda: showing(app, TeamDecisionScreen))
        ws.act("open")
        ws.submit("Blue")
        ws.act("close")
        ws.room.mark_absent(ws.ids["Red"], "left early")
        ws.act("reveal", "next", "open")
        await until(pilot, lambda: showing(app, TeamDebriefScreen)
                    and "Round 2" in status(app) and "open for decisions" in status(app))
        line = status(app)
        assert "marked absent in round 1; its game stopped there" in line
        assert "choose an option" not in line and " left ·" not in line  # no timer
        assert app.screen.sub_title == "Debrief"  # its game will not go on: not "so far"

    run(app, script)


# ------------------------------------------------------------------ facilitator console


def test_console_phases_override_notes_in_place_and_reveal_board(ws):
    app = ConsoleApp(ws.id, ws.path)

    async def script(pilot):
        await pilot.pause()
        table = app.query_one("#teams", DataTable)
        assert table.row_count == 2
        # The round's facilitator notes cite "feng-track2 ¶4": shown as the source's label.
        notes = str(app.query_one("#situation", Static).render())
        assert "(Feng ¶4)" in notes and "feng-track2" not in notes
        await pilot.press("o")
        await until(pilot, lambda: ws.room.refresh().workshop.control.phase is Phase.OPEN)
        await pilot.press("o")  # a double press does not open twice
        await pilot.pause()
        opens = [e for e in ws.store.events(ws.id, kinds=("phase",))
                 if e.data.get("action") == "open"]
        assert len(opens) == 1
        ws.submit("Red", 1, "[red]markup stays text[/red]")
        await until(pilot, lambda: "submitted" in str(table.get_row(str(ws.ids["Red"]))))
        row = [str(c) for c in table.get_row(str(ws.ids["Red"]))]
        assert "markup stays text" not in " ".join(row)  # who, not what, before the reveal
        # A half-typed note survives the refreshes that others' changes cause.
        await pilot.press("tab")  # leave the table so the tab switch keys are free
        app.query_one("#tabs").active = "tab-notes"
        note = app.query_one("#note", Input)
        note.focus()
        note.value = "half a n"
        await pilot.press("end", "o")
        ws.room.message("ignore")  # someone else's change arrives meanwhile
        await until(pilot, lambda: "ignore" in str(app.query_one("#message-now").render()))
        assert note.value == "half a no"
        await pilot.press(*"te", "enter")
        log = app.query_one("#notes", DataTable)
        await until(pilot, lambda: log.row_count == 2)  # the message, then the note
        assert [e.data["text"] for e in ws.room.notes()] == ["half a note"]
        assert [[str(c) for c in log.get_row_at(i)[2:]] for i in range(2)] == [
            ["message", "ignore"], ["Red", "half a note"]]
        app.query_one("#tabs").active = "tab-teams"
        table.focus()
        await pilot.press("c")
        await until(pilot, lambda: ws.room.refresh().workshop.control.phase is Phase.CLOSED)
        table.move_cursor(row=table.get_row_index(str(ws.ids["Blue"])))
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, OverrideScreen))
        await pilot.press("down", "enter")  # choose the first option; Enter: to the reason
        field = app.screen.query_one("#override-reason", Input)
        assert field.has_focus
        field.value = "team left early"
        await pilot.press("enter")  # Enter in the reason line enters it, as the button does
        await until(pilot, lambda: ws.room.refresh().decision(ws.ids["Blue"], 1) is not None)
        blue = ws.room.snap.decision(ws.ids["Blue"], 1)
        assert blue.override and blue.reason == "team left early"
        await pilot.press("r")
        await until(pilot, lambda: ws.room.refresh().workshop.control.phase is Phase.REVEALED)
        await until(pilot, lambda: "markup stays text" in text_of(app.query_one(RevealBoard)))
        board = text_of(app.query_one(RevealBoard))
        assert "[red]markup stays text[/red]" in board and "team left early" in board
        assert "entered by the facilitator" in board
        comparison = app.query_one("#comparison", DataTable)
        assert len(comparison.columns) == 3 and comparison.row_count >= 1
        # Every cell of the teams table is shown whole: the columns grew with what they got
        # (they used to keep the width they had when empty: "07" for 07:12:32).
        for col in table.columns.values():
            for key in table.rows:
                assert col.content_width >= len(str(table.get_cell(key, col.key))), col.label

    run(app, script, size=(120, 40))


def test_console_at_80x24_footer_fits_and_palette_has_every_action(ws):
    """At 80x24 every key the footer shows is whole; the palette (ctrl+p) lists every console
    action with its key and runs it; a reveal with a team missing says what to press here.
    In the note line a letter is text, not a console key, and Tab and Shift+Tab still move
    on (every app action was refused while a line had focus: a facilitator who typed a note
    reached neither the message line nor, with Shift+Tab, the keys again)."""
    app = ConsoleApp(ws.id, ws.path)

    async def script(pilot):
        await pilot.pause()
        app.query_one("#tabs").active = "tab-notes"
        note = app.query_one("#note", Input)
        note.focus()
        await pilot.press("o")
        assert note.value == "o" and ws.room.refresh().workshop.control.phase is Phase.READY
        await pilot.press("tab", "tab")  # past the notes log to the message line
        field = app.query_one("#message", Input)
        assert app.focused is field
        field.value = "soon"
        await pilot.press("enter")
        await until(pilot, lambda: ws.room.refresh().workshop.message == "soon")
        await pilot.press("shift+tab")  # back to the notes log: out of the line
        assert app.focused is app.query_one("#notes", DataTable)
        keys = list(app.query(FooterKey))
        assert keys and all(k.region.right <= 80 and k.region.width > 0 for k in keys)
        shown = " ".join(str(k.render()) for k in keys)
        for word in ("Open", "Close", "Reveal", "Next", "Timer", "Pause", "Decide", "Quit"):
            assert word in shown
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for key in ("o", "c", "r", "n", "t", "+", "-", "p", "e", "d"):
            assert any(t.endswith(f"({key})") for t in titles), key
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"open the round")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: ws.room.refresh().workshop.control.phase is Phase.OPEN)
        ws.submit("Red")
        await pilot.press("c")
        await until(pilot, lambda: ws.room.refresh().workshop.control.phase is Phase.CLOSED)
        await pilot.press("r")
        await until(pilot, lambda: any("press d" in n.message for n in app._notifications))
        note = next(n.message for n in app._notifications if "press d" in n.message)
        assert "Blue" in note and "Red" not in note and "workshop decide" not in note
        assert ws.room.refresh().workshop.control.phase is Phase.CLOSED

    run(app, script, size=(80, 24))


def fits(screen, selector: str, size=(80, 24)) -> bool:
    """The widget and its buttons are whole on a screen of ``size``."""
    boxes = [screen.query_one(selector).region, *(b.region for b in screen.query(Button))]
    return all(r.width > 0 and r.x >= 0 and r.y >= 0 and r.right <= size[0]
               and r.bottom <= size[1] for r in boxes)


def test_console_decision_dialog_chooses_nothing_itself_and_confirms_what_is_final(ws):
    """At 80x24: the decision dialog starts with no option chosen, so Enter or the button
    enters nothing ("Choose an option first"; it entered option 1); replacing a team's own
    decision and marking a team absent (final) are asked first, and a no changes nothing."""
    app = ConsoleApp(ws.id, ws.path)
    red, blue = ws.ids["Red"], ws.ids["Blue"]
    notes = lambda: [n.message for n in app._notifications]  # noqa: E731

    async def decide_for(pilot, team: int) -> OverrideScreen:
        table = app.query_one("#teams", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(str(team)))
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, OverrideScreen))
        return app.screen

    async def script(pilot):
        await pilot.pause()
        ws.act("open")
        own = ws.submit("Red", 0, "the team's own reason")
        ws.act("close")
        await until(pilot, lambda: app.shown_version == ws.room.workshop.control.version)
        dialog = await decide_for(pilot, blue)
        options = dialog.query_one("#override-options", OptionList)
        assert options.highlighted is None and options.has_focus
        assert fits(dialog, "#override-dialog")
        await pilot.press("enter")  # on the list: nothing is chosen, nothing happens
        dialog.query_one("#enter", Button).press()
        await until(pilot, lambda: "Choose an option first." in notes())
        field = dialog.query_one("#override-reason", Input)
        field.focus()
        field.value = "by phone"
        await pilot.press("enter")  # the reason line enters, but only what was chosen
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen) and options.has_focus
        assert ws.room.refresh().decision(blue, 1) is None
        second = ws.room.offered(blue)[1].id
        await pilot.press("down", "down", "enter")  # the second option; Enter: to the reason
        assert field.has_focus
        await pilot.press("enter")
        await until(pilot, lambda: ws.room.refresh().decision(blue, 1) is not None)
        assert ws.room.snap.decision(blue, 1).option_id == second

        # Red has its own decision: replacing it is confirmed first; "no" keeps it.
        dialog = await decide_for(pilot, red)
        dialog.query_one("#override-reason", Input).value = "asked to change"
        await pilot.press("down", "down", "down", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmStep))
        shown = str(app.screen.query_one("#confirm-text").render())
        assert "Red already has a decision in round 1: 1. [Track" not in shown
        assert "Red already has a decision in round 1: [Track 1]" in shown
        assert "(submitted)" in shown and "Enter [Track 2]" in shown
        assert fits(app.screen, "#confirm-dialog")
        await pilot.press("enter")  # the focus is on "Go back"
        await until(pilot, lambda: app.screen is dialog)
        assert ws.room.refresh().decision(red, 1).option_id == own
        await pilot.press("enter")  # still in the reason line, still typed
        await until(pilot, lambda: isinstance(app.screen, ConfirmStep))
        await pilot.press("y")
        await until(pilot, lambda: ws.room.refresh().decision(red, 1).override)
        d = ws.room.snap.decision(red, 1)
        assert (d.reason, d.team_reason) == ("asked to change", "the team's own reason")
        replaced = ws.store.events(ws.id, kinds=("override",))[-1].data["replaced"]
        assert replaced["option"] == own and replaced["by"] == "team"

        # Marking absent says it is final, and only a yes does it.
        dialog = await decide_for(pilot, blue)
        dialog.query_one("#absent", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ConfirmStep))
        shown = " ".join(str(app.screen.query_one("#confirm-text").render()).split())
        assert "This is final" in shown and "cannot come back" in shown
        assert "Blue already has a decision in round 1" in shown
        assert fits(app.screen, "#confirm-dialog")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is dialog)
        assert not ws.room.refresh().decision(blue, 1).absent
        dialog.query_one("#absent", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ConfirmStep))
        await pilot.press("y")
        await until(pilot, lambda: ws.room.refresh().decision(blue, 1).absent)

    run(app, script, size=(80, 24))


def test_console_keys_wait_while_a_dialog_is_open(ws):
    """Under an open dialog the console's letter keys do nothing (r must not reveal the
    round behind the decision dialog); the dialog says first what the team has this round
    (it was said only when replacing it was confirmed)."""
    app = ConsoleApp(ws.id, ws.path)
    blue = ws.ids["Blue"]

    async def script(pilot):
        ws.act("open")
        ws.submit("Red", 0)
        ws.act("close")
        await until(pilot, lambda: app.shown_version == ws.room.workshop.control.version)
        table = app.query_one("#teams", DataTable)
        table.focus()
        for team, now in (("Red", "Now in round 1: [Track 1]"),
                          ("Blue", "No decision yet in round 1.")):
            table.move_cursor(row=table.get_row_index(str(ws.ids[team])))
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, OverrideScreen))
            assert str(app.screen.query_one("#override-now").render()).startswith(now)
            if team == "Red":
                await pilot.press("escape")
                await until(pilot, lambda: not isinstance(app.screen, OverrideScreen))
        dialog = app.screen
        before = ws.room.refresh().workshop.control
        await pilot.press("r", "n", "o", "t", "p", "e", "plus")
        await pilot.pause(0.2)
        assert ws.room.refresh().workshop.control == before  # phase, timer, version
        assert app.screen is dialog
        dialog.query_one("#absent", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ConfirmStep))
        await pilot.press("r", "d")
        await pilot.pause(0.2)
        assert ws.room.refresh().workshop.control.phase is Phase.CLOSED
        assert isinstance(app.screen, ConfirmStep)
        await pilot.press("n", "escape")  # go back, then cancel: the keys are the console's
        await until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        assert ws.room.refresh().decision(blue, 1) is None
        await pilot.press("r")  # Blue has no decision: the reveal is refused and says so
        await until(pilot, lambda: any("press d" in n.message for n in app._notifications))

    run(app, script, size=(80, 24))


def test_a_tick_or_poll_while_closing_is_quiet(ws):
    """The timer tick and the store poll can fire while the app closes, after its widgets are
    gone: that must not end the facilitator's session with a traceback. Closing is
    reproduced as Textual does it: the app stops running, then its widgets are removed."""
    app = ConsoleApp(ws.id, ws.path)

    async def script(pilot):
        await pilot.pause()
        app._running = False  # the first thing App._shutdown does
        await app.query_one("#phase-line").remove()
        app._tick()  # raised NoMatches ('#phase-line') from the console's tick
        ws.room.act("open")
        app.poll_store()
        app._running = True

    run(app, script)


def test_submission_count_absent_teams_and_nothing_due(ws):
    """An absent team is not counted as submitted; after the last round nothing is counted
    (the projector and console showed "Submitted 0 of 0")."""
    from backchannel_workshop.board import submitted_line

    ws.act("open")
    ws.submit("Red")
    ws.act("close")
    ws.room.mark_absent(ws.ids["Blue"], "left early")
    ws.room.refresh()
    line = submitted_line(ws.room.status())  # an absent team is not a submitted one
    assert "Submitted 1 of 2 (1 absent)" in line and "✓[/] Blue" not in line
    ws.act("reveal", "next", "open")
    ws.submit("Red")
    ws.room.refresh()
    line = submitted_line(ws.room.status())
    assert "Submitted 1 of 1[/b]   " in line and line.endswith("[dim]–[/] Blue [dim](absent)[/]")
    ws.act("close", "reveal", "next")
    ws.room.refresh()
    assert ws.room.workshop.control.phase is Phase.ENDED
    assert submitted_line(ws.room.status()) == ""


def test_console_timer_controls(tmp_path):
    """A workshop created without round timers (--round-minutes 0) gets one of the length
    the facilitator types, then +30 s, pause/resume and end as any timer."""
    store = open_store(tmp_path / "w.sqlite3")
    room = Room(store, create_workshop(store, EXAMPLE, ["Red"], seed=7, round_minutes=0).id)
    app = ConsoleApp(room.id, store)

    def remaining() -> float | None:
        return room.refresh().workshop.control.remaining(time.time())

    async def script(pilot):
        await pilot.pause()
        await pilot.press("o")
        await until(pilot, lambda: "open for decisions" in app.sub_title)
        assert "timer" not in app.sub_title and remaining() is None
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TimerScreen))
        field = app.screen.query_one("#timer-length", Input)
        assert field.value == "5"  # a suggestion; the facilitator types another
        field.value = "two minutes"
        await pilot.press("enter")
        await until(pilot, lambda: "not a timer length" in text_of(app.screen))
        assert app.screen.query_one("#timer-dialog").border_title == "Start a timer"
        field.value = "2:30"
        await pilot.press("enter")
        await until(pilot, lambda: "timer 02:" in app.sub_title)
        assert 145 < remaining() <= 150
        # While one runs, the dialog says it changes it, and how much is left (it said
        # "Start a timer"); the new length replaces what is left.
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TimerScreen))
        title = app.screen.query_one("#timer-dialog").border_title
        assert title.startswith("Change the timer (02:") and title.endswith(" left)")
        assert str(app.screen.query_one("#start", Button).label) == "Change (enter)"
        assert "Running: 02:" in text_of(app.screen)
        assert fits(app.screen, "#timer-dialog")
        # It follows the timer while open (it kept the time it opened with): 30 s more
        # from elsewhere shows there.
        room.act("timer-add", seconds=30)
        await until(pilot, lambda: app.screen.query_one("#timer-dialog").border_title
                    .startswith("Change the timer (02:5"))
        assert "Running: 02:5" in text_of(app.screen)
        app.screen.query_one("#timer-length", Input).value = "3"
        await pilot.press("enter")
        await until(pilot, lambda: "timer 03:" in app.sub_title)
        await pilot.press("p", "t")
        await until(pilot, lambda: isinstance(app.screen, TimerScreen))
        assert app.screen.query_one("#timer-dialog").border_title.endswith(" left, paused)")
        await pilot.press("escape", "p")
        left = remaining()
        await pilot.press("plus")
        await until(pilot, lambda: remaining() > left + 20)
        await pilot.press("p")
        await until(pilot, lambda: room.refresh().workshop.control.paused)
        await until(pilot, lambda: "(paused)" in app.sub_title)
        await pilot.press("p", "e")
        await until(pilot, lambda: remaining() == 0)

    run(app, script, size=(80, 24))


# ------------------------------------------------------------------ projector


def test_projector_hides_choices_until_the_reveal(ws):
    app = ProjectorApp(ws.id, ws.path)

    async def script(pilot):
        await pilot.pause()
        ws.act("open")
        ws.room.message("Agree on your reason")
        ws.submit("Red", 0, "because of the haze")
        await until(pilot, lambda: "Submitted 1 of 2" in text_of(app.screen))
        shown_message = app.query_one("#proj-message", Static)
        assert "Agree on your reason" in str(shown_message.render())
        assert "because of the haze" not in text_of(app.screen)
        assert not app.query_one(RevealBoard).display
        ws.submit("Blue", 1, "blue thinks otherwise")
        ws.act("close", "reveal")
        await until(pilot, lambda: app.query_one(RevealBoard).display)
        shown = text_of(app.screen)
        assert "because of the haze" in shown and "blue thinks otherwise" in shown
        assert app.query_one("#comparison", DataTable).row_count >= 1
        # the message stays up through the reveal, until the facilitator clears it
        assert shown_message.display and "Agree on your reason" in shown
        ws.room.message(None)
        await until(pilot, lambda: not shown_message.display)
        # A message belongs to its round: moving on (here to the end) takes it down.
        ws.room.message("Coffee, then round 2")
        await until(pilot, lambda: shown_message.display)
        ws.act("next", "open")
        for team in ("Red", "Blue"):
            if ws.room.offered(ws.ids[team]):
                ws.submit(team)
        ws.act("close", "reveal")
        await until(pilot, lambda: "Round 2" in text_of(app.screen) and not shown_message.display)
        ws.room.message("Thank you all")
        ws.act("next")
        await until(pilot, lambda: ws.room.refresh().workshop.control.phase is Phase.ENDED)
        await until(pilot, lambda: "The workshop has finished" in text_of(app.screen))
        assert not shown_message.display and "Thank you all" not in text_of(app.screen)

    run(app, script, size=(120, 40))


def test_projector_shows_an_absent_team_as_absent_not_its_old_changes(ws):
    """Blue, marked absent in round 2, kept its round-1 changes (▲/▼) on the projector's
    indicator table as if they were round 2's; it now reads as absent there."""
    app = ProjectorApp(ws.id, ws.path)
    comparison = lambda: app.query_one("#comparison", DataTable)  # noqa: E731

    def blue_cells() -> str:
        table = comparison()
        col = table.get_column_index(f"team-{ws.ids['Blue']}")
        return " | ".join(str(table.get_row_at(i)[col]) for i in range(table.row_count))

    async def script(pilot):
        await pilot.pause()
        ws.act("open")
        ws.submit("Red", 0)
        ws.submit("Blue", 2)
        ws.act("close", "reveal")
        await until(pilot, lambda: app.query_one(RevealBoard).display
                    and comparison().row_count > 0)
        assert "▲" in blue_cells() or "▼" in blue_cells()  # round 1 changed something
        ws.act("next", "open")
        ws.submit("Red", 0)
        ws.act("close")
        ws.room.mark_absent(ws.ids["Blue"], "left")
        ws.act("reveal")
        await until(pilot, lambda: "Round 2" in str(app.query_one("#proj-round").render())
                    and "marked absent" in text_of(app.query_one(RevealBoard)))
        cells = blue_cells()
        assert "absent" in cells, cells
        assert "▲" not in cells and "▼" not in cells, cells
        assert "Absent from round 2" in cells
        head = str(comparison().columns[f"team-{ws.ids['Blue']}"].label)
        assert head == "Blue (absent)"

    run(app, script, size=(120, 40))


def test_a_participant_is_told_to_fetch_the_facilitator_when_the_scenario_changed(tmp_path):
    """At 80x24 the join prompt is whole (it used to be cut mid-word), and a changed scenario
    file is explained to the participant without the server's paths or the facilitator's
    remedy, which only the facilitator can apply."""
    import re

    scenario = tmp_path / "haze.yaml"
    scenario.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    store = open_store(tmp_path / "w.sqlite3")
    w = create_workshop(store, scenario, ["Red"], seed=3)
    code = store.teams(w.id)[0].code
    store.close()
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        "Schools close", "Schools shut"), encoding="utf-8")
    app = TeamApp(tmp_path / "w.sqlite3", workshop_id=w.id)

    async def script(pilot):
        shown = re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")
        assert "digits)." in shown  # the end of the prompt, on its second line
        await join(pilot, code)
        assert isinstance(app.screen, JoinScreen)
        said = text_of(app.screen)
        assert "Tell your facilitator" in said
        assert str(tmp_path) not in said and "--accept-changed-scenario" not in said

    run(app, script, size=(80, 24))
