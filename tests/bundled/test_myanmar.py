"""The Myanmar humanitarian-access scenario: its designed paths, its endings and its sourcing.

Scripted playthroughs go through the engine's public API (``load_scenario``, ``Game``); one
game is played through the ``backchannel play --plain`` command in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from engine.analysis.checking import check_file
from engine.analysis.statespace import build_graph
from engine.play.rules import Game
from engine.scenario.loader import load_scenario
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios" / "myanmar-humanitarian-access.yaml"
SEEDS = range(40)

ALL_TRACK_1 = [
    "r1-aha-relief",
    "r2-envoy-visit",
    "r3-5pc-review",
    "r4-summit-statement",
    "r5-election-engagement",
    "r6-standing-mandate",
]
ALL_TRACK_1_5 = [
    "r1-health-roundtable",
    "r2-access-dialogue",
    "r3-donor-retreat",
    "r4-informal-sherpa",
    "r5-border-trilateral",
    "r6-standing-forum",
]
ALL_TRACK_2 = [
    "r1-cscap-mapping",
    "r2-eao-cso-consultations",
    "r3-health-governance",
    "r4-governance-dialogue",
    "r5-climate-network",
    "r6-network-funding",
]
# Track-2 groundwork, carried by Track-1.5 meetings and a Track-1 decision.
MIXED = [
    "r1-cscap-mapping",
    "r2-access-dialogue",
    "r3-table-findings",
    "r4-governance-dialogue",
    "r5-border-trilateral",
    "r6-standing-forum",
]

# One scripted witness per ending (each reaches its ending whatever the seed).
WITNESSES = {
    "regime-terms": ALL_TRACK_1,
    # Unofficial work with the armed groups' relief arms that no official channel carries.
    "unheard": [
        "r1-aha-relief",
        "r2-eao-cso-consultations",
        "r3-health-governance",
        "r4-informal-sherpa",
        "r5-aha-prepositioning",
        "r6-network-funding",
    ],
    "talking-shop": ALL_TRACK_1_5,
    "narrow-bridge": MIXED,
    "shut-door": [
        "r1-cscap-mapping",
        "r2-access-dialogue",
        "r3-table-findings",
        "r4-nug-consultation",
        "r5-border-trilateral",
        "r6-standing-forum",
    ],
    "lowest-common-denominator": [
        "r1-aha-relief",
        "r2-access-dialogue",
        "r3-5pc-review",
        "r4-governance-dialogue",
        "r5-aha-prepositioning",
        "r6-network-funding",
    ],
}

# Aid becomes a weapon only when both sides turn relief to their own ends: convoys on the
# regime's permits steered to loyal towns, armed groups selling the relief talks at home as a
# claim to control aid. Both are chances, so no plan reaches this ending whatever the seed.
BOTH_SIDES_STEER = [
    "r1-aha-relief",
    "r2-eao-cso-consultations",
    "r3-5pc-review",
    "r4-summit-statement",
    "r5-climate-network",
    "r6-network-funding",
]


@pytest.fixture(scope="module")
def game() -> Game:
    return Game(load_scenario(SCENARIO))


def play(game: Game, choices: list[str], seed: int, may_end_early: bool = False):
    state, _ = game.start(seed)
    for option_id in choices:
        if may_end_early and state.over:
            return state
        assert not state.over, f"game ended ({state.ending_id}) before {option_id}"
        assert option_id in [o.id for o in game.offered(state)], option_id
        state, _ = game.apply(state, option_id)
    assert state.over, f"game not over after {choices}"
    return state


# --------------------------------------------------------------------------- the checker


def test_checker_reports_no_errors_and_no_warnings():
    loaded = check_file(SCENARIO)
    assert not loaded.problems, "\n".join(str(p) for p in loaded.problems)


def test_shape_six_rounds_every_track_in_every_round(game):
    scn = game.scenario
    assert len(scn.rounds) == 6
    for rnd in scn.rounds:
        tracks = {o.track.value for o in rnd.options}
        assert tracks >= {"1", "1.5", "2"}, rnd.id
        # at least one option of each track is offered whatever the state
        for track in ("1", "1.5", "2"):
            assert any(o.track.value == track and o.requires is None for o in rnd.options)
        assert 2 <= len(rnd.questions) <= 4 and rnd.facilitator_notes
    assert 4 <= len(scn.indicators) <= 8
    assert len(scn.events) >= 3 and any(e.when is not None for e in scn.events)
    assert len(scn.endings) >= 4 and scn.endings[-1].when is None
    for opt in (o for r in scn.rounds for o in r.options):
        assert 3 <= len(opt.tradeoffs) <= 5, opt.id
        assert len({t.dimension for t in opt.tradeoffs}) == len(opt.tradeoffs), opt.id
        assert opt.at_table, opt.id


# --------------------------------------------------------------------------- strategies


@pytest.mark.parametrize("seed", SEEDS)
def test_all_track_1_ends_with_aid_on_the_regimes_terms(game, seed):
    assert play(game, ALL_TRACK_1, seed).ending_id == "regime-terms"


@pytest.mark.parametrize("seed", SEEDS)
def test_all_track_2_ends_with_work_nobody_official_picked_up(game, seed):
    # Unheard, or, when the armed groups use the consultations to claim control of aid (a
    # chance), aid turned into a weapon: politicisation is not the regime's alone (¶15).
    state = play(game, ALL_TRACK_2, seed, may_end_early=True)
    assert state.ending_id in ("unheard", "aid-weaponised")
    assert game.value(state, "uptake") == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_mixed_strategy_builds_the_narrow_bridge(game, seed):
    state = play(game, MIXED, seed)
    assert state.ending_id == "narrow-bridge"
    assert game.value(state, "uptake") >= 3


def test_the_three_strategies_reach_three_different_endings(game):
    endings = {play(game, s, 1).ending_id for s in (ALL_TRACK_1, ALL_TRACK_2, MIXED)}
    assert len(endings) == 3


def test_track_2_pays_off_later_and_only_when_carried(game):
    """The round-1 map changes nothing in round 1; by round 3 it pays off only if a Track-1
    or Track-1.5 channel (bridge_open) carried it."""
    carried, _ = game.start(1)
    carried, _ = game.apply(carried, "r1-cscap-mapping")
    assert game.value(carried, "access") == 2  # the map itself moved no aid; the cuts hit
    uncarried = carried
    carried, _ = game.apply(carried, "r2-access-dialogue")
    uncarried, _ = game.apply(uncarried, "r2-eao-cso-consultations")
    assert game.value(carried, "uptake") == 1
    assert game.value(uncarried, "uptake") == 0


def test_aid_becomes_a_weapon_when_the_rolls_go_against_relief_on_both_sides(game):
    endings = [play(game, BOTH_SIDES_STEER, seed, may_end_early=True) for seed in SEEDS]
    weaponised = [s for s in endings if s.ending_id == "aid-weaponised"]
    assert weaponised and len(weaponised) < len(endings)
    for state in weaponised:
        assert game.value(state, "politicisation") >= 9 and game.value(state, "access") <= 2


@pytest.mark.parametrize("ending_id", sorted(WITNESSES))
def test_every_ending_has_a_scripted_witness(game, ending_id):
    for seed in SEEDS:
        assert play(game, WITNESSES[ending_id], seed).ending_id == ending_id


def test_every_ending_is_reachable_in_the_full_game_graph(game):
    graph = build_graph(game)
    assert graph.complete
    assert graph.endings_reached() == {e.id for e in game.scenario.endings}
    assert not graph.dead_ends()


# Citations, paragraphs and copied words: tests/bundled/test_all_bundled.py (all scenarios).


# --------------------------------------------------------------------------- the command


def test_a_plain_game_through_the_command_reaches_an_ending(tmp_path):
    exe = shutil.which("backchannel")
    args = ["play", "--plain", "myanmar-humanitarian-access", "--seed", "1"]
    cmd = [exe, *args] if exe else [sys.executable, "-m", "backchannel_cli.main", *args]
    stdin = "".join(f"{choice}\n" for choice in MIXED)
    out = subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "BACKCHANNEL_DATA_DIR": str(tmp_path / "data")},
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr
    assert "Ending: A narrow bridge" in out.stdout
