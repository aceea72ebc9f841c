"""The one wording layer: every phrase about an effect, a chance, a delay, a condition, an
indicator's direction, a trade-off, a resolved effect and a citation is made here, once.

A phrase is a tuple of ``Span`` (text with a role such as ``indicator``, ``citation`` or
``strong``). Front ends never re-word; they only choose how a role looks:

* ``plain`` (line mode, logs), ``markdown`` and ``html`` (exports) are here;
* Textual markup is ``backchannel_tui.text.markup`` (the engine imports no UI code).

So line mode and the app carry the same words and differ only in markup. Counts with their
nouns and shares of a whole are made in ``engine.present.numbers`` (light enough for the
app's first screen) and re-exported here.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from engine.present.numbers import count, length, share_units, shares  # noqa: F401 (re-exported)
from engine.present.reflow import reflow
from engine.scenario.conditions import Condition
from engine.scenario.model import (
    Citation,
    Effect,
    Indicator,
    Option,
    Otherwise,
    Scenario,
    Source,
    TradeOff,
)
from engine.scenario.vocabulary import DIMENSIONS, GLYPHS

# ---------------------------------------------------------------------------- phrases

# Roles a span can have. Renderers map each to a look; an unknown role renders as text.
TEXT = "text"
STRONG = "strong"  # delays, dimension names, titles
EMPHASIS = "emphasis"  # narrative text written by the scenario author
MUTED = "muted"  # asides
CHANCE = "chance"  # "60% chance"
BETTER = "better"  # a change in the indicator's better direction
WORSE = "worse"
GOOD, BAD, FLAT = "good", "bad", "flat"  # rating glyphs ++ + / - -- / 0
CITATION = "citation"
INDICATOR = "indicator"
WARNING = "warning"  # "Event:", "Not available now:"
LABEL = "label"  # a field's name before its value: "Stance:"


@attrs.frozen
class Span:
    text: str
    role: str = TEXT


Phrase = tuple[Span, ...]
Part = str | Span | Sequence[Span] | None


def phrase(*parts: Part) -> Phrase:
    """A phrase from strings (plain text), spans and other phrases; None is skipped."""
    out: list[Span] = []
    for p in parts:
        if p is None or p == "":
            continue
        if isinstance(p, str):
            out.append(Span(p))
        elif isinstance(p, Span):
            out.append(p)
        else:
            out.extend(p)
    return tuple(out)


def join(phrases: Iterable[Phrase], sep: str | Span = ", ") -> Phrase:
    out: list[Span] = []
    for n, p in enumerate(phrases):
        if n:
            out.append(sep if isinstance(sep, Span) else Span(sep))
        out.extend(p)
    return tuple(out)


def restyle(p: Phrase, role: str) -> Phrase:
    """Every plain or indicator span of ``p`` given ``role`` (e.g. a whole aside muted)."""
    return tuple(Span(s.text, role) if s.role in (TEXT, INDICATOR) else s for s in p)


# ---------------------------------------------------------------------------- renderers


def plain(p: Phrase) -> str:
    return "".join(s.text for s in p)


_MD = {STRONG: "**{}**", EMPHASIS: "*{}*", WARNING: "**{}**"}
_MD_SPECIAL = re.compile(r"([\\`*_|<>])")


def markdown(p: Phrase) -> str:
    """Markdown with the author's text escaped, so a ``*`` or ``|`` in a scenario stays text."""
    out = []
    for s in p:
        text = _MD_SPECIAL.sub(r"\\\1", s.text)
        fmt = _MD.get(s.role)
        if fmt and text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            out.append(lead + fmt.format(text.strip()) + trail)
        else:
            out.append(text)
    return "".join(out)


_HTML = {
    STRONG: ("<strong>", "</strong>"),
    WARNING: ("<strong>", "</strong>"),
    EMPHASIS: ("<em>", "</em>"),
    MUTED: ('<span class="muted">', "</span>"),
    CITATION: ('<span class="cite">', "</span>"),
    BETTER: ('<span class="pos">', "</span>"),
    WORSE: ('<span class="neg">', "</span>"),
    GOOD: ('<span class="glyph pos">', "</span>"),
    BAD: ('<span class="glyph neg">', "</span>"),
    FLAT: ('<span class="glyph zero">', "</span>"),
}


def html(p: Phrase) -> str:
    """HTML with every text escaped (safe to mark up with ``markupsafe.Markup``)."""
    out = []
    for s in p:
        text = _html.escape(s.text, quote=True)
        tags = _HTML.get(s.role)
        out.append(f"{tags[0]}{text}{tags[1]}" if tags else text)
    return "".join(out)


# ---------------------------------------------------------------------------- fixed words

WHAT_IF_TITLE = "What-if: two paths side by side"
WHAT_IF_THIS, WHAT_IF_EARLIER = "This path (what-if)", "Earlier path"  # its two columns
TEAM_ROLES_TITLE = "Team roles (for a workshop)"  # about.team_roles: the briefing, the handout
EFFECTS_HIDDEN = ("Exact effects stay hidden until you choose: weigh the trade-offs. "
                  "Study mode shows them.")
NOT_AVAILABLE = "Not available in the present situation."


# A workshop team's status in a round (engine.workshop.room.TeamGame.status codes), in the
# words every front end shows: the console, the projector, the team client and `workshop
# status`. One word for a team marked absent, this round or earlier, as the reports say.
ABSENT = "absent"
TEAM_STATUS = {
    "waiting": "waiting",
    "submitted": "submitted",
    "override": "entered by the facilitator",
    "absent": f"marked {ABSENT}",
    "out": ABSENT,
    "finished": "game over",
    "skips": "no decision this round",
    "stopped": "stopped",
}


# What marking a workshop team absent does (said when asked to, and when done).
ABSENT_FINAL = ("its game stops here for the rest of the workshop; once the round is "
                "revealed, the team cannot come back")


def team_status(code: str) -> str:
    return TEAM_STATUS.get(code, code)


def team_decision(scn: Scenario, d: Any) -> str:
    """A workshop team's decision in a round (an engine.workshop TeamDecision), as the
    facilitator's tools name it: '[Track 1] Call a meeting (submitted)', 'marked absent'."""
    if d.absent or d.option_id is None:
        return TEAM_STATUS["absent"]
    opt = scn.option(d.option_id)
    how = TEAM_STATUS["override" if d.override else "submitted"]
    return f"{plain(option_heading(opt))} ({how})" if opt else f"{d.option_id} ({how})"


def decision_now(scn: Scenario, round_no: int, d: Any | None) -> str:
    """What a team has in a round, as the facilitator's decision dialog says it first."""
    if d is None:
        return f"No decision yet in round {round_no}."
    return f"Now in round {round_no}: {team_decision(scn, d)}."


def already_decided(scn: Scenario, team: str, round_no: int, d: Any) -> str:
    """What a team has in a round that a facilitator's decision or absent mark would
    replace (each front end then says how to replace it there)."""
    return f"{team} already has a decision in round {round_no}: {team_decision(scn, d)}"


def already_submitted(scn: Scenario, round_no: int, d: Any) -> str:
    """A team's second submission in a round, refused: what it has, in the words the screens
    use (the store names the option by its id, which no participant has seen)."""
    return (f"Your team has already submitted for round {round_no}: {team_decision(scn, d)}. "
            "Only the facilitator can change it.")


# A workshop team whose round closed before it submitted, as its screens and line mode say it.
CLOSED_UNSUBMITTED = ("closed before your team submitted: the facilitator will enter a "
                      "decision for it")


def team_absent_since(round_no: int) -> str:
    """A team's own status after it was marked absent in an earlier round."""
    return f"your team was marked {ABSENT} in round {round_no}; its game stopped there"


def absent_title(round_no: int) -> str:
    """Where an ending would be named, for a workshop team marked absent."""
    return f"Absent from round {round_no}"


def absent_stop(round_no: int) -> str:
    """What happened to the game of a workshop team marked absent."""
    return f"The team was marked {ABSENT} from round {round_no}; its game stopped there."


def absent_never_came(round_no: int) -> str:
    """The fate of a delayed effect of a team marked absent before it fell due."""
    return f"never came due (marked {ABSENT} from round {round_no}; its game stopped there)"
RATINGS_LEGEND = ("Ratings: ++ strong advantage, + advantage, - drawback, -- strong drawback "
                  "(+ is favourable for the option).")

# Which way an indicator is better, in words and as an arrow. One word for "neither".
BETTER_HINT = {"higher": "higher is better", "lower": "lower is better",
               "neither": "neither direction is better"}
BETTER_ARROW = {"higher": "↑", "lower": "↓", "neither": "↕"}


def better_hint(ind: Indicator) -> str:
    return BETTER_HINT.get(ind.better, BETTER_HINT["neither"])


def better_arrow(ind: Indicator) -> str:
    return BETTER_ARROW.get(ind.better, BETTER_ARROW["neither"])


def direction(ind: Indicator, delta: int) -> str | None:
    """'better' or 'worse' for a change of an indicator with a better direction, else None."""
    if not delta or ind.better not in ("higher", "lower"):
        return None
    return "better" if (delta > 0) == (ind.better == "higher") else "worse"


def rating_glyph(rating: int) -> Span:
    role = GOOD if rating > 0 else BAD if rating < 0 else FLAT
    return Span(GLYPHS.get(rating, str(rating)), role)


def dimension_label(dimension: str) -> str:
    d = DIMENSIONS.get(dimension)
    return d.label if d else dimension


def track_label(option: Option) -> str:
    return option.track.label


# ---------------------------------------------------------------------------- indicators


def delta(ind: Indicator, d: int) -> Phrase:
    """'▲+2 (better)': arrow and signed number, and whether the change is better or worse."""
    arrow = "▲" if d > 0 else "▼" if d < 0 else "="
    sign = f"{d:+d}" if d else "±0"
    verdict = direction(ind, d)
    if not verdict:
        return phrase(f"{arrow}{sign}")
    return phrase(f"{arrow}{sign} ", Span(f"({verdict})", BETTER if verdict == "better" else WORSE))


def change(scn: Scenario, ind_id: str, d: int) -> Phrase:
    """'Trust between neighbours ▲+2 (better)'."""
    ind = _indicator(scn, ind_id)
    if ind is None:
        return phrase(Span(ind_id, INDICATOR), f" {d:+d}")
    return phrase(Span(ind.label, INDICATOR), " ", delta(ind, d))


def movement(ind: Indicator, before: int, after: int) -> Phrase:
    """'Trust between neighbours 4 → 6, ▲+2 (better)' or '... 4, unchanged'."""
    if before == after:
        return phrase(Span(ind.label, INDICATOR), f" {before}, ", Span("unchanged", MUTED))
    return phrase(Span(ind.label, INDICATOR), f" {before} → {after}, ", delta(ind, after - before))


def trajectory(values: Sequence[int]) -> str:
    return " → ".join(map(str, values))


def _indicator(scn: Scenario, ind_id: str) -> Indicator | None:
    return next((i for i in scn.indicators if i.id == ind_id), None)


def _lower_first(s: str) -> str:
    s = s.strip().rstrip(".")
    return s[:1].lower() + s[1:] if s[:1].isupper() and not s[1:2].isupper() else s


def flag_meaning(scn: Scenario, flag_id: str) -> str:
    f = next((f for f in scn.flags if f.id == flag_id), None)
    return f.meaning.strip().rstrip(".") if f else flag_id.replace("_", " ")


# How a flag set is introduced: after the fact (an outcome) it holds "now"; in an effect
# described before it lands, whose head already says when ("Now: ...", "In 2 rounds ..."),
# it holds from that moment on.
FLAG_SET_NOW, FLAG_SET_FROM_NOW, FLAG_SET_FROM_THEN = "now", "from now on", "from then on"


def changes(scn: Scenario, change_: dict[str, int] | Iterable[tuple[str, int]],
            set_: Iterable[str] = (), clear: Iterable[str] = (),
            empty: str = "no change to the indicators", flag_set: str = FLAG_SET_NOW) -> Phrase:
    """Indicator changes and flags set or cleared, joined by commas. ``flag_set`` introduces
    a flag set: 'now' for what happened, 'from now on' / 'from then on' for an effect still
    to come (its head says when, so 'Now: ..., now: ...' never reads twice)."""
    items = change_.items() if isinstance(change_, dict) else change_
    parts = [change(scn, k, v) for k, v in items]
    parts += [phrase(f"{flag_set}: “{flag_meaning(scn, f)}”") for f in set_]
    parts += [phrase(f"no longer: “{flag_meaning(scn, f)}”") for f in clear]
    return join(parts) if parts else phrase(Span(empty, MUTED))


# ---------------------------------------------------------------------------- conditions


def condition(scn: Scenario, cond: Condition) -> Phrase:
    """`trust >= 6 and flags.bridge` -> 'Trust between parties >= 6 and (a bridge is open)'."""
    labels = {i.id: i.label for i in scn.indicators}
    meanings = {f"flags.{f.id}": f"({_lower_first(f.meaning)})" for f in scn.flags}
    out: list[Span] = []
    last = 0
    text = cond.text
    for name, col in sorted(cond.names(), key=lambda nc: nc[1]):
        if col > last:
            out.append(Span(text[last:col]))
        if name in labels:
            out.append(Span(labels[name], INDICATOR))
        else:
            out.append(Span(meanings.get(name) or name.replace("_", " ")))
        last = col + len(name)
    if last < len(text):
        out.append(Span(text[last:]))
    return tuple(out)


def condition_text(scn: Scenario, cond: Condition) -> str:
    return plain(condition(scn, cond))


def percent(p: float) -> str:
    return f"{round(float(p) * 100)}%"


def chance(scn: Scenario, chance_: Any) -> Phrase:
    """'60% chance' or 'chance 60% if Trust >= 6; otherwise 30%'."""
    if chance_ is None:
        return ()
    if isinstance(chance_, float | int):
        return phrase(Span(f"{percent(chance_)} chance", CHANCE))
    rows = []
    for row in chance_:
        if row.when is not None:
            rows.append(phrase(Span(f"{percent(row.p)} if ", CHANCE),
                               restyle(condition(scn, row.when), CHANCE)))
        else:
            rows.append(phrase(Span(f"otherwise {percent(row.p)}", CHANCE)))
    return phrase(Span("chance ", CHANCE), join(rows, Span("; ", CHANCE)))


def due_round(scn: Scenario, due: int) -> str:
    """When an effect due at the start of round ``due`` lands, truthfully for a game of
    len(scn.rounds) rounds: 'round 3'; the start of the round after the last is 'the end of
    the game (after round 2)', where it still counts before the ending is decided; past that
    it never lands (the game has ended)."""
    last = len(scn.rounds)
    if due <= last:
        return f"round {due}"
    if due == last + 1:
        return f"the end of the game (after round {last})"
    return f"round {due}, after the game's end (it will not land)"


def at_due(scn: Scenario, due: int) -> str:
    """'in round 3', 'at the end of the game' or 'after the game has ended' (when it came,
    or when it would)."""
    last = len(scn.rounds)
    return (f"in round {due}" if due <= last else "at the end of the game" if due == last + 1
            else "after the game has ended")


def capital(s: str) -> str:
    """``s`` with its first letter a capital (the rest as it is)."""
    return s[:1].upper() + s[1:]


def delay(after: int, round_no: int | None = None, scn: Scenario | None = None) -> Phrase:
    """'Now', or 'In 2 rounds (round 3)' when the current round is known; 'In 2 rounds (at
    the end of the game)' when that is the start of the round after the last of ``scn``."""
    if not after:
        return phrase(Span("Now", STRONG))
    due = ""
    if round_no:
        k = round_no + after
        due = (f" (round {k})" if scn is None or k <= len(scn.rounds)
               else f" ({at_due(scn, k)})" if k == len(scn.rounds) + 1
               else f" ({at_due(scn, k)}: it will not land)")
    return phrase(Span(f"In {count(after, 'round')}{due}", STRONG))


# ---------------------------------------------------------------------------- effects


def effect(scn: Scenario, eff: Effect, round_no: int | None = None) -> tuple[Phrase, ...]:
    """One effect as lines: when it lands, under what condition, how likely, what it does;
    then the author's text; then what happens if the roll fails."""
    head = [delay(eff.after, round_no, scn)]
    if eff.when is not None:
        head.append(phrase("if ", condition(scn, eff.when)))
    if eff.chance is not None:
        head.append(chance(scn, eff.chance))
    flag_set = FLAG_SET_FROM_THEN if eff.after else FLAG_SET_FROM_NOW
    lines = [phrase(join(head), ": ", changes(scn, eff.change, eff.set, eff.clear,
                                              flag_set=flag_set))]
    if eff.text:
        lines.append(phrase(Span(reflow(eff.text), EMPHASIS)))
    if eff.otherwise is not None:
        lines.append(otherwise(scn, eff.otherwise, flag_set))
    return tuple(lines)


def otherwise(scn: Scenario, o: Otherwise, flag_set: str = FLAG_SET_FROM_THEN) -> Phrase:
    return phrase(Span("If it fails:", MUTED), " ",
                  changes(scn, o.change, o.set, o.clear, flag_set=flag_set),
                  phrase(" — ", Span(reflow(o.text), EMPHASIS)) if o.text else None)


def effect_lines(scn: Scenario, opt: Option, round_no: int | None = None) -> list[str]:
    """An option's exact effects as plain lines (what study mode shows)."""
    return [plain(line) for eff in opt.effects for line in effect(scn, eff, round_no)]


def effects_before_choice(scn: Scenario, opt: Option, round_no: int | None,
                          study: bool) -> tuple[Phrase, ...]:
    """What a player sees of an option's effects before choosing (issue: decide before you
    know). Outside study mode the exact effects stay hidden; the trade-offs say the rest."""
    if not study:
        return (phrase(Span(EFFECTS_HIDDEN, MUTED)),)
    if not opt.effects:
        return (phrase(Span("No direct effect on the indicators.", MUTED)),)
    return tuple(line for eff in opt.effects for line in effect(scn, eff, round_no))


SET_IN_MOTION = "Set in motion for "


def scheduled(scn: Scenario, eff: Effect, due: int, lead: bool = False) -> Phrase:
    """A delayed effect set in motion: 'Round 3, if ..., 60% chance: changes — text', or
    'The end of the game (after round 2), ...' when it falls after the last round; ``lead``:
    as a sentence, 'Set in motion for round 3, ...' (line mode)."""
    when = due_round(scn, due)
    head = [phrase(SET_IN_MOTION if lead else None,
                   Span(when if lead else capital(when), STRONG))]
    if eff.when is not None:
        head.append(phrase("if ", condition(scn, eff.when)))
    if eff.chance is not None:
        head.append(chance(scn, eff.chance))
    return phrase(join(head), ": ", changes(scn, eff.change, eff.set, eff.clear,
                                            flag_set=FLAG_SET_FROM_THEN),
                  phrase(" — ", Span(reflow(eff.text), EMPHASIS)) if eff.text else None)


# ---------------------------------------------------------------------------- outcomes

# How a resolved effect is reported (engine.play.rules.Resolution.status):
#   applied  news: what it did;
#   failed   news: the roll was lost ("did not come off") and what happened instead;
#   void     NOT news: its condition did not hold, so nothing happened (not shown);
#   dropped  not news for the round; the debrief lists it under "never came due".
SHOWN_STATUSES = frozenset({"applied", "failed"})


def newsworthy(res: Any) -> bool:
    """Whether a resolved effect is shown as something that happened. Both front ends use
    this, so an effect whose condition did not hold never reads as news."""
    return res.status in SHOWN_STATUSES


def resolution(scn: Scenario, res: Any) -> Phrase:
    """A resolved effect: '(60% chance) did not come off: *text* → Trust ▼-1 (worse)'."""
    head: list[Part] = []
    if res.status == "failed":
        head.append(Span("did not come off ", CHANCE))
    if res.chance is not None and res.status in SHOWN_STATUSES:
        head.append(Span(f"({percent(res.chance)} chance) ", MUTED))
    if res.text:
        head.append(Span(reflow(res.text), EMPHASIS))
    body: Phrase = ()
    if res.changes or res.set or res.cleared:
        body = changes(scn, res.changes, res.set, res.cleared)
    elif not res.text:
        body = phrase(Span("no change to the indicators", MUTED))
    if res.text and body:
        return phrase(*head, Span(" → ", MUTED), body)
    return phrase(*head, body)


def owner_title(scn: Scenario, kind: str, owner: str) -> str:
    if kind == "option":
        opt = next((o for r in scn.rounds for o in r.options if o.id == owner), None)
        return opt.title if opt else owner
    ev = next((e for e in scn.events if e.id == owner), None)
    return ev.title if ev else owner


# ---------------------------------------------------------------------------- trade-offs


def tradeoff(scn: Scenario, t: TradeOff, with_cite: bool = True) -> Phrase:
    """'++ Official weight: why (Kang & Kwa 2025 ¶15)'."""
    return phrase(rating_glyph(t.rating), " ", Span(dimension_label(t.dimension), STRONG),
                  ": ", reflow(t.why),
                  phrase(" ", cited(scn, t.cite)) if with_cite and t.cite else None)


def tradeoff_brief(t: TradeOff) -> Phrase:
    """'++ Official weight' (the rating and dimension only)."""
    return phrase(rating_glyph(t.rating), " ", dimension_label(t.dimension))


def option_heading(option: Option, number: int | None = None) -> Phrase:
    """'3. [Track 2] Title'."""
    return phrase(Span(f"{number}. ", STRONG) if number is not None else None,
                  f"[{option.track.label}] ", Span(option.title, STRONG))


# ---------------------------------------------------------------------------- citations


def paragraph_label(c: Citation) -> str:
    """'¶15' or '¶4-5'."""
    return f"¶{c.paragraph}" + (f"-{c.last}" if c.last else "")


def merge_citations(cites: Iterable[Citation]) -> list[str]:
    """Paragraph labels for one source with overlapping ranges merged: ¶3-4, ¶4 -> ¶3-4."""
    spans: list[list[int]] = []
    for c in sorted(cites, key=lambda c: (c.paragraph, c.last or c.paragraph)):
        lo, hi = c.paragraph, c.last or c.paragraph
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return [f"¶{lo}" if lo == hi else f"¶{lo}-{hi}" for lo, hi in spans]


def source_label(scn: Scenario, source_id: str) -> str:
    src = next((s for s in scn.sources if s.id == source_id), None)
    return src.short if src else source_id


def cite_label(scn: Scenario, c: Citation) -> str:
    """'Kang & Kwa 2025 ¶15' for a citation of a declared source."""
    return f"{source_label(scn, c.source)} {paragraph_label(c)}"


def citation(scn: Scenario, c: Citation) -> Span:
    return Span(cite_label(scn, c), CITATION)


def citations(scn: Scenario, cites: Iterable[Citation]) -> Phrase:
    """'Kang & Kwa 2025 ¶8, ¶15; Haggard 2024 ¶4': the author's order, one label for
    consecutive paragraphs of one source."""
    groups: list[tuple[str, list[str]]] = []
    for c in cites:
        if groups and groups[-1][0] == c.source:
            groups[-1][1].append(paragraph_label(c))
        else:
            groups.append((c.source, [paragraph_label(c)]))
    return join(((Span(f"{source_label(scn, src)} {', '.join(paras)}", CITATION),)
                 for src, paras in groups), Span("; ", CITATION))


def cited(scn: Scenario, cites: Iterable[Citation]) -> Phrase:
    """'(Kang & Kwa 2025 ¶15; Haggard 2024 ¶4)' as a citation aside."""
    inner = citations(scn, cites)
    return phrase(Span("(", CITATION), inner, Span(")", CITATION)) if inner else ()


_KEY_TAIL = r"\s*(?:¶|#)\s*(\d+)(?:\s*[-–]\s*(\d+))?"


def _key_pattern(scn: Scenario) -> re.Pattern[str] | None:
    ids = sorted((s.id for s in scn.sources), key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, ids)) + r")" + _KEY_TAIL)


def prose(scn: Scenario, text: str | None) -> Phrase:
    """Author prose (situations, events, assessments, facilitator notes) reflowed, with any
    raw citation key an author wrote ("kang-kwa-2025 ¶15") turned into its label
    ("Kang & Kwa 2025 ¶15")."""
    text = reflow(text)
    pattern = _key_pattern(scn)
    if pattern is None or not text:
        return phrase(text)
    out: list[Span] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(Span(text[last:m.start()]))
        c = Citation(m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        out.append(citation(scn, c))
        last = m.end()
    out.append(Span(text[last:]))
    return tuple(s for s in out if s.text)


def prose_text(scn: Scenario, text: str | None) -> str:
    return plain(prose(scn, text))


def source_date(src: Source) -> str:
    """The publication date, or 'n.d.' when the bibliography only says why it has none
    (an authoring note such as 'not given in the excerpt' never reaches players)."""
    return src.date if re.search(r"\d", src.date or "") else "n.d."


def source_reference(src: Source) -> Phrase:
    """'Authors, *Title*, Publisher, Date.' without the bibliography's authoring notes."""
    parts: list[Part] = []
    if src.authors:
        parts.append(", ".join(src.authors) + ", ")
    date = source_date(src)
    parts += [Span(src.title, EMPHASIS), f", {src.publisher}, {date}" + ("" if date.endswith(".")
                                                                         else ".")]
    return phrase(*parts)
