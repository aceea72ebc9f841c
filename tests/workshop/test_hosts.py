"""Several hosts, one workshop: a team moving between two store connections (as between two
`serve` hosts) keeps its seat, draft and state; the facilitator's commands reach a PostgreSQL
store through --store or $BACKCHANNEL_STORE; change notification by LISTEN/NOTIFY with polling
as the fallback; and `workshop purge` on both stores."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backchannel_cli.main import main
from engine.workshop import Phase, Refused, Room, open_store
from engine.workshop.pgstore import PostgresStore
from engine.workshop.room import create_workshop
from tests.conftest import EXAMPLE
from tests.tui.test_serving import wait_for_port
from tests.workshop.test_processes import _env


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "workshops.sqlite3")
    return request.getfixturevalue("pg_url")


def _wait(store, token, within=5.0):
    deadline = time.monotonic() + within
    while store.change_token() == token:
        assert time.monotonic() < deadline, "the change did not reach the other host"
        time.sleep(0.005)


def test_a_team_moving_to_another_host_finds_its_seat_draft_and_state(target):
    host_a, host_b, console = open_store(target), open_store(target), open_store(target)
    w = create_workshop(console, EXAMPLE, ["Red", "Blue"], seed=4)
    fac = Room(console, w.id)
    fac.act("open")
    code = fac.team("Red").code
    room_a, red = Room.for_code(host_a, code)
    room_a.join(red, "browser")
    option = room_a.offered(red.id)[0].id
    room_a.save_draft(red.id, option, "we lean towards talks")
    # the browser reconnects through the other host: same seat, same half-typed reason
    room_b, red_b = Room.for_code(host_b, code.lower())
    assert (red_b.workshop_id, red_b.id, red_b.name) == (w.id, red.id, "Red")
    d = room_b.draft(red_b.id)
    assert (d.option_id, d.reason) == (option, "we lean towards talks")
    token_a = host_a.change_token()
    room_b.submit(red_b.id, option, "we lean towards talks, and then some")
    _wait(host_a, token_a)  # host A learns of it without being told
    assert room_a.refresh().decision(red.id, 1).reason == "we lean towards talks, and then some"
    with pytest.raises(Refused) as exc:  # the old tab on host A clicks again
        room_a.submit(red.id, option, "again")
    assert exc.value.reason == "duplicate"
    fac.act("close")
    fac.mark_absent("Blue", "did not show")
    fac.act("reveal")
    # after the reveal, both hosts replay the same outcome for the team
    assert room_b.refresh().workshop.control.phase is Phase.REVEALED
    assert room_a.refresh().workshop.control.phase is Phase.REVEALED
    assert room_a.team_game(red.id).state == room_b.team_game(red.id).state
    assert [e.kind for e in console.events(w.id, kinds=("join", "submit"))] == ["join", "submit"]
    for s in (host_a, host_b, console):
        s.close()


def _ws(capsys, *args):
    code = main(["workshop", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_facilitator_commands_reach_the_store_named_by_url_or_environment(target, capsys,
                                                                          monkeypatch):
    code, out, err = _ws(capsys, "new", str(EXAMPLE), "--teams", "Red,Blue", "--seed", "3",
                         "--store", target)
    assert code == 0, err
    wid = re.search(r"^Workshop (w-\w+):", out, re.M).group(1)
    assert "user" not in out.split("store:")[1].split("\n")[0] or target.endswith("sqlite3")
    monkeypatch.setenv("BACKCHANNEL_STORE", target)
    assert _ws(capsys, "open", wid)[0] == 0
    code, out, _ = _ws(capsys, "status", wid, "--json")
    assert code == 0 and '"phase": "open"' in out
    store = open_store(target)
    assert store.workshop(wid).control.phase is Phase.OPEN
    store.close()


def test_new_never_prints_the_password_of_a_store_url(pg_url, capsys):
    """The commands `workshop new` suggests would put a password on screen and, run, in
    `ps`: they name $BACKCHANNEL_STORE instead (the test server trusts any password)."""
    secret = pg_url.replace("://backchannel@", "://backchannel:s3cret@")
    code, out, err = _ws(capsys, "new", str(EXAMPLE), "--teams", "Red", "--store", secret)
    assert code == 0, err
    assert "s3cret" not in out + err
    assert '--store "$BACKCHANNEL_STORE"' in out and "BACKCHANNEL_STORE set to" in out


def test_purge_command_lists_on_a_dry_run_then_deletes(target, capsys, monkeypatch):
    monkeypatch.setenv("BACKCHANNEL_STORE", target)
    store = open_store(target)
    old = create_workshop(store, EXAMPLE, ["Red"], seed=1, name="Spring course",
                          now=time.time() - 120 * 86400)
    new = create_workshop(store, EXAMPLE, ["Red"], seed=1, name="This week")
    code, out, _ = _ws(capsys, "purge", "--older-than", "90d", "--dry-run")
    assert code == 0
    assert "Would delete 1 workshop" in out and old.id in out and "Spring course" in out
    assert new.id not in out and "Nothing was deleted (dry run)" in out
    assert len(store.workshops()) == 2
    code, out, _ = _ws(capsys, "purge", "--older-than", "90d")
    assert code == 0 and "Deleted 1 workshop" in out
    assert [w.id for w in store.workshops()] == [new.id]
    code, out, _ = _ws(capsys, "purge", "--older-than", "90d")
    assert code == 0 and "nothing deleted" in out
    with pytest.raises(SystemExit) as exc:
        _ws(capsys, "purge", "--older-than", "90")
    assert exc.value.code == 2
    assert "expected an age like 90d" in capsys.readouterr().err
    store.close()


# --------------------------------------------------------------------------- PostgreSQL only


REVEAL = """
import sys
from engine.workshop import Room, open_store
room = Room(open_store(sys.argv[1]), sys.argv[2])
room.refresh()
print("ready", flush=True)
input()
room.act("reveal")
print("revealed", flush=True)
"""


def test_notification_carries_another_processs_commit_and_a_refused_write_sends_none(pg_url):
    watcher = PostgresStore(pg_url)
    assert watcher.notified
    w = create_workshop(watcher, EXAMPLE, ["Red"], seed=2)
    room = Room(watcher, w.id)
    room.act("open")
    room.submit(1, room.offered(1)[0].id, "ours")
    room.act("close")
    proc = subprocess.Popen([sys.executable, "-c", REVEAL, pg_url, w.id],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=_env())
    try:
        assert proc.stdout.readline() == "ready\n"
        token = watcher.change_token()
        t0 = time.monotonic()
        proc.stdin.write("\n")
        proc.stdin.flush()
        _wait(watcher, token)
        print(f"\nreveal noticed by notification after {(time.monotonic() - t0) * 1000:.0f} ms "
              "(including the other process's transaction)")
        assert proc.stdout.readline() == "revealed\n"
    finally:
        proc.wait(timeout=30)
    assert room.refresh().workshop.control.phase is Phase.REVEALED
    # a write that is refused rolls back, and its NOTIFY with it
    other = PostgresStore(pg_url, listen=False)
    token = watcher.change_token()
    with pytest.raises(Refused):
        Room(other, w.id).submit(1, "x", "late")
    time.sleep(0.5)
    assert watcher.change_token() == token
    other.close()
    watcher.close()


def test_without_a_listener_the_token_polls_the_change_counter(pg_url):
    a, b = PostgresStore(pg_url, listen=False), PostgresStore(pg_url, listen=False)
    assert not a.notified
    w = create_workshop(a, EXAMPLE, ["Red"], seed=2)
    t0 = a.change_token()
    assert a.change_token() == t0
    Room(b, w.id).act("open")
    t1 = a.change_token()
    assert t1 != t0  # at once: the poll reads the committed counter
    Room(b, w.id).save_draft(1, None, "half a thought")
    assert a.change_token() != t1  # a draft too (the console shows who is drafting)
    a.close()
    b.close()


def test_many_processes_opening_a_new_database_at_once_create_the_schema_once(pg_url):
    code = ("import sys; from engine.workshop import open_store; "
            "s = open_store(sys.argv[1]); print(s.schema_version())")
    procs = [subprocess.Popen([sys.executable, "-c", code, pg_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(6)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [e for _, e in outs]
    assert {o.strip() for o, _ in outs} == {"2"}


def test_a_wrong_url_is_one_clear_line_without_the_password(tmp_path):
    from engine.workshop import WorkshopError

    with pytest.raises(WorkshopError) as exc:
        open_store(f"postgresql://someone:s3cret@/nodb?host={tmp_path}")
    assert "cannot connect to the workshop store" in str(exc.value)
    assert "s3cret" not in str(exc.value) and "someone" not in str(exc.value)


def test_clients_work_with_a_role_that_may_only_read_and_write_rows(pg_url):
    """docs/deploying.md: the owner creates or upgrades the schema; every client connects as a
    role without CREATE, which must be enough to open the store and run a workshop."""
    import uuid

    import psycopg

    owner = open_store(pg_url)
    w = create_workshop(owner, EXAMPLE, ["Red"], seed=2)
    owner.close()
    role = f"bc_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                     f"TO {role}")
        conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    client = open_store(pg_url.replace("://backchannel@", f"://{role}@"))
    room = Room(client, w.id)
    room.act("open")
    room.submit(1, room.offered(1)[0].id, "as the app role")
    assert [d.team_id for d in room.refresh().decisions] == [1]
    client.close()


# An empty text box with the cursor on its placeholder's first letter (W): it has the focus,
# so what is typed next goes into it (keys typed sooner would go to the widget before).
CURSOR_ON = "W\x1b\\[0m\x1b\\[[0-9;]*m{}"


def _team_processes(workshop_id: str) -> list[tuple[str, str]]:
    """(command line, environment) of every running team-client process of this workshop."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "backchannel_workshop.team" in cmd and workshop_id in cmd:
                found.append((cmd, (proc / "environ").read_bytes().decode(errors="replace")))
        except OSError:
            continue
    return found


def test_two_serve_processes_on_one_postgresql_store_share_seat_draft_and_state(pg_url):
    """Issue 15 §2 with the real `workshop serve --store postgresql://...`, twice (two hosts
    on two ports), and browser sessions speaking textual-serve's websocket protocol: a team
    drafts through one host, reconnects through the other, finds its draft and submits. The
    store URL reaches the team-client processes in their environment, never on a command line
    (`ps` shows command lines to every user)."""
    import asyncio

    import aiohttp

    from tests.tui.test_serving import _read_until, free_port, stop

    store = open_store(pg_url)
    w = create_workshop(store, EXAMPLE, ["Red", "Blue"], seed=5)
    room = Room(store, w.id)
    room.act("open")
    red = room.team("Red")
    second = room.offered(red.id)[1].id
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "backchannel_cli.main", "workshop",
                               "serve", w.id, "--store", pg_url, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**_env(), "COLUMNS": "200"}) for port in ports]
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_for_port(port, proc)

        async def drafted() -> None:
            deadline = time.monotonic() + 20
            while (d := room.draft(red.id)) is None or d.reason != "talks first":
                assert time.monotonic() < deadline, "the draft never reached the store"
                await asyncio.sleep(0.02)

        async def scenario() -> None:
            async with aiohttp.ClientSession() as http:
                # Both browsers open at once (their team-client processes start in parallel).
                a, b = [await http.ws_connect(f"ws://127.0.0.1:{p}/ws?width=110&height=40",
                                              headers={"Origin": f"http://127.0.0.1:{p}"})
                        for p in ports]
                await asyncio.gather(_read_until(a, "Join your team", timeout=30),
                                     _read_until(b, "Join your team", timeout=30))
                await a.send_json(["stdin", red.code + "\r"])
                await _read_until(a, "open for decisions", timeout=20)
                await a.send_json(["stdin", "2r"])  # the second option, then the reason box
                await _read_until(a, CURSOR_ON.format("hy this option"))  # it has focus
                await a.send_json(["stdin", "talks first"])
                await drafted()
                await a.close()  # the browser drops; it comes back through the other host
                await b.send_json(["stdin", red.code.lower() + "\r"])
                await _read_until(b, "talks first", timeout=20)  # the draft, restored
                running = _team_processes(w.id)
                assert running
                for cmd, environ in running:
                    assert "postgresql" not in cmd and "--store" not in cmd
                    assert f"BACKCHANNEL_STORE={pg_url}\0" in environ
                await b.send_json(["stdin", "\r"])  # choose the highlighted (restored) option
                await _read_until(b, "Confirm your choice")  # its 'Why?' holds the reason
                await b.send_json(["stdin", "\r"])
                await _read_until(b, "waiting for the reveal", timeout=20)
                await b.close()

        asyncio.run(scenario())
    finally:
        for proc in procs:  # both at once: each waits for its sessions to end
            proc.terminate()
        for proc in procs:
            stop(proc)
    d = room.refresh().decision(red.id, 1)
    assert (d.option_id, d.reason, d.by) == (second, "talks first", "team")
    assert [e.data.get("client") for e in store.events(w.id, kinds=("join",))] == \
        ["browser", "browser"]
    store.close()
