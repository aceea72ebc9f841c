"""Facilitated workshops in Textual: the facilitator console, the projector view and the team
client (in a terminal, or served to browsers). The headless core is engine.workshop; these
screens only render it and send the facilitator's and teams' intents to its Room.

The launchers below are what `backchannel workshop run|screen|join|serve` call; each imports
its app only when called, so the command line stays light.
"""

from __future__ import annotations


def run_console(workshop_id: str, store: str | None = None) -> int:
    """The facilitator console, in this terminal (never served)."""
    from backchannel_workshop.console import run_console as run

    return run(workshop_id, store)


def run_projector(workshop_id: str, store: str | None = None) -> int:
    """The projector view, read-only, in this terminal."""
    from backchannel_workshop.projector import run_projector as run

    return run(workshop_id, store)


def run_team(code: str | None = None, store: str | None = None) -> int:
    """The team client in this terminal: asks for the code unless given."""
    from backchannel_workshop.team import run_team as run

    return run(code, store)


def serve_teams(workshop_id: str, store: str | None = None, host: str = "127.0.0.1",
                port: int = 8000, public_url: str | None = None,
                max_sessions: int | None = None) -> int:
    """Team clients in browsers (one process per tab), for this workshop's codes only."""
    from backchannel_workshop.serve import serve_teams as serve

    return serve(workshop_id, store, host=host, port=port, public_url=public_url,
                 max_sessions=max_sessions)
