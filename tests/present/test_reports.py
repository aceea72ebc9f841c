"""Issue 14: after-action reports, the exercise report, handouts, decisions.csv/jsonl."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from html import escape

import pytest

from backchannel_cli.main import main
from engine.play.session import Session
from engine.present import reports as R
from engine.scenario.catalog import bundled_dir
from engine.workshop.room import Room, create_workshop
from engine.workshop.store import open_store

NK = bundled_dir() / "north-korea-reengagement.yaml"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    """Four teams (one typed by people, three bots) through every round; the people's team
    is overridden in round 2 and gets a note."""
    d = tmp_path_factory.mktemp("ws")
    store = open_store(d / "ws.sqlite3")
    clock = [1_700_000_000.0]
    wk = create_workshop(store, NK, ["Red"], seed=5, bots=3, name="Scripted", now=clock[0])
    room = Room(store, wk.id, clock=lambda: clock[0])
    k = 0
    while room.workshop.control.phase.value != "ended":
        clock[0] += 60
        room.act("open")
        clock[0] += 95
        red = room.team("Red")
        offered = room.offered(red.id)
        if offered and k != 1:
            room.submit(red.id, offered[k % len(offered)].id, f"Red's reason in round {k + 1}",
                        round_no=room.workshop.control.round_no)
        clock[0] += 30
        room.act("close")
        if offered and k == 1:
            room.override("Red", offered[0].id, "no agreement in time")
            room.note("Red", "Long argument about sequencing.")
        room.act("reveal")
        room.act("next")
        k += 1
    yield d, store, room
    store.close()


def _pages(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_team_report_carries_every_round_with_reason_citation_and_override(workshop):
    _, _, room = workshop
    runs = R.runs_from_room(room)
    assert len(runs) == 4
    red = next(r for r in runs if r.team == "Red")
    html = R.page_html("x", R.team_report(red, R.room_tracks(runs)))
    for s in red.debrief.steps:
        assert f"Round {s.round_no}, {s.round_title}" in html
    assert html.count("Red&#x27;s reason in round") == len(red.debrief.steps) - 1
    assert "Override by the facilitator" in html and "no agreement in time" in html
    assert "Long argument about sequencing." in html
    # a citation label the wording layer makes, e.g. "Kang & Kwa 2025 ¶15"
    assert re.search(r"<span class=\"cite\">[^<]* \d{4} ¶\d+", html)
    # time taken: submitted 95 s after the round opened
    assert "1 min 35 s" in html
    # the chart: one line per indicator
    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert svg.count("<polyline") == len(room.scenario.indicators)
    # what else was possible: exact probabilities from each decision
    assert "What else was possible" in html and "%" in html
    assert "<script" not in html


def test_team_report_prints_on_two_a4_pages(workshop):
    pytest.importorskip("weasyprint")
    _, _, room = workshop
    runs = R.runs_from_room(room)
    red = next(r for r in runs if r.team == "Red")
    assert _pages(R.pdf(R.page_html("x", R.team_report(red, R.room_tracks(runs))))) <= 2


def test_workshop_report_command(workshop, tmp_path):
    d, _, room = workshop
    out = tmp_path / "out"
    assert main(["workshop", "report", room.id, "--store", str(d / "ws.sqlite3"),
                 "--out", str(out)]) == 0
    teams = sorted(p.name for p in (out / "teams").iterdir())
    assert teams == ["01-red.html", "01-red.md", "02-bot-1.html", "02-bot-1.md",
                     "03-bot-2.html", "03-bot-2.md", "04-bot-3.html", "04-bot-3.md"]
    # the facilitator's report is kept apart and never in a team's folder
    exercise = (out / "facilitator" / "exercise-report.html").read_text(encoding="utf-8")
    assert "Facilitator material" in exercise and "no agreement in time" in exercise
    assert "(override)" in exercise and "Phase and timer log" in exercise
    n_ind = len(room.scenario.indicators)
    assert exercise.count('<svg class="lines"') == n_ind
    assert exercise.count("<polyline") == n_ind * 4  # one line per team on each chart
    assert not any("Facilitator material" in p.read_text(encoding="utf-8")
                   for p in (out / "teams").iterdir())
    rows = list(csv.DictReader((out / "decisions.csv").open(encoding="utf-8")))
    rounds = len(room.scenario.rounds)
    assert len(rows) == 4 * rounds
    red = [r for r in rows if r["team"] == "Red"]
    assert [int(r["round"]) for r in red] == list(range(1, rounds + 1))
    assert [r["override"] for r in red].count("True") == 1
    assert red[1]["decided_by"] == "facilitator" and red[1]["reason"] == "no agreement in time"
    assert red[0]["reason"] == "Red's reason in round 1" and red[0]["seconds"] == "95.0"
    assert red[0]["option_number"] and red[0]["track"].startswith("Track")
    assert all(f"after_{i.id}" in red[0] for i in room.scenario.indicators)
    jl = [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
    assert len(jl) == len(rows) and jl[1]["override"] is True and jl[0]["override"] is False


def test_pdf_without_the_extra_says_how(workshop, tmp_path, monkeypatch, capsys):
    d, _, room = workshop
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    rc = main(["workshop", "report", room.id, "--store", str(d / "ws.sqlite3"), "--out",
               str(tmp_path / "o"), "--format", "pdf"])
    err = capsys.readouterr().err
    assert rc == 1 and "pip install 'backchannel[pdf]'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_solo_debrief_is_the_two_page_report_plus_appendix(tmp_path, capsys):
    s = Session.new(NK, seed=2, path=tmp_path / "g.jsonl")
    while not s.over:
        s.decide(s.game.offered(s.state)[-1].id, why="the last option, on principle")
    s.close()
    assert main(["debrief", str(tmp_path / "g.jsonl"), "--out", str(tmp_path / "o"),
                 "--format", "html,md,pdf"]) == 0
    o = tmp_path / "o"
    names = sorted(p.name for p in o.iterdir())
    # what users had before is still written
    assert "north-korea-reengagement-debrief.md" in names
    assert "north-korea-reengagement-debrief.html" in names
    html = (o / "north-korea-reengagement-report.html").read_text(encoding="utf-8")
    assert "After-action report" in html and "Appendix" in html
    assert html.count("the last option, on principle") == len(s.decisions)
    head = html.split('<div class="page-break">')[0]
    assert "Appendix" not in head  # the report first, the appendix after a page break
    rows = list(csv.DictReader((o / "north-korea-reengagement-decisions.csv").open()))
    assert len(rows) == len(s.decisions)
    pypdf = pytest.importorskip("pypdf")
    pages = [p.extract_text() for p in
             pypdf.PdfReader(o / "north-korea-reengagement-report.pdf").pages]
    first = next(i for i, text in enumerate(pages) if text.lstrip().startswith("Appendix"))
    assert first <= 2  # the report itself on at most two A4 pages
    assert "Appendix" not in "".join(pages[:first])


def test_print_stylesheet_for_a4_and_letter(workshop):
    _, _, room = workshop
    blocks = R.team_report(R.runs_from_room(room)[0])
    a4, letter = R.page_html("x", blocks), R.page_html("x", blocks, "letter")
    assert "size: A4" in a4 and "size: letter" in letter
    # no heading left alone at the foot of a page
    assert "break-after: avoid" in a4 and "break-inside: avoid" in a4


def test_handout(tmp_path):
    assert main(["handout", "north-korea-reengagement", "--out", str(tmp_path)]) == 0
    from engine.scenario.loader import load_scenario

    scn = load_scenario(NK)
    brief = (tmp_path / f"{scn.id}-briefing.html").read_text(encoding="utf-8")
    for heading in ("The situation", "Actors", "The three tracks", "Learning objectives"):
        assert heading in brief
    for t in ("Track 1", "Track 1.5", "Track 2"):
        assert t in brief
    assert len(scn.roles) >= 1
    for role in scn.roles:
        page = (tmp_path / f"{scn.id}-role-{role.id}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# Role brief: {role.name}")
    md = (tmp_path / f"{scn.id}-briefing.md").read_text(encoding="utf-8")
    assert md.startswith(f"# Briefing: {scn.title}")
    # The team roles the app's briefing shows are printed too (they were left out).
    assert "## Team roles (for a workshop)" in md and scn.about.team_roles
    flat = " ".join(md.split())
    for r in scn.about.team_roles:
        assert f"**{r.name}**: {' '.join(r.brief.split())}" in flat
        assert escape(r.name) in brief


def _solo_report(tmp_path, scenario, choices: list[int]) -> str:
    s = Session.new(scenario, seed=1, path=tmp_path / "g.jsonl")
    for n in choices:
        s.decide(s.game.offered(s.state)[n].id)
    text = R.page_markdown(R.team_report(R.run_from_session(s)))
    s.close()
    return " ".join(text.split())


def test_what_else_counts_one_other_ending_in_the_singular(tmp_path):
    # The example has three endings: the two likeliest are named, then "1 other endings".
    from tests.conftest import EXAMPLE

    text = _solo_report(tmp_path, EXAMPLE, [2])
    assert "1 other ending 9%" in text
    assert "other endings" not in text


def test_what_else_shares_add_up_to_100(tmp_path):
    # Before round 1 of the Korea scenario: 51.5%, 19.8% and 28.7% were shown rounded one
    # by one as 52%, 20% and 29% (101%).
    text = _solo_report(tmp_path, NK, [0])
    line = text.split("Before round 1: ")[1].split(" - ")[0]
    shown = [int(p) for p in re.findall(r"(\d+)%", line)]
    assert len(shown) == 3 and sum(shown) == 100, line


def test_a_delay_to_the_end_of_the_game_is_not_called_round_3(tmp_path):
    # The example's 2-round game: the network's data lands as the game ends.
    from tests.conftest import EXAMPLE

    text = _solo_report(tmp_path, EXAMPLE, [2, 0])
    assert ("Delayed to the end of the game (after round 2): Air quality ▲+2 (better) — "
            "**came at the end of the game**") in text
    assert "round 3" not in text


def test_an_absent_teams_delayed_effects_are_not_still_pending(tmp_path):
    # Green funds the network in round 1 (it pays off at the end of the game), then is marked
    # absent in round 2: its game stopped, so the effect never comes; it read "still pending".
    from tests.conftest import EXAMPLE

    store = open_store(tmp_path / "ws.sqlite3")
    wk = create_workshop(store, EXAMPLE, ["Red", "Green"], seed=5)
    room = Room(store, wk.id)
    room.act("open")
    room.submit(1, "ministerial-summit", None)
    room.submit(2, "research-network", None)
    room.act("close")
    room.act("reveal")
    room.act("next")
    room.act("open")
    room.submit(1, "quiet-dinner", None)
    room.act("close")
    room.mark_absent("Green", "left early")
    room.act("reveal")
    green = next(r for r in R.runs_from_room(room) if r.team == "Green")
    text = " ".join(R.page_markdown(R.team_report(green)).split())
    store.close()
    assert "still pending" not in text
    assert ("— **never came due (marked absent from round 2; its game stopped there)**"
            in text)
    # and its debrief's appendix lists the investment among those that never came due
    from engine.present.debrief import appendix, render_markdown

    later = " ".join(render_markdown(appendix(green.debrief)).split())
    assert ("### Investments that never came due - Fund a research network to pool hotspot "
            "data (round 1): Shared hotspot maps reach the fire services in time.") in later


def test_each_delayed_effect_of_one_option_gets_its_own_fate(tmp_path):
    """Myanmar's CSCAP mapping schedules two effects for round 3, one if the bridge to official
    channels is open and one if it is not: exactly one comes. Both read 'its condition did not
    hold' (the first one's fate), as a workshop team's report showed."""
    myanmar = bundled_dir() / "myanmar-humanitarian-access.yaml"
    s = Session.new(myanmar, seed=1, path=tmp_path / "g.jsonl")
    s.decide("r1-cscap-mapping")
    s.decide(s.game.offered(s.state)[-1].id)
    s.decide(s.game.offered(s.state)[-1].id)
    text = R.page_markdown(R.team_report(R.run_from_session(s)))
    s.close()
    fates = [line.rsplit("—", 1)[1].strip() for line in text.splitlines()
             if "Delayed to round 3" in line]
    assert sorted(fates) == ["**came in round 3**", "**its condition did not hold**"]
    # The effect that changes no indicator is shown by its text ('no change to the
    # indicators' said nothing).
    assert "Delayed to round 3: “No official channel has picked up the access map" in text


def test_a_team_named_after_a_colour_is_drawn_in_it():
    """Team Red's line was blue and team Blue's red (the palette's first two colours); teams
    with other names take colours nobody else has."""
    from engine.scenario.loader import load_scenario
    from tests.conftest import EXAMPLE

    ind = load_scenario(EXAMPLE).indicators[0]
    names = ["Red", "Blue", "Green", "Tigers", "Owls"]
    html = R.blocks_html([R.LineChart(ind, tuple((n, (3, 4, 5)) for n in names))])
    found = re.findall(r'<polyline [^>]*stroke="(#[0-9a-f]{6})"', html)
    stroke = dict(zip(names, found, strict=True))
    assert [stroke["Red"], stroke["Blue"], stroke["Green"]] == ["#a3123a", "#0b5cad",
                                                                "#1e6b3a"]
    assert len(set(stroke.values())) == len(names)
    for name, colour in stroke.items():  # each label is in its line's colour
        assert f'fill="{colour}">{name}: ' in html


def test_the_exercise_report_says_when_a_message_was_taken_down(tmp_path):
    store = open_store(tmp_path / "ws.sqlite3")
    wk = create_workshop(store, NK, ["Red"], seed=5, bots=1)
    room = Room(store, wk.id)
    room.act("open")
    room.message("Five minutes left")
    room.message("")  # the facilitator clears it
    html = R.page_html("x", R.exercise_report(room, R.runs_from_room(room)))
    assert "Five minutes left" in html
    assert "Message taken down" in html and "no reason given" not in html
    store.close()
