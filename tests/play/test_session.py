"""Sessions: every decision on disk before it is shown; resuming reproduces the game."""

import json

import pytest

from engine.play.session import Parent, Session, SessionError, list_saves
from tests.conftest import EXAMPLE


def play(session, ids):
    for oid in ids:
        session.decide(oid, by="Team A", why="because")


def test_each_decision_is_on_disk_when_decide_returns(tmp_path):
    s = Session.new(EXAMPLE, seed=5, path=tmp_path / "g.jsonl", team="Team A")
    s.decide("research-network", by="Team A", why="trust first")
    lines = (tmp_path / "g.jsonl").read_text().splitlines()
    header, decision = map(json.loads, lines)
    assert header["scenario"] == "haze-season" and header["seed"] == 5
    assert len(header["sha256"]) == 64 and header["engine"]
    assert decision["option"] == "research-network" and decision["round"] == 1
    assert decision["by"] == "Team A" and decision["why"] == "trust first"


def test_resume_replays_to_exactly_the_same_state(tmp_path):
    s = Session.new(EXAMPLE, seed=11, path=tmp_path / "g.jsonl")
    play(s, ["research-network", "binding-agreement"])
    s.close()
    r = Session.resume(tmp_path / "g.jsonl")
    assert r.states == s.states and r.outcomes == s.outcomes
    assert r.state.over and r.state.ending_id == s.state.ending_id
    assert [d.why for d in r.decisions] == ["because", "because"]


def test_truncated_last_line_is_tolerated_and_reported(tmp_path):
    path = tmp_path / "g.jsonl"
    s = Session.new(EXAMPLE, seed=1, path=path)
    play(s, ["research-network"])
    s.close()
    with open(path, "a") as fh:
        fh.write('{"type": "decision", "round": 2, "opt')  # crash mid-write
    r = Session.resume(path)
    assert r.state == s.state
    assert any("cut off mid-write" in w for w in r.warnings)
    r.decide("quiet-dinner")  # the game goes on after the damaged line
    r.close()
    again = Session.resume(path)
    assert again.state == r.state and again.state.over and not again.warnings


def test_changed_scenario_is_detected_and_explained(tmp_path, example_text):
    scn = tmp_path / "haze.yaml"
    scn.write_text(example_text)
    s = Session.new(scn, seed=1, path=tmp_path / "g.jsonl")
    play(s, ["ministerial-summit"])
    s.close()
    scn.write_text(example_text.replace("Schools close", "Offices close"))
    r = Session.resume(tmp_path / "g.jsonl")
    r.close()
    assert any("has changed since this game was saved" in w for w in r.warnings)
    scn.write_text(example_text.replace("id: ministerial-summit", "id: summit").replace(
        "ministerial-summit", "summit"))
    with pytest.raises(SessionError, match="cannot be replayed.*changed"):
        Session.resume(tmp_path / "g.jsonl")


@pytest.mark.parametrize("content", ["", "not json\n", '{"type": "decision"}\n',
                                     '{"type": "header", "log_format": 99, "seed": 1}\n'])
def test_damaged_logs_give_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(SessionError) as exc:
        Session.resume(path)
    assert str(path) in str(exc.value)


def test_new_refuses_to_overwrite_an_existing_log(tmp_path):
    path = tmp_path / "g.jsonl"
    with Session.new(EXAMPLE, seed=1, path=path) as s:
        s.decide("ministerial-summit")
    before = path.read_text()
    with pytest.raises(SessionError, match="already exists"):
        Session.new(EXAMPLE, seed=2, path=path)
    assert path.read_text() == before


def test_branch_keeps_earlier_decisions_for_a_what_if(tmp_path):
    s = Session.new(EXAMPLE, seed=3, path=tmp_path / "a.jsonl")
    play(s, ["research-network", "quiet-dinner"])
    b = s.branch(2, path=tmp_path / "b.jsonl")
    assert [d.option_id for d in b.decisions] == ["research-network"]
    assert b.state == s.states[1]
    b.decide("public-report")
    assert b.parent == Parent(str(tmp_path / "a.jsonl"), 2)
    (info,) = [i for i in list_saves(tmp_path) if i.path.name == "b.jsonl"]
    assert (info.parent, info.parent_round) == (str(tmp_path / "a.jsonl"), 2)


def test_saves_are_listed_newest_first_with_their_progress():
    a = Session.new(EXAMPLE, seed=1, team="Blue")
    play(a, ["research-network", "quiet-dinner"])
    b = Session.new(EXAMPLE, seed=2, team="Red")
    play(b, ["ministerial-summit"])
    saves = list_saves()
    assert [(s.team, s.over, s.round_no) for s in saves] == [("Red", False, 2),
                                                             ("Blue", True, 3)]


def test_finished_games_record_their_ending_so_listing_needs_no_replay(tmp_path):
    path = tmp_path / "g.jsonl"
    s = Session.new(EXAMPLE, seed=3, path=path)
    play(s, ["research-network", "binding-agreement"])
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["ending"] == s.state.ending_id
    (info,) = list_saves(tmp_path)
    assert info.over and info.title == "A season of haze" and info.round_no == 3
