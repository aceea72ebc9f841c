"""Textual's Footer, rebuilt once for a burst of binding changes instead of once per change.

Showing a screen changes its bindings two or three times in a row (the screen resumes, a
widget takes focus, then the focus change is announced again after the refresh); Textual's
Footer rebuilds all its keys after each, one rebuild after the other (about 7 ms each on the
picker, on the way to the first screen). Here each change is scheduled as before, but only the
last one scheduled rebuilds: it reads the bindings as they are by then, so the footer ends the
same."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _changes = 0  # binding changes seen; a scheduled rebuild runs only if it is the last

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._changes += 1
            self.call_after_refresh(self._rebuild, self._changes)

    async def _rebuild(self, change: int) -> None:
        if change == self._changes:
            await self.recompose()
