"""A commented starter scenario for ``backchannel new``.

``starter_yaml(scenario_id)`` returns a small scenario that already passes ``backchannel check``
with no errors and no warnings: two rounds with one option of each track, two indicators, a
flag, an event, an early ending, a conditional ending and a fallback. Its comments say what to
replace. tests/scenario/test_starter.py checks it for many ids.
"""

from __future__ import annotations

import re

from engine.scenario.vocabulary import is_id

DEFAULT_SCHEMA = "../docs/scenario.schema.json"


def _title(scenario_id: str) -> str:
    words = re.split(r"[-_]+", scenario_id)
    return " ".join(w.capitalize() for w in words if w)


def starter_yaml(scenario_id: str, schema: str = DEFAULT_SCHEMA) -> str:
    """The starter scenario as YAML text. ``schema`` is the path or URL of
    docs/scenario.schema.json as seen from where the file will be saved."""
    if not is_id(scenario_id):
        raise ValueError(f"scenario id {scenario_id!r} must be lower case letters, digits, '-' "
                         "or '_', starting with a letter (e.g. 'mekong-water-2025')")
    if any(c in schema for c in "\n\r"):
        raise ValueError("schema reference must be one line")
    return _TEMPLATE.format(schema=schema, id=scenario_id, title=_title(scenario_id))


_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A starter scenario written by `backchannel new`. It already passes `backchannel check`:
# replace the placeholder story with yours, one part at a time, and check again after each.
#   backchannel check FILE      every problem at once, as file:line:col
#   backchannel explore FILE    endings, unreachable parts, dominated options, citations
#   backchannel graph FILE      a Mermaid picture of rounds, options, events and endings
# The format is described in docs/scenario-format.md; docs/authoring.md walks through it.
format: 1
id: {id}                       # also the name for `backchannel play {id}`
title: "{title}"
region: Southeast Asia          # where the situation is set
situation_date: "2025"          # text, kept as written
summary: >-
  One or two sentences for the scenario picker: who is at odds, and what the player must
  decide.

about:
  learning_objectives:          # what a player should be able to do afterwards
    - Compare what an official channel and an unofficial one can achieve in the same crisis.
  duration: {{solo_minutes: 15, workshop_minutes: 60}}
  team_roles:                   # optional: suggested roles for a workshop team
    - name: Foreign ministry
      brief: Wants results it can announce.
    - name: Research institute
      brief: Wants a channel that survives the next crisis.

# Every trade-off cites a paragraph of a declared source: "my-source ¶3" (or "my-source #3").
sources:
  - id: my-source
    title: "Replace with the title of your source"
    authors: [Replace Withauthor]
    publisher: Replace with the publisher
    date: "2025"
    kind: policy commentary
    paragraphs: 12              # how many numbered paragraphs; a citation beyond is an error

actors:                         # who can sit at an option's table (at_table)
  - id: governments
    name: The two governments
    kind: state                 # state, armed-forces, opposition, armed-group, ...
    interests: Calm on the border without looking weak at home
    stance: Will talk, but not in public
  - id: experts
    name: A regional network of research institutes
    kind: track2-network
    interests: A lasting forum and access to officials
    stance: Eager to convene

indicators:                     # 4-8 read well; values are whole numbers, clamped to min..max
  - id: trust
    label: Trust
    meaning: Whether each side believes what the other says (0 none, 10 full)
    start: 4
  - id: tension
    label: Tension
    meaning: How close the two sides are to an incident
    start: 5
    better: lower               # higher (default), lower or neither

flags:                          # set and cleared by effects; read as flags.<id> in conditions
  - id: channel_open
    meaning: An unofficial channel between the two sides is running

rounds:
  - id: first-contact
    title: First contact
    situation: |
      What the player reads before choosing: what has just happened, and who is waiting for
      an answer.
    questions:                  # 2-4 questions for discussion
      - Who has to be in the room for anything agreed to hold?
      - What does each side lose if a meeting becomes public?
    facilitator_notes: |
      What to draw out in discussion, and which source paragraph backs it (my-source ¶2).
    options:                    # one option of each track: 1, 1.5 and 2
      - id: official-talks
        track: 1
        title: Propose talks between the two foreign ministries
        description: Officials meet on the record and issue a joint statement.
        at_table: [governments]
        effects:
          - change: {{tension: -1}}
            text: The statement lowers the temperature, for now.
        tradeoffs:              # each: a dimension, a rating -2..+2 (+ is good), why, cite
          - dimension: official_weight
            rating: 2
            why: What ministers agree on the record binds their governments.
            cite: ["my-source ¶2"]
          - dimension: low_exposure
            rating: -1
            why: A meeting that fails in public costs both sides face.
            cite: ["my-source ¶3"]
      - id: personal-capacity
        track: 1.5
        title: Invite officials in a personal capacity to an expert round-table
        description: Officials and researchers meet off the record.
        at_table: [governments, experts]
        effects:
          - change: {{trust: 1}}
          - change: {{trust: 1}}       # a delayed, uncertain effect
            after: 1                 # resolves at the start of the next round
            chance: 0.5
            text: An idea from the round-table is taken up by one ministry.
        tradeoffs:
          - dimension: track1_uptake
            rating: 1
            why: Officials in the room can carry ideas home themselves.
            cite: ["my-source ¶4"]
          - dimension: low_cost
            rating: -1
            why: Senior officials' time is scarce.
            cite: ["my-source ¶4"]
      - id: expert-dialogue
        track: 2
        title: Fund an unofficial dialogue between research institutes
        description: Researchers from both sides meet twice a year.
        at_table: [experts]
        effects:
          - change: {{trust: 1}}
            set: [channel_open]
            text: The researchers agree to keep meeting.
        tradeoffs:
          - dimension: flexibility
            rating: 2
            why: Participants can float ideas without committing anyone.
            cite: ["my-source ¶5"]
          - dimension: speed
            rating: -2
            why: An unofficial channel pays off over years, not weeks.
            cite: ["my-source ¶6"]

  - id: follow-up
    title: The follow-up
    situation: |
      Some months later. What has changed, and what is now at stake?
    conditional_text:           # lines shown only when their condition holds
      - when: tension >= 6
        text: Patrols have started shadowing each other again.
    questions:
      - Which earlier choice is paying off now, and why?
      - What would make the next step stick?
    facilitator_notes: Ask what the unofficial channel made possible (my-source ¶7).
    options:
      - id: framework-agreement
        track: 1
        title: Negotiate a framework agreement
        description: Ministries draft a text that commits both sides.
        at_table: [governments]
        requires: flags.channel_open   # offered only when this holds
        unavailable: Without a quiet channel first, neither side will table a text.
        effects:
          - change: {{trust: 1, tension: -2}}
            chance: 0.6
            text: The agreement is signed.
            otherwise:                 # what happens when the roll fails
              change: {{tension: 1}}
              text: The talks stall in public.
        tradeoffs:
          - dimension: official_weight
            rating: 2
            why: A signed text commits both governments.
            cite: ["my-source ¶8"]
          - dimension: low_exposure
            rating: -1
            why: A failed negotiation is a public failure.
            cite: ["my-source ¶8"]
      - id: working-retreat
        track: 1.5
        title: Hold a working retreat for officials and researchers
        description: Keep the informal contacts warm.
        at_table: [governments, experts]
        effects:
          - change: {{trust: 1, tension: -1}}
        tradeoffs:
          - dimension: continuity
            rating: 1
            why: A regular informal meeting keeps people talking between crises.
            cite: ["my-source ¶9"]
          - dimension: official_weight
            rating: -1
            why: Nothing said at a retreat commits a government.
            cite: ["my-source ¶9"]
      - id: public-report
        track: 2
        title: Publish the researchers' joint findings
        description: Put the shared facts before the public.
        at_table: [experts]
        effects:
          - change: {{trust: 1, tension: 2}}
        tradeoffs:
          - dimension: inclusiveness
            rating: 1
            why: Civil society and the press can join the debate.
            cite: ["my-source ¶10"]
          - dimension: low_exposure
            rating: -2
            why: Published findings can embarrass a government at home.
            cite: ["my-source ¶10"]

events:                         # injects: at the start of a round, and/or when a condition holds
  - id: incident
    title: An incident at sea
    text: Two patrol boats collide. Both capitals demand an apology.
    round: 2
    when: tension >= 5
    effects:
      - change: {{tension: 1}}
    cite: ["my-source ¶11"]

endings:                        # early endings are checked at the start of every round;
  - id: breakdown               # after the last round, the first final ending that holds
    title: The talks break down
    when: tension >= 8
    early: true
    epilogue: What happened next, in a few sentences.
    grade: failure
    assessment: Which trade-offs decided this, and what the source says (my-source ¶12).
    cite: ["my-source ¶12"]
  - id: progress
    title: Slow progress
    when: trust >= 7
    epilogue: What happened next.
    grade: success
    assessment: Which earlier choices paid off, and why (my-source ¶7).
    cite: ["my-source ¶7"]
  - id: stalemate               # no `when`: the fallback, so every game has an ending
    title: Stalemate
    epilogue: Nothing much changed.
    grade: partial
    assessment: Why the channels chosen could not move things (my-source ¶1).
    cite: ["my-source ¶1"]
"""
