"""The workshop store's contract: what every store (SQLite now, PostgreSQL next) must do.

Every test takes ``make_store`` (a factory of independent connections to one fresh store),
so adding a PostgreSQL factory to ``STORES`` runs the same suite against it."""

from __future__ import annotations

import sqlite3
import time

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.workshop.model import (
    ACTIONS,
    CODE_ALPHABET,
    CODE_LENGTH,
    Conflict,
    Control,
    Draft,
    NewTeam,
    NewWorkshop,
    NotFound,
    Phase,
    PhaseError,
    Refused,
    TeamDecision,
    WorkshopError,
    check_code,
    step,
)
from engine.workshop.sqlstore import SCHEMA_VERSION
from engine.workshop.store import open_store

STORES = ["sqlite", "postgresql"]


@pytest.fixture(params=STORES)
def make_store(request, tmp_path):
    """make_store() -> a new connection (as another process would open) to one fresh store."""
    target = (str(tmp_path / "workshops.sqlite3") if request.param == "sqlite"
              else request.getfixturevalue("pg_url"))
    opened = []

    def factory():
        s = open_store(target)
        opened.append(s)
        return s

    factory.target = target

    yield factory
    for s in opened:
        s.close()


def _new(n_teams: int = 3, round_seconds: int = 600) -> NewWorkshop:
    return NewWorkshop("Test", "demo", "/abs/demo.yaml", "ab" * 32, 42, round_seconds, 1,
                       tuple(NewTeam(f"Team {i}") for i in range(1, n_teams + 1)))


def _to(store, wid, action, now=1000.0, **kw):
    c = store.workshop(wid).control
    return store.apply_control(wid, c, step(c, action, now, round_seconds=600, **kw),
                               kind="phase", actor="facilitator", now=now)


def _sub(team_id, round_no=1, option="opt-a", reason="because", at=1001.0):
    return TeamDecision(team_id, round_no, option, reason, "team", at)


def _open_workshop(store, n_teams=3):
    w = store.create(_new(n_teams), now=1000.0)
    _to(store, w.id, "open")
    return w.id


# --------------------------------------------------------------------------- creation


def test_a_new_workshop_has_unique_readable_codes_and_waits_at_round_one(make_store):
    store = make_store()
    w = store.create(_new(12), now=1000.0)
    teams = store.teams(w.id)
    assert [t.name for t in teams] == [f"Team {i}" for i in range(1, 13)]
    codes = [t.code for t in teams]
    assert len(set(codes)) == 12
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set(CODE_ALPHABET) & set("01OILUV")  # no look-alikes
    assert w.control == Control(1, Phase.READY, 1)
    assert store.team_by_code(codes[4]).name == "Team 5"
    assert make_store().workshop(w.id) == w  # another process sees the same
    assert [e.kind for e in store.events(w.id)] == ["created"]


def test_codes_typed_loosely_are_normalised_and_bad_ones_explained():
    assert check_code(" ab3-7kq ".replace("3", "4")) == "AB47KQ"
    with pytest.raises(WorkshopError, match="6 characters"):
        check_code("AB4")
    with pytest.raises(WorkshopError, match="'0' never appears"):
        check_code("AB40KQ")


def test_unknown_workshop_and_code_are_clear_errors(make_store):
    store = make_store()
    with pytest.raises(NotFound, match="no workshop 'w-nope'"):
        store.workshop("w-nope")
    with pytest.raises(NotFound, match="no team has the join code"):
        store.team_by_code("ABCDEF")


# --------------------------------------------------------------------------- submissions


def test_second_click_is_refused_and_the_first_submission_kept(make_store):
    store = make_store()
    wid = _open_workshop(store)
    store.submit(wid, _sub(1, option="opt-a"))
    with pytest.raises(Refused) as exc:
        make_store().submit(wid, _sub(1, option="opt-b"))
    assert exc.value.reason == "duplicate"
    assert "already submitted for round 1 ('opt-a'" in str(exc.value)
    [d] = store.decisions(wid)
    assert (d.team_id, d.option_id, d.by, d.override) == (1, "opt-a", "team", False)
    assert [e.kind for e in store.events(wid)].count("submit") == 1


def test_late_submission_after_close_is_refused_and_not_stored(make_store):
    store = make_store()
    wid = _open_workshop(store)
    store.submit(wid, _sub(1))
    _to(store, wid, "close")
    with pytest.raises(Refused) as exc:
        store.submit(wid, _sub(2))
    assert exc.value.reason == "closed"
    assert "round 1 is closed" in str(exc.value)
    assert [d.team_id for d in store.decisions(wid)] == [1]


def test_submission_for_the_wrong_round_or_before_opening_is_refused(make_store):
    store = make_store()
    w = store.create(_new(), now=1000.0)
    with pytest.raises(Refused) as exc:
        store.submit(w.id, _sub(1))
    assert exc.value.reason == "not-open"
    _to(store, w.id, "open")
    with pytest.raises(Refused) as exc:
        store.submit(w.id, _sub(1, round_no=2))
    assert exc.value.reason == "wrong-round"
    for action in ("close", "reveal"):
        _to(store, w.id, action)
    _to(store, w.id, "next", next_round=2)
    _to(store, w.id, "open")
    with pytest.raises(Refused) as exc:  # a screen still showing round 1
        store.submit(w.id, _sub(1, round_no=1))
    assert exc.value.reason == "wrong-round"
    assert "for round 1, but the workshop is at round 2" in str(exc.value)
    assert store.decisions(w.id) == []


def test_submission_for_an_unknown_team_is_not_found(make_store):
    store = make_store()
    wid = _open_workshop(store)
    with pytest.raises(NotFound):
        store.submit(wid, _sub(99))


# --------------------------------------------------------------------------- control


def test_two_consoles_racing_advance_once(make_store):
    a, b = make_store(), make_store()
    w = a.create(_new(), now=1000.0)
    seen_a, seen_b = a.workshop(w.id).control, b.workshop(w.id).control
    a.apply_control(w.id, seen_a, step(seen_a, "open", 1000.0), kind="phase",
                    actor="facilitator", now=1000.0)
    with pytest.raises(Conflict, match="someone else changed the workshop first"):
        b.apply_control(w.id, seen_b, step(seen_b, "open", 1001.0), kind="phase",
                        actor="facilitator", now=1001.0)
    c = b.workshop(w.id).control
    assert (c.phase, c.version) == (Phase.OPEN, 2)
    assert [e.kind for e in a.events(w.id)] == ["created", "phase"]


def test_timer_is_one_stored_end_time(make_store):
    store = make_store()
    w = store.create(_new(round_seconds=600), now=1000.0)
    c = _to(store, w.id, "open", now=1000.0).control
    assert c.timer_ends_at == 1600.0 and c.remaining(1100.0) == 500.0
    c2 = step(c, "timer-pause", 1100.0)
    store.apply_control(w.id, c, c2, kind="timer", actor="facilitator", now=1100.0)
    assert make_store().workshop(w.id).control.remaining(5000.0) == 500.0  # paused
    c3 = step(c2, "timer-resume", 2000.0)
    store.apply_control(w.id, c2, c3, kind="timer", actor="facilitator", now=2000.0)
    assert store.workshop(w.id).control.timer_ends_at == 2500.0
    assert [e.kind for e in store.events(w.id)][-2:] == ["timer", "timer"]


def test_override_needs_a_closed_round_and_keeps_the_teams_reason(make_store):
    store = make_store()
    wid = _open_workshop(store)
    store.submit(wid, _sub(1, option="opt-a", reason="team's own reason"))
    fac = TeamDecision(1, 1, "opt-b", "team asked to change", "facilitator", 1002.0,
                       override=True)
    with pytest.raises(Refused, match="only while a round is closed"):
        store.override(wid, fac)
    _to(store, wid, "close")
    store.override(wid, fac)
    store.override(wid, TeamDecision(2, 1, None, "no show", "facilitator", 1003.0, absent=True))
    d1, d2 = store.decisions(wid)
    assert (d1.option_id, d1.override, d1.reason, d1.team_reason) == (
        "opt-b", True, "team asked to change", "team's own reason")
    assert (d2.option_id, d2.absent) == (None, True)
    ev = store.events(wid, kinds=("override", "absent"))
    assert [e.kind for e in ev] == ["override", "absent"]
    assert ev[0].data["replaced"]["option"] == "opt-a"
    assert ev[0].data["reason"] == "team asked to change"


def test_drafts_are_kept_while_typing_and_are_a_change_others_learn_of(make_store):
    store, console = make_store(), make_store()
    wid = _open_workshop(store)
    token, changes = console.change_token(), console.workshop(wid).changes
    store.save_draft(wid, Draft(1, 1, None, "we think", 1001.0))
    # the console learns of it (it shows the team as drafting) by the token and the counter
    _changed(console, token)
    assert console.workshop(wid).changes == changes + 1
    store.save_draft(wid, Draft(1, 1, "opt-a", "we think the envoy", 1002.0))
    assert console.workshop(wid).changes == changes + 2
    d = make_store().draft(wid, 1, 1)
    assert (d.option_id, d.reason) == ("opt-a", "we think the envoy")
    assert store.draft(wid, 2, 1) is None


def test_notes_message_and_joins_are_in_the_audit_trail_in_order(make_store):
    store = make_store()
    wid = _open_workshop(store)
    store.record_join(wid, 2, client="browser", now=1001.0)
    store.add_note(wid, 2, 1, "argued about the envoy", actor="facilitator", now=1002.0)
    store.set_message(wid, "Five minutes left", actor="facilitator", now=1003.0)
    ev = store.events(wid)
    assert [e.kind for e in ev] == ["created", "phase", "join", "note", "message"]
    assert [e.seq for e in ev] == sorted(e.seq for e in ev)
    assert store.events(wid, after=ev[2].seq)[0].data == {"text": "argued about the envoy"}
    assert store.workshop(wid).message == "Five minutes left"
    assert (ev[-1].round_no, ev[-1].data) == (1, {"text": "Five minutes left"})  # sent when
    assert store.teams(wid)[1].joined_at == 1001.0


def test_a_control_change_can_take_the_message_down_with_it(make_store):
    """Moving on takes the round's message down in the same transaction, so no screen shows
    the new round (or the end) under the old message; the phase event keeps what it was."""
    store = make_store()
    wid = _open_workshop(store)
    store.set_message(wid, "Five minutes left", actor="facilitator", now=1003.0)
    _to(store, wid, "close")
    assert store.workshop(wid).message == "Five minutes left"  # kept unless asked
    c = store.workshop(wid).control
    store.apply_control(wid, c, step(c, "reveal", 1004.0), kind="phase", actor="facilitator",
                        now=1004.0, clear_message=True)
    assert store.workshop(wid).message is None
    assert store.events(wid)[-1].data["message_cleared"] == "Five minutes left"


def _changed(store, token, within=5.0):
    """The store's next token once it differs from ``token`` (a notified store learns of
    another process's commit a moment after it; a polled one at once)."""
    deadline = time.monotonic() + within
    while (now := store.change_token()) == token:
        assert time.monotonic() < deadline, "the change token did not move"
        time.sleep(0.01)
    return now


def test_change_token_moves_on_any_processs_commit_only(make_store):
    a, b = make_store(), make_store()
    wid = _open_workshop(a)
    t0 = a.change_token()
    assert a.change_token() == t0  # nothing happened
    b.submit(wid, _sub(1))
    t1 = _changed(a, t0)
    a.add_note(wid, None, 1, "own write", actor="facilitator", now=1002.0)
    assert a.change_token() != t1


# --------------------------------------------------------------------------- schema


def test_store_records_its_schema_version_and_refuses_a_newer_one(make_store):
    store = make_store()
    assert store.schema_version() == SCHEMA_VERSION
    store._conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(WorkshopError, match="newer backchannel .*schema 99"):
        make_store()


# Schema 1 exactly as backchannel wrote it before schema 2 (kept verbatim: it is what stores in
# the field have); {serial} is the engine's auto-numbered key.
SCHEMA_1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE workshops (id TEXT PRIMARY KEY, name TEXT NOT NULL,
        scenario_id TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_sha256 TEXT NOT NULL,
        seed BIGINT NOT NULL, round_seconds INTEGER NOT NULL,
        created_at DOUBLE PRECISION NOT NULL, round_no INTEGER NOT NULL, phase TEXT NOT NULL,
        version INTEGER NOT NULL, timer_ends_at DOUBLE PRECISION,
        timer_paused DOUBLE PRECISION, message TEXT, change_count BIGINT NOT NULL DEFAULT 0)""",
    """CREATE TABLE teams (workshop_id TEXT NOT NULL REFERENCES workshops (id)
        ON DELETE CASCADE, team_id INTEGER NOT NULL, name TEXT NOT NULL,
        code TEXT NOT NULL UNIQUE, bot TEXT, joined_at DOUBLE PRECISION,
        PRIMARY KEY (workshop_id, team_id), UNIQUE (workshop_id, name))""",
    """CREATE TABLE drafts (workshop_id TEXT NOT NULL, team_id INTEGER NOT NULL,
        round_no INTEGER NOT NULL, option_id TEXT, reason TEXT NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (workshop_id, team_id, round_no),
        FOREIGN KEY (workshop_id, team_id) REFERENCES teams (workshop_id, team_id)
            ON DELETE CASCADE)""",
    """CREATE TABLE decisions (workshop_id TEXT NOT NULL, team_id INTEGER NOT NULL,
        round_no INTEGER NOT NULL, option_id TEXT, reason TEXT, decided_by TEXT NOT NULL,
        at_time DOUBLE PRECISION NOT NULL, is_override BOOLEAN NOT NULL,
        is_absent BOOLEAN NOT NULL, team_reason TEXT,
        PRIMARY KEY (workshop_id, team_id, round_no),
        FOREIGN KEY (workshop_id, team_id) REFERENCES teams (workshop_id, team_id)
            ON DELETE CASCADE)""",
    """CREATE TABLE events (seq {serial}, workshop_id TEXT NOT NULL REFERENCES workshops (id)
        ON DELETE CASCADE, at_time DOUBLE PRECISION NOT NULL, kind TEXT NOT NULL,
        team_id INTEGER, round_no INTEGER, actor TEXT NOT NULL, data TEXT NOT NULL)""",
    "CREATE INDEX events_by_workshop ON events (workshop_id, seq)",
    "INSERT INTO meta (key, value) VALUES ('schema_version', '1')",
    "INSERT INTO workshops VALUES ('w-old', 'Last spring', 'demo', '/abs/demo.yaml', "
    "'abab', 7, 600, 1000.0, 1, 'closed', 4, NULL, NULL, 'hello', 9)",
    "INSERT INTO teams VALUES ('w-old', 1, 'Red', 'ABCDEF', NULL, 1001.0)",
    "INSERT INTO drafts VALUES ('w-old', 1, 1, 'opt-a', 'half a thought', 1002.0)",
    "INSERT INTO decisions VALUES ('w-old', 1, 1, 'opt-a', 'our reason', 'team', 1003.0, "
    "FALSE, FALSE, NULL)",
    "INSERT INTO events (workshop_id, at_time, kind, team_id, round_no, actor, data) "
    "VALUES ('w-old', 1003.0, 'submit', 1, 1, 'team', '{{\"option\": \"opt-a\"}}')",
)


def _raw(target: str, statements, *, fetch: str | None = None):
    """Run SQL on the store's database with the engine's own driver (not through a store)."""
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            for stmt in statements:
                conn.execute(stmt.format(serial="BIGSERIAL PRIMARY KEY"))
            return conn.execute(fetch).fetchall() if fetch else None
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        for stmt in statements:
            conn.execute(stmt.format(serial="INTEGER PRIMARY KEY AUTOINCREMENT"))
        return conn.execute(fetch).fetchall() if fetch else None
    finally:
        conn.close()


_INDEXES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' "
              "AND name = 'workshops_by_created'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE indexname = 'workshops_by_created'",
}


def test_a_store_written_by_schema_1_is_upgraded_on_open_and_keeps_its_data(make_store):
    target = make_store.target
    _raw(target, SCHEMA_1)
    kind = "postgresql" if target.startswith("postgresql://") else "sqlite"
    assert _raw(target, (), fetch=_INDEXES[kind]) == []
    store = make_store()  # the upgrade runs here
    assert store.schema_version() == SCHEMA_VERSION == 2
    assert _raw(target, (), fetch=_INDEXES[kind]) == [("workshops_by_created",)]
    w = store.workshop("w-old")
    assert (w.name, w.control.phase, w.control.version, w.message) == (
        "Last spring", Phase.CLOSED, 4, "hello")
    assert store.team_by_code("ABCDEF").joined_at == 1001.0
    assert store.draft("w-old", 1, 1).reason == "half a thought"
    [d] = store.decisions("w-old")
    assert (d.option_id, d.reason, d.override) == ("opt-a", "our reason", False)
    # and it goes on working at schema 2: the facilitator overrides, the event numbering goes on
    store.override("w-old", TeamDecision(1, 1, "opt-b", "asked to", "facilitator", 1004.0,
                                         override=True))
    assert [e.kind for e in store.events("w-old")] == ["submit", "override"]
    assert make_store().schema_version() == 2  # a second open does not upgrade again


# --------------------------------------------------------------------------- retention

DAY = 86400.0


def _aged(store, created: float, last_event: float | None = None) -> str:
    """A workshop created at ``created`` with a submission, a draft, a note (at
    ``last_event``) and a join; returns its id."""
    w = store.create(_new(2), now=created)
    _to(store, w.id, "open", now=created)
    store.submit(w.id, _sub(1, at=created + 1))
    store.save_draft(w.id, Draft(2, 1, None, "typing", created + 2))
    store.record_join(w.id, 2, client="browser", now=created + 3)
    store.add_note(w.id, 1, 1, "a reason we keep", actor="facilitator",
                   now=last_event or created + 4)
    return w.id


_TABLES = ("workshops", "teams", "drafts", "decisions", "events")


def _counts(target):
    return [_raw(target, (), fetch=f"SELECT COUNT(*) FROM {t}")[0][0] for t in _TABLES]


def test_purge_lists_then_deletes_old_workshops_with_all_their_data(make_store):
    store = make_store()
    now = 200 * DAY
    old = _aged(store, now - 120 * DAY)
    revived = _aged(store, now - 100 * DAY, last_event=now - 10 * DAY)  # used again lately
    recent = _aged(store, now - 5 * DAY)
    before = _counts(make_store.target)
    listed = store.purge(now - 90 * DAY, dry_run=True)
    assert [w.id for w in listed] == [old]
    assert _counts(make_store.target) == before  # a dry run changes nothing
    token = store.change_token()
    gone = make_store().purge(now - 90 * DAY)
    assert [w.id for w in gone] == [old]
    with pytest.raises(NotFound):
        store.workshop(old)
    assert {w.id for w in store.workshops()} == {revived, recent}
    assert store.events(old) == []
    for table in _TABLES:  # not one row of it is left anywhere
        col = "id" if table == "workshops" else "workshop_id"
        assert _raw(make_store.target, (),
                    fetch=f"SELECT COUNT(*) FROM {table} WHERE {col} = '{old}'")[0][0] == 0
    assert [b - a for a, b in zip(_counts(make_store.target), before, strict=True)] == [
        1, 2, 1, 1, 5]
    _changed(store, token)  # other processes learn of it like of any commit
    assert store.purge(now - 90 * DAY) == []


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, this is not a database\n" * 50)
    with pytest.raises(WorkshopError, match="not a workshop store"):
        open_store(bad)


# --------------------------------------------------------------------------- phase machine

_controls = st.builds(
    Control,
    round_no=st.integers(1, 8),
    phase=st.sampled_from(Phase),
    version=st.integers(1, 100),
    timer_ends_at=st.none() | st.floats(0, 5000),
    timer_paused=st.none(),
)


@settings(max_examples=300, deadline=None)
@given(c=_controls, actions=st.lists(st.sampled_from(ACTIONS), max_size=12),
       now=st.floats(0, 4000), seconds=st.sampled_from([-30.0, 30.0, 600.0]))
def test_phase_machine_steps_forward_one_version_at_a_time(c, actions, now, seconds):
    order = [Phase.READY, Phase.OPEN, Phase.CLOSED, Phase.REVEALED]
    for action in actions:
        try:
            new = step(c, action, now, round_seconds=300, seconds=seconds,
                       next_round=c.round_no + 1 if c.round_no < 6 else None)
        except PhaseError:
            continue  # refused: the old control stays (step is pure)
        assert new.version == c.version + 1
        if action.startswith("timer-"):
            assert (new.round_no, new.phase) == (c.round_no, c.phase) == (new.round_no,
                                                                         Phase.OPEN)
            assert new.remaining(now) >= 0
        elif new.phase is Phase.ENDED:
            assert c.phase is Phase.REVEALED and action == "next"
        elif new.round_no == c.round_no:
            assert order.index(new.phase) == order.index(c.phase) + 1
        else:
            assert (c.phase, new.phase, new.round_no) == (Phase.REVEALED, Phase.READY,
                                                          c.round_no + 1)
        if new.phase is not Phase.OPEN:
            assert new.remaining(now) is None  # only an open round has a timer
        c = new


@given(c=_controls)
def test_nothing_leaves_the_end(c):
    ended = attrs.evolve(c, phase=Phase.ENDED)
    for action in ACTIONS:
        with pytest.raises(PhaseError):
            step(ended, action, 0.0, next_round=c.round_no + 1)
