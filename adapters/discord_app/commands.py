"""The /caremark command as Discord registers it, generated from the knowledge base, and the
explicit `discord sync` step that registers it (never on every boot)."""

from __future__ import annotations

from typing import Any

import aiohttp

from adapters.settings import ConfigError, DiscordSettings
from bot.i18n import words
from bot.kb.knowledge import Knowledge

NAME = "caremark"
MAX_DESCRIPTION = 100
MAX_COMMAND_CHARS = 8000
STRING, CHAT_INPUT, MESSAGE = 3, 1, 3
GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2


SPANISH_LOCALES = ("es-ES", "es-419")
"""Discord's two Spanish locales: Spain and Latin America (U.S. Spanish speakers pick either)."""


def command(kb: Knowledge) -> dict[str, Any]:
    """`/caremark topic:<autocomplete>`: the topic is optional, so bare `/caremark` gives help.
    Descriptions come from the catalogues, with Spanish for Discord's Spanish locales."""
    en, es = words("en"), words("es")
    return {
        "name": NAME,
        "type": CHAT_INPUT,
        "description": en("platform.discord_description")[:MAX_DESCRIPTION],
        "description_localizations": _in_spanish(es("platform.discord_description")),
        # Installed to a server or by a person (then usable in any DM or group DM too).
        "integration_types": [GUILD_INSTALL, USER_INSTALL],
        "contexts": [GUILD, BOT_DM, PRIVATE_CHANNEL],
        "options": [
            {
                "type": STRING,
                "name": "topic",
                "description": en("platform.discord_topic")[:MAX_DESCRIPTION],
                "description_localizations": _in_spanish(es("platform.discord_topic")),
                "required": False,
                "autocomplete": True,
                "max_length": 200,
            }
        ],
    }


def check_command() -> dict[str, Any]:
    """*Check contacts* on a message's menu (Apps → Check contacts): a message command needs
    no privileged intent, since Discord sends the message it was used on."""
    return {
        "name": words("en")("platform.discord_check"),
        "name_localizations": _in_spanish(words("es")("platform.discord_check")),
        "type": MESSAGE,
        "integration_types": [GUILD_INSTALL, USER_INSTALL],
        "contexts": [GUILD, BOT_DM, PRIVATE_CHANNEL],
    }


def _in_spanish(text: str) -> dict[str, str]:
    return {locale: text[:MAX_DESCRIPTION] for locale in SPANISH_LOCALES}


def commands(kb: Knowledge) -> list[dict[str, Any]]:
    return [command(kb), check_command()]


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
