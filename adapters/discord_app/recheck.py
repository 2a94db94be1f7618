"""Re-verification reminders on Discord: a direct message to a due fact's owner (a Discord
user id) with *Still right* and *Change it*, and the admins' note, sent over Discord's REST
API with the bot token. The buttons are answered by the admin desk (`discord_app/admin.py`),
in HTTP-interactions and gateway mode alike."""

from __future__ import annotations

from typing import Any

import aiohttp

from adapters.desk import shown
from adapters.discord_app import render
from adapters.store.facts import StoredSlot
from bot.i18n import words

API = "https://discord.com/api/v10"
STILL_RIGHT = "caremark:recheck:still:"
CHANGE_IT = "caremark:recheck:change:"


class DiscordMessenger:
    """Direct messages to Discord users (ids are numbers)."""

    def __init__(self, token: str, api: str = API) -> None:
        self._headers = {"Authorization": f"Bot {token}"}
        self._api = api.rstrip("/")

    def reaches(self, user: str) -> bool:
        return user.isdigit()

    async def ask(self, user: str, slot: StoredSlot) -> None:
        content = bolded(
            "recheck.question",
            label=str(slot.body.get("label", slot.slot_id)),
            value=shown(slot),
            who=slot.verified_by,
            date=slot.verified_on.isoformat(),
        )
        said = words("en")
        buttons = [
            render.button(STILL_RIGHT + slot.ref, said("recheck.still_right"), render.PRIMARY),
            render.button(CHANGE_IT + slot.ref, said("recheck.change_it"), render.SECONDARY),
        ]
        await self._send(user, {"content": content, "components": [_row(buttons)]})

    async def tell(self, user: str, slot: StoredSlot) -> None:
        content = bolded(
            "recheck.overdue",
            label=str(slot.body.get("label", slot.slot_id)),
            value=shown(slot),
            date=slot.due_on().isoformat(),
            owner=f"<@{slot.owner}>" if slot.owner else "—",
        )
        await self._send(user, {"content": content})

    async def say(self, user: str, text: str) -> None:
        await self._send(user, {"content": text.replace("*", "**")[:2000]})

    async def _send(self, user: str, message: dict[str, Any]) -> None:
        message = {**message, "allowed_mentions": render.NO_MENTIONS}
        async with aiohttp.ClientSession(headers=self._headers) as session:
            async with session.post(
                f"{self._api}/users/@me/channels", json={"recipient_id": user}
            ) as opened:
                opened.raise_for_status()
                channel = (await opened.json())["id"]
            async with session.post(
                f"{self._api}/channels/{channel}/messages", json=message
            ) as sent:
                sent.raise_for_status()


def bolded(key: str, **params: str) -> str:
    """A catalogue sentence in Discord markdown: its `*bold*` made `**bold**`, and every
    value escaped (mentions of the owner, `<@id>`, stay as they are: nobody is pinged)."""
    tokens = {name: f"\x00{i}\x00" for i, name in enumerate(params)}
    text = words("en")(key, **tokens).replace("*", "**")
    for name, token in tokens.items():
        value = params[name]
        text = text.replace(token, value if name == "owner" else render.escape(value))
    return text


def _row(buttons: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": 1, "components": buttons}
