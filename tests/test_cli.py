"""The command line as a new user meets it: ask, console, schema."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.cli.chat import run_console
from bot.core import Engine
from bot.kb.model import KnowledgeFile, PlanFile, json_schema
from tests.conftest import EXAMPLE_PLAN, KB_DIR, ROOT


def test_ask_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "specialty"]) == 0
    out = capsys.readouterr().out
    assert "1-800-237-2767" in out and "Official: cvsspecialty.com" in out


def test_ask_json_is_the_neutral_reply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "my", "medication", "arrived", "damaged", "--format", "json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["topic_id"] == "lost-or-damaged"
    assert reply["visibility"] == "shareable"


def test_ask_with_plan_flag_and_env(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "customer care", "--plan", str(EXAMPLE_PLAN)]) == 0
    assert "1-844-443-4279" in capsys.readouterr().out
    monkeypatch.setenv("CAREMARK_PLAN", str(EXAMPLE_PLAN))
    assert main(["ask", "customer care"]) == 0
    assert "Verified by" in capsys.readouterr().out


def test_ask_hours_uses_the_given_zone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hours", "--tz", "Asia/Tokyo", "--locale", "ja-JP"]) == 0
    out = capsys.readouterr().out
    assert "your time (Asia/Tokyo)" in out and ("open now" in out or "closed now" in out)


def test_console_answers_typed_questions_until_quit(engine: Engine) -> None:
    stdin = io.StringIO("specialty\n\nhours\nquit\nnever read\n")
    out = io.StringIO()
    args = Namespace(locale="en-US", tz="America/Chicago")
    run_console(engine, args, stdin, out)
    text = out.getvalue()
    assert "Type a question" in text
    assert "CVS Specialty pharmacy" in text and "in Chicago" in text
    assert "never read" not in text


def test_the_console_follows_a_conversation(engine: Engine) -> None:
    stdin = io.StringIO("specialty\nin spanish please\nmás\n")
    out = io.StringIO()
    run_console(engine, Namespace(locale="en-US", tz="America/Chicago"), stdin, out)
    answers = out.getvalue().split("\n\n(")
    assert "CVS Specialty pharmacy" in answers[0]
    assert "farmacia de especialidad" in answers[1]  # the same topic, now in Spanish
    assert "Pasos:" in answers[2]  # "más": the full answer, still in Spanish


def test_console_is_the_default_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters.cli"],
        input="tty\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "711" in result.stdout


@pytest.mark.parametrize(
    ("model", "path"),
    [(KnowledgeFile, KB_DIR / "schema.json"), (PlanFile, KB_DIR / "plan.schema.json")],
)
def test_committed_schema_is_current(model: type[KnowledgeFile | PlanFile], path: Path) -> None:
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == json_schema(model), f"run `make schema` to refresh {path.name}"


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "KnowledgeFile" and "topics" in schema["properties"]


OUTSIDE_THE_CORE = ("slack_bolt", "slack_sdk", "discord", "aiohttp", "sqlalchemy", "redis")


def test_core_imports_no_chat_sdk() -> None:
    """`bot/` is platform- and storage-free: no module under it imports a chat SDK, a web
    framework, a database or Redis."""
    code = (
        "import importlib, pkgutil, sys, bot\n"
        "for m in pkgutil.walk_packages(bot.__path__, 'bot.'): importlib.import_module(m.name)\n"
        f"print([m for m in sys.modules if m.split('.')[0] in {OUTSIDE_THE_CORE!r}])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"
    for source in (ROOT / "bot").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for name in OUTSIDE_THE_CORE:
            assert f"import {name}" not in text and f"from {name}" not in text, source.name


def _console_in_a_terminal() -> tuple[subprocess.Popen[bytes], int]:
    """The console on a pseudo-terminal, as `make run` starts it, waiting at its prompt."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "console"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        start_new_session=True,
        env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"},
    )
    os.close(follower)
    _read_until(leader, b"caremark> ")
    return process, leader


def _read_until(fd: int, token: bytes, timeout: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while token not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    assert token in seen, seen
    return seen


def test_ctrl_c_at_the_prompt_leaves_at_once() -> None:
    process, leader = _console_in_a_terminal()
    try:
        process.send_signal(signal.SIGINT)  # what the terminal sends for Ctrl-C
        assert process.wait(timeout=5) == 0  # no Enter needed, and no "Error 130" from make
    finally:
        process.kill()
        os.close(leader)


def test_ctrl_d_ends_the_line_then_leaves() -> None:
    process, leader = _console_in_a_terminal()
    try:
        os.write(leader, b"\x04")  # end of input at an empty prompt
        assert process.wait(timeout=5) == 0
        assert _read_until(leader, b"\n", timeout=5).endswith(b"\n")
    finally:
        process.kill()
        os.close(leader)


BROKEN_PLAN = "plan: {id: acme, name: Acme, verified_by: Acme HR, verified_on: 2026-13-40}\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["--plan", "{plan}", "kb", "check"],
        ["kb", "check", "--plan", "{plan}"],
        ["--plan", "{plan}", "ask", "specialty"],
        ["ask", "specialty", "--plan", "{plan}"],
        ["--plan", "{plan}", "verify", "711"],
        ["--kb", "{missing}", "kb", "check"],
        ["kb", "audit", "--kb", "{missing}"],
    ],
)
def test_global_options_count_before_or_after_the_command(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(BROKEN_PLAN, encoding="utf-8")
    filled = [a.format(plan=plan, missing=tmp_path / "nowhere") for a in argv]
    assert main(filled) in (1, 2)  # the broken file was read, wherever the option stood
    seen = capsys.readouterr()
    assert "OK:" not in seen.out
    assert str(tmp_path) in seen.out + seen.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tz", "Europe/London", "kb", "check"], "--tz does not apply to 'kb check'"),
        (["--locale", "en-GB", "verify", "711"], "--locale does not apply to 'verify'"),
        (["--plan", "x.yaml", "kb", "schema"], "--plan does not apply to 'kb schema'"),
        (["ask", "hours", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["ask", "hours", "--locale", "english please"], "not a locale"),
        (["kb", "check", "--tz", "UTC"], "unrecognized arguments: --tz"),
    ],
)
def test_options_that_mean_nothing_here_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_locale_is_normalised(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hours", "--locale", "en_gb", "--tz", "Europe/London"]) == 0
    assert " PM" not in capsys.readouterr().out  # en-GB: a 24-hour clock


def test_format_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    assert "Block Kit" in capsys.readouterr().out


@pytest.mark.parametrize("reader", ["head -n 1", "true"])
def test_audit_into_a_closed_pipe_ends_quietly(reader: str, tmp_path: Path) -> None:
    errors = tmp_path / "stderr"
    result = subprocess.run(
        f"{sys.executable} -m adapters.cli kb audit 2>{errors} | {reader}",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.stdout.count("\n") <= 1
    assert errors.read_text(encoding="utf-8") == ""  # no traceback, no "Exception ignored"


def test_verify_711_is_about_the_relay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "711"]) == 0
    assert "relay service" in capsys.readouterr().out
    assert main(["verify", "711", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["verdict"] == "official"
