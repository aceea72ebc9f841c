"""`backchannel workshop ...`: facilitated workshops from the command line.

Every facilitator action is a command, so a workshop can be scripted and tested: new, list,
status, open, close, reveal, next, timer, decide (an override), absent, note, message, export;
and `join CODE --plain`, the line-mode team client. The Textual screens (run, screen, serve,
join without --plain) come from the optional ``backchannel_workshop`` package, which adds its
own subcommands through ``add_parsers(workshop_subparsers, common_parent)`` if installed.

Exit codes: 0 done; 1 refused or failed (one line saying why); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import select
import shlex
import sys
import textwrap
import time
import types
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from engine.workshop.room import Room, Status
    from engine.workshop.store import WorkshopStore

UI_PLUGIN = "backchannel_workshop.commands"
HELP = "run a facilitated workshop: teams join by code, rounds, reveal"


def _err(msg: str) -> None:
    print(f"backchannel: {msg}", file=sys.stderr)


def _minutes(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected minutes as a number, got {text!r}") from None


_AGE_UNITS = {"h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}


def _age(text: str) -> float:
    """'90d', '12w', '36h' -> seconds."""
    t = text.strip().lower()
    try:
        n = float(t[:-1]) if t and t[-1] in _AGE_UNITS else None
    except ValueError:
        n = None
    if n is None or not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected an age like 90d, 12w or 36h (a positive number with d, w or h), got "
            f"{text!r}")
    return n * _AGE_UNITS[t[-1]]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def add_parsers(sub) -> None:
    """Add `workshop` and its subcommands to the top-level subparsers object."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="FILE|URL",
                        help="the workshop store: a file (SQLite) or a postgresql:// URL "
                        "(default: $BACKCHANNEL_STORE, else workshops.sqlite3 in the user data "
                        "folder)")
    replay = argparse.ArgumentParser(add_help=False, parents=[common])
    replay.add_argument("--accept-changed-scenario", action="store_true",
                        help="go on although the scenario file changed since the workshop "
                        "was created (only for changes of wording)")

    top = sub.add_parser(
        "workshop", help=HELP,
        description="Facilitated workshops: one scenario, one seed, N teams each playing its "
        "own game; the facilitator opens, closes and reveals each round for all teams at once.",
        epilog="exit codes: 0 done, 1 refused or failed (the message says why), 2 wrong usage")
    top.set_defaults(func=lambda args: (top.print_help(), 2)[1])
    ws = top.add_subparsers(title="workshop commands", metavar="COMMAND")

    p = ws.add_parser("new", parents=[common], help="create a workshop and print join codes",
                      description="Create a workshop: prints its id, each team's join code and "
                      "the commands to run it.")
    p.add_argument("scenario", help="scenario id (see `backchannel list`) or path")
    p.add_argument("--teams", default="", help='team names, comma-separated: "Red,Blue,Green"')
    p.add_argument("--seed", type=_int, help="random seed (default: a random one)")
    p.add_argument("--round-minutes", type=_minutes, metavar="M",
                   help="minutes on each round's timer (0: no timer; default from the "
                   "scenario's workshop duration)")
    p.add_argument("--name", help="the workshop's name (default: from the scenario title)")
    p.add_argument("--bots", type=_int, default=0, metavar="K",
                   help="add K stand-in teams that submit by themselves")
    p.add_argument("--bot-policy", default="random",
                   choices=["random", "track-1", "track-1.5", "track-2"],
                   help="how stand-in teams choose (default random)")
    p.set_defaults(func=cmd_new)

    p = ws.add_parser("list", parents=[common], help="list workshops in the store")
    p.set_defaults(func=cmd_list)

    p = ws.add_parser("purge", parents=[common], help="delete old workshops with all their data",
                      description="Delete every workshop created longer ago than --older-than "
                      "and not used since, with its teams, decisions, reasons, notes and audit "
                      "trail, so participants' words are not kept forever. Export first what "
                      "you want to keep.")
    p.add_argument("--older-than", type=_age, required=True, metavar="AGE",
                   help="how old: a number with d (days), w (weeks) or h (hours), e.g. 90d")
    p.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    p.set_defaults(func=cmd_purge)

    p = ws.add_parser("status", parents=[replay], help="where a workshop is and who submitted")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="machine-readable")
    p.set_defaults(func=cmd_status)

    for action, text in (("open", "open the round: teams may submit, the timer starts"),
                         ("close", "close the round: no more submissions"),
                         ("reveal", "reveal the round: every team sees its outcome"),
                         ("next", "go to the next round (or end the workshop)")):
        p = ws.add_parser(action, parents=[replay], help=text, description=text[0].upper()
                          + text[1:] + ".")
        p.add_argument("id")
        p.set_defaults(func=cmd_control, action=action)

    p = ws.add_parser("timer", parents=[replay], help="start or change the round's timer",
                      description="start LENGTH starts a timer of that length in the open round "
                      "(minutes: 5 or 2.5; seconds: 90s; or 4:30), replacing any; +SECONDS or "
                      "-SECONDS adds or takes time; pause, resume, end (time is up now).")
    p.add_argument("id")
    p.add_argument("change", metavar="start|+S|-S|pause|resume|end")
    p.add_argument("length", nargs="?", help="with start: the timer's length")
    p.set_defaults(func=cmd_timer)

    p = ws.add_parser("decide", parents=[replay],
                      help="enter or change a team's decision (an override, with a reason)",
                      description="While a round is closed: enter the decision of a team that "
                      "has none, or (with --replace) replace the one it has: its own, an "
                      "earlier override or an absent mark. Recorded as a facilitator override "
                      "with your reason; the team's own reason is kept.")
    p.add_argument("id")
    p.add_argument("--team", required=True, help="team name or join code")
    p.add_argument("--option", required=True,
                   help="the option: its number in the round, as every screen shows it, or its id")
    p.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    p.add_argument("--replace", action="store_true",
                   help="replace the decision the team already has in this round (without it, "
                   "such a team is refused and nothing changes)")
    p.set_defaults(func=cmd_decide)

    p = ws.add_parser("absent", parents=[replay],
                      help="mark a team absent: its game ends for good (final once revealed)",
                      description="While a round is closed: the team has no decision this "
                      "round and its game stops here, for the rest of the workshop: once the "
                      "round is revealed it cannot come back. Until the reveal, `workshop "
                      "decide --replace` enters a decision instead and takes the mark back.")
    p.add_argument("id")
    p.add_argument("--team", required=True, help="team name or join code")
    p.add_argument("--reason", help="why (kept in the audit trail)")
    p.add_argument("--replace", action="store_true",
                   help="replace the decision the team already has in this round")
    p.set_defaults(func=cmd_absent)

    p = ws.add_parser("note", parents=[replay], help="note on a team (or all) this round")
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument("--team", help="team name or join code (default: the whole room)")
    p.add_argument("--round", type=_int, dest="round_no", help="round (default: current)")
    p.set_defaults(func=cmd_note)

    p = ws.add_parser("message", parents=[replay], help="a message every team sees",
                      description="Show a message to all teams until the round is left "
                      "(`next` takes it down) or it is replaced; an empty text clears it.")
    p.add_argument("id")
    p.add_argument("text")
    p.set_defaults(func=cmd_message)

    p = ws.add_parser("export", parents=[replay], help="each team's game as a session log",
                      description="Write each team's game as a session log that `backchannel "
                      "debrief`, `compare` and `play --resume` read.")
    p.add_argument("id")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(func=cmd_export)

    from backchannel_cli import reports as cli_reports  # `workshop report` (issue 14)

    cli_reports.add_workshop_parser(ws, replay)

    p = ws.add_parser("join", parents=[replay], help="a team's client in this terminal",
                      description="Join as a team with its code. --plain is line mode (screen "
                      "readers, scripts): choices are read one per line, 'N # reason'.")
    p.add_argument("code", help="the team's 6-character join code")
    p.add_argument("--plain", action="store_true", help="line mode")
    p.add_argument("--poll", type=float, default=0.25, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_join)

    try:
        plugin = importlib.import_module(UI_PLUGIN)
    except ImportError:
        pass  # the screens are not installed: run/screen/serve are absent
    else:
        plugin.add_parsers(ws, replay)


# --------------------------------------------------------------------------- plumbing


def _run(fn):
    """Turn workshop errors into one line on stderr and exit code 1."""

    def wrapper(args) -> int:
        # imported when a command runs, not when this module is: `backchannel check` and the
        # app import it to list `workshop` in the help
        from engine.scenario.catalog import NotFound as ScenarioNotFound
        from engine.workshop.model import WorkshopError

        try:
            return fn(args)
        except (WorkshopError, ScenarioNotFound) as exc:
            _err(str(exc))
            return 1
        except OSError as exc:
            _err(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}".lstrip(": "))
            return 1

    wrapper.__name__ = fn.__name__
    return wrapper


def _store(args, create: bool = False) -> WorkshopStore:
    """The store the command names. Only `new` makes one: any other command given a path
    where no store is says so (it made an empty store there, folders included, and then
    reported 'no team has the join code' or 'no workshop' as if the code or id were wrong)."""
    from engine.workshop.store import open_store

    return open_store(args.store, create=create)


def _room(args, store: WorkshopStore) -> Room:
    from engine.workshop.room import Room

    room = Room(store, args.id.strip().lower(),
                accept_changed_scenario=getattr(args, "accept_changed_scenario", False))
    if room.scenario_changed:
        print(f"warning: {room.workshop.scenario_path} has changed since this workshop was "
              "created; games are replayed on the current version", file=sys.stderr)
    return room


def _store_flag(args) -> str:
    """` --store X` for the commands we suggest: shell-quoted (a URL may hold ? and &), and
    never a password (it would be printed here and, run, shown to every user by `ps`)."""
    from urllib.parse import urlsplit

    from engine.workshop.store import is_server_url

    if not args.store:
        return ""
    if is_server_url(args.store) and urlsplit(args.store).password:
        return ' --store "$BACKCHANNEL_STORE"'
    return f" --store {shlex.quote(str(args.store))}"


def _clock(t: float | None) -> str:
    if t is None:
        return ""
    return time.strftime("%H:%M:%S", time.localtime(t))


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "no timer"
    s = int(seconds + 0.999)
    return f"{s // 60}:{s % 60:02d} left"


# --------------------------------------------------------------------------- commands


@_run
def cmd_new(args) -> int:
    from engine.scenario.catalog import find
    from engine.workshop.room import create_workshop

    store = _store(args, create=True)
    teams = [t for t in (x.strip() for x in args.teams.split(",")) if t] if args.teams else []
    w = create_workshop(store, find(args.scenario), teams, seed=args.seed,
                        round_minutes=args.round_minutes, name=args.name, bots=args.bots,
                        bot_policy=args.bot_policy)
    from engine.workshop.room import Room

    room = Room(store, w.id)
    scn = room.scenario
    timer = (f"{w.round_seconds / 60:g}-minute rounds" if w.round_seconds else "no timer")
    print(f"Workshop {w.id}: {w.name}")
    print(f"  {scn.title} ({scn.id}), {len(scn.rounds)} rounds, seed {w.seed}, {timer}")
    print(f"  store: {store.location}")
    print("\nTeams and join codes:")
    width = max(len(t.name) for t in room.snap.teams)
    for t in room.snap.teams:
        bot = f"   (stand-in, {t.bot})" if t.bot else ""
        print(f"  {t.name:<{width}}  {t.code}{bot}")
    s = _store_flag(args)
    print("\nNext:" + ("  (with BACKCHANNEL_STORE set to the store's URL, password and all)"
                       if "$BACKCHANNEL_STORE" in s else ""))
    for cmd, what in ((f"workshop run {w.id}{s}", "facilitator console"),
                      (f"workshop screen {w.id}{s}", "projector view"),
                      (f"workshop serve {w.id}{s}", "teams join in a browser"),
                      (f"workshop join CODE{s} [--plain]", "a team in a terminal"),
                      (f"workshop open {w.id}{s}", "open round "
                       f"{w.control.round_no} (then close, reveal, next)"),
                      (f"workshop status {w.id}{s}", "who has submitted"),
                      (f"workshop export {w.id} --out DIR{s}", "each team's game as a log")):
        print(f"  backchannel {cmd}\n      {what}")
    return 0


@_run
def cmd_list(args) -> int:
    from engine.workshop import NotFound
    from engine.workshop.store import store_location

    try:
        store = _store(args)
    except NotFound:  # no store yet (a fresh machine): nothing to list, nothing made
        print(f"No workshops in {store_location(args.store)}. Create one with `backchannel "
              "workshop new`.")
        return 0
    ws = store.workshops()
    if not ws:
        print(f"No workshops in {store.location}. Create one with `backchannel workshop new`.")
        return 0
    print(f"Workshops in {store.location}:")
    for w in ws:
        c = w.control
        where = "ended" if c.phase.value == "ended" else f"round {c.round_no}, {c.phase.value}"
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(w.created_at))
        print(f"  {w.id}  {w.name} [{w.scenario_id}] {where}, created {created}")
    return 0


@_run
def cmd_purge(args) -> int:
    store = _store(args)
    cutoff = time.time() - args.older_than
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cutoff))
    gone = store.purge(cutoff, dry_run=args.dry_run)
    if not gone:
        print(f"No workshop in {store.location} is older than {when} (created and last used "
              "before it); nothing deleted.")
        return 0
    verb = "Would delete" if args.dry_run else "Deleted"
    print(f"{verb} {len(gone)} workshop{'s' if len(gone) != 1 else ''} created and last used "
          f"before {when}, with all their teams, decisions, reasons, notes and events:")
    for w in gone:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(w.created_at))
        print(f"  {w.id}  {w.name} [{w.scenario_id}], created {created}")
    if args.dry_run:
        print("Nothing was deleted (dry run). Run it without --dry-run to delete them.")
    return 0


def _round_title(room: Room, round_no: int) -> str:
    for i, r in enumerate(room.scenario.rounds, 1):
        if i == round_no:
            return r.title
    return ""


def status_dict(room: Room, status: Status) -> dict:
    w = status.workshop
    c = w.control
    teams = []
    for row in status.rows:
        item: dict = {"id": row.team.id, "name": row.team.name, "code": row.team.code,
                      "bot": row.team.bot, "joined": row.team.joined_at is not None,
                      "status": row.status, "by": row.by, "at": row.at,
                      "game_round": row.game.state.round_no, "over": row.game.state.over,
                      "ending": row.game.state.ending_id}
        if row.choice is not None:
            opt = room.game.options.get(row.choice.option_id or "")
            item["choice"] = {"option": row.choice.option_id,
                              "track": opt.option.track.value if opt else None,
                              "reason": row.choice.reason, "override": row.choice.override,
                              "absent": row.choice.absent, "team_reason": row.choice.team_reason}
        teams.append(item)
    return {"id": w.id, "name": w.name, "scenario": w.scenario_id,
            "scenario_path": w.scenario_path, "sha256": w.scenario_sha256, "seed": w.seed,
            "rounds": room.game.n_rounds, "round": c.round_no, "phase": c.phase.value,
            "version": c.version, "timer_remaining": status.remaining,
            "timer_paused": c.paused, "message": w.message, "teams": teams}


def print_status(room: Room, status: Status, out: TextIO | None = None) -> None:
    from engine.present.wording import team_status

    out = out or sys.stdout
    w = status.workshop
    c = w.control
    say = lambda s="": out.write(s + "\n")  # noqa: E731
    say(f"{w.id}: {w.name} [{w.scenario_id}, seed {w.seed}]")
    if c.phase.value == "ended":
        say(f"The workshop has ended (after round {c.round_no}).")
    else:
        timer = f", {_mmss(status.remaining)}" if c.phase.value == "open" else ""
        paused = " (paused)" if c.paused else ""
        say(f"Round {c.round_no} of {room.game.n_rounds}: {_round_title(room, c.round_no)} "
            f"- {c.phase.value}{timer}{paused}")
    if w.message:
        say(f"Message to teams: {w.message}")
    width = max(len(r.team.name) for r in status.rows)
    for row in status.rows:
        bits = [team_status(row.status)]
        if row.by == "bot":
            bits.append("(stand-in)")
        if row.at is not None and row.status != "waiting":
            bits.append(f"at {_clock(row.at)}")
        if row.choice is not None and row.choice.option_id:
            opt = room.game.options[row.choice.option_id].option
            bits.append(f"-> [{opt.track.label}] {opt.title}")
            if row.choice.reason:
                bits.append(f"- \"{row.choice.reason}\"")
        if c.phase.value == "ended" and row.game.state.ending_id:
            ending = room.game.endings[row.game.state.ending_id]
            bits.append(f"-> ending: {ending.title}")
        say(f"  {row.team.name:<{width}}  {' '.join(bits)}")


@_run
def cmd_status(args) -> int:
    store = _store(args)
    room = _room(args, store)
    status = room.status()
    if args.json:
        print(json.dumps(status_dict(room, status), indent=2, ensure_ascii=False))
    else:
        print_status(room, status)
    return 0


@_run
def cmd_control(args) -> int:
    store = _store(args)
    room = _room(args, store)
    before = {d.team_id for d in room.snap.decisions
              if d.round_no == room.workshop.control.round_no}
    w = room.act(args.action)
    c = w.control
    if args.action == "open":
        bots = [room.snap.team(d.team_id).name for d in room.snap.decisions
                if d.round_no == c.round_no and d.by == "bot" and d.team_id not in before]
        timer = _mmss(c.remaining(time.time()))
        print(f"Round {c.round_no} is open ({timer}).")
        if bots:
            print(f"Stand-in teams submitted: {', '.join(bots)}.")
    elif args.action == "close":
        status = room.status()
        done = [r for r in status.rows if r.status in ("submitted", "override", "absent")]
        due = done + [r for r in status.rows if r.status == "waiting"]
        print(f"Round {c.round_no} is closed: {len(done)} of {len(due)} teams submitted.")
        if status.missing:
            names = ", ".join(t.name for t in status.missing)
            print(f"No decision from: {names}. Enter one with `backchannel workshop decide "
                  f"{w.id} --team T --option O --reason R` or mark absent with `workshop "
                  "absent`.")
    elif args.action == "reveal":
        print_status(room, room.status())
    elif c.phase.value == "ended":
        print(f"The workshop has ended. Export each team's game with `backchannel workshop "
              f"export {w.id} --out DIR{_store_flag(args)}`.")
    else:
        print(f"Round {c.round_no} is ready: {_round_title(room, c.round_no)}. Open it with "
              f"`backchannel workshop open {w.id}{_store_flag(args)}`.")
    return 0


@_run
def cmd_timer(args) -> int:
    from engine.workshop.model import WorkshopError, parse_duration

    store = _store(args)
    room = _room(args, store)
    change = args.change.strip()
    if (change == "start") != (args.length is not None):
        raise WorkshopError("give a length with start and only with start, e.g. "
                            f"`backchannel workshop timer {room.id} start 5`")
    if change == "start":
        w = room.act("timer-start", seconds=parse_duration(args.length))
    elif change in ("pause", "resume", "end"):
        w = room.act(f"timer-{change}")
    else:
        try:
            seconds = float(change)
        except ValueError:
            raise WorkshopError(f"'{change}' is not a timer change; give start LENGTH, "
                                "+SECONDS, -SECONDS, pause, resume or end") from None
        w = room.act("timer-add", seconds=seconds)
    c = w.control
    print(f"Round {c.round_no}: {_mmss(c.remaining(time.time()))}"
          + (" (paused)" if c.paused else ""))
    return 0


def _already_decided(room: Room, exc, logged_as: str) -> int:
    """A facilitator's decision or absent mark refused because the team has a decision:
    what it has, and how to replace it from here."""
    from engine.present.wording import already_decided

    _err(f"{already_decided(room.scenario, exc.team, exc.existing.round_no, exc.existing)}; "
         "nothing was changed. To replace it, run the command again with --replace (kept in "
         f"the log as {logged_as}).")
    return 1


@_run
def cmd_decide(args) -> int:
    from engine.present.wording import team_decision
    from engine.workshop.model import AlreadyDecided

    store = _store(args)
    room = _room(args, store)
    try:
        before = room.snap.decision(room.team(args.team).id, room.workshop.control.round_no)
        d = room.override(args.team, args.option, args.reason, replace=args.replace)
    except AlreadyDecided as exc:
        return _already_decided(room, exc, "a facilitator override with your reason")
    team = room.snap.team(d.team_id)
    assert d.option_id is not None  # an override names an option; absence is `absent`
    opt = room.game.options[d.option_id].option  # the id, also when a number was typed
    print(f"Recorded for {team.name}, round {d.round_no}: [{opt.track.label}] {opt.title} "
          f"(facilitator override: {d.reason})"
          + (f"; it replaces {team_decision(room.scenario, before)}" if before else ""))
    return 0


@_run
def cmd_absent(args) -> int:
    from engine.present.wording import ABSENT_FINAL
    from engine.workshop.model import AlreadyDecided

    store = _store(args)
    room = _room(args, store)
    try:
        d = room.mark_absent(args.team, args.reason, replace=args.replace)
    except AlreadyDecided as exc:
        return _already_decided(room, exc, "an absent mark, with your reason if you give one")
    print(f"{room.snap.team(d.team_id).name} marked absent in round {d.round_no}; "
          f"{ABSENT_FINAL}. Until the round is revealed, `workshop decide --replace` enters a "
          "decision instead.")
    return 0


@_run
def cmd_note(args) -> int:
    store = _store(args)
    room = _room(args, store)
    ev = room.note(args.team, args.text, round_no=args.round_no)
    who = room.snap.team(ev.team_id).name if ev.team_id else "the room"
    print(f"Note on {who}, round {ev.round_no}, kept.")
    return 0


@_run
def cmd_message(args) -> int:
    store = _store(args)
    room = _room(args, store)
    room.message(args.text or None)
    print("Message shown to every team." if args.text.strip() else "Message cleared.")
    return 0


@_run
def cmd_export(args) -> int:
    store = _store(args)
    room = _room(args, store)
    paths = room.export(Path(args.out))
    for p in paths:
        print(f"wrote {p}")
    names = " ".join(str(p) for p in paths)
    print(f"Compare the teams: backchannel compare {names}")
    return 0


@_run
def cmd_join(args) -> int:
    from engine.workshop.room import Room

    if not args.plain:
        try:
            plugin = importlib.import_module(UI_PLUGIN)
        except ImportError:
            _err("the terminal team client is not installed here; use `workshop join CODE "
                 "--plain` (line mode)")
            return 1
        return plugin.join(args)
    store = _store(args)
    room, team = Room.for_code(store, args.code,
                               accept_changed_scenario=args.accept_changed_scenario)
    return PlainTeamClient(room, team.id, sys.stdin, sys.stdout, poll=args.poll).run()


# --------------------------------------------------------------------------- line-mode team


class PlainTeamClient:
    """A team's seat in line mode: the round's situation and options with their sourced
    trade-offs, a choice and a reason, then the wait for the reveal and the outcome. Everything
    is read from the store, so quitting and joining again with the code resumes the seat."""

    def __init__(self, room: Room, team_id: int, inp: TextIO, out: TextIO,
                 poll: float = 0.25) -> None:
        self.room = room
        self.team_id = team_id
        self.inp = inp
        self.out = out
        self.poll = poll
        self.width = 78
        self.shown: set[tuple[str, int]] = set()  # (what, round) already printed
        self.message: str | None = None
        self.token: object = None
        from backchannel_cli.plain import PlainGame

        # Line mode's renderers (one wording for solo and workshop play), on this team's game.
        seat = types.SimpleNamespace(scenario=room.scenario, game=room.game, team=None)
        self.view = PlainGame(seat, inp, out, width=self.width)  # type: ignore[arg-type]
        try:
            self.selectable = inp.fileno() >= 0 and os.name == "posix"
        except (AttributeError, OSError, ValueError):
            self.selectable = False

    # -- output

    def say(self, text: str = "") -> None:
        """A line (or lines) of output, each wrapped at the client's width: a terminal would
        otherwise break a long line mid-word."""
        lines = [textwrap.fill(line, self.width, subsequent_indent="  ",
                               break_on_hyphens=False, break_long_words=False)
                 if len(line) > self.width else line for line in text.split("\n")]
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()

    def para(self, text: str, indent: str = "") -> None:
        for block in text.strip().split("\n\n"):
            self.say(textwrap.fill(" ".join(block.split()), self.width,
                                   initial_indent=indent, subsequent_indent=indent))

    def once(self, what: str, round_no: int) -> bool:
        key = (what, round_no)
        if key in self.shown:
            return False
        self.shown.add(key)
        return True

    # -- the loop

    @property
    def team(self):
        return self.room.snap.team(self.team_id)

    def run(self) -> int:
        from engine.present.wording import CLOSED_UNSUBMITTED, capital, team_absent_since

        room = self.room
        room.join(self.team, "plain")
        room.refresh()
        scn = room.scenario
        self.say(f"backchannel workshop: {room.workshop.name}")
        self.say(f"You are team {self.team.name}. Scenario: {scn.title} ({scn.region}, "
                 f"{scn.situation_date}).")
        self.say("Type an option's number (or id) and Enter, then the reason ('N # reason' "
                 "does both at once); m N shows option N in full, o the options again; q "
                 "leaves (join again with the code to come back).")
        if self.once("briefing", 0):
            self.view.briefing()  # what solo line mode and the screens show, in their order
        while True:
            # The token first: a change committed while we read is then seen as new (read
            # after, it would be taken as seen, and the wait below could last for ever).
            self.token = room.store.change_token()
            room.refresh()
            self.show_message()
            w = room.workshop
            c = w.control
            tg = room.team_game(self.team_id)
            if c.phase.value == "ended":
                self.show_revealed_rounds()
                self.show_end()
                return 0
            self.show_revealed_rounds()
            status = tg.status(c.round_no, room.snap.decision(self.team_id, c.round_no))
            if status == "out":
                assert tg.absent_from is not None  # "out": marked absent in a round before
                self.say(f"{capital(team_absent_since(tg.absent_from))}.")
                return 0
            if status == "finished" and self.once("finished", 0):
                self.show_end()
                self.say("(waiting for the workshop to end; q to leave)")
            if c.phase.value == "open" and status == "waiting":
                room.run_bots()  # stand-ins submit from whichever process notices first
                if self.once("round", c.round_no):
                    self.show_round()
                result = self.ask(c.round_no)
                if result == "quit":
                    return 0
                continue
            if status == "skips" and self.once("skips", c.round_no):
                self.say(f"\nRound {c.round_no}: your game has no decision this round "
                         f"(its conditions do not hold for your team); waiting.")
            elif (c.phase.value == "ready" and status != "finished"
                  and self.once("ready", c.round_no)):  # a game that ended waits for nothing
                self.say(f"\nRound {c.round_no} will open soon; waiting for the facilitator.")
            elif status in ("submitted", "override") and self.once("wait", c.round_no):
                self.say("Waiting for the reveal...")
            elif c.phase.value == "closed" and status == "absent" and self.once("abs",
                                                                                 c.round_no):
                self.say(f"Round {c.round_no} is closed; your team was marked absent.")
            elif c.phase.value == "closed" and status == "waiting" and self.once("late",
                                                                                 c.round_no):
                # As the app's status line says it: the team is not left guessing.
                self.say(f"Round {c.round_no} {CLOSED_UNSUBMITTED}.")
            if self.wait_for_change() == "quit":
                return 0

    def wait_for_change(self) -> str | None:
        """Sleep until the store changes (polling its cheap change token), or the user types
        'q' (when the input can be watched without blocking)."""
        while True:
            if self.selectable and self.pending_line is None:
                ready, _, _ = select.select([self.inp], [], [], self.poll)
                if ready:
                    line = self.inp.readline()
                    if not line:
                        self.selectable = False  # end of input: keep waiting for the room
                    elif line.strip().lower() in ("q", "quit"):
                        return "quit"
                    elif self.inp.isatty():
                        # A person typed while no choice was asked (the round not open, or
                        # closed): kept, the line became the next round's choice the moment
                        # it opened, unseen. Scripts (pipes) may still type ahead.
                        if line.strip():
                            self.say("No choice is asked now; that line was not kept (q "
                                     "leaves). The options come when your round opens.")
                    else:
                        self.pending_line = line
                        return None
            else:
                time.sleep(self.poll)
            if self.room.store.change_token() != self.token:
                return None

    pending_line: str | None = None

    def read_line(self, round_no: int) -> str | None:
        """A line of input; None at end of input; '' when the round changed meanwhile."""
        if self.pending_line is not None:
            line, self.pending_line = self.pending_line, None
            return line
        if not self.selectable:
            return self.inp.readline() or None
        while True:
            ready, _, _ = select.select([self.inp], [], [], self.poll)
            if ready:
                return self.inp.readline() or None
            if self.room.store.change_token() != self.token:
                self.token = self.room.store.change_token()
                c = self.room.refresh().workshop.control
                if c.round_no != round_no or c.phase.value != "open":
                    return ""
                self.show_message()

    # -- pieces

    def show_message(self) -> None:
        msg = self.room.workshop.message
        if msg != self.message:
            self.message = msg
            if msg:
                self.say(f"\n>> Message from the facilitator: {msg}")

    def show_round(self) -> None:
        room = self.room
        tg = room.team_game(self.team_id)
        c = room.workshop.control
        self.say(f"\n(Round {c.round_no}: {_mmss(c.remaining(time.time()))})")
        self.view.show_round(tg.state)
        draft = room.draft(self.team_id)
        if draft is not None and (draft.option_id or draft.reason):
            self.say(f"\nYour draft: {draft.option_id or '(no option yet)'}"
                     + (f" - {draft.reason}" if draft.reason else ""))

    def ask(self, round_no: int) -> str | None:
        from engine.present.wording import NOT_AVAILABLE, already_submitted
        from engine.workshop.model import Refused, WorkshopError

        room = self.room
        state = room.team_game(self.team_id).state
        offers = room.game.offers(state)
        self.out.write(f"\nChoice [1-{len(offers)}, m N, o, q]: ")
        self.out.flush()
        line = self.read_line(round_no)
        if line is None:
            self.say("(end of input) Your seat is kept: join again with the code.")
            return "quit"
        if line == "":
            self.say("\nThe round changed before you chose.")
            return None
        if not (self.selectable and self.inp.isatty()):
            self.say(line.rstrip("\n"))  # echo scripted input so transcripts read well
        text, hash_, why = line.partition("#")
        text = text.strip()
        cmd, _, arg = text.partition(" ")
        if not text and not hash_:
            return None  # an empty line (Enter alone): ask again, say nothing
        if text.lower() in ("q", "quit"):
            return "quit"
        if text in ("o", "options"):
            self.view.show_options(state)
            return None
        if cmd in ("m", "more") and arg:
            more = room.game.offer(state, arg)
            if more is None:
                self.say(f"'{arg}' is not an option here; type 1-{len(offers)}.")
            else:
                self.view.show_option_full(more, state.round_no)
            return None
        offer = room.game.offer(state, text) if text else None
        if offer is None:
            self.say(f"'{text}' is not an option here; type 1-{len(offers)}, m N, o or q.")
            return None
        if not offer.available:
            self.say(f"Option {offer.number} is not available now: "
                     f"{offer.reason or NOT_AVAILABLE} Choose another.")
            return None
        chosen = offer.option
        try:
            room.save_draft(self.team_id, chosen.id, why)
            if not hash_:
                self.out.write("Reason (one line; Enter for none): ")
                self.out.flush()
                reason_line = self.read_line(round_no)
                if reason_line is None:
                    self.say("\nYour choice is kept as a draft; it was not submitted.")
                    return "quit"
                if reason_line == "":  # the round moved on while the reason was being typed
                    self.say("\nThe facilitator closed the round before your choice was sent; "
                             "it was not submitted (it is kept as your draft).")
                    return None
                if not (self.selectable and self.inp.isatty()):
                    self.say(reason_line.rstrip("\n"))
                why = reason_line
                room.save_draft(self.team_id, chosen.id, why)
            room.submit(self.team_id, chosen.id, why, round_no=round_no)
        except Refused as exc:
            decided = room.refresh().decision(self.team_id, round_no)
            if exc.reason == "duplicate" and decided is not None:  # from another device
                self.say(f"Not submitted: {already_submitted(room.scenario, round_no, decided)}")
            else:
                self.say(f"Not submitted: {exc}")
            return None
        except WorkshopError as exc:
            self.say(f"Not submitted: {exc}")
            self.shown.discard(("round", round_no))
            return None
        self.say(f"Submitted for round {round_no}: [{chosen.track.label}] {chosen.title}.")
        return None

    def show_revealed_rounds(self) -> None:
        """The outcome of every round this team decided that has been revealed."""
        room = self.room
        c = room.workshop.control
        tg = room.team_game(self.team_id)
        for i, d in enumerate(d for d in tg.decisions if not d.absent):
            revealed = d.round_no < c.round_no or c.phase.value in ("revealed", "ended")
            if not revealed or not self.once("outcome", d.round_no):
                continue
            self.view.show_outcome(tg.outcomes[i + 1])
            if d.override:
                self.say(f"  (entered by the facilitator: {d.reason})")

    def show_end(self) -> None:
        if not self.once("end", 0):
            return
        room = self.room
        tg = room.team_game(self.team_id)
        ending = room.game.ending(tg.state)
        self.say("")
        if ending is not None:
            self.say(f"== Your ending: {ending.title} ==")
            self.para(ending.epilogue)
        elif tg.state.over:
            self.say("== Your game ended with no option left to choose ==")
        else:
            self.say("== The workshop has ended ==")
        if room.workshop.control.phase.value == "ended":
            self.say("The facilitator can export every team's game for the debrief.")
