"""The architecture holds at run time, not only in import statements: running the headless
commands never loads a UI toolkit, and the Textual app never loads line mode.

The static side (which package may import which) is `lint-imports` in .ci/run, configured in
pyproject.toml; these tests catch what it cannot see: imports made while a command runs."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "example-scenario.yaml"
UI = ("textual", "rich", "textual_serve", "tui", "backchannel_tui")

# Runs the real `backchannel` entry point, then writes every module loaded on the way.
RUN_AND_RECORD = """
import atexit, os, sys
atexit.register(lambda: open(os.environ["MODULES_OUT"], "w").write("\\n".join(sys.modules)))
from backchannel_cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _modules_loaded_by(args: list[str], tmp_path: Path, stdin: str = "") -> set[str]:
    out = tmp_path / "modules.txt"
    env = {**os.environ, "MODULES_OUT": str(out), "BACKCHANNEL_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", RUN_AND_RECORD, *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return set(out.read_text().split("\n"))


def _ui(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in UI)


def test_every_engine_module_imports_without_a_ui_toolkit():
    names = [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]
    assert {"engine.play.rules", "engine.scenario.loader", "engine.present.debrief"} <= set(names)
    code = ("import importlib, sys\n"
            f"for m in {names!r}: importlib.import_module(m)\n"
            f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {UI!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("args", [
    ["check", str(EXAMPLE)],
    ["explore", str(EXAMPLE)],
    ["explore", "--json", str(EXAMPLE)],
    ["list"],
], ids=["check", "explore", "explore-json", "list"])
def test_headless_commands_never_load_textual(args, tmp_path):
    assert _ui(_modules_loaded_by(args, tmp_path)) == []


def test_a_scripted_line_mode_game_never_loads_textual(tmp_path):
    save = tmp_path / "game.jsonl"
    loaded = _modules_loaded_by(["play", "--plain", str(EXAMPLE), "--seed", "1", "--save",
                                 str(save)], tmp_path, stdin="1 # why not\n1\n1\n1\n")
    assert save.stat().st_size > 0  # the game really ran and recorded its decisions
    assert _ui(loaded) == []
    assert "engine.play.rules" in loaded


def test_the_textual_app_does_not_load_line_mode():
    code = ("import sys, tui\n"
            "from backchannel_tui.screens import briefing, debrief, decision, modals, outcome\n"
            "print(','.join(sorted(m for m in sys.modules if m.startswith('backchannel_cli'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_checking_a_file_loads_only_what_checking_needs(tmp_path):
    # `backchannel check` runs after every edit, and most of its time is start-up: it does
    # not load what only games, saves or broken files need (measured together: about 25 ms
    # of the 0.1 s that benchmarks/side_by_side.py compared with ChoiceScript's quicktest;
    # PyYAML was 10 of them, and the quick reader reads a well-formed file without it).
    loaded = _modules_loaded_by(["check", str(EXAMPLE)], tmp_path)
    assert "engine.analysis.reachability" in loaded  # the file was checked all the way
    assert sorted(loaded & {"argparse", "cattrs", "hashlib", "pathlib", "pickle", "yaml",
                            "engine.scenario.compiled", "engine.play.session"}) == []
