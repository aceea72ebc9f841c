"""The save-log format: typed, versioned records, and the only code that reads or writes them.

A log is JSON lines: one ``Header`` (format, scenario id, content hash and absolute path, seed,
engine version, team, role, the game a what-if branched from), then one ``Decision`` per line
(round, option, when, who decided and why, whether a facilitator entered it; the last
decision of a finished game also names its ending). The workshop store writes the same
records (``Decision.to_json`` / ``Decision.from_json``), so both read alike.

Guarantees, whoever calls:
- every line is flushed and fsynced before ``LogFile.append`` returns;
- a failed append cuts the file back to its last good length, so a retry works and the game
  stays resumable; a failed create leaves no file behind;
- one writer per game: ``LogFile`` holds an exclusive ``flock`` while a game is open for play
  (the OS drops it when the process dies); a second opener gets ``GameLocked``;
- reading never writes (``read_log``); only ``open_for_play`` repairs a cut last line, after
  keeping the original as ``NAME.jsonl.bak``;
- sizes are bounded on both sides: what is written is never more than what is read back.

This module is light on purpose (no rules, no scenario loading): the scenario picker lists
saves with it before anything else is imported."""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import io
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from engine.scenario.catalog import NotFound, bundled, find
from engine.scenario.meta import info

LOG_FORMAT = 3  # 2: absolute scenario_file; decisions may carry a facilitator override
# 3: the header may name the team's role (``--role``)
READABLE_FORMATS = (1, 2, 3)
MAX_LOG_BYTES = 4 << 20  # a whole log
MAX_LINE_BYTES = 64 << 10  # one record (a reason of MAX_WHY characters fits many times over)
MAX_WHY = 2_000  # characters of a reason (``# why``) or of a facilitator's reason
MAX_NAME = 60  # characters of a team name or of ``by``
MAX_INT = 1 << 53  # rounds, seeds: integers every JSON reader agrees on


class SessionError(Exception):
    """A log that cannot be used, or an input it cannot take; the message says why and
    what to do."""


class RecordError(SessionError, ValueError):
    """A record (or a value for one) that breaks the format or its limits."""


class GameLocked(SessionError):
    """The game is open for play elsewhere (another window or process). ``read_log`` /
    ``Session.open`` can still show it read-only."""

    def __init__(self, path: Path, pid: int | None, since: str | None) -> None:
        self.path, self.pid, self.since = path, pid, since
        if pid == os.getpid():
            who = "already open in this window"
        else:
            who = "open in another window" + (f", pid {pid}" if pid else "")
            who += f", since {since}" if since else ""
        super().__init__(f"{path}: this game is {who}. One window plays a game at a time; "
                         "close the other one, or look at this game read-only (debrief).")


# --------------------------------------------------------------------------- records


def _check_text(value: str | None, what: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise RecordError(f"{what} is {len(value):,} characters long; the limit is "
                          f"{limit:,}. Shorten it.")


def check_name(value: str | None, what: str = "team name") -> None:
    """A team name or a ``by``: one line of at most MAX_NAME characters."""
    _check_text(value, what, MAX_NAME)
    if value is not None and any(c in value for c in "\n\r\x00"):
        raise RecordError(f"{what} must be one line of text")


def check_reason(value: str | None, what: str = "the reason") -> None:
    _check_text(value, what, MAX_WHY)


def _int(obj: dict, key: str, required: bool = True) -> int | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if type(value) is not int:
        got = "nothing" if value is None else f"{type(value).__name__} {_short(value)}"
        raise RecordError(f"'{key}' must be an integer, not {got}")
    if not 0 <= value <= MAX_INT:
        raise RecordError(f"'{key}' is out of range ({_short(value)})")
    return value


def _str(obj: dict, key: str, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        got = "nothing" if value is None else f"{type(value).__name__} {_short(value)}"
        raise RecordError(f"'{key}' must be text, not {got}")
    return value


def _short(value: object) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool) else "…"
    return text if len(text) <= 40 else text[:37] + "..."


@attrs.frozen
class Parent:
    """The game a what-if branched from, and the round it chose differently in."""

    path: str
    at_round: int


@attrs.frozen
class WorkshopRef:
    """A log exported from a workshop: which workshop, and which of its teams."""

    id: str
    name: str
    team_id: int


@attrs.frozen
class Header:
    scenario: str  # the scenario's id
    sha256: str  # content hash of the scenario file the game was started with
    seed: int
    scenario_file: str | None = None  # absolute since format 2 (as typed in format 1)
    engine: str = ""
    team: str | None = None
    created: str = ""
    parent: Parent | None = None
    log_format: int = LOG_FORMAT
    workshop: WorkshopRef | None = None
    role: str | None = None  # the scenario role the game was started with (format 3)

    def to_json(self) -> dict[str, Any]:
        check_name(self.team)
        check_name(self.role, "role")
        out: dict[str, Any] = {
            "type": "header", "log_format": self.log_format, "scenario": self.scenario,
            "scenario_file": self.scenario_file, "sha256": self.sha256, "seed": self.seed,
            "engine": self.engine, "team": self.team, "created": self.created,
        }
        if self.parent is not None:
            out["parent"] = {"path": self.parent.path, "at_round": self.parent.at_round}
        if self.role is not None:
            out["role"] = self.role
        if self.workshop is not None:
            out["workshop"] = {"id": self.workshop.id, "name": self.workshop.name,
                               "team_id": self.workshop.team_id}
        return out

    @classmethod
    def from_json(cls, obj: object) -> Header:
        if not isinstance(obj, dict) or obj.get("type") != "header":
            raise RecordError("not a backchannel save (its first line is not a header)")
        fmt = obj.get("log_format")
        if type(fmt) is int and fmt > LOG_FORMAT:
            raise RecordError(f"written by a newer backchannel (log format {fmt}); update "
                              "backchannel to open it")
        if fmt not in READABLE_FORMATS or type(fmt) is not int:
            raise RecordError(f"unknown log format {_short(fmt)}")
        seed = _int(obj, "seed")
        parent_obj = obj.get("parent")
        parent = None
        if parent_obj is not None:
            if not isinstance(parent_obj, dict):
                raise RecordError("'parent' must be a mapping with 'path' and 'at_round'")
            parent = Parent(_str(parent_obj, "path", True) or "",
                            _int(parent_obj, "at_round") or 0)
        ws_obj = obj.get("workshop")
        workshop = None
        if ws_obj is not None:
            if not isinstance(ws_obj, dict):
                raise RecordError("'workshop' must be a mapping with 'id', 'name', 'team_id'")
            workshop = WorkshopRef(_str(ws_obj, "id", True) or "",
                                   _str(ws_obj, "name") or "", _int(ws_obj, "team_id") or 0)
        return cls(
            scenario=_str(obj, "scenario", True) or "", sha256=_str(obj, "sha256") or "",
            seed=seed or 0, scenario_file=_str(obj, "scenario_file"),
            engine=_str(obj, "engine") or "", team=_str(obj, "team"),
            created=_str(obj, "created") or "", parent=parent, log_format=fmt,
            workshop=workshop, role=_str(obj, "role"),
        )


@attrs.frozen
class Decision:
    """One choice: which round, which option, when, who decided and why. ``override`` marks
    a choice a facilitator entered for a team (``facilitator_reason`` says why)."""

    round_no: int
    option_id: str
    at: str  # ISO 8601, UTC
    by: str | None = None
    why: str | None = None
    ending: str | None = None  # set on the decision that ended the game ('' for a dead end)
    override: bool = False
    facilitator_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as written; refuses values past the limits that reading enforces."""
        check_name(self.by, "'by' (who decided)")
        check_reason(self.why)
        check_reason(self.facilitator_reason, "the facilitator's reason")
        if type(self.round_no) is not int or not 0 <= self.round_no <= MAX_INT:
            raise RecordError(f"round must be a small integer, not {self.round_no!r}")
        out: dict[str, Any] = {"type": "decision", "round": self.round_no,
                               "option": self.option_id, "at": self.at}
        for key, value in (("by", self.by), ("why", self.why), ("ending", self.ending),
                           ("facilitator_reason", self.facilitator_reason)):
            if value is not None and (value or key == "ending"):
                out[key] = value
        if self.override:
            out["override"] = True
        return out

    @classmethod
    def from_json(cls, obj: object) -> Decision:
        if not isinstance(obj, dict) or obj.get("type") != "decision":
            raise RecordError("not a decision record")
        override = obj.get("override", False)
        if not isinstance(override, bool):
            raise RecordError(f"'override' must be true or false, not {_short(override)}")
        return cls(_int(obj, "round") or 0, _str(obj, "option", True) or "",
                   _str(obj, "at") or "", _str(obj, "by"), _str(obj, "why"),
                   _str(obj, "ending"), override, _str(obj, "facilitator_reason"))


@attrs.frozen
class Absent:
    """A team marked absent from ``round_no`` on: its game stops there (workshops)."""

    round_no: int

    def to_json(self) -> dict[str, Any]:
        return {"type": "absent", "round": self.round_no}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Absent:
        n = obj.get("round")
        if type(n) is not int or not 1 <= n <= 10_000:
            raise RecordError("an absent record needs a round number")
        return cls(n)


Record = Header | Decision | Absent


def encode(record: Record) -> bytes:
    """One log line (with its newline), refused if it is longer than a reader accepts."""
    line = (json.dumps(record.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    if len(line) > MAX_LINE_BYTES:
        raise RecordError(f"the record is {len(line):,} bytes; the limit is "
                          f"{MAX_LINE_BYTES:,}")
    return line


def now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- reading


@attrs.frozen
class Log:
    """A parsed log. ``good_length`` is the byte length up to the last usable line; ``tail``
    says what is wrong with the bytes after it (None when there is nothing after it), and
    ``missing_newline`` that the last record is complete but lacks its final newline."""

    header: Header
    decisions: tuple[Decision, ...]
    good_length: int
    tail: str | None = None
    missing_newline: bool = False
    name: str = "the save"  # the file, for messages
    lines: tuple[int, ...] = ()  # the line number of each decision
    absent_from: int | None = None  # a workshop team marked absent: its game stopped here

    @property
    def warnings(self) -> list[str]:
        if self.tail is None:
            return []
        return [f"the last line of {self.name} was cut off mid-write (probably a crash): "
                f"{self.tail}; the decision on it was not confirmed and is ignored"]


def _json_line(line: bytes) -> object:
    try:
        return json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text (bad byte at column {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        # json's own message may end in "at" ("Unterminated string starting at")
        at = "" if exc.msg.endswith(" at") else " at"
        raise RecordError(f"not a valid log line ({exc.msg}{at} column {exc.colno})") from None
    except RecursionError:
        raise RecordError("not a valid log line (nested too deeply)") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        what = "a number of more than 4,300 digits" if "digits" in str(exc) else str(exc)
        raise RecordError(f"not a valid log line ({what})") from None


def parse_log(raw: bytes, name: str) -> Log:
    """Parse a log's bytes; ``name`` prefixes every message (``name:line: ...``)."""
    if len(raw) > MAX_LOG_BYTES:
        raise SessionError(f"{name}: {len(raw):,} bytes is too large for a save (the limit "
                           f"is {MAX_LOG_BYTES:,})")
    header: Header | None = None
    decisions: list[Decision] = []
    absent_from: int | None = None
    lines: list[int] = []
    good = 0
    tail: str | None = None
    missing_newline = False
    pos, no = 0, 0
    while pos < len(raw):
        no += 1
        end = raw.find(b"\n", pos)
        last = end < 0
        line = raw[pos:] if last else raw[pos:end]
        nxt = len(raw) if last else end + 1
        if len(line) > MAX_LINE_BYTES:
            raise SessionError(f"{name}:{no}: a line of {len(line):,} bytes; a save's lines "
                               f"are at most {MAX_LINE_BYTES:,} bytes: the file is damaged")
        if not line.strip():
            pos = nxt
            if not last:
                good = nxt
            continue
        try:
            obj = _json_line(line)
        except RecordError as exc:
            if last and header is not None:  # a crash mid-write: only resume repairs it
                tail = f"line {no}, {exc}"
                break
            advice = damaged_advice(name, no, len(decisions), header is not None)
            raise SessionError(f"{name}:{no}: {exc}; the file is damaged"
                               + (f". {advice}" if advice else "")) from None
        try:
            if header is None:
                header = Header.from_json(obj)
            elif isinstance(obj, dict) and obj.get("type") == "decision":
                decisions.append(Decision.from_json(obj))
            elif isinstance(obj, dict) and obj.get("type") == "absent":
                absent_from = Absent.from_json(obj).round_no
            elif not isinstance(obj, dict):
                raise RecordError("not a log record")
            # other record kinds (notes, future marks) are skipped
        except RecordError as exc:
            advice = damaged_advice(name, no, len(decisions), True) if header else ""
            raise SessionError(f"{name}:{no}: {exc}" + (f". {advice}" if advice else "")
                               ) from None
        if header is not None and len(decisions) > len(lines):
            lines.append(no)
        pos = nxt
        good = nxt
        missing_newline = last
    if header is None:
        raise SessionError(f"{name}: not a backchannel save (no header line)")
    return Log(header, tuple(decisions), good, tail, missing_newline, name, tuple(lines),
               absent_from)


def damaged_advice(name: str, no: int, kept: int, has_header: bool = True) -> str:
    """What to do about a save damaged at line ``no`` (``kept`` decisions before it)."""
    bak = Path(name + ".bak")
    restore = f"restore it from {bak}" if bak.is_file() else ""
    if not has_header:
        return restore.capitalize() + "." if restore else ""
    keep = (f"to keep the {kept} decision{'s' if kept != 1 else ''} before it, delete line "
            f"{no} and the lines after it (keep a copy first)")
    return (f"{restore.capitalize()}, or {keep}." if restore else keep[0].upper() + keep[1:]
            + ".")


def _open_regular(path: Path, flags: int) -> int:
    """An fd for ``path`` if it is a regular file (FIFOs and devices are refused before
    anything is read from them)."""
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SessionError(f"{path}: no such save file") from None
    except IsADirectoryError:
        raise SessionError(f"{path}: is a folder, not a save file") from None
    except OSError as exc:
        raise SessionError(f"{path}: cannot open: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SessionError(f"{path}: not a regular file (a device, pipe or folder); a "
                               "save is a .jsonl file")
        if st.st_size > MAX_LOG_BYTES:
            raise SessionError(f"{path}: {st.st_size:,} bytes is too large for a save (the "
                               f"limit is {MAX_LOG_BYTES:,})")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_fd(fd: int, path: Path) -> bytes:
    chunks, total = [], 0
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_LOG_BYTES:
                break
    except OSError as exc:
        raise SessionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return b"".join(chunks)


def read_log(path: str | os.PathLike) -> Log:
    """Read a log without changing it (a cut last line is reported in ``Log.tail``)."""
    path = Path(path)
    fd = _open_regular(path, os.O_RDONLY)
    try:
        return parse_log(_read_fd(fd, path), str(path))
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- writing


def _lock_info_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class LogFile:
    """A log open for play: holds the exclusive lock, appends records durably, and cuts a
    failed append back so that the file stays as it was."""

    def __init__(self, path: Path, fh: io.FileIO, size: int) -> None:
        self.path = path
        self._fh: io.FileIO | None = fh
        self.size = size  # bytes known good on disk
        self.notes: list[str] = []  # what opening did to the file (a repair), for the player

    # -- opening

    @staticmethod
    def _lock(fh: io.FileIO, path: Path) -> None:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, since = None, None
            try:
                data = json.loads(_lock_info_path(path).read_text(encoding="utf-8"))
                pid = data.get("pid") if type(data.get("pid")) is int else None
                stamp = _dt.datetime.fromisoformat(str(data.get("since")))
                since = stamp.astimezone().strftime("%H:%M")
            except (OSError, ValueError, AttributeError, RecursionError):
                pass
            fh.close()
            raise GameLocked(path, pid, since) from None
        except OSError:
            pass  # a file system without locks: play on, as before locks existed
        # the lock itself holds even if this fails; only the "pid N, since" detail is lost
        with contextlib.suppress(OSError):
            _lock_info_path(path).write_text(
                json.dumps({"pid": os.getpid(), "since": _dt.datetime.now(_dt.UTC)
                            .isoformat(timespec="seconds")}), encoding="utf-8")

    @classmethod
    def create(cls, path: str | os.PathLike, header: Header) -> LogFile:
        """A new log with ``header`` as its first line. An existing empty regular file is
        taken over (a failed earlier start may have left one); anything else is refused."""
        path = Path(path)
        line = encode(header)
        if path.is_dir():
            raise SessionError(f"{path} is a folder; give a file name for the save")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionError(f"cannot create the folder for {path}: "
                               f"{exc.strerror or exc}") from None
        created = False
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
                         | getattr(os, "O_CLOEXEC", 0), 0o644)
            created = True
        except FileExistsError:
            fd = _open_regular(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise SessionError(f"cannot create {path}: {exc.strerror or exc}") from None
        fh = io.FileIO(fd, "w", closefd=True)
        cls._lock(fh, path)
        if os.fstat(fd).st_size > 0:
            fh.close()
            raise SessionError(f"{path} already exists; choose another file or resume it")
        log = cls(path, fh, 0)
        try:
            log.append(header, line)
        except SessionError:
            log.close()
            if created:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        return log

    @classmethod
    def open_for_play(cls, path: str | os.PathLike) -> tuple[LogFile, Log]:
        """Lock a log for play and read it; a damaged last line is repaired here (and only
        here), after keeping the original beside it as ``NAME.jsonl.bak``."""
        path = Path(path)
        try:
            fd = _open_regular(path, os.O_RDWR | os.O_APPEND)
        except SessionError as exc:
            if os.access(path, os.R_OK) and not os.access(path, os.W_OK):
                raise SessionError(f"{path}: the save is read-only, so the game cannot go "
                                   "on; make it writable, or look at it read-only "
                                   "(debrief)") from None
            raise exc from None
        fh = io.FileIO(fd, "r+", closefd=True)
        cls._lock(fh, path)
        lf = cls(path, fh, 0)
        try:
            raw = _read_fd(fd, path)
            log = parse_log(raw, str(path))
            lf.size = log.good_length
            if log.tail is not None or log.missing_newline:
                lf._repair(raw, log)
        except BaseException:
            lf.close()
            raise
        return lf, log

    def _repair(self, raw: bytes, log: Log) -> None:
        backup = self._backup(raw)
        assert self._fh is not None
        fd = self._fh.fileno()
        try:
            if log.tail is not None:
                os.ftruncate(fd, log.good_length)
                self.size = log.good_length
                self.notes.append(f"the last line of {self.path} was cut off mid-write and "
                                  f"has been removed; the original is kept as {backup}")
            else:
                self.size = len(raw)
                _write_all(fd, b"\n")
                self.size += 1
                self.notes.append(f"the last line of {self.path} had no final newline; one "
                                  f"was added (the original is kept as {backup})")
            os.fsync(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, len(raw) if log.tail is None else self.size)
            raise SessionError(f"{self.path}: cannot repair the save's last line: "
                               f"{exc.strerror or exc}") from None

    def _backup(self, raw: bytes) -> Path:
        for n in range(1, 100):
            bak = self.path.with_name(self.path.name + (".bak" if n == 1 else f".{n}.bak"))
            try:
                fd = os.open(bak, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except FileExistsError:
                continue
            except OSError as exc:
                raise SessionError(f"{self.path}: the last line needs repairing, but no "
                                   f"backup could be kept ({exc.strerror or exc}); nothing "
                                   "was changed") from None
            try:
                with io.FileIO(fd, "w", closefd=True) as out:
                    _write_all(out.fileno(), raw)
                    os.fsync(out.fileno())
            except OSError as exc:
                with contextlib.suppress(OSError):
                    bak.unlink()
                raise SessionError(f"{self.path}: the last line needs repairing, but no "
                                   f"backup could be kept ({exc.strerror or exc}); nothing "
                                   "was changed") from None
            return bak
        raise SessionError(f"{self.path}: too many backups beside it; clean them up")

    # -- writing

    def append(self, record: Record, line: bytes | None = None) -> None:
        """Write one record durably, or leave the file exactly as it was and raise."""
        if self._fh is None:
            raise SessionError(f"{self.path}: this game is open read-only")
        data = line if line is not None else encode(record)
        if self.size + len(data) > MAX_LOG_BYTES:
            raise SessionError(f"{self.path}: the save has reached its size limit "
                               f"({MAX_LOG_BYTES:,} bytes); nothing more can be recorded")
        fd = self._fh.fileno()
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, self.size)
                os.fsync(fd)
            except OSError:
                pass
            why = exc.strerror or str(exc)
            hint = {errno.ENOSPC: "free some disk space", errno.EDQUOT: "free some disk space",
                    errno.EROFS: "make the disk writable", errno.EACCES: "make it writable",
                    errno.EPERM: "make it writable"}.get(exc.errno or 0, "fix that")
            raise SessionError(f"{self.path}: could not save ({why}); nothing was recorded "
                               f"and the game is as it was: {hint}, then try again") from None
        self.size += len(data)

    def close(self) -> None:
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        with contextlib.suppress(OSError):
            _lock_info_path(self.path).unlink()
        fh.close()  # closing the fd drops the lock

    def __del__(self) -> None:
        fh = getattr(self, "_fh", None)
        if fh is not None:
            fh.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.EIO, "short write")
        view = view[n:]


def write_log(path: str | os.PathLike, header: Header,
              records: list[Decision | Absent]) -> Path:
    """A whole log at once (a workshop export): written beside ``path`` as ``.part``,
    fsynced, then renamed over ``path``, so a reader sees the old file or the new one."""
    path = Path(path)
    data = b"".join([encode(header), *map(encode, records)])
    if len(data) > MAX_LOG_BYTES:
        raise RecordError(f"{path}: the log would be {len(data):,} bytes; the limit is "
                          f"{MAX_LOG_BYTES:,}")
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SessionError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


# --------------------------------------------------------------------------- where things are


def data_dir() -> Path:
    """Where saves and exports go: $BACKCHANNEL_DATA_DIR, else the user's data directory."""
    override = os.environ.get("BACKCHANNEL_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("backchannel", appauthor=False))


def saves_dir() -> Path:
    return data_dir() / "saves"


KNOWN_MAX = 50  # scenario files remembered (newest first)
KNOWN_MAX_BYTES = 256 << 10


def known_path() -> Path:
    return data_dir() / "known-scenarios.json"


def known_scenarios() -> list[Path]:
    """The scenario files games were started from, newest first (``remember_scenario``): a
    save whose scenario has moved is looked for among them. A missing, damaged or oversized
    list is empty; reading it never raises."""
    path = known_path()
    try:
        if not path.is_file() or path.stat().st_size > KNOWN_MAX_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(data, list):
        return []
    return [Path(p) for p in data if isinstance(p, str) and p][:KNOWN_MAX]


def remember_scenario(scenario_file: str | os.PathLike) -> None:
    """Put a scenario file at the head of the known ones (written whole, then renamed into
    place). Best effort: a read-only data folder only means it is not remembered."""
    entry = str(Path(scenario_file).absolute())
    paths = [entry, *(str(p) for p in known_scenarios() if str(p) != entry)][:KNOWN_MAX]
    path = known_path()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(paths, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _yaml_beside(save: Path) -> list[Path]:
    try:
        return sorted(p for p in save.parent.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError:
        return []


def scenario_candidates(header: Header, save: Path) -> Iterator[Path]:
    """Where a save's scenario may be, best first, each file once: the recorded file (for an
    old, relative record also beside the save), then by the recorded id the bundled
    scenarios, the scenario files beside the save (moved together), and the scenario files
    games were started from (``known_scenarios``). Lazy: the usual case reads one file."""
    seen: set[Path] = set()

    def fresh(paths: Iterable[Path], by_id: bool) -> Iterator[Path]:
        for p in paths:
            if p in seen:
                continue
            seen.add(p)
            with contextlib.suppress(OSError):
                if p.is_file() and (not by_id or info(p).id == header.scenario):
                    yield p

    recorded = header.scenario_file
    if recorded:
        p = Path(recorded)
        yield from fresh([p] if p.is_absolute() else [p, save.parent / p], by_id=False)
    found: list[Path] = []
    with contextlib.suppress(NotFound, OSError, ValueError):
        found.append(find(header.scenario))
    yield from fresh(found, by_id=False)
    yield from fresh(bundled(), by_id=True)
    yield from fresh(_yaml_beside(save), by_id=True)
    yield from fresh(known_scenarios(), by_id=True)


def locate_scenario(header: Header, save: Path, given: str | os.PathLike | None = None
                    ) -> Path:
    """The scenario file of a save: ``given`` if any, else the first of
    ``scenario_candidates`` that holds a scenario with the recorded id."""
    if given is not None:
        return Path(given)
    found = next((p for p in scenario_candidates(header, save)
                  if info(p).id == header.scenario), None)
    if found is None:
        raise SessionError(
            f"{save}: cannot find scenario '{header.scenario}' (was {header.scenario_file}; "
            "not among the bundled scenarios, the files beside the save or the scenarios "
            "games were started from); pass the scenario file with --scenario PATH")
    return found


# --------------------------------------------------------------------------- listing


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
    parent_round: int | None = None  # the round it chose differently in
    problem: str | None = None  # why it cannot be played (damaged, scenario missing)
    damaged: bool = False


def save_info(p: Path) -> SaveInfo:
    """What the saves list shows about one log; never raises for a damaged one."""
    try:
        updated = p.stat().st_mtime
    except OSError:
        updated = 0.0
    try:
        log = read_log(p)
    except SessionError as exc:
        reason, where = str(exc), ""
        if reason.startswith(f"{p}:"):
            reason = reason[len(str(p)) + 1:]
            line, sep, rest = reason.partition(":")
            if sep and line.isdigit():
                reason, where = rest, f" at line {line}"
        return SaveInfo(p, "", p.stem, None, 0, 0, False, updated,
                        problem=f"damaged{where}: {reason.strip()}", damaged=True)
    h = log.header
    try:
        title, problem = info(locate_scenario(h, p)).title, None
    except SessionError:
        title, problem = h.scenario, "its scenario file cannot be found"
    last = log.decisions[-1] if log.decisions else None
    return SaveInfo(p, h.scenario, title, h.team, last.round_no + 1 if last else 1,
                    len(log.decisions), bool(last and last.ending is not None), updated,
                    h.parent.path if h.parent else None,
                    h.parent.at_round if h.parent else None, problem)


def list_saves(directory: Path | None = None) -> list[SaveInfo]:
    """Saved games, newest first, read from their logs without replaying them (the last
    decision of a finished game records its ending). A damaged log is listed as damaged,
    with the reason; it never stops the others from being listed."""
    folder = directory or saves_dir()
    try:
        paths = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    except OSError:
        return []
    out = [save_info(p) for p in paths]
    out.sort(key=lambda s: s.updated, reverse=True)
    return out
