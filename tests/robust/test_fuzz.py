"""Seeded mutation fuzzing of scenario files and saves, on a time budget (a few seconds by
default; BACKCHANNEL_FUZZ_SECONDS raises it, e.g. in CI's longer run).

Each mutant must give errors, never a traceback; every error of a file that has lines names
a line; no input file is changed; every mutant that check accepts plays to an ending."""

import os
import random
import time
from pathlib import Path

import pytest

from backchannel_cli.main import main
from engine.analysis.checking import check_file
from engine.play.rules import Game
from engine.play.savelog import SessionError, list_saves, read_log
from engine.play.session import Session
from engine.scenario.catalog import bundled
from tests.conftest import EXAMPLE

BUDGET = float(os.environ.get("BACKCHANNEL_FUZZ_SECONDS", "2"))
SEED = int(os.environ.get("BACKCHANNEL_FUZZ_SEED", "20260"))
SCALARS = ["-1", "0", "999999999999999999999", "1e309", "-.inf", ".nan", "~", "null", "[]",
           "{}", "yes", "''", '"', "'", "!!int x", "!!float y", "!!bool z", "!!str 5",
           "!!binary AAAA", "&a 1", "*a", "*nope", "<<: {}", "|", ">-", "@", "`", "%TAG",
           "9" * 4400, "x" * 3000, "é", "\t", "- a", "a: b: c", "0x1F", "1_000", "0o17",
           "2026-01-01", "true", "'a\\nb'", '"a\\u0007"', "[1, [2, [3]]]", "{a: {b: {c: 1}}}"]
INSERTS = [b"\x00", b"\xff", b"\xfe\xff", b"\x07", b"\r", b"\t", b"\xe9", b"{{", b"]]",
           b": ", b"- ", b"#", b"&x ", b"*x ", b"!!python/object:os.system ", b"---\n",
           b"...\n", b"\xef\xbb\xbf"]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    kind = rng.randrange(10)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        lines[i] = (b"  " + lines[i]) if rng.random() < 0.5 else lines[i][2:]
    elif kind == 4 and b": " in lines[i]:
        key, _, _ = lines[i].partition(b": ")
        lines[i] = key + b": " + rng.choice(SCALARS).encode()
    elif kind == 5 and b":" in lines[i]:
        lines[i] = lines[i].replace(b":", b"x:", 1)  # rename a key
    elif kind == 6 and b"id: " in lines[i]:
        lines[i] = lines[i].replace(b"id: ", b"id: z", 1)  # break references to it
    elif kind == 7:
        pos = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + rng.choice(INSERTS) + lines[i][pos:]
    elif kind == 8:
        return data[: rng.randrange(len(data) + 1)]
    else:
        lines[i] = b"x: &a " + lines[i] if rng.random() < 0.5 else lines[i] + b" *a"
    return b"\n".join(lines)


def _play_to_the_end(scenario, rng: random.Random) -> None:
    game = Game(scenario)
    state, _ = game.start(rng.randrange(1 << 20))
    for _ in range(1000):
        if state.over:
            break
        offered = game.offered(state)
        assert offered, "an accepted scenario left the player without an option"
        state, _ = game.apply(state, rng.choice(offered).id)
    assert state.over and state.ending_id, "an accepted scenario ended with no ending"


SEEDS_FILES = [EXAMPLE, *bundled()]


@pytest.mark.parametrize("source", SEEDS_FILES, ids=[p.stem for p in SEEDS_FILES])
def test_scenario_mutants_never_crash(tmp_path, source):
    rng = random.Random(f"{SEED}-{source.stem}")
    original = source.read_bytes()
    deadline = time.monotonic() + BUDGET / len(SEEDS_FILES)
    tried = accepted = 0
    while time.monotonic() < deadline or tried < 5:
        data = original
        for _ in range(rng.randrange(1, 4)):
            data = _mutate(rng, data)
        path = tmp_path / f"m{tried}.yaml"
        path.write_bytes(data)
        loaded = check_file(path)
        assert path.read_bytes() == data
        for p in loaded.errors:
            if data.strip():
                assert p.line is not None, (str(p), data[:200])
        if not loaded.errors:
            accepted += 1
            assert loaded.scenario is not None
            _play_to_the_end(loaded.scenario, rng)
        tried += 1
    assert tried >= 5
    print(f"{source.name}: {tried} mutants, {accepted} accepted and played")


def _save_mutant(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.5:
        return _mutate(rng, data)
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    for key in (b'"round": ', b'"seed": ', b'"option": ', b'"team": ', b'"why": ', b'"by": ',
                b'"scenario_file": ', b'"parent": ', b'"log_format": ', b'"type": '):
        if key in lines[i] and rng.random() < 0.4:
            value = rng.choice([b'"x"', b"1", b"-1", b"null", b"true", b"[]", b"{}",
                                b"9" * 4400, b"1e999", b"[" * 3000, b'{"path": 1}'])
            lines[i] = lines[i].replace(key, key + value + b", " + key[:-2] + b"x: ", 1)
            break
    else:
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    return b"\n".join(lines)


def test_save_mutants_never_crash_and_never_change(tmp_path, capsys):
    game = tmp_path / "game.jsonl"
    with Session.new(EXAMPLE, seed=8, path=game, team="Blue") as s:
        s.decide("research-network", why="first")
        s.decide("quiet-dinner")
    original = game.read_bytes()
    rng = random.Random(SEED)
    folder = tmp_path / "saves"
    folder.mkdir()
    deadline = time.monotonic() + BUDGET
    tried = 0
    while time.monotonic() < deadline or tried < 5:
        data = original
        for _ in range(rng.randrange(1, 3)):
            data = _save_mutant(rng, data)
        path = folder / f"m{tried}.jsonl"
        path.write_bytes(data)
        try:
            read_log(path)
            Session.open(path)
        except SessionError as exc:
            assert str(exc).startswith(str(path)), str(exc)
        for argv in (["debrief", str(path)], ["compare", str(path), str(game)]):
            assert main(argv) in (0, 1)
        assert path.read_bytes() == data
        tried += 1
    capsys.readouterr()
    infos = list_saves(folder)  # every damaged one listed, none breaks the list
    assert len(infos) == tried
    assert all(i.problem for i in infos if i.damaged)


def test_the_corpus_of_damaged_files_gives_errors_only(tmp_path, capsys, monkeypatch):
    """tests/fixtures/damaged: saves and scenarios that once broke a command. Each goes
    through resume, debrief, compare, list and check: 0 tracebacks, 0 changed files."""
    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "damaged"
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".jsonl", ".yaml"))
    assert len(files) >= 20
    work = tmp_path / "saves"
    work.mkdir()
    for src in files:
        (work / src.name).write_bytes(src.read_bytes())
    before = {p.name: p.read_bytes() for p in work.iterdir()}
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    for p in sorted(work.iterdir()):
        if p.suffix == ".jsonl":
            commands = [["play", "--plain", "--resume", str(p)], ["debrief", str(p)],
                        ["compare", str(p), str(p)]]
        else:
            commands = [["check", "-q", str(p)], ["play", "--plain", str(p)]]
        for argv in commands:
            assert main(argv) == 1, (argv, capsys.readouterr())
            assert "Traceback" not in capsys.readouterr().err
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    listed = [ln for ln in out.splitlines() if ln.strip().startswith("damaged")]
    assert len(listed) == sum(p.suffix == ".jsonl" for p in work.iterdir())
    after = {p.name: p.read_bytes() for p in work.iterdir()}
    assert after == before  # nothing changed, no .bak, no lock file left
