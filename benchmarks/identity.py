"""Record what the engine does, to prove an optimisation changed nothing.

    python benchmarks/identity.py --write before.json     # before the change
    python benchmarks/identity.py --compare before.json   # after: exits 1 on any difference

For docs/example-scenario.yaml, every scenarios/*.yaml and the synthetic story (N=10, N=50) it
plays seeded random games (``Game.start(seed)``, then uniform picks from ``Game.offered`` with
``random.Random(seed)``), recording at every step the full repr of the state (plus its trail of
choices), of the outcome and the situation text; and it walks the exact state graph
(``engine.analysis.statespace.build_graph``) where that is small, recording every node and
edge. It stores one SHA-256 per scenario and part, plus counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import scenario_yaml  # noqa: E402

from engine.analysis.statespace import build_graph  # noqa: E402
from engine.play.rules import Game  # noqa: E402
from engine.scenario.loader import load_file  # noqa: E402


def _playthroughs(game: Game, seeds: int) -> tuple[str, int]:
    h = hashlib.sha256()
    steps = 0
    for seed in range(seeds):
        rng = random.Random(seed)
        state, outcome = game.start(seed)
        h.update(repr((state, state.choices, outcome)).encode())
        while not state.over:
            offered = game.offered(state)
            avail = game.availability(state)
            text = game.situation(state)
            option = offered[rng.randrange(len(offered))]
            stepped = game.step(state, option.id)  # the record-free transition
            state, outcome = game.apply(state, option.id)
            if stepped != state or stepped.rng != state.rng or stepped.choices != state.choices:
                raise SystemExit(f"{game.scenario.id} seed {seed}: step and apply disagree")
            h.update(repr(([o.id for o in offered], [(o.id, ok) for o, ok in avail], text,
                           state, state.choices, outcome, outcome.forgone)).encode())
            steps += 1
        h.update(repr(game.ending(state)).encode())
    return h.hexdigest(), steps


def _graph(game: Game, max_states: int) -> tuple[str, int, bool]:
    graph = build_graph(game, max_states=max_states)
    h = hashlib.sha256()
    h.update(repr((graph.root, graph.start, graph.complete)).encode())
    for key in sorted(graph.nodes, key=repr):
        node = graph.nodes[key]
        h.update(repr((key, node.state, sorted(node.edges, key=repr))).encode())
    return h.hexdigest(), len(graph.nodes), graph.complete


def record(seeds: int, files: list[Path]) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = list(files) or [ROOT / "docs" / "example-scenario.yaml",
                                *sorted((ROOT / "scenarios").glob("*.yaml"))]
        for n in (10, 50):
            p = Path(tmp) / f"synthetic-{n}.yaml"
            p.write_text(scenario_yaml(n), encoding="utf-8")
            files.append(p)
        for path in files:
            loaded = load_file(path)
            file_sha = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            if loaded.scenario is None:
                out[path.name] = {"file": file_sha, "error": [str(p) for p in loaded.errors]}
                continue
            game = Game(loaded.scenario)
            digest, steps = _playthroughs(game, seeds)
            entry = {"file": file_sha, "playthroughs": digest, "seeds": seeds, "steps": steps}
            if not path.name.startswith("synthetic-50"):
                gd, nodes, complete = _graph(game, 20_000)
                entry.update(graph=gd, graph_nodes=nodes, graph_complete=complete)
            out[path.name] = entry
    return out


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # set reprs must not depend on hash seeds
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], env)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=300)
    ap.add_argument("files", nargs="*", type=Path,
                    help="scenario files (default: docs/example-scenario.yaml, scenarios/*.yaml)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="FILE")
    g.add_argument("--compare", metavar="FILE")
    args = ap.parse_args()
    now = record(args.seeds, args.files)
    if args.write:
        Path(args.write).write_text(json.dumps(now, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(now, indent=2))
        return 0
    before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
    same = True
    for name in sorted(set(before) | set(now)):
        b, n = dict(before.get(name) or {}), dict(now.get(name) or {})
        if b.pop("file", None) != n.pop("file", None):
            print(f"note: {name}: the scenario file itself differs; comparing anyway")
        ok = b == n
        same &= ok
        print(f"{'same' if ok else 'DIFFERENT'}: {name} {n}")
    print("IDENTICAL" if same else "CHANGED")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
