"""The rules are pure and deterministic; delayed and uncertain effects behave as documented."""

import random

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.play.rules import Game, RulesError
from engine.scenario.loader import load_scenario
from tests.conftest import EXAMPLE

GAME = Game(load_scenario(EXAMPLE))


def random_game(game: Game, seed: int, picks: list[int]):
    state, outcome = game.start(seed)
    trace = [(state, outcome)]
    i = 0
    while not state.over:
        offered = game.offered(state)
        choice = offered[picks[i % len(picks)] % len(offered)] if picks else offered[0]
        i += 1
        state, outcome = game.apply(state, choice.id)
        trace.append((state, outcome))
    return trace


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**63), picks=st.lists(st.integers(0, 10), min_size=1, max_size=5))
def test_same_seed_and_choices_give_the_same_game(seed, picks):
    a = random_game(GAME, seed, picks)
    b = random_game(GAME, seed, picks)
    assert [s for s, _ in a] == [s for s, _ in b]
    assert [o for _, o in a] == [o for _, o in b]


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**63), picks=st.lists(st.integers(0, 10), min_size=1, max_size=5))
def test_indicators_stay_in_range_and_games_always_end(seed, picks):
    trace = random_game(GAME, seed, picks)
    final = trace[-1][0]
    assert final.over and final.ending_id in GAME.endings
    for state, _ in trace:
        for ind, v in zip(GAME.scenario.indicators, state.values, strict=True):
            assert ind.min <= v <= ind.max


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**63))
def test_apply_never_changes_its_input(seed):
    state, _ = GAME.start(seed)
    snapshot = attrs.asdict(state, recurse=False)
    GAME.apply(state, "research-network")
    assert attrs.asdict(state, recurse=False) == snapshot


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**63), picks=st.lists(st.integers(0, 10), min_size=1, max_size=5))
def test_step_reaches_the_same_states_as_apply_without_a_record(seed, picks):
    trace = random_game(GAME, seed, picks)
    state = trace[0][0]
    for (before, _), (after, _) in zip(trace, trace[1:], strict=False):
        chosen = after.choices[-1][1]
        stepped = GAME.step(before, chosen)
        assert stepped == after and stepped.rng == after.rng
        assert stepped.choices == after.choices
        state = stepped
    assert state.over and state.ending_id == trace[-1][0].ending_id


def test_step_refuses_what_apply_refuses():
    state, _ = GAME.start(0)
    for bad, why in (("quiet-dinner", "belongs to round 2"), ("nonsense", "no option")):
        with pytest.raises(RulesError, match=why):
            GAME.step(state, bad)
    state = GAME.step(state, "ministerial-summit")
    with pytest.raises(RulesError, match="not available"):
        GAME.step(state, "binding-agreement")


def test_outcome_records_deltas_scheduled_effects_and_tradeoffs():
    state, _ = GAME.start(7)
    state, out = GAME.apply(state, "research-network")
    labels = [i.id for i in GAME.scenario.indicators]
    delta = {k: b - a for k, a, b in zip(labels, out.before, out.after, strict=True)}
    # +2 trust, -1 friction from the option; -1 air from the dry-spell event of round 2
    assert delta == {"air": -1, "trust": 2, "friction": -1}
    assert out.events == ("dry-spell",)
    (pending,) = out.scheduled
    assert (pending.due, pending.owner) == (3, "research-network")
    assert [t.dimension for t in out.accepted] == ["trust_building", "speed"]
    assert {o.id for o, _ in out.forgone} == {"ministerial-summit", "officials-and-experts"}


def test_delayed_effect_comes_due_n_rounds_later_only_if_its_condition_holds():
    state, _ = GAME.start(1)
    state, _ = GAME.apply(state, "research-network")  # trust 6: delayed air +2 at round 3
    state, out = GAME.apply(state, "quiet-dinner")
    delayed = [r for r in out.resolutions if r.delayed]
    assert [(r.owner, r.status, r.changes) for r in delayed] == [
        ("research-network", "applied", (("air", 2),))]


def test_effects_due_after_the_game_are_dropped_and_reported():
    state, _ = GAME.start(1)
    state, _ = GAME.apply(state, "officials-and-experts")  # delayed 1 round: due at round 2
    assert state.pending == ()
    state, out = GAME.apply(state, "quiet-dinner")
    assert state.over and out.dropped == ()
    # a 2-round delay chosen in the last round never comes due
    scn = GAME.scenario
    quiet = scn.option("quiet-dinner")
    assert quiet is not None
    later = attrs.evolve(quiet.effects[0], after=2)
    others = [o for o in scn.rounds[1].options if o.id != "quiet-dinner"]
    r2 = attrs.evolve(scn.rounds[1], options=(attrs.evolve(quiet, effects=(later,)), *others))
    game = Game(attrs.evolve(scn, rounds=(scn.rounds[0], r2)))
    state, _ = game.start(1)
    state, _ = game.apply(state, "ministerial-summit")
    state, out = game.apply(state, "quiet-dinner")
    assert [r.status for r in out.dropped] == ["dropped"]


def test_chance_follows_its_probability_and_the_seed():
    hits = 0
    n = 2000
    for seed in range(n):
        state, _ = GAME.start(seed)
        state, _ = GAME.apply(state, "ministerial-summit")  # trust stays 4: binding unavailable
        state, _ = GAME.start(seed)
        state, _ = GAME.apply(state, "research-network")  # trust 6, data shared: p = 0.8
        state, out = GAME.apply(state, "binding-agreement")
        hits += out.resolutions[0].status == "applied"
    assert 0.76 < hits / n < 0.84


def test_exact_branches_sum_to_one_and_match_the_chance():
    state, _ = GAME.start(0)
    state, _ = GAME.apply(state, "research-network")
    branches = GAME.branches(state, "binding-agreement")
    assert sum(p for p, _ in branches) == pytest.approx(1.0)
    assert sorted(round(p, 6) for p, _ in branches) == [0.2, 0.8]


def test_choices_the_rules_do_not_allow_are_refused():
    state, _ = GAME.start(0)
    with pytest.raises(RulesError, match="belongs to round 2"):
        GAME.apply(state, "quiet-dinner")
    with pytest.raises(RulesError, match="no option"):
        GAME.apply(state, "nonsense")
    state, _ = GAME.apply(state, "ministerial-summit")
    with pytest.raises(RulesError, match="not available"):
        GAME.apply(state, "binding-agreement")  # trust 4 < 5


def test_conditional_text_appears_only_when_its_condition_holds():
    state, _ = GAME.start(0)
    assert "ambassador" not in GAME.situation(state)
    hot = attrs.evolve(state, values=(3, 4, 7))
    assert "ambassador" in GAME.situation(hot)


def test_early_ending_stops_the_game():
    state, _ = GAME.start(0)
    hot = attrs.evolve(state, values=(3, 4, 7))
    state, out = GAME.apply(hot, "ministerial-summit")  # friction 8: war of words
    assert state.over and out.ending_id == "war-of-words"
    assert "recall" in out.events  # events fire before early endings are checked


def test_random_playthroughs_reach_every_ending_of_the_example():
    rng = random.Random(3)
    seen = set()
    for seed in range(400):
        state, _ = GAME.start(seed)
        state = attrs.evolve(state, values=tuple(rng.randint(2, 7) for _ in state.values))
        while not state.over:
            state, _ = GAME.apply(state, rng.choice(GAME.offered(state)).id)
        seen.add(state.ending_id)
    assert seen == set(GAME.endings)


def _plain_variants():
    """The example with every effect made plain (no delay, condition or chance), so that
    ``Game.step`` can take its quick path, in shapes that make the quick path give up: an
    event due next round, an early ending, a skipped round, a round that can dead-end."""
    from engine.scenario.conditions import parse

    scn = GAME.scenario

    def plain(e):
        return attrs.evolve(e, after=0, when=None, chance=None, otherwise=None)

    def plain_round(r, **kw):
        opts = tuple(attrs.evolve(o, effects=tuple(plain(e) for e in o.effects))
                     for o in r.options)
        if r.id == "next-season":  # one option clears the flag the first round sets
            opts = tuple(attrs.evolve(o, effects=(*o.effects, attrs.evolve(
                o.effects[0], change={}, set=(), clear=("data_shared",))))
                if o.id == "public-report" else o for o in opts)
        return attrs.evolve(r, options=opts, **kw)

    base = attrs.evolve(scn, rounds=tuple(plain_round(r) for r in scn.rounds))
    yield base
    r1, r2 = base.rounds
    yield attrs.evolve(base, rounds=(r1, attrs.evolve(r2, when=parse("trust >= 5"))), events=())
    needy = tuple(attrs.evolve(o, requires=parse("trust >= 6")) for o in r2.options)
    yield attrs.evolve(base, rounds=(r1, attrs.evolve(r2, options=needy)), events=())
    yield attrs.evolve(base, endings=tuple(e for e in base.endings if not e.early))
    tense = tuple(attrs.evolve(i, start=7) if i.id == "friction" else i
                  for i in base.indicators)  # one step from the early ending
    yield attrs.evolve(base, indicators=tense, events=())
    yield attrs.evolve(base, events=(), endings=tuple(e for e in base.endings if not e.early))


def test_step_quick_path_agrees_with_apply_from_every_reachable_state():
    # and exploration's expand() with branch_keys, option by option
    from engine.analysis.statespace import build_graph

    quick = 0
    for scn in [GAME.scenario, *_plain_variants()]:
        game = Game(scn)
        graph = build_graph(game)
        assert graph.complete
        for node in graph.nodes.values():
            state = node.state
            for option in game.offered(state):
                after, _ = game.apply(state, option.id)
                stepped = game.step(state, option.id)
                assert stepped == after and stepped.rng == after.rng
                assert game.sample_step(state, option.id)[0] == after
                slow = game.branches(state, option.id)
                keyed = game.branch_keys(state, option.id, {})
                assert [(p, s.key(), s) for p, s in slow] == keyed
                quick += game.options[option.id].plain and len(slow) == 1
            assert game.expand(state, {}) == [
                (o.id, p, k, s) for o in game.offered(state)
                for p, k, s in game.branch_keys(state, o.id, {})]
    assert quick > 20  # the quick path was tried, not only the general one


def test_generated_steps_agree_with_the_rules_loop_on_a_bundled_scenario():
    """Exploration's general path runs code generated per option and round (conditions
    inline, chance rows, fixed chances, delays, events): on every reachable state of the North
    Korea scenario it gives what branch_keys (the loop over the compiled rules) gives."""
    from engine.analysis.statespace import build_graph
    from engine.scenario.loader import load_file
    from tests.conftest import ROOT

    scn = load_file(ROOT / "scenarios" / "north-korea-reengagement.yaml").scenario
    assert scn is not None
    game = Game(scn)
    graph = build_graph(game)
    assert graph.complete and len(graph.nodes) > 2000
    chances = 0
    for node in graph.nodes.values():
        got = game.expand(node.state, {})
        assert got == [(o.id, p, k, s) for o in game.offered(node.state)
                       for p, k, s in game.branch_keys(node.state, o.id, {})]
        chances += sum(p < 1.0 for _, p, _, _ in got)
    assert chances > 500  # chance branches were generated, not only plain steps
    assert game._untiered == 0 and len(game._choosers) >= 10  # through generated code
