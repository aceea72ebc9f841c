"""The part of ``backchannel_tui.text`` that needs no engine objects: escaping, reflowed
prose and the header's title. The picker and the app's header use it before any scenario,
rule or wording module is imported (the app's first screen paints sooner without them);
``text`` re-exports it."""

from __future__ import annotations

from textual.app import App
from textual.content import Content
from textual.markup import escape

from engine.present.reflow import reflow


def esc(text: object) -> str:
    return escape(str(text))


def prose(text: str | None) -> str:
    """Scenario text reflowed for the screen (see engine.present.reflow)."""
    return reflow(text)


def fit_title(title: str, sub_title: str, width: int) -> str:
    """The header's title shortened (with an ellipsis, or dropped) so that the sub-title, which
    says where the player is ("Round 3 of 6 · outcome"), is never the part that is cut."""
    room = width - 18  # the header's icon, clock space and padding
    if not sub_title or len(title) + 3 + len(sub_title) <= room:
        return title
    keep = room - 3 - len(sub_title)
    return title[:keep - 1].rstrip() + "…" if keep > 8 else ""


def fitted_header_title(app: App, title: str, sub_title: str) -> Content:
    """``App.format_title`` with the title fitted to the window (``fit_title``): what the
    solo app's and the team client's headers show."""
    title = fit_title(title, sub_title, app.size.width)
    return App.format_title(app, title, sub_title) if title else Content(sub_title)
