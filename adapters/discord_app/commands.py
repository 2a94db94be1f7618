"""The /caremark command as Discord registers it, generated from the knowledge base, and the
explicit `discord sync` step that registers it (never on every boot)."""

from __future__ import annotations

from typing import Any

import aiohttp

from adapters.settings import ConfigError, DiscordSettings
from bot.kb.knowledge import Knowledge

NAME = "caremark"
MAX_DESCRIPTION = 100
MAX_COMMAND_CHARS = 8000
STRING, CHAT_INPUT = 3, 1


def command(kb: Knowledge) -> dict[str, Any]:
    """`/caremark topic:<autocomplete>`: the topic is optional, so bare `/caremark` gives help."""
    examples = ", ".join(t.id for t in kb.topics if t.id in ("specialty", "hours", "fees"))
    return {
        "name": NAME,
        "type": CHAT_INPUT,
        "description": "How to reach CVS Caremark, with each fact's source and trust level"[
            :MAX_DESCRIPTION
        ],
        "options": [
            {
                "type": STRING,
                "name": "topic",
                "description": f"A topic or question, e.g. {examples}"[:MAX_DESCRIPTION],
                "required": False,
                "autocomplete": True,
                "max_length": 200,
            }
        ],
    }


def commands(kb: Knowledge) -> list[dict[str, Any]]:
    return [command(kb)]


async def sync(kb: Knowledge, settings: DiscordSettings, guild: str | None = None) -> int:
    """Overwrite the application's commands (in one guild, or globally); return their count."""
    if not settings.token or not settings.application_id:
        raise ConfigError("DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed to sync commands")
    scope = f"/guilds/{guild}" if guild else ""
    url = f"{settings.api_url}/applications/{settings.application_id}{scope}/commands"
    headers = {"Authorization": f"Bot {settings.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.put(url, json=commands(kb), headers=headers) as response,
    ):
        if response.status >= 400:
            detail = (await response.text())[:300]
            raise ConfigError(f"Discord refused the commands ({response.status}): {detail}")
        registered = await response.json()
    return len(registered)
