"""Printable reports from the command line: `workshop report`, `debrief --out`, `handout`.

The reports are built in engine/present/reports.py; this module parses options, picks file
names and turns errors into one line on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("html", "md", "pdf")


def _formats(text: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise argparse.ArgumentTypeError(
            f"formats are a comma-separated list of {', '.join(FORMATS)} (got '{text}')")
    return out


def add_format_options(p: argparse.ArgumentParser, default: str = "html,md") -> None:
    p.add_argument("--format", type=_formats, default=_formats(default), metavar="LIST",
                   help=f"comma-separated, of {', '.join(FORMATS)} (default {default}; pdf "
                   "needs the 'pdf' extra: pip install 'backchannel[pdf]')")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4",
                   help="page size for printing and PDF (default a4)")


def _err(msg: str) -> None:
    print(f"backchannel: error: {msg}", file=sys.stderr)


def pdf_ready(formats: tuple[str, ...]) -> bool:
    """Say in one line how to get PDF if it was asked for and is not installed."""
    if "pdf" not in formats:
        return True
    try:
        import weasyprint  # type: ignore[import-not-found,import-untyped,unused-ignore] # noqa: F401
    except (ImportError, OSError):
        _err("PDF needs the optional WeasyPrint extra: pip install 'backchannel[pdf]' "
             "(or leave pdf out of --format)")
        return False
    return True


def free_stem(directory: Path, base: str, suffixes: tuple[str, ...]) -> str:
    """``base``, or ``base-2`` ... : the first name none of whose files exists yet."""
    for n in range(1, 1000):
        stem = base if n == 1 else f"{base}-{n}"
        if not any((directory / f"{stem}.{s}").exists() or (directory / f"{stem}.{s}")
                   .is_symlink() for s in suffixes):
            return stem
    raise FileExistsError(f"{directory}: too many earlier reports named {base}-N")


# --------------------------------------------------------------------------- workshop report


def add_workshop_parser(ws, replay: argparse.ArgumentParser) -> None:
    """`workshop report ID --out DIR` (registered by backchannel_cli/workshop.py)."""
    p = ws.add_parser(
        "report", parents=[replay], help="after-action reports, exercise report, CSV/JSONL",
        description="Write one after-action report per team (DIR/teams/), the exercise report "
        "for the facilitator kept apart (DIR/facilitator/), and decisions.csv and "
        "decisions.jsonl (one row per team per round) for analysts.")
    p.add_argument("id")
    p.add_argument("--out", required=True, metavar="DIR")
    add_format_options(p)
    from backchannel_cli.workshop import _run

    p.set_defaults(func=_run(cmd_workshop_report))


def cmd_workshop_report(args) -> int:
    from backchannel_cli.workshop import _room, _store
    from engine.present import reports as R

    if not pdf_ready(args.format):
        return 1
    room = _room(args, _store(args))
    runs = R.runs_from_room(room)
    out = Path(args.out).expanduser()
    teams_dir, fac_dir = out / "teams", out / "facilitator"
    teams_dir.mkdir(parents=True, exist_ok=True)
    fac_dir.mkdir(parents=True, exist_ok=True)
    tracks = R.room_tracks(runs)
    written: list[Path] = []
    for run in runs:
        base = f"{run.team_no:02d}-{R.slug(run.team or 'team')}"
        stem = free_stem(teams_dir, base, args.format)
        written += R.write_document(teams_dir, stem, f"After-action report: {run.team}",
                                    R.team_report(run, tracks), args.format, args.paper)
    stem = free_stem(fac_dir, "exercise-report", args.format)
    written += R.write_document(fac_dir, stem, f"Exercise report: {room.workshop.name}",
                                R.exercise_report(room, runs), args.format, args.paper)
    rows = R.decision_rows(runs)
    stem = free_stem(out, "decisions", ("csv", "jsonl"))
    written.append(R._write(out / f"{stem}.csv", R.rows_csv(rows)))
    written.append(R._write(out / f"{stem}.jsonl", R.rows_jsonl(rows)))
    for path in written:
        print(f"wrote {path}")
    return 0


# --------------------------------------------------------------------------- solo debrief


def write_solo(session, out: Path, formats: tuple[str, ...], paper: str) -> list[Path]:
    """The team report for a solo game (with the debrief's appendix) and its decision rows."""
    from engine.present import reports as R

    run = R.run_from_session(session)
    out.mkdir(parents=True, exist_ok=True)
    stem = free_stem(out, f"{session.scenario.id}-report", formats)
    written = R.write_document(out, stem, f"After-action report: {session.scenario.title}",
                               R.team_report(run, with_appendix=True), formats, paper)
    rows = R.decision_rows([run])
    dstem = free_stem(out, f"{session.scenario.id}-decisions", ("csv", "jsonl"))
    written.append(R._write(out / f"{dstem}.csv", R.rows_csv(rows)))
    written.append(R._write(out / f"{dstem}.jsonl", R.rows_jsonl(rows)))
    return written


# --------------------------------------------------------------------------- handout


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "handout", help="print the briefing and role briefs before a workshop",
        description="Write the briefing (situation, actors, the three tracks, learning "
        "objectives) and one page per role brief, for printing before play.")
    p.add_argument("scenario", help="scenario id (see `backchannel list`) or path")
    p.add_argument("--out", required=True, metavar="DIR")
    add_format_options(p)
    p.set_defaults(func=cmd_handout)


def cmd_handout(args) -> int:
    from engine.present import reports as R
    from engine.scenario.catalog import NotFound, find
    from engine.scenario.loader import ScenarioError, load_scenario, summarise

    if not pdf_ready(args.format):
        return 1
    try:
        path = find(args.scenario)
        scn = load_scenario(path)
    except NotFound as exc:
        _err(str(exc))
        return 1
    except ScenarioError as exc:
        _err(f"{args.scenario}: the scenario has errors ({summarise(exc.problems)}); run "
             f"`backchannel check {args.scenario}`")
        return 1
    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    written = R.write_document(out, free_stem(out, f"{scn.id}-briefing", args.format),
                               f"Briefing: {scn.title}", R.briefing(scn), args.format,
                               args.paper)
    for role, blocks in R.role_pages(scn):
        written += R.write_document(out, free_stem(out, f"{scn.id}-role-{role.id}",
                                                   args.format),
                                    f"Role brief: {role.name}", blocks, args.format,
                                    args.paper)
    for path in written:
        print(f"wrote {path}")
    return 0
