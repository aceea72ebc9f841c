"""The Textual workshop commands, added to `backchannel workshop` by backchannel_cli/workshop.py
when this package is installed: `run ID` (facilitator console), `screen ID` (projector),
`serve ID` (team clients in browsers) and `join CODE` without --plain (team client here).

Only argparse at import time: `backchannel --help` and the headless workshop commands build
these parsers without loading Textual; each command imports its app when it runs.
"""

from __future__ import annotations

import argparse


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {port}")
    return port


def _sessions(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("at least 1 session")
    return n


def add_parsers(ws, parent: argparse.ArgumentParser) -> None:
    """Add run, screen and serve to the `workshop` subparsers (``parent`` brings --store and
    --accept-changed-scenario)."""
    p = ws.add_parser("run", parents=[parent], help="the facilitator console (this terminal)",
                      description="The facilitator console: lobby, open/close/reveal/next, "
                      "timer, who has submitted, reveal board, indicators across teams, notes, "
                      "overrides, a message to all teams. Runs only in this terminal.")
    p.add_argument("id", help="the workshop id (see `backchannel workshop list`)")
    p.set_defaults(func=cmd_run)

    p = ws.add_parser("screen", parents=[parent], help="the projector view (read-only)",
                      description="The projector view: the round's situation and timer, who "
                      "has submitted, then the reveal board and the comparison. Read-only.")
    p.add_argument("id", help="the workshop id")
    p.set_defaults(func=cmd_screen)

    p = ws.add_parser(
        "serve", parents=[parent], help="teams join in a web browser",
        description="Serve the team client to browsers: each tab asks for a join code, then "
        "shows that team's round. Loopback only unless --host says so; on a network, browsers "
        "need the address they will open (--public-url, or derived from a specific --host). "
        "The facilitator console is never served.")
    p.add_argument("id", help="the workshop id")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address participants open, e.g. http://192.168.1.20:8000 "
                   "(required with --host 0.0.0.0)")
    p.add_argument("--max-sessions", type=_sessions, metavar="N",
                   help="browser sessions at once (default: 3 per team)")
    p.set_defaults(func=cmd_serve)


def cmd_run(args) -> int:
    from backchannel_workshop.console import run_console

    return run_console(args.id.strip().lower(), args.store,
                       accept_changed=args.accept_changed_scenario)


def cmd_screen(args) -> int:
    from backchannel_workshop.projector import run_projector

    return run_projector(args.id.strip().lower(), args.store,
                         accept_changed=args.accept_changed_scenario)


def cmd_serve(args) -> int:
    from backchannel_workshop.serve import serve_teams

    return serve_teams(args.id.strip().lower(), args.store, host=args.host, port=args.port,
                       public_url=args.public_url, max_sessions=args.max_sessions,
                       accept_changed=args.accept_changed_scenario)


def join(args) -> int:
    """`workshop join CODE` without --plain: the Textual team client in this terminal."""
    from backchannel_workshop.team import run_team

    return run_team(args.code, args.store, accept_changed=args.accept_changed_scenario)
