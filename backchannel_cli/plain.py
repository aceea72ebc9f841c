"""Line mode: the game line by line, for a dumb terminal, a screen reader or a pipe.

Every phrase comes from the wording layer (engine.present.wording), rendered as plain text,
so line mode says what the app says. Options keep their number whether or not they are
available (the engine's ``Game.offers``); scripts can always choose by option id. A round
stays short (about 40 lines): each option shows its title and its sourced trade-offs;
``m N`` shows option N in full and ``o`` repeats the options.
"""

from __future__ import annotations

import os
import textwrap
from typing import TextIO

from engine.play.rules import GameState, Offer, Outcome
from engine.play.session import Session, SessionError
from engine.present import wording as w
from engine.present.briefing import Section, facts, role_section, sections
from engine.present.debrief import appendix, build_debrief, render_text, summary
from engine.present.wording import Phrase, plain
from engine.scenario.model import Role

HELP = ("Type an option's number or id and Enter; add '# reason' to record why. "
        "m N: option N in full; o: the options again; d: discussion questions and notes; "
        "?: help; q: save and quit.")


class PlainGame:
    """Line-by-line play: what the app shows, as plain text, choices from a stream.

    ``study`` shows each option's exact effects before the choice (by default they stay
    hidden until after it: players weigh the trade-offs, not the arithmetic)."""

    def __init__(self, session: Session, inp: TextIO, out: TextIO, team: str | None = None,
                 study: bool = False, width: int | None = None,
                 role: Role | None = None) -> None:
        self.s = session
        self.role = role  # a team member's private brief and per-round notes
        self.inp = inp
        self.out = out
        self.team = team or session.team
        self.study = study
        self.width = width or min(100, max(60, _term_width()))

    # -- output

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def para(self, text: str | Phrase, indent: str = "", first: str | None = None) -> None:
        """Wrapped text; ``first`` replaces the indent of the first line (e.g. a bullet)."""
        text = text if isinstance(text, str) else plain(text)
        lead = indent if first is None else first
        for block in text.strip().split("\n\n"):
            self.say(textwrap.fill(" ".join(block.split()), self.width,
                                   initial_indent=lead, subsequent_indent=indent,
                                   break_on_hyphens=False, break_long_words=False))
            lead = indent

    # -- the game

    def run(self) -> int:
        s, scn = self.s, self.s.scenario
        self.para(f"backchannel: {scn.title}")
        self.para(f"{', '.join(facts(scn))}. Seed {s.seed}.")
        self.say(f"Saving to {s.path}")  # a line of its own: a long path is not broken
        if self.study:
            self.para("Study mode: exact effects are shown before each choice.")
        for warning in s.warnings:
            self.para(f"warning: {warning}", "  ")
        if not s.decisions:
            self.briefing()
            self.show_outcome(s.outcomes[0], start=True)
        else:
            self.role_brief()  # a resumed game: the player's private brief again
        self.para(HELP)
        while not s.over:
            self.show_round(s.state)
            outcome = self.ask(s.state)
            if outcome is None:
                self.say(f"\nGame saved to {s.path}")
                self.say(f"Resume with: backchannel play --plain --resume {s.path}")
                return 0
            self.show_outcome(outcome)
        self.debrief()
        return 0

    def debrief(self) -> None:
        """The debrief's summary; the appendix (full lists) on request."""
        s = self.s
        d = build_debrief(s)
        self.say("")
        self.out.write(render_text(summary(d), self.width))
        self.say(f"\nSession log: {s.path}")
        self.say(f"Export: backchannel debrief {s.path} --out DIR")
        prompt = ("Type a and Enter for the appendix (every trade-off, events, sources, "
                  "questions), or just Enter to finish:")
        self.out.write("\n" + textwrap.fill(prompt, self.width) + " ")
        self.out.flush()
        line = self.inp.readline()
        if not self.inp.isatty() and line:
            self.say(line.rstrip("\n"))
        if line.strip().lower() in ("a", "appendix"):
            self.say("")
            self.out.write(render_text(appendix(d), self.width))

    def briefing(self) -> None:
        """What the app's briefing shows, in its order (engine.present.briefing)."""
        scn = self.s.scenario
        self.say("\n== Briefing ==")
        self.para(w.prose(scn, scn.summary))
        for section in sections(scn, self.role):
            self.show_section(section)

    def role_brief(self) -> None:
        if self.role is not None:
            self.show_section(role_section(self.s.scenario, self.role))

    def show_section(self, section: Section) -> None:
        """A briefing section as a titled list; a track's entry starts with its label."""
        self.say(f"\n== {section.title} ==" if section.kind == "role" else
                 f"\n{section.title}:")
        for item in section.items:
            first, *rest = item.lines
            if section.kind == "tracks":
                first = w.phrase(f"{item.subject.label}: ", first)
            self.para(first, "  ", "- ")
            for line in rest:
                self.para(line, "    ")

    def indicators_line(self, state: GameState) -> str:
        scn = self.s.scenario
        return " | ".join(f"{i.label} {v}/{i.max} {w.better_arrow(i)}" for i, v in
                          zip(scn.indicators, state.values, strict=True))

    def show_round(self, state: GameState) -> None:
        g, scn = self.s.game, self.s.scenario
        rnd = g.current_round(state)
        assert rnd is not None
        self.say(f"\n== Round {state.round_no} of {len(scn.rounds)}: {rnd.title} ==")
        self.para(w.prose(scn, g.situation(state)))
        if self.role is not None:
            for note in (n for n in self.role.notes if n.round == rnd.id):
                self.para(w.phrase(note.text, " ", w.cited(scn, note.cite)), "    ",
                          f"  {self.role.name} (only you see this): ")
        self.para(f"Indicators: {self.indicators_line(state)}", "  ", "")
        self.show_options(state)

    def show_options(self, state: GameState) -> None:
        self.say("Options (m N: one in full; o: again; ?: help):")
        for offer in self.s.game.offers(state):
            self.show_offer(offer, state.round_no)

    def show_offer(self, offer: Offer, round_no: int) -> None:
        """One option in brief: number, track, title, id and its sourced trade-offs."""
        scn, opt = self.s.scenario, offer.option
        head = f"{offer.number}. [{opt.track.label}] {opt.title} (id: {opt.id})"
        if not offer.available:
            head += f": not available. {offer.reason or w.NOT_AVAILABLE}"
        self.para(head, "    ", " ")
        self.para(w.join(w.phrase(w.tradeoff_brief(t), " ", w.cited(scn, t.cite))
                         for t in opt.tradeoffs), "      ", "    ")
        if self.study and offer.available:
            for line in w.effects_before_choice(scn, opt, round_no, study=True):
                self.para(line, "      ", "    > ")

    def show_option_full(self, offer: Offer, round_no: int) -> None:
        scn, opt = self.s.scenario, offer.option
        self.para(w.option_heading(opt, offer.number), "    ", "\n ")
        if not offer.available:
            self.para(f"Not available now: {offer.reason or w.NOT_AVAILABLE}", "    ")
        self.para(w.prose(scn, opt.description), "    ")
        if opt.at_table:
            names = ", ".join(a.name for a in scn.actors if a.id in opt.at_table)
            self.para(f"At the table: {names}", "    ")
        self.say("    What it changes:")
        for line in w.effects_before_choice(scn, opt, round_no, self.study):
            self.para(line, "        ", "      ")
        self.say("    What the sources say:")
        for t in opt.tradeoffs:
            self.para(w.tradeoff(scn, t), "        ", "      ")

    def ask(self, state: GameState) -> Outcome | None:
        g = self.s.game
        offers = g.offers(state)
        while True:
            self.out.write(f"\nChoice [1-{len(offers)}, m N, o, d, ?, q]: ")
            self.out.flush()
            line = self.inp.readline()
            if not line:
                self.say("(end of input)")
                return None
            text, hash_, why = line.partition("#")
            text = text.strip()
            if not self.inp.isatty():
                self.say(line.rstrip("\n"))  # echo scripted input so transcripts read well
            if not text and not hash_:
                continue  # Enter alone: ask again, as the workshop's line mode does
            cmd, _, arg = text.partition(" ")
            if text in ("q", "quit"):
                return None
            if text in ("d", "questions"):
                self.discussion(state)
                continue
            if text in ("o", "options"):
                self.show_options(state)
                continue
            if text in ("?", "h", "help"):
                self.para(HELP)
                continue
            if cmd in ("m", "more") and arg:
                offer = g.offer(state, arg)
                if offer is None:
                    self.say(f"'{arg}' is not an option here; type 1-{len(offers)}.")
                else:
                    self.show_option_full(offer, state.round_no)
                continue
            offer = g.offer(state, text) if text else None
            if offer is None:
                self.para(f"'{text}' is not an option here; type 1-{len(offers)}, "
                          "m N, o, d, ? or q.")
                continue
            if not offer.available:
                self.para(f"Option {offer.number} is not available now: "
                          f"{offer.reason or w.NOT_AVAILABLE} Choose another.")
                continue
            try:
                return self.s.decide(offer.option.id, by=self.team, why=why.strip() or None)
            except SessionError as exc:  # too long a reason, or the save could not be written
                self.para(f"Not recorded: {exc}")

    def discussion(self, state: GameState) -> None:
        """The round's discussion questions and the facilitator's notes (citations as
        labels, like everywhere else)."""
        scn = self.s.scenario
        rnd = self.s.game.current_round(state)
        if rnd is None:
            return
        if rnd.questions:
            self.say("Discussion questions:")
            for q in rnd.questions:
                self.para(w.prose(scn, q), "    ", "  - ")
        if rnd.facilitator_notes:
            self.say("Facilitator notes:")
            self.para(w.prose(scn, rnd.facilitator_notes), "  ", "  ")
        if not rnd.questions and not rnd.facilitator_notes:
            self.say("No discussion questions for this round.")

    def show_resolutions(self, resolutions, indent: str = "  ") -> None:
        scn = self.s.scenario
        for res in resolutions:
            if w.newsworthy(res):
                self.para(w.resolution(scn, res), indent + "  ", indent + "* ")

    def show_outcome(self, o: Outcome, start: bool = False) -> None:
        scn, g = self.s.scenario, self.s.game
        if not start:
            assert o.option is not None
            self.say()  # wrapped as all else: a long title ran past 80 columns, cut mid-word
            self.para(f"-- Outcome of round {o.round_no}: "
                      + plain(w.option_heading(o.option, g.option_number(o.option.id))),
                      "   ", "")
        mine = [r for r in o.resolutions if r.kind == "option" and not r.delayed]
        self.show_resolutions(mine)
        due = [r for r in o.resolutions if r.delayed and w.newsworthy(r)]
        for r in due:
            self.para(w.phrase(f"From round {r.origin_round}, "
                               f"{w.owner_title(scn, r.kind, r.owner)}: ",
                               w.resolution(scn, r)), "    ", "  * ")
        for eid in o.events:
            ev = scn.event(eid)
            if ev is None:
                continue
            self.para(w.phrase(f"Event: {ev.title}. ", w.prose(scn, ev.text)), "    ", "  ")
            self.show_resolutions([r for r in o.resolutions if r.kind == "event"
                                   and r.owner == eid and not r.delayed], "    ")
        if o.before:
            moved = [w.movement(i, a, b) for i, a, b in
                     zip(scn.indicators, o.before, o.after, strict=True) if a != b]
            if moved:
                self.para(w.phrase("Indicators: ", w.join(moved, "; ")), "    ", "  ")
        for p in o.scheduled:
            self.para(w.scheduled(scn, g.effect_of(p), p.due, lead=True), "    ", "  ")
        if o.option is not None and not start:
            self.para(w.phrase("Trade-offs accepted: ",
                               w.join((w.tradeoff_brief(t) for t in o.accepted), "; ")),
                      "    ", "  ")
            best: dict[str, int] = {}
            for _, t in o.forgone:
                best[t.dimension] = max(best.get(t.dimension, t.rating), t.rating)
            gains = [w.phrase(w.rating_glyph(v), " ", w.dimension_label(d))
                     for d, v in best.items() if v > 0]
            if gains:
                self.para(w.phrase("Forgone (best on offer elsewhere): ",
                                   w.join(gains, "; ")), "    ", "  ")


def _term_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 80
