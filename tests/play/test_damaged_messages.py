"""What a damaged save's messages say: the file, the line, and what to do."""

import json

import pytest

from backchannel_cli.main import main
from engine.play.session import Session, SessionError
from tests.conftest import EXAMPLE


def finished(tmp_path):
    path = tmp_path / "save.jsonl"
    with Session.new(EXAMPLE, seed=1, path=path) as s:
        s.decide("research-network")
        s.decide("quiet-dinner")
    return path


def test_a_cut_last_line_is_reported_with_the_file_and_plain_json_words(tmp_path, capsys):
    path = finished(tmp_path)
    with open(path, "a") as fh:
        fh.write('{"type": "decision", "round": 3, "option": "unfinished')
    assert main(["debrief", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"warning: the last line of {path} was cut off mid-write" in err
    assert "line 4, not a valid log line (Unterminated string starting at column 44)" in err


def test_a_garbage_line_in_the_middle_says_what_to_do(tmp_path):
    path = finished(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:2], "garbage\n", *lines[2:]]))
    with pytest.raises(SessionError) as exc:
        Session.open(path)
    assert str(exc.value).startswith(f"{path}:3: not a valid log line")
    assert "the file is damaged. To keep the 1 decision before it, delete line 3 " in str(
        exc.value)
    (tmp_path / "save.jsonl.bak").write_text("".join(lines))
    with pytest.raises(SessionError, match=r"damaged\. Restore it from .*save\.jsonl\.bak, "
                       "or to keep the 1 decision before it, delete line 3"):
        Session.open(path)


def _edit(path, fn):
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(fn(lines)))


def _decision(round_no, option):
    return json.dumps({"type": "decision", "round": round_no, "option": option,
                       "at": "2026-01-01T00:00:00+00:00"}) + "\n"


@pytest.mark.parametrize("damage,line,why", [
    (lambda ls: [ls[0], ls[2]], 2, "logged for round 2, but the game is at round 1"),
    (lambda ls: [*ls, _decision(9, "quiet-dinner")], 4,
     "logged for round 9, but the game is at round 3"),
    (lambda ls: [*ls[:2], ls[2].replace("quiet-dinner", "no-such-option")], 3,
     "no option 'no-such-option'"),
])
def test_a_save_that_does_not_replay_on_its_own_scenario_is_called_damaged(
        tmp_path, damage, line, why):
    path = finished(tmp_path)
    _edit(path, damage)
    with pytest.raises(SessionError) as exc:
        Session.open(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}:{line}: decision ") and why in msg
    assert f"the save is damaged at line {line}" in msg
    assert "scenario has probably changed" not in msg


def test_a_changed_scenario_is_still_blamed_when_it_has_changed(tmp_path, example_text):
    path = finished(tmp_path)
    _edit(path, lambda ls: [*ls[:2], ls[2].replace("quiet-dinner", "no-such-option")])
    changed = tmp_path / "changed.yaml"
    changed.write_text(example_text + "\n# edited since\n")
    with pytest.raises(SessionError, match="scenario has probably changed") as exc:
        Session.open(path, changed)
    assert "damaged" not in str(exc.value)
