"""Where scenarios live: the bundled ones (in a wheel: engine/_bundled_scenarios; in a source
checkout or editable install: the top-level scenarios/ folder) or a path the user gives."""

from __future__ import annotations

import os
from pathlib import Path

import attrs

_HERE = Path(__file__).resolve().parent


def file_identity(path: Path) -> tuple | None:
    """(resolved path, mtime, size): the key for memoising work on a file's content.
    None when the file cannot be examined (the caller then does the work uncached)."""
    try:
        st = path.stat()
        return (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        return None


class NotFound(LookupError):
    """No scenario by that name or path; the message says what exists."""


def bundled_dir() -> Path:
    override = os.environ.get("BACKCHANNEL_SCENARIOS")
    if override:
        return Path(override)
    packaged = _HERE / "_bundled_scenarios"
    if packaged.is_dir():
        return packaged
    return _HERE.parent / "scenarios"


def bibliography_path() -> Path:
    """The shared bibliography (in a wheel: engine/_bibliography.yaml; in a checkout or
    editable install: bibliography.yaml at the top of the project)."""
    override = os.environ.get("BACKCHANNEL_BIBLIOGRAPHY")
    if override:
        return Path(override)
    packaged = _HERE / "_bibliography.yaml"
    return packaged if packaged.is_file() else _HERE.parent / "bibliography.yaml"


def bundled() -> list[Path]:
    """The bundled scenario files, sorted by name."""
    folder = bundled_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def find(name: str) -> Path:
    """A bundled scenario by id (file stem), or any file by path."""
    path = Path(name).expanduser()
    if path.is_file() or path.suffix in (".yaml", ".yml") or os.sep in name:
        if not path.exists():
            raise NotFound(f"{name}: no such file")
        return path
    for candidate in bundled():
        if candidate.stem == name:
            return candidate
    ids = ", ".join(p.stem for p in bundled()) or "(none bundled)"
    raise NotFound(f"no scenario '{name}'; bundled scenarios: {ids} (or give a path to a .yaml)")


@attrs.frozen
class ScenarioInfo:
    """What the scenario picker shows, read without structuring or checking the file.
    ``problem`` is set when even that much cannot be read (opening it will explain more)."""

    path: Path
    id: str
    title: str
    region: str = ""
    situation_date: str = ""
    summary: str = ""
    rounds: int = 0
    solo_minutes: int | None = None
    workshop_minutes: int | None = None
    problem: str | None = None


_INFO: dict[tuple, ScenarioInfo] = {}


def info(path: Path) -> ScenarioInfo:
    """Picker metadata of one scenario file, memoised on (path, mtime, size)."""
    from . import yamlsrc

    path = Path(path)
    key = file_identity(path)
    if key is None:
        return ScenarioInfo(path, path.stem, path.stem, problem=f"{path}: cannot be read")
    if key in _INFO:
        return _INFO[key]
    try:
        data = yamlsrc.parse(yamlsrc.read_text(path.read_bytes())).data
    except yamlsrc.YamlProblem as exc:
        where = f":{exc.pos.line}:{exc.pos.col}" if exc.pos else ""
        result = ScenarioInfo(path, path.stem, path.stem, problem=f"{path}{where}: {exc}")
    else:
        result = _info_from(path, data)
    _INFO[key] = result
    return result


def _info_from(path: Path, data: object) -> ScenarioInfo:
    if not isinstance(data, dict):
        return ScenarioInfo(path, path.stem, path.stem, problem=f"{path}: not a scenario")

    def text(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    duration = (data.get("about") or {}).get("duration") if isinstance(
        data.get("about"), dict) else None
    duration = duration if isinstance(duration, dict) else {}
    rounds = data.get("rounds")

    def minutes(key: str) -> int | None:
        value = duration.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return ScenarioInfo(
        path, text("id") or path.stem, text("title") or path.stem, text("region"),
        text("situation_date"), text("summary"), len(rounds) if isinstance(rounds, list) else 0,
        minutes("solo_minutes"), minutes("workshop_minutes"),
    )
