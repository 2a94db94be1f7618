"""Re-verification reminders on Slack: a direct message to a due fact's owner with *Still
right* and *Change it*, and a note to the plan admins (`CAREMARK_ADMINS`) when nobody answered
in time. Only the owner or an admin may confirm a fact; anyone else is refused politely."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.background import while_serving
from adapters.slack.admin import SlackAdmin
from adapters.slack.render import escape
from adapters.store.facts import Refused, StoredSlot
from adapters.store.plans import PlanStore
from adapters.store.reminders import Audience, Reminder, claim, due_reminders
from bot.i18n import words

log = logging.getLogger(__name__)
STILL_RIGHT = "recheck:still"
CHANGE_IT = "recheck:change"
ACTIONS = re.compile(r"^recheck:(still|change)$")
CHECK_EVERY_SECONDS = 3600.0


def admins(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """`CAREMARK_ADMINS`: the user ids of plan admins, separated by commas or spaces."""
    env = os.environ if env is None else env
    return frozenset(re.split(r"[,\s]+", env.get("CAREMARK_ADMINS", "").strip())) - {""}


class Recheck:
    """Sends the reminders that are due and handles their buttons."""

    def __init__(
        self,
        db: AsyncEngine,
        client: AsyncWebClient,
        admin_ids: frozenset[str],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        desk: SlackAdmin | None = None,
    ) -> None:
        """`desk` opens the edit form for *Change it*, and knows people's names."""
        self._db, self._client, self._admins, self._now = db, client, admin_ids, now
        self._desk = desk

    def register(self, app: AsyncApp) -> None:
        app.action(ACTIONS)(self.pressed)

    async def send_due(self) -> int:
        """Send every reminder due now that no other instance has claimed; returns how many."""
        sent = 0
        for reminder in await due_reminders(self._db, self._now().date()):
            if await claim(self._db, reminder, self._now()):
                await self._send(reminder)
                sent += 1
        return sent

    async def run(self, interval: float = CHECK_EVERY_SECONDS) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:
                log.exception("re-verification reminders failed")
            await asyncio.sleep(interval)

    def context(self) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
        """An aiohttp cleanup context: check for due reminders while the app serves."""
        return while_serving(self.run, self._db.dispose)

    async def _send(self, reminder: Reminder) -> None:
        slot, said = reminder.slot, words("en")
        label, value = escape(str(slot.body.get("label", slot.slot_id))), escape(_value(slot))
        if reminder.audience is Audience.OWNER and slot.owner:
            text = said(
                "recheck.question",
                label=label,
                value=value,
                who=escape(slot.verified_by),
                date=slot.verified_on.isoformat(),
            )
            await self._client.chat_postMessage(
                channel=slot.owner, text=text, blocks=_question(text, slot.slot_id)
            )
            return
        owner = f"<@{slot.owner}>" if slot.owner else "—"
        note = said(
            "recheck.overdue", label=label, value=value, date=slot.due_on().isoformat(), owner=owner
        )
        for admin in sorted(self._admins):
            await self._client.chat_postMessage(channel=admin, text=note)

    async def pressed(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        slot_id, user = str(action.get("value") or ""), str(body.get("user", {}).get("id", ""))
        said = words("en")
        store = PlanStore(self._db)
        slot = next((s for s in await store.slots() if s.slot_id == slot_id), None)
        if slot is None or (user != slot.owner and user not in self._admins):
            await respond(text=said("recheck.not_allowed"), replace_original=False)
            return
        label = escape(str(slot.body.get("label", slot_id)))
        if action.get("action_id") == STILL_RIGHT:
            try:
                name = await self._desk.name(user) if self._desk else None
                who = f"{name} (slack:{user})" if name else f"slack:{user}"
                await store.verify(slot_id, who, surface="chat", by=name)
            except Refused:
                await respond(text=said("recheck.not_allowed"), replace_original=False)
                return
            await respond(text=said("recheck.thanks", label=label), replace_original=True)
            return
        trigger = str(body.get("trigger_id") or "")
        desk = self._desk
        if desk is None or not trigger or not await desk.open_edit(trigger, user, slot_id):
            await respond(text=said("recheck.how_to_change", label=label, slot=slot_id))


def _value(slot: StoredSlot) -> str:
    return ", ".join(str(f.get("value", "")) for f in slot.body.get("facts", []) if "value" in f)


def _question(text: str, slot_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}},
        {
            "type": "actions",
            "elements": [
                _button(STILL_RIGHT, "recheck.still_right", slot_id, primary=True),
                _button(CHANGE_IT, "recheck.change_it", slot_id),
            ],
        },
    ]


def _button(action: str, key: str, slot_id: str, *, primary: bool = False) -> dict[str, Any]:
    button = {
        "type": "button",
        "action_id": action,
        "value": slot_id,
        "text": {"type": "plain_text", "text": words("en")(key)},
    }
    return button | ({"style": "primary"} if primary else {})
