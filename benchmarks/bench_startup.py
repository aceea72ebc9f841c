"""Time to first screen: the backchannel app against an empty Textual app, in the same run.

Each sample is a fresh interpreter (imports count, as they do for a user) that starts the app
headless, waits for its first screen to be painted and exits. The two apps alternate so that
machine load affects both alike. Target (issue 12): backchannel within 1.5x of the empty app.
Python's bytecode cache is on for both, as it is for a user (the script drops
``PYTHONDONTWRITEBYTECODE``): Textual's modules come precompiled from pip, and without the
cache every run would compile backchannel's own modules again (about 60 ms).

Two in-game delays are timed in the same run, inside a third fresh interpreter each: from
pressing Enter on the briefing ("Begin") to the first decision screen painted (target: at
most 2x the empty app's start), and from the outcome screen to the next round painted (the
delay a player feels between rounds; target: under 0.3 s).

    python benchmarks/bench_startup.py [--runs N] [--json FILE]
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

ROOT = Path(__file__).resolve().parents[1]

# Both apps run headless and exit from Textual's auto-pilot, which starts once the app is
# ready (its first screen composed and painted).
EXIT_WHEN_READY = """
SEEN = []
async def first_screen(pilot):
    await pilot.pause()
    SEEN.append(type(pilot.app.screen).__name__)
    pilot.app.exit()
"""

EMPTY = EXIT_WHEN_READY + """
from textual.app import App
App().run(headless=True, size=(100, 30), auto_pilot=first_screen)
"""

BACKCHANNEL = EXIT_WHEN_READY + """
import sys
sys.path.insert(0, {root!r})
from tui import BackchannelApp
app = BackchannelApp()
app.run(headless=True, size=(100, 30), auto_pilot=first_screen)
assert SEEN == ["PickerScreen"], SEEN
"""


GAME = """
import json, sys, time
sys.path.insert(0, {root!r})
from tui import BackchannelApp
app = BackchannelApp(scenario="myanmar-humanitarian-access", seed=1)
TIMES = {{}}

async def until(pilot, name):
    while type(pilot.app.screen).__name__ != name:
        await pilot.pause()
    await pilot.pause()  # painted

async def play(pilot):
    await until(pilot, "BriefingScreen")
    t0 = time.perf_counter()
    await pilot.press("enter")
    await until(pilot, "DecisionScreen")
    TIMES["begin_to_decision_s"] = time.perf_counter() - t0
    number = next(o.number for o in pilot.app.screen.offers if o.available)
    await pilot.press(str(number), "enter")
    await until(pilot, "ConfirmChoice")
    await pilot.press("enter")
    await until(pilot, "OutcomeScreen")
    t0 = time.perf_counter()
    await pilot.press("enter")
    await until(pilot, "DecisionScreen")
    TIMES["outcome_to_next_round_s"] = time.perf_counter() - t0
    pilot.app.exit()

app.run(headless=True, size=(100, 30), auto_pilot=play)
print(json.dumps(TIMES))
"""


def game_sample(code: str, env: dict) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, text=True,
                         capture_output=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def sample(code: str, env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        # a realistic data folder: a few saved games for the picker to list
        env = {**os.environ, "BACKCHANNEL_DATA_DIR": data,
               "BACKCHANNEL_CONFIG_DIR": str(Path(data) / "config")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "backchannel_cli.main", "play", "--plain",
                        "myanmar-humanitarian-access", "--seed", "1"], input="1\n1\n",
                       text=True, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        code = BACKCHANNEL.format(root=str(ROOT))
        sample(EMPTY, env), sample(code, env)  # warm the file cache
        game = GAME.format(root=str(ROOT))
        empty, ours, begin, between = [], [], [], []
        for _ in range(args.runs):
            empty.append(sample(EMPTY, env))
            ours.append(sample(code, env))
            times = game_sample(game, env)
            begin.append(times["begin_to_decision_s"])
            between.append(times["outcome_to_next_round_s"])
    e, o = statistics.median(empty), statistics.median(ours)
    ratio = o / e
    print("| app | median | best | runs |")
    print("|---|---:|---:|---:|")
    print(f"| empty Textual app | {e * 1000:.0f} ms | {min(empty) * 1000:.0f} ms | {args.runs} |")
    print(f"| backchannel (picker, 2 scenarios, 1 save) | {o * 1000:.0f} ms | "
          f"{min(ours) * 1000:.0f} ms | {args.runs} |")
    b, n = statistics.median(begin), statistics.median(between)
    print(f"| Begin -> first decision screen (Myanmar) | {b * 1000:.0f} ms | "
          f"{min(begin) * 1000:.0f} ms | {args.runs} |")
    print(f"| outcome -> next round | {n * 1000:.0f} ms | {min(between) * 1000:.0f} ms | "
          f"{args.runs} |")
    verdict = "meets" if ratio <= 1.5 else "MISSES"
    print(f"\nratio {ratio:.2f}x ({verdict} the 1.5x target); load average {load()}")
    begin_ratio = b / e
    print(f"Begin -> decision: {begin_ratio:.2f}x the empty app's start "
          f"({'meets' if begin_ratio <= 2 else 'MISSES'} the 2x target); outcome -> next "
          f"round {n:.2f} s ({'meets' if n < 0.3 else 'MISSES'} the 0.3 s target)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "empty_s": empty, "backchannel_s": ours, "ratio": ratio,
            "begin_to_decision_s": begin, "begin_ratio": begin_ratio,
            "outcome_to_next_round_s": between}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
