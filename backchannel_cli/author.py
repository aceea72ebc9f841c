"""Scenario-author commands for the `backchannel` CLI: explore, graph, new.

``backchannel_cli.main`` calls ``add_parsers(subparsers)``; each command's handler takes the parsed
arguments and returns the exit code: 0 ok; 1 the scenario has errors (printed as
``file:line:col: error: ...``), the report found an error (a dead end), or the scenario was not
found; 2 wrong usage (including ``new`` refusing to overwrite a file without --force).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.scenario.catalog import NotFound, find

if TYPE_CHECKING:
    from engine.scenario.model import Scenario

_DOCS = Path(__file__).resolve().parent.parent / "docs"


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return x


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def add_parsers(sub) -> None:
    """Add `explore`, `graph` and `new` to an argparse subparsers object."""
    from engine.analysis.limits import DEFAULT_BUDGET, DEFAULT_MAX_STATES, DEFAULT_SAMPLES

    raw = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "explore", help="report endings, unreachable parts and balance of a scenario",
        formatter_class=raw,
        description=(
            "Explore every way a scenario can play out and report, for uniformly random play:\n"
            "each ending's probability and the number of distinct paths to it; rounds,\n"
            "options, events and endings no play can reach; dead ends (no option and no\n"
            "ending); each indicator's range and distribution at the end; the endings of a\n"
            "player who always picks one track; options dominated in every state where they\n"
            "are offered; and which source paragraphs are cited.\n\n"
            "Exploration is exact (every choice and chance outcome) up to --max-states\n"
            f"states; past that it says so and samples up to {DEFAULT_SAMPLES:,} random\n"
            f"playthroughs instead, for at most --budget seconds (default {DEFAULT_BUDGET:g}): a\n"
            "sampled estimate with its standard error. --random N asks for sampling directly."),
        epilog=(
            "examples:\n"
            "  backchannel explore docs/example-scenario.yaml\n"
            "  backchannel explore scenarios/my-scenario.yaml --json > report.json\n"
            "  backchannel explore my-scenario --random 5000 --seed 7\n\n"
            "The JSON form is described in docs/explore-json.md (schema:\n"
            "docs/explore.schema.json).\n"
            "exit codes: 0 ok (warnings allowed), 1 the scenario has errors or can reach a\n"
            "dead end, 2 wrong usage"),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="bundled scenario id or path to a .yaml")
    p.add_argument("--random", metavar="N", type=_positive,
                   help="sample N random playthroughs instead of exploring exactly")
    p.add_argument("--seed", metavar="S", type=_int, default=0,
                   help="seed for sampling (default 0); the same seed gives the same report")
    p.add_argument("--max-states", metavar="N", type=_positive, default=DEFAULT_MAX_STATES,
                   help=f"bound on exact exploration (default {DEFAULT_MAX_STATES:,})")
    p.add_argument("--budget", metavar="SECONDS", type=_seconds, default=None,
                   help="time for sampling: more seconds, more playthroughs, smaller error "
                        f"(default {DEFAULT_BUDGET:g} when falling back to sampling; none with "
                        "--random N, whose report is then reproducible byte for byte)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_explore)

    p = sub.add_parser(
        "graph", help="draw a scenario's rounds, options, events and endings",
        formatter_class=raw,
        description=(
            "Print a diagram of a scenario: rounds in order, each with its options (labelled\n"
            "by track), the events that fire before rounds, and the endings with their\n"
            "conditions. Parts that no play can reach are drawn grey and dashed.\n"
            "Mermaid renders in GitHub/GitLab Markdown (in a ```mermaid block) and at\n"
            "mermaid.live; dot is for Graphviz (`dot -Tsvg graph.dot -o graph.svg`)."),
        epilog=("examples:\n"
                "  backchannel graph docs/example-scenario.yaml > haze.mmd\n"
                "  backchannel graph my-scenario.yaml --format dot -o my-scenario.dot\n\n"
                "exit codes: 0 ok, 1 the scenario has errors, 2 wrong usage"),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="bundled scenario id or path to a .yaml")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                   help="diagram language (default mermaid)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE instead of standard output")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser(
        "new", help="write a commented starter scenario",
        formatter_class=raw,
        description=(
            "Write a small, commented starter scenario that already passes `backchannel\n"
            "check` with no errors and no warnings: two rounds with an option of each track,\n"
            "an event and three endings. Replace its placeholder story with yours, checking\n"
            "as you go. See docs/authoring.md for a walk-through."),
        epilog=("examples:\n"
                "  backchannel new mekong-water               # scenarios/mekong-water.yaml\n"
                "  backchannel new mekong-water -o drafts/    # drafts/mekong-water.yaml\n"
                "  backchannel new mekong-water -o -          # print it\n\n"
                "Without -o the file goes to scenarios/ID.yaml when a scenarios/ folder is in\n"
                "the current directory, else to ./ID.yaml.\n"
                "exit codes: 0 written, 2 wrong usage (bad id, or the file exists and --force\n"
                "was not given)"),
    )
    p.add_argument("scenario_id", metavar="SCENARIO_ID",
                   help="id of the new scenario: lower case letters, digits, '-' or '_'")
    p.add_argument("-o", "--output", metavar="FILE_OR_DIR",
                   help="file to write, or a folder to put ID.yaml in ('-' for standard output)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_new)


# --------------------------------------------------------------------------- helpers


def _err(msg: str) -> None:
    print(f"backchannel: {msg}", file=sys.stderr)


def _load(name: str) -> tuple[Path, Scenario] | None:
    """Resolve and load a scenario; print the problems and return None when it cannot be."""
    from engine.scenario.loader import load_file, summarise

    try:
        path = find(name)
    except NotFound as exc:
        _err(str(exc))
        return None
    loaded = load_file(path)
    if loaded.scenario is None:
        for problem in loaded.errors:
            print(str(problem), file=sys.stderr)
        _err(f"{path}: {summarise(loaded.problems)}; run `backchannel check {path}`")
        return None
    return path, loaded.scenario


def _write(text: str, output: str | None, force: bool = False) -> int:
    """Exit code of writing ``text`` to ``output`` (standard output for None or '-'). An
    existing file is replaced only with ``force``, and then by renaming a new file over it
    (a symlink there is replaced, never followed)."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(output)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp") if force else target
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            fh.write(text)
        if force:
            os.replace(tmp, target)
    except FileExistsError:
        _err(f"{output} already exists; not overwriting it (use --force to replace it)")
        return 2
    except OSError as exc:
        if force:
            tmp.unlink(missing_ok=True)
        _err(f"cannot write {output}: {exc.strerror or exc}")
        return 1
    return 0


# --------------------------------------------------------------------------- commands


def cmd_explore(args) -> int:
    from backchannel_cli.progress import TextProgress
    from engine.analysis.exploration import explore
    from engine.gcpause import freeze_survivors
    from engine.present.explore_text import render_text

    freeze_survivors()  # a batch process: see engine.gcpause

    got = _load(args.scenario)
    if got is None:
        return 1
    path, scenario = got
    with TextProgress(sys.stderr) as bar:
        report = explore(scenario, max_states=args.max_states, samples=args.random,
                         seed=args.seed, progress=bar, file=str(path), budget=args.budget)
    notice = report.data["notice"]
    if args.json:
        if notice:
            _err(f"note: {notice}")
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(render_text(report.data))
    if report.has_errors:
        _err(f"{path}: the game can reach a dead end (see above)")
        return 1
    return 0


def cmd_graph(args) -> int:
    from engine.analysis.diagrams import structure
    from engine.analysis.reachability import Reached, unreachable
    from engine.analysis.statespace import build_graph
    from engine.play.rules import Game
    from engine.present.diagram_text import render

    got = _load(args.scenario)
    if got is None:
        return 1
    _, scenario = got
    gone: set[str] = set()
    graph = build_graph(Game(scenario), max_states=50_000)
    if graph.complete:
        gone = unreachable(scenario, Reached.of_graph(graph)).ids()
    else:
        _err("note: the game has over 50,000 states; unreachable parts are not marked")
    return _write(render(structure(scenario, gone), args.format), args.output, args.force)


def _schema_ref(target: Path | None) -> str:
    """How the new file should point at docs/scenario.schema.json: a relative path when it is
    written inside this source checkout, a file:// URL elsewhere and for `-o -` (the printed
    text may be saved anywhere: an absolute URL works from a user's own folder), and the path
    that fits scenarios/ when the schema is not on disk (an installed package)."""
    from engine.scenario.starter import DEFAULT_SCHEMA

    schema = _DOCS / "scenario.schema.json"
    if not schema.is_file():
        return DEFAULT_SCHEMA
    if target is None:
        return schema.as_uri()
    folder = target.resolve().parent
    if folder.is_relative_to(_DOCS.parent):
        return Path(os.path.relpath(schema, folder)).as_posix()
    return schema.as_uri()


def cmd_new(args) -> int:
    from engine.scenario.starter import starter_yaml
    from engine.scenario.vocabulary import is_id

    sid = args.scenario_id
    if not is_id(sid):
        _err(f"scenario id '{sid}' must be lower case letters, digits, '-' or '_', starting "
             "with a letter (e.g. mekong-water-2025)")
        return 2
    out = args.output
    if out == "-":
        sys.stdout.write(starter_yaml(sid, _schema_ref(None)))
        return 0
    if out is None:
        folder = Path("scenarios")
        target = folder / f"{sid}.yaml" if folder.is_dir() else Path(f"{sid}.yaml")
    elif Path(out).is_dir() or out.endswith(("/", os.sep)):
        target = Path(out) / f"{sid}.yaml"
    else:
        target = Path(out)
    text = starter_yaml(sid, _schema_ref(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w" if args.force else "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        _err(f"{target} already exists; not overwriting it (use --force to replace it)")
        return 2
    except OSError as exc:
        _err(f"cannot write {target}: {exc.strerror or exc}")
        return 1
    print(f"wrote {target}")
    print(f"next: edit it, then `backchannel check {target}` and "
          f"`backchannel explore {target}`")
    return 0
