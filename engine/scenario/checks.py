"""Semantic checks of a structured scenario: references, citations, conditions, balance and
reachability. Every finding goes to a ``Located`` collector with the data path it concerns,
which turns it into file:line:col."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator

from engine.scenario.conditions import Condition, Namespace
from engine.scenario.model import (
    FORMAT_VERSION,
    Citation,
    Claim,
    Effect,
    Option,
    Otherwise,
    RoleNote,
    Scenario,
)
from engine.scenario.vocabulary import (
    ACTOR_KINDS,
    BETTER,
    DIMENSIONS,
    GRADES,
    ID_RE,
    NAME_RE,
    POLICIES,
    RATING_MAX,
    RATING_MIN,
    Track,
)

_ID = ID_RE
_VAR_ID = NAME_RE


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib  # only when a suggestion is needed: it is slow to import

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_scenario(scn: Scenario, loc) -> None:
    """Report every semantic problem of ``scn`` to ``loc`` (an engine.scenario.loader.Located)."""
    if scn.format != FORMAT_VERSION:
        loc.error(("format",), f"format {scn.format} is not known; this engine reads format "
                               f"{FORMAT_VERSION}")
    if not _ID.match(scn.id):
        loc.error(("id",), "scenario id must be lower case letters, digits, '-' or '_'")
    ok = _check_ids(scn, loc)
    _check_sources(scn, loc)
    _check_indicators(scn, loc)
    _check_actors(scn, loc)
    ns = Namespace({i.id: n for n, i in enumerate(scn.indicators)},
                   frozenset(f.id for f in scn.flags))
    checked: dict[str, list] = {}  # a condition's problems follow from its text; texts recur
    for path, cond in _conditions(scn):
        found = checked.get(cond.text)
        if found is None:
            found = checked[cond.text] = ns.check(cond)
        for problem in found:
            loc.error(path, f"condition: {problem.message}", col_offset=problem.column)
    indicators = {i.id for i in scn.indicators}
    flags = {f.id for f in scn.flags}
    for path, eff in _effects(scn):
        _check_effect(path, eff, indicators, flags, loc)
    _check_rounds(scn, loc)
    _check_events_endings(scn, loc)
    _check_lessons(scn, ns, loc)
    _check_roles(scn, loc)
    _check_usage(scn, loc)
    if not any(p.is_error for p in loc.problems) and ok:
        _check_dominance(scn, loc)


# --------------------------------------------------------------------------- walkers


def _option_paths(scn: Scenario) -> Iterator[tuple[tuple, Option]]:
    for r, rnd in enumerate(scn.rounds):
        for o, opt in enumerate(rnd.options):
            yield ("rounds", r, "options", o), opt


def _effect_lists(scn: Scenario) -> Iterator[tuple[tuple, tuple[Effect, ...]]]:
    for path, opt in _option_paths(scn):
        yield (*path, "effects"), opt.effects
    for e, ev in enumerate(scn.events):
        yield ("events", e, "effects"), ev.effects


def _effects(scn: Scenario) -> Iterator[tuple[tuple, Effect]]:
    for path, effects in _effect_lists(scn):
        for i, eff in enumerate(effects):
            yield (*path, i), eff


def _conditions(scn: Scenario) -> Iterator[tuple[tuple, Condition]]:
    for r, rnd in enumerate(scn.rounds):
        if rnd.when is not None:
            yield ("rounds", r, "when"), rnd.when
        for t, ct in enumerate(rnd.conditional_text):
            yield ("rounds", r, "conditional_text", t, "when"), ct.when
    for path, opt in _option_paths(scn):
        if opt.requires is not None:
            yield (*path, "requires"), opt.requires
    for path, eff in _effects(scn):
        if eff.when is not None:
            yield (*path, "when"), eff.when
        if isinstance(eff.chance, tuple):
            for c, case in enumerate(eff.chance):
                if case.when is not None:
                    yield (*path, "chance", c, "when"), case.when
    for e, ev in enumerate(scn.events):
        if ev.when is not None:
            yield ("events", e, "when"), ev.when
    for e, end in enumerate(scn.endings):
        if end.when is not None:
            yield ("endings", e, "when"), end.when


def _citations(scn: Scenario) -> Iterator[tuple[tuple, Citation]]:
    for path, opt in _option_paths(scn):
        for t, tr in enumerate(opt.tradeoffs):
            for c, cite in enumerate(tr.cite):
                yield (*path, "tradeoffs", t, "cite", c), cite
    for e, ev in enumerate(scn.events):
        for c, cite in enumerate(ev.cite):
            yield ("events", e, "cite", c), cite
    for e, end in enumerate(scn.endings):
        for c, cite in enumerate(end.cite):
            yield ("endings", e, "cite", c), cite
    for n, lesson in enumerate(scn.lessons):
        for c, cite in enumerate(lesson.cite):
            yield ("lessons", n, "cite", c), cite
    for n, role in enumerate(scn.roles):
        for b, claim in enumerate(role.brief):
            for c, cite in enumerate(claim.cite):
                yield ("roles", n, "brief", b, "cite", c), cite
        for b, note in enumerate(role.notes):
            for c, cite in enumerate(note.cite):
                yield ("roles", n, "notes", b, "cite", c), cite


# --------------------------------------------------------------------------- checks


def _check_ids(scn: Scenario, loc) -> bool:
    ok = True
    groups: list[tuple[str, list[tuple[tuple, str]], re.Pattern]] = [
        ("source", [(("sources", i, "id"), s.id) for i, s in enumerate(scn.sources)], _ID),
        ("actor", [(("actors", i, "id"), a.id) for i, a in enumerate(scn.actors)], _ID),
        ("indicator", [(("indicators", i, "id"), x.id) for i, x in enumerate(scn.indicators)],
         _VAR_ID),
        ("flag", [(("flags", i, "id"), f.id) for i, f in enumerate(scn.flags)], _VAR_ID),
        ("round", [(("rounds", i, "id"), r.id) for i, r in enumerate(scn.rounds)], _ID),
        ("option", [((*p, "id"), o.id) for p, o in _option_paths(scn)], _ID),
        ("event", [(("events", i, "id"), e.id) for i, e in enumerate(scn.events)], _ID),
        ("ending", [(("endings", i, "id"), e.id) for i, e in enumerate(scn.endings)], _ID),
        ("lesson", [(("lessons", i, "id"), x.id) for i, x in enumerate(scn.lessons)], _ID),
        ("role", [(("roles", i, "id"), x.id) for i, x in enumerate(scn.roles)], _ID),
    ]
    for what, items, pattern in groups:
        seen: dict[str, tuple] = {}
        for path, ident in items:
            if not pattern.match(ident):
                extra = "" if pattern is _ID else " (no '-': ids are read in conditions)"
                loc.error(path, f"{what} id '{ident}' must be lower case letters, digits"
                                f"{', -' if pattern is _ID else ''} or '_', starting with a "
                                f"letter{extra}")
                ok = False
            if ident in seen:
                line = loc.doc.pos(seen[ident]).line if loc.doc else "?"
                loc.error(path, f"duplicate {what} id '{ident}' (also at line {line})")
                ok = False
            seen.setdefault(ident, path)
    names = {"round", "track1", "track1_5", "track2", "last_track", "flags", "and", "or",
             "not", "true", "false"}
    for i, ind in enumerate(scn.indicators):
        if ind.id in names:
            loc.error(("indicators", i, "id"), f"'{ind.id}' is a reserved word in conditions")
            ok = False
    for section in ("rounds", "indicators", "endings", "sources"):
        if not getattr(scn, section):
            loc.error((section,), f"a scenario needs at least one entry in '{section}'")
            ok = False
    return ok


def _check_sources(scn: Scenario, loc) -> None:
    sources = {s.id: s for s in scn.sources}
    for i, s in enumerate(scn.sources):
        if s.paragraphs is not None and s.paragraphs < 1:
            loc.error(("sources", i, "paragraphs"), "paragraphs must be at least 1")
        if not s.authors:
            loc.warn(("sources", i, "authors"), "no authors listed")
    for path, cite in _citations(scn):
        src = sources.get(cite.source)
        if src is None:
            loc.error(path, f"citation names source '{cite.source}', which the scenario does "
                            f"not declare under 'sources'{_suggest(cite.source, sources)}")
        elif src.paragraphs is not None and cite.paragraphs[-1] > src.paragraphs:
            loc.error(path, f"{cite}: '{src.id}' has {src.paragraphs} paragraphs")


def _check_indicators(scn: Scenario, loc) -> None:
    for i, ind in enumerate(scn.indicators):
        path = ("indicators", i)
        if ind.min >= ind.max:
            loc.error((*path, "min"), f"min ({ind.min}) must be below max ({ind.max})")
        elif not ind.min <= ind.start <= ind.max:
            loc.error((*path, "start"), f"start {ind.start} is outside {ind.min}..{ind.max}")
        if ind.better not in BETTER:
            loc.error((*path, "better"), f"better must be one of {', '.join(BETTER)}"
                                         f"{_suggest(ind.better, BETTER)}")


def _check_actors(scn: Scenario, loc) -> None:
    for i, actor in enumerate(scn.actors):
        if actor.kind not in ACTOR_KINDS:
            loc.error(("actors", i, "kind"), f"unknown actor kind '{actor.kind}'"
                      f"{_suggest(actor.kind, ACTOR_KINDS)}; kinds: {', '.join(ACTOR_KINDS)}")
    actors = {a.id for a in scn.actors}
    for path, opt in _option_paths(scn):
        for a, actor_id in enumerate(opt.at_table):
            if actor_id not in actors:
                loc.error((*path, "at_table", a), f"unknown actor '{actor_id}'"
                                                  f"{_suggest(actor_id, actors)}")


def _check_effect(path: tuple, eff: Effect | Otherwise, indicators: set, flags: set, loc) -> None:
    for key in eff.change:
        if key not in indicators:
            loc.error((*path, "change", key), f"unknown indicator '{key}'"
                                               f"{_suggest(key, indicators)}", key=True)
    for field in ("set", "clear"):
        for f, flag in enumerate(getattr(eff, field)):
            if flag not in flags:
                loc.error((*path, field, f), f"unknown flag '{flag}'{_suggest(flag, flags)}; "
                                             "declare it under 'flags'")
    if isinstance(eff, Otherwise):
        return
    if eff.after < 0:
        loc.error((*path, "after"), "after must be 0 or more rounds")
    chances = ([(("chance",), eff.chance)] if isinstance(eff.chance, float)
               else [(("chance", c, "p"), case.p) for c, case in enumerate(eff.chance or ())])
    for sub, p in chances:
        if not 0.0 <= p <= 1.0:
            loc.error((*path, *sub), f"a chance is a probability from 0 to 1, not {p}")
    if isinstance(eff.chance, tuple) and eff.chance and eff.chance[-1].when is not None:
        loc.warn((*path, "chance"), "no fallback row (without 'when'): when no row holds the "
                                    "chance is 0")
    if eff.otherwise is not None:
        if eff.chance is None:
            loc.warn((*path, "otherwise"), "'otherwise' only applies when a chance roll fails; "
                                           "this effect has no chance")
        _check_effect((*path, "otherwise"), eff.otherwise, indicators, flags, loc)
    if not (eff.change or eff.set or eff.clear or eff.text or eff.otherwise):
        loc.warn(path, "this effect changes nothing and says nothing")


def _check_rounds(scn: Scenario, loc) -> None:
    for r, rnd in enumerate(scn.rounds):
        path = ("rounds", r)
        if not rnd.options:
            loc.error((*path, "options"), "a round needs at least one option")
            continue
        tracks = {o.track for o in rnd.options}
        missing = [t.label for t in Track if t not in tracks]
        if missing:
            loc.warn((*path, "options"), f"round '{rnd.id}' offers no {' or '.join(missing)} "
                                         "option; players should be able to compare tracks")
    for path, opt in _option_paths(scn):
        if not opt.tradeoffs:
            loc.error((*path, "tradeoffs"), f"option '{opt.id}' has no trade-offs; every option "
                                            "needs at least one, with a citation")
        dims = [t.dimension for t in opt.tradeoffs]
        # dimensions rated more than once (reported at the first rating only)
        twice = set() if len(set(dims)) == len(dims) else {d for d in dims if dims.count(d) > 1}
        for t, tr in enumerate(opt.tradeoffs):
            tp = (*path, "tradeoffs", t)
            if tr.dimension not in DIMENSIONS:
                loc.error((*tp, "dimension"), f"unknown trade-off dimension '{tr.dimension}'"
                          f"{_suggest(tr.dimension, DIMENSIONS)} (the dimensions are listed in "
                          "docs/scenario-format.md)")
            elif tr.dimension in twice:
                loc.error((*tp, "dimension"), f"dimension '{tr.dimension}' is rated twice for "
                                              f"option '{opt.id}'")
                twice.discard(tr.dimension)
            if not RATING_MIN <= tr.rating <= RATING_MAX:
                loc.error((*tp, "rating"), f"rating {tr.rating} is outside {RATING_MIN}..+"
                                           f"{RATING_MAX}")
            if not tr.cite:
                loc.error((*tp, "cite"), "a trade-off needs at least one citation "
                                         '(e.g. "kang-kwa-2025 ¶15")')
            if not tr.why.strip():
                loc.error((*tp, "why"), "explain the trade-off in one sentence")


def _check_events_endings(scn: Scenario, loc) -> None:
    for e, ev in enumerate(scn.events):
        if ev.round is not None and not 1 <= ev.round <= len(scn.rounds):
            loc.error(("events", e, "round"), f"round {ev.round} does not exist (rounds are "
                                              f"1..{len(scn.rounds)})")
    final = [(i, e) for i, e in enumerate(scn.endings) if not e.early]
    if not final:
        loc.error(("endings",), "every ending is early; add at least one ending for the end "
                                "of the last round")
    elif final[-1][1].when is not None:
        loc.warn(("endings", final[-1][0], "when"),
                 "the last ending has a condition; without a fallback ending (no 'when') a game "
                 "may end with no ending")
    for i, end in enumerate(scn.endings):
        if end.grade not in GRADES:
            loc.error(("endings", i, "grade"), f"grade must be one of {', '.join(GRADES)}, not "
                                               f"'{end.grade}'{_suggest(end.grade, GRADES)}")
        if end.early and end.when is None:
            loc.error(("endings", i, "early"), "an early ending needs a 'when' condition")
        if not end.cite:
            loc.warn(("endings", i), f"ending '{end.id}' cites no source; the debrief should "
                                     "link its assessment to the sources")


def lesson_namespace(scn: Scenario) -> Namespace:
    """What a lesson's conditions read: a condition's names plus `ending.<id>` and
    `grade.<grade>` of the state the game ended in."""
    return Namespace({i.id: n for n, i in enumerate(scn.indicators)},
                     frozenset(f.id for f in scn.flags), {e.id: e.grade for e in scn.endings})


def _lesson_conditions(scn: Scenario) -> Iterator[tuple[tuple, Condition]]:
    for n, lesson in enumerate(scn.lessons):
        path = ("lessons", n)
        for key in ("every_ending", "shown_when"):
            if getattr(lesson, key) is not None:
                yield (*path, key), getattr(lesson, key)
        for c, claim in enumerate(lesson.chances):
            cp = (*path, "chances", c)
            yield (*cp, "of"), claim.of
            if claim.given is not None:
                yield (*cp, "given"), claim.given
            for side in ("above", "below"):
                for m, other in enumerate(getattr(claim, side)):
                    for key in ("of", "given"):
                        if getattr(other, key) is not None:
                            yield (*cp, side, m, key), getattr(other, key)


def _check_lessons(scn: Scenario, ns: Namespace, loc) -> None:
    lns = lesson_namespace(scn)
    for path, cond in _lesson_conditions(scn):
        for problem in lns.check(cond):
            loc.error(path, f"condition: {problem.message}", col_offset=problem.column)
    for n, lesson in enumerate(scn.lessons):
        path = ("lessons", n)
        if not lesson.cite:
            loc.error((*path, "cite"), "a lesson says what a source argues: cite at least one "
                                       'paragraph (e.g. "kang-kwa-2025 ¶15")')
        if lesson.every_ending is None and not lesson.chances:
            loc.error(path, f"lesson '{lesson.id}' proves nothing: give 'every_ending' or "
                            "'chances'")
        for c, claim in enumerate(lesson.chances):
            cp = (*path, "chances", c)
            chances = [((*cp,), claim)] + [((*cp, side, m), other)
                                           for side in ("above", "below")
                                           for m, other in enumerate(getattr(claim, side))]
            for sub, chance in chances:
                if chance.under not in POLICIES:
                    loc.error((*sub, "under"), f"unknown policy '{chance.under}'"
                              f"{_suggest(chance.under, POLICIES)}; policies: "
                              f"{', '.join(POLICIES)}")
                elif chance.under in ("best", "worst") and chance.given is not None:
                    loc.error((*sub, "given"), f"'given' cannot be used with '{chance.under}' "
                              "(the best plan for a conditional chance is not defined here)")
            for key in ("at_least", "at_most"):
                bound = getattr(claim, key)
                if bound is not None and not 0.0 <= bound <= 1.0:
                    loc.error((*cp, key), f"{key} is a probability from 0 to 1, not {bound}")
            if (claim.at_least is None and claim.at_most is None and not claim.above
                    and not claim.below):
                loc.error(cp, "a chance claim compares with something: give 'at_least', "
                              "'at_most', 'above' or 'below'")


def _check_roles(scn: Scenario, loc) -> None:
    rounds = [r.id for r in scn.rounds]
    for n, role in enumerate(scn.roles):
        if not role.brief:
            loc.error(("roles", n, "brief"), f"role '{role.id}' needs a brief (one or more "
                                             "sourced sentences)")
        parts: list[tuple[str, int, Claim | RoleNote]] = [
            ("brief", b, x) for b, x in enumerate(role.brief)]
        parts += [("notes", b, x) for b, x in enumerate(role.notes)]
        for key, b, part in parts:
            if not part.cite:
                loc.error(("roles", n, key, b, "cite"), "every claim in a role's brief cites "
                                                         'a paragraph (e.g. "haggard-2024 ¶12")')
        for b, note in enumerate(role.notes):
            if note.round not in rounds:
                loc.error(("roles", n, "notes", b, "round"), f"unknown round '{note.round}'"
                                                             f"{_suggest(note.round, rounds)}")


def _check_usage(scn: Scenario, loc) -> None:
    cited = {c.source for _, c in _citations(scn)}
    for i, s in enumerate(scn.sources):
        if s.id not in cited:
            loc.warn(("sources", i, "id"), f"source '{s.id}' is never cited")
    at_table = {a for _, o in _option_paths(scn) for a in o.at_table}
    for i, a in enumerate(scn.actors):
        if a.id not in at_table:
            loc.warn(("actors", i, "id"), f"actor '{a.id}' never sits at any option's table")
    effects = [e for _, effects in _effect_lists(scn) for e in effects]
    changed = {k for e in effects for k in e.change}
    changed.update(k for e in effects if e.otherwise for k in e.otherwise.change)
    for i, ind in enumerate(scn.indicators):
        if ind.id not in changed:
            loc.warn(("indicators", i, "id"), f"indicator '{ind.id}' never moves: no effect "
                                              "changes it, so it stays at its start all game")
    set_flags = {f for e in effects for f in e.set}
    set_flags.update(f for e in effects if e.otherwise for f in e.otherwise.set)
    read: set[str] = set()
    texts = set()  # a condition's names follow from its text, and texts recur
    for _, cond in _conditions(scn):
        if cond.text not in texts:
            texts.add(cond.text)
            read.update(n[len("flags."):] for n, _ in cond.names() if n.startswith("flags."))
    for i, f in enumerate(scn.flags):
        if f.id not in set_flags:
            loc.warn(("flags", i, "id"), f"flag '{f.id}' is never set by any effect")
        elif f.id not in read:
            loc.warn(("flags", i, "id"), f"flag '{f.id}' is set but no condition reads it")


# --------------------------------------------------------------------------- balance


def _state_dependent(eff: Effect) -> bool:
    return eff.when is not None or isinstance(eff.chance, tuple)


def _conditional_part(opt: Option) -> list:
    """The effects whose result depends on the state when they resolve, in comparable form."""
    return sorted([repr((e.after, str(e.when), str(e.chance), sorted(e.change.items()),
                         sorted(e.set), sorted(e.clear), e.otherwise))
                   for e in opt.effects if _state_dependent(e)])


def expected_effects(scn: Scenario, opt: Option) -> dict[str, float]:
    """Indicator id -> expected change of an option's effects that do not depend on the state
    (delayed ones included); state-dependent effects are compared separately."""
    out: dict[str, float] = {}
    for eff in opt.effects:
        if _state_dependent(eff):
            continue
        p = 1.0 if eff.chance is None else float(eff.chance)  # type: ignore[arg-type]
        for k, v in eff.change.items():
            out[k] = out.get(k, 0.0) + p * v
        if eff.otherwise is not None:
            for k, v in eff.otherwise.change.items():
                out[k] = out.get(k, 0.0) + (1 - p) * v
    return out


def dominated_by(scn: Scenario, a: Option, b: Option) -> bool:
    """True when ``b`` is at least as good as ``a`` on every indicator effect (in each
    indicator's better direction) and every trade-off dimension, and better on one.

    Conservative: effects whose result depends on the state (a ``when``, or a chance by rows)
    cannot be ranked without the state, so options whose state-dependent effects differ are
    never called dominated here (``backchannel explore`` compares them state by state)."""
    ids = [i.id for i in scn.indicators]
    return (_better_or_equal(_numbers(scn, a, ids), _numbers(scn, b, ids), _signs(scn))
            and _comparable(a) == _comparable(b))


def _signs(scn: Scenario) -> tuple[int, ...]:
    """Each indicator's better direction (1 higher, -1 lower, 0 neither), in order."""
    sign = {i.id: {"higher": 1, "lower": -1, "neither": 0}[i.better] for i in scn.indicators}
    return tuple(sign[i.id] for i in scn.indicators)


def _numbers(scn: Scenario, opt: Option, indicator_ids: list[str]) -> tuple[tuple, tuple]:
    """What dominance ranks: an option's expected change of each indicator (in order) and
    its rating on each trade-off dimension (DIMENSIONS order)."""
    expected = expected_effects(scn, opt)
    ratings = {t.dimension: t.rating for t in opt.tradeoffs}
    return (tuple([expected.get(i, 0.0) for i in indicator_ids]),
            tuple(map(ratings.get, DIMENSIONS, _NO_RATINGS)))


_NO_RATINGS = (0,) * len(DIMENSIONS)  # an option's rating where it has none


def _comparable(opt: Option) -> tuple:
    """What must be equal for two options to be ranked at all: when each is offered, their
    state-dependent effects, and the flags they set and clear (different flags can open
    different futures)."""
    return (opt.requires, _conditional_part(opt), _flag_effects(opt))


def _better_or_equal(na: tuple[tuple, tuple], nb: tuple[tuple, tuple],
                     signs: tuple[int, ...]) -> bool:
    """Are ``nb``'s numbers at least as good as ``na``'s everywhere and better somewhere?
    The ratings first: whole numbers, compared at once, and most pairs differ there."""
    ra, rb = na[1], nb[1]
    if not all(map(operator.ge, rb, ra)):
        return False
    strictly = rb != ra  # no rating worse, so one is better
    for s, da, db in zip(signs, na[0], nb[0], strict=True):
        if s == 0:
            if da != db:
                return False
            continue
        if s * db < s * da - 1e-9:
            return False
        if s * db > s * da + 1e-9:
            strictly = True
    return strictly


def _flag_effects(opt: Option) -> tuple[frozenset, frozenset]:
    """The flags an option sets and clears, whichever of its effects does it."""
    return (frozenset([f for e in opt.effects for f in e.set]),
            frozenset([f for e in opt.effects for f in e.clear]))


def _check_dominance(scn: Scenario, loc) -> None:
    # The numbers first: two options are rarely ranked by them, and only then is it worth
    # asking whether the two can be compared at all.
    signs = _signs(scn)
    ids = [i.id for i in scn.indicators]
    for r, rnd in enumerate(scn.rounds):
        numbers = [_numbers(scn, opt, ids) for opt in rnd.options]
        for o, a in enumerate(rnd.options):
            for b, nb in zip(rnd.options, numbers, strict=True):
                if a is not b and _better_or_equal(numbers[o], nb, signs) \
                        and _comparable(a) == _comparable(b):
                    loc.warn(("rounds", r, "options", o, "id"),
                             f"option '{a.id}' is dominated by '{b.id}': no worse on any "
                             "indicator or trade-off dimension, so nobody should pick it")
                    break
