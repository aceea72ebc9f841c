"""`backchannel explore`: exact and sampled reports, checked against hand-computed fixtures
(tests/fixtures/explore/*.yaml; each file's header comment derives the numbers asserted here)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from fractions import Fraction

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel_cli import main as cli
from backchannel_cli.progress import TextProgress
from engine.analysis.checking import check_file
from engine.analysis.exploration import explore
from engine.analysis.statespace import build_graph
from engine.play.rules import Game
from engine.present.explore_text import render_text
from engine.scenario.checks import dominated_by
from engine.scenario.loader import load_file
from engine.scenario.vocabulary import Track
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures" / "explore"
SCHEMA = json.loads((ROOT / "docs" / "explore.schema.json").read_text(encoding="utf-8"))


def load(name: str):
    """Load a fixture without the checker's reachability pass (deadend.yaml fails it)."""
    loaded = load_file(FIX / name)
    assert loaded.scenario is not None, [str(p) for p in loaded.errors]
    return loaded.scenario


# One validator for the module: jsonschema.validate() re-checks the schema and resolves its
# references afresh on every call (0.15 s each, 40 times in the property test below).
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def validate(data: dict) -> None:
    VALIDATOR.validate(data)


def by_id(items: list[dict], key: str = "id") -> dict[str, dict]:
    return {x[key]: x for x in items}


@pytest.fixture(scope="module")
def hand() -> dict:
    return explore(load("hand.yaml")).data


# --------------------------------------------------------------------------- hand.yaml


def test_hand_endings_probabilities_and_paths(hand):
    endings = by_id(hand["endings"])
    assert hand["mode"] == "exact" and not hand["bound_hit"] and hand["notice"] is None
    assert hand["states"] == 12
    assert endings["deal"]["probability"] == pytest.approx(0.5)
    assert endings["stalemate"]["probability"] == pytest.approx(0.5)
    assert endings["crisis"]["probability"] == 0
    assert (endings["deal"]["paths"], endings["stalemate"]["paths"]) == (4, 3)
    assert endings["crisis"]["paths"] == 0 and not endings["crisis"]["reachable"]
    assert all(e["stderr"] is None for e in hand["endings"])
    assert hand["dead_ends"] == {"probability": 0, "paths": 0, "groups": []}


def test_hand_unreachable(hand):
    assert hand["unreachable"] == {
        "rounds": ["r3"],
        "options": ["p2x", "q1"],
        "events": ["never-ev"],
        "endings": ["crisis"],
    }


def test_hand_rounds_options_events(hand):
    rounds = by_id(hand["rounds"])
    assert rounds["r1"]["probability"] == pytest.approx(1)
    assert rounds["r2"]["probability"] == pytest.approx(1)
    assert rounds["r3"]["probability"] == 0
    options = by_id(hand["options"])
    assert options["p1"]["offered"] == pytest.approx(5 / 6)  # states A, C, D
    assert options["p1"]["chosen"] == pytest.approx(5 / 12)
    assert options["p15"]["chosen"] == pytest.approx(7 / 12)
    assert options["o2"]["chosen"] == pytest.approx(1 / 3)
    assert options["p1"]["states_offered"] == 3
    events = by_id(hand["events"])
    assert events["boost"]["probability"] == pytest.approx(1 / 3)
    assert events["never-ev"]["probability"] == 0


def test_hand_indicators_at_the_end(hand):
    ind = by_id(hand["indicators"])
    trust, risk = ind["trust"], ind["risk"]
    assert (trust["min"], trust["max"]) == (2, 5)
    assert {d["value"]: d["probability"] for d in trust["distribution"]} == pytest.approx(
        {2: 1 / 6, 3: 1 / 3, 4: 5 / 12, 5: 1 / 12})
    assert trust["mean"] == pytest.approx(41 / 12)
    assert (risk["min"], risk["max"]) == (1, 3)
    assert {d["value"]: d["probability"] for d in risk["distribution"]} == pytest.approx(
        {1: 1 / 6, 2: 5 / 12, 3: 5 / 12})


def test_hand_prefer_track(hand):
    tracks = {t["track"]: t for t in hand["tracks"]}
    assert tracks["1"]["endings"] == pytest.approx({"crisis": 0, "deal": 0.5, "stalemate": 0.5})
    assert tracks["1.5"]["endings"] == pytest.approx({"crisis": 0, "deal": 0, "stalemate": 1})
    assert tracks["2"]["endings"] == pytest.approx({"crisis": 0, "deal": 0.5, "stalemate": 0.5})
    assert all(t["dead_end"] == 0 for t in hand["tracks"])


def test_hand_no_option_dominated_everywhere(hand):
    assert hand["dominated"] == []


def test_hand_citation_coverage(hand):
    cit = hand["citations"]
    assert cit["total"] == 11  # citation entries: 6 trade-offs (one cites two) + 3 endings + ...
    (src,) = cit["sources"]
    assert src["paragraphs"] == 10
    assert src["citations"] == 11
    counts = {c["paragraph"]: c["count"] for c in src["cited"]}
    # ¶3-4 is one citation covering two paragraphs
    assert counts == {1: 1, 2: 2, 3: 1, 4: 1, 5: 2, 6: 2, 7: 1, 8: 2}
    assert src["uncited"] == [9, 10]
    assert src["mentions"] == [{"paragraph": 7, "count": 1}]  # "a (src ¶7)" in an assessment
    by = {c["paragraph"]: c["by"] for c in src["cited"]}
    assert by[2] == ["option o15 (continuity)", "option o2 (flexibility)"]


def test_hand_text_report(hand):
    text = render_text(explore(load("hand.yaml")).data)
    assert "Exact exploration: 12 states" in text
    assert "deal" in text and "50.0%" in text
    assert "rounds: r3" in text and "options: p2x, q1" in text
    assert "Dead ends: none." in text
    assert "never cited: ¶9-10" in text


# --------------------------------------------------------------------------- deadend.yaml


def test_dead_ends():
    report = explore(load("deadend.yaml"))
    d = report.data
    assert report.has_errors
    assert by_id(d["endings"])["high"]["probability"] == pytest.approx(0.25)
    assert d["dead_ends"]["probability"] == pytest.approx(0.75)
    assert d["dead_ends"]["paths"] == 2
    in_round, after = d["dead_ends"]["groups"]
    assert in_round["round"] == 2 and in_round["probability"] == pytest.approx(0.5)
    assert in_round["example"] == {"values": {"x": 0}, "flags": [], "choices": ["b"]}
    assert after["round"] is None and after["probability"] == pytest.approx(0.25)
    assert after["example"]["choices"] == ["a", "d"]
    assert "after the last round" in after["where"]
    tracks = {t["track"]: t for t in d["tracks"]}
    assert tracks["1"]["dead_end"] == 0 and tracks["1"]["endings"]["high"] == pytest.approx(1)
    assert tracks["2"]["dead_end"] == pytest.approx(1)
    assert "ERROR: dead ends" in render_text(report.data)
    validate(d)


# --------------------------------------------------------------------------- dominance.yaml


def test_state_aware_dominance():
    d = explore(load("dominance.yaml")).data
    assert [x["option"] for x in d["dominated"]] == ["lure"]
    (lure,) = d["dominated"]
    assert lure["states"] == 3
    assert {b["option"]: b["states"] for b in lure["by"]} == {"push": 3, "hold": 3, "guard": 3}
    options = by_id(d["options"])
    # hold ties with push where trust is already at its maximum: dominated in 2 of 3 states
    assert (options["hold"]["states_dominated"], options["hold"]["states_offered"]) == (2, 3)
    assert options["push"]["states_dominated"] == 0
    assert all(options[o]["states_dominated"] == 0 for o in ("up", "calm", "wait", "guard"))


def test_state_aware_dominance_differs_from_the_static_check():
    scn = load("dominance.yaml")
    r2 = {o.id: o for o in scn.rounds[1].options}
    # static: hold looks dominated (clamping unseen), lure is not compared (other `requires`)
    assert dominated_by(scn, r2["hold"], r2["push"])
    assert not any(dominated_by(scn, r2["lure"], r2[b]) for b in ("push", "hold", "guard"))


def test_flags_and_delayed_effects_block_dominance(write, example_text):
    # research-network sets a flag: nothing that does not is comparable with it
    d = explore(check_file(write(example_text)).scenario).data
    assert d["dominated"] == []
    opts = by_id(d["options"])
    assert opts["research-network"]["states_dominated"] == 0


# --------------------------------------------------------------------------- sampling


def test_random_mode_is_reproducible():
    scn = load("hand.yaml")
    a = explore(scn, samples=400, seed=11).data
    b = explore(scn, samples=400, seed=11).data
    assert a == b
    assert a["mode"] == "sampled" and a["samples"] == 400 and a["seed"] == 11
    c = explore(scn, samples=400, seed=12).data
    assert c != a


def test_random_mode_agrees_with_exact():
    scn = load("hand.yaml")
    d = explore(scn, samples=4000, seed=5).data
    endings = by_id(d["endings"])
    for eid, exact in (("deal", 0.5), ("stalemate", 0.5), ("crisis", 0.0)):
        e = endings[eid]
        assert abs(e["probability"] - exact) <= 4 * max(e["stderr"], 0.01)
    assert endings["deal"]["paths"] == 4 and endings["stalemate"]["paths"] == 3
    assert d["unreachable"] == explore(scn).data["unreachable"]
    assert d["states"] == 12
    assert [x["option"] for x in d["dominated"]] == []
    tracks = {t["track"]: t for t in d["tracks"]}
    assert tracks["1.5"]["endings"]["stalemate"] == 1.0
    validate(d)


def test_sampled_dead_ends_and_dominance():
    d = explore(load("deadend.yaml"), samples=500, seed=1).data
    groups = {g["round"]: g for g in d["dead_ends"]["groups"]}
    assert set(groups) == {2, None}
    assert groups[2]["example"]["choices"] == ["b"]
    assert groups[None]["example"]["choices"] == ["a", "d"]
    assert groups[2]["states"] == 1
    dom = explore(load("dominance.yaml"), samples=300, seed=2).data
    assert [x["option"] for x in dom["dominated"]] == ["lure"]


def test_bound_falls_back_to_sampling():
    scn = load("hand.yaml")
    calls = []
    report = explore(scn, max_states=4, fallback_samples=200, seed=3,
                     progress=lambda *a: calls.append(a))
    d = report.data
    assert d["mode"] == "sampled" and d["bound_hit"]
    assert "more than 4 states" in d["notice"] and "--max-states" in d["notice"]
    assert d["samples"] == 200
    assert "NOTE: the game has more than 4 states" in render_text(report.data)
    assert {c[0] for c in calls} >= {"sampling"}
    validate(d)


def test_progress_callback_phases():
    calls = []
    explore(load("hand.yaml"), progress=lambda *a: calls.append(a))
    assert calls[-1][0] == "analysing"
    for phase, done, total in calls:
        assert phase in ("exploring", "analysing", "sampling")
        assert isinstance(done, int) and (total is None or isinstance(total, int))


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("name", ["hand.yaml", "deadend.yaml", "dominance.yaml"])
@pytest.mark.parametrize("samples", [None, 50])
def test_json_validates_against_schema(name, samples):
    report = explore(load(name), samples=samples)
    data = json.loads(report.to_json())
    validate(data)
    assert data == report.data


def test_json_of_example_and_bundled_scenarios_validate():
    paths = [ROOT / "docs" / "example-scenario.yaml", *sorted((ROOT / "scenarios").glob("*.yaml"))]
    for path in paths:
        loaded = load_file(path)
        assert loaded.scenario is not None, [str(p) for p in loaded.errors]
        validate(explore(loaded.scenario, file=str(path)).data)  # raises on a mismatch


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


# --------------------------------------------------------------------------- CLI


def test_cli_explore_text_and_exit_codes(capsys):
    assert cli.main(["explore", str(FIX / "hand.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Endings (uniformly random play)" in out
    assert cli.main(["explore", str(FIX / "deadend.yaml")]) == 1
    captured = capsys.readouterr()
    assert "dead end" in captured.err and "ERROR: dead ends" in captured.out


def test_cli_explore_json(capsys):
    assert cli.main(["explore", str(FIX / "hand.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    validate(data)
    assert data["scenario"]["file"].endswith("hand.yaml")


def test_cli_explore_random_seed(capsys):
    args = ["explore", str(FIX / "hand.yaml"), "--json", "--random", "300", "--seed", "9"]
    assert cli.main(args) == 0
    first = capsys.readouterr().out
    assert cli.main(args) == 0
    assert capsys.readouterr().out == first
    assert json.loads(first)["seed"] == 9


def test_cli_explore_bound_message(capsys):
    args = ["explore", str(FIX / "hand.yaml"), "--json", "--max-states", "3"]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert "more than 3 states" in captured.err
    assert json.loads(captured.out)["bound_hit"] is True


def test_cli_explore_bad_file_prints_problems(write, capsys):
    path = write("format: 1\nid: Bad Id\ntitle: [unclosed\n", "bad.yaml")
    assert cli.main(["explore", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4:1: error: YAML syntax" in err
    assert "Traceback" not in err


def test_cli_explore_structural_errors(write, capsys, example_text):
    path = write(example_text.replace("start: 3\n", "start: three\n", 1), "typo.yaml")
    assert cli.main(["explore", str(path)]) == 1
    err = capsys.readouterr().err
    assert "error: expected a whole number" in err and "Traceback" not in err


def test_cli_explore_unknown_scenario(capsys):
    assert cli.main(["explore", "no-such-scenario"]) == 1
    assert "no scenario 'no-such-scenario'" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [["--random", "0"], ["--max-states", "x"], ["--seed", "1.5"]])
def test_cli_explore_usage_errors(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["explore", str(FIX / "hand.yaml"), *bad])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- progress bar


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_progress_bar_waits_a_second_then_draws_and_erases():
    clock = _Clock()
    buf = io.StringIO()
    bar = TextProgress(buf, force=True, clock=clock)
    bar("exploring", 10, 100)
    assert buf.getvalue() == ""  # quick runs print nothing
    clock.t = 1.5
    bar("exploring", 50, 100)
    assert "exploring [" in buf.getvalue() and "50/100" in buf.getvalue()
    clock.t = 1.55
    bar("exploring", 60, 100)  # throttled
    assert "60/100" not in buf.getvalue()
    clock.t = 2.0
    bar("sampling", 7, None)
    assert "sampling 7" in buf.getvalue()
    bar.close()
    assert buf.getvalue().endswith("\r")


def test_progress_bar_silent_off_a_terminal():
    buf = io.StringIO()
    bar = TextProgress(buf, delay=0.0, interval=0.0)
    bar("exploring", 1, 2)
    bar.close()
    assert buf.getvalue() == ""


# --------------------------------------------------------------------------- properties


def _brute_force(game: Game) -> tuple[Counter, Counter]:
    """Ending probabilities and path counts by plain recursion over Game.branches, with no
    memoisation: an independent oracle for the graph walk."""
    probs: Counter = Counter()
    paths: Counter = Counter()

    def rec(state, p):
        if state.over:
            probs[state.ending_id] += p
            paths[state.ending_id] += 1
            return
        offered = game.offered(state)
        for o in offered:
            for bp, child in game.branches(state, o.id):
                rec(child, p * bp / len(offered))

    for bp, s in game.branches(None, None):
        rec(s, bp)
    return probs, paths


_EFFECT = st.fixed_dictionaries({
    "ind": st.sampled_from(["a", "b"]),
    "delta": st.integers(-2, 2).filter(bool),
    "chance": st.sampled_from([None, 0.5, 0.25]),
    "after": st.sampled_from([0, 0, 1]),
})
_OPTION = st.fixed_dictionaries({
    "effects": st.lists(_EFFECT, max_size=2),
    "requires": st.sampled_from([None, None, "a >= 3", "b <= 2", "flags.f"]),
    "sets_flag": st.booleans(),
    "rating": st.integers(-2, 2),
})


def _scenario_yaml(rounds: list[list[dict]], early: int, final: int) -> str:
    lines = [
        "format: 1", "id: gen", "title: Generated", "region: R", 'situation_date: "x"',
        "summary: s", "about: {learning_objectives: [x], duration: {solo_minutes: 1, "
        "workshop_minutes: 1}}",
        "sources: [{id: src, title: t, authors: [A B], publisher: p, date: 'd'}]",
        "flags: [{id: f, meaning: m}]",
        "indicators: [{id: a, label: A, meaning: m, start: 3}, {id: b, label: B, meaning: m, "
        "start: 3, better: lower}]",
        "rounds:",
    ]
    for r, options in enumerate(rounds):
        lines += [f"  - id: r{r}", "    title: t", "    situation: s", "    options:"]
        for o, opt in enumerate(options):
            track = (1, 1.5, 2)[o % 3]
            effs = []
            for e in opt["effects"]:
                parts = [f"change: {{{e['ind']}: {e['delta']}}}"]
                if e["chance"] is not None:
                    parts.append(f"chance: {e['chance']}")
                if e["after"]:
                    parts.append(f"after: {e['after']}")
                effs.append("{" + ", ".join(parts) + "}")
            if opt["sets_flag"]:
                effs.append("{set: [f]}")
            req = f", requires: '{opt['requires']}'" if opt["requires"] else ""
            lines.append(
                f"      - {{id: r{r}o{o}, track: {track}, title: t, description: d{req}, "
                f"effects: [{', '.join(effs)}], tradeoffs: [{{dimension: speed, "
                f"rating: {opt['rating']}, why: w, cite: ['src ¶1']}}]}}")
    lines += [
        "endings:",
        f"  - {{id: early, title: t, when: 'b >= {early}', early: true, grade: failure, "
        "epilogue: e, assessment: a}",
        f"  - {{id: high, title: t, when: 'a >= {final}', grade: success, epilogue: e, "
        "assessment: a}",
        "  - {id: low, title: t, when: 'a <= 2', grade: partial, epilogue: e, assessment: a}",
    ]
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rounds=st.lists(st.lists(_OPTION, min_size=1, max_size=3), min_size=1, max_size=3),
    early=st.integers(4, 7),
    final=st.integers(3, 6),
)
def test_exact_report_matches_brute_force(tmp_path, rounds, early, final):
    path = tmp_path / "gen.yaml"
    path.write_text(_scenario_yaml(rounds, early, final), encoding="utf-8")
    loaded = load_file(path)
    assert loaded.scenario is not None, [str(p) for p in loaded.errors]
    game = Game(loaded.scenario)
    probs, paths = _brute_force(game)
    d = explore(loaded.scenario).data
    assert d["mode"] == "exact"
    for e in d["endings"]:
        assert e["probability"] == pytest.approx(probs.get(e["id"], 0.0), abs=1e-9)
        assert e["paths"] == paths.get(e["id"], 0)
    assert d["dead_ends"]["probability"] == pytest.approx(probs.get(None, 0.0), abs=1e-9)
    assert d["dead_ends"]["paths"] == paths.get(None, 0)
    total = sum(e["probability"] for e in d["endings"]) + d["dead_ends"]["probability"]
    assert total == pytest.approx(1.0)
    for t in d["tracks"]:
        assert sum(t["endings"].values()) + t["dead_end"] == pytest.approx(1.0)
    for ind in d["indicators"]:
        assert sum(x["probability"] for x in ind["distribution"]) == pytest.approx(1.0)
        assert ind["min"] <= ind["mean"] <= ind["max"]
    graph = build_graph(game)
    assert d["states"] == len(graph.nodes)
    assert set(d["unreachable"]["endings"]) == (
        {"early", "high", "low"} - graph.endings_reached())
    validate(d)


def test_fractions_of_hand_fixture_are_exact(hand):
    # the probabilities are sums of powers of 1/2 and 1/3: exact to float precision
    for e in hand["endings"]:
        assert Fraction(e["probability"]).limit_denominator(1000) in (0, Fraction(1, 2))


def test_check_graph_and_explore_name_the_same_unreachable_parts(capsys):
    """One computation (engine.analysis.reachability) behind all three commands."""
    path = FIX / "hand.yaml"
    gone = explore(load("hand.yaml")).data["unreachable"]
    ids = {i for part in gone.values() for i in part}
    warned = {p.message.split("'")[1] for p in check_file(path).warnings
              if "never" in p.message}
    # check names a round it can never play, not each of that round's options as well
    assert warned == ids - {"q1"} and "r3" in warned
    assert cli.main(["graph", str(path)]) == 0
    drawn = capsys.readouterr().out
    marked = set(re.findall(r"\(([\w.-]+)\)[\]\)}\"]*:::unreachable", drawn))
    assert marked == ids - {"r3"}  # round boxes carry their number, not their id
    assert drawn.count(":::unreachable") == len(ids)


@pytest.mark.parametrize("n", [3, 6, 10])
def test_sure_lower_bound_on_states_never_overstates(n, tmp_path):
    """statespace.surely_more_states_than lets `check` and `explore` skip a walk that would
    hit its bound: it must never claim more states than the walk finds."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import scenario_yaml

    from engine.analysis.statespace import surely_more_states_than

    story = tmp_path / f"synthetic-{n}.yaml"
    story.write_text(scenario_yaml(n), encoding="utf-8")
    games = [Game(load_file(story).scenario)]
    games += [Game(load(p.name)) for p in sorted(FIX.glob("*.yaml"))
              if load_file(p).scenario is not None]
    for game in games:
        states = len(build_graph(game).nodes)
        assert not surely_more_states_than(game, states)
    synthetic = games[0]
    states = len(build_graph(synthetic).nodes)
    assert surely_more_states_than(synthetic, states // 4)  # and it does see most of them


def test_check_says_when_the_game_is_too_large_to_prove_reachability(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import scenario_yaml

    story = tmp_path / "synthetic-60.yaml"  # well over 10,000 states: the walk is skipped
    story.write_text(scenario_yaml(60), encoding="utf-8")
    loaded = check_file(story)
    assert loaded.scenario is not None and not loaded.errors
    assert any("more than 10,000 states" in p.message and "backchannel explore" in p.message
               for p in loaded.warnings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.lists(st.tuples(st.booleans(), st.lists(st.tuples(st.sampled_from(list(Track)),
                                                                   st.booleans()),
                                                         min_size=1, max_size=4)),
                      min_size=1, max_size=14),
       early=st.booleans())
def test_check_sees_a_game_too_large_to_walk_as_statespace_does(shape, early):
    """`check` reads the sure lower bound on states off the model, so that a story too large
    to walk is not compiled into a game: it must agree with statespace's, read off the game
    (a higher count would skip a walk that proves what check reports)."""
    import attrs

    from engine.analysis.checking import surely_too_many_states
    from engine.analysis.statespace import surely_more_states_than
    from engine.scenario.conditions import parse as parse_condition

    base = load("hand.yaml")
    cond = parse_condition(f"{base.indicators[0].id} > 3")
    template = base.rounds[0]
    rounds = tuple(
        attrs.evolve(template, id=f"r{r}", when=cond if when else None, options=tuple(
            attrs.evolve(template.options[0], id=f"o{r}-{o}", track=track,
                         requires=cond if requires else None)
            for o, (track, requires) in enumerate(options)))
        for r, (when, options) in enumerate(shape))
    endings = (attrs.evolve(base.endings[0], early=early), *base.endings[1:])
    scn = attrs.evolve(base, rounds=rounds, endings=endings)
    game = Game(scn)

    def least_bound_not_surely_exceeded(surely) -> int:  # both are monotone in the bound
        lo, hi = 0, 1 << 20
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (mid + 1, hi) if surely(mid) else (lo, mid)
        return lo

    assert least_bound_not_surely_exceeded(lambda b: surely_too_many_states(scn, b)) == \
        least_bound_not_surely_exceeded(lambda b: surely_more_states_than(game, b))


def test_a_walk_leaves_the_collector_running_with_nothing_frozen(monkeypatch):
    """build_graph hands its graph to the oldest generation (gc.freeze + unfreeze): in a
    process that does not freeze (the app, a server) nothing may stay frozen, or garbage
    cycles made before the walk would never be collected."""
    import gc
    import weakref

    from engine import gcpause

    class Cycle:
        pass

    monkeypatch.setattr(gcpause, "_freeze", False)  # an earlier CLI test may have set it
    gc.unfreeze()
    game = Game(load("hand.yaml"))
    gc.collect()
    a = Cycle()
    a.me = a
    gone = weakref.ref(a)
    del a
    assert gc.isenabled()
    graph = build_graph(game)
    assert graph.complete and gc.isenabled() and gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None


def _block(lines: list[str], title: str) -> list[str]:
    """The rows of the table under ``title`` (after its header and rule)."""
    start = lines.index(title) + 3
    return lines[start:lines.index("", start)]


def _tenths(cell: str) -> int:
    """'12.3%' -> 123; '0%' and '<0.1%' count as 0, '>99.9%' as 999."""
    cell = cell.rstrip("%").replace(">99.9", "99.9").replace("<0.1", "0")
    return round(float(cell) * 10)


def test_cli_explore_shows_each_whole_adding_up_to_100_percent(capsys):
    # Rounded one by one, the Korea scenario's endings read 99.9% in all (uniform play, and
    # always Track 1), as did two indicators' distributions; the example's air read 100.1%.
    for path in (ROOT / "scenarios" / "north-korea-reengagement.yaml",
                 ROOT / "docs" / "example-scenario.yaml"):
        assert cli.main(["explore", str(path)]) == 0
        lines = capsys.readouterr().out.split("\n")
        endings = _block(lines, "Endings (uniformly random play)")
        assert sum(_tenths(re.findall(r"\S+%", row)[0]) for row in endings) == 1000
        by_track = [re.findall(r"\S+%", row) for row in
                    _block(lines, "Endings when always picking one track where offered")]
        for column in zip(*by_track, strict=True):
            assert sum(map(_tenths, column)) == 1000, (path.name, column)
        for row in _block(lines, "Indicators at the end"):
            if "…" in row:  # a long distribution is shown in part
                continue
            assert sum(_tenths(c) for c in re.findall(r":(\S+%)", row)) == 1000, row
