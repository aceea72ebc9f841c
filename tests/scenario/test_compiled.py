"""Compiled scenario copies (engine.scenario.compiled): a second process plays an unchanged
file without parsing it, and nothing about the cache can change, stale or break a game."""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from engine.analysis.checking import playable
from engine.scenario import compiled, loader
from engine.scenario.loader import ScenarioError, load_file

ROOT = Path(__file__).resolve().parents[2]


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(compiled.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def no_parsing(monkeypatch):
    """After this, any attempt to parse a scenario file fails the test."""

    def refuse(path):
        raise AssertionError(f"parsed {path} although its compiled copy should be used")

    def arm():
        monkeypatch.setattr(loader, "load_file", refuse)
        monkeypatch.setattr("engine.analysis.checking.check_file", refuse)

    return arm


def test_second_load_comes_from_the_copy_and_equals_a_fresh_load(
        example_text, write, cache, no_parsing):
    path = write(example_text)
    first, digest = compiled.load(path)
    assert len(entries(cache)) == 1
    fresh = load_file(path).scenario
    no_parsing()
    again, digest2 = compiled.load(path)
    assert again == fresh == first and digest2 == digest


def test_an_edited_file_is_loaded_again(example_text, write, cache):
    path = write(example_text)
    before, _ = compiled.load(path)
    path.write_text(example_text.replace(f"title: {before.title}", "title: Renamed", 1),
                    encoding="utf-8")
    after, _ = compiled.load(path)
    assert before.title != "Renamed" and after.title == "Renamed"
    assert len(entries(cache)) == 2  # one copy per version of the file


def test_a_changed_bibliography_makes_copies_stale(example_text, write, cache, tmp_path,
                                                    monkeypatch):
    bib = tmp_path / "bibliography.yaml"
    bib.write_bytes((ROOT / "bibliography.yaml").read_bytes())
    monkeypatch.setenv("BACKCHANNEL_BIBLIOGRAPHY", str(bib))
    path = write(example_text)
    compiled.load(path)
    digest = compiled.content_digest(path.read_bytes())
    assert compiled.get(digest, checked=False) is not None
    bib.write_text(bib.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert compiled.get(digest, checked=False) is None


def test_a_file_that_only_loads_is_not_taken_as_checked(example_text, write, cache):
    """`play` requires what `check` requires: a copy written by a plain load (which does not
    look for dead ends) never lets a file with a reachable dead end be played."""
    text = example_text.replace("  - id: smoke-again\n    title: Smoke again\n",
                                "  - id: smoke-again\n    title: Smoke again\n"
                                "    when: air > 20\n", 1)
    path = write(text)
    compiled.load(path)  # loads: a dead end is not a structural error
    with pytest.raises(ScenarioError, match="dead end"):
        playable(path)
    with pytest.raises(ScenarioError, match="dead end"):
        playable(path)


def test_play_uses_a_checked_copy(example_text, write, cache, no_parsing):
    path = write(example_text)
    first = playable(path)
    no_parsing()
    assert playable(path) == first
    assert compiled.load(path)[0] == first  # a checked copy serves a plain load too


@pytest.mark.parametrize("seed", range(12))
def test_a_damaged_copy_is_a_miss_never_a_different_game(example_text, write, cache, seed):
    """Seeded damage to the stored bytes (cut short, bytes changed, garbage, empty): the load
    parses the file again, gives the same scenario, and rewrites a good copy."""
    path = write(example_text)
    good, _ = compiled.load(path)
    (entry,) = entries(cache)
    blob = bytearray(entry.read_bytes())
    rng = random.Random(seed)
    kind = seed % 4
    if kind == 0:
        blob = blob[: rng.randrange(len(blob))]
    elif kind == 1:
        for _ in range(rng.randint(1, 5)):
            blob[rng.randrange(32, len(blob))] ^= 1 << rng.randrange(8)
    elif kind == 2:
        blob = bytearray(rng.randbytes(rng.randint(1, 4096)))
    else:
        blob = bytearray()
    entry.write_bytes(bytes(blob))
    assert compiled.load(path)[0] == good
    assert compiled.get(compiled.content_digest(path.read_bytes()), checked=False) == good


def test_copies_others_could_have_written_are_not_read(example_text, write, cache):
    path = write(example_text)
    compiled.load(path)
    (entry,) = entries(cache)
    digest = compiled.content_digest(path.read_bytes())
    entry.chmod(0o666)
    assert compiled.get(digest, checked=False) is None
    entry.chmod(0o600)
    cache.chmod(0o777)
    assert compiled.get(digest, checked=False) is None
    cache.chmod(0o700)
    assert compiled.get(digest, checked=False) is not None


def test_another_engine_version_ignores_the_copies(example_text, write, cache, monkeypatch):
    path = write(example_text)
    compiled.load(path)
    digest = compiled.content_digest(path.read_bytes())
    monkeypatch.setattr(compiled, "_fingerprint", ["another engine"])
    assert compiled.get(digest, checked=False) is None


def test_turned_off_or_unwritable_it_still_loads(example_text, write, tmp_path, monkeypatch):
    path = write(example_text)
    expected = load_file(path).scenario
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    monkeypatch.setenv(compiled.CACHE_ENV, str(not_a_folder / "cache"))
    assert compiled.load(path)[0] == expected
    folder = tmp_path / "cache"
    monkeypatch.setenv(compiled.CACHE_ENV, str(folder))
    monkeypatch.setenv(compiled.OFF_ENV, "1")
    assert compiled.load(path)[0] == expected
    assert not folder.exists()


def test_the_folder_is_kept_small(example_text, write, cache, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_ENTRIES", 3)
    path = write(example_text)
    for i in range(5):
        path.write_text(example_text + f"\n# version {i}\n", encoding="utf-8")
        compiled.load(path)
    assert len(entries(cache)) == 3


def test_errors_are_reported_as_before(example_text, write, cache):
    text = example_text.replace("    start: 4\n", '    start: "4"\n', 1)
    path = write(text)
    with pytest.raises(ScenarioError) as caught:
        compiled.load(path)
    line = text[: text.index('start: "4"')].count("\n") + 1
    assert [(p.line, p.col) for p in caught.value.problems] == [(line, 12)]
    assert "remove the quotes" in str(caught.value.problems[0])
    assert entries(cache) == []  # nothing is kept for a file with errors


def test_a_new_process_plays_the_same_game_from_the_copy(tmp_path):
    """Real processes: the first parses the bundled Myanmar file and keeps its copy, the
    second reads the copy (without reading YAML at all), a third has the cache turned off;
    all three play the same seeded games to the same end states."""
    script = (
        "import sys, random\n"
        "from engine.scenario import compiled\n"
        "from engine.play.rules import Game\n"
        "scn, digest = compiled.load(sys.argv[1])\n"
        "game = Game(scn)\n"
        "ends = []\n"
        "for seed in range(20):\n"
        "    rng = random.Random(seed); state, _ = game.start(seed)\n"
        "    while not state.over:\n"
        "        state = game.step(state, rng.choice(game.offered(state)).id)\n"
        "    ends.append(repr(state))\n"
        "print(digest, hash(tuple(ends)), 'engine.scenario.yamlsrc' in sys.modules,\n"
        "      'yaml' in sys.modules, 'cattrs' in sys.modules)\n")
    env = {**os.environ, compiled.CACHE_ENV: str(tmp_path / "cache"), "PYTHONHASHSEED": "0"}
    target = str(ROOT / "scenarios" / "myanmar-humanitarian-access.yaml")

    def run(**extra) -> list[str]:
        out = subprocess.run([sys.executable, "-c", script, target], cwd=ROOT, check=True,
                             capture_output=True, text=True, env={**env, **extra})
        return out.stdout.split()

    first, second = run(), run()
    off = run(**{compiled.OFF_ENV: "1"})
    assert first[:2] == second[:2] == off[:2]
    # A well-formed file is structured without cattrs (engine.scenario.loader), copy or not,
    # and a bundled file is read without PyYAML (engine.scenario.blockyaml).
    assert first[2:] == ["True", "False", "False"]
    assert second[2:] == ["False", "False", "False"]
