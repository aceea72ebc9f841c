"""The debrief screen shows the engine's debrief as it is: the summary first, the full lists
in an appendix one key away, and no phrase of the app's own (issue 10 §9, issue 8 §3)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from textual.content import Content
from textual.widgets import Static

from backchannel_tui.screens.debrief import DebriefScreen
from engine.present import wording as w
from engine.present.debrief import Heading, Items, Para, appendix, summary
from tests.tui.helpers import EXAMPLE, run, saved_game, settle
from tui import BackchannelApp

ROOT = Path(__file__).resolve().parents[2]


def _words(blocks) -> list[str]:
    """The plain words of the blocks a reader sees, in order (the chart is drawn apart)."""
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, Para):
            out.append(w.plain(b.text))
        elif isinstance(b, Items):
            out += [w.plain(x) for item, subs in b.items for x in (item, *subs)]
    return out


def test_debrief_leads_with_the_summary_and_keeps_the_lists_in_an_appendix(tmp_path):
    session = saved_game(EXAMPLE, seed=1, path=tmp_path / "g.jsonl")
    app = BackchannelApp(resume=str(session.path))

    async def script(pilot):
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        body = screen.query_one("#debrief-body")
        shown = " ".join(Content.from_markup(str(s.content)).plain
                         for s in body.query(Static) if s.id != "export-result")
        shown = " ".join(shown.split())
        # Every word of the engine's summary and appendix, in their order: summary first.
        at = 0
        for text in _words(summary(screen.debrief)) + _words(appendix(screen.debrief)):
            text = " ".join(text.split())
            found = shown.find(text, at)
            assert found >= 0, f"missing or out of order: {text!r}"
            at = found
        assert shown.startswith(f"Debrief: {screen.scenario.title}")
        assert shown.index("The path taken") < shown.index("Appendix") < shown.index(
            "Trade-offs forgone, in full")

        # "a" jumps to the appendix, and again back to the top.
        assert body.scroll_y == 0
        await pilot.press("a")
        await settle(pilot)
        heading = screen.query_one("#sec-appendix")
        assert body.scroll_y > 0
        assert body.region.y <= heading.region.y <= body.region.y + 1  # at the top
        await pilot.press("a")
        await settle(pilot)
        assert body.scroll_y == 0

    run(app, script, size=(80, 24))


# Words the wording layer owns: an app string that says them re-words the engine.
OWNED = re.compile(r"¶|side by side|\b(?:better|worse)\b", re.IGNORECASE)


def _strings_shown(path: Path):
    """(line, text) of every string constant in a module except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value,
                                                                      ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings):
            yield node.lineno, node.value


def test_the_app_makes_no_phrase_the_wording_layer_owns():
    """Paragraph labels, better/worse and the what-if title come from
    engine.present.wording; the app only styles them."""
    files = [ROOT / "tui.py", *sorted((ROOT / "backchannel_tui").rglob("*.py"))]
    found = [f"{p.relative_to(ROOT)}:{line}: {text!r}" for p in files
             for line, text in _strings_shown(p) if OWNED.search(text)]
    assert not found, "\n".join(found)
