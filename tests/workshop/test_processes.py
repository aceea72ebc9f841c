"""Real processes on one store: twelve teams submitting in the same instant, and a writer
killed with SIGKILL mid-write. No mocks: the store is SQLite in WAL mode on disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.workshop import Phase, Refused, Room, open_store
from engine.workshop.room import create_workshop
from tests.conftest import EXAMPLE

ROOT = Path(__file__).resolve().parents[2]

TEAM = """
import sys, time
from pathlib import Path
from engine.workshop import Room, Refused, open_store
store_path, code, ready, go = sys.argv[1:5]
store = open_store(store_path)
room, team = Room.for_code(store, code)
option = room.offered(team.id)[0].id
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.002)
t0 = time.time()
room.submit(team.id, option, f"reason of {team.name}")
t1 = time.time()
try:
    room.submit(team.id, option, "second click")
    print("DOUBLE")
except Refused as exc:
    print("refused", exc.reason)
print("ok", t0, t1, flush=True)
"""

WRITER = """
import sys
from engine.workshop import Room, open_store
store_path, wid, hold_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
room = Room(open_store(store_path), wid)
acked = 0
for t in room.snap.teams:
    if room.snap.decision(t.id, 1) is None:
        room.submit(t.id, room.offered(t.id)[0].id, f"reason {t.id}")
        print("ack", t.id, flush=True)
        acked += 1
        if acked == hold_after:  # wait for the test, which kills us once we go on writing
            sys.stdin.readline()
    room.note(t.id, f"note {t.id}")
    print("note", t.id, flush=True)
"""


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_twelve_team_processes_submitting_in_the_same_instant_lose_nothing(tmp_path, kind,
                                                                           request):
    path = tmp_path / "w.sqlite3" if kind == "sqlite" else request.getfixturevalue("pg_url")
    store = open_store(path)
    w = create_workshop(store, EXAMPLE, [f"Team {i}" for i in range(1, 13)], seed=3)
    room = Room(store, w.id)
    room.act("open")
    go = tmp_path / "go"
    procs = []
    for t in room.snap.teams:
        ready = tmp_path / f"ready-{t.id}"
        procs.append((ready, subprocess.Popen(
            [sys.executable, "-c", TEAM, str(path), t.code, str(ready), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())))
    deadline = time.monotonic() + 60
    while not all(r.exists() for r, _ in procs):
        assert time.monotonic() < deadline, "team processes did not start"
        assert all(p.poll() is None for _, p in procs), [p.stderr.read() for _, p in procs]
        time.sleep(0.02)
    token = store.change_token()
    go.touch()
    seen = None
    while seen is None and time.monotonic() < deadline:
        if store.change_token() != token:
            seen = time.time()  # another process's commit noticed by polling
        time.sleep(0.005)
    outs = [p.communicate(timeout=60) for _, p in procs]
    for (_, p), (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "refused duplicate" in out and "DOUBLE" not in out
    decisions = room.refresh().decisions
    assert sorted(d.team_id for d in decisions) == list(range(1, 13))
    assert all(d.reason == f"reason of Team {d.team_id}" for d in decisions)
    assert len(store.events(w.id, kinds=("submit",))) == 12
    starts, ends = zip(*[map(float, out.split("ok ")[1].split()) for out, _ in outs],
                       strict=True)
    span = max(ends) - min(starts)
    print(f"\n{kind}: 12 submissions in {span * 1000:.0f} ms ({12 / span:.0f}/s); first "
          f"commit seen by polling after {(seen - min(starts)) * 1000:.0f} ms")
    assert seen is not None
    store.close()


@pytest.mark.parametrize(("kind", "kill_after"), [("sqlite", 3), ("sqlite", 9),
                                                 ("postgresql", 5)])
def test_sigkill_mid_write_loses_no_acknowledged_submission(tmp_path, kind, kill_after,
                                                            request):
    path = tmp_path / "w.sqlite3" if kind == "sqlite" else request.getfixturevalue("pg_url")
    store = open_store(path)
    w = create_workshop(store, EXAMPLE, [f"T{i}" for i in range(1, 31)], seed=8)
    room = Room(store, w.id)
    room.act("open")
    version = room.workshop.control.version
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), w.id, str(kill_after)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    acked, noted = [], []

    def read(lines) -> None:
        for line in lines:
            what, tid = line.split()
            (acked if what == "ack" else noted).append(int(tid))

    # The writer holds after `kill_after` acknowledgements (however slow this test is under
    # load, it cannot finish first); it is killed as it goes on writing, at whatever point
    # it has reached, and what it acknowledged before dying is read from the pipe after.
    while len(acked) < kill_after:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()  # the writer died on its own
        read([line])
    proc.stdin.write("go\n")
    proc.stdin.flush()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    read(proc.stdout)
    # A fresh process opens the store as a restarted console would.
    store.close()
    store = open_store(path)
    if kind == "sqlite":
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    room = Room(store, w.id)
    have = {d.team_id for d in room.snap.decisions}
    assert set(acked) <= have and len(have) <= len(acked) + 1
    notes = {e.team_id for e in room.notes()}
    assert set(noted) <= notes
    c = room.workshop.control
    assert (c.phase, c.version) == (Phase.OPEN, version)  # resumes exactly where it was
    for t in room.snap.teams:  # the rest submit; the ones stored are refused as duplicates
        if t.id in have:
            with pytest.raises(Refused):
                room.submit(t.id, room.offered(t.id)[0].id if room.offered(t.id) else "x", "")
        else:
            room.submit(t.id, room.offered(t.id)[0].id, "after the crash")
    assert len(room.refresh().decisions) == 30
    store.close()


HOST = """
import json, sys, time
from pathlib import Path
from engine.workshop import Refused, Room, open_store
store_path, codes, ready, go = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
store = open_store(store_path)  # one store per host process, shared by its teams
seats = [Room.for_code(store, code) for code in codes]
for room, team in seats:
    room.join(team, "browser")
    room.save_draft(team.id, None, f"draft of {team.name}")
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.002)
t0 = time.time()
out = {"ok": [], "refused": []}
options = {team.id: room.offered(team.id)[0].id for room, team in seats}
for room, team in seats:
    room.submit(team.id, options[team.id], f"reason of {team.name}")
    out["ok"].append(team.id)
for room, team in seats:  # every team clicks twice
    try:
        room.submit(team.id, options[team.id], "second click")
    except Refused as exc:
        out["refused"].append(exc.reason)
out["span"] = [t0, time.time()]
print(json.dumps(out), flush=True)
"""


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_fifty_teams_on_two_serve_hosts_none_lost_none_duplicated(tmp_path, kind, request):
    target = str(tmp_path / "w.sqlite3") if kind == "sqlite" else request.getfixturevalue("pg_url")
    store = open_store(target)
    w = create_workshop(store, EXAMPLE, [f"Team {i}" for i in range(1, 51)], seed=5)
    room = Room(store, w.id)
    room.act("open")
    codes = [t.code for t in room.snap.teams]
    go = tmp_path / "go"
    hosts = []
    for i, half in enumerate((codes[0::2], codes[1::2])):
        ready = tmp_path / f"ready-{i}"
        hosts.append((ready, subprocess.Popen(
            [sys.executable, "-c", HOST, target, ",".join(half), str(ready), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())))
    deadline = time.monotonic() + 90
    while not all(r.exists() for r, _ in hosts):
        assert time.monotonic() < deadline, "host processes did not start"
        assert all(p.poll() is None for _, p in hosts), [p.stderr.read() for _, p in hosts]
        time.sleep(0.02)
    go.touch()
    results = []
    for _, p in hosts:
        out, err = p.communicate(timeout=90)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    assert sorted(t for r in results for t in r["ok"]) == list(range(1, 51))
    assert [x for r in results for x in r["refused"]] == ["duplicate"] * 50
    snap = room.refresh()
    assert sorted(d.team_id for d in snap.decisions) == list(range(1, 51))  # once each
    assert all(d.reason == f"reason of Team {d.team_id}" for d in snap.decisions)
    submits = store.events(w.id, kinds=("submit",))
    assert sorted(e.team_id for e in submits) == list(range(1, 51))
    assert all(t.joined_at is not None for t in snap.teams)
    span = max(r["span"][1] for r in results) - min(r["span"][0] for r in results)
    print(f"\n{kind}: 50 decisions from two hosts in {span * 1000:.0f} ms ({50 / span:.0f}/s)")
    store.close()
