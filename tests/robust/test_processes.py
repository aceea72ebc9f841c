"""Real processes: a scripted line-mode game killed at random points loses no decision whose
outcome it showed; two processes never play one game at once; a full disk loses nothing."""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from engine.play.session import Session, SessionError
from tests.conftest import EXAMPLE

EXE = shutil.which("backchannel")
KILLS = int(os.environ.get("BACKCHANNEL_KILL_TRIALS", "4"))
OUTCOME = re.compile(r"^-- Outcome of round (\d+)", re.M)


def _cmd(*args):
    return [EXE, *args] if EXE else [sys.executable, "-m", "backchannel_cli.main", *args]


def _start(*args):
    return subprocess.Popen(_cmd(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ,
                                                         "PYTHONUNBUFFERED": "1"})


def _read_until(proc, pattern, seen: str, timeout=30.0) -> str:
    """Read stdout (unbuffered) until ``pattern`` matches more often than in ``seen``."""
    import select

    out = seen
    want = len(re.findall(pattern, seen)) + 1
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while len(re.findall(pattern, out)) < want and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk.decode("utf-8", "replace")
    return out


@pytest.mark.parametrize("trial", range(KILLS))
def test_kill_at_a_random_point_loses_no_shown_decision(tmp_path, trial):
    rng = random.Random(1000 + trial)
    path = tmp_path / "g.jsonl"
    proc = _start("play", "--plain", str(EXAMPLE), "--seed", str(trial), "--save", str(path))
    out = _read_until(proc, r"Choice \[", "")
    kill_after = rng.randrange(0, 3)  # choices confirmed before the one interrupted
    for n in range(kill_after + 1):
        proc.stdin.write(b"1 # reason\n" if n % 2 else b"1\n")
        proc.stdin.flush()
        if n < kill_after:
            out = _read_until(proc, r"Choice \[|DEBRIEF|Session log", out)
    time.sleep(rng.random() * 0.05)  # somewhere inside the last decision (or after it)
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    out += rest.decode("utf-8", "replace")
    shown = len(OUTCOME.findall(out))
    assert path.exists()
    kept = Session.open(path)  # read-only: the killed game's file as it was left
    assert len(kept.decisions) >= shown
    with Session.resume(path) as s:  # and it resumes (any cut tail repaired, backed up)
        assert len(s.decisions) == len(kept.decisions)
        assert s.state == kept.state


def test_two_processes_never_play_one_game(tmp_path):
    path = tmp_path / "g.jsonl"
    with Session.new(EXAMPLE, seed=2, path=path) as s:
        s.decide("research-network")
    first = _start("play", "--plain", "--resume", str(path))
    try:
        _read_until(first, r"Choice \[", "")
        second = subprocess.run(_cmd("play", "--plain", "--resume", str(path)), input=b"1\n",
                                capture_output=True, timeout=60)
        err = second.stderr.decode()
        assert second.returncode == 1, err
        assert re.search(rf"open in another window, pid {first.pid}, since \d\d:\d\d", err)
        assert "Traceback" not in err
        # reading stays possible while the game is open
        assert subprocess.run(_cmd("debrief", str(path)), capture_output=True,
                              timeout=60).returncode == 0
    finally:
        first.kill()
        first.communicate(timeout=30)
    # the OS dropped the lock with the process: the game can be played again
    again = subprocess.run(_cmd("play", "--plain", "--resume", str(path)), input=b"1\n",
                           capture_output=True, timeout=60)
    assert again.returncode == 0, again.stderr.decode()
    assert len(Session.open(path).decisions) == 2


def _small_tmpfs(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        return None
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                          capture_output=True)
    return mnt if done.returncode == 0 else None


def test_a_full_disk_loses_nothing_and_a_retry_works(tmp_path, monkeypatch):
    mnt = _small_tmpfs(tmp_path)
    try:
        _full_disk(tmp_path, mnt, monkeypatch)
    finally:
        if mnt is not None:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _full_disk(tmp_path, mnt, monkeypatch):
    if mnt is None:  # not root, or no mount: inject the error instead
        from engine.play import savelog

        def full(fd, data):
            raise OSError(28, "No space left on device")

        folder = tmp_path
        path = folder / "g.jsonl"
        s = Session.new(EXAMPLE, seed=5, path=path)
        monkeypatch.setattr(savelog.os, "write", full)
        free = monkeypatch.undo
    else:
        folder = mnt
        path = folder / "g.jsonl"
        s = Session.new(EXAMPLE, seed=5, path=path)
        filler = folder / "filler"
        with open(filler, "wb", buffering=0) as fh:  # fill the disk to the last byte
            try:
                while True:
                    fh.write(b"x" * 512)
            except OSError:
                pass
        free = filler.unlink
    with s:
        good = path.read_bytes()
        with pytest.raises(SessionError, match="No space left on device"):
            s.decide("research-network", why="é" * 2000)
        assert path.read_bytes() == good and not s.decisions
        if mnt is not None:  # line mode: a message, not a traceback, and no empty file left
            blocked = subprocess.run(_cmd("play", "--plain", str(EXAMPLE), "--save",
                                          str(folder / "new.jsonl")), input=b"1\n",
                                     capture_output=True, timeout=60)
            assert blocked.returncode == 1 and b"Traceback" not in blocked.stderr
            assert b"No space left" in blocked.stderr
            assert not (folder / "new.jsonl").exists()
        free()
        s.decide("research-network", why="é" * 2000)  # the retry after freeing space
    assert len(Session.open(path).decisions) == 1


def test_only_batch_processes_freeze_what_loading_leaves():
    # A frozen object is never examined by the cycle collector again: right for `check`, whose
    # scenario lives as long as the process, a leak for the app, which opens and closes screens
    # (reference cycles) for hours. Loading freezes nothing unless the process asked for it.
    script = (
        "import gc, sys\n"
        "from engine.gcpause import freeze_survivors\n"
        "from engine.scenario.loader import load_file\n"
        "load_file(sys.argv[1]); app = gc.get_freeze_count()\n"
        "freeze_survivors(); load_file(sys.argv[1]); batch = gc.get_freeze_count()\n"
        "print(app, batch)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(EXAMPLE)], capture_output=True,
                         text=True, check=True, timeout=60)
    app, batch = map(int, out.stdout.split())
    assert app == 0 and batch > 1000
