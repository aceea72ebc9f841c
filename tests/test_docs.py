"""The documentation names things that exist: the limits it promises are the code's, and every
module, file or folder it points a reader at is really there (modules move; docs forget)."""

from __future__ import annotations

import importlib
import importlib.util
import re

import pytest

from engine.scenario import yamlsrc
from tests.conftest import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
PACKAGES = ("engine", "backchannel_cli", "backchannel_tui", "backchannel_workshop")
_PKG = "|".join(PACKAGES)
DOTTED = re.compile(rf"\b((?:{_PKG})(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
PATH = re.compile(rf"(?<![\w/.-])((?:{_PKG}|docs|tests|benchmarks)/[\w./-]*)")


def test_scenario_format_states_the_loaders_limits():
    text = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    limits = next(ln for ln in text.splitlines() if ln.startswith("- Limits:"))
    assert f"{yamlsrc.MAX_BYTES >> 20} MiB per file" in limits
    assert f"nesting {yamlsrc.MAX_DEPTH} deep" in limits
    assert f"{yamlsrc.MAX_NODES:,} YAML nodes" in limits


def _resolves(dotted: str) -> bool:
    """``a.b.c`` is a module, or an attribute of the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            obj = importlib.import_module(name)
            for attr in parts[cut:]:
                if not hasattr(obj, attr):
                    return False
                obj = getattr(obj, attr)
            return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_and_path_a_document_names_exists(doc):
    text = doc.read_text(encoding="utf-8")
    missing = [m for m in sorted(set(DOTTED.findall(text))) if not _resolves(m)]
    missing += [p for p in sorted(set(PATH.findall(text)))
                if not (ROOT / p.rstrip(".")).exists() and "*" not in p]
    assert missing == [], f"{doc.name} names what no longer exists: {missing}"
