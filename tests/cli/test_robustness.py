"""Issue 9: nothing lost, nothing rewritten, no traceback. Each command is run in-process
(any exception fails the test) and must give a one-line reason and exit 1."""

import json
import os
import stat

import pytest

from backchannel_cli.main import main
from engine.play.savelog import known_path, known_scenarios
from engine.play.session import Session
from tests.conftest import EXAMPLE, ROOT

DEADEND = ROOT / "tests" / "fixtures" / "explore" / "deadend.yaml"


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def finished(tmp_path, name="g.jsonl"):
    path = tmp_path / name
    with Session.new(EXAMPLE, seed=3, path=path, team="Blue") as s:
        s.decide("research-network", why="trust")
        s.decide("binding-agreement")
    return path


def test_debrief_and_compare_never_change_a_save_without_final_newline(tmp_path, capsys):
    path = finished(tmp_path)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()
    code, out, _ = cli(capsys, "debrief", path)
    assert code == 0 and "Binding" in out or "binding" in out.lower()
    assert cli(capsys, "compare", path, path)[0] == 0
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))


def test_debrief_of_a_read_only_save_with_a_cut_tail(tmp_path, capsys):
    path = finished(tmp_path)
    with open(path, "ab") as fh:
        fh.write(b'{"type": "decision", "rou')
    path.chmod(stat.S_IRUSR)
    before = path.read_bytes()
    code, out, err = cli(capsys, "debrief", path)
    assert code == 0 and "cut off mid-write" in err
    assert path.read_bytes() == before


def test_a_moved_scenario_is_found_by_id_or_given(tmp_path, capsys, example_text,
                                                  monkeypatch):
    scn = tmp_path / "haze.yaml"
    scn.write_text(example_text)
    path = tmp_path / "g.jsonl"
    monkeypatch.chdir(tmp_path)
    with Session.new("haze.yaml", seed=1, path=path) as s:  # typed relative
        s.decide("research-network")
    header = json.loads(path.read_text().splitlines()[0])
    assert header["scenario_file"] == str(scn)  # recorded absolute
    monkeypatch.chdir(ROOT)
    assert cli(capsys, "debrief", path)[0] == 0  # from another folder
    moved = tmp_path / "drafts" / "elsewhere.yaml"
    moved.parent.mkdir()
    scn.rename(moved)
    known_path().unlink()  # forget where games were started from
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(tmp_path / "none"))
    code, _, err = cli(capsys, "debrief", path)
    assert code == 1 and "--scenario PATH" in err
    assert cli(capsys, "debrief", path, "--scenario", moved)[0] == 0
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(EXAMPLE.parent))  # bundled: by id
    assert cli(capsys, "debrief", path)[0] == 0


def test_a_moved_scenario_is_found_beside_the_save_or_where_a_game_began(
        tmp_path, capsys, example_text, monkeypatch):
    """Moved together with its saves (e.g. copied to another machine), or moved and then
    played again from its new place: resume, debrief and compare find it by id."""
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(tmp_path / "none"))
    first = tmp_path / "a" / "haze.yaml"
    first.parent.mkdir()
    first.write_text(example_text)
    path = tmp_path / "a" / "g.jsonl"
    with Session.new(first, seed=1, path=path) as s:
        s.decide("research-network")
    # the folder moves: the scenario is found beside the save
    (tmp_path / "a").rename(tmp_path / "b")
    path, moved = tmp_path / "b" / "g.jsonl", tmp_path / "b" / "haze.yaml"
    assert cli(capsys, "debrief", path)[0] == 0
    # the scenario moves on alone and a new game is started from its new place
    later = tmp_path / "c" / "renamed.yaml"
    later.parent.mkdir()
    moved.rename(later)
    Session.new(later, seed=2, path=tmp_path / "c" / "h.jsonl").close()
    assert known_scenarios()[0] == later
    assert cli(capsys, "debrief", path)[0] == 0
    assert cli(capsys, "compare", path, tmp_path / "c" / "h.jsonl")[0] == 0
    with Session.resume(path) as s:
        assert s.scenario_path == later
        s.decide("binding-agreement")
    # a damaged list of known scenarios is the same as none
    known_path().write_text("{not json")
    code, _, err = cli(capsys, "debrief", path)
    assert code == 1 and "--scenario PATH" in err and "Traceback" not in err


def test_a_game_open_elsewhere_is_refused_with_who_and_since(tmp_path, capsys):
    path = tmp_path / "g.jsonl"
    with Session.new(EXAMPLE, seed=3, path=path) as s:
        s.decide("research-network")
        code, _, err = cli(capsys, "play", "--plain", "--resume", path)
        assert code == 1 and "already open in this window" in err
        assert cli(capsys, "debrief", path)[0] == 0  # reading is always allowed


DAMAGED = [
    ("deep", "[" * 30_000, "nested too deeply"),
    ("huge-round", None, "4300"),
    ("seed-text", {"seed": "abc"}, "'seed' must be an integer not str"),
    ("file-list", {"scenario_file": [1]}, "'scenario_file' must be text"),
    ("parent-int", {"parent": 3}, "'parent' must be a mapping"),
    ("team-dict", {"team": {"a": 1}}, "'team' must be text"),
    ("why-int", "why", "'why' must be text"),
    ("by-list", "by", "'by' must be text"),
    ("binary", b"\xff\xfe\x00garbage", "not UTF-8"),
    ("empty", b"", "no header"),
]


@pytest.mark.parametrize("name,content,reason", DAMAGED, ids=[d[0] for d in DAMAGED])
def test_damaged_saves_are_refused_and_listed_never_a_traceback(tmp_path, capsys, name,
                                                                content, reason):
    good = finished(tmp_path / "x")
    lines = good.read_text().splitlines()
    header = json.loads(lines[0])
    if content is None:
        text = lines[0] + "\n" + lines[1].replace('"round": 1', '"round": ' + "9" * 5000) + "\n"
    elif isinstance(content, dict):
        text = json.dumps({**header, **content}) + "\n" + "\n".join(lines[1:]) + "\n"
    elif content in ("why", "by"):
        d = json.loads(lines[1])
        d[content] = 5 if content == "why" else ["a"]
        text = lines[0] + "\n" + json.dumps(d) + "\n"
    elif isinstance(content, bytes):
        text = content
    else:
        text = content + "\n"
    saves = tmp_path / "data" / "saves"
    saves.mkdir(parents=True)
    path = saves / f"{name}.jsonl"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = path.read_bytes()
    for argv in (["debrief", path], ["compare", path, good], ["play", "--plain", "--resume",
                                                             path]):
        code, _, err = cli(capsys, *argv)
        assert code == 1 and reason in err.replace(",", ""), (argv, err)
        assert len(err.strip().splitlines()) == 1
    os.environ["BACKCHANNEL_DATA_DIR"] = str(tmp_path / "data")
    code, out, _ = cli(capsys, "list")
    assert code == 0 and f"{name}.jsonl" in out and "damaged" in out
    assert path.read_bytes() == before


def test_fifo_and_device_saves_are_refused_before_reading(tmp_path, capsys):
    fifo = tmp_path / "f.jsonl"
    os.mkfifo(fifo)
    for target in (fifo, "/dev/zero"):
        code, _, err = cli(capsys, "debrief", target)
        assert code == 1 and "not a regular file" in err


@pytest.mark.parametrize("where", ["empty", "folder", "under-file", "dev-full"])
def test_save_targets(tmp_path, capsys, where, monkeypatch):
    target = {"empty": tmp_path / "e.jsonl", "folder": tmp_path,
              "under-file": tmp_path / "f" / "g.jsonl", "dev-full": "/dev/full"}[where]
    if where == "empty":
        target.write_text("")
    if where == "under-file":
        (tmp_path / "f").write_text("x")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("1\n"))
    code, out, err = cli(capsys, "play", "--plain", EXAMPLE, "--seed", "1", "--save", target)
    if where == "empty":  # a 0-byte file (a failed start) is taken over
        assert code == 0 and len(Session.open(target).decisions) == 1
    else:
        assert code == 1 and str(target) in err and len(err.strip().splitlines()) == 1


def test_too_long_a_reason_is_refused_and_the_game_goes_on(tmp_path, capsys, monkeypatch):
    path = tmp_path / "g.jsonl"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(
        "1 # " + "x" * 2001 + "\n1 # short\n"))
    code, out, _ = cli(capsys, "play", "--plain", EXAMPLE, "--seed", "1", "--save", path)
    assert code == 0 and "the limit is 2,000" in out
    assert [d.why for d in Session.open(path).decisions] == ["short"]
    code, _, err = cli(capsys, "play", "--plain", EXAMPLE, "--team", "t" * 61)
    assert code == 1 and "limit is 60" in err


def test_play_refuses_what_check_rejects(capsys, tmp_path):
    code, _, err = cli(capsys, "play", "--plain", DEADEND, "--save", tmp_path / "d.jsonl")
    assert code == 1 and "dead end" in err and "cannot be played" in err
    assert not (tmp_path / "d.jsonl").exists()


def test_exports_never_follow_a_link_or_overwrite(tmp_path, capsys):
    path = finished(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out_dir / "haze-season-debrief.md").symlink_to(victim)
    code, out, _ = cli(capsys, "debrief", path, "--out", out_dir)
    assert code == 0 and "haze-season-debrief-2.md" in out
    assert victim.read_text() == "keep"


def test_graph_output_refuses_to_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "g.mmd"
    target.write_text("mine")
    code, _, err = cli(capsys, "graph", EXAMPLE, "-o", target)
    assert code == 2 and "--force" in err and target.read_text() == "mine"
    assert cli(capsys, "graph", EXAMPLE, "-o", target, "--force")[0] == 0
    assert target.read_text() != "mine"


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("start: 3", "start: " + "7" * 4400), "too large"),
    (lambda t: t.replace("start: 3", "start: !!int one"), "not a valid int"),
    (lambda t: t.replace("start: 3", "start: !!bool maybe"), "not a valid bool"),
    (lambda t: t.replace("start: 3", "start: !!float x"), "not a valid float"),
    # long base-60 numbers: a float too large for a float (OverflowError escaped as a
    # traceback), an integer PyYAML reads in time growing with the square of its length
    (lambda t: t.replace("start: 3", "start: " + "1:" * 200 + "0.5"), "is too large"),
    (lambda t: t.replace("start: 3", "start: 1" + ":11" * 40_000), "is too large"),
    (lambda t: t.replace("  - id: feng-track2", "  - id: {a: 1}", 1), "expected text"),
    (lambda t: t.replace("id: haze-season", 'id: "haze-season\\n"', 1), "scenario id must"),
    (lambda t: t.replace("when: ", "when: " + "-" * 200 + "0 < ", 1), "nested too deeply"),
    (lambda t: t.replace("when: ", "when: " + "not " * 300 + "0 < 1 and ", 1), "nested"),
    (lambda t: t.replace("when: ", "when: 0 < " + "1+" * 300 + "1 and ", 1), "chain"),
    (lambda t: t.replace("title:", "\x07title:", 1), "control character U+0007"),
    (lambda t: t.replace("title:", "title: caf\udce9", 1), "not UTF-8"),
])
def test_bad_scenarios_give_a_positioned_error(tmp_path, capsys, example_text, edit, message):
    path = tmp_path / "s.yaml"
    text = edit(example_text)
    assert text != example_text
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    for argv in (["check", "-q", path], ["play", "--plain", path]):
        code, out, err = cli(capsys, *argv)
        both = out + err
        assert code == 1 and message in both, both
        first = next(ln for ln in both.splitlines() if message in ln)
        _, line, col, *_ = first.split(":")
        assert line.isdigit() and col.isdigit()


def test_tilde_names_are_taken_as_written(tmp_path, capsys, example_text, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~draft.yaml").write_text(example_text)
    assert cli(capsys, "check", "-q", "~draft.yaml")[0] == 0


def test_utf16_is_named(tmp_path, capsys, example_text):
    p = tmp_path / "s.yaml"
    p.write_bytes(example_text.encode("utf-16"))
    code, out, _ = cli(capsys, "check", "-q", p)
    assert code == 1 and f"{p}:1:1: error: the file is saved as UTF-16; save it as UTF-8" in out
