"""engine/ is headless: importing every module of it must not import a UI toolkit."""

import pkgutil
import subprocess
import sys

import engine


def test_engine_imports_no_ui_toolkit():
    modules = [f"engine.{m.name}" for m in pkgutil.iter_modules(engine.__path__)]
    assert "engine.rules" in modules and "engine.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', "
        "'textual_serve', 'tui', 'backchannel_tui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "", f"engine imported UI modules: {out.stdout}"
