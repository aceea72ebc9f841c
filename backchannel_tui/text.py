"""Turning engine objects into short, readable Textual markup.

Pure functions, no widgets and no game rules: they only describe what the scenario and the
engine's outcomes already say. Every piece of scenario text is escaped before it is put into
markup, so a ``[`` in a scenario cannot break the display.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.content import Content
from textual.markup import escape

from engine.present.wording import cite_label, condition_text
from engine.scenario.conditions import Condition
from engine.scenario.model import Citation, Effect, Indicator, Option, Scenario, Source, TradeOff
from engine.scenario.vocabulary import DIMENSIONS, GLYPHS, Track

# Colour AND text: the label always says which track it is; the colour only repeats it.
TRACK_VAR = {Track.T1: "primary", Track.T1_5: "warning", Track.T2: "success"}
TRACK_PAD = {Track.T1: "Track 1  ", Track.T1_5: "Track 1.5", Track.T2: "Track 2  "}
TRACK_SHORT_PAD = {Track.T1: "T1  ", Track.T1_5: "T1.5", Track.T2: "T2  "}


def esc(text: object) -> str:
    return escape(str(text))


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def prose(text: str | None) -> str:
    """Scenario text reflowed for the screen: YAML block text carries the author's line
    breaks, which would wrap raggedly at any other width. Paragraphs (blank lines) and list
    items stay; other line breaks become spaces."""
    if not text:
        return ""
    paragraphs = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for line in para.splitlines():
            line = line.strip()
            if not line:
                continue
            if lines and not _LIST_ITEM.match(line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        paragraphs.append("\n".join(" ".join(x.split()) for x in lines))
    return "\n\n".join(paragraphs)


def esc_prose(text: str | None) -> str:
    return esc(prose(text))


def track_badge(track: Track, short: bool = False) -> str:
    """' Track 1.5 ' on a tinted background, in the track's colour."""
    var = TRACK_VAR[track]
    label = TRACK_SHORT_PAD[track] if short else TRACK_PAD[track]
    return f"[bold $text-{var} on ${var}-muted] {label} [/]"


def glyph(rating: int) -> str:
    """The rating as ++ + 0 - -- (readable without colour), coloured by sign."""
    g = GLYPHS.get(rating, str(rating))
    if rating > 0:
        return f"[bold $text-success]{g}[/]"
    if rating < 0:
        return f"[bold $text-error]{g}[/]"
    return f"[dim]{g}[/]"


def dimension_label(dimension: str) -> str:
    d = DIMENSIONS.get(dimension)
    return d.label if d else dimension


def source_of(scn: Scenario, cite: Citation) -> Source | None:
    return next((s for s in scn.sources if s.id == cite.source), None)


def cite_short(scn: Scenario, cite: Citation) -> str:
    """'Kang & Kwa 2025 ¶15' (plain text)."""
    return cite_label(scn, cite, sep=" ")


def source_full(src: Source) -> str:
    """The full reference as markup: authors, title, publisher, date, url, note."""
    parts = [f"{esc(', '.join(src.authors))}." if src.authors else "",
             f"[i]{esc(src.title)}[/i].", f"{esc(src.publisher)}, {esc(src.date)}."]
    if src.kind:
        parts.append(f"({esc(src.kind)})")
    text = " ".join(p for p in parts if p)
    if src.url:
        text += f"\n[dim]{esc(src.url)}[/]"
    if src.note:
        text += f"\n[dim]{esc(src.note)}[/]"
    return text


def delta_phrase(ind: Indicator, delta: int) -> str:
    """'▲+2 (better)': arrow, signed number and, when the indicator has a better direction,
    whether this change is better or worse."""
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
    sign = f"{delta:+d}" if delta else "±0"
    verdict = ""
    if delta and ind.better in ("higher", "lower"):
        good = (delta > 0) == (ind.better == "higher")
        verdict = " [$text-success](better)[/]" if good else " [$text-error](worse)[/]"
    return f"{arrow}{sign}{verdict}"


def change_phrase(scn: Scenario, ind_id: str, delta: int) -> str:
    """'Trust between neighbours ▲+2 (better)'."""
    ind = scn.indicator(ind_id)
    return f"{esc(ind.label)} {delta_phrase(ind, delta)}"


def condition_phrase(scn: Scenario, cond: Condition) -> str:
    """A condition in words (indicator labels, flag meanings), escaped for markup."""
    return esc(condition_text(scn, cond))


def chance_phrase(scn: Scenario, chance) -> str:
    if chance is None:
        return ""
    if isinstance(chance, float | int):
        return f"{round(float(chance) * 100)}% chance"
    rows = []
    for row in chance:
        pct = f"{round(row.p * 100)}%"
        rows.append(f"{pct} if {condition_phrase(scn, row.when)}" if row.when
                    else f"otherwise {pct}")
    return "chance " + "; ".join(rows)


def changes_phrase(scn: Scenario, change: dict[str, int], set_=(), clear=()) -> str:
    parts = [change_phrase(scn, k, v) for k, v in change.items()]
    flags = {f.id: f.meaning for f in scn.flags}
    parts += [f"now: “{esc(flags.get(f, f))}”" for f in set_]
    parts += [f"no longer: “{esc(flags.get(f, f))}”" for f in clear]
    return ", ".join(parts) if parts else "no change to the indicators"


def effect_lines(scn: Scenario, eff: Effect, round_no: int | None = None) -> str:
    """One effect as markup: when it lands, under what condition, how likely, what it does."""
    head = []
    if eff.after:
        rounds = "round" if eff.after == 1 else "rounds"
        due = f" (round {round_no + eff.after})" if round_no else ""
        head.append(f"[b]In {eff.after} {rounds}{due}[/b]")
    else:
        head.append("[b]Now[/b]")
    if eff.when is not None:
        head.append(f"if {condition_phrase(scn, eff.when)}")
    if eff.chance is not None:
        head.append(f"[$text-warning]{chance_phrase(scn, eff.chance)}[/]")
    line = ", ".join(head) + ": " + changes_phrase(scn, eff.change, eff.set, eff.clear)
    if eff.text:
        line += f"\n  [i]{esc_prose(eff.text)}[/i]"
    if eff.otherwise is not None:
        o = eff.otherwise
        line += "\n  [dim]If it fails:[/dim] " + changes_phrase(scn, o.change, o.set, o.clear)
        if o.text:
            line += f" — [i]{esc_prose(o.text)}[/i]"
    return line


def tradeoff_line(scn: Scenario, t: TradeOff, with_cite: bool = True) -> str:
    line = f"{glyph(t.rating)} [b]{esc(dimension_label(t.dimension))}[/b]: {esc(t.why)}"
    if with_cite:
        line += " [dim](" + esc("; ".join(cite_short(scn, c) for c in t.cite)) + ")[/]"
    return line


def option_heading(option: Option, number: int | None = None) -> str:
    num = f"[b]{number}[/b] " if number is not None else ""
    return f"{num}{track_badge(option.track)} [b]{esc(option.title)}[/b]"


def actor_line(scn: Scenario, actor_id: str) -> str:
    try:
        a = scn.actor(actor_id)
    except StopIteration:
        return esc(actor_id)
    return f"{esc(a.name)} [dim]({esc(a.kind)})[/]"


def duration_phrase(scn: Scenario) -> str:
    d = scn.about.duration
    return f"{d.solo_minutes} min solo · {d.workshop_minutes} min workshop"


def resolution_verb(status: str) -> str:
    return {
        "applied": "",
        "failed": "[$text-warning]did not come off[/] ",
        "void": "[dim]had no effect (its condition no longer held)[/] ",
        "dropped": "[dim]never came due[/] ",
    }.get(status, "")


def to_rich(markup: str) -> Text:
    """Markup as a Rich Text with the current theme's colours resolved, for widgets that
    measure Rich renderables (DataTable). Tables refill themselves when the theme changes."""
    content = Content.from_markup(markup)
    return Text.assemble(*((seg.text, seg.style) for seg in content.render_segments()))
