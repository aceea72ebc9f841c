"""Session log files: their format, where they live, and listing them.

A log is JSON lines: a header (format, scenario id and content hash, seed, engine version,
team, parent for what-if branches), then one line per decision (round, option, timestamp,
who decided and why; the last decision of a finished game also names its ending). Every line
is flushed and fsynced before the decision is shown as taken.

This module is light on purpose (no rules, no scenario loading): the scenario picker lists
saves with it before anything else is imported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs

from engine.scenario.catalog import NotFound, find
from engine.scenario.loader import info

LOG_FORMAT = 1
MAX_LOG_BYTES = 4 << 20


class SessionError(Exception):
    """A log that cannot be used; the message says why and what to do."""


@attrs.frozen
class Decision:
    round_no: int
    option_id: str
    at: str
    by: str | None = None
    why: str | None = None
    ending: str | None = None  # set on the decision that ended the game ('' for a dead end)


@attrs.frozen
class SaveInfo:
    path: Path
    scenario_id: str
    title: str
    team: str | None
    round_no: int
    decisions: int
    over: bool
    updated: float  # mtime
    parent: str | None = None  # the log a what-if branched from


def data_dir() -> Path:
    """Where saves and exports go: $BACKCHANNEL_DATA_DIR, else the user's data directory."""
    override = os.environ.get("BACKCHANNEL_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("backchannel", appauthor=False))


def saves_dir() -> Path:
    return data_dir() / "saves"


def append_record(path: Path, record: dict, create: bool = False) -> None:
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with open(path, "x" if create else "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def drop_partial_tail(path: Path) -> None:
    """Cut an unconfirmed, half-written last line so that the next append starts clean."""
    raw = path.read_bytes()
    keep = raw.rfind(b"\n") + 1
    if keep < len(raw):
        with open(path, "r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())


def locate_scenario(header: dict, given: str | os.PathLike | None) -> Path:
    if given is not None:
        return Path(given)
    recorded = header.get("scenario_file")
    if recorded and Path(recorded).is_file():
        return Path(recorded)
    try:
        return find(str(header.get("scenario")))
    except NotFound:
        raise SessionError(
            f"cannot find scenario '{header.get('scenario')}' (was {recorded}); pass the "
            "scenario file explicitly"
        ) from None


def read_log(path: Path) -> tuple[dict, list[Decision], list[str]]:
    """Parse a session log; tolerate (and report) a truncated last line."""
    try:
        size = path.stat().st_size
        if size > MAX_LOG_BYTES:
            raise SessionError(f"{path}: {size:,} bytes is too large for a session log")
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise SessionError(f"{path}: no such save file") from None
    except OSError as exc:
        raise SessionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]
    warnings: list[str] = []
    if tail.strip():
        warnings.append(f"{path}:{len(lines)}: the last line was cut off mid-write (probably a "
                        "crash); the decision on it was not confirmed and has been ignored")
    records = []
    for no, line in enumerate(complete, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SessionError(f"{path}:{no}: not a valid log line ({exc.msg}); the file is "
                               "damaged") from None
        if not isinstance(rec, dict):
            raise SessionError(f"{path}:{no}: not a valid log line")
        records.append((no, rec))
    if not records or records[0][1].get("type") != "header":
        raise SessionError(f"{path}: not a backchannel session log (no header line)")
    header = records[0][1]
    if header.get("log_format") != LOG_FORMAT or not isinstance(header.get("seed"), int):
        raise SessionError(f"{path}:1: unknown log format {header.get('log_format')!r}")
    decisions = []
    for no, rec in records[1:]:
        if rec.get("type") != "decision":
            continue  # future record kinds (notes, facilitator marks) are skipped
        rnd, opt = rec.get("round"), rec.get("option")
        if not isinstance(rnd, int) or not isinstance(opt, str):
            raise SessionError(f"{path}:{no}: decision line lacks round/option")
        decisions.append(Decision(rnd, opt, str(rec.get("at", "")), rec.get("by"),
                                  rec.get("why"), rec.get("ending")))
    return header, decisions, warnings


def list_saves(directory: Path | None = None) -> list[SaveInfo]:
    """Saved games, newest first, read from their logs without replaying them (the last
    decision of a finished game records its ending). Damaged logs are skipped; resuming one
    explains what is wrong."""
    folder = directory or saves_dir()
    if not folder.is_dir():
        return []
    out = []
    for p in folder.glob("*.jsonl"):
        try:
            header, decisions, _ = read_log(p)
            scenario_path = locate_scenario(header, None)
        except SessionError:
            continue
        title = info(scenario_path).title
        last = decisions[-1] if decisions else None
        round_no = last.round_no + 1 if last else 1
        parent = (header.get("parent") or {}).get("path")
        out.append(SaveInfo(p, str(header.get("scenario")), title, header.get("team"),
                            round_no, len(decisions), bool(last and last.ending is not None),
                            p.stat().st_mtime, parent))
    out.sort(key=lambda s: s.updated, reverse=True)
    return out
