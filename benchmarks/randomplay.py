"""One process of random play on a scenario file, for side-by-side runs with other engines.

    python benchmarks/randomplay.py FILE GAMES [SEED]

Plays GAMES seeded random games with ``play`` (offered options, a seeded uniform pick, the
situation text rendered with its conditional lines, ``Game.step``; ``bench_engine.py`` times
the same loop in-process) and prints one JSON line: {"choices": n, "play_s": seconds inside
the loop}. The caller times the whole process, so this file imports only what playing needs
(the rules, and the loader only when the file has no compiled copy yet: it loads the file as
a session does, through engine.scenario.compiled; not the analysis modules ``bench_engine``
measures). ``BACKCHANNEL_NO_CACHE=1`` makes every process parse the file."""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.gcpause import freeze_survivors  # noqa: E402
from engine.play.rules import Game  # noqa: E402
from engine.scenario import compiled  # noqa: E402


def play(game: Game, seed: int) -> int:
    """One random playthrough; returns the number of choices made."""
    rng = random.Random(seed)
    state, _ = game.start(seed)
    choices = 0
    while not state.over:
        offered = game.offered(state)
        option = rng.choice(offered)
        game.situation(state)
        state = game.step(state, option.id)
        choices += 1
    return choices


def main() -> int:
    path, games = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    freeze_survivors()  # a batch process, as `backchannel check` and `explore` are
    try:
        scenario, _digest = compiled.load(path)
    except Exception as exc:  # noqa: BLE001 - ScenarioError, with every problem
        print("\n".join(str(p) for p in getattr(exc, "problems", [exc])), file=sys.stderr)
        return 1
    game = Game(scenario)
    t0 = time.perf_counter()
    choices = sum(play(game, seed + g) for g in range(games))
    print(json.dumps({"choices": choices, "play_s": time.perf_counter() - t0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
