"""Scenario prose reflowed for display: light (no scenario model), so the app's first
screen can use it before the wording layer is imported; ``wording`` re-exports it."""

from __future__ import annotations

import re

_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def reflow(text: str | None) -> str:
    """Scenario text reflowed: YAML block text carries the author's line breaks, which would
    wrap raggedly at any other width. Paragraphs (blank lines) and list items stay; other line
    breaks become spaces."""
    if not text:
        return ""
    paragraphs = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for line in para.splitlines():
            line = line.strip()
            if not line:
                continue
            if lines and not _LIST_ITEM.match(line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        paragraphs.append("\n".join(" ".join(x.split()) for x in lines))
    return "\n\n".join(paragraphs)
