"""The North Korea re-engagement scenario: its designed paths, its endings and its sourcing.

Scripted playthroughs go through the engine's public API (``load_scenario``, ``Game``); one
game is played through the ``backchannel play --plain`` command in a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from engine.analysis.checking import check_file
from engine.play.rules import Game
from engine.scenario.loader import load_scenario
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios" / "north-korea-reengagement.yaml"
SEEDS = range(30)

ALL_TRACK_1 = [
    "r1-envoy",
    "r2-quiet-line",
    "r3-medical-offer",
    "r4-flood-relief",
    "r5-arf-framework",
    "r6-memorandum",
]
ALL_TRACK_1_5 = [
    "r1-host-dialogue",
    "r2-officers-session",
    "r3-invite",
    "r4-relief-roundtable",
    "r5-working-group",
    "r6-standing-process",
]
ALL_TRACK_2 = [
    "r1-cscap-study",
    "r2-cscap-crisis",
    "r3-cscap-correspond",
    "r4-flood-proposal",
    "r5-publish-widen",
    "r6-handover",
]
# The best ending keeps miscalculation risk and partners' confidence in bounds (the lesson
# 'bridge-keeps-risk-and-partners') and rests on sustained Track-2 contact (the lesson
# 'sustained-track2'): an official opening, three rounds of expert work with Pyongyang's
# committee (crisis communication, correspondence through the closure, a flood-warning
# proposal), the ARF framework that adopts it, and a standing Track-1.5 process.
MIXED = [
    "r1-envoy",
    "r2-cscap-crisis",
    "r3-cscap-correspond",
    "r4-flood-proposal",
    "r5-arf-framework",
    "r6-standing-process",
]

# One scripted witness per ending; each reaches its ending whatever the seed.
WITNESSES = {
    "brittle-opening": ALL_TRACK_1,
    "managed-rivalry": ALL_TRACK_1_5,
    "expert-island": ALL_TRACK_2,
    "narrow-bridge": MIXED,
    # The same pipeline from Track-2 to officials, but no official step towards Pyongyang.
    "regional-arms-length": [
        "r1-cscap-study",
        "r2-attach-officials",
        "r3-cscap-correspond",
        "r4-relief-roundtable",
        "r5-working-group",
        "r6-standing-process",
    ],
    # Every expensive official and Track-1.5 move stacked: capital runs out after round 6.
    "recalled": [
        "r1-envoy",
        "r2-quiet-line",
        "r3-medical-offer",
        "r4-flood-relief",
        "r5-working-group",
        "r6-standing-process",
    ],
    # A firm line and talk about Pyongyang, no channel of one's own inside: the game ends
    # early, at the start of round 5, when the Russia reports push the risk up.
    "lines-down": [
        "r1-host-dialogue",
        "r2-joint-statement",
        "r3-invite",
        "r4-relief-roundtable",
        "r5-working-group",
        "r6-standing-process",
    ],
    # Official contact undone by the joint statement, then a bit of everything.
    "holding-pattern": [
        "r1-envoy",
        "r2-joint-statement",
        "r3-medical-offer",
        "r4-flood-relief",
        "r5-working-group",
        "r6-standing-process",
    ],
}



@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def game(scenario):
    return Game(scenario)


def play(game: Game, choices: list[str], seed: int):
    state, _ = game.start(seed)
    for option_id in choices:
        if state.over:
            break
        offered = [o.id for o in game.offered(state)]
        assert option_id in offered, f"{option_id} not offered in round {state.round_no}: {offered}"
        state, _ = game.apply(state, option_id)
    assert state.over, "the game should be over after six choices"
    return state


# --------------------------------------------------------------------------- the checker


def test_checker_reports_no_errors_and_no_warnings():
    loaded = check_file(SCENARIO)
    assert not loaded.errors, "\n".join(map(str, loaded.errors))
    assert not loaded.warnings, "\n".join(map(str, loaded.warnings))


def test_shape(scenario):
    assert len(scenario.rounds) >= 5
    assert 4 <= len(scenario.indicators) <= 8
    assert len(scenario.events) >= 3
    assert any(e.when is not None for e in scenario.events), "some injects depend on state"
    assert len(scenario.endings) >= 4
    assert scenario.endings[-1].when is None, "the last ending is the fallback"
    assert {a.id for a in scenario.actors} >= {
        "dprk", "rok", "us", "japan", "china", "russia", "asean-arf", "cscap", "neacd",
    }
    assert SCENARIO.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../docs/scenario.schema.json\n"
    )
    for rnd in scenario.rounds:
        unconditional = {o.track.value for o in rnd.options if o.requires is None}
        assert unconditional == {"1", "1.5", "2"}, rnd.id
        assert 2 <= len(rnd.questions) <= 4, rnd.id
        assert rnd.facilitator_notes, rnd.id
        for option in rnd.options:
            assert 3 <= len(option.tradeoffs) <= 5, option.id
            assert option.at_table, option.id
    for ending in scenario.endings:
        assert ending.cite, ending.id


# --------------------------------------------------------------------------- designed paths


@pytest.mark.parametrize("ending_id", sorted(WITNESSES))
def test_witness_reaches_its_ending_for_every_seed(game, ending_id):
    for seed in SEEDS:
        state = play(game, WITNESSES[ending_id], seed)
        assert state.ending_id == ending_id, f"seed {seed}"


def test_pure_and_mixed_strategies_reach_different_endings(game):
    for seed in SEEDS:
        endings = {
            "track1": play(game, ALL_TRACK_1, seed).ending_id,
            "track2": play(game, ALL_TRACK_2, seed).ending_id,
            "mixed": play(game, MIXED, seed).ending_id,
        }
        assert endings == {
            "track1": "brittle-opening",
            "track2": "expert-island",
            "mixed": "narrow-bridge",
        }, f"seed {seed}"
        assert len(set(endings.values())) == 3


def test_witnesses_cover_every_ending(scenario):
    assert set(WITNESSES) == {e.id for e in scenario.endings}


def test_track2_pays_off_only_when_carried_into_track1(game):
    """The round-1 study group's delayed effect resolves at the start of round 4, and only if
    an official or Track-1.5 vehicle (the `bridge` flag) exists by then."""

    def flags_at_round_4(choices):
        state, _ = game.start(7)
        for option_id in choices[:3]:
            state, _ = game.apply(state, option_id)
        assert state.round_no == 4
        return state.flags

    study_then_bridge = ["r1-cscap-study", "r2-attach-officials", "r3-cscap-correspond"]
    assert "ideas_adopted" in flags_at_round_4(study_then_bridge)
    assert "ideas_adopted" not in flags_at_round_4(ALL_TRACK_2)
    final = play(game, ALL_TRACK_2, 7)
    assert "ideas_adopted" not in final.flags and "bridge" not in final.flags


def test_every_ending_reachable_by_search(game, scenario):
    """Walk every sequence of offered options for a few seeds."""
    reached: set[str] = set()

    def walk(state):
        if state.over:
            reached.add(state.ending_id)
            return
        for option in game.offered(state):
            walk(game.apply(state, option.id)[0])

    for seed in (1, 2, 3):
        walk(game.start(seed)[0])
    assert reached == {e.id for e in scenario.endings}


# --------------------------------------------------------------------------- sourcing


# Citations, paragraphs and copied words: tests/bundled/test_all_bundled.py (all scenarios).


def test_plain_play_through_the_command_reaches_an_ending(tmp_path):
    exe = shutil.which("backchannel")
    cmd = [exe] if exe else [sys.executable, "-m", "backchannel_cli.main"]
    log = tmp_path / "nk.jsonl"
    result = subprocess.run(
        [*cmd, "play", "--plain", "north-korea-reengagement", "--seed", "1", "--save", str(log)],
        input="".join(f"{choice}\n" for choice in ALL_TRACK_1),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "DEBRIEF" in result.stdout
    assert "Ending: An opening without hinges" in result.stdout
    assert log.exists()
