"""`backchannel new`: a starter scenario that passes `check` cleanly, and never clobbers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel_cli import main as cli
from engine.analysis.checking import check_file
from engine.analysis.exploration import explore
from engine.scenario.starter import starter_yaml
from tests.conftest import ROOT


def test_starter_passes_check_with_no_problems(tmp_path):
    path = tmp_path / "starter.yaml"
    path.write_text(starter_yaml("my-scenario"), encoding="utf-8")
    loaded = check_file(path)
    assert loaded.problems == ()
    assert loaded.scenario is not None and loaded.scenario.id == "my-scenario"


def test_starter_first_line_points_at_the_schema():
    first = starter_yaml("x").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/scenario.schema.json"
    assert (ROOT / "scenarios" / first.split("=", 1)[1]).resolve() == (
        ROOT / "docs" / "scenario.schema.json").resolve()
    assert starter_yaml("x", "https://example.org/s.json").startswith(
        "# yaml-language-server: $schema=https://example.org/s.json\n")


def test_starter_explores_cleanly(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(starter_yaml("s"), encoding="utf-8")
    d = explore(check_file(path).scenario).data
    assert d["dead_ends"]["groups"] == [] and d["dominated"] == []
    assert all(not v for v in d["unreachable"].values())


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sid=st.from_regex(r"[a-z][a-z0-9_-]{0,30}", fullmatch=True))
def test_starter_is_clean_for_any_valid_id(tmp_path, sid):
    path = tmp_path / "s.yaml"
    path.write_text(starter_yaml(sid), encoding="utf-8")
    loaded = check_file(path)
    assert loaded.problems == ()
    assert loaded.scenario.id == sid


@pytest.mark.parametrize("bad", ["", "Upper", "1abc", "has space", "a/b", "dé", "ok\n"])
def test_starter_refuses_bad_ids(bad):
    with pytest.raises(ValueError):
        starter_yaml(bad)


def test_cli_new_writes_and_refuses_to_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "mekong-water"]) == 0
    target = tmp_path / "mekong-water.yaml"
    assert target.is_file()
    assert check_file(target).problems == ()
    assert "wrote mekong-water.yaml" in capsys.readouterr().out
    target.write_text("# my work\n", encoding="utf-8")
    assert cli.main(["new", "mekong-water"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# my work\n"
    assert cli.main(["new", "mekong-water", "--force"]) == 0
    assert check_file(target).problems == ()


def test_cli_new_into_scenarios_folder_and_dirs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    assert cli.main(["new", "one"]) == 0
    assert (tmp_path / "scenarios" / "one.yaml").is_file()
    assert cli.main(["new", "two", "-o", "drafts/"]) == 0
    assert check_file(tmp_path / "drafts" / "two.yaml").problems == ()
    (tmp_path / "existing").mkdir()
    assert cli.main(["new", "three", "-o", "existing"]) == 0
    assert (tmp_path / "existing" / "three.yaml").is_file()
    assert cli.main(["new", "four", "-o", "named.yaml"]) == 0
    assert (tmp_path / "named.yaml").is_file()
    capsys.readouterr()
    assert cli.main(["new", "five", "-o", "-"]) == 0
    printed = capsys.readouterr().out
    schema = ROOT / "docs" / "scenario.schema.json"
    # Printed text may be saved anywhere: it points at the schema as written files outside
    # the checkout do (an absolute file:// URL), not by a path relative to an unknown folder.
    ref = schema.as_uri() if schema.is_file() else "../docs/scenario.schema.json"
    assert printed == starter_yaml("five", ref)
    assert printed.splitlines()[0] == (tmp_path / "named.yaml").read_text(
        encoding="utf-8").splitlines()[0]


def test_cli_new_schema_reference_inside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "out", "-o", "out.yaml"]) == 0
    first = (tmp_path / "out.yaml").read_text(encoding="utf-8").splitlines()[0]
    schema = ROOT / "docs" / "scenario.schema.json"
    ref = first.split("$schema=", 1)[1]
    if schema.is_file():
        assert ref == schema.as_uri()  # outside the checkout: an absolute file:// URL
    sub = ROOT / "tests" / "fixtures"
    inside = sub / "tmp-new-test.yaml"
    try:
        assert cli.main(["new", "inside", "-o", str(inside)]) == 0
        ref = inside.read_text(encoding="utf-8").splitlines()[0].split("$schema=", 1)[1]
        if schema.is_file():
            assert ref == "../../docs/scenario.schema.json"
            assert (sub / ref).resolve() == schema.resolve()
    finally:
        inside.unlink(missing_ok=True)


def test_cli_new_bad_id(capsys):
    assert cli.main(["new", "Not An Id"]) == 2
    assert "must be lower case" in capsys.readouterr().err
