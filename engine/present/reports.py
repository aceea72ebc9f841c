"""Printable reports: the team after-action report, the facilitator's exercise report, the
handouts before play, and the decision tables for analysts.

A report is a list of blocks (engine/present/debrief.py: headings, paragraphs, lists, a chart)
plus two kinds made here, ``Table`` and ``LineChart`` (several lines on one indicator). Every
phrase comes from the wording layer. ``page_html`` renders blocks as one self-contained HTML
page with a print stylesheet (A4 or Letter), ``page_markdown`` as Markdown, ``pdf`` renders the
same HTML with WeasyPrint (the optional 'pdf' extra; ``PdfUnavailable`` says how to get it).

Inputs are ``TeamRun`` records: a solo game (``run_from_session``) or a workshop team
(``runs_from_room``). Nothing here imports a UI toolkit.
"""

from __future__ import annotations

import csv
import datetime as _dt
import html as _html
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
from markupsafe import Markup

from engine import __version__
from engine.analysis.statespace import build_graph, round_order
from engine.play.rules import Game, GameState, Outcome
from engine.present import wording as w
from engine.present.debrief import (
    Block,
    Chart,
    Debrief,
    Heading,
    Items,
    Para,
    Step,
    appendix,
    debrief_from,
    render_markdown,
    top_forgone,
)
from engine.present.export import _ENV, _create, render_html
from engine.scenario.model import Indicator, Role, Scenario
from engine.scenario.vocabulary import Track

PAPER = ("a4", "letter")


class PdfUnavailable(RuntimeError):
    """WeasyPrint is not installed (or its system libraries are missing)."""


# ---------------------------------------------------------------------------- the input


@attrs.frozen
class StepInfo:
    """What a workshop (or a save log) adds to one decision."""

    seconds: float | None = None  # time the team took
    by: str | None = None  # 'team', 'bot', 'facilitator' or a name
    override: bool = False
    facilitator_reason: str | None = None
    team_reason: str | None = None
    notes: tuple[str, ...] = ()


@attrs.frozen
class TeamRun:
    """One team's (or one player's) game with everything a report says about it."""

    debrief: Debrief
    states: tuple[GameState, ...]  # states[i] is the state before step i
    outcomes: tuple[Outcome, ...]
    info: tuple[StepInfo, ...]  # one per step
    team: str | None
    workshop: str | None  # the workshop's name (None: a solo game)
    workshop_id: str | None
    started: float | None  # epoch seconds
    ended: float | None
    sha256: str
    engine: str = __version__
    absent_from: int | None = None
    general_notes: tuple[str, ...] = ()  # notes for the team not tied to a round
    team_no: int = 1  # the team's number in its workshop


def _epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        t = _dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return t.timestamp()


def run_from_session(session) -> TeamRun:
    """A solo game (engine.play.session.Session): time taken is the time between decisions."""
    d = debrief_from(session.game, session.outcomes, session.seed, session.over, session.team,
                     [(x.by, x.why) for x in session.decisions], final=session.state)
    started = _epoch(session.header.created)
    info, last = [], started
    for x in session.decisions:
        at = _epoch(x.at)
        secs = at - last if at is not None and last is not None else None
        info.append(StepInfo(secs, x.by, x.override, x.facilitator_reason,
                             x.why if x.override else None))
        last = at if at is not None else last
    ended = last if session.decisions else started
    ws = session.header.workshop
    return TeamRun(d, tuple(session.states), tuple(session.outcomes), tuple(info),
                   session.team, ws.name if ws else None, ws.id if ws else None, started, ended,
                   session.digest, session.header.engine or __version__)


def runs_from_room(room) -> list[TeamRun]:
    """Every team of an engine.workshop.Room, time taken counted from the round's opening."""
    room.refresh()
    wk = room.workshop
    events = room.store.events(wk.id)
    opened: dict[int, float] = {}
    for e in events:
        if e.kind == "phase" and e.data.get("action") == "open" and e.round_no is not None:
            opened.setdefault(e.round_no, e.at)
    notes: dict[tuple[int | None, int | None], list[str]] = {}
    for e in events:
        if e.kind == "note":
            notes.setdefault((e.team_id, e.round_no), []).append(str(e.data.get("text", "")))
    ended = max((e.at for e in events), default=wk.created_at)
    runs = []
    for t in room.snap.teams:
        tg = room.team_game(t.id)
        played = [x for x in tg.decisions if not x.absent and x.option_id is not None]
        by = [(t.name if x.by == "team" else x.by, x.team_reason if x.override else x.reason)
              for x in played]
        d = debrief_from(room.game, list(tg.outcomes), wk.seed, tg.state.over, t.name, by,
                         final=tg.state, absent_from=tg.absent_from)
        info = tuple(StepInfo(
            x.at - opened[x.round_no] if x.round_no in opened else None,
            x.by, x.override, x.reason if x.override else None,
            x.team_reason if x.override else None,
            tuple(notes.get((t.id, x.round_no), ()))) for x in played)
        general = tuple(n for (tid, r), ns in notes.items() if tid == t.id
                        and r not in {x.round_no for x in played} for n in ns)
        runs.append(TeamRun(d, tg.states, tg.outcomes, info, t.name, wk.name, wk.id,
                            wk.created_at, ended, wk.scenario_sha256,
                            absent_from=tg.absent_from, general_notes=general,
                            team_no=t.id))
    return runs


# ---------------------------------------------------------------------------- what else

def endings_from(game: Game, states: Sequence[GameState]) -> list[dict[str, float]]:
    """For each state, the probability of each ending id under uniform random play from it
    ('' for a dead end), computed exactly on the game's state graph."""
    graph = build_graph(game)
    order = round_order(graph)
    out: list[dict[str, float]] = []
    for st in states:
        key = st.key()
        if key not in graph.nodes:
            out.append({})
            continue
        prob = {key: 1.0}
        ends: dict[str, float] = {}
        for k in order:
            pk = prob.get(k)
            if not pk:
                continue
            node = graph.nodes[k]
            if node.state.over:
                eid = node.state.ending_id or ""
                ends[eid] = ends.get(eid, 0.0) + pk
                continue
            offered = list(dict.fromkeys(oid for oid, _, _ in node.edges))
            share = 1.0 / len(offered) if offered else 0.0
            for _, p, ck in node.edges:
                if ck in graph.nodes:
                    prob[ck] = prob.get(ck, 0.0) + pk * share * p
        out.append(ends)
    return out


# ---------------------------------------------------------------------------- extra blocks

@attrs.frozen
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[w.Phrase, ...], ...]
    role: str = ""


@attrs.frozen
class LineChart:
    """One indicator, one line per team."""

    indicator: Indicator
    lines: tuple[tuple[str, tuple[int, ...]], ...]


@attrs.frozen
class NotesSpace:
    """Blank ruled space to write on (printed reports)."""

    lines: int = 4


@attrs.frozen
class PageBreak:
    pass


ReportBlock = Block | Table | LineChart | NotesSpace | PageBreak


# ---------------------------------------------------------------------------- wording bits

def duration(seconds: float | None) -> str:
    if seconds is None:
        return "not recorded"
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s:02d} s" if s else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def _span(start: float | None, end: float | None) -> str:
    return duration(end - start) if start is not None and end is not None else "not recorded"


def _date(t: float | None) -> str:
    if t is None:
        return "unknown"
    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _percent_list(scn: Scenario, ends: dict[str, float], top: int = 2) -> w.Phrase:
    if not ends:
        return w.phrase(w.Span("not computed (state outside the explored graph)", w.MUTED))
    titles = {e.id: f"{e.title} ({e.grade})" for e in scn.endings}
    parts = sorted(ends.items(), key=lambda kv: -kv[1])
    names: list[w.Part] = [w.Span(titles.get(eid, "dead end"), w.STRONG) for eid, _ in parts[:top]]
    values = [p for _, p in parts[:top]]
    if len(parts) > top:
        names.append(w.count(len(parts) - top, "other ending"))
        values.append(sum(p for _, p in parts[top:]))
    return w.join(w.phrase(name, " ", pct) for name, pct in zip(names, w.shares(values),
                                                                 strict=True))


def _step_line(d: Debrief, s: Step) -> w.Phrase:
    return w.phrase(f"Round {s.round_no}, {s.round_title}: ", w.option_heading(s.option, s.number))


def _fate(run: TeamRun, step_index: int, pending, scheduled) -> str:
    """Whether a delayed effect scheduled at a step came: 'came in round N', 'did not come off
    in round N', 'its condition did not hold', 'never came due' or 'still pending'.

    A resolution names its option (or event) but not which of its effects it is, so an
    option with two delayed effects (say, one for each value of a flag) is matched by order:
    the k-th of its effects to fall due is the k-th of its delayed resolutions. (Matching by
    name alone gave both effects the first one's fate.)"""
    key = (pending.kind, pending.owner, pending.origin_round)
    same = sorted((q for q in scheduled if (q.kind, q.owner, q.origin_round) == key),
                  key=lambda q: (q.due, q.index))
    rank = same.index(pending)
    seen = 0
    for o in run.outcomes[step_index + 2:]:
        for res in o.resolutions:
            if res.delayed and (res.kind, res.owner, res.origin_round) == key:
                if seen == rank:
                    when = w.at_due(run.debrief.scenario, pending.due)
                    return {"applied": f"came {when}",
                            "failed": f"did not come off {when}",
                            "void": "its condition did not hold",
                            "dropped": "never came due (the game ended first)"}.get(
                                res.status, res.status)
                seen += 1
    if run.absent_from is not None:  # its game stopped: nothing more lands
        return w.absent_never_came(run.absent_from)
    return "still pending"


def _reason(s: Step, info: StepInfo) -> w.Phrase:
    if info.override:
        return w.phrase(w.Span("Override by the facilitator", w.WARNING), ": ",
                        w.Span(info.facilitator_reason or "no reason given", w.EMPHASIS),
                        w.phrase("; the team had written: ", w.Span(info.team_reason,
                                                                     w.EMPHASIS))
                        if info.team_reason else None)
    if s.why:
        return w.phrase("Reason: ", w.Span(s.why, w.EMPHASIS))
    return w.phrase("Reason: ", w.Span("none given", w.MUTED))


# ---------------------------------------------------------------------------- team report

def team_report(run: TeamRun, room_tracks: dict[int, Counter] | None = None,
                with_appendix: bool = False) -> list[ReportBlock]:
    """The after-action report for one team (two printed pages), and for a solo game the
    debrief's appendix after a page break."""
    d = run.debrief
    scn = d.scenario
    who = run.team or "Solo game"
    out: list[ReportBlock] = [Heading(f"After-action report: {who}", 1)]
    meta = []
    if run.workshop:
        meta.append(f"Workshop: {run.workshop}" + (f" ({run.workshop_id})"
                                                    if run.workshop_id else ""))
    meta += [f"Date: {_date(run.started)}", f"Duration: {_span(run.started, run.ended)}"]
    if run.team:
        meta.append(f"Team: {run.team}")
    out.append(Para(w.phrase(" · ".join(meta)), "meta"))
    out.append(Para(w.phrase(f"Scenario: {scn.title} ({scn.id}) · content hash "
                             f"{run.sha256[:16]} · seed {d.seed} · backchannel {run.engine}"),
                    "meta"))
    # The ending
    if d.ending:
        out.append(Heading(f"Ending: {d.ending.title} ({d.ending.grade})", 2, "ending"))
        out.append(Para(w.prose(scn, d.ending.assessment)))
    elif run.absent_from is not None:
        out.append(Heading("No ending", 2, "ending"))
        out.append(Para(w.phrase(w.absent_stop(run.absent_from))))
    else:
        out.append(Heading("Game in progress" if not d.over else "No ending", 2, "ending"))
    # Round by round
    out.append(Heading("Round by round", 2, "rounds"))
    inds = scn.indicators
    forgone = {s.round_no: (o, t) for s, o, t in top_forgone(d)}  # the three that weigh most
    rounds = []
    for i, s in enumerate(d.steps):
        info = run.info[i] if i < len(run.info) else StepInfo()
        subs: list[w.Phrase] = [_reason(s, info)]
        by = info.by or s.by
        who_line = "decided by " + (run.team if by == "team" and run.team else by or "the player")
        subs[0] = w.phrase(subs[0], w.Span(f" ({who_line}, {duration(info.seconds)})",
                                           w.MUTED))
        top = sorted(s.option.tradeoffs, key=lambda t: -abs(t.rating))[:1]
        if top:
            subs.append(w.phrase("Accepted: ", w.tradeoff(scn, top[0])))
        if s.round_no in forgone:
            o, t = forgone[s.round_no]
            subs.append(w.phrase("Forgone (", w.Span(o.title, w.STRONG), "): ",
                                 w.tradeoff(scn, t)))
        moved = [w.movement(ind, s.outcome.before[n], s.outcome.after[n])
                 for n, ind in enumerate(inds) if s.outcome.before[n] != s.outcome.after[n]]
        subs.append(w.phrase("Indicators: ", w.join(moved, "; ") if moved
                             else w.Span("no change", w.MUTED)))
        for p in s.outcome.scheduled:
            if p.kind == "option" and p.owner == s.option.id:
                eff = s.option.effects[p.index]
                # compact: what it would change and whether it came (the condition and the
                # narrative are in the scenario; the appendix of a solo report has them); an
                # effect that changes nothing but tells what happens is shown by its text
                told = f"“{' '.join(eff.text.split())}”" if eff.text else None
                what = w.changes(scn, eff.change, eff.set, eff.clear,
                                 flag_set=w.FLAG_SET_FROM_THEN,
                                 **({"empty": told} if told else {}))
                subs.append(w.phrase(f"Delayed to {w.due_round(scn, p.due)}: ", what, " — ",
                                     w.Span(_fate(run, i, p, s.outcome.scheduled), w.STRONG)))
        for note in info.notes:
            subs.append(w.phrase(w.Span("Facilitator note", w.WARNING), ": ", note))
        head = _step_line(d, s)
        if room_tracks and s.round_no in room_tracks:
            c = room_tracks[s.round_no]
            head = w.phrase(head, w.Span(" · the room: " + ", ".join(
                f"{c[t]}× {t.label}" for t in Track if c[t]), w.MUTED))
        rounds.append((head, tuple(subs)))
    if rounds:
        out.append(Items(tuple(rounds)))
    else:
        out.append(Para(w.phrase(w.Span("No decisions.", w.MUTED))))
    for note in run.general_notes:
        out.append(Para(w.phrase(w.Span("Facilitator note", w.WARNING), ": ", note), "note"))
    # Indicators
    out.append(Heading("Indicators", 2, "indicators"))
    out.append(Chart(tuple((ind, d.trajectories[ind.id]) for ind in inds)))
    # What else was possible
    if d.steps:
        out.append(Heading("What else was possible: the endings still reachable from each "
                           "decision, under random play from there", 2, "whatelse"))
        ends = endings_from(Game(scn), [run.states[i] for i in range(len(d.steps))])
        out.append(Items(tuple((w.phrase(f"Before round {s.round_no}: ",
                                         _percent_list(scn, e)), ())
                               for s, e in zip(d.steps, ends, strict=True))))
    # Lessons
    if d.lessons:
        out.append(Heading("What the scenario teaches", 2, "lessons"))
        out.append(Para(w.phrase("✓ this path illustrated the lesson; ○ it did not."), "note"))
        out.append(Items(tuple((w.phrase("✓ " if shown else "○ ", w.reflow(lesson.text), " ",
                                         w.cited(scn, lesson.cite)), ())
                               for lesson, shown in d.lessons)))
    # Questions
    played = {s.round_no for s in d.steps}
    qs = [(k, r.questions[0]) for k, r in enumerate(scn.rounds, 1)
          if k in played and r.questions]
    if qs:
        out.append(Heading("For the hot wash", 2, "questions"))
        out.append(Items(tuple((w.phrase(f"Round {k}: ", w.prose(scn, q)), ()) for k, q in qs),
                         numbered=False))
        out.append(NotesSpace(2))
    if with_appendix:
        out.append(PageBreak())
        out += appendix(d)
    return out


def room_tracks(runs: Iterable[TeamRun]) -> dict[int, Counter]:
    """Per round, how many teams chose each track (anonymised)."""
    out: dict[int, Counter] = {}
    for r in runs:
        for s in r.debrief.steps:
            out.setdefault(s.round_no, Counter())[s.option.track] += 1
    return out


# ---------------------------------------------------------------------------- exercise report

def exercise_report(room, runs: list[TeamRun]) -> list[ReportBlock]:
    """All teams side by side, for the facilitator only."""
    wk = room.workshop
    scn = room.scenario
    events = room.store.events(wk.id)
    first = runs[0] if runs else None
    out: list[ReportBlock] = [Heading(f"Exercise report: {wk.name}", 1)]
    out.append(Para(w.phrase(
        f"Workshop {wk.id} · {_date(wk.created_at)} · duration "
        f"{_span(first.started, first.ended) if first else 'not recorded'} · "
        f"{w.count(len(runs), 'team')}"),
        "meta"))
    out.append(Para(w.phrase(f"Scenario: {scn.title} ({scn.id}) · content hash "
                             f"{wk.scenario_sha256[:16]} · seed {wk.seed} · backchannel "
                             f"{__version__}"), "meta"))
    out.append(Para(w.phrase("Facilitator material: not for the teams."), "note"))
    names = tuple(r.team or "?" for r in runs)
    out.append(Heading("Paths", 2))
    rows = []
    for k, rnd in enumerate(scn.rounds, 1):
        cells = []
        for r in runs:
            i = next((i for i, s in enumerate(r.debrief.steps) if s.round_no == k), None)
            if i is None:
                cells.append(w.phrase(w.Span(w.ABSENT if r.absent_from is not None
                                             and k >= r.absent_from else "—", w.MUTED)))
                continue
            s = r.debrief.steps[i]
            cells.append(w.phrase(w.option_heading(s.option, s.number),
                                  w.phrase(" ", w.Span("(override)", w.WARNING))
                                  if r.info[i].override else None))
        if any(w.plain(c) != "—" for c in cells):
            rows.append((w.phrase(f"{k}. {rnd.title}"), *cells))
    rows.append((w.phrase(w.Span("Ending", w.STRONG)), *(
        w.phrase(f"{r.debrief.ending.title} ({r.debrief.ending.grade})") if r.debrief.ending
        else w.phrase(w.Span("no ending", w.MUTED)) for r in runs)))
    out.append(Table(("Round", *names), tuple(rows)))
    out.append(Heading("Indicators", 2))
    for ind in scn.indicators:
        out.append(LineChart(ind, tuple((n, r.debrief.trajectories[ind.id])
                                        for n, r in zip(names, runs, strict=True))))
    out.append(Heading("Timing", 2))
    trows = []
    for k, _rnd in enumerate(scn.rounds, 1):
        cells = []
        for r in runs:
            i = next((i for i, s in enumerate(r.debrief.steps) if s.round_no == k), None)
            cells.append(w.phrase(duration(r.info[i].seconds) if i is not None else "—"))
        if any(w.plain(c) != "—" for c in cells):
            trows.append((w.phrase(f"Round {k}"), *cells))
    out.append(Table(("Time taken", *names), tuple(trows)))
    absent = [r for r in runs if r.absent_from is not None]
    out.append(Heading("Absent teams", 2))
    out.append(Items(tuple((w.phrase(f"{r.team}: from round {r.absent_from}"), ())
                           for r in absent)) if absent
               else Para(w.phrase(w.Span("None.", w.MUTED))))
    out.append(Heading("Overrides and notes", 2))
    team_names = {t.id: t.name for t in room.snap.teams}
    lines = []
    for e in events:
        if e.kind in ("override", "absent", "note", "message"):
            who = team_names.get(e.team_id, "all teams") if e.team_id else "all teams"
            text = e.data.get("reason") or e.data.get("text") or ""
            what = {"override": "Override", "absent": "Marked absent", "note": "Note",
                    "message": "Message"}[e.kind]
            opt = e.data.get("option")
            said: tuple = (": ", w.Span(str(text) or "no reason given", w.EMPHASIS))
            if e.kind == "message" and not text:  # an empty message takes the last one down
                what, said = "Message taken down", ()
            lines.append((w.phrase(w.Span(what, w.WARNING), f" · {who}",
                                   f" · round {e.round_no}" if e.round_no else "",
                                   f" · {opt}" if opt else "", *said), ()))
    out.append(Items(tuple(lines)) if lines else Para(w.phrase(w.Span("None.", w.MUTED))))
    out.append(Heading("Phase and timer log", 2))
    log = [(w.phrase(_dt.datetime.fromtimestamp(e.at, _dt.UTC).strftime("%H:%M:%S"),
                     f" · round {e.round_no} · " if e.round_no else " · ",
                     str(e.data.get("action", e.kind)),
                     f" {e.data['seconds']:+g} s" if e.data.get("seconds") else "",
                     f" ({e.actor})"), ())
           for e in events if e.kind in ("phase", "timer", "created")]
    out.append(Items(tuple(log)) if log else Para(w.phrase(w.Span("Nothing logged.", w.MUTED))))
    return out


# ---------------------------------------------------------------------------- handouts

_TRACKS = (
    (Track.T1, "official, government to government: weight and commitments, but exposure "
     "and slow procedure"),
    (Track.T1_5, "officials in a private capacity alongside experts: room to test ideas "
     "without committing governments"),
    (Track.T2, "non-official: scholars, civil society, humanitarian networks; continuity and "
     "trust where officials cannot go, with little direct leverage"),
)


def briefing(scn: Scenario) -> list[ReportBlock]:
    """The briefing before play: situation, actors, the three tracks, learning objectives."""
    out: list[ReportBlock] = [Heading(f"Briefing: {scn.title}", 1),
                              Para(w.phrase(f"Region: {scn.region} · Situation: "
                                            f"{scn.situation_date} · about "
                                            f"{scn.about.duration.workshop_minutes} min in a "
                                            "workshop"), "meta")]
    out.append(Heading("The situation", 2))
    out += [Para(w.prose(scn, p)) for p in w.reflow(scn.summary).split("\n\n") if p.strip()]
    if scn.actors:
        out.append(Heading("Actors", 2))
        out.append(Items(tuple((w.phrase(w.Span(a.name, w.STRONG), f": {a.interests}"), ())
                               for a in scn.actors)))
    out.append(Heading("The three tracks", 2))
    out.append(Items(tuple((w.phrase(w.Span(t.label, w.STRONG), f": {text}"), ())
                           for t, text in _TRACKS)))
    out.append(Heading("Learning objectives", 2))
    objs = [w.phrase(o) for o in scn.about.learning_objectives]
    out.append(Items(tuple((o, ()) for o in objs)))
    if scn.lessons:
        out.append(Heading("What the sources argue (discussed in the debrief)", 3))
        out.append(Items(tuple((w.phrase(lesson.text, " ", w.cited(scn, lesson.cite)), ())
                               for lesson in scn.lessons)))
    if scn.about.team_roles:  # who sits where in a team, as the app's briefing shows them
        out.append(Heading(w.TEAM_ROLES_TITLE, 2))
        out.append(Items(tuple((w.phrase(w.Span(r.name, w.STRONG), ": ", w.prose(scn, r.brief)),
                                ()) for r in scn.about.team_roles)))
    return out


def role_pages(scn: Scenario) -> list[tuple[Role, list[ReportBlock]]]:
    """One page per role: its private brief and what it knows in each round."""
    titles = {r.id: (k, r.title) for k, r in enumerate(scn.rounds, 1)}
    pages = []
    for role in scn.roles:
        out: list[ReportBlock] = [Heading(f"Role brief: {role.name}", 1),
                                  Para(w.phrase(f"{scn.title} · private to this role: do "
                                                "not show it to the others"), "meta"),
                                  Heading("What you know and want", 2),
                                  Items(tuple((w.phrase(w.prose(scn, c.text), " ",
                                                        w.cited(scn, c.cite)), ())
                                              for c in role.brief))]
        if role.notes:
            out.append(Heading("Round by round", 2))
            out.append(Items(tuple((w.phrase(w.Span(
                f"Round {titles.get(n.round, (0, n.round))[0]}, "
                f"{titles.get(n.round, (0, n.round))[1]}", w.STRONG), ": ",
                w.prose(scn, n.text), " ", w.cited(scn, n.cite)), ()) for n in role.notes)))
        out.append(Heading("Notes", 2))
        out.append(NotesSpace(5))
        pages.append((role, out))
    return pages


# ---------------------------------------------------------------------------- decision rows

def decision_rows(runs: Sequence[TeamRun]) -> list[dict[str, Any]]:
    """One row per team per round it decided (or was marked absent from)."""
    rows = []
    for r in runs:
        scn = r.debrief.scenario
        for i, s in enumerate(r.debrief.steps):
            info = r.info[i] if i < len(r.info) else StepInfo()
            row: dict[str, Any] = {
                "workshop": r.workshop_id or "", "team": r.team or "", "round": s.round_no,
                "round_title": s.round_title, "option": s.option.id,
                "option_number": s.number, "option_title": s.option.title,
                "track": s.option.track.label,
                "reason": (info.facilitator_reason if info.override else s.why) or "",
                "team_reason": (info.team_reason if info.override else s.why) or "",
                "decided_by": info.by or s.by or "", "override": info.override,
                "absent": False,
                "seconds": round(info.seconds, 1) if info.seconds is not None else None,
            }
            for n, ind in enumerate(scn.indicators):
                row[f"after_{ind.id}"] = s.outcome.after[n]
            rows.append(row)
        if r.absent_from is not None:
            row = {"workshop": r.workshop_id or "", "team": r.team or "",
                   "round": r.absent_from, "round_title": "", "option": "",
                   "option_number": None, "option_title": "", "track": "", "reason": "",
                   "team_reason": "", "decided_by": "facilitator", "override": False,
                   "absent": True, "seconds": None}
            last = r.outcomes[-1].after
            for n, ind in enumerate(scn.indicators):
                row[f"after_{ind.id}"] = last[n]
            rows.append(row)
    return rows


def rows_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    wr = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    wr.writeheader()
    for row in rows:
        wr.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


def rows_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


# ---------------------------------------------------------------------------- rendering

_COLOURS = ("#0b5cad", "#a3123a", "#1e6b3a", "#8a4b00", "#6a3d9a", "#00838f", "#5b5b66",
            "#c2185b", "#33691e", "#4e342e", "#283593", "#ef6c00")
# Teams are often named after colours: such a team's line is drawn in its colour (team Red
# was drawn in blue and team Blue in red, the first two of the palette).
_NAMED_COLOURS = {"blue": "#0b5cad", "red": "#a3123a", "green": "#1e6b3a",
                  "brown": "#8a4b00", "purple": "#6a3d9a", "teal": "#00838f",
                  "grey": "#5b5b66", "gray": "#5b5b66", "pink": "#c2185b",
                  "navy": "#283593", "orange": "#ef6c00"}


def _team_colours(names: Sequence[str]) -> list[str]:
    """A colour per team: its own if it is named after one, else the palette's next unused."""
    own = [_NAMED_COLOURS.get(n.strip().lower()) for n in names]
    free = iter([c for c in _COLOURS if c not in own] or _COLOURS)
    out = []
    for colour in own:
        if colour is None:
            colour = next(free, None)
            if colour is None:
                free = iter(_COLOURS)
                colour = next(free)
        out.append(colour)
    return out


def _line_chart_svg(c: LineChart) -> str:
    """One indicator, one coloured line per team, labelled at the right. Presentation
    attributes, not only CSS, so PDF renderers draw it the same."""
    ind = c.indicator
    left, top, plot_w, plot_h, label_w, row = 22, 6, 300, 70, 220, 12
    width = left + plot_w + 10 + label_w
    height = max(top + plot_h + 8, top + 4 + row * len(c.lines))
    n = max((len(v) for _, v in c.lines), default=1)
    extent = (ind.max - ind.min) or 1
    txt = 'font-family="sans-serif" font-size="9"'
    parts = [f'<text x="0" y="{top + 8}" {txt} fill="#555">{ind.max}</text>',
             f'<text x="0" y="{top + plot_h}" {txt} fill="#555">{ind.min}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
             'stroke="#b8b8c4" stroke-width="1"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
             'stroke="#b8b8c4" stroke-width="1"/>']
    step = plot_w / max(1, n - 1)
    colours = _team_colours([name for name, _ in c.lines])
    for k, (name, vals) in enumerate(c.lines):
        colour = colours[k]
        pts = " ".join(f"{round(left + i * step, 1)},"
                       f"{round(top + plot_h - (v - ind.min) / extent * plot_h, 1)}"
                       for i, v in enumerate(vals))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                     f'stroke-width="1.8"/>')
        parts.append(f'<text x="{left + plot_w + 10}" y="{top + 9 + k * row}" {txt} '
                     f'fill="{colour}">{_html.escape(name)}: '
                     f'{_html.escape(w.trajectory(vals))}</text>')
    desc = f"{ind.label}: " + "; ".join(f"{n_}: {w.trajectory(v)}" for n_, v in c.lines)
    head = _html.escape(f"{ind.label} {w.better_arrow(ind)}")
    return (f'<figure class="linechart"><figcaption>{head}</figcaption>'
            f'<svg class="lines" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{_html.escape(desc)}">{"".join(parts)}</svg></figure>')


def blocks_html(blocks: Sequence[ReportBlock]) -> str:
    out: list[str] = []
    plain: list[Block] = []

    def flush() -> None:
        if plain:
            out.append(render_html(list(plain)))
            plain.clear()

    for b in blocks:
        if isinstance(b, Table):
            flush()
            head = "".join(f"<th>{_html.escape(h)}</th>" for h in b.head)
            body = "".join("<tr>" + "".join(f"<td>{w.html(c)}</td>" for c in row) + "</tr>"
                           for row in b.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif isinstance(b, LineChart):
            flush()
            out.append(_line_chart_svg(b))
        elif isinstance(b, NotesSpace):
            flush()
            out.append('<div class="notes-space">' + '<div class="rule"></div>' * b.lines
                       + "</div>")
        elif isinstance(b, PageBreak):
            flush()
            out.append('<div class="page-break"></div>')
        else:
            plain.append(b)
    flush()
    return "\n".join(out)


def blocks_markdown(blocks: Sequence[ReportBlock]) -> str:
    out: list[str] = []
    plain: list[Block] = []

    def flush() -> None:
        if plain:
            out.append(render_markdown(list(plain)).rstrip() + "\n")
            plain.clear()

    for b in blocks:
        if isinstance(b, Table):
            flush()
            cell = lambda p: " ".join(w.markdown(p).split())  # noqa: E731
            lines = ["| " + " | ".join(b.head) + " |", "|---" * len(b.head) + "|"]
            lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join(lines) + "\n")
        elif isinstance(b, LineChart):
            flush()
            out.append(f"**{b.indicator.label}** {w.better_arrow(b.indicator)}\n\n" + "\n".join(
                f"- {name}: {w.trajectory(v)}" for name, v in b.lines) + "\n")
        elif isinstance(b, NotesSpace):
            flush()
            out.append("Notes:\n\n" + "\n".join("…" for _ in range(b.lines)) + "\n")
        elif isinstance(b, PageBreak):
            flush()
            out.append("---\n")
        elif isinstance(b, Chart):
            flush()
            out.append("\n".join(f"- {ind.label} ({w.better_hint(ind)}): {w.trajectory(v)}"
                                 for ind, v in b.rows) + "\n")
        else:
            plain.append(b)
    flush()
    return "\n".join(out)


def page_html(title: str, blocks: Sequence[ReportBlock], paper: str = "a4") -> str:
    """One self-contained page (inline CSS and SVG, no script) with a print stylesheet."""
    if paper not in PAPER:
        raise ValueError(f"paper is one of {', '.join(PAPER)}")
    return _ENV.get_template("report.html.j2").render(
        title=title, body=Markup(blocks_html(blocks)),
        page_size="A4" if paper == "a4" else "letter")


def page_markdown(blocks: Sequence[ReportBlock]) -> str:
    return blocks_markdown(blocks).rstrip() + "\n"


def pdf(html_text: str) -> bytes:
    """The page as PDF (WeasyPrint, the optional 'pdf' extra)."""
    try:
        import weasyprint  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            "PDF needs the optional WeasyPrint extra: pip install 'backchannel[pdf]' "
            f"(here: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None
    return weasyprint.HTML(string=html_text).write_pdf()


# ---------------------------------------------------------------------------- writing

def _write(path: Path, data: str | bytes) -> Path:
    """A new file, never over an existing one (engine.present.export._create)."""
    if isinstance(data, bytes):
        import contextlib
        import os

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            with open(fd, "wb", closefd=True) as fh:
                fh.write(data)
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
    else:
        _create(path, data)
    return path


def write_document(directory: Path, stem: str, title: str, blocks: Sequence[ReportBlock],
                   formats: Iterable[str], paper: str = "a4") -> list[Path]:
    """Write ``stem.html`` / ``.md`` / ``.pdf`` (those asked for) into ``directory``."""
    html_text = page_html(title, blocks, paper)
    written = []
    for fmt in formats:
        path = directory / f"{stem}.{fmt}"
        if fmt == "html":
            written.append(_write(path, html_text))
        elif fmt == "md":
            written.append(_write(path, page_markdown(blocks)))
        elif fmt == "pdf":
            written.append(_write(path, pdf(html_text)))
        else:
            raise ValueError(f"unknown format {fmt}")
    return written


def slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "team"
