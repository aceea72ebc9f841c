"""Where scenarios live: the bundled ones (in a wheel: engine/_bundled_scenarios; in a source
checkout or editable install: the top-level scenarios/ folder) or a path the user gives.

pathlib is imported by the functions that return a Path, not here: the command line imports
this module, and `backchannel check FILE` would pay 4 ms for it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_HERE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the engine package


class NotFound(LookupError):
    """No scenario by that name or path; the message says what exists."""


def bundled_dir() -> Path:
    from pathlib import Path

    override = os.environ.get("BACKCHANNEL_SCENARIOS")
    if override:
        return Path(override)
    packaged = Path(_HERE, "_bundled_scenarios")
    if packaged.is_dir():
        return packaged
    return Path(_HERE).parent / "scenarios"


def bibliography_path() -> Path:
    """The shared bibliography (in a wheel: engine/_bibliography.yaml; in a checkout or
    editable install: bibliography.yaml at the top of the project)."""
    from pathlib import Path

    override = os.environ.get("BACKCHANNEL_BIBLIOGRAPHY")
    if override:
        return Path(override)
    packaged = Path(_HERE, "_bibliography.yaml")
    return packaged if packaged.is_file() else Path(_HERE).parent / "bibliography.yaml"


def bundled() -> list[Path]:
    """The bundled scenario files, sorted by name."""
    folder = bundled_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def find(name: str) -> Path:
    """A bundled scenario by id (file stem), or any file by path. A name is taken as
    written: ``~`` is the shell's to expand, so a file may be called ``~draft.yaml``."""
    from pathlib import Path

    path = Path(name)
    if path.is_file() or path.suffix in (".yaml", ".yml") or os.sep in name:
        if not path.exists():
            raise NotFound(f"{name}: no such file")
        return path
    for candidate in bundled():
        if candidate.stem == name:
            return candidate
    ids = ", ".join(p.stem for p in bundled()) or "(none bundled)"
    raise NotFound(f"no scenario '{name}'; bundled scenarios: {ids} (or give a path to a .yaml)")
