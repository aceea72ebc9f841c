"""A workshop in play: each team's game replayed by the pure rules, the facilitator's gaps
(override, absent), bots, the scenario-change check and the export's round trip."""

from __future__ import annotations

import shutil

import pytest

from engine.play.session import Session
from engine.workshop import (
    AlreadyDecided,
    Phase,
    Refused,
    Room,
    ScenarioChanged,
    WorkshopError,
    open_store,
)
from engine.workshop.model import PhaseError
from engine.workshop.room import create_workshop
from tests.conftest import EXAMPLE


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "w.sqlite3")
    yield s
    s.close()


def _room(store, teams=("Red", "Blue", "Green"), **kw) -> Room:
    w = create_workshop(store, EXAMPLE, list(teams), seed=kw.pop("seed", 11), **kw)
    return Room(store, w.id)


def test_equal_choices_meet_equal_chances(store):
    room = _room(store)
    room.act("open")
    for tid in (1, 2):
        room.submit(tid, "officials-and-experts", "same choice")
    room.submit(3, "ministerial-summit", "another")
    room.act("close")
    room.act("reveal")
    red, blue, green = (room.team_game(t) for t in (1, 2, 3))
    assert red.state == blue.state  # values, flags, pending effects and the random stream
    assert red.outcomes[1].resolutions == blue.outcomes[1].resolutions
    assert green.state.values != red.state.values


def test_reveal_waits_for_every_team_then_absent_teams_drop_out(store):
    room = _room(store)
    room.act("open")
    room.submit(1, "research-network", "data first")
    room.submit(2, "ministerial-summit", None)
    room.act("close")
    with pytest.raises(PhaseError, match="no decision from Green"):
        room.act("reveal")
    room.mark_absent("green", "left early")
    room.act("reveal")
    room.act("next")
    room.act("open")
    with pytest.raises(Refused) as exc:
        room.submit(3, "public-report", "back again")
    assert exc.value.reason == "absent"
    assert [r.status for r in room.status().rows] == ["waiting", "waiting", "out"]


def test_the_facilitator_fills_a_gap_with_a_reason_and_the_log_says_so(store, tmp_path):
    room = _room(store, teams=("Red", "Blue"))
    room.act("open")
    room.submit(1, "officials-and-experts", "the team's reason")
    room.act("close")
    with pytest.raises(WorkshopError, match="needs a reason"):
        room.override("Blue", "research-network", "  ")
    with pytest.raises(Refused, match="not an option for Blue"):
        room.override("Blue", "binding-agreement", "wrong round's option")
    room.override("Blue", "research-network", "team away; chose what they had drafted")
    with pytest.raises(AlreadyDecided, match="Red already has a decision .*officials-and"):
        room.override("Red", "ministerial-summit", "team asked to change after close")
    room.override("Red", "ministerial-summit", "team asked to change after close", replace=True)
    room.act("reveal")
    rows = {r.team.name: r for r in room.status().rows}
    assert rows["Blue"].choice.override and rows["Blue"].by == "facilitator"
    assert rows["Red"].choice.team_reason == "the team's reason"
    red_log, blue_log = room.export(tmp_path / "out")
    text = red_log.read_text()
    assert '"override": true' in text and "the team's reason" in text


def test_exported_logs_replay_to_the_same_states_and_resume(store, tmp_path):
    room = _room(store)
    for options in (("officials-and-experts", "research-network", "ministerial-summit"),
                    None):
        room.act("open")
        for tid in (1, 2, 3):
            offered = [o.id for o in room.offered(tid)]
            choice = options[tid - 1] if options else offered[-1]
            room.submit(tid, choice, f"team {tid} reasons")
        room.act("close")
        room.act("reveal")
        room.act("next")
    assert room.workshop.control.phase is Phase.ENDED
    paths = room.export(tmp_path / "out")
    assert len(paths) == 3
    for tid, path in enumerate(paths, 1):
        session = Session.resume(path)
        tg = room.team_game(tid)
        assert session.states == list(tg.states)
        assert session.team == room.snap.team(tid).name
        assert [d.why for d in session.decisions] == [f"team {tid} reasons"] * 2
        assert session.over and session.seed == room.workshop.seed


def test_an_absent_teams_exported_game_reads_as_stopped(store, tmp_path):
    """Marked absent in round 2, a team's exported log is a game that stopped there: the
    debrief and compare say so (not "in progress"), and resume refuses to continue it."""
    from engine.play.session import SessionError
    from engine.present.debrief import build_debrief, compare_markdown, to_markdown

    room = _room(store, teams=("Red", "Blue"))
    room.act("open")
    room.submit(1, "officials-and-experts", "red")
    room.submit(2, "research-network", "blue")
    room.act("close")
    room.act("reveal")
    room.act("next")
    room.act("open")
    room.act("close")
    room.mark_absent("Blue", "left for another meeting")
    red, blue = room.export(tmp_path / "out")
    stopped = Session.open(blue)
    assert stopped.absent_from == 2 and len(stopped.decisions) == 1
    text = to_markdown(build_debrief(stopped))
    assert "Absent from round 2" in text and "its game stopped there" in text
    assert "in progress" not in text.lower()
    table = compare_markdown([build_debrief(Session.open(red)), build_debrief(stopped)])
    assert "absent from round 2" in table
    with pytest.raises(SessionError, match="marked absent from round 2"):
        Session.resume(blue)


def test_bots_choose_deterministically_by_seed_and_policy(tmp_path):
    picks = []
    for n in range(2):
        s = open_store(tmp_path / f"s{n}.sqlite3")
        room = _room(s, teams=(), bots=3, bot_policy="track-2", seed=99)
        room.act("open")  # bots submit when the round opens
        picks.append([(d.team_id, d.option_id, d.by) for d in room.snap.decisions])
        s.close()
    assert picks[0] == picks[1]
    assert {opt for _, opt, _ in picks[0]} == {"research-network"}  # the Track 2 option
    assert [by for _, _, by in picks[0]] == ["bot"] * 3


def test_a_changed_scenario_file_is_detected_and_explained(store, tmp_path):
    copy = tmp_path / "haze.yaml"
    shutil.copy(EXAMPLE, copy)
    w = create_workshop(store, copy, ["Red"], seed=1)
    copy.write_text(copy.read_text().replace("Schools close", "Markets close"))
    with pytest.raises(ScenarioChanged, match="has changed since workshop .* was created"):
        Room(store, w.id)
    assert Room(store, w.id, accept_changed_scenario=True).scenario_changed
    copy.unlink()
    with pytest.raises(ScenarioChanged, match="no longer there"):
        Room(store, w.id)


def test_bad_team_setups_are_refused_before_anything_is_stored(store):
    for teams, msg in ((["Red", "red"], "two teams are called"),
                       (["Red", ""], "a team name is empty"),
                       ([], "at least one team")):
        with pytest.raises(WorkshopError, match=msg):
            create_workshop(store, EXAMPLE, teams)
    with pytest.raises(WorkshopError, match="unknown bot policy"):
        create_workshop(store, EXAMPLE, ["Red"], bots=1, bot_policy="track-3")
    assert store.workshops() == []


def test_the_facilitator_may_name_an_option_by_the_number_every_screen_shows(store):
    room = _room(store, teams=("Red", "Blue"))
    room.act("open")
    room.act("close")
    room.override("Red", "3", "typed the number from the projector")
    room.override("Blue", "1", "likewise")
    room.act("reveal")
    rows = {r.team.name: r for r in room.status().rows}
    assert rows["Red"].choice.option_id == "research-network"  # the id is what is stored
    assert rows["Blue"].choice.option_id == "ministerial-summit"
    room.act("next")
    room.act("open")
    room.act("close")
    # Round 2's first option needs trust >= 5, which Blue lacks after the summit: its number
    # is refused with the reason, and an unknown number lists the options by number and id.
    assert room.team_game(2).state.values[1] < 5 <= room.team_game(1).state.values[1]
    with pytest.raises(Refused, match=r"option 1 \(binding-agreement\) is not available"):
        room.override("Blue", "1", "the treaty")
    with pytest.raises(Refused, match=r"'9' is not an option for Red .*2 quiet-dinner"):
        room.override("Red", "9", "no such")
