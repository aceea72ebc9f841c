"""Textual's Footer, rebuilt once for a burst of binding changes instead of once per change.

Showing a screen changes its bindings two or three times in a row (the screen resumes, a
widget takes focus, then the focus change is announced again after the refresh); Textual's
Footer rebuilds all its keys for each, one after the other (about 7 ms each on the picker, on
the way to the first screen). Here the rebuilds still pending when another change arrives are
merged into one, which reads the bindings as they are by then: the footer ends the same."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _rebuild_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        await self.recompose()
