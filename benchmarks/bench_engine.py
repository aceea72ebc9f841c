"""Engine benchmark: random playthroughs, the checker, exact exploration.

    python benchmarks/bench_engine.py            # full run, under a minute
    python benchmarks/bench_engine.py --quick    # under 15 s
    python benchmarks/bench_engine.py --json results.json
    python benchmarks/bench_engine.py --write-stories DIR   # only write synthetic-<N>.yaml

``--json FILE`` writes every figure; its stable, documented part is

    {"machine": {...}, "play": {"<N>": {"choices_per_s": x}},
     "check": {"<N>": {"seconds": x}},
     "explore": {"<scenario>": {"states": n, "states_per_s": x, "peak_mb": m}}}

(medians; ``check`` is ``check_file`` in this process, the whole command is timed by
``side_by_side.py``; ``peak_mb`` is the peak of Python allocations during one walk, by
tracemalloc). Other keys are details that may change.

The synthetic story (benchmarks/synthetic.py: N rounds of Track 1 / 1.5 / 2 options over
trust, leverage and risk) is written as a real YAML file to a temporary folder and loaded with
``engine.analysis.checking.check_file``, so every figure goes through the loader.

Measured, each with several repetitions (best and median shown; rates are per second of wall
time from ``time.perf_counter``; the garbage collector is left on, as in real use):

* playthroughs: ``Game.start(seed)``, then until the game is over ``Game.offered(state)``,
  a uniform pick with ``random.Random(seed)``, ``Game.situation(state)`` (renders the text,
  evaluating ``risk > 3``) and ``Game.apply``. One "choice" is one ``apply``.
* check: ``engine.analysis.checking.check_file(path)`` -- everything ``backchannel check`` does,
  including the reachability exploration (``checking._check_reachability``, which stops at
  50,000 states). A breakdown (full run only) times the steps one by one: YAML parse, cattrs
  structuring, semantic checks, ``Game`` compilation, exploration -- and the exploration again
  with the garbage collector off throughout ("of which walking": the rest of the exploration
  figure is the collection that runs when ``explore.no_gc`` turns the collector back on).
* exact exploration: ``engine.analysis.statespace.build_graph`` on the synthetic N=10 story, the
  example scenario and every ``scenarios/*.yaml``; states/s = states found / time.

N=1000 needs about 104,000 YAML nodes, over the loader's limit of 100,000
(``engine.scenario.yamlsrc.MAX_NODES``): the file is refused as it stands. To measure it anyway
the limit is raised for that file only (the row is marked) and the refusal itself is timed too.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from randomplay import play  # noqa: E402 - the loop side_by_side.py runs in a process
from synthetic import node_count, scenario_yaml  # noqa: E402

from engine.analysis import checking  # noqa: E402
from engine.analysis.checking import CHECK_MAX_STATES  # noqa: E402 - what `check` explores
from engine.analysis.statespace import build_graph  # noqa: E402
from engine.play.rules import Game  # noqa: E402
from engine.scenario import checks, files, loader, yamlsrc  # noqa: E402

SIZES = (10, 50, 200, 1000)
TARGET_CHOICES_N50 = 120_000  # choices/s
TARGET_CHECK_N1000 = 0.3  # seconds


# --------------------------------------------------------------------------- timing


def _times(fn: Callable[[], object], reps: int, keep: list | None = None) -> list[float]:
    """``reps`` timings of ``fn()``; its first result goes into ``keep`` when given."""
    out = []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        value = fn()
        out.append(time.perf_counter() - t0)
        if keep is not None and not keep:
            keep.append(value)
    return out


def _summary(times: list[float], work: float = 1.0) -> dict:
    """Best and median time; ``work`` units per run give best and median rates."""
    best, median = min(times), statistics.median(times)
    return {"runs": len(times), "best_s": best, "median_s": median,
            "best_rate": work / best, "median_rate": work / median}


@contextlib.contextmanager
def _limits(nodes: int | None) -> Iterator[None]:
    """Raise the loader's node limit (and the byte limit with it) for one load."""
    if nodes is None:
        yield
        return
    saved = yamlsrc.MAX_NODES, yamlsrc.MAX_BYTES, files.MAX_BYTES
    more = max(yamlsrc.MAX_BYTES, 4 << 20)
    yamlsrc.MAX_NODES, yamlsrc.MAX_BYTES, files.MAX_BYTES = nodes, more, more
    try:
        yield
    finally:
        yamlsrc.MAX_NODES, yamlsrc.MAX_BYTES, files.MAX_BYTES = saved


# --------------------------------------------------------------------------- workloads


def bench_playthroughs(game: Game, games: int, reps: int) -> dict:
    choices = sum(play(game, seed) for seed in range(games))  # warm-up, and the work count
    times = _times(lambda: [play(game, seed) for seed in range(games)], reps)
    best, median = min(times), statistics.median(times)
    return {"games": games, "choices": choices, "runs": reps, "best_s": best, "median_s": median,
            "playthroughs_per_s": {"best": games / best, "median": games / median},
            "choices_per_s": {"best": choices / best, "median": choices / median}}


def check_breakdown(path: Path, whole_without_gc: bool) -> dict:
    """The steps of check_file, timed one by one (uses loader/checks internals)."""
    t = {}
    t0 = time.perf_counter()
    doc = yamlsrc.parse(yamlsrc.read_text(path.read_bytes()))
    t["yaml"] = time.perf_counter() - t0
    loc = loader.Located(str(path), doc)
    t0 = time.perf_counter()
    scn = loader._structure(doc.data, loc)
    t["structure"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    checks.check_scenario(scn, loc)
    t["checks"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    game = Game(scn)
    t["compile"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    graph = build_graph(game, max_states=CHECK_MAX_STATES)
    t["explore"] = time.perf_counter() - t0
    t["explore_states"] = len(graph.nodes)
    t["explore_complete"] = graph.complete
    del graph
    gc.collect()
    gc.disable()  # the walk alone: build_graph pauses the collector itself (explore.no_gc),
    try:          # but re-enabling it then pays one collection over everything it allocated
        t0 = time.perf_counter()
        build_graph(game, max_states=CHECK_MAX_STATES)
        t["explore_no_gc"] = time.perf_counter() - t0
    finally:
        gc.enable()
    if not whole_without_gc:
        return t
    gc.collect()
    gc.disable()  # and the whole of check_file without it
    try:
        t0 = time.perf_counter()
        checking.check_file(path)
        t["check_file_no_gc"] = time.perf_counter() - t0
    finally:
        gc.enable()
    return t


def _peak_mb(fn: Callable[[], object]) -> float:
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def bench_explore(game: Game, max_states: int, reps: int) -> dict:
    peak = _peak_mb(lambda: build_graph(game, max_states=max_states))
    graph = build_graph(game, max_states=max_states)
    states, complete = len(graph.nodes), graph.complete
    edges = sum(len(n.edges) for n in graph.nodes.values())
    del graph
    times = _times(lambda: build_graph(game, max_states=max_states), reps)
    s = _summary(times, states)
    # The same walks in CPU time: on a shared machine the wall clock also counts the time
    # other processes held the CPU; process time does not (a small graph walks many times).
    inner = max(1, 20_000 // max(states, 1))
    cpu = []
    for _ in range(reps):
        gc.collect()
        t0 = time.process_time()
        for _ in range(inner):
            build_graph(game, max_states=max_states)
        cpu.append((time.process_time() - t0) / inner)
    return {"states": states, "edges": edges, "complete": complete, "max_states": max_states,
            "runs": s["runs"], "best_s": s["best_s"], "median_s": s["median_s"],
            "states_per_s": s["median_rate"], "states_per_s_best": s["best_rate"],
            "states_per_cpu_s": states / statistics.median(cpu),
            "states_per_cpu_s_best": states / min(cpu), "peak_mb": peak}


# --------------------------------------------------------------------------- the run


def _pyyaml_parser() -> str:
    """The parser PyYAML reads with where the quick reader leaves a text (CSafeLoader when
    PyYAML was built with libyaml)."""
    from engine.scenario import yamlevents

    return yamlevents._Loader.__name__


def run(quick: bool, sizes: tuple[int, ...], breakdown: bool) -> dict:
    # Per size: games per repetition (about 20,000 choices) and repetitions.
    games = {10: 2000, 50: 400, 200: 100, 1000: 20}
    play_reps = 3 if quick else 5
    result: dict = {
        "machine": {"python": platform.python_version(), "implementation":
                    platform.python_implementation(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "libyaml": _pyyaml_parser()},
        "quick": quick, "synthetic": {}, "explore": {}, "bundled_playthroughs": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-backchannel-") as tmp:
        for n in sizes:
            text = scenario_yaml(n)
            path = Path(tmp) / f"synthetic-{n}.yaml"
            path.write_text(text, encoding="utf-8")
            nodes = node_count(text)
            raised = nodes > yamlsrc.MAX_NODES or len(text.encode()) > yamlsrc.MAX_BYTES
            row: dict = {"rounds": n, "bytes": len(text.encode()), "yaml_nodes": nodes,
                         "limits_raised": raised}
            if raised:
                t0 = time.perf_counter()
                refused = checking.check_file(path)
                row["refused_s"] = time.perf_counter() - t0
                row["refused_with"] = [str(p) for p in refused.errors]
            with _limits(nodes + 1000 if raised else None):
                first: list = []
                row["load_no_explore"] = _summary(
                    _times(lambda p=path: loader.load_file(p),
                           1 if quick else 3, first))
                loaded = first[0]
                if loaded.scenario is None:
                    raise SystemExit(f"synthetic N={n} does not load: {loaded.problems}")
                if quick:
                    check_reps = 3 if n <= 10 else 1
                else:
                    check_reps = 5 if n <= 10 else 3 if n in (50, 1000) else 2
                first = []
                row["check"] = _summary(
                    _times(lambda p=path: checking.check_file(p), check_reps, first))
                row["check_problems"] = [str(p) for p in first[0].problems]
                if breakdown:
                    row["check_breakdown"] = check_breakdown(path, n == max(sizes))
            game = Game(loaded.scenario)
            row["playthrough"] = bench_playthroughs(
                game, games.get(n, max(20, 20_000 // n)), play_reps)
            if n <= 16:
                result["explore"][f"synthetic-{n}"] = bench_explore(
                    game, 200_000, 3 if quick else 5)
            result["synthetic"][n] = row
            del game, loaded

        for n in (12, 14, 16):  # exact exploration of the small synthetic stories
            path = Path(tmp) / f"synthetic-{n}.yaml"
            path.write_text(scenario_yaml(n), encoding="utf-8")
            small = loader.load_file(path).scenario
            if small is not None:
                result["explore"][f"synthetic-{n}"] = bench_explore(
                    Game(small), 200_000, 3 if quick else 5)
        bundled = [ROOT / "docs" / "example-scenario.yaml",
                   *sorted((ROOT / "scenarios").glob("*.yaml"))]
        for path in bundled:
            name = path.relative_to(ROOT).as_posix()
            loaded = loader.load_file(path)
            if loaded.scenario is None:
                result["explore"][name] = {"error": [str(p) for p in loaded.errors][:3]}
                continue
            game = Game(loaded.scenario)
            result["explore"][name] = bench_explore(
                game, 20_000 if quick else CHECK_MAX_STATES, 2 if quick else 3)
            result["bundled_playthroughs"][name] = bench_playthroughs(
                game, 300 if quick else 1000, play_reps)

    # the documented, stable part (medians)
    result["play"] = {str(n): {"choices_per_s": row["playthrough"]["choices_per_s"]["median"]}
                      for n, row in result["synthetic"].items()}
    result["check"] = {str(n): {"seconds": row["check"]["median_s"]}
                       for n, row in result["synthetic"].items()}
    syn = result["synthetic"]
    result["targets"] = {}
    if 50 in syn:
        got = syn[50]["playthrough"]["choices_per_s"]["best"]
        result["targets"]["choices_per_s_N50"] = {
            "target": TARGET_CHOICES_N50, "best": got, "met": got >= TARGET_CHOICES_N50}
    if 1000 in syn:
        got = syn[1000]["check"]["best_s"]
        result["targets"]["check_s_N1000"] = {
            "target": TARGET_CHECK_N1000, "best": got, "met": got <= TARGET_CHECK_N1000}
    return result


# --------------------------------------------------------------------------- report


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _s(x: float) -> str:
    return f"{x:.3f}" if x >= 0.01 else f"{x * 1000:.2f} ms"


def markdown(r: dict) -> str:
    m = r["machine"]
    out = [f"## backchannel engine benchmark{' (quick)' if r['quick'] else ''}", "",
           f"Python {m['python']} ({m['implementation']}), {m['platform']}, {m['cpus']} CPUs, "
           f"YAML parser {m['libyaml']}. Best / median of the repetitions shown.", "",
           "### Synthetic story: random playthroughs and check", "",
           "| N | file | YAML nodes | playthroughs/s (best / median) | choices/s (best / median) "
           "| load, no exploration (s) | check_file, full (s, best / median) |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    notes = []
    for n, row in r["synthetic"].items():
        pt = row["playthrough"]
        mark = " *" if row["limits_raised"] else ""
        if row["limits_raised"]:
            notes.append(f"\\* N={n}: {row['yaml_nodes']:,} YAML nodes is over the loader's "
                         f"limit of {yamlsrc.MAX_NODES:,}; as it stands `check_file` refuses "
                         f"the file (in {_s(row['refused_s'])} s). The limit was raised to "
                         "measure it.")
        out.append(
            f"| {n}{mark} | {row['bytes'] / 1024:,.0f} KiB | {row['yaml_nodes']:,} "
            f"| {_n(pt['playthroughs_per_s']['best'])} / {_n(pt['playthroughs_per_s']['median'])} "
            f"| {_n(pt['choices_per_s']['best'])} / {_n(pt['choices_per_s']['median'])} "
            f"| {_s(row['load_no_explore']['best_s'])} "
            f"| {_s(row['check']['best_s'])} / {_s(row['check']['median_s'])} |")
    out += ["", *notes]
    rows = [(n, row["check_breakdown"]) for n, row in r["synthetic"].items()
            if "check_breakdown" in row]
    if rows:
        out += ["", "### Where `check_file` spends its time (one run, seconds)", "",
                "| N | YAML parse | structure | semantic checks | compile | exploration "
                "| states explored | of which walking | check_file, GC off throughout |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n, b in rows:
            st = f"{b['explore_states']:,}" + ("" if b["explore_complete"] else " (cap hit)")
            out.append(f"| {n} | {_s(b['yaml'])} | {_s(b['structure'])} | {_s(b['checks'])} "
                       f"| {_s(b['compile'])} | {_s(b['explore'])} | {st} "
                       f"| {_s(b['explore_no_gc'])} "
                       f"| {_s(b['check_file_no_gc']) if 'check_file_no_gc' in b else '-'} |")
    out += ["", "### Exact exploration (`engine.analysis.statespace.build_graph`)", "",
            "| scenario | states | edges | complete | time (s, best) | states/s (best / median) "
            "| states per CPU second (best / median) |",
            "|---|---:|---:|---|---:|---:|---:|"]
    for name, e in r["explore"].items():
        if "error" in e:
            out.append(f"| {name} | does not load: {e['error'][0] if e['error'] else '?'} "
                       "| | | | | |")
            continue
        cap = "yes" if e["complete"] else f"no (cap {e['max_states']:,})"
        out.append(f"| {name} | {e['states']:,} | {e['edges']:,} | {cap} | {_s(e['best_s'])} "
                   f"| {_n(e['states_per_s_best'])} / {_n(e['states_per_s'])} "
                   f"| {_n(e['states_per_cpu_s_best'])} / {_n(e['states_per_cpu_s'])} |")
    if r["bundled_playthroughs"]:
        out += ["", "### Random playthroughs of the bundled scenarios", "",
                "| scenario | playthroughs/s (best / median) | choices/s (best / median) |",
                "|---|---:|---:|"]
        for name, pt in r["bundled_playthroughs"].items():
            out.append(f"| {name} | {_n(pt['playthroughs_per_s']['best'])} / "
                       f"{_n(pt['playthroughs_per_s']['median'])} | "
                       f"{_n(pt['choices_per_s']['best'])} / {_n(pt['choices_per_s']['median'])} |")
    if r["targets"]:
        out += ["", "### Targets", ""]
        t = r["targets"]
        if "choices_per_s_N50" in t:
            x = t["choices_per_s_N50"]
            out.append(f"- choices/s at N=50 >= {x['target']:,}: **{_n(x['best'])}** "
                       f"({'met' if x['met'] else 'MISSED'})")
        if "check_s_N1000" in t:
            x = t["check_s_N1000"]
            out.append(f"- check_file at N=1000 <= {x['target']} s: **{x['best']:.3f} s** "
                       f"({'met' if x['met'] else 'MISSED'})")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the backchannel engine.")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (under 15 s)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)),
                    help=f"comma-separated N of the synthetic story (default {SIZES})")
    ap.add_argument("--no-breakdown", action="store_true",
                    help="skip the per-step timing of check_file")
    ap.add_argument("--write-stories", metavar="DIR",
                    help="write the synthetic stories (synthetic-<N>.yaml for --sizes and "
                    "N=12,14,16) to DIR and stop: another engine can then run the same story")
    args = ap.parse_args(argv)
    sizes = tuple(int(x) for x in args.sizes.split(",") if x.strip())
    if args.write_stories:
        folder = Path(args.write_stories)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sorted({*sizes, 12, 14, 16}):
            (folder / f"synthetic-{n}.yaml").write_text(scenario_yaml(n), encoding="utf-8")
            print(folder / f"synthetic-{n}.yaml", flush=True)
        return 0
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    result = run(args.quick, sizes, breakdown=not (args.no_breakdown or args.quick))
    result["total_s"] = time.perf_counter() - t0
    result["machine"]["loadavg_1min"] = {"before": load_before[0], "after": os.getloadavg()[0]}
    print(markdown(result))
    print(f"(benchmark ran in {result['total_s']:.1f} s)")
    # The run itself keeps one CPU busy: count the load beyond it as "other work".
    busy = max(load_before[0], os.getloadavg()[0] - 1.0)
    if busy > 0.8:
        print(f"warning: the machine was busy (1-minute load average up to {busy:.2f} on "
              f"{os.cpu_count()} CPUs); the figures are pessimistic, run again when idle")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
