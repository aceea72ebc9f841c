"""Human wording for effects and conditions, shared by the plain mode, the app and reports:
players read indicator labels and flag meanings, never raw ids."""

from __future__ import annotations

from engine.scenario.conditions import Condition
from engine.scenario.model import Citation, Effect, Option, Otherwise, Scenario


def condition_text(scn: Scenario, cond: Condition) -> str:
    """`trust >= 6 and flags.bridge_open` -> `Trust between parties >= 6 and (a bridge...)`."""
    labels = {i.id: i.label for i in scn.indicators}
    meanings = {f"flags.{f.id}": f"({_lower_first(f.meaning)})" for f in scn.flags}
    out, last = [], 0
    text = cond.text
    for name, col in sorted(cond.names(), key=lambda nc: nc[1]):
        out.append(text[last:col])
        out.append(meanings.get(name) or labels.get(name) or name.replace("_", " "))
        last = col + len(name)
    out.append(text[last:])
    return "".join(out)


def _lower_first(s: str) -> str:
    s = s.strip().rstrip(".")
    return s[:1].lower() + s[1:] if s[:1].isupper() and not s[1:2].isupper() else s


def change_text(scn: Scenario, eff: Effect | Otherwise) -> str:
    labels = {i.id: i.label for i in scn.indicators}
    meanings = {f.id: _lower_first(f.meaning) for f in scn.flags}
    parts = [f"{labels.get(k, k)} {v:+d}" for k, v in eff.change.items()]
    parts += [f"now: {meanings.get(f, f)}" for f in eff.set]
    parts += [f"no longer: {meanings.get(f, f)}" for f in eff.clear]
    return ", ".join(parts)


def effect_line(scn: Scenario, eff: Effect) -> str:
    """'After 2 rounds (only if ...; 60% chance): Trust +2' — one effect in words."""
    when = "Now" if not eff.after else f"After {eff.after} round{'s' * (eff.after > 1)}"
    cond = []
    if eff.when is not None:
        cond.append(f"only if {condition_text(scn, eff.when)}")
    if eff.chance is not None:
        if isinstance(eff.chance, float):
            cond.append(f"{eff.chance:.0%} chance")
        else:
            cond.append("chance " + ", ".join(
                f"{c.p:.0%} if {condition_text(scn, c.when)}" if c.when else f"else {c.p:.0%}"
                for c in eff.chance))
    head = when + (f" ({'; '.join(cond)})" if cond else "")
    body = change_text(scn, eff) or (eff.text or "no change")
    line = f"{head}: {body}"
    if eff.otherwise is not None:
        other = change_text(scn, eff.otherwise) or eff.otherwise.text or "nothing"
        line += f"; if the roll fails: {other}"
    return line


def effect_lines(scn: Scenario, opt: Option) -> list[str]:
    return [effect_line(scn, eff) for eff in opt.effects]


def merge_citations(cites: list[Citation] | set[Citation]) -> list[str]:
    """Paragraph labels for one source with overlapping ranges merged: ¶3-4, ¶4 -> ¶3-4."""
    spans: list[list[int]] = []
    for c in sorted(cites, key=lambda c: (c.paragraph, c.last or c.paragraph)):
        lo, hi = c.paragraph, c.last or c.paragraph
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return [f"¶{lo}" if lo == hi else f"¶{lo}-{hi}" for lo, hi in spans]


def cite_label(scn: Scenario, c: Citation, sep: str = ", ") -> str:
    """'Kang & Kwa 2025, ¶15' for a citation of a declared source (``sep`` goes between the
    author label and the paragraph; the app uses a space)."""
    src = next((s for s in scn.sources if s.id == c.source), None)
    who = src.short if src else c.source
    tail = f"-{c.last}" if c.last else ""
    return f"{who}{sep}¶{c.paragraph}{tail}"
