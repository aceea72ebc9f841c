"""The picker's scenario metadata (engine.scenario.meta), and its memo on disk: a later
process shows the same lines without reading the YAML, and never stale ones."""

from __future__ import annotations

import json
import os

import pytest

from engine.scenario import meta
from tests.tui.helpers import EXAMPLE


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A new process as far as meta is concerned: empty memo, the disk memo in tmp_path."""
    monkeypatch.setattr(meta, "_INFO", {})
    monkeypatch.setattr(meta, "_disk", {"file": None, "entries": None})
    scen = tmp_path / "haze.yaml"
    scen.write_bytes(EXAMPLE.read_bytes())
    memo = tmp_path / "data" / "scenario-info.json"
    meta.remember_in(memo)
    return scen, memo


def _new_process(monkeypatch, memo):
    monkeypatch.setattr(meta, "_INFO", {})
    monkeypatch.setattr(meta, "_disk", {"file": None, "entries": None})
    meta.remember_in(memo)


def _no_yaml(monkeypatch):
    from engine.scenario import yamlsrc

    def refuse(text):
        raise AssertionError("the YAML was read again")

    monkeypatch.setattr(yamlsrc, "parse", refuse)


def test_a_later_process_shows_the_same_without_reading_the_yaml(fresh, monkeypatch):
    scen, memo = fresh
    first = meta.info(scen)
    assert first.problem is None and first.title and first.rounds > 0
    assert memo.is_file()
    _new_process(monkeypatch, memo)
    _no_yaml(monkeypatch)
    assert meta.info(scen) == first


def test_an_edited_scenario_is_read_again(fresh, monkeypatch):
    scen, memo = fresh
    meta.info(scen)
    scen.write_text(scen.read_text(encoding="utf-8").replace("title: ", "title: Renamed — ", 1),
                    encoding="utf-8")
    os.utime(scen, ns=(1, 1))  # even with an old mtime: the size differs
    _new_process(monkeypatch, memo)
    assert meta.info(scen).title.startswith("Renamed —")


def test_a_broken_scenario_is_not_remembered(fresh, monkeypatch):
    scen, memo = fresh
    scen.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    problem = meta.info(scen).problem
    assert problem and "haze.yaml:" in problem
    assert not memo.exists() or str(scen) not in memo.read_text(encoding="utf-8")


@pytest.mark.parametrize("content", ["not json", '{"entries": []}', "[1, 2]",
                                     '{"entries": {"KEY": {"id": 3}}}'])
def test_a_damaged_memo_is_ignored_and_replaced(fresh, monkeypatch, content):
    scen, memo = fresh
    first = meta.info(scen)
    key = next(iter(json.loads(memo.read_text(encoding="utf-8"))["entries"]))
    memo.write_text(content.replace("KEY", key.replace('"', '\\"')), encoding="utf-8")
    _new_process(monkeypatch, memo)
    assert meta.info(scen) == first
    assert key in json.loads(memo.read_text(encoding="utf-8"))["entries"]


def test_an_unwritable_memo_only_means_reading_again(fresh, monkeypatch, tmp_path):
    scen, _ = fresh
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    meta.remember_in(blocked / "scenario-info.json")
    assert meta.info(scen).problem is None


def test_a_relative_memo_stays_where_it_was_named(fresh, monkeypatch, tmp_path):
    scen, _ = fresh
    (tmp_path / "here").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    meta.remember_in(meta.Path("data") / "scenario-info.json")
    monkeypatch.chdir(tmp_path / "elsewhere")
    meta.info(scen)
    assert (tmp_path / "here" / "data" / "scenario-info.json").is_file()
    assert not (tmp_path / "elsewhere" / "data").exists()
