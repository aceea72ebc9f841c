"""Serving a Textual app to browsers (textual-serve), made safe enough for a room of people.

textual-serve as shipped accepts a websocket from any page on any site (no Origin check), any
terminal size the browser claims (one client at 100000x100000 took 1.6 GB), any number of
sessions, and builds the page's websocket address from the bind address, so a server bound to
``0.0.0.0`` tells every browser to connect to ``0.0.0.0``. ``GuardedServer`` closes each of
these; ``serve_app`` is what `backchannel serve` and `backchannel workshop serve` call.

Rules: loopback unless told otherwise; a server reachable from other machines needs the
address browsers will use (``public_url``), derived from a specific ``--host`` or given; the
websocket's Origin must be that address (or, on loopback, a loopback alias of it); terminal
sizes are clamped to ``MAX_WIDTH`` x ``MAX_HEIGHT``; at most ``max_sessions`` app processes run
at once. Each browser tab runs ``command`` in its own process: the command is fixed by the
server, never built from anything a visitor sends. What the app needs but must not show in
``ps`` (a database URL with a password) goes to it in ``env``, added to its environment.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("textual-serve")

MAX_WIDTH, MAX_HEIGHT = 300, 120
MAX_MESSAGE = 64 * 1024  # one websocket message (a key press, a paste, a resize)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")


class ServeError(Exception):
    """The server cannot start as asked; the message says what to do (one paragraph)."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _this_machines_addresses() -> list[str]:
    """Addresses other machines might reach this one at (for the error message only)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    found = {str(info[4][0]) for info in infos}
    return sorted(a for a in found if not is_loopback(a))


def public_url_for(host: str, port: int, public_url: str | None = None) -> str:
    """The address browsers use to reach the server (no trailing slash).

    Given: checked (http or https, a host, nothing after the path). Not given: on loopback
    or a specific address, ``http://HOST:PORT``; on a wildcard address (every interface) there
    is no single answer, so ServeError asks for one."""
    if public_url:
        parts = urlsplit(public_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServeError(f"--public-url {public_url!r} is not a web address; give the "
                             "address browsers will open, e.g. http://192.168.1.20:8000")
        if parts.query or parts.fragment:
            raise ServeError(f"--public-url {public_url!r} has a query or fragment; give only "
                             "scheme, host, port (and a path prefix if behind a proxy)")
        return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    if host in WILDCARDS:
        seen = _this_machines_addresses()
        hint = (f" (this machine's addresses: {', '.join(seen)})" if seen else "")
        raise ServeError(
            f"--host {host or '(all)'} listens on every address, but the page must tell "
            "browsers which one to connect to: add --public-url http://ADDRESS:"
            f"{port} with the address participants will type{hint}")
    return f"http://{_netloc(host, port)}"


def origin_of(url: str) -> str:
    """scheme://host[:port] as browsers send it in Origin (default ports left out)."""
    parts = urlsplit(url.strip().lower())
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def allowed_origins(public_url: str, host: str, port: int) -> frozenset[str]:
    """The Origins a websocket may come from: the public URL's, plus, on loopback, the
    other names of this machine's loopback at the same port."""
    origins = {origin_of(public_url)}
    if is_loopback(host):
        origins |= {origin_of(f"http://{_netloc(name, port)}") for name in LOOPBACK_NAMES}
    return frozenset(origins)


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size the app may use: whole numbers, at least 1x1, at most the bound."""

    def number(value: object, default: int) -> int:
        try:
            return int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return default

    return (min(MAX_WIDTH, max(1, number(width, 80))),
            min(MAX_HEIGHT, max(1, number(height, 24))))


class _AppProcess(AppService):
    """textual-serve's AppService, with ``env`` added to the app process's environment (an
    environment is visible only to the same user and root; a command line to everyone)."""

    def __init__(self, command: str, *, env: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.extra_env = dict(env)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width=width, height=height), **self.extra_env}


class GuardedServer(Server):
    """textual-serve's Server with an Origin check, a size bound and a session cap."""

    def __init__(self, command: str, *, host: str = "127.0.0.1", port: int = 8000,
                 title: str = "backchannel", public_url: str | None = None,
                 max_sessions: int = 30, env: Mapping[str, str] | None = None) -> None:
        url = public_url_for(host, port, public_url)
        super().__init__(command, host=host, port=port, title=title, public_url=url)
        self.origins = allowed_origins(url, host, port)
        self.max_sessions = max(1, max_sessions)
        self.sessions = 0
        self.env = dict(env or {})

    async def _make_app(self) -> web.Application:
        app = web.Application()
        import aiohttp_jinja2
        import jinja2

        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        where = "this machine only" if is_loopback(self.host) else "the network"
        self.console.print(f"Serving {self.title} on {self.public_url} ({where}; at most "
                           f"{self.max_sessions} browser sessions at once)")
        self.console.print("[cyan]Press Ctrl+C to quit")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is None or origin_of(origin) not in self.origins:
            log.warning("refused a websocket from origin %r (expected %s)", origin,
                        " or ".join(sorted(self.origins)))
            raise web.HTTPForbidden(text="This page was not opened from the server's own "
                                    f"address; open {self.public_url}")
        if self.sessions >= self.max_sessions:
            log.warning("refused a session: %d already running", self.sessions)
            raise web.HTTPServiceUnavailable(text=f"All {self.max_sessions} sessions are in "
                                             "use; close a tab or ask the facilitator")
        width, height = clamp_size(request.query.get("width"), request.query.get("height"))
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        self.sessions += 1
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            async def close() -> None:
                await websocket.close()

            service = _AppProcess(self.command, write_bytes=websocket.send_bytes,
                                  write_str=websocket.send_str, close=close,
                                  download_manager=self.download_manager, debug=self.debug,
                                  env=self.env)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one broken session must not stop the server
            log.exception(error)
        finally:
            self.sessions -= 1
            if service is not None:
                await service.stop()
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse,
                                app_service: AppService) -> None:
        """Like textual-serve's, but a resize is clamped and a malformed message ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*clamp_size(data.get("width"),
                                                                data.get("height")))
            elif kind == "ping" and isinstance(data, str):
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


def serve_app(command: str, *, host: str = "127.0.0.1", port: int = 8000,
              public_url: str | None = None, title: str = "backchannel",
              max_sessions: int = 30, env: Mapping[str, str] | None = None) -> None:
    """Serve ``command`` (a Textual app) to browsers until Ctrl+C, each app process with
    ``env`` added to its environment. Raises ServeError."""
    GuardedServer(command, host=host, port=port, title=title, public_url=public_url,
                  max_sessions=max_sessions, env=env).serve()
