"""Re-verification reminders on Slack: the owner's direct message with *Still right* and
*Change it*, the admins' note, and the buttons. Only the owner or a plan admin may confirm a
fact; anyone else is refused politely."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.desk import shown
from adapters.slack.admin import SlackAdmin
from adapters.slack.render import escape
from adapters.store.facts import Refused, StoredSlot, from_ref
from bot.i18n import words

STILL_RIGHT = "recheck:still"
CHANGE_IT = "recheck:change"
ACTIONS = re.compile(r"^recheck:(still|change)$")
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
ELSEWHERE = {"channel_not_found", "user_not_found", "user_not_visible", "cannot_dm_bot"}
"""What a workspace says of a person who is not in it."""


class SlackMessenger:
    """Direct messages to Slack users (ids like U0123ABC). With the app installed in many
    workspaces, each workspace's client is tried in turn until one reaches the person."""

    def __init__(self, clients: Callable[[], Awaitable[Sequence[AsyncWebClient]]]) -> None:
        self._clients = clients

    async def _send(self, user: str, **message: Any) -> None:
        clients = await self._clients()
        for n, client in enumerate(clients, 1):
            try:
                await client.chat_postMessage(channel=user, **message)
                return
            except SlackApiError as error:
                if n == len(clients) or error.response.get("error") not in ELSEWHERE:
                    raise

    def reaches(self, user: str) -> bool:
        return bool(SLACK_ID.match(user))

    async def ask(self, user: str, slot: StoredSlot) -> None:
        text = words("en")(
            "recheck.question",
            label=_label(slot),
            value=escape(shown(slot)),
            who=escape(slot.verified_by),
            date=slot.verified_on.isoformat(),
        )
        await self._send(user, text=text, blocks=_question(text, slot.ref))

    async def tell(self, user: str, slot: StoredSlot) -> None:
        owner = f"<@{slot.owner}>" if slot.owner else "—"
        note = words("en")(
            "recheck.overdue",
            label=_label(slot),
            value=escape(shown(slot)),
            date=slot.due_on().isoformat(),
            owner=owner,
        )
        await self._send(user, text=note)

    async def say(self, user: str, text: str) -> None:
        await self._send(user, text=text)


class SlackRecheckButtons:
    """*Still right* and *Change it* in a reminder."""

    def __init__(self, db: Any, admin_ids: frozenset[str], desk: SlackAdmin | None = None) -> None:
        """`desk` opens the edit form for *Change it*, and knows people's names."""
        self._db, self._admins, self._desk = db, admin_ids, desk

    def register(self, app: AsyncApp) -> None:
        app.action(ACTIONS)(self.pressed)

    async def pressed(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        from adapters.store.plans import PlanStore

        await ack()
        action = (body.get("actions") or [{}])[0]
        plan, slot_id = from_ref(str(action.get("value") or ""))
        user = str(body.get("user", {}).get("id", ""))
        said = words("en")
        store = PlanStore(self._db, plan=plan)
        slot = await store.slot(slot_id)
        if slot is None or (user != slot.owner and user not in self._admins):
            await respond(text=said("recheck.not_allowed"), replace_original=False)
            return
        if action.get("action_id") == STILL_RIGHT:
            name = await self._desk.name(user) if self._desk else None
            who = f"{name} (slack:{user})" if name else f"slack:{user}"
            try:
                await store.verify(slot_id, who, surface="chat", by=name)
            except Refused:
                await respond(text=said("recheck.not_allowed"), replace_original=False)
                return
            await respond(text=said("recheck.thanks", label=_label(slot)), replace_original=True)
            return
        trigger = str(body.get("trigger_id") or "")
        desk = self._desk
        if desk is None or not trigger or not await desk.open_edit(trigger, user, slot_id, plan):
            await respond(text=said("recheck.how_to_change", label=_label(slot), slot=slot_id))


def _label(slot: StoredSlot) -> str:
    return escape(str(slot.body.get("label", slot.slot_id)))


def _question(text: str, ref: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}},
        {
            "type": "actions",
            "elements": [
                _button(STILL_RIGHT, "recheck.still_right", ref, primary=True),
                _button(CHANGE_IT, "recheck.change_it", ref),
            ],
        },
    ]


def _button(action: str, key: str, ref: str, *, primary: bool = False) -> dict[str, Any]:
    button = {
        "type": "button",
        "action_id": action,
        "value": ref,
        "text": {"type": "plain_text", "text": words("en")(key)},
    }
    return button | ({"style": "primary"} if primary else {})
