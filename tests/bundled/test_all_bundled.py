"""Rules every bundled scenario must keep (a new scenario in scenarios/ is tested for free):
sourced trade-offs whose paragraphs exist, own words, real trade-offs, the required shape."""

import re

import pytest
import yaml

from engine.analysis.checking import check_file
from engine.analysis.statespace import build_graph
from engine.play.rules import Game
from engine.scenario.checks import _citations
from engine.scenario.vocabulary import Track
from tests.conftest import SCENARIOS, SOURCES

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
WORD = re.compile(r"[a-z0-9']+")
TAG = re.compile(r"\[¶(\d+)\]")
needs_sources = pytest.mark.skipif(not SOURCES.is_dir(),
                                   reason=f"source editions not found at {SOURCES}")


def test_both_flagship_scenarios_are_bundled():
    assert {p.stem for p in BUNDLED} >= {"myanmar-humanitarian-access",
                                         "north-korea-reengagement"}


@pytest.fixture(scope="module", params=BUNDLED, ids=lambda p: p.stem)
def loaded(request):
    return check_file(request.param)


def test_checks_with_no_errors_and_no_warnings(loaded):
    assert loaded.problems == (), "\n".join(map(str, loaded.problems))


def test_shape_rounds_tracks_indicators_events_endings(loaded):
    scn = loaded.scenario
    assert len(scn.rounds) >= 5
    for rnd in scn.rounds:
        unconditional = {o.track for o in rnd.options if o.requires is None}
        assert unconditional == set(Track), f"{rnd.id} lacks an always-offered track option"
        assert 2 <= len(rnd.questions) <= 4, rnd.id
        assert rnd.facilitator_notes, rnd.id
    assert 4 <= len(scn.indicators) <= 8
    assert len(scn.events) >= 3 and any(e.when is not None for e in scn.events)
    assert len(scn.endings) >= 4 and all(e.cite for e in scn.endings)
    assert scn.about.learning_objectives and scn.about.team_roles


def test_every_option_trades_something_for_something(loaded):
    for rnd in loaded.scenario.rounds:
        for opt in rnd.options:
            ratings = [t.rating for t in opt.tradeoffs]
            assert len(ratings) >= 3, opt.id
            assert min(ratings) < 0 < max(ratings), f"{opt.id} has no real trade-off"


def test_every_ending_is_reachable_and_nothing_dead_ends(loaded):
    graph = build_graph(Game(loaded.scenario))
    assert graph.complete and not graph.dead_ends()
    assert graph.endings_reached() == {e.id for e in loaded.scenario.endings}


@needs_sources
def test_every_citation_names_a_paragraph_of_the_source_edition(loaded):
    scn = loaded.scenario
    paragraphs = {}
    for src in scn.sources:
        text = (SOURCES / f"{src.id}.md").read_text(encoding="utf-8")
        paragraphs[src.id] = {int(n) for n in TAG.findall(text)}
        assert len(paragraphs[src.id]) == src.paragraphs, src.id
    cites = list(_citations(scn))
    assert len(cites) > 100
    for path, cite in cites:
        missing = [n for n in cite.paragraphs if n not in paragraphs[cite.source]]
        assert not missing, f"{path}: {cite} names a paragraph the edition lacks"


def _strings(node, top=True):
    if isinstance(node, dict):
        for k, v in node.items():
            if not (top and k == "sources"):  # titles and publishers are quoted on purpose
                yield from _strings(v, False)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, False)
    elif isinstance(node, str):
        yield node


def _windows(text: str, n: int = 9) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower().replace("’", "'"))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@needs_sources
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_no_run_of_nine_words_is_copied_from_a_source(path):
    theirs = set().union(*(_windows(f.read_text(encoding="utf-8"))
                           for f in SOURCES.glob("*.md")))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    copied = [" ".join(run) for text in _strings(data) for run in _windows(text) & theirs]
    assert not copied, copied
