"""The save-log format: typed records written and read in one module, old logs still read,
reading never writes, a failed write leaves the file as it was."""

import json
import os

import pytest

from engine.play import savelog
from engine.play.savelog import (
    MAX_NAME,
    MAX_WHY,
    Decision,
    GameLocked,
    Header,
    Parent,
    RecordError,
    SessionError,
    list_saves,
    read_log,
)
from engine.play.session import Session
from tests.conftest import EXAMPLE


def test_records_round_trip_through_json_with_every_field():
    h = Header("haze-season", "ab" * 32, 7, "/abs/haze.yaml", "0.1.0", "Blue", "2026-01-01",
               Parent("/abs/a.jsonl", 2))
    assert Header.from_json(json.loads(json.dumps(h.to_json()))) == h
    d = Decision(3, "quiet-dinner", "2026-01-01T10:00:00+00:00", by="Blue", why="trust",
                 ending="", override=True, facilitator_reason="team left early")
    assert Decision.from_json(json.loads(json.dumps(d.to_json()))) == d
    plain = Decision(1, "x", "t")
    assert plain.to_json() == {"type": "decision", "round": 1, "option": "x", "at": "t"}


def test_a_format_1_log_is_still_read(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text(
        '{"type": "header", "log_format": 1, "scenario": "haze-season", "scenario_file": '
        f'"{EXAMPLE}", "sha256": "x", "seed": 5, "engine": "0.1.0", "team": null, '
        '"created": "c", "parent": {"path": "p.jsonl", "at_round": 2}}\n'
        '{"type": "decision", "round": 1, "option": "research-network", "at": "t", '
        '"by": "A", "why": "w"}\n')
    log = read_log(path)
    assert log.header.log_format == 1 and log.header.parent == Parent("p.jsonl", 2)
    assert log.decisions == (Decision(1, "research-network", "t", "A", "w"),)
    assert Session.open(path).state.round_no == 2


@pytest.mark.parametrize("field,value,message", [
    ("seed", "12", "'seed' must be an integer, not str"),
    ("seed", True, "'seed' must be an integer, not bool"),
    ("team", 5, "'team' must be text, not int"),
    ("parent", [1], "'parent' must be a mapping"),
    ("scenario_file", {"a": 1}, "'scenario_file' must be text, not dict"),
    ("log_format", 7, "newer backchannel"),
])
def test_wrong_header_types_are_named(tmp_path, field, value, message):
    header = Header("haze-season", "x", 1, str(EXAMPLE)).to_json()
    header[field] = value
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(header) + "\n")
    with pytest.raises(SessionError, match=message) as exc:
        read_log(path)
    assert str(exc.value).startswith(f"{path}:1:")


def test_limits_are_enforced_where_records_are_written(tmp_path):
    with pytest.raises(RecordError, match="2,000"):
        Decision(1, "x", "t", why="w" * (MAX_WHY + 1)).to_json()
    with pytest.raises(RecordError, match="60"):
        Session.new(EXAMPLE, path=tmp_path / "g.jsonl", team="t" * (MAX_NAME + 1))
    assert not (tmp_path / "g.jsonl").exists()
    with Session.new(EXAMPLE, seed=1, path=tmp_path / "h.jsonl") as s:
        with pytest.raises(RecordError, match="reason"):
            s.decide("research-network", why="w" * (MAX_WHY + 1))
        assert s.state.round_no == 1 and not s.decisions
        s.decide("research-network", why="w" * MAX_WHY)  # at the limit: fine
    assert len(Session.open(tmp_path / "h.jsonl").decisions) == 1


def _game(tmp_path, moves=("research-network",)):
    path = tmp_path / "g.jsonl"
    with Session.new(EXAMPLE, seed=4, path=path) as s:
        for m in moves:
            s.decide(m)
    return path


def test_reading_never_writes_and_a_complete_last_line_without_newline_counts(tmp_path):
    path = _game(tmp_path, ["research-network", "quiet-dinner"])
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()
    assert len(Session.open(path).decisions) == 2
    assert list_saves(tmp_path)[0].decisions == 2
    assert path.read_bytes() == before
    with Session.resume(path) as s:  # play repairs, after keeping a backup
        assert len(s.decisions) == 2
        assert any("kept as" in w for w in s.warnings)
    assert path.read_bytes() == before + b"\n"
    assert (tmp_path / "g.jsonl.bak").read_bytes() == before


def test_only_resume_cuts_a_damaged_tail_and_it_keeps_the_original(tmp_path):
    path = _game(tmp_path)
    with open(path, "ab") as fh:
        fh.write(b'{"type": "decision", "round": 2, "opt')
    before = path.read_bytes()
    s = Session.open(path)
    assert len(s.decisions) == 1 and any("cut off" in w for w in s.warnings)
    with pytest.raises(SessionError, match="read-only"):
        s.decide("quiet-dinner")
    assert path.read_bytes() == before
    with Session.resume(path) as r:
        assert any(f"kept as {path}.bak" in w for w in r.warnings)
        r.decide("quiet-dinner")
    assert (tmp_path / "g.jsonl.bak").read_bytes() == before
    assert len(Session.open(path).decisions) == 2


def test_a_failed_append_leaves_the_log_as_it_was_and_a_retry_works(tmp_path, monkeypatch):
    path = _game(tmp_path)
    good = path.read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def half_then_fail(fd, data):
        calls["n"] += 1
        real_write(fd, bytes(data)[:10])  # part of the line reaches the disk
        raise OSError(28, "No space left on device")

    with Session.resume(path) as s:
        monkeypatch.setattr(savelog.os, "write", half_then_fail)
        with pytest.raises(SessionError, match="No space left.*nothing was recorded"):
            s.decide("quiet-dinner")
        assert path.read_bytes() == good and s.state.round_no == 2
        monkeypatch.setattr(savelog.os, "write", real_write)
        s.decide("quiet-dinner")
    assert calls["n"] == 1
    assert Session.open(path).over


def test_a_failed_start_leaves_no_file_behind(tmp_path, monkeypatch):
    def fail(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(savelog.os, "write", fail)
    with pytest.raises(SessionError, match="No space left"):
        Session.new(EXAMPLE, path=tmp_path / "g.jsonl")
    assert not (tmp_path / "g.jsonl").exists()


def test_one_writer_per_game_but_anyone_may_read(tmp_path):
    path = _game(tmp_path)
    with Session.resume(path):
        with pytest.raises(GameLocked, match="already open in this window"):
            Session.resume(path)
        assert len(Session.open(path).decisions) == 1
    with Session.resume(path):  # released on close
        pass


@pytest.mark.parametrize("make", ["empty", "folder", "under-file", "dev-full"])
def test_save_targets_that_cannot_hold_a_game_are_explained(tmp_path, make):
    target = {"empty": tmp_path / "e.jsonl", "folder": tmp_path,
              "under-file": tmp_path / "f" / "g.jsonl", "dev-full": "/dev/full"}[make]
    if make == "empty":
        target.write_text("")
    if make == "under-file":
        (tmp_path / "f").write_text("x")
    if make == "empty":  # a 0-byte file left by a failed start is taken over
        with Session.new(EXAMPLE, seed=1, path=target) as s:
            s.decide("research-network")
        assert len(Session.open(target).decisions) == 1
        return
    with pytest.raises(SessionError) as exc:
        Session.new(EXAMPLE, seed=1, path=target)
    assert str(target) in str(exc.value)


def test_damaged_saves_are_listed_with_the_reason(tmp_path):
    _game(tmp_path)
    (tmp_path / "deep.jsonl").write_text("[" * 50_000 + "\n")
    (tmp_path / "big.jsonl").write_text('{"type": "header", "log_format": 2, "seed": '
                                        + "9" * 5000 + "}\n")
    (tmp_path / "fifo.jsonl").unlink(missing_ok=True)
    os.mkfifo(tmp_path / "fifo.jsonl")
    infos = {i.path.name: i for i in list_saves(tmp_path)}
    assert not infos["g.jsonl"].damaged
    assert infos["deep.jsonl"].problem == ("damaged at line 1: not a valid log line (nested "
                                           "too deeply); the file is damaged")
    assert "4300" in infos["big.jsonl"].problem.replace(",", "")
    assert "not a regular file" in infos["fifo.jsonl"].problem
