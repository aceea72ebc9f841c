"""The pieces the console and the projector both show: who has submitted (never what, before
the reveal), the reveal board (every team's choice, track and reason side by side) and the
indicators of all teams' games compared. Participant text is always escaped."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from backchannel_tui.text import delta_phrase, esc, to_rich, track_badge
from backchannel_workshop.common import STATUS_WORDS, visible_play
from engine.present import wording as w
from engine.workshop import Phase, Room, Status, TeamRow

REVEALED = (Phase.REVEALED, Phase.ENDED)


def status_word(row: TeamRow, drafting: bool = False) -> str:
    if row.status == "waiting" and drafting:
        return "drafting"
    return STATUS_WORDS.get(row.status, row.status)


def submitted_line(status: Status) -> str:
    """'Submitted 2 of 3: ✓ Red  ✓ Blue  … Green' (markup); empty when no team has a
    decision due (the projector said 'Submitted 0 of 0' once the workshop had ended)."""
    due = [r for r in status.rows if r.status in ("waiting", "submitted", "override",
                                                  "absent")]
    if not due:
        return ""
    done = [r for r in due if r.status in ("submitted", "override")]
    absent = [r for r in due if r.status == "absent"]
    # A team marked absent in an earlier round is named too, never counted: in the rounds
    # after its absence it dropped off the line, and the room wondered where it had gone.
    gone = [r for r in status.rows if r.status == "out"]
    marks = "  ".join({"waiting": "[dim]…[/] ", "absent": "[dim]–[/] ", "out": "[dim]–[/] "}.get(
        r.status, "[b $text-success]✓[/] ") + esc(r.team.name)
        + (" [dim](absent)[/]" if r.status in ("absent", "out") else "") for r in due + gone)
    # An absent team is not counted as submitted (it read 'Submitted 3 of 3 ✓ Green').
    extra = f" ({len(absent)} absent)" if absent else ""
    return f"[b]Submitted {len(done)} of {len(due)}{extra}[/b]   {marks}"


def reveal_card(room: Room, row: TeamRow) -> str:
    """One team's column on the reveal board (markup)."""
    d = row.choice
    lines = [f"[b]{esc(row.team.name)}[/b]"]
    if d is None:
        lines.append(f"[dim]{esc(status_word(row))}[/]")
    elif d.absent:
        lines.append("[dim]marked absent[/]")
    else:
        option = room.scenario.option(d.option_id) if d.option_id else None
        if option is not None:
            lines.append(track_badge(option.track))
            lines.append(f"[b]{esc(option.title)}[/b]")
        if d.override:
            lines.append("[$text-warning]entered by the facilitator[/]")
        if d.reason:
            lines.append(f"[i]“{esc(d.reason)}”[/i]")
        if d.override and d.team_reason:
            lines.append(f"[dim]The team had written: “{esc(d.team_reason)}”[/]")
    return "\n".join(lines)


class RevealBoard(Grid):
    """A card per team; ``show(room)`` refills the cards' text in place."""

    def show(self, room: Room, status: Status) -> None:
        shown = status.workshop.control.phase in REVEALED
        cards = list(self.query(".reveal-card").results(Static))
        if len(cards) != len(status.rows):
            self.remove_children()
            cards = [Static(classes="reveal-card") for _ in status.rows]
            self.mount_all(cards)
        for card, row in zip(cards, status.rows, strict=True):
            text = reveal_card(room, row) if shown else (
                f"[b]{esc(row.team.name)}[/b]\n[dim]{esc(status_word(row))}; hidden until the "
                "reveal[/]")
            card.update(Content.from_markup(text))


def fill_comparison(table: DataTable, room: Room) -> None:
    """Indicators (rows) of every team's game (columns), as far as revealed: the value now
    and its last change. Then each game's ending, where it has one. A team marked absent
    reads as absent: its values where its game stopped, without the changes of its last
    round played (they read as this round's)."""
    table.clear(columns=True)
    plays = [(t, visible_play(room, t.id)) for t in room.snap.teams]
    table.add_column("Indicator", key="indicator")
    for t, play in plays:
        head = Text(t.name, style="bold")
        if play.absent_from is not None:
            head.append(f" ({w.ABSENT})", style="dim")
        table.add_column(head, key=f"team-{t.id}")
    for n, ind in enumerate(room.scenario.indicators):
        cells: list[object] = [Text(ind.label)]
        for _, play in plays:
            values = [o.after[n] for o in play.outcomes]
            now = values[-1]
            if play.absent_from is not None:
                cells.append(to_rich(f"[b]{now}[/b] [dim]{w.ABSENT}[/]"))
                continue
            change = delta_phrase(ind, now - values[-2]) if len(values) > 1 and \
                values[-1] != values[-2] else ""
            cells.append(to_rich(f"[b]{now}[/b] {change}".rstrip()))
        table.add_row(*cells, key=ind.id)
    if any(play.over or play.absent_from is not None for _, play in plays):
        cells = [Text("Ending")]
        for _, play in plays:
            ending = room.game.ending(play.state) if play.over else None
            cells.append(Text(ending.title if ending else w.absent_title(play.absent_from)
                              if play.absent_from is not None else "—"))
        table.add_row(*cells, key="ending")


def comparison_block(title: str = "Indicators across teams") -> Vertical:
    table: DataTable = DataTable(id="comparison", cursor_type="none", zebra_stripes=True)
    return Vertical(Static(title, classes="section-title"), table, id="comparison-box")
