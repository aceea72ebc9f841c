"""A scripted workshop of N teams, their clients spread over two host processes, on one store
(SQLite file or PostgreSQL URL): every round opened, submitted by every team, closed and
revealed, to the end. Checks every decision is stored exactly once and reports

- decisions per second sustained (all submissions of a round, first to last, over all rounds),
- reveal-to-client latency: from the facilitator's reveal commit to each host process noticing
  it through its change token (notification on PostgreSQL, data version on SQLite),
- memory (VmRSS) of each host process and of a process holding one team's client.

    python benchmarks/workshop_hosts.py --store postgresql://... [--teams 50]
    python benchmarks/workshop_hosts.py --store /tmp/w.sqlite3

Issue 15's done-when. Not a test (figures depend on the machine's load).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = r"""
import json, sys, time
from engine.workshop import Phase, Room, open_store
target, codes = sys.argv[1], sys.argv[2].split(",")
store = open_store(target)
seats = [Room.for_code(store, c) for c in codes]
room0 = seats[0][0]
for room, team in seats:
    room.join(team, "scripted")
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
print(json.dumps({"ready": True}), flush=True)
token = store.change_token()
done_round = 0
while True:
    while store.change_token() == token:
        time.sleep(0.002)
    token = store.change_token()
    w = room0.refresh().workshop
    noticed = time.time()  # the revealed state is read: a screen could draw it now
    c = w.control
    if c.phase is Phase.ENDED:
        break
    if c.phase is Phase.REVEALED and c.round_no > done_round:
        done_round = c.round_no
        print(json.dumps({"revealed": c.round_no, "noticed": noticed}), flush=True)
    if c.phase is Phase.OPEN:
        t0 = time.time()
        n = 0
        for room, team in seats:
            room.refresh()
            if room.snap.decision(team.id, c.round_no) is None and room.offered(team.id):
                room.save_draft(team.id, room.offered(team.id)[0].id, "thinking")
                room.submit(team.id, room.offered(team.id)[0].id,
                            f"{team.name} in round {c.round_no}", round_no=c.round_no)
                n += 1
        if n:
            print(json.dumps({"submitted": n, "round": c.round_no, "t0": t0,
                              "t1": time.time()}), flush=True)
print(json.dumps({"rss_kb": rss()}), flush=True)
"""

ONE = r"""
import sys
from engine.workshop import Room, open_store
store = open_store(sys.argv[1])
room, team = Room.for_code(store, sys.argv[2])
room.team_game(team.id)
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(line.split()[1])
"""


def main() -> int:
    from engine.workshop import Phase, Room, open_store
    from engine.workshop.room import create_workshop

    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--teams", type=int, default=50)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    store = open_store(args.store)
    w = create_workshop(store, ROOT / "docs" / "example-scenario.yaml",
                        [f"Team {i}" for i in range(1, args.teams + 1)], seed=9)
    room = Room(store, w.id)
    codes = [t.code for t in room.snap.teams]
    hosts = [subprocess.Popen([sys.executable, "-c", HOST, args.store, ",".join(half)],
                              stdout=subprocess.PIPE, text=True, env=env)
             for half in (codes[0::2], codes[1::2])]
    for h in hosts:
        assert json.loads(h.stdout.readline()) == {"ready": True}
    one = subprocess.run([sys.executable, "-c", ONE, args.store, codes[0]], env=env,
                         capture_output=True, text=True, check=True)
    rounds = 0
    reveals: list[float] = []
    subs: list[dict] = []
    while room.refresh().workshop.control.phase is not Phase.ENDED:
        c = room.workshop.control
        room.act("open")
        rnd = c.round_no
        while len([d for d in room.refresh().decisions if d.round_no == rnd]) < args.teams:
            time.sleep(0.01)
        room.act("close")
        t_reveal = time.time()
        room.act("reveal")
        for h in hosts:
            while True:
                msg = json.loads(h.stdout.readline())
                if "submitted" in msg:
                    subs.append(msg)
                elif msg.get("revealed") == rnd:
                    reveals.append(msg["noticed"] - t_reveal)
                    break
        rounds += 1
        room.act("next")
    rss = [json.loads(h.stdout.readlines()[-1])["rss_kb"] for h in hosts]
    for h in hosts:
        h.wait(timeout=60)
    decisions = room.refresh().decisions
    keys = [(d.team_id, d.round_no) for d in decisions]
    submits = store.events(w.id, kinds=("submit",))
    assert len(keys) == len(set(keys)) == rounds * args.teams == len(submits), (
        len(keys), rounds, len(submits))
    by_round: dict[int, list[dict]] = {}
    for s in subs:
        by_round.setdefault(s["round"], []).append(s)
    busy = sum(max(s["t1"] for s in ss) - min(s["t0"] for s in ss) for ss in by_round.values())
    print(f"store: {store.location.split('?')[0]}  teams: {args.teams}  rounds: {rounds}")
    print(f"decisions stored once each: {len(keys)} (submit events: {len(submits)})")
    print(f"decisions per second sustained: {len(keys) / busy:.0f} "
          f"({len(keys)} in {busy:.2f} s of submitting)")
    print(f"reveal-to-client latency: median {statistics.median(reveals) * 1000:.0f} ms, "
          f"max {max(reveals) * 1000:.0f} ms over {len(reveals)} host notices")
    print(f"memory: host process with {args.teams // 2} teams {rss[0] / 1024:.0f} MB, "
          f"{rss[1] / 1024:.0f} MB; one team's client process {int(one.stdout) / 1024:.0f} MB")
    print(f"loadavg: {Path('/proc/loadavg').read_text().strip()}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
