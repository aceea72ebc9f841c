"""Warnings about parts of a scenario that do nothing (docs/scenario-format.md, "What the
checker reports")."""

from engine.analysis.checking import check_file

CALM = """  - id: calm
    label: Calm at the border
    meaning: How quiet the border villages are
    start: 5
"""


def warnings(path) -> list[str]:
    return [str(p) for p in check_file(path).problems if p.severity == "warning"]


def test_an_indicator_no_effect_changes_is_reported_where_it_is_declared(example_text, write):
    text = example_text.replace("\nflags:\n", "\n" + CALM + "\nflags:\n", 1)
    line = text[: text.index("  - id: calm")].count("\n") + 1
    found = warnings(write(text))
    assert [m for m in found if "'calm'" in m] == [
        f"{write(text)}:{line}:9: warning: indicator 'calm' never moves: no effect changes it, "
        "so it stays at its start all game"], found


def test_an_indicator_changed_only_when_a_chance_fails_still_moves(example_text, write):
    # `otherwise` is an effect too: changing the indicator there is enough
    text = example_text.replace("\nflags:\n", "\n" + CALM + "\nflags:\n", 1)
    old = "            otherwise:\n              change: {friction: 1}\n"
    assert old in text
    text = text.replace(old, old.replace("{friction: 1}", "{friction: 1, calm: 1}"))
    assert not [m for m in warnings(write(text)) if "'calm'" in m]


def test_the_example_and_its_indicators_draw_no_usage_warning(example_text, write):
    assert warnings(write(example_text)) == []


def test_a_mistaken_condition_written_twice_is_reported_at_each_place(example_text, write):
    # The same text is parsed and checked once (texts recur), but every use is reported.
    text = example_text.replace("when: friction >= 8", "when: fricton >= 8")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "fricton >= 8" in line]
    assert len(lines) == 2
    errors = [p for p in check_file(write(text)).problems if p.severity == "error"]
    assert [p.line for p in errors if "fricton" in p.message] == lines, errors
