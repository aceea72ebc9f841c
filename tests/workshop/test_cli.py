"""`backchannel workshop ...` as a facilitator and a team use it: a scripted workshop from
`new` to `export`, with one team in `join --plain` (a real process fed through stdin)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from backchannel_cli.main import main
from engine.play.session import Session
from engine.workshop import Room, open_store
from tests.conftest import EXAMPLE


def ws(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["workshop", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    path = tmp_path / "workshops.sqlite3"
    monkeypatch.setenv("BACKCHANNEL_STORE", str(path))
    return path


def _new(capsys, *extra: str) -> tuple[str, dict[str, str]]:
    code, out, err = ws(capsys, "new", str(EXAMPLE), "--seed", "5", *extra)
    assert code == 0, err
    wid = re.search(r"^Workshop (w-\w+):", out, re.M).group(1)
    codes = dict(re.findall(r"^  (\S+(?: \d)?)\s+([A-Z0-9]{6})\b", out, re.M))
    return wid, codes


def _wait_for(cond, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_scripted_workshop_from_new_to_export(capsys, store_path, tmp_path):
    wid, codes = _new(capsys, "--teams", "Green", "--bots", "2", "--bot-policy", "track-2",
                      "--round-minutes", "5")
    assert set(codes) == {"Green", "Bot 1", "Bot 2"}
    env = {**os.environ, "BACKCHANNEL_STORE": str(store_path)}
    transcript = (tmp_path / "team.out").open("w+")
    team = subprocess.Popen(
        [sys.executable, "-m", "backchannel_cli.main", "workshop", "join",
         codes["Green"].lower(), "--plain", "--poll", "0.05"],
        stdin=subprocess.PIPE, stdout=transcript, stderr=subprocess.STDOUT, text=True, env=env)
    # Typed ahead: round 1 as 'N # reason', round 2 as a choice then a reason.
    team.stdin.write("2 # we talk first\n1\nbinding beats talk\n")
    team.stdin.close()
    store = open_store(store_path)
    room = Room(store, wid)
    try:
        for round_no in (1, 2):
            code, out, _ = ws(capsys, "open", wid)
            assert code == 0 and f"Round {round_no} is open (5:00 left)" in out
            assert "Stand-in teams submitted: Bot 1, Bot 2" in out
            _wait_for(lambda r=round_no: room.refresh().decision(1, r) is not None)
            code, out, _ = ws(capsys, "status", wid, "--json")
            board = json.loads(out)
            assert [t["status"] for t in board["teams"]] == ["submitted"] * 3
            assert all("choice" not in t for t in board["teams"])  # hidden until the reveal
            assert ws(capsys, "close", wid)[1].startswith(f"Round {round_no} is closed: 3 of 3")
            code, out, _ = ws(capsys, "reveal", wid)
            assert "Green  submitted" in out and "[Track 2]" in out
            if round_no == 1:
                assert ws(capsys, "note", wid, "--team", "Green", "argued well")[0] == 0
            assert ws(capsys, "next", wid)[0] == 0
        team.wait(timeout=30)
    finally:
        if team.poll() is None:
            team.kill()
        store.close()
    transcript.seek(0)
    out_team = transcript.read()
    assert team.returncode == 0, out_team
    assert "Submitted for round 1: [Track 1.5]" in out_team
    assert "Outcome of round 2: 1. [Track 1] Negotiate a binding protocol" in out_team
    assert "Your ending:" in out_team and "Traceback" not in out_team
    # The briefing is solo line mode's (and the screens'): objectives, tracks, team roles.
    assert "== Briefing ==" in out_team, out_team
    brief = out_team.split("== Briefing ==", 1)[1].split("Round 1", 1)[0]
    for heading in ("What this game is for:", "The three tracks:", "Indicators:",
                    "Environment ministry"):
        assert heading in brief, brief
    assert "- Track 1.5: officials in a personal capacity" in brief

    code, out, _ = ws(capsys, "export", wid, "--out", str(tmp_path / "out"))
    assert code == 0
    logs = sorted((tmp_path / "out").glob("*.jsonl"))
    assert len(logs) == 3
    room = Room(open_store(store_path), wid)
    for tid, log in enumerate(logs, 1):
        session = Session.resume(log)
        assert session.states == list(room.team_game(tid).states)
    green = Session.resume(logs[0])
    assert [d.why for d in green.decisions] == ["we talk first", "binding beats talk"]
    assert main(["compare", *map(str, logs)]) == 0
    assert main(["debrief", str(logs[0])]) == 0
    kinds = [e.kind for e in room.store.events(wid)]
    assert kinds.count("submit") == 6 and "note" in kinds and "join" in kinds


def test_facilitator_gaps_override_and_absent_by_command(capsys, store_path):
    wid, _ = _new(capsys, "--teams", "Red,Blue,Green")
    ws(capsys, "open", wid)
    ws(capsys, "close", wid)
    code, _, err = ws(capsys, "reveal", wid)
    assert code == 1 and "no decision from Red, Blue, Green" in err
    code, out, _ = ws(capsys, "decide", wid, "--team", "red", "--option", "research-network",
                      "--reason", "team asked me to enter it")
    assert code == 0 and "facilitator override: team asked me to enter it" in out
    # The number every screen shows names the option too (here 1: ministerial-summit).
    code, out, _ = ws(capsys, "decide", wid, "--team", "Blue", "--option", "1",
                      "--reason", "by phone")
    assert code == 0 and "Recorded for Blue, round 1: [Track 1]" in out
    assert ws(capsys, "absent", wid, "--team", "Green", "--reason", "left")[0] == 0
    code, out, _ = ws(capsys, "reveal", wid)
    assert code == 0 and "entered by the facilitator" in out and "marked absent" in out
    board = json.loads(ws(capsys, "status", wid, "--json")[1])
    assert board["teams"][0]["choice"]["override"] is True
    # In the rounds after, the board says "absent" as the reports do (it said "out").
    ws(capsys, "next", wid)
    code, out, _ = ws(capsys, "status", wid)
    assert code == 0
    assert re.search(r"^  Green\s+absent$", out, re.M), out
    assert " out" not in out


@pytest.mark.parametrize("args, message", [
    (["status", "w-nothere"], "no workshop 'w-nothere'"),
    (["open", "w-nothere"], "no workshop 'w-nothere'"),
    (["join", "ZZZZZZ", "--plain"], "no team has the join code ZZZZZZ"),
    (["join", "AB0", "--plain"], "a join code has 6 characters"),
    (["new", "no-such-scenario", "--teams", "A"], "no-such-scenario"),
    (["new", str(EXAMPLE), "--teams", "A,a"], "two teams are called"),
])
def test_bad_input_is_one_line_not_a_traceback(capsys, store_path, args, message):
    open_store(store_path).close()  # the store exists; what it is asked for does not
    code, out, err = ws(capsys, *args)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [["join", "ABCDEF", "--plain"], ["status", "w-abc"],
                                  ["open", "w-abc"], ["export", "w-abc", "--out", "x"]])
def test_a_store_path_where_no_store_is_says_so_and_makes_nothing(capsys, tmp_path, args):
    """A mistyped --store (or a shell without $BACKCHANNEL_STORE) made an empty store there,
    folders included, and a team was told its right code was wrong."""
    where = tmp_path / "no-such-folder" / "workshops.sqlite3"
    code, out, err = ws(capsys, *args, "--store", str(where))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
    assert f"{where}: no workshop store here" in err and "--store" in err
    assert "Traceback" not in err and not where.parent.exists()
    code, out, _ = ws(capsys, "list", "--store", str(where))
    assert code == 0 and f"No workshops in {where}" in out and not where.parent.exists()


def test_a_workshop_without_round_timers_gets_one_of_a_chosen_length(capsys, store_path):
    wid, _ = _new(capsys, "--teams", "Red", "--round-minutes", "0")
    code, _, err = ws(capsys, "timer", wid, "start", "5")
    assert code == 1 and "only while a round is open" in err
    assert ws(capsys, "open", wid)[0] == 0
    code, _, err = ws(capsys, "timer", wid, "+30")
    assert code == 1 and "start one with its length first" in err
    code, out, err = ws(capsys, "timer", wid, "start", "2.5")
    assert code == 0 and re.search(r"Round 1: 2:(30|29) left", out), err
    code, out, _ = ws(capsys, "timer", wid, "start", "1:30")  # a new length replaces it
    assert code == 0 and re.search(r"Round 1: 1:(30|29) left", out)
    assert ws(capsys, "timer", wid, "+30")[0] == 0
    store = open_store(store_path)
    assert store.workshop(wid).control.remaining(time.time()) == pytest.approx(120, abs=3)
    starts = [e.data for e in store.events(wid, kinds=("timer",))][:2]
    assert [(d["action"], d["seconds"]) for d in starts] == [("timer-start", 150),
                                                             ("timer-start", 90)]
    store.close()
    for bad in ("soon", "0", "-5", "1:5", "25:00:00", "nan"):
        code, _, err = ws(capsys, "timer", wid, "start", bad)
        assert code == 1 and "timer" in err and "Traceback" not in err, bad
    code, _, err = ws(capsys, "timer", wid, "start")
    assert code == 1 and "give a length with start" in err


def test_wrong_order_and_a_second_open_are_refused_clearly(capsys, store_path):
    wid, _ = _new(capsys, "--teams", "Red", "--round-minutes", "5")
    code, _, err = ws(capsys, "reveal", wid)
    assert code == 1 and "cannot reveal: round 1 is ready (next step: open it)" in err
    assert ws(capsys, "open", wid)[0] == 0
    code, _, err = ws(capsys, "open", wid)
    assert code == 1 and "cannot open: round 1 is open" in err
    code, _, err = ws(capsys, "decide", wid, "--team", "Red", "--option", "research-network",
                      "--reason", "r")
    assert code == 1 and "only while a round is closed" in err
    store = open_store(store_path)
    ends = store.workshop(wid).control.timer_ends_at
    code, out, _ = ws(capsys, "timer", wid, "+30")
    assert code == 0 and re.search(r"Round 1: 5:\d\d left", out)
    assert store.workshop(wid).control.timer_ends_at == pytest.approx(ends + 30)
    store.close()


def test_list_shows_workshops(capsys, store_path):
    code, out, _ = ws(capsys, "list")
    assert code == 0 and "No workshops" in out
    wid, _ = _new(capsys, "--teams", "Red", "--name", "Tuesday seminar")
    code, out, _ = ws(capsys, "list")
    assert wid in out and "Tuesday seminar" in out and "round 1, ready" in out


def test_workshop_commands_and_the_plain_client_never_load_a_ui_toolkit(tmp_path):
    from tests.test_architecture import _modules_loaded_by, _ui

    store = str(tmp_path / "s.sqlite3")
    assert _ui(_modules_loaded_by(["workshop", "new", str(EXAMPLE), "--teams", "A",
                                   "--store", store], tmp_path)) == []
    loaded = _modules_loaded_by(["workshop", "list", "--store", store], tmp_path)
    assert _ui(loaded) == [] and "engine.workshop.store" in loaded


def test_a_team_that_leaves_mid_choice_finds_its_draft_when_it_joins_again(capsys, store_path,
                                                                            tmp_path):
    wid, codes = _new(capsys, "--teams", "Red")
    ws(capsys, "open", wid)
    env = {**os.environ, "BACKCHANNEL_STORE": str(store_path)}
    cmd = [sys.executable, "-m", "backchannel_cli.main", "workshop", "join", codes["Red"],
           "--plain", "--poll", "0.05"]
    first = subprocess.run(cmd, input="3\n", capture_output=True, text=True, env=env,
                           timeout=60)  # chose option 3, then the input ended: no reason yet
    assert first.returncode == 0, first.stderr
    assert "kept as a draft; it was not submitted" in first.stdout
    again = subprocess.run(cmd, input="3 # data before summits\nq\n", capture_output=True,
                           text=True, env=env, timeout=60)
    assert "Your draft: research-network" in again.stdout
    assert "Submitted for round 1: [Track 2]" in again.stdout
    room = Room(open_store(store_path), wid)
    assert room.snap.decision(1, 1).reason == "data before summits"
    assert [e.kind for e in room.store.events(wid)].count("join") == 2


def test_the_plain_client_ignores_an_empty_line_and_wraps_what_it_says(capsys, store_path):
    wid, codes = _new(capsys, "--teams", "Red")
    ws(capsys, "open", wid)
    env = {**os.environ, "BACKCHANNEL_STORE": str(store_path)}
    cmd = [sys.executable, "-m", "backchannel_cli.main", "workshop", "join", codes["Red"],
           "--plain", "--poll", "0.05"]
    run = subprocess.run(cmd, input="\n3 # data before summits\nq\n", capture_output=True,
                         text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "is not an option here" not in run.stdout  # Enter alone just asks again
    assert "Submitted for round 1: [Track 2]" in run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 78


def _plain_team(code: str, store_path, tmp_path):
    """A line-mode team client in its own process, fed through a pipe: the process, and what
    it has said so far (white space folded)."""
    env = {**os.environ, "BACKCHANNEL_STORE": str(store_path)}
    transcript = (tmp_path / "team.out").open("w+")
    team = subprocess.Popen(
        [sys.executable, "-m", "backchannel_cli.main", "workshop", "join", code, "--plain",
         "--poll", "0.05"],
        stdin=subprocess.PIPE, stdout=transcript, stderr=subprocess.STDOUT, text=True, env=env)

    def shown() -> str:
        transcript.seek(0)
        return " ".join(transcript.read().split())

    return team, shown


def test_plain_client_says_what_happens_when_the_round_closes_before_it_submits(
        capsys, store_path, tmp_path):
    """Line mode said only 'The round changed before you chose.' and then nothing until the
    reveal; the app's status line says the facilitator will enter a decision."""
    wid, codes = _new(capsys, "--teams", "Red")
    ws(capsys, "open", wid)
    team, shown = _plain_team(codes["Red"], store_path, tmp_path)
    said = "Round 1 closed before your team submitted: the facilitator will enter a decision"
    try:
        room = Room(open_store(store_path), wid)
        _wait_for(lambda: room.refresh().team(1).joined_at is not None)
        assert ws(capsys, "close", wid)[0] == 0
        _wait_for(lambda: said in shown())  # then q: the client is waiting, not asking
        team.communicate("q\n", timeout=30)
    finally:
        if team.poll() is None:
            team.kill()
    assert "Traceback" not in shown()


def test_plain_client_says_in_the_screens_words_that_another_device_submitted(
        capsys, store_path, tmp_path):
    """The team's other device submits while line mode waits for this one's choice: the
    refusal names the decision kept as the screens do, not by an option id."""
    wid, codes = _new(capsys, "--teams", "Red")
    ws(capsys, "open", wid)
    team, shown = _plain_team(codes["Red"], store_path, tmp_path)
    try:
        _wait_for(lambda: "Choice [1-" in shown())
        room = Room(open_store(store_path), wid)
        first = room.offered(1)[0]
        room.submit(1, first.id, "from the other laptop")
        team.communicate("2 # ours\nq\n", timeout=30)
    finally:
        if team.poll() is None:
            team.kill()
    text = shown()
    assert f"Not submitted: Your team has already submitted for round 1: [{first.track.label}]" \
        f" {first.title} (submitted)" in text
    refusal = text.split("Not submitted:")[1]
    assert first.id not in refusal.split("change it.")[0] and "Traceback" not in text


@pytest.mark.skipif(os.name != "posix", reason="a terminal (pty) for the team's input")
def test_a_line_typed_at_a_terminal_while_no_choice_is_asked_is_not_kept(capsys, store_path,
                                                                          tmp_path):
    """At a terminal, a line typed while the round was not open became the next round's
    choice the moment it opened, before the team had seen its options (a newcomer's team
    'chose' round 6 in 0 s). It is dropped, and said so; a script's input still types
    ahead (test_a_scripted_workshop_from_new_to_export)."""
    import pty

    wid, codes = _new(capsys, "--teams", "Red")
    env = {**os.environ, "BACKCHANNEL_STORE": str(store_path)}
    transcript = (tmp_path / "team.out").open("w+")
    keyboard, terminal = pty.openpty()
    team = subprocess.Popen(
        [sys.executable, "-m", "backchannel_cli.main", "workshop", "join", codes["Red"],
         "--plain", "--poll", "0.05"],
        stdin=terminal, stdout=transcript, stderr=subprocess.STDOUT, env=env)
    os.close(terminal)

    def shown() -> str:
        transcript.seek(0)
        return " ".join(transcript.read().split())

    try:
        _wait_for(lambda: "waiting for the facilitator" in shown())
        os.write(keyboard, b"1 # too early\n")
        _wait_for(lambda: "that line was not kept" in shown())
        assert ws(capsys, "open", wid)[0] == 0
        _wait_for(lambda: "Choice [1-3" in shown())
        time.sleep(0.2)  # a kept line would be submitted now
        room = Room(open_store(store_path), wid)
        assert room.refresh().decision(1, 1) is None
        os.write(keyboard, b"2 # now we chose\n")
        _wait_for(lambda: room.refresh().decision(1, 1) is not None)
        assert room.snap.decision(1, 1).reason == "now we chose"
        os.write(keyboard, b"q\n")
        team.wait(timeout=30)
    finally:
        if team.poll() is None:
            team.kill()
        os.close(keyboard)
    assert "Traceback" not in shown()


def test_plain_client_does_not_miss_a_change_made_while_it_reads(tmp_path):
    """A change committed between the client reading the workshop and taking the store's
    change token was never seen: the client waited for a later change that, after the last
    round, never comes (a line-mode team hung at the end under load). Reproduced by
    committing the facilitator's 'next' right after the client's read."""
    import io
    import threading

    from backchannel_cli.workshop import PlainTeamClient
    from engine.workshop import create_workshop

    store = open_store(tmp_path / "w.sqlite3")
    wid = create_workshop(store, EXAMPLE, ["Red"], seed=7, round_minutes=0).id
    facilitator = Room(open_store(tmp_path / "w.sqlite3"), wid)
    for round_no in (1, 2):
        facilitator.act("open")
        option = facilitator.offered(1)[0]
        facilitator.submit(1, option.id, "why not")
        facilitator.act("close")
        facilitator.act("reveal")
        if round_no == 1:
            facilitator.act("next")
    room = Room(store, wid)
    real_refresh = room.refresh
    armed = [True]
    calls = [0]

    def refresh_then_facilitator_moves_on():
        result = real_refresh()
        calls[0] += 1
        if armed[0] and calls[0] == 2:  # the first read of the client's loop
            armed[0] = False
            facilitator.act("next")  # the workshop ends: the last change
        return result

    room.refresh = refresh_then_facilitator_moves_on
    out = io.StringIO()
    client = PlainTeamClient(room, 1, io.StringIO(""), out, poll=0.02)
    done: list[int] = []
    seat = threading.Thread(target=lambda: done.append(client.run()), daemon=True)
    seat.start()
    seat.join(timeout=20)
    assert done == [0], out.getvalue()[-2000:]
    assert not armed[0] and "Your ending:" in out.getvalue()


def test_decide_never_replaces_a_decision_silently(capsys, store_path):
    """A team's decision in the round (its own, an override, an absent mark) is replaced
    only with --replace; the refusal names the team, the round and what it has, and the
    replacement is logged as an override with its reason, naming what it replaced."""
    wid, _ = _new(capsys, "--teams", "Red,Blue")
    ws(capsys, "open", wid)
    store = open_store(store_path)
    room = Room(store, wid)
    room.submit(room.team("Blue").id, "research-network", "data first")
    ws(capsys, "close", wid)
    assert ws(capsys, "decide", wid, "--team", "Red", "--option", "1", "--reason", "phone")[0] == 0
    errors = []
    for args in (["decide", wid, "--team", "Red", "--option", "3", "--reason", "changed mind"],
                 ["decide", wid, "--team", "Blue", "--option", "1", "--reason", "asked to"],
                 ["absent", wid, "--team", "Blue"]):
        code, out, err = ws(capsys, *args)
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
        assert "nothing was changed" in err and "--replace" in err
        errors.append(err)
    assert ("Red already has a decision in round 1: [Track 1] Call an emergency ministerial "
            "meeting (entered by the facilitator)") in errors[0]
    assert "Blue already has a decision in round 1: [Track 2] Fund a research network" in errors[1]
    assert "(submitted)" in errors[2] and "as an absent mark" in errors[2]
    assert "as a facilitator override with your reason" in errors[0]
    room.refresh()
    assert room.snap.decision(room.team("Red").id, 1).option_id == "ministerial-summit"
    assert room.snap.decision(room.team("Blue").id, 1).option_id == "research-network"
    assert len(store.events(wid, kinds=("override", "absent"))) == 1

    code, out, err = ws(capsys, "decide", wid, "--team", "Red", "--option", "3", "--reason",
                        "changed mind", "--replace")
    assert code == 0, err
    assert "it replaces [Track 1] Call an emergency ministerial meeting" in out
    last = store.events(wid, kinds=("override",))[-1]
    assert (last.data["option"], last.data["reason"], last.actor) == (
        "research-network", "changed mind", "facilitator")
    assert last.data["replaced"]["option"] == "ministerial-summit"
    # Marking absent replaces only when asked, says it is final, and until the reveal an
    # override with --replace brings the team back (the engine's one way back).
    code, out, _ = ws(capsys, "absent", wid, "--team", "Blue", "--replace")
    assert code == 0 and "cannot come back" in out and "decide --replace" in out
    assert ws(capsys, "decide", wid, "--team", "Blue", "--option", "1", "--reason",
              "they came back", "--replace")[0] == 0
    assert ws(capsys, "reveal", wid)[0] == 0 and ws(capsys, "next", wid)[0] == 0
    ws(capsys, "open", wid)
    board = json.loads(ws(capsys, "status", wid, "--json")[1])
    assert [t["status"] for t in board["teams"]] == ["waiting", "waiting"]
    store.close()


def test_decide_outside_a_closed_round_says_why_not_to_add_replace(capsys, store_path):
    """For a team that has a decision, decide/absent in an open round or after the end said
    'run the command again with --replace', which was then refused for the phase: the one
    line says the phase, and nothing changes."""
    wid, _ = _new(capsys, "--teams", "Red")
    ws(capsys, "open", wid)
    room = Room(open_store(store_path), wid)
    room.submit(room.team("Red").id, "research-network", "data first")
    for phase_words, moves in (("round 1 is open", ()),
                               ("the workshop has ended", ("close", "reveal", "next", "open",
                                                           "close", "reveal", "next"))):
        for move in moves:
            if move == "close" and room.refresh().workshop.control.round_no == 2:
                room.submit(room.team("Red").id, room.offered(room.team("Red").id)[0].id, "")
            assert ws(capsys, move, wid)[0] == 0, move
        for args in (["decide", wid, "--team", "Red", "--option", "1", "--reason", "phone"],
                     ["absent", wid, "--team", "Red"]):
            code, out, err = ws(capsys, *args)
            assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
            assert phase_words in err and "--replace" not in err, err
    assert room.store.events(wid, kinds=("override", "absent")) == []


def test_absent_help_says_it_is_final(capsys):
    with pytest.raises(SystemExit):
        main(["workshop", "absent", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "cannot come back" in out and "decide --replace" in out
    with pytest.raises(SystemExit):
        main(["workshop", "--help"])
    assert "ends for good" in " ".join(capsys.readouterr().out.split())
