"""Facilitated workshops, headless: the store, the phase machine, each team's game.

For front ends (facilitator console, projector, team clients, commands). Nothing here imports
a UI; all of it is safe to use from several processes at once.

Model (engine/workshop/model.py)
    A workshop is one scenario (id, content hash, absolute path), one seed and N teams (name +
    6-character join code from ``CODE_ALPHABET``, no look-alikes; ``bot`` set for stand-ins).
    ``Control`` is where it is: ``round_no``, ``phase`` (ready -> open -> closed -> revealed
    -> next round's ready ... -> ended), ``version`` (bumped by every control change: the
    compare-and-swap key) and the timer as one end time (``timer_ends_at``, epoch seconds) or,
    paused, the seconds left (``timer_paused``); ``Control.remaining(now)``. ``step(control,
    action, now, ...)`` is the pure phase machine. Records: ``Team``, ``Workshop``, ``Draft``
    (choice + reason kept while typing), ``TeamDecision`` (one per team and round: a submission,
    an override with the facilitator's reason, or an absent mark), ``Event`` (the append-only
    audit trail: created, join, phase, timer, submit, override, absent, note, message).
    Errors: ``WorkshopError`` (one-line message) and its kinds ``NotFound``, ``Refused``
    (``.reason``: duplicate, closed, wrong-round, not-open, invalid-option, absent, finished,
    decided: ``AlreadyDecided``, with ``.existing``),
    ``Conflict`` (lost a compare-and-swap), ``PhaseError`` (and ``MissingDecisions``: a reveal
    refused, with ``.teams``), ``ScenarioChanged``.

Store (engine/workshop/store.py)
    ``open_store(path_or_url_or_None)`` -> ``WorkshopStore``: SQLite in WAL mode for a file
    path, PostgreSQL for a postgresql:// URL (the same SQL; psycopg from the 'postgres'
    extra); default $BACKCHANNEL_STORE, else workshops.sqlite3 in the user data dir. One per
    process.
    ``store.change_token()`` is cheap (SQLite's data version): poll it in the UI's own loop
    (e.g. every 0.25 s) and re-read only when it differs. ``store.snapshot(id)`` is one
    consistent read (workshop, teams, decisions). The rest: create, workshop, workshops, teams,
    team_by_code, apply_control (CAS), set_message, record_join, save_draft, draft, submit,
    override, decisions, add_note, events.

Room (engine/workshop/room.py): what front ends call
    ``create_workshop(store, scenario_path, ["Red", "Blue"], seed=, round_minutes=, name=,
    bots=, bot_policy=)`` -> Workshop.
    ``room = Room(store, workshop_id)`` (raises ScenarioChanged if the file changed) or
    ``room, team = Room.for_code(store, code)`` for a team client.
    Reading: ``room.refresh()`` (re-read after a change token moved), ``room.workshop``
    (``.control``, ``.message``), ``room.status()`` -> Status(rows of TeamRow: team, status
    'waiting'|'submitted'|'override'|'absent'|'skips'|'finished'|'out', choice only after the
    reveal), ``room.team_game(team_id)`` -> TeamGame (states, outcomes: the pure rules replayed
    from its decisions with the workshop seed), ``room.offered(team_id)``,
    ``room.override_options(team_id)`` (what an override may enter, also for a team that
    already decided), ``room.draft(team_id)``, ``room.notes()``, ``room.scenario`` /
    ``room.game`` for wording.
    Facilitator: ``room.act('open'|'close'|'reveal'|'next'|'timer-start'|'timer-add'|'timer-pause'|
    'timer-resume'|'timer-end', seconds=, expected_version=)`` (opening lets bots submit),
    ``room.override(team, option_id, reason, replace=)``, ``room.mark_absent(team, reason,
    replace=)`` (a decision the team already has in the round is replaced only with
    ``replace=True``, else AlreadyDecided),
    ``room.note(team_or_None, text)``, ``room.message(text)`` (shown until replaced,
    cleared or the round is left: `next` takes it down), ``room.run_bots()`` (call it in
    the console's poll loop too), ``room.export(dir)``.
    Team: ``room.join(team, client)``, ``room.save_draft(team_id, option_id, reason)``,
    ``room.submit(team_id, option_id, reason, round_no=the round the screen showed)``.
"""

from engine.workshop.model import (
    CODE_ALPHABET,
    AlreadyDecided,
    Conflict,
    Control,
    Draft,
    Event,
    MissingDecisions,
    NotFound,
    Phase,
    PhaseError,
    Refused,
    Team,
    TeamDecision,
    Workshop,
    WorkshopError,
    step,
)
from engine.workshop.room import Room, ScenarioChanged, Status, TeamGame, TeamRow, create_workshop
from engine.workshop.store import Snapshot, WorkshopStore, open_store

__all__ = [
    "AlreadyDecided", "CODE_ALPHABET", "Conflict", "Control", "Draft", "Event",
    "MissingDecisions", "NotFound", "Phase", "PhaseError",
    "Refused", "Room", "ScenarioChanged", "Snapshot", "Status", "Team", "TeamDecision",
    "TeamGame", "TeamRow", "Workshop", "WorkshopError", "WorkshopStore", "create_workshop",
    "open_store", "step",
]
