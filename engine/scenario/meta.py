"""What the scenario picker shows about a scenario file, read without structuring or
checking it; and ``file_identity``, the key that memoises work on a file's content.

Light on purpose: the app's first screen and the saves list use it before the loader, the
model and the checks are imported. With ``remember_in(FILE)`` (the app does it), what was read
is also kept in FILE for the next process, keyed like the in-process memo on the file's
resolved path, mtime and size: the first screen then reads no YAML and does not even import
the YAML reader (25 ms of the picker's 400)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import attrs


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

# The on-disk memo: only readable files with no problem are kept (a problem's message is
# worth reading again); bounded, and every entry checked field by field when it is read.
_DISK_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "title": str, "region": str, "situation_date": str, "summary": str,
    "rounds": int, "solo_minutes": (int, type(None)), "workshop_minutes": (int, type(None))}
DISK_MAX_ENTRIES = 200
DISK_MAX_BYTES = 1 << 20
_disk: dict[str, object] = {"file": None, "entries": None}


def remember_in(file: Path | None) -> None:
    """Keep what ``info`` reads in ``file`` for later processes (None: only in memory). A
    relative ``file`` is taken from the current folder now, not at each later write."""
    file = file.absolute() if file is not None else None
    if _disk["file"] != file:
        _disk["file"], _disk["entries"] = file, None


def _disk_entries() -> dict[str, dict]:
    entries = _disk["entries"]
    if isinstance(entries, dict):
        return entries
    file = _disk["file"]
    entries = {}
    if isinstance(file, Path):
        try:
            if file.stat().st_size <= DISK_MAX_BYTES:
                data = json.loads(file.read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("entries"), dict):
                    entries = data["entries"]
        except (OSError, ValueError, RecursionError):
            entries = {}
    _disk["entries"] = entries
    return entries


def _from_disk(path: Path, key: str) -> ScenarioInfo | None:
    entry = _disk_entries().get(key)
    if not isinstance(entry, dict) or set(entry) != set(_DISK_FIELDS):
        return None
    for name, kind in _DISK_FIELDS.items():
        if not isinstance(entry[name], kind) or isinstance(entry[name], bool):
            return None
    return ScenarioInfo(path, **entry)


def _to_disk(key: str, result: ScenarioInfo) -> None:
    """Best effort: written whole, then renamed into place; a read-only folder only means
    the next process reads the YAML again."""
    file = _disk["file"]
    if not isinstance(file, Path):
        return
    entries = _disk_entries()
    if len(entries) >= DISK_MAX_ENTRIES:
        entries.clear()
    entries[key] = {name: getattr(result, name) for name in _DISK_FIELDS}
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"entries": entries}), encoding="utf-8")
        tmp.replace(file)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def info(path: Path) -> ScenarioInfo:
    """Picker metadata of one scenario file, memoised on (path, mtime, size)."""
    path = Path(path)
    key = file_identity(path)
    if key is None:
        return ScenarioInfo(path, path.stem, path.stem, problem=f"{path}: cannot be read")
    if key in _INFO:
        return _INFO[key]
    disk_key = json.dumps([str(path), *key])
    remembered = _from_disk(path, disk_key)
    if remembered is not None:
        _INFO[key] = remembered
        return remembered
    from engine.scenario import yamlsrc  # only now: importing it costs the first screen

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
        if result.problem is None:
            _to_disk(disk_key, result)
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
