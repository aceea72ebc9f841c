"""The `backchannel` command as a user runs it (in a subprocess, through the console script)."""

import os
import shutil
import subprocess
import sys

import pytest

from engine.play.session import Session
from tests.conftest import EXAMPLE

EXE = shutil.which("backchannel") or ""


def run(*args, stdin: str = "", env=None):
    cmd = [EXE, *args] if EXE else [sys.executable, "-m", "backchannel_cli.main", *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("command", [[], ["list"], ["check"], ["play"], ["debrief"], ["serve"]])
def test_every_command_has_help(command):
    out = run(*command, "--help")
    assert out.returncode == 0 and "usage: backchannel" in out.stdout


def test_check_a_good_file_prints_a_summary_and_exits_0():
    out = run("check", str(EXAMPLE))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok: 0 errors, 0 warnings" in out.stdout
    assert "Track 1: 2, Track 1.5: 2, Track 2: 2" in out.stdout
    assert "citations per source: feng-track2 8, kang-kwa-2025 7" in out.stdout


def test_check_a_broken_copy_lists_every_problem_with_positions(tmp_path, example_text):
    broken = tmp_path / "broken.yaml"
    broken.write_text(example_text.replace("  - id: kang-kwa-2025", "  - id: kangkwa-2025")
                      .replace("better: lower", "better: lowest")
                      .replace("at_table: [experts]", "at_table: [expert]"))
    out = run("check", str(broken))
    assert out.returncode == 1
    lines = [ln for ln in out.stdout.splitlines() if ": error: " in ln]
    assert len(lines) >= 8  # 7 citations of the undeclared source + better + actor
    for ln in lines:
        path, line, col, *_ = ln.split(":")
        assert path == str(broken) and line.isdigit() and col.isdigit()
    assert any("did you mean 'kangkwa-2025'" in ln for ln in lines)
    assert any("better must be one of higher, lower, neither" in ln for ln in lines)
    assert "Traceback" not in out.stderr
    assert f"{broken}: FAILED:" in out.stdout


def test_check_strict_fails_on_warnings(tmp_path, example_text):
    p = tmp_path / "w.yaml"
    ending_cite = 'stayed ideas (kang-kwa-2025 ¶12).\n    cite: ["kang-kwa-2025 ¶12"]\n'
    assert ending_cite in example_text
    p.write_text(example_text.replace(ending_cite, "stayed ideas.\n"))  # ending without cite
    assert run("check", str(p)).returncode == 0
    assert run("check", "--strict", str(p)).returncode == 1


def test_scripted_plain_game_reaches_an_ending_and_its_log_replays(tmp_path):
    log = tmp_path / "game.jsonl"
    out = run("play", "--plain", str(EXAMPLE), "--seed", "4", "--save", str(log),
              "--team", "Blue", stdin="m 2\n3 # build trust first\nxyz\nd\n1\na\n")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for expected in ("== Round 1 of 2: The first smoke", "[Track 1.5]", "What the sources say:",
                     "(Kang & Kwa 2025 ¶9)", "'xyz' is not an option here",
                     "What has to be in place before the dry season?", "DEBRIEF",
                     "Ending: Clearer skies, for now", "Trade-offs forgone, in full"):
        assert expected in text, expected
    s = Session.resume(log)
    assert s.state.over and s.state.ending_id == "clear-skies"
    assert [(d.option_id, d.by, d.why) for d in s.decisions] == [
        ("research-network", "Blue", "build trust first"), ("binding-agreement", "Blue", None)]


def test_line_mode_briefing_says_what_the_apps_says_in_its_order(tmp_path):
    # Line mode is how screen-reader users play: its briefing listed the actors and the
    # indicators only, not the objectives, the three tracks or the workshop's team roles
    # that the app's briefing shows; and not how many rounds the game has.
    out = run("play", "--plain", str(EXAMPLE), "--seed", "1", "--save", str(tmp_path / "g"),
              "--role", "ministry-adviser", stdin="q\n")
    assert out.returncode == 0, out.stderr
    brief = " ".join(out.stdout.split("== Briefing ==")[1].split("== Round 1")[0].split())
    head = " ".join(out.stdout.split("== Briefing ==")[0].split())
    assert "Southeast Asia, an unnamed dry season, 2 rounds, 10 min solo, 45 min workshop" in head
    expected = [  # the app's sections (tests/tui: the same engine.present.briefing), in order
        "Smoke from land fires crosses borders again.",
        "== Your role (private): Adviser to the environment minister == - Your minister wants "
        "something on the record this season, and soon. (Feng ¶4)",
        "What this game is for: - See why a cross-border problem invites unofficial dialogue",
        "- Weigh the speed of official action against the trust Track-2 builds slowly.",
        "The three tracks: - Track 1: official, state-to-state diplomacy through government "
        "channels - Track 1.5: officials in a personal capacity sitting beside independent "
        "experts - Track 2: unofficial dialogue",
        "Actors and their stances: - Environment ministries of the affected states (state) "
        "Interests: Clean air before elections",
        "Indicators: - Air quality (starts at 3, 0-10, higher is better) How clean the air is",
        "Team roles (for a workshop): - Environment ministry: Wants visible action this "
        "season. - Think tank: Wants a process that outlasts this season.",
    ]
    at = [brief.find(part) for part in expected]
    assert -1 not in at and at == sorted(at), list(zip(at, expected, strict=True))


def test_end_of_input_saves_and_explains_how_to_resume(tmp_path):
    log = tmp_path / "g.jsonl"
    out = run("play", "--plain", str(EXAMPLE), "--seed", "1", "--save", str(log), stdin="1\n")
    assert out.returncode == 0 and "Resume with: backchannel play --plain --resume" in out.stdout
    more = run("play", "--plain", "--resume", str(log), stdin="2\n")
    assert more.returncode == 0 and "DEBRIEF" in more.stdout
    assert "== Round 2 of 2" in more.stdout and "== Round 1 of 2" not in more.stdout


def test_bad_inputs_give_messages_not_tracebacks(tmp_path):
    missing = run("play", "--plain", "no-such-scenario")
    assert missing.returncode == 1 and "no scenario 'no-such-scenario'" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: [\n")
    out = run("play", "--plain", str(bad))
    assert out.returncode == 1 and f"{bad}:" in out.stderr and "Traceback" not in out.stderr
    junk = tmp_path / "junk.jsonl"
    junk.write_text("hello\n")
    out = run("play", "--plain", "--resume", str(junk))
    assert out.returncode == 1 and "not a valid log line" in out.stderr
    assert "Traceback" not in out.stderr


def test_debrief_exports_markdown(tmp_path):
    log = tmp_path / "g.jsonl"
    run("play", "--plain", str(EXAMPLE), "--seed", "1", "--save", str(log), stdin="1\n2\n")
    out = run("debrief", str(log))
    assert out.returncode == 0 and out.stdout.startswith("# Debrief: A season of haze")


def test_list_shows_bundled_scenarios_and_saves(tmp_path):
    env = {"BACKCHANNEL_SCENARIOS": str(EXAMPLE.parent), "BACKCHANNEL_DATA_DIR": str(tmp_path)}
    run("play", "--plain", "example-scenario", "--seed", "1", stdin="1\n", env=env)
    out = run("list", env=env)
    assert out.returncode == 0
    assert "haze-season" in out.stdout and "A season of haze" in out.stdout
    assert "1 decisions, at round 2" in out.stdout


def test_plain_output_is_plain_text():
    # Round 2's option 1 needs trust 5, which option 1 of round 1 does not build: it is
    # refused (options keep their numbers), and 2 is taken instead.
    out = run("play", "--plain", str(EXAMPLE), "--seed", "2", stdin="1\n1\n2\na\n")
    assert out.returncode == 0, out.stderr
    assert "Option 1 is not available now" in out.stdout
    # Screen readers and pipes get text only: no terminal escapes, no carriage returns or
    # other control characters that a reader would announce or a log would garble.
    assert "\x1b" not in out.stdout
    assert not {c for c in out.stdout if not c.isprintable() and c != "\n"}
    # ... and the whole game is there, from the briefing to the debrief's last section.
    assert "== Briefing ==" in out.stdout and "== Round 2 of 2" in out.stdout
    assert "DEBRIEF: A SEASON OF HAZE" in out.stdout and "Discussion questions" in out.stdout


def test_compare_puts_teams_side_by_side(tmp_path):
    for team, moves in (("Blue", "3\n1\n"), ("Red", "1\n3\n")):
        run("play", "--plain", str(EXAMPLE), "--seed", "1", "--team", team, "--save",
            str(tmp_path / f"{team}.jsonl"), stdin=moves)
    out = run("compare", str(tmp_path / "Blue.jsonl"), str(tmp_path / "Red.jsonl"))
    assert out.returncode == 0, out.stderr
    rows = {ln.split("|")[1].strip(): [c.strip() for c in ln.split("|")[2:-1]]
            for ln in out.stdout.splitlines() if ln.startswith("| ")}
    assert rows["Round"] == ["Blue", "Red"]
    assert rows["1. The first smoke ◀ differs"] == [
        "3. Fund a research network to pool hotspot data (Track 2)",
        "1. Call an emergency ministerial meeting (Track 1)"]
    # Red's public report pushed friction to 8: the recall event (trust -2), then an early end
    assert rows["**Ending**"] == ["Clearer skies, for now (success)", "A war of words (failure)"]
    assert rows["Trust between neighbours ↑"] == ["4 → 6 → 6", "4 → 4 → 2"]
    # Red could not take option 1 in round 2 (the protocol needs trust 5); option 3, the
    # Track-2 report, keeps its number all the same
    assert rows["Tracks chosen"] == ["1× Track 1 / 0× Track 1.5 / 1× Track 2"] * 2


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "a.yaml"], ["check", "-q", "a.yaml"], ["check", "--quiet", "a", "b"],
    ["check", "--strict", "-q", "a"], ["check", "-q", "-q", "--strict"], ["check", "", "x y"],
])
def test_check_reads_its_plain_command_line_as_argparse_does(argv):
    """`check` reads a plain command line without argparse (5 ms of each check): it must
    read it as the parser does, every option's default included."""
    from backchannel_cli import main

    fast = main.plain_check_args(argv)
    assert fast is not None and vars(fast) == vars(main.build_parser("check").parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["check", "-h"], ["check", "a", "-q"], ["check", "--qu", "a"], ["check", "--", "a"],
    ["check", "-qs"], ["check", "--strict=1"], ["check", "-"], ["list"], ["-q", "check"],
])
def test_check_leaves_every_other_command_line_to_argparse(argv):
    from backchannel_cli import main

    assert main.plain_check_args(argv) is None
