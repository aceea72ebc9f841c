"""What every full screen of the app shares: its width class from the first frame, and the
command-palette entries it declares for itself."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.screen import Screen


class BaseScreen(Screen):
    """A full screen. ``palette_commands()`` lists the screen's own entries for the command
    palette (the app adds the app-wide ones)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Textual sets the breakpoint class (-narrow, -medium, -wide) on the first Resize,
        # after the first frame: set it now so a narrow terminal never flashes the wide
        # layout (and nothing re-wraps after the first key).
        try:
            app = self.app
        except Exception:  # built outside a running app (e.g. in a unit test)
            return
        width = app.size.width
        for threshold, name in reversed(app.HORIZONTAL_BREAKPOINTS or []):
            if width >= threshold:
                self.add_class(name)
                break

    def palette_commands(self) -> Iterable[SystemCommand]:
        return ()
