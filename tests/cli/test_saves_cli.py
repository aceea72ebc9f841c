"""Save-related command paths, driven in-process through ``main`` (fast) unless a real
process is the point (locks)."""

import shutil

from backchannel_cli.main import main
from engine.play.session import Session
from tests.conftest import EXAMPLE

WHAT_IF = "What-if: two paths side by side"


def _what_if(tmp_path):
    """A finished game (a.jsonl) and a what-if of it from round 2 (b.jsonl), finished."""
    with Session.new(EXAMPLE, seed=3, path=tmp_path / "a.jsonl") as a:
        a.decide("research-network")
        a.decide("quiet-dinner")
        with a.branch(2, path=tmp_path / "b.jsonl") as b:
            b.decide("public-report")
    return tmp_path / "a.jsonl", tmp_path / "b.jsonl"


def test_debrief_of_a_what_if_shows_both_paths_side_by_side(tmp_path, capsys):
    _, b = _what_if(tmp_path)
    assert main(["debrief", str(b)]) == 0
    out = capsys.readouterr()
    assert f"## {WHAT_IF}" in out.out
    header = next(ln for ln in out.out.splitlines() if ln.startswith("| Round |"))
    assert "This path (what-if)" in header and "Earlier path" in header
    assert "◀ differs" in out.out and "warning" not in out.err
    # --out writes the comparison into the Markdown and the HTML, as the app's export does
    assert main(["debrief", str(b), "--out", str(tmp_path / "o")]) == 0
    capsys.readouterr()
    assert WHAT_IF in (tmp_path / "o" / "haze-season-debrief.md").read_text()
    assert WHAT_IF in (tmp_path / "o" / "haze-season-debrief.html").read_text()


def test_debrief_of_a_what_if_finds_its_parent_moved_beside_it(tmp_path, capsys):
    a, b = _what_if(tmp_path)
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(a, moved / a.name)
    shutil.move(b, moved / b.name)
    assert main(["debrief", str(moved / b.name)]) == 0
    assert f"## {WHAT_IF}" in capsys.readouterr().out


def test_debrief_of_a_what_if_says_when_its_earlier_path_is_missing(tmp_path, capsys):
    a, b = _what_if(tmp_path)
    a.unlink()
    assert main(["debrief", str(b)]) == 0
    out = capsys.readouterr()
    assert WHAT_IF not in out.out and out.out.startswith("# Debrief")
    assert f"what-if of {a} (from round 2), but that save cannot be found" in out.err
    assert "without" in out.err


def _run(*args, stdin=""):
    import os
    import subprocess
    import sys

    exe = shutil.which("backchannel")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "backchannel_cli.main", *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ))


def test_line_mode_lets_go_of_the_save_on_a_clean_exit(tmp_path):
    save = tmp_path / "lk" / "g.jsonl"
    lock = save.with_name("g.jsonl.lock")
    out = _run("play", "--plain", str(EXAMPLE), "--seed", "1", "--save", str(save),
               stdin="1\nq\n")
    assert out.returncode == 0, out.stderr
    assert save.exists() and not lock.exists()
    # a stale note left by a process that died never blocks: resume takes the game, and
    # running out of input (end of a script) lets go of it too
    lock.write_text('{"pid": 999999, "since": "2026-01-01T00:00:00+00:00"}')
    out = _run("play", "--plain", "--resume", str(save), "--role", "no-such-role")
    assert out.returncode == 2 and not lock.exists()
    out = _run("play", "--plain", "--resume", str(save))
    assert out.returncode == 0, out.stderr
    assert "Resume with" in out.stdout and not lock.exists()
    assert sorted(p.name for p in save.parent.iterdir()) == ["g.jsonl"]


def _plain(monkeypatch, capsys, stdin, *args):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    rc = main(["play", "--plain", *args])
    return rc, capsys.readouterr()


def test_the_role_is_saved_and_shown_again_on_resume(tmp_path, monkeypatch, capsys):
    import json

    save = str(tmp_path / "nk.jsonl")
    brief = "== Your role (private): Officer for the allies"
    rc, out = _plain(monkeypatch, capsys, "1\nq\n", "north-korea-reengagement",
                     "--role", "partners-desk", "--seed", "1", "--save", save)
    assert rc == 0 and brief in out.out
    with open(save) as fh:
        assert json.loads(fh.readline())["role"] == "partners-desk"
    # resumed without --role: the role it was started with, brief first
    rc, out = _plain(monkeypatch, capsys, "q\n", "--resume", save)
    assert rc == 0 and brief in out.out and "warning" not in out.out
    # resumed with another role: played as asked, and the player is told which role the
    # game was started with; the save keeps it
    rc, out = _plain(monkeypatch, capsys, "q\n", "--resume", save, "--role", "track2-scholar")
    assert rc == 0 and "== Your role (private): Scholar" in out.out
    assert ("warning: this game was started with role 'partners-desk'; playing on as "
            "'track2-scholar'") in " ".join(out.out.split())
    rc, out = _plain(monkeypatch, capsys, "q\n", "--resume", save)
    assert brief in out.out


def test_saves_without_a_role_still_read(tmp_path):
    from engine.play.savelog import Header

    old = Header("haze-season", "x", 1, str(EXAMPLE), log_format=2).to_json()
    assert "role" not in old and Header.from_json(old).role is None
