"""Numbers in words, with no scenario objects: a count with its noun, shares of one whole, and
how long a scenario is. Light (like ``reflow``), so the app's first screen can use it before
the wording layer is imported; ``wording`` re-exports all three, and every other caller goes
through ``wording``."""

from __future__ import annotations

from collections.abc import Sequence


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 other ending', '2 other endings': a number with its noun agreeing. ``plural``
    when adding an s is wrong ('1 playthrough' is regular; 'state(s)' never again)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def share_units(parts: Sequence[float], digits: int = 0) -> list[int]:
    """Shares of one whole in units of 10**-digits percent (whole percents, tenths, ...) that
    add up as the shares do (100% for a whole): largest-remainder rounding, so 51.5 / 19.8 /
    28.7 % reads 51 / 20 / 29, never a total of 101."""
    scale = 100 * 10 ** digits
    exact = [max(0.0, float(p)) * scale for p in parts]
    total = round(sum(exact))
    whole = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in order[:max(0, total - sum(whole))]:
        whole[i] += 1
    return whole


def shares(parts: Sequence[float], digits: int = 0) -> list[str]:
    """Shares of one whole as percentages with ``digits`` decimals that add up exactly as the
    shares do (see ``share_units``). Use it wherever parts of a whole are shown side by
    side: the debrief's endings (whole percents), explore's tables (tenths)."""
    return [f"{n / 10 ** digits:.{digits}f}%" for n in share_units(parts, digits)]


def length(rounds: int, solo_minutes: int | None = None,
           workshop_minutes: int | None = None) -> list[str]:
    """How long a scenario is, as parts a front end joins its way: ['1 round', '10 min solo',
    '45 min workshop'] (the minutes only when both are known)."""
    out = [count(rounds, "round")]
    if solo_minutes and workshop_minutes:
        out += [f"{solo_minutes} min solo", f"{workshop_minutes} min workshop"]
    return out
