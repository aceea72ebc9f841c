"""`serve` against real server processes: the page points browsers at the public address,
the websocket refuses other Origins, terminal sizes are bounded and sessions capped.

A real aiohttp client talks to a real server on loopback (each served session is a real app
process), so what is checked is what a browser would meet."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from backchannel_tui.serving import (
    MAX_HEIGHT,
    MAX_WIDTH,
    ServeError,
    allowed_origins,
    clamp_size,
    public_url_for,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-scenario.yaml"
PROBE = Path(__file__).parents[1] / "fixtures" / "serve" / "size_probe.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.communicate()[0]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start listening")


def start(args: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    wait_for_port(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def probe_server() -> Iterator[int]:
    """A GuardedServer serving the size probe, capped at one session."""
    port = free_port()
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(PROBE))}"
    code = ("from backchannel_tui.serving import serve_app; "
            f"serve_app({command!r}, port={port}, max_sessions=1)")
    proc = start([sys.executable, "-c", code], port)
    try:
        yield port
    finally:
        stop(proc)


async def _read_until(ws: aiohttp.ClientWebSocketResponse, pattern: str,
                      timeout: float = 15) -> re.Match:
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = await asyncio.wait_for(ws.receive(), deadline - time.monotonic())
        if msg.type == aiohttp.WSMsgType.BINARY:
            data += msg.data
            found = list(re.finditer(pattern, data.decode("utf-8", "replace")))
            if found:
                return found[-1]
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            break
    raise AssertionError(f"{pattern!r} never appeared")


def test_origin_size_bound_and_session_cap_against_a_served_app(probe_server):
    port = probe_server
    base = f"http://127.0.0.1:{port}"
    ws_url = f"ws://127.0.0.1:{port}/ws"

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/") as page:
                assert f'data-session-websocket-url="{ws_url}"' in await page.text()
            for origin in ("http://evil.example", f"http://127.0.0.1:{port + 1}", None):
                headers = {"Origin": origin} if origin else {}
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(ws_url, headers=headers)
                assert refused.value.status == 403, origin
            # A loopback alias of the page's own address is the same machine: allowed.
            ws = await http.ws_connect(f"{ws_url}?width=100000&height=100000",
                                       headers={"Origin": f"http://localhost:{port}"})
            size = await _read_until(ws, r"SIZE (\d+)x(\d+) END")
            assert (int(size[1]), int(size[2])) == (MAX_WIDTH, MAX_HEIGHT)
            await ws.send_json(["resize", {"width": 90, "height": 100000}])
            size = await _read_until(ws, r"SIZE 90x(\d+) END")
            assert int(size[1]) == MAX_HEIGHT
            await ws.send_str("not json")  # ignored, the session goes on
            await ws.send_json(["resize", {"width": "x", "height": -5}])
            await _read_until(ws, r"SIZE 80x1 END")
            with pytest.raises(aiohttp.WSServerHandshakeError) as full:
                await http.ws_connect(ws_url, headers={"Origin": base})
            assert full.value.status == 503
            await ws.close()

    asyncio.run(scenario())


def test_solo_serve_on_every_address_needs_a_public_url(capsys):
    """`backchannel serve` goes through the same guarded server (and says what to do)."""
    import tui

    assert tui.serve("0.0.0.0", free_port()) == 2
    err = capsys.readouterr().err
    assert "--public-url http://ADDRESS:" in err and "every address" in err


def test_solo_serve_runs_the_app_in_served_mode(monkeypatch):
    """Each browser visitor's app knows it is served (no saved games of the server's user,
    exports as downloads: tests/tui/test_play.py), from the fixed command, not the visitor."""
    import backchannel_tui.serving as serving
    import tui

    seen = []
    monkeypatch.setattr(serving, "serve_app", lambda command, **kw: seen.append(command))
    assert tui.serve("127.0.0.1", free_port()) == 0
    assert shlex.split(seen[0])[1:] == ["-m", "tui", "--served"]


def test_a_served_visitors_game_stays_out_of_the_hosts_data_folder(tmp_path, monkeypatch):
    """A served visitor's game was saved in the data folder of the server's user, where it
    piled up and filled that user's own list of saved games. It is saved in a folder of the
    visitor's process instead, which is gone when the tab closes."""
    import tui
    from tests.tui.helpers import example_catalog, run, settle

    host = tmp_path / "host-data"
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(host))
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(example_catalog(tmp_path / "scen")))
    seen: dict = {}

    def visit(app) -> None:  # what a browser tab does, headless
        async def script(pilot):
            await pilot.press("enter")  # the example, its briefing
            await settle(pilot)
            await pilot.press("enter", "1", "enter")
            await settle(pilot)
            await pilot.press("enter")  # confirm the first option
            await settle(pilot)
            seen["save"] = app.session.path
            seen["kept"] = app.session.path.exists() and len(app.session.decisions) == 1
            seen["data"] = os.environ["BACKCHANNEL_DATA_DIR"]

        run(app, script)

    monkeypatch.setattr(tui.BackchannelApp, "run", visit)
    tui.run_app(served=True)
    assert seen["kept"]  # the game is saved while the tab is open
    assert seen["save"].is_relative_to(seen["data"]) and seen["data"] != str(host)
    assert not Path(seen["data"]).exists()
    assert not (host / "saves").exists() or not any((host / "saves").iterdir())
    assert os.environ["BACKCHANNEL_DATA_DIR"] == str(host)


def test_serving_removes_the_folders_of_visitor_processes_that_were_killed(tmp_path):
    """A visitor process killed outright (the server got SIGKILL or SIGHUP) cannot remove
    its folder; the next `serve` does, and leaves live processes' folders alone."""
    import tui

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = tmp_path / f"backchannel-visitor-{gone.stdout.strip()}-abc"
    live = tmp_path / f"backchannel-visitor-{os.getpid()}-def"
    other = tmp_path / "backchannel-visitor-notapid"
    for folder in (dead, live, other):
        (folder / "saves").mkdir(parents=True)
        (folder / "saves" / "game.jsonl").write_text("{}\n")
    assert tui.remove_stale_visitor_folders(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and live.exists() and other.exists()


def test_public_url_and_origins():
    assert public_url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url_for("192.168.1.20", 8000) == "http://192.168.1.20:8000"
    assert public_url_for("::1", 8000) == "http://[::1]:8000"
    assert public_url_for("0.0.0.0", 8000, "https://ws.example.org/") == \
        "https://ws.example.org"
    for bad in ("0.0.0.0", "::"):
        with pytest.raises(ServeError, match="--public-url"):
            public_url_for(bad, 8000)
    with pytest.raises(ServeError, match="not a web address"):
        public_url_for("0.0.0.0", 8000, "ws.example.org:8000")
    # Browsers leave default ports out of Origin; a LAN server accepts only its own address.
    assert allowed_origins("https://ws.example.org:443", "0.0.0.0", 8000) == \
        {"https://ws.example.org"}
    assert "http://localhost:8000" in allowed_origins("http://127.0.0.1:8000", "127.0.0.1",
                                                      8000)
    assert clamp_size("100000", None) == (MAX_WIDTH, 24)
    assert clamp_size(0, "7") == (1, 7)


def test_workshop_serve_needs_a_public_url_on_every_address(tmp_path, capsys):
    from backchannel_cli.main import main
    from engine.workshop import create_workshop, open_store

    store = str(tmp_path / "w.sqlite3")
    w = create_workshop(open_store(store), EXAMPLE, ["Red"], seed=1)
    assert main(["workshop", "serve", w.id, "--store", store, "--host", "0.0.0.0"]) == 2
    assert "--public-url" in capsys.readouterr().err
    assert main(["workshop", "serve", "w-nope00", "--store", store]) == 1
    assert "w-nope00" in capsys.readouterr().err


def test_a_team_joins_a_served_workshop_from_a_browser_session(tmp_path):
    """The real `backchannel workshop serve`: a websocket from the page's own origin gets a
    team client that asks for the code; typing the code shows the team's round. The console
    is not reachable: the only command served is the team client."""
    from engine.workshop import create_workshop, open_store

    store = str(tmp_path / "w.sqlite3")
    w = create_workshop(open_store(store), EXAMPLE, ["Red", "Blue"], seed=1)
    code = open_store(store).teams(w.id)[0].code
    port = free_port()
    proc = start([sys.executable, "-m", "backchannel_cli.main", "workshop", "serve", w.id,
                  "--store", store, "--port", str(port)], port)
    base = f"http://127.0.0.1:{port}"
    try:
        async def scenario() -> None:
            async with aiohttp.ClientSession() as http:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(f"ws://127.0.0.1:{port}/ws",
                                          headers={"Origin": "http://evil.example"})
                assert refused.value.status == 403
                ws = await http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30",
                                           headers={"Origin": base})
                await _read_until(ws, "Join your team", timeout=30)
                await ws.send_json(["stdin", code + "\r"])
                await _read_until(ws, "Red", timeout=30)
                await ws.close()

        asyncio.run(scenario())
    finally:
        stop(proc)
    from engine.workshop import Room

    room = Room(open_store(store), w.id)
    assert room.snap.team(1).joined_at is not None
    joins = room.store.events(w.id, kinds=("join",))
    assert [e.data.get("client") for e in joins] == ["browser"]
