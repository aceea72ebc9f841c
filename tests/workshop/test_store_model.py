"""The store against a model, by hypothesis: two consoles (each with its own connection and
its own, possibly stale, view of the control) and three teams act in any order; the store must
take exactly the submissions and overrides the rules allow, refuse the rest with the right
reason, and never advance on a stale view."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from engine.workshop.model import (
    ACTIONS,
    Conflict,
    NewTeam,
    NewWorkshop,
    Phase,
    PhaseError,
    Refused,
    TeamDecision,
    step,
)
from engine.workshop.sqlstore import SQLiteStore

ROUNDS = 3


class StoreAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        self.conns = [SQLiteStore(self.dir / "w.sqlite3") for _ in range(2)]
        for c in self.conns:  # logic, not durability (the kill test covers that): no fsync
            c._conn.execute("PRAGMA synchronous = OFF")
        w = self.conns[0].create(NewWorkshop("M", "demo", "/demo.yaml", "0" * 64, 1, 60, 1,
                                             tuple(NewTeam(n) for n in "ABC")), now=0.0)
        self.wid = w.id
        self.control = w.control  # the truth, per the model
        self.views = [w.control, w.control]  # what each console last read
        self.decisions: dict[tuple[int, int], tuple[str, bool]] = {}
        self.submits = 0
        self.now = 1.0

    def teardown(self) -> None:
        for c in self.conns:
            c.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(console=st.integers(0, 1))
    def look(self, console):
        self.views[console] = self.conns[console].workshop(self.wid).control
        assert self.views[console] == self.control

    @rule(console=st.integers(0, 1), action=st.sampled_from(ACTIONS))
    def act(self, console, action):
        self.now += 1
        seen = self.views[console]
        nxt = seen.round_no + 1 if seen.round_no < ROUNDS else None
        try:
            new = step(seen, action, self.now, round_seconds=60, next_round=nxt, seconds=30)
        except PhaseError:
            return
        try:
            self.conns[console].apply_control(self.wid, seen, new, kind="phase",
                                              actor="facilitator", now=self.now)
        except Conflict:
            assert seen.version != self.control.version
            return
        assert seen == self.control  # a stale view never wins
        self.control = self.views[console] = new

    @rule(team=st.integers(1, 3), offset=st.sampled_from([-1, 0, 0, 0, 1]),
          conn=st.integers(0, 1), option=st.sampled_from(["x", "y"]))
    def submit(self, team, offset, conn, option):
        c = self.control
        rnd = max(1, c.round_no + offset)
        self.now += 1
        try:
            self.conns[conn].submit(self.wid, TeamDecision(team, rnd, option, "r", "team",
                                                           self.now))
        except Refused as exc:
            if c.phase is Phase.ENDED:
                want = "closed"
            elif rnd != c.round_no:
                want = "wrong-round"
            elif c.phase is Phase.READY:
                want = "not-open"
            elif c.phase is Phase.OPEN:
                want = "duplicate"
                assert (team, rnd) in self.decisions
            else:
                want = "closed"
            assert exc.reason == want
            return
        assert c.phase is Phase.OPEN and rnd == c.round_no
        assert (team, rnd) not in self.decisions
        self.decisions[(team, rnd)] = (option, False)
        self.submits += 1

    @precondition(lambda self: self.control.phase is not Phase.ENDED)
    @rule(team=st.integers(1, 3), conn=st.integers(0, 1))
    def override(self, team, conn):
        c = self.control
        self.now += 1
        try:
            self.conns[conn].override(self.wid, TeamDecision(
                team, c.round_no, "z", "facilitator's reason", "facilitator", self.now,
                override=True))
        except Refused:
            assert c.phase is not Phase.CLOSED
            return
        assert c.phase is Phase.CLOSED
        self.decisions[(team, c.round_no)] = ("z", True)

    @invariant()
    def store_holds_exactly_the_model(self):
        got = {(d.team_id, d.round_no): (d.option_id, d.override)
               for d in self.conns[1].decisions(self.wid)}
        assert got == self.decisions
        assert len(self.conns[0].events(self.wid, kinds=("submit",))) == self.submits


StoreAgainstModel.TestCase.settings = settings(max_examples=25, stateful_step_count=30,
                                               deadline=None)
test_store_against_model = StoreAgainstModel.TestCase
