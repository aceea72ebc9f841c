"""The `backchannel` command.

Exit codes: 0 success; 1 the scenario, save file or check has errors; 2 wrong usage;
130 interrupted (Ctrl-C). Bad input never produces a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import TYPE_CHECKING, NoReturn

from engine import __version__
from engine.scenario.catalog import NotFound, bundled, bundled_dir, find

if TYPE_CHECKING:  # pathlib too: `check FILE` never needs it (4 ms), the others import it
    import argparse
    from pathlib import Path

    from engine.scenario.loader import Loaded

# Each command imports what it needs when it runs: `backchannel check` need not pay for the
# session, debrief or wording modules (measured: the command line's imports were 145 ms).

EPILOG = """exit codes: 0 success, 1 errors in a scenario, save or check, 2 wrong usage,
130 interrupted. Saves go to $BACKCHANNEL_DATA_DIR/saves if set, else the user data folder."""


def run() -> NoReturn:
    """The console script (and ``python -m backchannel_cli.main``): ``main``, then exit.

    A command that only reads and holds nothing open (``check``) ends the process as soon as
    its output is flushed, as mypy ends its runs: the interpreter's orderly teardown would
    free the loaded scenario's tens of thousands of objects and every module one by one,
    3 ms of the ~110 ms `backchannel check` takes."""
    code = main()
    if _only_read:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BrokenPipeError:  # `backchannel check | head`, as main() treats it
                pass
            except (OSError, ValueError):  # a full disk: what Python's own exit would say
                code = code or 120
        os._exit(code)
    sys.exit(code)


_only_read = False  # set by a command that wrote nothing and holds nothing open


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv:
        command = next((a for a in argv if not a.startswith("-")), None)
        # `backchannel check FILE`: only that command's parser is built (the others cost
        # 10-20 ms and import the author, report and workshop modules); anything else, such
        # as `backchannel -h` or an unknown command, gets the whole command line.
        args = plain_check_args(argv) or build_parser(
            command, only=argv[0] == command).parse_args(argv)
        func = args.func
    else:
        # `backchannel` alone opens the app: no parser to build (argparse and the options'
        # modules would only delay its first screen).
        args, func = None, cmd_app
    try:
        return func(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `backchannel list | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # last resort: a file error the command did not foresee
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"{where}{exc.strerror or exc}")
        return 1


def build_parser(command: str | None = None, *, only: bool = False) -> argparse.ArgumentParser:
    """The whole command line; the `workshop` commands in full only when ``command`` is
    "workshop" (their parsers import the workshop engine and its UI plug-in). With ``only``,
    just ``command``'s own parser when it is one of this module's commands: it parses, helps
    and errs exactly as in the whole command line, as long as ``command`` comes first (an
    option before it, such as -h, belongs to the whole command line)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="backchannel",
        description="A scenario discussion game about diplomacy: Track-1, Track-1.5 and "
        "Track-2 choices with sourced trade-offs. Without a command, opens the game.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"backchannel {__version__}")
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    if only and command in _OWN_PARSERS:
        _OWN_PARSERS[command](sub)
        return parser
    for add in _OWN_PARSERS.values():
        add(sub)

    try:
        from backchannel_cli import author as cli_author
    except ImportError:  # pragma: no cover - author tools not installed
        pass
    else:
        cli_author.add_parsers(sub)
    from backchannel_cli import reports as cli_reports

    cli_reports.add_parsers(sub)  # handout
    from backchannel_cli import workshop as cli_workshop

    if command == "workshop":
        cli_workshop.add_parsers(sub)
    else:  # a stand-in that parses again in full if it is the command after all
        p = sub.add_parser("workshop", help=cli_workshop.HELP, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=lambda args: main(["workshop", *args.rest]))
    return parser


def _add_list(sub) -> None:
    p = sub.add_parser("list", help="list bundled scenarios and saved games",
                       description="List the bundled scenarios and your saved games.")
    p.set_defaults(func=cmd_list)


def _add_check(sub) -> None:
    p = sub.add_parser(
        "check", help="check scenario files and summarise them",
        description="Check scenario files: every problem at once as file:line:col, then a "
        "summary per scenario. Without PATH, checks the bundled scenarios.",
        epilog="exit codes: 0 no errors (warnings allowed unless --strict), 1 errors found",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--quiet", "-q", action="store_true", help="problems only, no summaries")
    p.set_defaults(func=cmd_check)


def _add_play(sub) -> None:
    p = sub.add_parser(
        "play", help="play a scenario (in the app, or line by line with --plain)",
        description="Play a scenario by id (see `backchannel list`) or by path. --plain plays "
        "line by line: works on a dumb terminal, with a screen reader, and from a pipe "
        "(choices are read from standard input, one per line: a number or an option id, "
        "optionally followed by '# reason').",
    )
    p.add_argument("scenario", nargs="?", help="scenario id or path (optional with --resume)")
    p.add_argument("--plain", action="store_true", help="line mode instead of the app")
    p.add_argument("--seed", type=int, help="random seed (same seed + same choices = same game)")
    p.add_argument("--resume", metavar="FILE", help="continue a saved game from its log")
    p.add_argument("--save", metavar="FILE", help="write the session log here")
    p.add_argument("--team", help="team name recorded with every decision (workshops)")
    _scenario_option(p)
    p.add_argument("--role", metavar="ID", help="show this team role's private brief and "
                   "per-round notes (the scenario's `roles`)")
    p.add_argument("--study", action="store_true",
                   help="study mode: show each option's exact effects before the choice "
                   "(by default they stay hidden until after it)")
    p.set_defaults(func=cmd_play)


def _add_debrief(sub) -> None:
    from backchannel_cli import reports as cli_reports

    p = sub.add_parser("debrief", help="print or export the debrief of a saved game",
                       description="Print the debrief of a saved game as Markdown, or write "
                       "Markdown and HTML files with --out.")
    p.add_argument("save", metavar="FILE", help="a session log (.jsonl)")
    p.add_argument("--out", metavar="DIR", help="write the debrief (.md, .html), the "
                   "after-action report and the decisions (.csv, .jsonl) into DIR")
    _scenario_option(p)
    cli_reports.add_format_options(p)
    p.set_defaults(func=cmd_debrief)


def _add_compare(sub) -> None:
    p = sub.add_parser("compare", help="compare saved games of one scenario side by side",
                       description="Workshops: one column per team (or what-if branch) with "
                       "each round's choice and track, the ending and the final indicators.")
    p.add_argument("saves", nargs="+", metavar="FILE", help="session logs (.jsonl)")
    _scenario_option(p)
    p.set_defaults(func=cmd_compare)


def _add_serve(sub) -> None:
    p = sub.add_parser("serve", help="serve the app in a web browser (textual-serve)",
                       description="Serve the game to browsers so workshop participants "
                       "without a terminal can play. Loopback only unless --host says so.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address browsers open (needed with --host 0.0.0.0), "
                   "e.g. http://192.168.1.20:8000")
    p.set_defaults(func=cmd_serve)


# This module's commands in the order `backchannel --help` lists them.
_OWN_PARSERS = {"list": _add_list, "check": _add_check, "play": _add_play,
                "debrief": _add_debrief, "compare": _add_compare, "serve": _add_serve}


_CHECK_FLAGS = {"-q": "quiet", "--quiet": "quiet", "--strict": "strict"}


def plain_check_args(argv: list[str]) -> types.SimpleNamespace | None:
    """`check [-q | --quiet | --strict]... [PATH]...`, read as its parser reads it but without
    argparse (5 ms of a check: its import and the terminal size it asks for); None for any
    other command line, which argparse then reads (help, usage errors, abbreviations...)."""
    if not argv or argv[0] != "check":
        return None
    flags = set()
    n = 1
    while n < len(argv) and argv[n] in _CHECK_FLAGS:
        flags.add(_CHECK_FLAGS[argv[n]])
        n += 1
    paths = argv[n:]
    if any(p.startswith("-") for p in paths):
        return None
    return types.SimpleNamespace(paths=paths, strict="strict" in flags,
                                 quiet="quiet" in flags, func=cmd_check)


def _scenario_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", dest="scenario_file", metavar="PATH",
                   help="the scenario file, if it has moved since the game was saved")


# --------------------------------------------------------------------------- helpers


def _err(msg: str) -> None:
    print(f"backchannel: {msg}", file=sys.stderr)


def _app():
    return importlib.import_module("tui")


# --------------------------------------------------------------------------- commands


def cmd_app(args) -> int:
    return _app().run_app(None, None, None) or 0


def cmd_list(args) -> int:
    from engine.play.session import list_saves
    from engine.scenario.loader import ScenarioError, load_scenario, summarise

    files = bundled()
    print(f"Bundled scenarios ({bundled_dir()}):")
    if not files:
        print("  (none)")
    for path in files:
        try:
            scn = load_scenario(path)
        except ScenarioError as exc:
            print(f"  {path.stem:32} (has errors: {summarise(exc.problems)})")
            continue
        d = scn.about.duration
        print(f"  {scn.id:32} {scn.title}")
        print(f"  {'':32} {scn.region}, {scn.situation_date}; {len(scn.rounds)} rounds, "
              f"~{d.solo_minutes} min solo / {d.workshop_minutes} min workshop")
    saves = list_saves()
    print("\nSaved games:" if saves else "\nNo saved games yet.")
    for s in saves:
        if s.damaged:
            print(f"  {s.path}\n      {s.problem}")
            continue
        status = "finished" if s.over else f"at round {s.round_no}"
        team = f" [{s.team}]" if s.team else ""
        note = f" ({s.problem})" if s.problem else ""
        print(f"  {s.path}\n      {s.title}{team}: {s.decisions} decisions, {status}{note}")
    return 0


def cmd_check(args) -> int:
    from engine.gcpause import freeze_survivors, no_gc

    freeze_survivors()  # a batch process: see engine.gcpause
    with no_gc():  # the collector's passes over the modules being imported cost 3 ms
        from engine.analysis.checking import check_file
        from engine.scenario.loader import summarise

    targets: list[str | Path] = []
    for raw in args.paths or [str(bundled_dir())]:
        if os.path.isdir(raw):
            found = sorted(os.path.join(raw, x) for x in os.listdir(raw)
                           if os.path.splitext(x)[1] in (".yaml", ".yml"))
            if not found:
                _err(f"{raw}: no .yaml files in this folder")
                return 1
            targets.extend(found)
        elif os.path.exists(raw):
            targets.append(raw)
        else:
            try:
                targets.append(find(raw))
            except NotFound as exc:
                _err(str(exc))
                return 1
    failed = False
    for path in targets:
        loaded = check_file(path)
        for problem in loaded.problems:
            print(problem)
        bad = bool(loaded.errors) or (args.strict and bool(loaded.warnings))
        failed |= bad
        verdict = "FAILED" if bad else "ok"
        print(f"{path}: {verdict}: {summarise(loaded.problems)}")
        if loaded.scenario is not None and not args.quiet:
            import textwrap

            print(textwrap.indent(scenario_summary(loaded), "  "))
    if len(targets) > 1:
        print(f"{len(targets)} files checked; {'some FAILED' if failed else 'all ok'}")
    global _only_read
    _only_read = True
    return 1 if failed else 0


def scenario_summary(loaded: Loaded) -> str:
    from collections import Counter

    from engine.scenario.vocabulary import Track

    scn = loaded.scenario
    assert scn is not None
    options = [o for r in scn.rounds for o in r.options]
    by_track = Counter(o.track for o in options)
    tradeoffs = [t for o in options for t in o.tradeoffs]
    cites = Counter(c.source for t in tradeoffs for c in t.cite)
    for e in scn.events:
        cites.update(c.source for c in e.cite)
    for end in scn.endings:
        cites.update(c.source for c in end.cite)
    lines = [
        f"{scn.title} ({scn.id}), {scn.region}, {scn.situation_date}",
        f"rounds {len(scn.rounds)}, options {len(options)} ("
        + ", ".join(f"{t.label}: {by_track.get(t, 0)}" for t in Track)
        + f"), trade-offs {len(tradeoffs)}, events {len(scn.events)}, endings "
        f"{len(scn.endings)}, indicators {len(scn.indicators)}",
        "citations per source: "
        + (", ".join(f"{s.id} {cites.get(s.id, 0)}" for s in scn.sources) or "none"),
    ]
    return "\n".join(lines)


def _playable(name: str) -> Path | None:
    """The scenario file for a new game, if `check` accepts it (the player never plays what
    the checker rejects, e.g. a reachable dead end); else its problems are printed."""
    from engine.analysis.checking import playable
    from engine.scenario.loader import ScenarioError, summarise

    try:
        path = find(name)
    except NotFound as exc:
        _err(str(exc))
        return None
    try:
        playable(path)
    except ScenarioError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        _err(f"{name} cannot be played: {summarise(exc.problems)}; run "
             f"`backchannel check {name}`")
        return None
    return path


def _role(scn, role_id: str | None):
    """The scenario's role ``role_id`` (None when not asked for); False, after saying why,
    when the scenario has no such role."""
    if role_id is None:
        return None
    roles = {r.id: r for r in scn.roles}
    if role_id not in roles:
        known = ", ".join(roles) or "none: this scenario declares no roles"
        _err(f"no role '{role_id}' in {scn.id}; roles: {known}")
        return False
    return roles[role_id]


def cmd_play(args) -> int:
    from engine.play.session import Session, SessionError
    from engine.scenario.loader import ScenarioError, load_scenario

    scenario_file = args.scenario_file or (
        args.scenario if args.resume and args.scenario else None)
    if not args.plain:
        if args.resume is None and args.scenario is None:
            return cmd_app(args)
        if args.resume is None:
            path = _playable(args.scenario)
            if path is None:
                return 1
            if _role(load_scenario(path), args.role) is False:
                return 2
        return _app().run_app(args.scenario, args.resume, args.seed, team=args.team,
                              save=args.save, role=args.role) or 0
    try:
        if args.resume:
            session = Session.resume(args.resume,
                                     find(scenario_file) if scenario_file else None)
        else:
            if not args.scenario:
                _err("play --plain needs a SCENARIO (see `backchannel list`) or --resume FILE")
                return 2
            path = _playable(args.scenario)
            if path is None:
                return 1
            if _role(load_scenario(path), args.role) is False:
                return 2  # before a save file is made
            session = Session.new(path, seed=args.seed, path=args.save, team=args.team,
                                  role=args.role)
    except (SessionError, NotFound) as exc:
        _err(str(exc))
        return 1
    except ScenarioError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    # The save is let go (lock and its .lock note removed) on every way out, as the app
    # does on quit; a process that dies holds no lock (flock), so a stale note never blocks.
    with session:
        role = _role(session.scenario, session.role_to_play(args.role))
        if role is False:
            return 2
        from backchannel_cli.plain import PlainGame

        return PlainGame(session, sys.stdin, sys.stdout, team=args.team, study=args.study,
                         role=role).run()


def cmd_debrief(args) -> int:
    from backchannel_cli import reports as cli_reports
    from engine.play.session import Session, SessionError
    from engine.present import wording
    from engine.present.debrief import build_debrief, what_if_markdown

    try:
        session = Session.open(args.save, args.scenario_file)
    except SessionError as exc:
        _err(str(exc))
        return 1
    for w in session.warnings:
        print(f"warning: {w}", file=sys.stderr)
    # A what-if is shown beside its earlier path, as in the app (the same engine call).
    try:
        parent = session.open_parent()
    except SessionError as exc:
        parent = None
        print(f"warning: {exc}; the debrief is of this path alone, without "
              f"\"{wording.WHAT_IF_TITLE}\"", file=sys.stderr)
    debrief = build_debrief(session)
    other = build_debrief(parent) if parent is not None else None
    if not args.out:
        sys.stdout.write(what_if_markdown(debrief, other))
        return 0
    if not cli_reports.pdf_ready(args.format):
        return 1
    try:
        export = importlib.import_module("engine.present.export")
        from pathlib import Path

        md, html = export.export(debrief, Path(args.out), other=other,
                                 label_a=wording.WHAT_IF_THIS, label_b=wording.WHAT_IF_EARLIER)
        written = [md, html, *cli_reports.write_solo(session, Path(args.out).expanduser(),
                                                     args.format, args.paper)]
    except OSError as exc:
        _err(f"cannot write to {args.out}: {exc.strerror or exc}")
        return 1
    print("\n".join(f"wrote {p}" for p in written))
    return 0


def cmd_compare(args) -> int:
    from engine.play.session import Session, SessionError
    from engine.present.debrief import build_debrief, compare_markdown

    sessions = []
    for path in args.saves:
        try:
            sessions.append(Session.open(path, args.scenario_file))
        except SessionError as exc:
            _err(str(exc))
            return 1
    ids = {s.scenario.id for s in sessions}
    if len(ids) > 1:
        _err(f"these games are of different scenarios ({', '.join(sorted(ids))}); compare "
             "games of one scenario")
        return 1
    names = [s.team or os.path.splitext(os.path.basename(s.path))[0] for s in sessions]
    sys.stdout.write(compare_markdown([build_debrief(s) for s in sessions], names))
    return 0


def cmd_serve(args) -> int:
    return _app().serve(args.host, args.port, args.public_url) or 0


if __name__ == "__main__":  # pragma: no cover
    run()
