"""Debrief: what a finished (or interrupted) game amounts to, as data and as one structure.

``sections(d)`` is the debrief as blocks (headings, paragraphs, lists, a chart) made of
wording-layer phrases: first a ``summary`` that prints on two pages (the ending and its
assessment, the path with tracks and reasons, the trade-offs that weigh most, the indicator
trajectories), then an ``appendix`` with the full lists. Markdown (``to_markdown``), line mode
(``to_text``) and HTML (engine/present/export.py) render the same blocks, so they share one
structure; no Markdown tables, so a screen reader can follow."""

from __future__ import annotations

import re
import textwrap
from collections import Counter

import attrs

from engine.analysis.lessons import illustrated
from engine.play.rules import Game, GameState, Outcome
from engine.present import wording as w
from engine.present.wording import merge_citations
from engine.scenario.model import (
    Citation,
    Ending,
    Indicator,
    Lesson,
    Option,
    Scenario,
    Source,
    TradeOff,
)
from engine.scenario.vocabulary import GLYPHS, Track


@attrs.frozen
class Step:
    round_no: int
    round_title: str
    option: Option
    outcome: Outcome
    by: str | None = None
    why: str | None = None
    number: int = 0  # the option's place in its round, as shown while playing


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
    # What the scenario teaches, each with whether this game's ending illustrated it
    lessons: tuple[tuple[Lesson, bool], ...] = ()
    absent_from: int | None = None  # a workshop team marked absent: its game stopped there

    @property
    def final(self) -> bool:
        """The game will not go on: it is over, or its team was marked absent."""
        return self.over or self.absent_from is not None


def build_debrief(session) -> Debrief:
    """From an engine.play.session.Session (or anything with game, outcomes, decisions, seed,
    team and over)."""
    return debrief_from(session.game, session.outcomes, session.seed, session.over,
                        session.team, [(d.by, d.why) for d in session.decisions],
                        final=session.state,
                        absent_from=getattr(session, "absent_from", None))


def debrief_from(game: Game, outcomes: list[Outcome], seed: int, over: bool,
                 team: str | None = None,
                 notes: list[tuple[str | None, str | None]] | None = None,
                 final: GameState | None = None,
                 absent_from: int | None = None) -> Debrief:
    """``final``: the state the game is in, which decides the lessons it illustrated."""
    scn = game.scenario
    rounds = {k: r for k, r in enumerate(scn.rounds, 1)}
    steps = []
    for i, o in enumerate(outcomes[1:]):
        by, why = notes[i] if notes and i < len(notes) else (None, None)
        assert o.option is not None  # every outcome after the start is of a choice
        steps.append(Step(o.round_no, rounds[o.round_no].title, o.option, o, by, why,
                          game.option_number(o.option.id)))
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
        for opt in s.outcome.offered:
            for t in opt.tradeoffs:
                note(t.cite)
    events = []
    for o in outcomes:
        for eid in o.events:
            ev = scn.event(eid)
            if ev is None:  # not in this scenario (a save from an older version of it)
                continue
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
    if absent_from is not None and final is not None:  # its game stopped: nothing more lands
        dropped += tuple(
            f"{_owner_title(game, p.kind, p.owner)} (round {p.origin_round})"
            + (f": {text}" if (text := game.effect_of(p).text) else "")
            for p in final.pending)
    lessons = (tuple(illustrated(scn, final)) if final is not None and final.over
               else tuple((lesson, False) for lesson in scn.lessons))
    return Debrief(scn, team, seed, ending, over, tuple(steps), trajectories, accepted, forgone,
                   bibliography, questions, tuple(events), dropped, lessons, absent_from)


def _owner_title(game: Game, kind: str, owner: str) -> str:
    if kind == "option":
        return game.options[owner].option.title
    return game.events_by_id[owner].event.title


def rating(r: int) -> str:
    return GLYPHS.get(r, str(r))


def tradeoff_line(scn: Scenario, t: TradeOff) -> str:
    return w.plain(w.tradeoff(scn, t))


# ---------------------------------------------------------------------------- what matters

HIGHLIGHTS = 3


def top_accepted(d: Debrief, n: int = HIGHLIGHTS) -> list[tuple[Step, TradeOff]]:
    """The trade-offs accepted that weigh most: the strongest ratings, either way (a ++ gained
    or a -- taken on), one per dimension, earlier rounds first among equals."""
    rows = [(s, t) for s in d.steps for t in s.option.tradeoffs]
    rows.sort(key=lambda st: (-abs(st[1].rating), st[0].round_no))
    # The strongest gain and the strongest cost first, so the summary shows both sides.
    lead = [next((r for r in rows if r[1].rating > 0), None),
            next((r for r in rows if r[1].rating < 0), None)]
    lead = [r for r in lead if r is not None]
    picked = _one_per_dimension(lead + [r for r in rows if r not in lead], n)
    return sorted(picked, key=lambda st: st[0].round_no)


def top_forgone(d: Debrief, n: int = HIGHLIGHTS) -> list[tuple[Step, Option, TradeOff]]:
    """The trade-offs given up that weigh most: where an option not taken was rated above the
    choice on a dimension, by how much (a dimension the choice was not rated on counts as 0)."""
    rows = []
    for s in d.steps:
        mine = {t.dimension: t.rating for t in s.option.tradeoffs}
        for o, t in s.outcome.forgone:
            gain = t.rating - mine.get(t.dimension, 0)
            if gain > 0:
                rows.append((gain, s, o, t))
    rows.sort(key=lambda r: (-r[0], -r[3].rating, r[1].round_no))
    picked = _one_per_dimension([((s, o), t) for _, s, o, t in rows], n)
    return [(s, o, t) for (s, o), t in picked]


def _one_per_dimension(rows: list, n: int) -> list:
    out, seen = [], set()
    for head, t in rows:
        if t.dimension not in seen:
            seen.add(t.dimension)
            out.append((head, t))
        if len(out) == n:
            break
    return out


# ---------------------------------------------------------------------------- one structure

@attrs.frozen
class Heading:
    text: str
    level: int = 2
    id: str = ""  # HTML anchor / class: 'summary', 'appendix', ...


@attrs.frozen
class Para:
    text: w.Phrase
    role: str = ""  # 'meta', 'note', 'ending'


@attrs.frozen
class Items:
    items: tuple[tuple[w.Phrase, tuple[w.Phrase, ...]], ...]  # item, sub-items
    numbered: bool = False


@attrs.frozen
class Chart:
    """Indicator trajectories (HTML draws them as inline SVG; text keeps the list before it)."""

    rows: tuple[tuple[Indicator, tuple[int, ...]], ...]


Block = Heading | Para | Items | Chart


def _items(phrases, numbered: bool = False) -> Items:
    return Items(tuple((p, ()) for p in phrases), numbered)


def _choice(d: Debrief, s: Step) -> w.Phrase:
    return w.phrase(f"Round {s.round_no}, ", w.option_heading(s.option, s.number))


def ending_title(d: Debrief) -> str:
    if d.ending:
        return d.ending.title
    if d.absent_from is not None:
        return w.absent_title(d.absent_from)
    return "No ending" if d.over else "Game in progress"


def _weigh_most(n: int, what: str) -> str:
    """'The 3 trade-offs accepted that weigh most', 'The trade-off accepted that weighs most'."""
    if n == 1:
        return f"The trade-off {what} that weighs most"
    return f"The {w.count(n, 'trade-off')} {what} that weigh most"


def summary(d: Debrief) -> list[Block]:
    """The part people read, on at most two printed pages: the ending and its assessment,
    the path with tracks and reasons, the three trade-offs accepted and forgone that weigh
    most, and how the indicators moved."""
    scn = d.scenario
    meta = [f"Region: {scn.region}", f"Situation: {scn.situation_date}", f"Seed: {d.seed}"]
    if d.team:
        meta.insert(0, f"Team: {d.team}")
    out: list[Block] = [Heading(f"Debrief: {scn.title}", 1), Para(w.phrase(" · ".join(meta)),
                                                                  "meta")]
    if d.ending:
        out.append(Heading(f"Ending: {d.ending.title} ({d.ending.grade})", 2, "ending"))
        out += [Para(w.prose(scn, p)) for p in _paragraphs(d.ending.epilogue)]
        out.append(Heading("Assessment", 3))
        out += [Para(w.prose(scn, p)) for p in _paragraphs(d.ending.assessment)]
        if d.ending.cite:
            out.append(Para(w.phrase("Sources: ", w.citations(scn, d.ending.cite)), "note"))
    elif d.absent_from is not None:
        out += [Heading(w.absent_title(d.absent_from), 2, "ending"),
                Para(w.phrase(w.absent_stop(d.absent_from)))]
    elif d.over:
        out += [Heading("No ending", 2, "ending"),
                Para(w.phrase("The scenario defines no ending for this state."))]
    else:
        out += [Heading("Game in progress", 2, "ending"),
                Para(w.phrase(f"{w.count(len(d.steps), 'decision')} so far; "
                              "the game is not over."))]
    if d.lessons:
        out.append(Heading("What this scenario teaches", 2, "lessons"))
        out.append(Para(w.phrase("The scenario checker proves each lesson over every path "
                                 "through the game; ✓ marks those your game illustrated."),
                        "note"))
        out.append(_items(w.phrase("✓ " if shown else "", lesson.text, " ",
                                   w.cited(scn, lesson.cite))
                          for lesson, shown in d.lessons))
    out.append(Heading("The path taken", 2, "path"))
    path = []
    for s in d.steps:
        line = w.phrase(_choice(d, s))
        if s.by or s.why:
            who = f"decided by {s.by}" if s.by else "decided"
            line = w.phrase(line, f"; {who}", w.phrase(": ", w.Span(s.why, w.EMPHASIS))
                            if s.why else None)
        path.append(line)
    out.append(_items(path) if path else Para(w.phrase(w.Span("No decisions yet.", w.MUTED))))
    acc, forg = top_accepted(d), top_forgone(d)
    if acc or forg:
        out.append(Heading("What you took on and what you gave up", 2, "highlights"))
    if acc:
        out.append(Para(w.phrase(_weigh_most(len(acc), "accepted"), ":")))
        out.append(_items(w.phrase(_choice(d, s), ": ", w.tradeoff(scn, t)) for s, t in acc))
    if forg:
        out.append(Para(w.phrase(_weigh_most(len(forg), "forgone"), " (what an option not "
                                 "taken offered beyond your choice):")))
        out.append(_items(
            w.phrase(f"Round {s.round_no}, ", w.option_heading(o, _number(d, o)), ": ",
                     w.tradeoff(scn, t)) for s, o, t in forg))
    out.append(Heading("Indicators", 2, "indicators"))
    rows = tuple((ind, d.trajectories[ind.id]) for ind in scn.indicators)
    out.append(Chart(rows))
    out.append(_items(_trajectory(ind, vals) for ind, vals in rows))
    return out


def _trajectory(ind: Indicator, vals: tuple[int, ...]) -> w.Phrase:
    net = vals[-1] - vals[0]
    return w.phrase(w.Span(ind.label, w.INDICATOR), f" ({w.better_hint(ind)}): ",
                    w.trajectory(vals),
                    w.phrase(", overall ", w.delta(ind, net)) if net else ", no net change")


def appendix(d: Debrief) -> list[Block]:
    """The full lists: events, every trade-off accepted and forgone (grouped by option, so an
    option's title is written once), what never came due, the sources and the questions."""
    scn = d.scenario
    out: list[Block] = [Heading("Appendix", 2, "appendix")]
    if d.events:
        out.append(Heading("Events", 3))
        out.append(_items(w.phrase(f"Round {k}: ", w.Span(title, w.STRONG), ". ",
                                   w.prose(scn, text)) for k, title, text in d.events))
    out.append(Heading("Trade-offs accepted, in full", 3))
    out.append(Items(tuple(
        (_choice(d, s), tuple(w.tradeoff(scn, t) for t in s.option.tradeoffs))
        for s in d.steps if s.option.tradeoffs)) if d.steps else
        Para(w.phrase(w.Span("None yet.", w.MUTED))))
    out.append(Heading("Trade-offs forgone, in full", 3))
    out.append(Para(w.phrase("What the options not taken would have brought.")))
    groups: list[tuple[w.Phrase, tuple[w.Phrase, ...]]] = []
    for s in d.steps:
        for o in s.outcome.offered:
            if o is not s.option and o.tradeoffs:
                groups.append((w.phrase(f"Round {s.round_no}, ",
                                        w.option_heading(o, _number(d, o))),
                               tuple(w.tradeoff(scn, t) for t in o.tradeoffs)))
    out.append(Items(tuple(groups)) if groups else Para(w.phrase(w.Span("None.", w.MUTED))))
    if d.dropped:
        out.append(Heading("Investments that never came due", 3))
        out.append(_items(w.prose(scn, x) for x in d.dropped))
    out.append(Heading("Sources cited in this game", 3))
    if d.bibliography:
        out.append(_items(
            w.phrase(w.source_reference(src), f" Cited as {src.short}: "
                     f"{', '.join(merge_citations(cs))}.")
            for src, cs in d.bibliography))
    else:
        out.append(Para(w.phrase(w.Span("No sources were cited.", w.MUTED))))
    if d.questions:
        out.append(Heading("Discussion questions", 3))
        for title, qs in d.questions:
            out.append(Para(w.phrase(w.Span(title, w.STRONG))))
            out.append(_items((w.prose(scn, q) for q in qs), numbered=True))
    out.append(Para(w.phrase(w.RATINGS_LEGEND), "note"))
    return out


def sections(d: Debrief) -> list[Block]:
    """The whole debrief as one structure: ``summary`` then ``appendix``. Markdown, line mode
    and HTML all render this; the app can too (``wording`` phrases in every block)."""
    return summary(d) + appendix(d)


def _number(d: Debrief, option: Option) -> int:
    for rnd in d.scenario.rounds:
        for n, o in enumerate(rnd.options, 1):
            if o.id == option.id:
                return n
    return 0


def _paragraphs(text: str | None) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()]


# ---------------------------------------------------------------------------- renderers


def to_markdown(d: Debrief) -> str:
    """Markdown in prose and lists (no tables), so a screen reader can follow it."""
    return render_markdown(sections(d))


def render_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Para):
            out += [w.markdown(b.text), ""]
        elif isinstance(b, Items):
            for n, (item, subs) in enumerate(b.items, 1):
                out.append(f"{n}. " if b.numbered else "- ")
                out[-1] += _flat(w.markdown(item))
                out += [f"    - {_flat(w.markdown(x))}" for x in subs]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_text(d: Debrief, width: int = 80, full: bool = True) -> str:
    """The debrief for line mode: the same structure as Markdown, as wrapped plain text.
    ``full=False`` stops after the summary."""
    return render_text(sections(d) if full else summary(d), width)


def render_text(blocks: list[Block], width: int = 80) -> str:
    out: list[str] = []

    def fill(text: str, first: str, rest: str) -> None:
        for k, block in enumerate(text.split("\n\n")):
            out.append(textwrap.fill(" ".join(block.split()), width,
                                     initial_indent=first if k == 0 else rest,
                                     subsequent_indent=rest, break_on_hyphens=False,
                                     break_long_words=False))

    for b in blocks:
        if isinstance(b, Heading):
            if out:
                out.append("")
            out.append(b.text.upper() if b.level == 1 else b.text)
            out.append(("=" if b.level <= 2 else "-") * min(width, len(b.text)))
        elif isinstance(b, Para):
            fill(w.plain(b.text), "", "")
        elif isinstance(b, Items):
            for n, (item, subs) in enumerate(b.items, 1):
                mark = f"{n}. " if b.numbered else "- "
                fill(w.plain(item), mark, " " * len(mark))
                for x in subs:
                    fill(w.plain(x), "    - ", "      ")
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
            cells.append(f"{step.number}. {_cell(step.option.title)} "
                         f"({step.option.track.label})" if step else "—")
        if any(c != "—" for c in cells):
            mark = " ◀ differs" if len(set(cells)) > 1 else ""
            out.append(f"| {k}. {_cell(rnd.title)}{mark} | " + " | ".join(cells) + " |")
    out.append("| **Ending** | " + " | ".join(
        f"{_cell(d.ending.title)} ({d.ending.grade})" if d.ending
        else (w.absent_title(d.absent_from).lower() if d.absent_from is not None
              else "no ending" if d.over else "in progress")
        for d in debriefs) + " |")
    for ind in scn.indicators:
        out.append(f"| {_cell(ind.label)} {w.better_arrow(ind)} | " + " | ".join(
            " → ".join(map(str, d.trajectories[ind.id])) for d in debriefs) + " |")
    tracks = []
    for d in debriefs:
        counts = Counter(s.option.track for s in d.steps)
        tracks.append(" / ".join(f"{counts[t]}× {t.label}" for t in Track))
    out.append("| Tracks chosen | " + " | ".join(tracks) + " |")
    return "\n".join(out) + "\n"


def what_if_markdown(debrief: Debrief, other: Debrief | None,
                     label_a: str = w.WHAT_IF_THIS, label_b: str = w.WHAT_IF_EARLIER) -> str:
    """The debrief as Markdown, followed, for a what-if whose earlier path is ``other``, by
    the two paths side by side (as the app shows and exports it)."""
    md = to_markdown(debrief)
    if other is None:
        return md
    return md.rstrip() + "\n\n" + compare_markdown([debrief, other], [label_a, label_b],
                                                    title=w.WHAT_IF_TITLE)
