"""A DataTable that fills itself from ``fill()`` and refills when the theme changes (its
cells are Rich Text with the theme's colours resolved)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable


class ThemedTable(DataTable):
    def __init__(self, filler: Callable[[DataTable], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.filler = filler

    def on_mount(self) -> None:
        self.fill()
        self.app.theme_changed_signal.subscribe(self, self._refill)

    def _refill(self, _theme=None) -> None:
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self.fill()
        if self.row_count:
            self.cursor_coordinate = cursor

    def fill(self) -> None:
        if self.filler is not None:
            self.filler(self)
