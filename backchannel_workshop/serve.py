"""`backchannel workshop serve`: the team client for browsers.

Every browser tab gets its own team-client process, started with a fixed command built from
the workshop's id (checked here, shell-quoted); nothing a visitor sends becomes part of it.
The store reaches that process in its environment ($BACKCHANNEL_STORE), never on its command
line: a ``postgresql://`` URL may carry a password, and command lines are visible to every
user of the machine (``ps``). The client accepts only this workshop's codes. The console and
the projector are never served. Default cap: three sessions per team.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from backchannel_tui.serving import ServeError, serve_app
from engine.workshop import Room, WorkshopError, open_store
from engine.workshop.store import STORE_ENV, is_server_url

SESSIONS_PER_TEAM = 3


def team_command(workshop_id: str, accept_changed: bool = False) -> str:
    """The team client's command line (the store goes in its environment: see store_env)."""
    parts = [sys.executable, "-m", "backchannel_workshop.team", "--workshop", workshop_id,
             "--client", "browser"]
    if accept_changed:
        parts.append("--accept-changed-scenario")
    return " ".join(shlex.quote(part) for part in parts)


def store_env(store: str | None, location: str) -> dict[str, str]:
    """The environment naming the store for team-client processes: a server URL as given
    (with whatever credentials it carries), a file as an absolute path (the processes may not
    share the server's working directory)."""
    raw = store if store is not None else os.environ.get(STORE_ENV) or None
    target = str(raw) if is_server_url(raw) else str(Path(location).resolve())
    return {STORE_ENV: target}


def serve_teams(workshop_id: str, store: str | None = None, *, host: str = "127.0.0.1",
                port: int = 8000, public_url: str | None = None,
                max_sessions: int | None = None, accept_changed: bool = False) -> int:
    try:
        opened = open_store(store, create=False)
        room = Room(opened, workshop_id, accept_changed_scenario=accept_changed)
    except WorkshopError as exc:
        print(f"backchannel: {exc}", file=sys.stderr)
        return 1
    people = [t for t in room.snap.teams if t.bot is None]
    cap = max_sessions if max_sessions is not None else max(1, len(people)) * SESSIONS_PER_TEAM
    env = store_env(store, opened.location)
    opened.close()
    try:
        serve_app(team_command(room.id, accept_changed), host=host, port=port,
                  public_url=public_url, title=f"backchannel workshop: {room.workshop.name}",
                  max_sessions=cap, env=env)
    except ServeError as exc:
        print(f"backchannel: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"backchannel: cannot listen on {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0
