"""Scenario text is our own words: no run of seven words may also stand in a source.

The sources themselves are not part of the project; tests/data/source-7grams.txt holds a
fingerprint of every seven-word run in them (a short hash per run, not the text). When the
numbered editions are at hand (../shared/sources), the fingerprint is checked against them.
Regenerate it with ``python -m tests.bundled.test_own_words PATH-TO-SOURCES``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, SCENARIOS, SOURCES

N = 7
FINGERPRINT = Path(__file__).resolve().parents[1] / "data" / "source-7grams.txt"
_WORD = re.compile(r"[a-z0-9’']+")


_EXEMPT = ("name:", "- name:", "title:", "- title:", "date:", "publisher:")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _key(run: tuple[str, ...]) -> str:
    return hashlib.sha1(" ".join(run).encode()).hexdigest()[:12]


def fingerprint(sources: Path) -> list[str]:
    keys = set()
    for f in sorted(sources.glob("*.md")):
        if f.name == "README.md":
            continue
        w = _words(f.read_text(encoding="utf-8", errors="ignore"))
        keys.update(_key(tuple(w[i:i + N])) for i in range(len(w) - N + 1))
    return sorted(keys)


def shared_runs(text: str, keys: set[str]) -> list[tuple[int, str]]:
    """(line, line text) of every line where a seven-word run shared with a source starts;
    runs continue across line breaks. Names and bibliographic fields (`name:`, `title:`,
    `date:`, `publisher:`) are exempt: a source's own title is quoted, not paraphrased."""
    lines = text.splitlines()
    seq = [(w, no) for no, line in enumerate(lines, 1) for w in _words(line)]
    hits: dict[int, str] = {}
    for i in range(len(seq) - N + 1):
        no = seq[i][1]
        line = lines[no - 1].strip()
        if line.startswith(_EXEMPT) or no in hits:
            continue
        if _key(tuple(w for w, _ in seq[i:i + N])) in keys:
            hits[no] = line
    return sorted(hits.items())


def _keys() -> set[str]:
    return set(FINGERPRINT.read_text(encoding="utf-8").split())


def test_the_check_finds_a_copied_run():
    keys = {_key(tuple(["the", "quick", "brown", "fox", "jumps", "over", "the"]))}
    text = "why: |\n  Here the Quick brown\n  fox jumps over the lazy dog.\n"
    assert shared_runs(text, keys) == [(2, "Here the Quick brown")]
    assert shared_runs("name: the quick brown fox jumps over the\n", keys) == []


@pytest.mark.parametrize("path", [*sorted(SCENARIOS.glob("*.yaml")), EXAMPLE],
                         ids=lambda p: p.name)
def test_no_seven_word_run_of_a_source(path):
    hits = shared_runs(path.read_text(encoding="utf-8"), _keys())
    assert not hits, "repeats a source word for word (7+ words); paraphrase and cite:\n" + (
        "\n".join(f"{path.name}:{no}: {line[:100]}" for no, line in hits))


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source texts are not at hand")
def test_fingerprint_matches_the_sources():
    assert _keys() == set(fingerprint(SOURCES)), (
        "sources changed: python -m tests.bundled.test_own_words " + str(SOURCES))


if __name__ == "__main__":  # pragma: no cover
    FINGERPRINT.write_text("\n".join(fingerprint(Path(sys.argv[1]))) + "\n", encoding="utf-8")
