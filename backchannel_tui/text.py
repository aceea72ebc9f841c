"""Turning engine objects into short, readable Textual markup.

Pure functions, no widgets and no game rules: they only describe what the scenario and the
engine's outcomes already say. Every piece of scenario text is escaped before it is put into
markup, so a ``[`` in a scenario cannot break the display.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from backchannel_tui.textbase import esc, fit_title, prose  # noqa: F401 (re-exported)
from engine.present import wording as w
from engine.present.wording import Phrase
from engine.scenario.model import Citation, Effect, Indicator, Option, Scenario, Source, TradeOff
from engine.scenario.vocabulary import Track

# Colour AND text: the label always says which track it is; the colour only repeats it.
TRACK_VAR = {Track.T1: "primary", Track.T1_5: "warning", Track.T2: "success"}
TRACK_PAD = {Track.T1: "Track 1  ", Track.T1_5: "Track 1.5", Track.T2: "Track 2  "}
TRACK_SHORT_PAD = {Track.T1: "T1  ", Track.T1_5: "T1.5", Track.T2: "T2  "}


# How each role of the wording layer looks on screen. The words come from
# engine.present.wording; only this mapping is the app's own.
ROLE_STYLE = {
    w.STRONG: "b",
    w.EMPHASIS: "i",
    w.MUTED: "dim",
    w.CITATION: "dim",
    w.CHANCE: "$text-warning",
    w.BETTER: "$text-success",
    w.WORSE: "$text-error",
    w.GOOD: "bold $text-success",
    w.BAD: "bold $text-error",
    w.FLAT: "dim",
    w.WARNING: "b $text-warning",
    w.LABEL: "$text-secondary",
}


def markup(p: Phrase) -> str:
    """A phrase of the wording layer as Textual markup (text escaped; adjacent spans of one
    style merged)."""
    out: list[str] = []
    style, run = None, ""
    for span in p:
        s = ROLE_STYLE.get(span.role)
        if s != style and run:
            out.append(f"[{style}]{esc(run)}[/]" if style else esc(run))
            run = ""
        style = s
        run += span.text
    if run:
        out.append(f"[{style}]{esc(run)}[/]" if style else esc(run))
    return "".join(out)


def esc_prose(text: str | None, scn: Scenario | None = None) -> str:
    """Author prose as markup; with the scenario, raw citation keys become labels."""
    if scn is None:
        return esc(prose(text))
    return markup(w.prose(scn, text))


def track_badge(track: Track, short: bool = False) -> str:
    """' Track 1.5 ' on a tinted background, in the track's colour."""
    var = TRACK_VAR[track]
    label = TRACK_SHORT_PAD[track] if short else TRACK_PAD[track]
    return f"[bold $text-{var} on ${var}-muted] {label} [/]"


def glyph(rating: int) -> str:
    """The rating as ++ + 0 - -- (readable without colour), coloured by sign."""
    return markup((w.rating_glyph(rating),))


def dimension_label(dimension: str) -> str:
    return w.dimension_label(dimension)


def source_of(scn: Scenario, cite: Citation) -> Source | None:
    return next((s for s in scn.sources if s.id == cite.source), None)


def cite_short(scn: Scenario, cite: Citation) -> str:
    """'Kang & Kwa 2025 ¶15' (plain text)."""
    return w.cite_label(scn, cite)


def source_full(src: Source) -> str:
    """The full reference as markup: authors, title, publisher, date, url (never the
    bibliography's authoring notes)."""
    text = markup(w.source_reference(src))
    if src.kind:
        text += f" ({esc(src.kind)})"
    if src.url:
        text += f"\n[dim]{esc(src.url)}[/]"
    return text


def delta_phrase(ind: Indicator, delta: int) -> str:
    """'▲+2 (better)': arrow, signed number and, when the indicator has a better direction,
    whether this change is better or worse."""
    return markup(w.delta(ind, delta))


def change_phrase(scn: Scenario, ind_id: str, delta: int) -> str:
    """'Trust between neighbours ▲+2 (better)'."""
    return markup(w.change(scn, ind_id, delta))


def effect_lines(scn: Scenario, eff: Effect, round_no: int | None = None) -> str:
    """One effect as markup: when it lands, under what condition, how likely, what it does."""
    return "\n  ".join(markup(line) for line in w.effect(scn, eff, round_no))


def tradeoff_line(scn: Scenario, t: TradeOff, with_cite: bool = True) -> str:
    return markup(w.tradeoff(scn, t, with_cite))


def option_heading(option: Option, number: int | None = None) -> str:
    num = f"[b]{number}[/b] " if number is not None else ""
    return f"{num}{track_badge(option.track)} [b]{esc(option.title)}[/b]"


def actor_line(scn: Scenario, actor_id: str) -> str:
    a = scn.actor(actor_id)
    if a is None:
        return esc(actor_id)
    return f"{esc(a.name)} [dim]({esc(a.kind)})[/]"


def resolution_phrase(scn: Scenario, res) -> str:
    """A resolved effect as markup (engine.present.wording.resolution); show only those for
    which ``wording.newsworthy(res)`` holds."""
    return markup(w.resolution(scn, res))


def scheduled_phrase(scn: Scenario, eff: Effect, due: int) -> str:
    """A delayed effect set in motion: 'Round 4, if ..., 60% chance: changes — text'."""
    return markup(w.scheduled(scn, eff, due))


def blocks_markup(blocks: list) -> list[tuple[str, str]]:
    """A debrief (engine.present.debrief.summary/appendix blocks) as (CSS classes, markup)
    pairs, one Static each: headings as 'section-title', paragraphs, lists as bullets. The
    Chart block is left to the indicator panel's sparklines (its rows are also a list)."""
    # Imported here: the picker imports this module, and the first screen stays light.
    from engine.present.debrief import Heading, Items, Para

    out: list[tuple[str, str]] = []
    for b in blocks:
        if isinstance(b, Heading):
            kind = "screen-title" if b.level == 1 else "section-title"
            out.append((kind, f"[b]{esc(b.text)}[/b]"))
        elif isinstance(b, Para):
            out.append((b.role, markup(b.text)))
        elif isinstance(b, Items):
            lines = []
            for n, (item, subs) in enumerate(b.items, 1):
                mark = f"{n}." if b.numbered else "•"
                lines.append(f"{mark} {markup(item)}")
                lines += [f"    ◦ {markup(x)}" for x in subs]
            out.append(("list", "\n".join(lines)))
    return out


def to_rich(markup: str) -> Text:
    """Markup as a Rich Text with the current theme's colours resolved, for widgets that
    measure Rich renderables (DataTable). Tables refill themselves when the theme changes."""
    content = Content.from_markup(markup)
    return Text.assemble(*((seg.text, seg.style or "") for seg in content.render_segments()))
