"""Lessons and grades: `check` proves a scenario's lessons over every path and refutes a
broken one with a counterexample; `explore` reports them; grades travel with endings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.analysis.checking import check_file
from engine.analysis.lessons import probability, prove
from engine.analysis.statespace import build_graph, reach, uniform
from engine.play.rules import Game
from engine.scenario.conditions import parse
from engine.scenario.loader import load_file
from tests.analysis.test_explore import _OPTION, _scenario_yaml
from tests.conftest import EXAMPLE, ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backchannel_cli.main", *args],
                          capture_output=True, text=True, timeout=60)


def _with_lessons(text: str, lessons: str) -> str:
    start = text.index("\nlessons:")
    end = text.index("\nroles:")
    return text[:start] + "\nlessons:\n" + lessons + text[end:]


def test_broken_every_ending_lesson_fails_check_with_the_shortest_path(write, example_text):
    # Clear skies is reached with one Track-1 and one Track-2 choice: "two Track-2" is false.
    path = write(_with_lessons(example_text, """\
  - id: too-strong
    text: Only two rounds of unofficial data sharing clear the air.
    cite: ["feng-track2 ¶6"]
    every_ending: not grade.success or track2 >= 2
"""))
    loaded = check_file(path)
    [error] = loaded.errors
    assert error.line is not None and "every_ending" in path.read_text().splitlines()[
        error.line - 1]
    assert "lesson 'too-strong' does not hold" in error.message
    # the path: both choices in order, the chance roll that had to come off, and the ending
    assert ("round 1 research-network (T2) -> round 2 binding-agreement (T1) "
            "[binding-agreement: happened, chance 80.0%] -> ends in clear-skies (success)"
            ) in error.message


def test_broken_chance_claim_reports_the_probabilities(write, example_text):
    path = write(_with_lessons(example_text, """\
  - id: t2-wins
    text: Unofficial work alone is enough.
    cite: ["feng-track2 ¶6"]
    chances:
      - of: grade.success
        under: track-2
        above: [{under: track-1}]
"""))
    [error] = check_file(path).errors
    assert "P(`grade.success`) under track-2 = 0%" in error.message
    assert "is not above P(`grade.success`) under track-1 = 0%" in error.message


def test_lesson_conditions_are_checked_by_name(write, example_text):
    path = write(_with_lessons(example_text, """\
  - id: typo
    text: x
    cite: ["feng-track2 ¶6"]
    every_ending: not grade.sucess or ending.clear-skeis
    chances:
      - {of: grade.success, under: track-3, at_most: 1.5}
"""))
    messages = [p.message for p in check_file(path).errors]
    assert any("unknown grade `sucess`; did you mean `success`?" in m for m in messages)
    assert any("unknown ending `clear-skeis`; did you mean `clear-skies`?" in m
               for m in messages)
    assert any("unknown policy 'track-3'" in m for m in messages)
    assert any("at_most is a probability from 0 to 1" in m for m in messages)


def test_only_lessons_read_the_ending(write, example_text):
    text = example_text.replace("when: friction > 6", "when: grade.success")
    messages = [p.message for p in load_file(write(text)).errors]
    assert any("`grade.success` can only be read by a lesson" in m for m in messages)


def test_every_ending_needs_a_known_grade(write, example_text):
    text = example_text.replace("grade: failure", "grade: disaster", 1)
    messages = [p.message for p in load_file(write(text)).errors]
    assert any("grade must be one of success, partial, failure, not 'disaster'" in m
               for m in messages)
    missing = example_text.replace("    grade: failure\n", "", 1)
    assert any("missing required key 'grade'" in p.message
               for p in load_file(write(missing, "m.yaml")).errors)


def test_explore_json_carries_grades_and_lessons():
    out = _cli("explore", "--json", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert {e["id"]: e["grade"] for e in d["endings"]} == {
        "war-of-words": "failure", "clear-skies": "success", "smoke-again": "partial"}
    [lesson] = d["lessons"]
    assert lesson["holds"] is True and lesson["counterexample"] is None
    assert lesson["citations"] == ["feng-track2 ¶6", "kang-kwa-2025 ¶12"]
    assert len(lesson["evidence"]) == 4  # the every_ending condition and three chance claims
    text = _cli("explore", str(EXAMPLE)).stdout
    assert "trust-before-treaty [holds]" in text
    assert "under best = 80.0% (at most 80.0%)" in text


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(st.lists(_OPTION, min_size=1, max_size=3), min_size=1, max_size=3),
       early=st.integers(4, 7), final=st.integers(3, 6))
def test_lessons_agree_with_the_state_graph(tmp_path, rounds, early, final):
    """A lesson that no game ends in success holds exactly when the best plan's chance of
    success is 0; a refuting path, replayed choice by choice, really ends in success; and the
    best plan is never worse than random play, nor the worst better."""
    text = _scenario_yaml(rounds, early, final) + """\
lessons:
  - id: never-high
    text: t
    cite: ["src ¶1"]
    every_ending: not grade.success
    chances:
      - {of: grade.success, under: best, at_least: 0}
      - {of: grade.success, under: worst, at_most: 1}
"""
    path = tmp_path / "gen.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.scenario is not None, [str(p) for p in loaded.errors]
    game = Game(loaded.scenario)
    graph = build_graph(game)
    [proof] = prove(graph)
    prob = reach(graph, uniform)
    p_random = sum(p for k, p in prob.items() if graph.nodes[k].state.ending_id == "high")
    success = parse("grade.success")
    assert probability(graph, success) == pytest.approx(p_random)
    best, worst = probability(graph, success, "best"), probability(graph, success, "worst")
    assert best is not None and worst is not None
    assert worst - 1e-9 <= p_random <= best + 1e-9
    assert proof.holds == (best == 0)
    if not proof.holds:
        example = proof.counterexample
        assert example is not None and example["grade"] == "success"
        # replay: some chance branch of each choice leads on, and the last lands in "high"
        states = [s for _, s in game.branches(None, None)]
        for step in [s for s in example["steps"] if s["option"] is not None]:
            states = [c for s in states if not s.over and step["option"] in
                      {o.id for o in game.offered(s)} for _, c in game.branches(s, step["option"])]
            assert states
        assert any(s.ending_id == "high" for s in states)


@pytest.mark.parametrize("bad", ["{under: random}", "{of: grade.success}"])
def test_a_chance_claim_must_compare_with_something(write, example_text, bad):
    path = write(_with_lessons(example_text, f"""\
  - id: vague
    text: x
    cite: ["feng-track2 ¶6"]
    chances: [{bad}]
"""))
    messages = [p.message for p in load_file(path).errors]
    assert any("compare" in m or "missing required key 'of'" in m for m in messages)


def test_line_mode_shows_only_the_chosen_roles_brief_and_round_notes(tmp_path):
    out = _cli("play", "--plain", str(EXAMPLE), "--seed", "1", "--save",
               str(tmp_path / "g.jsonl"), "--role", "ministry-adviser")
    assert out.returncode == 0, out.stderr
    assert "Your role (private): Adviser to the environment minister" in out.stdout
    assert "Director of a regional research institute" not in out.stdout
    played = subprocess.run(
        [sys.executable, "-m", "backchannel_cli.main", "play", "--plain", str(EXAMPLE),
         "--seed", "1", "--save", str(tmp_path / "h.jsonl"), "--role", "ministry-adviser"],
        input="research-network\nbinding-agreement\n", capture_output=True, text=True,
        timeout=60)
    # the round-2 note, only in round 2, with its citation label
    flat = " ".join(played.stdout.split())
    assert flat.count("A failed treaty round would be a public embarrassment at home. "
                      "(Kang & Kwa 2025 ¶4)") == 1
    unknown = _cli("play", "--plain", str(EXAMPLE), "--role", "envoy",
                   "--save", str(tmp_path / "u.jsonl"))
    assert unknown.returncode == 2
    assert "no role 'envoy' in haze-season; roles: ministry-adviser, institute-director" in (
        unknown.stderr)
    assert not (tmp_path / "u.jsonl").exists()


def test_debrief_lists_lessons_and_marks_those_the_game_illustrated(tmp_path):
    from engine.play.session import Session
    from engine.present.debrief import build_debrief, compare_markdown, to_markdown

    def play(*choices: str) -> str:
        s = Session.new(EXAMPLE, seed=3, path=tmp_path / f"{'-'.join(choices)}.jsonl")
        for c in choices:
            s.decide(c)
        return s

    won = play("research-network", "binding-agreement")
    lost = play("officials-and-experts", "quiet-dinner")
    assert won.state.ending_id == "clear-skies" and lost.state.ending_id == "smoke-again"
    md_won, md_lost = to_markdown(build_debrief(won)), to_markdown(build_debrief(lost))
    assert "## Ending: Clearer skies, for now (success)" in md_won
    assert "## What this scenario teaches" in md_won
    assert "- ✓ Clean air came only where unofficial data-sharing" in md_won
    assert "- Clean air came only where unofficial data-sharing" in md_lost
    assert "- ✓ Clean air" not in md_lost
    table = compare_markdown([build_debrief(won), build_debrief(lost)])
    assert "Clearer skies, for now (success)" in table and "Smoke again (partial)" in table


def test_track_balanced_random_play_is_not_skewed_by_how_many_options_a_track_has(
        write, example_text):
    """A copy of the Track-1 summit in round 1 doubles Track 1's weight under uniformly random
    play, but not under `random-track`, which picks a track first."""
    block = example_text[example_text.index("      - id: ministerial-summit"):
                         example_text.index("      - id: officials-and-experts")]
    twice = example_text.replace(block, block + block.replace(
        "id: ministerial-summit", "id: ministerial-summit-copy").replace(
        "title: Call an emergency", "title: Call an urgent"))

    def chances(text: str, name: str) -> tuple:
        loaded = load_file(write(text, name))
        assert loaded.scenario is not None, [str(p) for p in loaded.errors]
        graph = build_graph(Game(loaded.scenario))
        war = parse("ending.war-of-words")
        return probability(graph, war, "random"), probability(graph, war, "random-track")

    (plain, balanced), (plain2, balanced2) = chances(example_text, "a.yaml"), chances(twice,
                                                                                    "b.yaml")
    assert plain2 > plain + 0.05
    assert balanced2 == pytest.approx(balanced)


def test_a_failed_game_does_not_illustrate_what_every_success_does(tmp_path):
    """Korea's 'Every success uses all three tracks' was ticked on a failure that used all
    three: the debrief's ✓ means the path illustrated the lesson, which only a success can."""
    from engine.play.session import Session
    from engine.present.debrief import build_debrief, to_markdown

    nk = ROOT / "scenarios" / "north-korea-reengagement.yaml"
    lesson = "Every success uses all three tracks"

    def debrief(*choices: str) -> tuple[Session, str]:
        s = Session.new(nk, seed=1, path=tmp_path / f"{choices[0]}.jsonl")
        for c in choices:
            s.decide(c)
        return s, " ".join(to_markdown(build_debrief(s)).split())

    lost, md_lost = debrief("r1-host-dialogue", "r2-officers-session", "r3-invite",
                            "r4-relief-roundtable", "r5-publish-widen", "r6-memorandum")
    assert lost.state.ending_id == "holding-pattern" and all(lost.state.tracks)
    assert "(failure)" in md_lost
    assert f"- {lesson}" in md_lost and f"✓ {lesson}" not in md_lost
    won, md_won = debrief("r1-envoy", "r2-cscap-crisis", "r3-cscap-correspond",
                          "r4-flood-proposal", "r5-arf-framework", "r6-standing-process")
    assert "(success)" in md_won and f"- ✓ {lesson}" in md_won
    # Myanmar's "Plans that use all three tracks reach the bridge more often" neither.
    my = ROOT / "scenarios" / "myanmar-humanitarian-access.yaml"
    s = Session.new(my, seed=1, path=tmp_path / "my.jsonl")
    for c in ("r1-health-roundtable", "r2-eao-cso-consultations", "r3-donor-retreat",
              "r4-summit-statement", "r5-aha-prepositioning", "r6-standing-forum"):
        s.decide(c)
    assert s.state.ending_id == "regime-terms" and all(s.state.tracks)
    md = " ".join(to_markdown(build_debrief(s)).split())
    assert "- Plans that use all three tracks reach the bridge" in md
    assert "✓ Plans that use all three tracks" not in md
