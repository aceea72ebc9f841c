"""A plain-text progress bar for long command-line runs (no rich/textual in engine/).

``TextProgress`` is a progress callback ``(phase, done, total)``: it stays silent for the first
``delay`` seconds, so quick runs print nothing, then redraws one line on its stream (stderr by
default) at most ``interval`` times a second with carriage returns. ``close()`` erases the line.
It draws only on a terminal unless ``force`` is set, so logs and pipes stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class TextProgress:
    def __init__(self, stream: TextIO | None = None, *, delay: float = 1.0,
                 interval: float = 0.1, width: int = 30, force: bool = False,
                 clock=time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.interval = interval
        self.width = width
        self.clock = clock
        self.started = clock()
        self.last = 0.0
        self.drawn = 0  # length of the line on screen
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = force or bool(isatty and isatty())

    def __call__(self, phase: str, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay or now - self.last < self.interval:
            return
        self.last = now
        self._draw(self.line(phase, done, total, now - self.started))

    def line(self, phase: str, done: int, total: int | None, elapsed: float) -> str:
        if total:
            frac = min(1.0, max(0.0, done / total))
            fill = int(round(frac * self.width))
            bar = "#" * fill + "-" * (self.width - fill)
            return f"{phase} [{bar}] {done:,}/{total:,} {elapsed:4.1f}s"
        return f"{phase} {done:,} {elapsed:4.1f}s"

    def _draw(self, text: str) -> None:
        pad = " " * max(0, self.drawn - len(text))
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self.drawn = len(text)

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0

    def __enter__(self) -> TextProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
