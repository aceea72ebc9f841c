"""The compiled copy of a scenario file: what loading it produced, kept for the next process.

Loading a scenario means reading its YAML, structuring it into the frozen model and checking
it; for the 1 MB synthetic story that is about 280 ms, more than playing 50,000 choices. A file
that loaded without an error is kept, pickled, in the user's cache folder (like Python's
``.pyc`` files); the next process that plays the same bytes unpickles it in a tenth of that and
does not even import the YAML reader or cattrs.

An entry is used only when all of these match what made it:
- the file's bytes (SHA-256; a file edited back and forth keeps one entry per version);
- the engine's own code (a hash over every ``engine/**/*.py`` file) and the Python version:
  any change to the loader, the checks or the model makes every entry stale;
- the shared bibliography's bytes (a scenario may take a source's details from it).
An entry records how far the file was checked: ``loaded`` (what ``load_scenario`` does) or
``checked`` (what ``check`` does, reachability and lessons included, which ``play`` requires).

`backchannel check` never reads an entry: its job is to report problems, and a user runs it
after editing. A missing, stale, unreadable or damaged entry is a miss (the file is loaded
again and the entry rewritten); a failure to write one is ignored: the cache only ever saves
time. An entry starts with the SHA-256 of the rest, so one cut short or changed on disk is a
miss, never a different game. Entries are pickles, so only files the current user owns, in a
folder nobody else can write to, are read. ``BACKCHANNEL_CACHE_DIR`` moves the folder;
``BACKCHANNEL_NO_CACHE=1`` turns it off. At most ``MAX_ENTRIES`` are kept (the least
recently written go first)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path

from engine.gcpause import no_gc
from engine.scenario.catalog import bibliography_path
from engine.scenario.files import (
    MAX_BYTES,
    Unreadable,
    content_digest,
    read_scenario_bytes,
)
from engine.scenario.model import Scenario

# pickle and tempfile are imported where used: a game found here needs neither, and
# tempfile's imports (shutil, random, bz2, lzma) cost 5 ms.

CACHE_ENV = "BACKCHANNEL_CACHE_DIR"
OFF_ENV = "BACKCHANNEL_NO_CACHE"
MAX_ENTRIES = 64
LOADED, CHECKED = "loaded", "checked"
_FORMAT = 1

_ENGINE = Path(__file__).resolve().parent.parent
_fingerprint: list[str] = []


def load(path: str | os.PathLike) -> tuple[Scenario, str]:
    """The scenario in ``path`` and its content hash, from its compiled copy when there is
    one (else loaded, and the copy kept); raises ``loader.ScenarioError`` listing every error.
    Imports the loader (PyYAML, cattrs, the checks) only when it has to load the file."""
    raw = read_bytes(path)
    digest = None if raw is None else content_digest(raw)
    if digest is not None:
        scenario = get(digest, checked=False)
        if scenario is not None:
            return scenario, digest
    from engine.scenario.loader import ScenarioError, load_file

    loaded = load_file(path, raw)  # the bytes hashed above, not a second read
    digest = digest or loaded.digest
    if loaded.scenario is None or digest is None:
        raise ScenarioError(list(loaded.problems))
    put(digest, loaded.scenario, checked=False)
    return loaded.scenario, digest


def cache_dir() -> Path | None:
    """The folder of compiled copies, or None when caching is turned off."""
    if os.environ.get(OFF_ENV, "") not in ("", "0"):
        return None
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("backchannel", appauthor=False)) / "scenarios"


def engine_fingerprint() -> str:
    """A hash of the engine's code and the Python running it (computed once per process)."""
    if not _fingerprint:
        import pickle

        h = hashlib.sha256(f"{_FORMAT}|{sys.version}|{pickle.HIGHEST_PROTOCOL}".encode())
        for file in sorted(_ENGINE.rglob("*.py")):
            h.update(str(file.relative_to(_ENGINE)).encode() + b"\0")
            h.update(file.read_bytes() + b"\0")
        _fingerprint.append(h.hexdigest())
    return _fingerprint[0]


def read_bytes(path: str | os.PathLike) -> bytes | None:
    """The file's bytes as the loader reads them (engine.scenario.files), or None where the
    loader would refuse it (it then reads it itself and says what is wrong)."""
    try:
        raw = read_scenario_bytes(path)
    except (OSError, Unreadable):
        return None
    return None if len(raw) > MAX_BYTES else raw


def _bibliography_digest() -> str | None:
    raw = read_bytes(bibliography_path())
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _entry_path(folder: Path, digest: str) -> Path:
    key = hashlib.sha256(f"{digest}|{engine_fingerprint()}".encode()).hexdigest()
    return folder / f"{key[:40]}.pickle"


def _trusted(folder: Path, fd: int) -> bool:
    """Only our own entries, in a folder only we can write to, are unpickled."""
    try:
        st, dst = os.fstat(fd), os.stat(folder)
    except OSError:
        return False
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is not None and (st.st_uid != uid or dst.st_uid != uid):
        return False
    return not (st.st_mode | dst.st_mode) & (stat.S_IWGRP | stat.S_IWOTH) \
        and stat.S_ISREG(st.st_mode)


def get(digest: str, *, checked: bool) -> Scenario | None:
    """The scenario compiled from a file whose bytes hash to ``digest`` (``checked``: only if
    it passed `check`), or None."""
    folder = cache_dir()
    if folder is None:
        return None
    file = _entry_path(folder, digest)
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not _trusted(folder, fd):
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            blob = f.read()
        check, payload = blob[:32], blob[32:]
        if hashlib.sha256(payload).digest() != check:  # cut short or changed on disk
            return None
        import pickle

        with no_gc():  # tens of thousands of small objects, none of them cyclic garbage
            entry = pickle.loads(payload)  # noqa: S301 - our own file, see _trusted
    except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever it raises
        return None
    finally:
        os.close(fd)
    if not (isinstance(entry, dict) and entry.get("format") == _FORMAT
            and entry.get("digest") == digest and isinstance(entry.get("scenario"), Scenario)
            and entry.get("level") in (LOADED, CHECKED)):
        return None
    if checked and entry["level"] != CHECKED:
        return None
    if entry.get("bibliography") != _bibliography_digest():
        return None
    return entry["scenario"]


def put(digest: str, scenario: Scenario, *, checked: bool) -> None:
    """Keep ``scenario`` as the compiled copy of the bytes hashing to ``digest``; quietly
    does nothing when the folder cannot be written."""
    folder = cache_dir()
    if folder is None:
        return
    entry = {"format": _FORMAT, "digest": digest, "level": CHECKED if checked else LOADED,
             "bibliography": _bibliography_digest(),
             "scenario": scenario}
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        import pickle
        import tempfile

        payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        data = hashlib.sha256(payload).digest() + payload
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, _entry_path(folder, digest))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(folder)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        return


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            entries.append((p.stat().st_mtime_ns, p))
    entries.sort(reverse=True)
    stale = [(0, p) for p in folder.glob(".*.part")  # left by a process that was killed
             if _age(p) > 600]
    for _, p in entries[MAX_ENTRIES:] + stale:
        with contextlib.suppress(OSError):
            p.unlink()


def _age(p: Path) -> float:
    import time

    try:
        return time.time() - p.stat().st_mtime
    except OSError:
        return 0.0
