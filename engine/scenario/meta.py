"""What the scenario picker shows about a scenario file, read without structuring or
checking it; and ``file_identity``, the key that memoises work on a file's content.

Light on purpose (the YAML reader only): the app's first screen and the saves list use it
before the loader, the model and the checks are imported."""

from __future__ import annotations

from pathlib import Path

import attrs

from engine.scenario import yamlsrc


def file_identity(path: Path) -> tuple | None:
    """(resolved path, mtime, size): the key for memoising work on a file's content.
    None when the file cannot be examined (the caller then does the work uncached)."""
    try:
        st = path.stat()
        return (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        return None


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
    path = Path(path)
    key = file_identity(path)
    if key is None:
        return ScenarioInfo(path, path.stem, path.stem, problem=f"{path}: cannot be read")
    if key in _INFO:
        return _INFO[key]
    try:
        data = yamlsrc.parse(yamlsrc.read_text(yamlsrc.read_file(path))).data
    except yamlsrc.YamlProblem as exc:
        where = f":{exc.pos.line}:{exc.pos.col}" if exc.pos else ""
        result = ScenarioInfo(path, path.stem, path.stem, problem=f"{path}{where}: {exc}")
    except OSError as exc:
        return ScenarioInfo(path, path.stem, path.stem,
                            problem=f"{path}: cannot be read ({exc.strerror or exc})")
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
