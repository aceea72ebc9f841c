"""The `backchannel` command.

Exit codes: 0 success; 1 the scenario, save file or check has errors; 2 wrong usage;
130 interrupted (Ctrl-C). Bad input never produces a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import TextIO

from engine import __version__
from engine.analysis.checking import check_file
from engine.play.rules import GameState, Outcome
from engine.play.session import Session, SessionError, list_saves
from engine.present.debrief import build_debrief, compare_markdown, rating, to_markdown
from engine.present.wording import change_text, cite_label, condition_text, effect_lines
from engine.scenario.catalog import NotFound, bundled, bundled_dir, find
from engine.scenario.loader import Loaded, ScenarioError, load_scenario, summarise
from engine.scenario.model import Option, Scenario
from engine.scenario.vocabulary import DIMENSIONS, Track

EPILOG = """exit codes: 0 success, 1 errors in a scenario, save or check, 2 wrong usage,
130 interrupted. Saves go to $BACKCHANNEL_DATA_DIR/saves if set, else the user data folder."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `backchannel list | head`
        sys.stderr.close()
        return 0


def build_parser() -> argparse.ArgumentParser:
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

    p = sub.add_parser("list", help="list bundled scenarios and saved games",
                       description="List the bundled scenarios and your saved games.")
    p.set_defaults(func=cmd_list)

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
    p.set_defaults(func=cmd_play)

    p = sub.add_parser("debrief", help="print or export the debrief of a saved game",
                       description="Print the debrief of a saved game as Markdown, or write "
                       "Markdown and HTML files with --out.")
    p.add_argument("save", metavar="FILE", help="a session log (.jsonl)")
    p.add_argument("--out", metavar="DIR", help="write debrief .md and .html into DIR")
    p.set_defaults(func=cmd_debrief)

    p = sub.add_parser("compare", help="compare saved games of one scenario side by side",
                       description="Workshops: one column per team (or what-if branch) with "
                       "each round's choice and track, the ending and the final indicators.")
    p.add_argument("saves", nargs="+", metavar="FILE", help="session logs (.jsonl)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("serve", help="serve the app in a web browser (textual-serve)",
                       description="Serve the game to browsers so workshop participants "
                       "without a terminal can play. Loopback only unless --host says so.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_serve)

    try:
        from backchannel_cli import author as cli_author
    except ImportError:  # pragma: no cover - author tools not installed
        pass
    else:
        cli_author.add_parsers(sub)
    return parser


# --------------------------------------------------------------------------- helpers


def _err(msg: str) -> None:
    print(f"backchannel: {msg}", file=sys.stderr)


def _load(name: str) -> tuple[Path, Scenario] | None:
    try:
        path = find(name)
        return path, load_scenario(path)
    except NotFound as exc:
        _err(str(exc))
    except ScenarioError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        _err(f"{name}: {summarise(exc.problems)}; run `backchannel check {name}`")
    return None


def _app():
    return importlib.import_module("tui")


# --------------------------------------------------------------------------- commands


def cmd_app(args) -> int:
    return _app().run_app(None, None, None) or 0


def cmd_list(args) -> int:
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
        status = "finished" if s.over else f"at round {s.round_no}"
        team = f" [{s.team}]" if s.team else ""
        print(f"  {s.path}\n      {s.title}{team}: {s.decisions} decisions, {status}")
    return 0


def cmd_check(args) -> int:
    targets: list[Path] = []
    for raw in args.paths or [str(bundled_dir())]:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
            if not found:
                _err(f"{p}: no .yaml files in this folder")
                return 1
            targets.extend(found)
        elif p.exists():
            targets.append(p)
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
            print(textwrap.indent(scenario_summary(loaded), "  "))
    if len(targets) > 1:
        print(f"{len(targets)} files checked; {'some FAILED' if failed else 'all ok'}")
    return 1 if failed else 0


def scenario_summary(loaded: Loaded) -> str:
    scn = loaded.scenario
    assert scn is not None
    options = [o for r in scn.rounds for o in r.options]
    by_track = Counter(o.track for o in options)
    tradeoffs = [t for o in options for t in o.tradeoffs]
    cites = Counter(c.source for t in tradeoffs for c in t.cite)
    for e in scn.events:
        cites.update(c.source for c in e.cite)
    for e in scn.endings:
        cites.update(c.source for c in e.cite)
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


def cmd_play(args) -> int:
    if not args.plain:
        if args.resume is None and args.scenario is None:
            return cmd_app(args)
        return _app().run_app(args.scenario, args.resume, args.seed, team=args.team,
                              save=args.save) or 0
    try:
        if args.resume:
            session = Session.resume(args.resume,
                                     find(args.scenario) if args.scenario else None)
        else:
            if not args.scenario:
                _err("play --plain needs a SCENARIO (see `backchannel list`) or --resume FILE")
                return 2
            loaded = _load(args.scenario)
            if loaded is None:
                return 1
            session = Session.new(loaded[0], seed=args.seed, path=args.save, team=args.team)
    except (SessionError, NotFound) as exc:
        _err(str(exc))
        return 1
    except ScenarioError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    return PlainGame(session, sys.stdin, sys.stdout, team=args.team).run()


def cmd_debrief(args) -> int:
    try:
        session = Session.resume(args.save)
    except SessionError as exc:
        _err(str(exc))
        return 1
    for w in session.warnings:
        print(f"warning: {w}", file=sys.stderr)
    debrief = build_debrief(session)
    if not args.out:
        sys.stdout.write(to_markdown(debrief))
        return 0
    try:
        export = importlib.import_module("engine.present.export")
        md, html = export.export(debrief, Path(args.out))
    except OSError as exc:
        _err(f"cannot write to {args.out}: {exc.strerror or exc}")
        return 1
    print(f"wrote {md}\nwrote {html}")
    return 0


def cmd_compare(args) -> int:
    sessions = []
    for path in args.saves:
        try:
            sessions.append(Session.resume(path))
        except SessionError as exc:
            _err(str(exc))
            return 1
    ids = {s.scenario.id for s in sessions}
    if len(ids) > 1:
        _err(f"these games are of different scenarios ({', '.join(sorted(ids))}); compare "
             "games of one scenario")
        return 1
    names = [s.team or Path(s.path).stem for s in sessions]
    sys.stdout.write(compare_markdown([build_debrief(s) for s in sessions], names))
    return 0


def cmd_serve(args) -> int:
    return _app().serve(args.host, args.port) or 0


# --------------------------------------------------------------------------- plain mode


class PlainGame:
    """Line-by-line play: everything the app shows, as plain text, choices from a stream."""

    def __init__(self, session: Session, inp: TextIO, out: TextIO, team: str | None = None):
        self.s = session
        self.inp = inp
        self.out = out
        self.team = team or session.team
        self.width = min(100, max(60, _term_width()))

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def para(self, text: str, indent: str = "") -> None:
        for block in text.strip().split("\n\n"):
            self.say(textwrap.fill(" ".join(block.split()), self.width,
                                   initial_indent=indent, subsequent_indent=indent))

    def run(self) -> int:
        s, scn = self.s, self.s.scenario
        self.say(f"backchannel: {scn.title}")
        self.say(f"{scn.region}, {scn.situation_date}. Seed {s.seed}. Saving to {s.path}")
        for w in s.warnings:
            self.say(f"warning: {w}")
        if not s.decisions:
            self.briefing()
            self.show_outcome(s.outcomes[0], start=True)
        self.say("Type an option's number (or id) and Enter; add '# reason' to record why. "
                 "d: discussion questions, ?: help, q: quit.")
        while not s.over:
            self.show_round(s.state)
            outcome = self.ask(s.state)
            if outcome is None:
                self.say(f"\nGame saved to {s.path}")
                self.say(f"Resume with: backchannel play --plain --resume {s.path}")
                return 0
            self.show_outcome(outcome)
        self.say("")
        self.say("=" * 20 + " DEBRIEF " + "=" * 20)
        self.out.write(to_markdown(build_debrief(s)))
        self.say(f"\nSession log: {s.path}")
        self.say(f"Export: backchannel debrief {s.path} --out DIR")
        return 0

    def briefing(self) -> None:
        scn = self.s.scenario
        self.say("\n== Briefing ==")
        self.para(scn.summary)
        if scn.actors:
            self.say("\nActors:")
            for a in scn.actors:
                self.say(f"- {a.name} ({a.kind})")
                self.para(f"Interests: {a.interests}", "    ")
                self.para(f"Stance: {a.stance}", "    ")
        self.say("\nIndicators:")
        for ind in scn.indicators:
            self.say(f"- {ind.label} ({ind.min}-{ind.max}, {_better(ind.better)}): "
                     f"{ind.meaning}")

    def indicators_line(self, state: GameState) -> str:
        scn = self.s.scenario
        return " | ".join(f"{i.label} {v}/{i.max}" for i, v in
                          zip(scn.indicators, state.values, strict=True))

    def show_round(self, state: GameState) -> None:
        g, scn = self.s.game, self.s.scenario
        rnd = g.current_round(state)
        assert rnd is not None
        self.say(f"\n== Round {state.round_no} of {len(scn.rounds)}: {rnd.title} ==")
        self.para(g.situation(state))
        self.say(f"\nIndicators: {self.indicators_line(state)}")
        self.say("\nOptions:")
        n = 0
        for opt, ok in g.availability(state):
            if ok:
                n += 1
                self.show_option(n, opt)
            else:
                why = f": {opt.unavailable}" if opt.unavailable else ""
                self.say(f"  -  [{opt.track.label}] {opt.title} (not available{why})")

    def show_option(self, n: int, opt: Option) -> None:
        scn = self.s.scenario
        self.say(f"\n {n}. [{opt.track.label}] {opt.title}   (id: {opt.id})")
        self.para(opt.description, "    ")
        if opt.at_table:
            names = ", ".join(scn.actor(a).name for a in opt.at_table)
            self.para(f"At the table: {names}", "    ")
        for line in effect_lines(scn, opt):
            self.para(line, "    ")
        self.say("    What the sources say:")
        for t in opt.tradeoffs:
            dim = DIMENSIONS[t.dimension].label
            cites = "; ".join(cite_label(scn, c) for c in t.cite)
            self.para(f"{rating(t.rating):>2} {dim}: {t.why} ({cites})", "      ")

    def ask(self, state: GameState) -> Outcome | None:
        g = self.s.game
        offered = g.offered(state)
        while True:
            self.out.write(f"\nChoice [1-{len(offered)}, d, ?, q]: ")
            self.out.flush()
            line = self.inp.readline()
            if not line:
                self.say("(end of input)")
                return None
            text, _, why = line.partition("#")
            text = text.strip()
            if not self.inp.isatty():
                self.say(line.rstrip("\n"))  # echo scripted input so transcripts read well
            if text in ("q", "quit"):
                return None
            if text in ("d", "questions"):
                rnd = g.current_round(state)
                for q in (rnd.questions if rnd else ()):
                    self.para(f"- {q}", "  ")
                continue
            if text in ("?", "h", "help"):
                self.say("Enter the number of an option (or its id). Append '# reason' to "
                         "record why. 'd' lists discussion questions; 'q' saves and quits.")
                continue
            chosen = None
            if text.isdigit() and 1 <= int(text) <= len(offered):
                chosen = offered[int(text) - 1]
            else:
                chosen = next((o for o in offered if o.id == text), None)
            if chosen is None:
                self.say(f"'{text}' is not an option here; type 1-{len(offered)}, d, ? or q.")
                continue
            return self.s.decide(chosen.id, by=self.team, why=why.strip() or None)

    def show_resolutions(self, resolutions, indent: str = "  ") -> None:
        for res in resolutions:
            if res.status in ("dropped", "void"):
                continue  # the debrief lists what never came due
            chance = ""
            if res.chance is not None:
                verdict = "succeeded" if res.status == "applied" else "failed"
                chance = f" [chance {res.chance:.0%}: {verdict}]"
            label = f"later effect of {res.owner}" if res.delayed else res.owner
            if res.text:
                self.para(f"* {res.text}{chance}", indent)
            elif chance:
                self.para(f"* ({label}){chance}", indent)

    def show_outcome(self, o: Outcome, start: bool = False) -> None:
        scn, g = self.s.scenario, self.s.game
        if not start:
            assert o.option is not None
            self.say(f"\n-- Outcome of round {o.round_no}: [{o.option.track.label}] "
                     f"{o.option.title}")
        own = [r for r in o.resolutions if r.kind != "event"]
        self.show_resolutions(own)
        for eid in o.events:
            ev = scn.event(eid)
            self.say(f"  EVENT: {ev.title}")
            self.para(ev.text, "    ")
            self.show_resolutions([r for r in o.resolutions
                                   if r.kind == "event" and r.owner == eid], "    ")
        changed = [(i, a, b) for i, a, b in zip(scn.indicators, o.before, o.after, strict=True)
                   if a != b] if o.before else []
        for ind, a, b in changed:
            self.say(f"  {ind.label}: {a} -> {b} ({b - a:+d})")
        for p in o.scheduled:
            eff = g.effect_of(p)
            what = change_text(scn, eff) or eff.text or "an effect"
            cond = f", only if {condition_text(scn, eff.when)}" if eff.when else ""
            self.para(f"Scheduled for round {p.due}{cond}: {what}", "  ")
        if o.option is not None and not start:
            self.say("  Trade-offs accepted: " + "; ".join(
                f"{DIMENSIONS[t.dimension].label} {rating(t.rating)}" for t in o.accepted))
            best: dict[str, int] = {}
            for _, t in o.forgone:
                best[t.dimension] = max(best.get(t.dimension, t.rating), t.rating)
            gains = [f"{DIMENSIONS[d].label} {rating(v)}" for d, v in best.items() if v > 0]
            if gains:
                self.say("  Forgone (best on offer elsewhere): " + "; ".join(gains))


def _better(b: str) -> str:
    return {"higher": "higher is better", "lower": "lower is better"}.get(b, "neutral")


def _term_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 80


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
