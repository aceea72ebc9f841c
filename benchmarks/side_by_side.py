"""backchannel beside ChoiceScript (randomtest, quicktest) and inkjs on the same synthetic story.

    python benchmarks/side_by_side.py --choicescript DIR --inkjs DIR [--reps 3] [--json FILE]

DIR for ChoiceScript is a checkout of its repository in which the peer generator
(``node choicescript_gen.js N``, see benchmarks/README.md) has written web/benchN/ for each N;
DIR for inkjs is a folder holding node_modules/inkjs and the peer ``ink_bench.js``. Neither is
part of this repository. Every figure is one whole process, timed from outside
(``time.perf_counter`` around ``subprocess.run``); the order of the engines rotates from one
repetition to the next and the medians are reported with the load average before and after.

* random play: choices/s = choices made / whole-process wall time, with about 50,000 choices per
  process (GAMES = 50,000 / N). backchannel: ``benchmarks/randomplay.py``, which loads the
  story as a game does, from its compiled copy (engine.scenario.compiled) once one exists
  (the warm-up writes it, in a folder of this run); ``backchannel_first_run`` is the same
  process with an empty cache folder: it parses the YAML and writes the copy, as the first
  game of a file does. ChoiceScript:
  ``randomtest.js num=GAMES`` (one choice per round, N rounds); inkjs: ``ink_bench.js N 1``
  reports its own rate (a 1-second loop after compiling).
* check: ``backchannel check -q FILE`` against ``quicktest.js benchN``, whole processes.
* explore (backchannel only, once): ``backchannel explore`` on the N=1000 story with default
  settings, its wall time and peak resident memory (``ru_maxrss`` of the process).

Every engine runs as installed: Python writes and reuses its bytecode cache as it does by
default (``PYTHONDONTWRITEBYTECODE`` is dropped from backchannel's environment), and each
command of each engine runs once, untimed, before the measured repetitions, so no figure pays
for a first compilation or a cold file cache.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import scenario_yaml  # noqa: E402

PLAY_N = (10, 50, 200, 1000)
CHECK_N = (200, 1000)
CHOICES = 50_000


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(cmd: list[str], cwd: Path | None = None, env: dict | None = None
         ) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False,
                         env=env or _ENV)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return wall, out.stdout


def _run_peak(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """Wall time, peak resident memory (MB) and exit code of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--choicescript", metavar="DIR", required=True, type=Path)
    ap.add_argument("--inkjs", metavar="DIR", type=Path)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--no-explore", action="store_true",
                    help="skip timing `backchannel explore` on the N=1000 story")
    args = ap.parse_args(argv)
    py = sys.executable
    cs = args.choicescript.resolve()
    load_before = os.getloadavg()
    rows: dict = {"play": {}, "check": {}}
    print(f"load average before: {load_before}", flush=True)
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as tmp:
        # backchannel keeps compiled copies of the story files in a folder of this run;
        # each "first run" process gets an empty folder: it parses the YAML and writes one.
        _ENV["BACKCHANNEL_CACHE_DIR"] = str(Path(tmp) / "cache")
        first_runs = iter(range(1_000_000))

        def cold() -> dict:
            return {**_ENV, "BACKCHANNEL_CACHE_DIR": str(Path(tmp) / f"empty-{next(first_runs)}")}
        files = {}
        for n in sorted({*PLAY_N, *CHECK_N}):
            files[n] = Path(tmp) / f"synthetic-{n}.yaml"
            files[n].write_text(scenario_yaml(n), encoding="utf-8")
            if not (cs / "web" / f"bench{n}" / "scenes" / "startup.txt").is_file():
                raise SystemExit(f"{cs}/web/bench{n} is missing: run the ChoiceScript generator "
                                 f"(node choicescript_gen.js {n}) in {cs} first")
        # Warm-up, untimed: bytecode caches written, every file in the OS cache.
        _run([py, "-m", "backchannel_cli.main", "check", "-q", str(files[10])], ROOT)
        for n in sorted({*PLAY_N, *CHECK_N}):
            _run([py, str(ROOT / "benchmarks" / "randomplay.py"), str(files[n]), "1"])
            _run(["node", "randomtest.js", "num=1", f"game=bench{n}", "seed=0",
                  "showCoverage=false", "showChoices=false", "avoidUsedOptions=false"], cs)
        for n in PLAY_N:
            games = max(1, CHOICES // n)
            got: dict[str, list[float]] = {"backchannel": [], "backchannel_first_run": [],
                                           "choicescript": [], "inkjs": []}
            inner: list[float] = []
            for rep in range(args.reps):
                jobs = ["backchannel", "choicescript", "backchannel_first_run", "inkjs"]
                jobs = jobs[rep % 4:] + jobs[:rep % 4]
                for job in jobs:
                    if job.startswith("backchannel"):
                        wall, out = _run([py, str(ROOT / "benchmarks" / "randomplay.py"),
                                          str(files[n]), str(games)],
                                         env=cold() if job == "backchannel_first_run" else None)
                        d = json.loads(out)
                        got[job].append(d["choices"] / wall)
                        inner.append(d["choices"] / d["play_s"])
                    elif job == "choicescript":
                        wall, _ = _run(["node", "randomtest.js", f"num={games}",
                                        f"game=bench{n}", "seed=0", "showCoverage=false",
                                        "showChoices=false", "avoidUsedOptions=false"], cs)
                        got[job].append(games * n / wall)
                    elif args.inkjs is not None:
                        _, out = _run(["node", "ink_bench.js", str(n), "1"], args.inkjs)
                        rate = out.split("choices_per_s:")[1].split("}")[0].strip()
                        got[job].append(float(rate))
            row = {k: statistics.median(v) for k, v in got.items() if v}
            row["backchannel_in_process"] = statistics.median(inner)
            row["ratio_to_choicescript"] = row["backchannel"] / row["choicescript"]
            row["first_run_ratio_to_choicescript"] = (row["backchannel_first_run"]
                                                      / row["choicescript"])
            rows["play"][str(n)] = row
            print(f"play N={n}: {json.dumps({k: round(v, 2) for k, v in row.items()})}",
                  flush=True)
        for n in CHECK_N:
            got = {"backchannel": [], "quicktest": []}
            for rep in range(args.reps):
                jobs = ["backchannel", "quicktest"][::1 if rep % 2 == 0 else -1]
                for job in jobs:
                    if job == "backchannel":
                        wall, _ = _run([py, "-m", "backchannel_cli.main", "check", "-q",
                                        str(files[n])], ROOT)
                    else:
                        wall, _ = _run(["node", "quicktest.js", f"bench{n}"], cs)
                    got[job].append(wall)
            row = {k: statistics.median(v) for k, v in got.items()}
            row["ratio_to_quicktest"] = row["backchannel"] / row["quicktest"]
            rows["check"][str(n)] = row
            print(f"check N={n}: {json.dumps({k: round(v, 3) for k, v in row.items()})}",
                  flush=True)
        if not args.no_explore:
            wall, peak, code = _run_peak([py, "-m", "backchannel_cli.main", "explore",
                                          str(files[1000])], ROOT)
            rows["explore"] = {"1000": {"seconds": wall, "peak_rss_mb": peak, "exit": code}}
            print(f"explore N=1000: {wall:.1f} s, peak {peak:.0f} MB (exit {code})",
                  flush=True)
    rows["loadavg"] = {"before": load_before, "after": os.getloadavg()}
    print(f"load average before {load_before}, after {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
