from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "example-scenario.yaml"
SCENARIOS = ROOT / "scenarios"


def _find_sources() -> Path:
    """The source editions (shared/sources beside the checkout, or beside any folder above it:
    a git worktree sits deeper than the main checkout). Tests that need them skip without."""
    for folder in ROOT.parents:
        if (folder / "shared" / "sources").is_dir():
            return folder / "shared" / "sources"
    return ROOT.parent / "shared" / "sources"


SOURCES = _find_sources()


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: one worker more than cores. Much of the suite waits rather than computes
    (Textual's pilot waits for the app to go idle, tests wait on subprocesses, servers and
    store notifications), so a third worker on two cores overlaps those waits: measured on
    the 2-core machine, 62 s with two workers, 54-57 s with three."""
    return (os.cpu_count() or 1) + 1


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Saves, settings and caches never touch the real user folders during tests."""
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("BACKCHANNEL_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    # Compiled scenario copies (engine.scenario.compiled) start empty for every test.
    monkeypatch.setenv("BACKCHANNEL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # The picker's metadata memo on disk (engine.scenario.meta) is per process: a test that
    # shows the picker must not leave it pointing into its data folder for the next test.
    from engine.scenario import meta

    monkeypatch.setattr(meta, "_disk", {"file": None, "entries": None})


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def write(tmp_path):
    """write(text, name='s.yaml') -> path of a new scenario file."""

    def _write(text: str, name: str = "s.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write


@pytest.fixture(scope="session")
def pg_server_url():
    """A real PostgreSQL server for this test process (one per xdist worker), started from the
    installed server programs in a temporary directory; see tests/pgserver.py."""
    from tests import pgserver

    with pgserver.running_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server_url, request):
    """A fresh, empty database on the test server, for one test."""
    import re
    import uuid

    from tests import pgserver

    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return pgserver.create_database(pg_server_url, name)
