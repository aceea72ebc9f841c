"""Debrief: what a finished (or interrupted) game amounts to, as data and as Markdown.

The same ``Debrief`` feeds the plain-text mode, the TUI's debrief screen and the HTML export
(engine/export.py)."""

from __future__ import annotations

from collections import Counter

import attrs

from engine.play.rules import Game, Outcome
from engine.present.wording import cite_label, merge_citations
from engine.scenario.model import Citation, Ending, Option, Scenario, Source, TradeOff
from engine.scenario.vocabulary import DIMENSIONS, GLYPHS, Track


@attrs.frozen
class Step:
    round_no: int
    round_title: str
    option: Option
    outcome: Outcome
    by: str | None = None
    why: str | None = None


@attrs.frozen
class Debrief:
    scenario: Scenario
    team: str | None
    seed: int
    ending: Ending | None
    over: bool
    steps: tuple[Step, ...]
    trajectories: dict[str, tuple[int, ...]]  # indicator id -> values at start and per step
    accepted: tuple[tuple[int, Option, TradeOff], ...]
    forgone: tuple[tuple[int, Option, TradeOff], ...]
    bibliography: tuple[tuple[Source, tuple[Citation, ...]], ...]
    questions: tuple[tuple[str, tuple[str, ...]], ...]  # round title, questions
    events: tuple[tuple[int, str, str], ...]  # round fired at, title, text
    dropped: tuple[str, ...]  # descriptions of delayed effects that never came due


def build_debrief(session) -> Debrief:
    """From an engine.play.session.Session (or anything with game, outcomes, decisions, seed,
    team and over)."""
    return debrief_from(session.game, session.outcomes, session.seed, session.over,
                        session.team, [(d.by, d.why) for d in session.decisions])


def debrief_from(game: Game, outcomes: list[Outcome], seed: int, over: bool,
                 team: str | None = None,
                 notes: list[tuple[str | None, str | None]] | None = None) -> Debrief:
    scn = game.scenario
    rounds = {k: r for k, r in enumerate(scn.rounds, 1)}
    steps = []
    for i, o in enumerate(outcomes[1:]):
        by, why = notes[i] if notes and i < len(notes) else (None, None)
        steps.append(Step(o.round_no, rounds[o.round_no].title, o.option, o, by, why))
    trajectories = {
        ind.id: tuple(o.after[n] for o in outcomes) for n, ind in enumerate(scn.indicators)
    }
    accepted = tuple((s.round_no, s.option, t) for s in steps for t in s.option.tradeoffs)
    forgone = tuple((s.round_no, o, t) for s in steps for o, t in s.outcome.forgone)
    cites: dict[str, set[Citation]] = {}

    def note(cs) -> None:
        for c in cs:
            cites.setdefault(c.source, set()).add(c)

    for s in steps:
        for o in s.outcome.offered:
            for t in o.tradeoffs:
                note(t.cite)
    events = []
    for o in outcomes:
        for eid in o.events:
            ev = scn.event(eid)
            note(ev.cite)
            events.append((o.next_round, ev.title, ev.text))
    last = outcomes[-1]
    ending = game.endings.get(last.ending_id) if last.ending_id else None
    if ending:
        note(ending.cite)
    bibliography = tuple(
        (src, tuple(sorted(cites[src.id], key=lambda c: (c.paragraph, c.last or 0))))
        for src in scn.sources
        if src.id in cites
    )
    played = {s.round_no for s in steps}
    questions = tuple(
        (r.title, r.questions) for k, r in rounds.items() if k in played and r.questions
    )
    dropped = tuple(
        f"{_owner_title(game, res.kind, res.owner)} (round {res.origin_round})"
        + (f": {res.text}" if res.text else "")
        for o in outcomes
        for res in o.resolutions
        if res.status == "dropped"
    )
    return Debrief(scn, team, seed, ending, over, tuple(steps), trajectories, accepted, forgone,
                   bibliography, questions, tuple(events), dropped)


def _owner_title(game: Game, kind: str, owner: str) -> str:
    if kind == "option":
        return game.options[owner].option.title
    return game.scenario.event(owner).title


def rating(r: int) -> str:
    return GLYPHS.get(r, str(r))


def tradeoff_line(scn: Scenario, t: TradeOff) -> str:
    dim = DIMENSIONS[t.dimension].label
    cites = "; ".join(cite_label(scn, c) for c in t.cite)
    return f"{dim} {rating(t.rating)}: {t.why} ({cites})"


def to_markdown(d: Debrief) -> str:
    scn = d.scenario
    out: list[str] = [f"# Debrief: {scn.title}", ""]
    meta = [f"Region: {scn.region}", f"Situation: {scn.situation_date}", f"Seed: {d.seed}"]
    if d.team:
        meta.insert(0, f"Team: {d.team}")
    out += [" · ".join(meta), ""]
    if d.ending:
        out += [f"## Ending: {d.ending.title}", "", d.ending.epilogue.strip(), "",
                "### Assessment", "", d.ending.assessment.strip(), ""]
        if d.ending.cite:
            out += ["Sources: " + "; ".join(cite_label(scn, c) for c in d.ending.cite), ""]
    elif d.over:
        out += ["## No ending", "", "The scenario defines no ending for this state.", ""]
    else:
        out += ["## Game in progress", "", f"{len(d.steps)} decisions so far.", ""]
    out += ["## The path taken", "", "| Round | Choice | Track | Decided by | Why |",
            "|---|---|---|---|---|"]
    for s in d.steps:
        out.append(f"| {s.round_no}. {_cell(s.round_title)} | {_cell(s.option.title)} | "
                   f"{s.option.track.label} | {_cell(s.by or '')} | {_cell(s.why or '')} |")
    out.append("")
    if d.events:
        out += ["## Events", ""]
        out += [f"- Round {k}: **{title}**: {_flat(text)}" for k, title, text in d.events]
        out.append("")
    out += ["## Indicators", "", "| Indicator | Trajectory | Start | End |", "|---|---|---|---|"]
    for ind in scn.indicators:
        vals = d.trajectories[ind.id]
        better = {"higher": " (higher is better)", "lower": " (lower is better)"}.get(
            ind.better, "")
        out.append(f"| {ind.label}{better} | {' → '.join(map(str, vals))} | {vals[0]} | "
                   f"{vals[-1]} |")
    out.append("")
    out += ["## Trade-offs accepted", ""]
    for k, opt, t in d.accepted:
        out.append(f"- Round {k}, {opt.title} ({opt.track.label}): {tradeoff_line(scn, t)}")
    out += ["", "## Trade-offs forgone", "",
            "What the options not taken would have brought:", ""]
    for k, opt, t in d.forgone:
        out.append(f"- Round {k}, {opt.title} ({opt.track.label}): {tradeoff_line(scn, t)}")
    out.append("")
    if d.dropped:
        out += ["## Investments that never came due", ""]
        out += [f"- {x}" for x in d.dropped]
        out.append("")
    out += ["## Sources cited in this game", ""]
    for src, cs in d.bibliography:
        paras = ", ".join(merge_citations(cs))
        url = f" {src.url}" if src.url else ""
        out.append(f"- {', '.join(src.authors)}, *{src.title}*, {src.publisher}, {src.date}."
                   f"{url} Cited: {paras}.")
    out.append("")
    if d.questions:
        out += ["## Discussion questions", ""]
        for title, qs in d.questions:
            out.append(f"**{title}**")
            out.append("")
            out += [f"- {q}" for q in qs]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _flat(text).replace("|", "\\|")


def compare_markdown(debriefs: list[Debrief], names: list[str] | None = None,
                     title: str | None = None) -> str:
    """Several games of one scenario side by side, one column per team or what-if branch:
    each round's choice and track (rows where they differ are marked), the ending, each
    indicator's trajectory and the tracks chosen."""
    if not debriefs:
        return ""
    scn = debriefs[0].scenario
    if any(d.scenario.id != scn.id for d in debriefs):
        raise ValueError("can only compare games of the same scenario")
    names = names or [d.team or f"Game {i}" for i, d in enumerate(debriefs, 1)]
    out = [f"## {title or 'Comparison: ' + scn.title}", "",
           "| Round | " + " | ".join(_cell(n) for n in names) + " |",
           "|---" * (len(names) + 1) + "|"]
    for k, rnd in enumerate(scn.rounds, 1):
        cells = []
        for d in debriefs:
            step = next((s for s in d.steps if s.round_no == k), None)
            cells.append(f"{_cell(step.option.title)} ({step.option.track.label})" if step
                         else "—")
        if any(c != "—" for c in cells):
            mark = " ◀ differs" if len(set(cells)) > 1 else ""
            out.append(f"| {k}. {_cell(rnd.title)}{mark} | " + " | ".join(cells) + " |")
    out.append("| **Ending** | " + " | ".join(
        _cell(d.ending.title) if d.ending else ("no ending" if d.over else "in progress")
        for d in debriefs) + " |")
    for ind in scn.indicators:
        arrow = {"higher": " ↑", "lower": " ↓"}.get(ind.better, "")
        out.append(f"| {_cell(ind.label)}{arrow} | " + " | ".join(
            " → ".join(map(str, d.trajectories[ind.id])) for d in debriefs) + " |")
    tracks = []
    for d in debriefs:
        counts = Counter(s.option.track for s in d.steps)
        tracks.append(" / ".join(f"{counts[t]}× {t.label}" for t in Track))
    out.append("| Tracks chosen | " + " | ".join(tracks) + " |")
    return "\n".join(out) + "\n"
