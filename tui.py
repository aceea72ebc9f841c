"""backchannel's terminal UI: the Textual app, ``run_app`` and ``serve``.

The app owns the engine ``Session`` (the autosaved game) and reacts to the intents its
screens post (``backchannel_tui.messages``); screens get what they render as attributes.
No rules live here: every choice goes through ``engine.play.session``.

    python -m tui [SCENARIO] [--resume LOG] [--seed N]
"""

from __future__ import annotations

import functools
import io
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen

from backchannel_tui import settings
from backchannel_tui.messages import (
    BeginPlay,
    Continue,
    Decide,
    Export,
    OpenScenario,
    ResumeSave,
    Rewind,
    SetStudy,
)
from backchannel_tui.screens.base import BaseScreen
from backchannel_tui.screens.picker import PickerScreen
from backchannel_tui.textbase import fitted_header_title
from engine.scenario import catalog

if TYPE_CHECKING:
    from backchannel_tui.screens.game import GameScreen
    from engine.play.session import Session
    from engine.scenario.model import Role, Scenario


@functools.cache
def ui() -> SimpleNamespace:
    """The game screens and the engine's session and report, imported when first needed:
    the picker (the first screen) needs none of them, and paints sooner without them."""
    from backchannel_tui.screens import briefing, debrief, decision, game, modals, outcome
    from engine.analysis import checking
    from engine.play import session
    from engine.present import debrief as report
    from engine.scenario import loader

    return SimpleNamespace(
        BriefingScreen=briefing.BriefingScreen, DebriefScreen=debrief.DebriefScreen,
        DecisionScreen=decision.DecisionScreen, GameScreen=game.GameScreen,
        OutcomeScreen=outcome.OutcomeScreen, ConfirmQuit=modals.ConfirmQuit,
        HelpScreen=modals.HelpScreen, MessageScreen=modals.MessageScreen,
        OpenReadOnly=modals.OpenReadOnly, GameLocked=session.GameLocked,
        ScenarioError=loader.ScenarioError, playable=checking.playable,
        build_debrief=report.build_debrief, Session=session.Session,
        SessionError=session.SessionError, saves_dir=session.saves_dir,
    )

class BackchannelApp(App[None]):
    """Scenario picker -> briefing -> decision <-> outcome -> debrief (-> what-if)."""

    CSS_PATH = "backchannel_tui/app.tcss"
    TITLE = "backchannel"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-medium"), (150, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "request_quit", "Quit"),
    ]

    def __init__(self, scenario: str | None = None, resume: str | None = None,
                 seed: int | None = None, export_dir: str | Path | None = None,
                 team: str | None = None, save: str | Path | None = None,
                 role: str | None = None, served: bool = False) -> None:
        super().__init__()
        # Served to a browser (`backchannel serve`): the visitor is not the server's user, so
        # the picker lists no saved games of that user and exports and screenshots go to the
        # browser as downloads, never to a folder on the server.
        self.served = served
        self.team = team  # recorded with every decision (workshops)
        self.role_id = role  # a team member's private brief (the scenario's `roles`)
        # The role of the game on screen: --role for a new game; for a resumed one, --role
        # or else the role its save was started with (as line mode resumes it)
        self.game_role_id = role
        self.save_path = save  # the first new game's log goes here instead of the data dir
        self.start_scenario = scenario
        self.start_resume = resume
        self.seed = seed
        self.export_dir = Path(export_dir) if export_dir else Path.cwd()
        self.study = False  # exact effects shown before a choice (the "s" key)
        self.session: Session | None = None
        self.other: Session | None = None  # the path a what-if branched from

    def format_title(self, title: str, sub_title: str) -> Content:
        return fitted_header_title(self, title, sub_title)

    # -- start-up

    def on_mount(self) -> None:
        self.served = self.served or self.is_web
        theme = settings.load().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.push_screen(PickerScreen())
        if self.start_resume:
            self.resume(Path(self.start_resume))
        elif self.start_scenario:
            try:
                path = catalog.find(self.start_scenario)
            except catalog.NotFound as exc:
                self.show_problem("Scenario not found", str(exc))
            else:
                self.open_scenario(path)

    def on_unmount(self) -> None:
        # Let go of the saves (their locks) when the app ends, even inside a longer process.
        for held in (self.session, self.other):
            if held is not None:
                held.close()

    def show_problem(self, title: str, text: str) -> None:
        self.push_screen(ui().MessageScreen(title, text))

    # -- intents from the screens

    def open_scenario(self, path: Path) -> None:
        # Checked as `backchannel check` and `play` check it (one function): the app never
        # plays a scenario the command line refuses, e.g. one with a reachable dead end.
        try:
            scenario = ui().playable(path)
        except ui().ScenarioError as exc:
            self.show_problem(f"{path.name} cannot be played",
                              "\n".join(str(p) for p in exc.problems) or str(exc))
            return
        self.session, self.other = None, None
        self.game_role_id = self.role_id
        self.push_screen(ui().BriefingScreen(scenario, path, role=self._role(scenario)))

    def resume(self, path: Path) -> None:
        # The game on screen (if any) lets go of its save first: one window, one writer.
        for held in (self.session, self.other):
            if held is not None:
                held.close()
        self.session, self.other = None, None
        try:
            session = ui().Session.resume(path)
        except ui().GameLocked as exc:  # open for play in another window or process
            self._offer_read_only(path, exc)
            return
        except ui().SessionError as exc:
            self.show_problem("This game cannot be resumed", str(exc))
            return
        self._show_game(session)

    def _offer_read_only(self, path: Path, locked) -> None:
        def answer(view: bool | None) -> None:
            if not view:
                return
            try:
                session = ui().Session.open(path)  # never writes, needs no lock
            except ui().SessionError as exc:
                self.show_problem("This game cannot be opened", str(exc))
                return
            self._show_game(session)

        self.push_screen(ui().OpenReadOnly(path.name, locked.pid, locked.since), answer)

    def _show_game(self, session: Session) -> None:
        """The briefing with the game on top: where it stands (read-only: the debrief so
        far, since only the window that holds the game may decide)."""
        self.session, self.other = session, self._parent_of(session)
        self.game_role_id = session.role_to_play(self.role_id)
        for warning in session.warnings:
            self.notify(warning, title="Resumed with a warning", severity="warning",
                        timeout=8)
        self.push_screen(ui().BriefingScreen(session.scenario, session.scenario_path,
                                        in_progress=True, role=self._role(session.scenario)))
        self.push_screen(self.game_screen())

    @staticmethod
    def _parent_of(session: Session) -> Session | None:
        """The earlier path of a what-if, read-only (it may be open elsewhere)."""
        try:
            return session.open_parent()
        except ui().SessionError:
            return None

    def game_screen(self) -> GameScreen:
        """The screen for where the session stands: the next decision, or the debrief."""
        assert self.session is not None
        if self.session.over or self.session.read_only:
            other = ui().build_debrief(self.other) if self.other is not None else None
            return ui().DebriefScreen(self.session, ui().build_debrief(self.session),
                                      self.export_dir, other)
        return ui().DecisionScreen(self.session, study=self.study,
                                   role=self._role(self.session.scenario, quiet=True))

    def _role(self, scenario: Scenario, quiet: bool = False) -> Role | None:
        """The role of the game on screen (game_role_id) in ``scenario``; when it has none by
        that id, None (and, unless ``quiet``, a notice naming the roles it has)."""
        if self.game_role_id is None:
            return None
        role = scenario.role(self.game_role_id)
        if role is None and not quiet:
            known = ", ".join(r.id for r in scenario.roles) or "none"
            self.notify(f"This scenario has no role '{self.game_role_id}' (roles: {known}).",
                        title="No such role", severity="warning", timeout=8)
        return role

    def on_open_scenario(self, message: OpenScenario) -> None:
        self.open_scenario(message.path)

    def on_resume_save(self, message: ResumeSave) -> None:
        self.resume(message.path)

    def on_begin_play(self, message: BeginPlay) -> None:
        if self.session is None:
            # the role briefed (one the scenario has) is recorded, so a resume shows it
            role = getattr(self.screen, "role", None)
            try:
                self.session = ui().Session.new(message.path, seed=self.seed,
                                                path=self.save_path, team=self.team,
                                                role=role.id if role is not None else None)
                self.save_path = None  # a later game (new or what-if) gets its own file
            except (ui().ScenarioError, ui().SessionError, OSError) as exc:
                self.show_problem("Cannot start the game", str(exc))
                return
        if isinstance(self.screen, ui().BriefingScreen):
            self.screen.set_in_progress(True)
        self.push_screen(self.game_screen())

    def on_decide(self, message: Decide) -> None:
        assert self.session is not None
        try:
            outcome = self.session.decide(message.option_id, by=self.team, why=message.why)
        except Exception as exc:  # RulesError, or the log could not be written
            self.show_problem("The decision was not recorded", str(exc))
            return
        outcome_screen = ui().OutcomeScreen(self.session, outcome)
        below = self.screen
        if self.session.over or not isinstance(below, ui().DecisionScreen):
            self.switch_screen(outcome_screen)  # the debrief comes next: built then
            return
        # The outcome goes on top of this decision screen, which then takes the next round
        # behind it: once the outcome has been painted, not before.
        self.push_screen(outcome_screen)
        outcome_screen.call_after_refresh(
            lambda: below.run_worker(below.next_round(), group="next-round", exclusive=True))

    def on_set_study(self, message: SetStudy) -> None:
        self.study = message.on

    def on_continue(self, message: Continue) -> None:
        stack = self.screen_stack
        if (len(stack) >= 2 and isinstance(self.screen, ui().OutcomeScreen)
                and isinstance(stack[-2], ui().DecisionScreen)):
            self.pop_screen()  # the next round, already built behind the outcome
        else:
            self.switch_screen(self.game_screen())

    def on_rewind(self, message: Rewind) -> None:
        assert self.session is not None
        try:
            child = self.session.branch(message.at_round)
        except (ui().SessionError, OSError, ValueError) as exc:
            self.show_problem("Cannot rewind", str(exc))
            return
        self.other, self.session = self.session, child
        self.notify(f"What-if: back at round {message.at_round}. The earlier path stays saved.",
                    timeout=5)
        self.switch_screen(self.game_screen())

    def on_export(self, message: Export) -> None:
        from engine.present import wording as w
        from engine.present.export import export

        assert self.session is not None
        other = ui().build_debrief(self.other) if self.other is not None else None
        if message.directory is None or self.served:
            self._download_debrief(other)
            return
        try:
            paths = export(ui().build_debrief(self.session), message.directory, other=other,
                           label_a=w.WHAT_IF_THIS, label_b=w.WHAT_IF_EARLIER)
        except OSError as exc:
            self.show_problem("Export failed", str(exc))
            return
        self.export_dir = message.directory
        if isinstance(self.screen, ui().DebriefScreen):
            self.screen.show_export(paths)
        self.notify(f"Wrote {paths[0].name} and {paths[1].name} in {paths[0].parent}",
                    title="Exported", timeout=6)

    def _download_debrief(self, other) -> None:
        from engine.present import wording as w
        from engine.present.export import export_texts

        assert self.session is not None
        md, html = export_texts(ui().build_debrief(self.session), other,
                                label_a=w.WHAT_IF_THIS, label_b=w.WHAT_IF_EARLIER)
        stem = f"{self.session.scenario.id}-debrief"
        names = (f"{stem}.md", f"{stem}.html")
        self.deliver_text(io.StringIO(md), save_filename=names[0], mime_type="text/markdown")
        self.deliver_text(io.StringIO(html), save_filename=names[1], mime_type="text/html")
        if isinstance(self.screen, ui().DebriefScreen):
            self.screen.show_export(names, downloaded=True)
        self.notify(f"{names[0]} and {names[1]} sent to your browser", title="Exported",
                    timeout=6)

    # -- app-wide actions

    def action_help(self) -> None:
        if not isinstance(self.screen, ui().HelpScreen):
            # served: the server's folders are none of the visitor's business
            self.push_screen(ui().HelpScreen(None if self.served else ui().saves_dir()))

    def action_request_quit(self) -> None:
        if isinstance(self.screen, ui().ConfirmQuit):
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ui().ConfirmQuit(in_game=self.session is not None), answer)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_change_theme(self) -> None:
        # Textual's theme picker; our name for it in the palette is "Choose a theme".
        super().action_change_theme()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Ours, then the screen's own (each screen declares them), then Textual's useful
        ones. Textual's Quit and Theme would duplicate ours, and its Screenshot saves where
        the player cannot find it; ours goes to the export folder and says where."""
        yield SystemCommand("Help", "Keys, tracks and rating glyphs", self.action_help)
        yield SystemCommand("Toggle light/dark theme", "Switch between the light and dark "
                            "themes", self.action_toggle_theme)
        yield SystemCommand("Choose a theme", "Pick any theme (remembered for next time)",
                            self.action_change_theme)
        where = "as a download" if self.served else f"in {self.export_dir}"
        yield SystemCommand("Screenshot", f"Save an SVG picture of this screen {where}",
                            self.action_screenshot_to_folder)
        yield SystemCommand("Quit backchannel", "Quit (the game is saved after every "
                            "decision)", self.action_request_quit)
        if isinstance(screen, BaseScreen):
            yield from screen.palette_commands()
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Theme", "Screenshot"):
                yield command

    def action_screenshot_to_folder(self) -> None:
        if self.served:
            name = "backchannel-screenshot.svg"
            self.deliver_text(io.StringIO(self.export_screenshot()), save_filename=name,
                              mime_type="image/svg+xml")
            self.notify(f"{name} sent to your browser", title="Screenshot", timeout=6)
            return
        try:
            path = self.save_screenshot(path=str(self.export_dir))
        except OSError as exc:
            self.notify(str(exc), title="No screenshot", severity="error", timeout=6)
            return
        self.notify(path, title="Screenshot saved", timeout=6)

    # -- the theme is remembered between runs

    def _remember_theme(self, theme) -> None:
        settings.save({"theme": theme.name})


def run_app(scenario: str | None = None, resume: str | None = None,
            seed: int | None = None, team: str | None = None,
            save: str | None = None, role: str | None = None, served: bool = False) -> None:
    """Run the TUI: on the picker, on one scenario's briefing, or resuming a saved game;
    with ``role``, that team member's private brief and round notes are shown; ``served``:
    under `backchannel serve` (see BackchannelApp), in a data folder of this process's own."""
    app = BackchannelApp(scenario=scenario, resume=resume, seed=seed, team=team, save=save,
                         role=role, served=served)
    if not served:
        app.run()
        return
    import os
    import tempfile

    # A visitor's game, theme and caches live in a folder of this process's own, removed when
    # the browser tab closes: they went to the data folder of the server's user, where they
    # piled up and filled that user's own list of saved games with strangers' (a visitor
    # never saw them again: the served picker lists no saves; the debrief is a download).
    before = os.environ.get("BACKCHANNEL_DATA_DIR")
    with tempfile.TemporaryDirectory(prefix=f"{_VISITOR}{os.getpid()}-") as private:
        os.environ["BACKCHANNEL_DATA_DIR"] = private
        try:
            app.run()
        finally:
            if before is None:
                os.environ.pop("BACKCHANNEL_DATA_DIR", None)
            else:
                os.environ["BACKCHANNEL_DATA_DIR"] = before


_VISITOR = "backchannel-visitor-"  # then the visitor process's id, '-' and a random part


def remove_stale_visitor_folders(folder: str | None = None) -> list[str]:
    """Remove the visitor folders (``run_app``) whose process is gone: one killed outright
    (SIGKILL, or SIGHUP with the server) cannot remove its own. A folder of a live process, or
    of a process id now someone else's, is left alone. Returns the folders removed."""
    import os
    import shutil
    import tempfile

    folder = folder or tempfile.gettempdir()
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        pid = name[len(_VISITOR):].partition("-")[0]
        if not name.startswith(_VISITOR) or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # gone: its folder is left over
            path = os.path.join(folder, name)
            shutil.rmtree(path, ignore_errors=True)  # another user's stays: not ours to remove
            if not os.path.exists(path):
                removed.append(path)
        except (PermissionError, OverflowError):  # another user's process, or no process id
            continue
    return removed


def serve(host: str = "127.0.0.1", port: int = 8000, public_url: str | None = None,
          max_sessions: int = 30) -> int:
    """Serve the TUI in a web browser; each visitor gets their own app process. Loopback
    unless ``host`` says otherwise (then browsers need ``public_url``, derived from a specific
    host or given); see backchannel_tui.serving for the Origin check and size bound."""
    from backchannel_tui.serving import ServeError, serve_app

    command = f"{shlex.quote(sys.executable)} -m tui --served"
    remove_stale_visitor_folders()  # left by a server killed outright
    try:
        serve_app(command, host=host, port=port, public_url=public_url, title="backchannel",
                  max_sessions=max_sessions)
    except ServeError as exc:
        print(f"backchannel: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"backchannel: cannot listen on {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    import argparse  # here: the app itself has no use for it, and it costs the first screen

    parser = argparse.ArgumentParser(prog="python -m tui", description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", help="scenario id or .yaml path")
    parser.add_argument("--resume", help="a saved game (session log) to resume")
    parser.add_argument("--seed", type=int, help="random seed (same seed, same game)")
    parser.add_argument("--team", help="team name recorded with every decision")
    parser.add_argument("--save", help="write the session log here")
    parser.add_argument("--role", help="show this team role's private brief and round notes")
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    run_app(args.scenario, args.resume, args.seed, team=args.team, save=args.save,
            role=args.role, served=args.served)


if __name__ == "__main__":
    main()
