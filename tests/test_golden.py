"""A golden snapshot of every topic's answer, as text and as the neutral JSON reply.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and
review the diff like any other change: it is exactly what employees will see.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adapters.console import render_json, render_text
from adapters.discord_app import render as discord
from adapters.slack import render as slack
from bot.reply import Platform, View
from tests.conftest import Ask
from tests.test_resolution import PHRASINGS

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("topic_id", sorted(PHRASINGS))
async def test_golden_answer(ask: Ask, topic_id: str) -> None:
    brief = await ask(topic_id, timezone="Europe/London", locale="en-US")
    full = await ask(topic_id, timezone="Europe/London", locale="en-US", view=View.FULL)
    snapshots = (
        (".txt", render_text(brief)),  # the first message
        (".full.txt", render_text(full)),  # after "More details"
        (".json", render_json(full) + "\n"),
    )
    for suffix, rendered in snapshots:
        path = GOLDEN / f"{topic_id}{suffix}"
        if os.environ.get("UPDATE_GOLDEN"):
            path.write_text(rendered, encoding="utf-8")
        assert path.exists(), f"no snapshot {path.name}: run with UPDATE_GOLDEN=1"
        assert rendered == path.read_text(encoding="utf-8"), f"{path.name} changed"


@pytest.mark.parametrize("topic_id", sorted(PHRASINGS))
async def test_golden_spanish_answer(ask: Ask, topic_id: str) -> None:
    """The Spanish first message as the console, Slack and Discord show it."""
    context = {"timezone": "America/Chicago", "locale": "es-419", "language": "es"}
    slack_reply = await ask(topic_id, platform=Platform.SLACK, **context)
    discord_reply = await ask(topic_id, platform=Platform.DISCORD, **context)
    snapshots = (
        (".txt", render_text(await ask(topic_id, **context))),
        (".slack.json", _pretty(slack.message(slack_reply))),
        (".discord.json", _pretty(discord.message(discord_reply))),
    )
    for suffix, rendered in snapshots:
        path = GOLDEN / "es" / f"{topic_id}{suffix}"
        if os.environ.get("UPDATE_GOLDEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(rendered, encoding="utf-8")
        assert path.exists(), f"no snapshot es/{path.name}: run with UPDATE_GOLDEN=1"
        assert rendered == path.read_text(encoding="utf-8"), f"es/{path.name} changed"


def _pretty(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
