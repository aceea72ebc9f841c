"""The exploration report as plain text: tables rendered from the report's JSON form.

``render_text(explore(scenario).data)`` is what ``backchannel explore`` prints; the data and
its shape (docs/explore-json.md) come from ``engine.analysis.exploration``, which computes and
renders nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.present.wording import count, share_units


def _pct(x: float | None) -> str:
    if x is None:
        return "-"
    if x == 0:
        return "0%"
    if x < 0.001:
        return "<0.1%"
    if x > 0.999 and x < 1:
        return ">99.9%"
    return f"{100 * x:.1f}%"


def _shares(parts: list[float]) -> list[str]:
    """Parts of one whole (the endings of a policy, an indicator's final values) in tenths of
    a percent that add up to the whole exactly (largest remainder, as the debrief rounds).
    A part too small or too large to show otherwise keeps its marker, '<0.1%' or '>99.9%'."""
    out = []
    for x, n in zip(parts, share_units(parts, 1), strict=True):
        if x == 0:
            out.append("0%")
        elif n == 0:
            out.append("<0.1%")
        elif n == 1000 and x < 1:
            out.append(">99.9%")
        else:
            out.append(f"{n / 10:.1f}%")
    return out


def _table(headers: list[str], rows: list[list[str]], right: Iterable[int] = ()) -> list[str]:
    right = set(right)
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def fmt(row):
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                 for i, c in enumerate(row)]
        return "  " + "  ".join(cells).rstrip()

    return [fmt(headers), "  " + "  ".join("-" * w for w in widths), *map(fmt, rows)]


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(d: dict) -> str:
    """The human-readable report (plain text tables)."""
    out: list[str] = []
    scn = d["scenario"]
    exact = d["mode"] == "exact"
    head = f"{scn['id']} — {scn['title']}"
    out.append(head)
    out.append("=" * len(head))
    if exact:
        out.append(f"Exact exploration: {d['states']:,} states "
                   f"(bound {d['max_states']:,}); probabilities under uniformly random play.")
    else:
        out.append(f"Sampled: {d['samples']:,} random playthroughs per policy, seed {d['seed']}, "
                   f"{d['states']:,} distinct states seen. Figures are frequencies (± is one "
                   "standard error); 'unreachable' means never seen.")
    if d["notice"]:
        out.append("")
        out.append(f"NOTE: {d['notice']}")

    out.append("")
    out.append("Endings (uniformly random play)")
    rows = []
    de = d["dead_ends"]
    # The endings and the dead ends share out every game: shown so they add up to 100.0%.
    ends = _shares([e["probability"] for e in d["endings"]] + [de["probability"]])
    for e, pr in zip(d["endings"], ends, strict=False):
        if e["stderr"]:
            pr += f" ± {100 * e['stderr']:.1f}"
        rows.append([e["id"], _clip(e["title"], 36), e["grade"], "early" if e["early"] else "",
                     pr, f"{e['paths']:,}"])
    if de["groups"]:
        rows.append(["(dead end)", "", "", "", ends[-1], f"{de['paths']:,}"])
    out += _table(["ending", "title", "grade", "", "probability",
                   "paths" if exact else "paths seen"], rows, right=(4, 5))

    out.append("")
    if de["groups"]:
        out.append(f"ERROR: dead ends — the game stops with no option and no ending "
                   f"({_pct(de['probability'])} of games):")
        for g in de["groups"]:
            ex = g["example"]
            vals = ", ".join(f"{k}={v}" for k, v in ex["values"].items())
            flags = f"; flags {', '.join(ex['flags'])}" if ex["flags"] else ""
            how = " → ".join(ex["choices"]) or "(before any choice)"
            states = f"{count(g['states'], 'state')}, " if exact else ""
            out.append(f"  - {g['where']}: {states}{_pct(g['probability'])}")
            out.append(f"    e.g. {vals}{flags}, after {how}")
    else:
        out.append("Dead ends: none.")

    un = d["unreachable"]
    what = "Unreachable" if exact else f"Never seen in {count(d['samples'], 'playthrough')}"
    parts = [(k, un[k]) for k in ("rounds", "options", "events", "endings") if un[k]]
    if parts:
        out.append(f"{what}:")
        for k, ids in parts:
            out.append(f"  {k}: {', '.join(ids)}")
    else:
        out.append(f"{what}: nothing — every round, option, event and ending "
                   f"{'can be reached' if exact else 'was seen'}.")

    out.append("")
    out.append("Indicators at the end")
    rows = []
    for ind in d["indicators"]:
        dist = ind["distribution"]
        cells = [f"{x['value']}:{pr}" for x, pr in
                 zip(dist, _shares([x["probability"] for x in dist]), strict=True)]
        if len(cells) > 12:
            shown = "  ".join(cells[:6]) + "  …  " + "  ".join(cells[-3:])
        else:
            shown = "  ".join(cells)
        rows.append([ind["id"], ind["better"], str(ind["start"]),
                     str(ind["min"]) if ind["min"] is not None else "-",
                     str(ind["max"]) if ind["max"] is not None else "-",
                     f"{ind['mean']:.2f}" if ind["mean"] is not None else "-", shown])
    out += _table(["indicator", "better", "start", "min", "max", "mean", "distribution"],
                  rows, right=(2, 3, 4, 5))

    out.append("")
    out.append("Endings when always picking one track where offered")
    labels = [t["label"] for t in d["tracks"]]
    # One column per policy, each a whole: the endings and the dead ends add up to 100.0%.
    columns = [ends] + [_shares([t["endings"][e["id"]] for e in d["endings"]]
                                 + [t["dead_end"]]) for t in d["tracks"]]
    rows = [[e["id"], *(col[n] for col in columns)] for n, e in enumerate(d["endings"])]
    if de["groups"] or any(t["dead_end"] for t in d["tracks"]):
        rows.append(["(dead end)", *(col[-1] for col in columns)])
    out += _table(["ending", "uniform", *labels], rows, right=range(1, 2 + len(labels)))

    out.append("")
    if d["dominated"]:
        out.append("Dominated options (no better than another option offered alongside, in every "
                   "state where offered)")
        rows = []
        for x in d["dominated"]:
            by = ", ".join(f"{b['option']} ({b['states']:,})" for b in x["by"])
            rows.append([x["option"], str(x["round"]), f"T{x['track']}", f"{x['states']:,}", by])
        out += _table(["option", "round", "track", "states", "dominated by (in states)"], rows,
                      right=(1, 3))
    else:
        out.append("Dominated options: none (no option is dominated in every state where it "
                   "is offered).")
    partial = [o for o in d["options"] if 0 < o["states_dominated"] < o["states_offered"]]
    if partial:
        out.append("  dominated in some states only: " + ", ".join(
            f"{o['id']} ({o['states_dominated']:,}/{o['states_offered']:,})" for o in partial))

    out.append("")
    out.append("Options (how often offered and chosen under uniformly random play)")
    rows = [[o["id"], str(o["round"]), f"T{o['track']}", _pct(o["offered"]), _pct(o["chosen"])]
            for o in d["options"]]
    out += _table(["option", "round", "track", "offered", "chosen"], rows, right=(1, 3, 4))
    if d["events"]:
        out.append("")
        out.append("Events (probability of firing)")
        rows = [[e["id"], _clip(e["title"], 40), _pct(e["probability"])] for e in d["events"]]
        out += _table(["event", "title", "fires"], rows, right=(2,))

    if d["lessons"]:
        out.append("")
        out.append("Lessons (proven over every path)" if exact else
                   "Lessons (not proven: exploration was not exact)")
        for x in d["lessons"]:
            verdict = {True: "holds", False: "BROKEN", None: "unproven"}[x["holds"]]
            out.append(f"  {x['id']} [{verdict}] {x['text']} ({'; '.join(x['citations'])})")
            out += [f"    - {line}" for line in x["evidence"]]

    cit = d["citations"]
    out.append("")
    out.append(f"Citation coverage ({count(cit['total'], 'citation')})")
    for s in cit["sources"]:
        declared = f"{s['paragraphs']} ¶" if s["paragraphs"] else "paragraphs not declared"
        out.append(f"  {s['id']} ({declared}): {count(s['citations'], 'citation')}")
        if s["cited"]:
            out.append("    cited: " + ", ".join(
                f"¶{c['paragraph']}×{c['count']}" for c in s["cited"]))
        if s["mentions"]:
            out.append("    named in text: " + ", ".join(
                f"¶{c['paragraph']}×{c['count']}" for c in s["mentions"]))
        if s["uncited"]:
            out.append("    never cited: " + _ranges(s["uncited"]))
    return "\n".join(out) + "\n"


def _ranges(nums: list[int]) -> str:
    """[1, 2, 3, 5] -> "¶1-3, ¶5" (``nums`` sorted)."""
    spans: list[list[int]] = []
    for n in nums:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"¶{lo}" if lo == hi else f"¶{lo}-{hi}" for lo, hi in spans)
