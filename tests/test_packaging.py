"""A non-editable install finds the bundled scenarios, the app's stylesheet and templates."""

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

pytest.importorskip("hatchling")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (path,) = out.glob("backchannel-*.whl")
    return path


def test_wheel_carries_scenarios_app_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for scenario in ROOT.glob("scenarios/*.yaml"):
        assert f"engine/_bundled_scenarios/{scenario.name}" in names
    for needed in ("tui.py", "backchannel_tui/app.tcss", "engine/present/templates/debrief.html.j2",
                   "backchannel_cli/main.py"):
        assert needed in names, needed
    assert not any(n.startswith("tests/") for n in names)


def test_installed_code_finds_and_plays_bundled_scenarios(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("from engine.scenario.catalog import bundled\n"
            "from backchannel_cli.main import main\n"
            "print([p.parent.name for p in bundled()])\n"
            "raise SystemExit(main(['check', '-q']))\n")
    env = {**os.environ, "PYTHONPATH": str(site), "BACKCHANNEL_DATA_DIR": str(tmp_path / "d")}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "'_bundled_scenarios'" in out.stdout and "all ok" in out.stdout
