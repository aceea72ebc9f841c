"""The bounds of the analyses, in a module of their own so that the command line can show them
in its help without importing the analyses (``backchannel check`` and the app start faster);
and the sure lower bound on a game's states that decides whether a walk could stay within
them."""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_MAX_STATES = 200_000  # states exact exploration walks before it falls back to sampling
CHECK_MAX_STATES = 10_000  # states `check` walks to prove reachability and find dead ends
DEFAULT_SAMPLES = 10_000  # playthroughs per policy when sampling, at most
DEFAULT_BUDGET = 8.0  # seconds of sampling when exact exploration is out of reach


def surely_more_states(rounds: Iterable[tuple[bool, set[int]]], n_rounds: int,
                       bound: int) -> bool:
    """True when a game with no early ending certainly has more than ``bound`` reachable
    states, known without walking them (False means "not known", not "fewer"). ``rounds``
    gives, per round in order, whether it has a ``when`` and the track indexes (0, 1, 2 for
    Track 1, 1.5, 2) of its options without ``requires``; it is read only as far as needed.

    Such a game plays each round up to the first one with a ``when`` (it ends early only by an
    early ending, or by a dead end, which an option without ``requires`` rules out). On those
    rounds any option without ``requires`` can be chosen, and the track counts are part of the
    state: each distinct (round, track counts) pair reachable through them is at least one
    distinct state. Used on the compiled game (statespace) and, by `check`, on the model
    before a game is compiled."""
    count = 1  # the state(s) at the start of round 1
    # Track counts after k rounds, (t1, t1.5) packed into one int: t2 = k - t1 - t1.5.
    shift = n_rounds + 1
    step = (shift, 1, 0)
    counts: set[int] | None = None  # None: every round so far offered all three tracks
    k = 0
    for has_when, tracks in rounds:
        if has_when:
            break
        deltas = {step[t] for t in tracks}
        if not deltas:
            break
        if counts is None:
            if len(deltas) == 3:  # every split of k + 1 choices among three tracks
                k += 1
                count += (k + 1) * (k + 2) // 2
                if count > bound:
                    return True
                continue
            counts = {a * shift + b for a in range(k + 1) for b in range(k + 1 - a)}
        if len(deltas) > 1:
            counts = {c + d for d in deltas for c in counts}
        count += len(counts)
        if count > bound:
            return True
    return False
