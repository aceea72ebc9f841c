"""Small modal screens: confirm a choice, quit, help, discussion questions, what-if round
picker, export directory. Each returns its answer through ``dismiss`` (ModalScreen[T])."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Collapsible, Input, Label, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from backchannel_tui.text import esc, esc_prose, option_heading, track_badge, tradeoff_line
from backchannel_tui.widgets.footer import Footer
from backchannel_tui.widgets.lists import RewindList
from backchannel_tui.widgets.tradeoffs import LEGEND
from engine.play.session import RewindPoint
from engine.scenario.model import Option, Round, Scenario
from engine.scenario.vocabulary import TRACK_BLURBS, Track


class _AnswersYesNo:
    """A dialog with buttons #yes and #no (and keys bound to ``answer``): it dismisses
    with True for yes, False otherwise."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")  # type: ignore[attr-defined]

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)  # type: ignore[attr-defined]


class _Closes:
    """A dialog that any button, or its ``close`` key, dismisses with no answer."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)  # type: ignore[attr-defined]


def _md(markup: str, classes: str = "") -> Static:
    return Static(Content.from_markup(markup), classes=classes)


class _EnterLine(Input):
    """An input line whose Enter (it submits the line, after every letter typed before it)
    shows in the footer under the dialog's word for it (an Input's own Enter is hidden)."""


class _ReasonLine(_EnterLine):
    BINDINGS = [Binding("enter", "submit", "Choose")]


class _FolderLine(_EnterLine):
    BINDINGS = [Binding("enter", "submit", "Export")]


class ConfirmChoice(ModalScreen[str | None]):
    """'Choose this option?' with its trade-offs shown once more, and a line for why (the
    reason is saved with the decision and appears in the debrief, exports and compare).
    Dismisses with the reason ('' when none was typed), or None when cancelled. ``why``
    fills the line in advance (a workshop team's reason, written before it chose)."""

    # Enter is not a priority key: a priority binding is handled as the key arrives, ahead of
    # the letters before it still queued for the line, so a reason typed or pasted quickly
    # lost its end ('keep the door open' saved as 'keep the do'). In the line, Enter submits
    # it (after every letter); elsewhere the dialog's binding chooses.
    BINDINGS = [
        Binding("enter", "choose", "Choose"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, scenario: Scenario, option: Option, number: int, why: str = "") -> None:
        super().__init__(classes="modal")
        self.scenario, self.option, self.number, self.why = scenario, option, number, why

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog") as box:
            box.border_title = "Confirm your choice"
            with VerticalScroll(classes="dialog-body"):
                yield _md(option_heading(self.option, self.number), "details-title")
                yield _md("You accept these trade-offs:", "details-heading")
                yield _md("\n".join(f"• {tradeoff_line(self.scenario, t)}"
                                    for t in self.option.tradeoffs))
            # The cursor after the text, nothing selected: a team's reason written before it
            # chose is here to keep or add to (selected, the first key typed replaced it).
            yield _ReasonLine(self.why, placeholder="Why? (optional: saved with your choice)",
                              id="why", max_length=500, compact=True, select_on_focus=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Choose (enter)", id="yes", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="no", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#why", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self.action_choose()
        else:
            self.action_cancel()

    def action_choose(self) -> None:
        focused = self.focused
        if isinstance(focused, Button) and focused.id == "no":
            self.action_cancel()
            return
        self.dismiss(self.query_one("#why", Input).value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmQuit(_AnswersYesNo, ModalScreen[bool]):
    BINDINGS = [
        Binding("y,q", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Stay"),
    ]

    def __init__(self, in_game: bool) -> None:
        super().__init__(classes="modal")
        self.in_game = in_game

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="quit-dialog") as box:
            box.border_title = "Quit backchannel?"
            note = ("Your game is saved after every decision. To go on later, start "
                    "backchannel again and pick it under [b]Saved games[/b]."
                    if self.in_game else "Leave backchannel.")
            yield _md(note)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Quit (y)", id="yes", variant="error", compact=True)
                yield Button("Stay (n)", id="no", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()


class OpenReadOnly(_AnswersYesNo, ModalScreen[bool]):
    """The game is open for play in another window: offer to look at it read-only (its
    briefing and the debrief so far; nothing is written). True to view it."""

    BINDINGS = [
        Binding("v,enter", "answer(True)", "View read-only", priority=True),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, name: str, pid: int | None, since: str | None) -> None:
        super().__init__(classes="modal")
        self.game_name, self.pid, self.since = name, pid, since

    def compose(self) -> ComposeResult:
        who = "another window" + (f" (pid {self.pid}" if self.pid else "")
        who += (f", since {self.since})" if self.since else ")") if self.pid else ""
        with Vertical(classes="dialog small", id="locked-dialog") as box:
            box.border_title = "Open in another window"
            yield _md(f"[b]{esc(self.game_name)}[/b] is being played in {esc(who)}. One window "
                      "plays a game at a time.\nYou can look at it read-only: its briefing "
                      "and the debrief so far. Nothing is saved from here.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("View read-only (v)", id="yes", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="no", compact=True)
        yield Footer(compact=True)


HELP_KEYS = [
    ("1-9", "highlight an option (its details and trade-offs show)"),
    ("enter", "choose the highlighted option (you confirm once more), or go on"),
    ("escape", "go back (close a dialog; from a round, back to the briefing)"),
    ("d", "discussion questions for this round"),
    ("w", "what-if: rewind to an earlier round and choose differently"),
    ("s", "study mode: show each option's exact effects before you choose (again: hide)"),
    ("a", "in the debrief: the appendix (every trade-off, events, sources, questions)"),
    ("e", "export the debrief (Markdown and HTML)"),
    ("tab / shift+tab", "move between parts of the screen"),
    ("ctrl+p", "command palette: every action, and light/dark themes"),
    ("?", "this help"),
    ("q", "quit (the game is saved after every decision)"),
]


class HelpScreen(_Closes, ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark", "close", "Close")]

    def __init__(self, saves: Path | None = None) -> None:
        super().__init__(classes="modal")
        self.saves = saves

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog") as box:
            box.border_title = "Help"
            with VerticalScroll(classes="dialog-body"):
                yield _md("Keys", "details-heading")
                yield _md("\n".join(f"[b]{esc(k):<16}[/b] {esc(v)}" for k, v in HELP_KEYS))
                yield _md("The three tracks", "details-heading")
                yield _md("\n".join(f"{track_badge(t)} {esc(TRACK_BLURBS[t])}" for t in Track))
                yield _md("Trade-off ratings (+ is favourable for the option)",
                          "details-heading")
                yield _md(LEGEND)
                if self.saves is not None:
                    yield _md("Saved games", "details-heading")
                    yield _md(f"Every decision is written to a log in {esc(self.saves)}.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (esc)", id="close", compact=True)
        yield Footer(compact=True)


class QuestionsScreen(_Closes, ModalScreen[None]):
    """The discussion questions of a round (or of the whole game, in the debrief)."""

    BINDINGS = [Binding("escape,d", "close", "Close")]

    def __init__(self, groups: list[tuple[str, tuple[str, ...]]],
                 notes: str | None = None, scenario: Scenario | None = None) -> None:
        super().__init__(classes="modal")
        self.groups, self.notes = groups, notes
        self.scenario = scenario  # turns citation keys in the notes into labels

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="questions-dialog") as box:
            box.border_title = "Discussion questions"
            with VerticalScroll(classes="dialog-body"):
                if not any(qs for _, qs in self.groups):
                    yield _md("[dim]No discussion questions here.[/]")
                for title, qs in self.groups:
                    if not qs:
                        continue
                    yield _md(esc(title), "details-heading")
                    yield _md("\n".join(f"{n}. {esc(q)}" for n, q in enumerate(qs, 1)))
                if self.notes:
                    yield Collapsible(_md(esc_prose(self.notes, self.scenario)),
                                      title="For the facilitator", collapsed=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (esc)", id="close", compact=True)
        yield Footer(compact=True)


def round_questions(rnd: Round) -> list[tuple[str, tuple[str, ...]]]:
    return [(rnd.title, rnd.questions)]


class RewindScreen(_Closes, ModalScreen[int | None]):
    """What-if: pick the round to play again. Returns the round number, or None."""

    BINDINGS = [Binding("escape", "close", "Cancel")]

    def __init__(self, steps: list[RewindPoint]) -> None:
        super().__init__(classes="modal")
        self.steps = steps

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="rewind-dialog") as box:
            box.border_title = "What-if: choose differently"
            yield _md("Rewind to the start of a round. The game so far stays saved; the "
                      "new path is saved beside it and the debrief compares the two.")
            yield RewindList(
                *(ListOption(Content.from_markup(
                    f"[b]Round {p.round_no}[/b] · {esc(p.round_title)}\n   you chose "
                    f"{track_badge(p.option.track, short=True)} {esc(p.option.title)}"
                    + (f"\n   [dim i]why: {esc(p.why)}[/]" if p.why else "")),
                    id=str(p.round_no))
                  for p in self.steps),
                id="rewind-rounds",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (esc)", id="close", compact=True)
        yield Footer(compact=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0) or None)


class ExportScreen(ModalScreen[Path | None]):
    """Ask where to write the debrief; the default directory is filled in and shown."""

    BINDINGS = [  # Enter not a priority key, as in ConfirmChoice: a pasted path is whole
        Binding("enter", "export", "Export"),
        Binding("escape", "close", "Cancel"),
    ]

    def __init__(self, default: Path) -> None:
        super().__init__(classes="modal")
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="export-dialog") as box:
            box.border_title = "Export the debrief"
            yield Label("Directory (Markdown and self-contained HTML are written there):")
            yield _FolderLine(str(self.default), id="export-dir")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (enter)", id="yes", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="no", compact=True)
        yield Footer(compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._done()

    def action_export(self) -> None:
        focused = self.focused
        if isinstance(focused, Button) and focused.id == "no":
            self.dismiss(None)
        else:
            self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self._done()
        else:
            self.dismiss(None)

    def _done(self) -> None:
        text = self.query_one(Input).value.strip()
        self.dismiss(Path(text).expanduser() if text else self.default)

    def action_close(self) -> None:
        self.dismiss(None)


class MessageScreen(_Closes, ModalScreen[None]):
    """A titled block of text (e.g. a scenario's errors, or resume warnings)."""

    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="modal")
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="message-dialog") as box:
            box.border_title = self.title_text
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.text, markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (esc)", id="close", compact=True)
        yield Footer(compact=True)
