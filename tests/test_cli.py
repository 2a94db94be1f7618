"""The command line as a new user meets it: ask, console, schema."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.cli.chat import run_console
from bot.core import Engine
from bot.model import KnowledgeFile, PlanFile, json_schema
from tests.conftest import EXAMPLE_PLAN, KB_DIR, ROOT


def test_ask_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "specialty"]) == 0
    out = capsys.readouterr().out
    assert "1-800-237-2767" in out and "Official source (cvsspecialty.com)" in out


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
    assert "CVS Specialty pharmacy" in text and "Right now it is" in text
    assert "never read" not in text


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


def test_core_imports_no_chat_sdk() -> None:
    """`bot/` is platform-free: nothing under it imports Slack or Discord."""
    code = (
        "import sys, bot.core, bot.checks, bot.answer; "
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('slack_bolt', 'slack_sdk', 'discord', 'aiohttp')])"
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
    for source in (ROOT / "bot").glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "import slack" not in text and "import discord" not in text, source.name
