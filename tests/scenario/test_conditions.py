import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.scenario.conditions import ConditionError, Namespace, compile_condition, parse


class S:
    def __init__(self, values, flags=(), round_no=1, tracks=(0, 0, 0), last_track=0.0):
        self.values, self.flags = values, frozenset(flags)
        self.round_no, self.tracks, self.last_track = round_no, tracks, last_track


NS = Namespace({"access": 0, "trust": 1}, frozenset({"envoy_refused"}))


def ev(text, *values, **kw):
    return compile_condition(parse(text), NS)(S(values, **kw))


def test_the_documented_example_reads_indicators_and_flags():
    assert ev("access >= 4 and not flags.envoy_refused", 4, 0) is True
    assert ev("access >= 4 and not flags.envoy_refused", 4, 0, flags=["envoy_refused"]) is False
    assert ev("(trust - access) > 2 or round >= 5", 1, 2, round_no=5) is True
    assert ev("track2 >= 2 and last_track == 1.5", 0, 0, tracks=(0, 0, 2), last_track=1.5)


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("access >= ", 10, "ends too early"),
        ("access = 3", 7, "=="),
        ("access >= 3 && trust > 1", 12, "and"),
        ("1 < access < 3", 11, "chained"),
        ("access + 1", 0, "true or false"),
        ("(access > 1", 11, "missing `)`"),
        ("access > 1 trust", 11, "unexpected"),
        ("not access", 4, "not"),
    ],
)
def test_syntax_errors_point_at_the_column(text, column, fragment):
    with pytest.raises(ConditionError) as exc:
        parse(text)
    assert exc.value.column == column
    assert fragment in exc.value.message


def test_unknown_names_are_found_with_suggestions():
    problems = NS.check(parse("acces > 1 or flags.envoy_refsed"))
    assert [(p.column, "did you mean" in p.message) for p in problems] == [(0, True), (13, True)]


def test_no_python_evaluation_possible():
    for hostile in ("__import__('os')", "exec('x')", "access[0] > 1"):
        with pytest.raises(ConditionError):
            parse(hostile)
    # dotted names other than flags.<id> parse, but are refused by the name check
    (problem,) = NS.check(parse("access.__class__ > 1"))
    assert "only `flags.<id>` has a dot" in problem.message


ints = st.integers(-20, 20)


@given(a=ints, b=ints, c=ints, op=st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
def test_arithmetic_comparisons_agree_with_python(a, b, c, op):
    text = f"access - trust {op} {c}" if c >= 0 else f"access - trust {op} -{-c}"
    expected = {"<": a - b < c, "<=": a - b <= c, ">": a - b > c, ">=": a - b >= c,
                "==": a - b == c, "!=": a - b != c}[op]
    assert ev(text, a, b) is expected


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_condition_error(text):
    try:
        parse(text)
    except ConditionError as exc:
        assert 0 <= exc.column <= len(text)


_nums = st.recursive(
    st.sampled_from(["access", "trust", "round", "track1", "track1_5", "track2", "last_track",
                     "0", "3", "1.5", "0.25"]),
    lambda inner: st.one_of(
        st.builds("-{}".format, inner),
        st.builds("({} + {})".format, inner, inner),
        st.builds("({} - {})".format, inner, inner),
    ),
    max_leaves=4,
)
_conds = st.recursive(
    st.one_of(
        st.sampled_from(["flags.envoy_refused", "not flags.envoy_refused", "true", "false"]),
        st.builds("{} {} {}".format, _nums, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
                  _nums),
    ),
    lambda inner: st.one_of(
        st.builds("({} and {})".format, inner, inner),
        st.builds("({} or {})".format, inner, inner),
        st.builds("not ({})".format, inner),
        st.builds("({}) == ({})".format, inner, inner),
    ),
    max_leaves=6,
)


@given(text=_conds, a=ints, b=ints, flag=st.booleans(), round_no=st.integers(1, 9),
       tracks=st.tuples(*[st.integers(0, 4)] * 3), last=st.sampled_from([0.0, 1.0, 1.5, 2.0]))
def test_generated_conditions_give_what_the_closures_give(text, a, b, flag, round_no, tracks,
                                                          last):
    """A condition joining tests runs as one generated function: same value, same type."""
    from engine.scenario.conditions import _compile

    cond = parse(text)
    state = S((a, b), ["envoy_refused"] if flag else [], round_no, tracks, last)
    got = compile_condition(cond, NS)(state)
    want = _compile(cond.tree, NS)(state)
    assert (type(got), got) == (type(want), want)


def test_the_longest_chain_the_parser_takes_still_runs():
    text = " or ".join(["access > 1"] * 98 + ["not flags.envoy_refused"])  # 99 tests deep
    fn = compile_condition(parse(text), NS)
    assert fn(S((0, 0))) is True
    assert fn(S((0, 0), ["envoy_refused"])) is False
    assert fn(S((2, 0), ["envoy_refused"])) is True
