"""The plan admins' desk, whatever the chat platform: who is a plan admin, the plan's facts
with where each stands, and a change previewed exactly as employees will see it before it is
published. Slack's and Discord's modals are drawn on top of this (`slack/admin.py`,
`discord_app/admin.py`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.store.facts import HR_CONTACT, Edit, Refused, StoredSlot
from adapters.store.schedule import describe
from bot.answer.build import key_slots
from bot.core import Engine
from bot.i18n import words
from bot.kb.knowledge import Knowledge
from bot.reply import Platform, Query, Reply, View

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

DRAFT_MINUTES = 30
"""How long a previewed change waits to be published before it must be made again."""
ON = frozenset({"1", "on", "yes", "true"})


@dataclass(frozen=True, slots=True)
class Admins:
    """`CAREMARK_ADMINS` (user ids, by commas or spaces), and, when `CAREMARK_PLATFORM_ADMINS`
    is on, the platform's own: Slack workspace admins and owners, Discord's Manage Server."""

    ids: frozenset[str] = frozenset()
    platform_roles: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Admins:
        env = os.environ if env is None else env
        ids = frozenset(re.split(r"[,\s]+", env.get("CAREMARK_ADMINS", "").strip())) - {""}
        platform = env.get("CAREMARK_PLATFORM_ADMINS", "").strip().lower() in ON
        return cls(ids, platform)

    def allows(self, user: str, platform_admin: bool = False) -> bool:
        return bool(user) and (user in self.ids or (self.platform_roles and platform_admin))


class Standing(StrEnum):
    """Where a fact stands: verified, due for re-verification, or expired (its badge gone)."""

    VERIFIED = "verified"
    DUE = "due"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Row:
    """One plan fact as an admin sees it in the list."""

    slot: StoredSlot
    label: str
    shown: str
    standing: Standing


@dataclass(frozen=True, slots=True)
class Preview:
    """A change not yet published, and the answer employees would get once it is."""

    draft_id: str
    edit: Edit
    reply: Reply


class Desk:
    """List, preview, publish: every change through the store's gate, logged as from chat."""

    def __init__(
        self,
        db: AsyncEngine,
        served: Callable[[], Knowledge],
        kb_dir: Path | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        *,
        hide_unverified: bool = False,
        plan: str | None = None,
    ) -> None:
        """`served` is the knowledge base answering now: new plan facts take their kind and
        label from its slots. `plan` is the stored plan this desk works on (default: the
        deployment's default plan)."""
        from adapters.store.plans import PlanStore  # the database layer, only once needed

        self._db, self._served, self._now = db, served, now
        self._kb_dir, self._hide_unverified = kb_dir, hide_unverified
        self.store = PlanStore(db, kb_dir, now, plan)

    async def summary(
        self, language: str = "en", days: int = 30, *, compact: bool = False
    ) -> str | None:
        """The last `days` days of the report in one sentence (None: nothing asked yet)."""
        from adapters.digest import summary
        from adapters.report import build

        today = self._now().date()
        since = today - dt.timedelta(days=days - 1)
        made = await build(self._db, since, today, self._served(), await self.store.slots())
        return summary(made, language, compact=compact) if made.questions else None

    def for_plan(self, plan: str | None) -> Desk:
        """The same desk, on another stored plan."""
        return Desk(
            self._db,
            self._served,
            self._kb_dir,
            self._now,
            hide_unverified=self._hide_unverified,
            plan=plan,
        )

    async def plans(self) -> list[tuple[str, str]]:
        """Every stored plan: (id, name)."""
        from adapters.store.plans import PlanStore, plan_ids

        found = []
        for plan in await plan_ids(self._db):
            header = await PlanStore(self._db, plan=plan).stored_header()
            found.append((plan, str((header or {}).get("plan", {}).get("name", plan))))
        return found

    async def map_here(
        self, platform: str, workspace: str, channel: str, plan: str | None, who: str
    ) -> None:
        """Answer this channel from `plan` (None: from the workspace's or the default)."""
        from adapters.store.routes import Route, drop_route, set_route

        if plan is None:
            await drop_route(self._db, (platform, workspace, channel), who, "chat")
        else:
            await set_route(self._db, Route(platform, workspace, channel, plan), who, "chat")

    async def set_language(
        self, platform: str, workspace: str, language: str | None, who: str
    ) -> None:
        """Answer this workspace or guild in `language` when a question could be either
        (None: each person's app language)."""
        from adapters.store.places import set_language

        await set_language(self._db, (platform, workspace), language, who, "chat")

    def addable(self, stored: set[str]) -> list[tuple[str, str]]:
        return addable(self._served(), stored)

    async def rows(self) -> list[Row]:
        today = self._now().date()
        return [
            Row(slot, str(slot.body.get("label", slot.slot_id)), shown(slot), standing(slot, today))
            for slot in await self.store.slots()
        ]

    async def slot(self, slot_id: str) -> StoredSlot | None:
        return await self.store.slot(slot_id)

    async def preview(
        self, edit: Edit, who: str, name: str, platform: Platform, language: str = "en"
    ) -> Preview:
        """Check the change, keep it as a draft, and answer as employees would be answered;
        raises Refused (nothing kept) when the gate turns it down."""
        knowledge = await self.store.preview(await self._filled(edit), name)
        engine = await asyncio.to_thread(
            Engine, knowledge, self._now, hide_unverified=self._hide_unverified
        )
        topic, view = showing(knowledge, edit.slot_id)
        reply = await engine.handle(Query(topic, platform, language=language, view=view))
        from sqlalchemy import delete, insert

        from adapters.store.tables import plan_drafts

        draft = secrets.token_hex(8)
        async with self._db.begin() as db:
            await db.execute(
                delete(plan_drafts).where(plan_drafts.c.created_at < self._now() - _KEPT)
            )
            await db.execute(
                insert(plan_drafts).values(
                    id=draft,
                    who=who,
                    edit={**edit.as_json(), "name": name, "plan": await self.store.plan_id()},
                    created_at=self._now(),
                )
            )
        return Preview(draft, edit, reply)

    async def publish(self, draft_id: str, who: str) -> StoredSlot | None:
        """Make a previewed change, once, by the admin who previewed it; None when the draft is
        gone (published already, dropped, or older than `DRAFT_MINUTES`). The gate runs again:
        the plan may have changed since the preview."""
        kept = await self._take(draft_id, who)
        if kept is None:
            return None
        desk = self.for_plan(str(kept["plan"])) if kept.get("plan") else self
        edit = await desk._filled(Edit.from_json(kept))
        name = str(kept.get("name") or who)
        return await desk.store.apply(edit, f"{name} ({who})", surface="chat", by=name)

    async def draft_slot(self, draft_id: str) -> str | None:
        """The fact a draft would change, if the draft is still there."""
        from sqlalchemy import select

        from adapters.store.tables import plan_drafts

        async with self._db.connect() as db:
            edit = (
                await db.execute(select(plan_drafts.c.edit).where(plan_drafts.c.id == draft_id))
            ).scalar()
        return str(edit.get("slot_id")) if isinstance(edit, dict) else None

    async def drop(self, draft_id: str, who: str) -> None:
        await self._take(draft_id, who)

    async def _filled(self, edit: Edit) -> Edit:
        """A fact new to the plan takes its kind, and unless given its label, from the slot
        of the same id employees are shown now."""
        if edit.action != "set" or edit.slot_id == HR_CONTACT or await self.slot(edit.slot_id):
            return edit
        slot = self._served().slots.get(edit.slot_id)
        if slot is None:
            return edit
        return replace(edit, kind=slot.kind, label=edit.label or slot.label)

    async def _take(self, draft_id: str, who: str) -> dict[str, object] | None:
        """Delete the draft and return what it held, in one statement: of two presses of
        *Publish* (on two instances, say) only one gets it."""
        from sqlalchemy import delete

        from adapters.store.tables import plan_drafts

        async with self._db.begin() as db:
            row = (
                await db.execute(
                    delete(plan_drafts)
                    .where(
                        plan_drafts.c.id == draft_id,
                        plan_drafts.c.who == who,
                        plan_drafts.c.created_at >= self._now() - _KEPT,
                    )
                    .returning(plan_drafts.c.edit)
                )
            ).first()
        return dict(row.edit) if row is not None else None


_KEPT = dt.timedelta(minutes=DRAFT_MINUTES)


def desk_for(engine: Engine, kb_dir: Path | None = None) -> Callable[[], Desk]:
    """Makes the desk for the deployment's store (`DATABASE_URL`, else SQLite), answering
    previews the way `engine` answers employees."""

    made: list[Desk] = []

    def make() -> Desk:
        """The same desk for every caller (Slack's and Discord's admins): one pool."""
        if not made:
            from adapters.store.database import connect, database_url

            db, served = connect(database_url()), lambda: engine.knowledge
            made.append(Desk(db, served, kb_dir, hide_unverified=engine.hides_unverified))
        return made[0]

    return make


def standing(slot: StoredSlot, today: dt.date) -> Standing:
    if today < slot.due_on():
        return Standing.VERIFIED
    if today < slot.due_on() + dt.timedelta(days=slot.every_days):
        return Standing.DUE
    return Standing.EXPIRED


def shown(slot: StoredSlot) -> str:
    """The slot's value as an admin would type it: the number, the address, the hours."""
    facts = slot.body.get("facts") or [{}]
    fact = facts[0]
    if "schedule" in fact:
        return describe(fact["schedule"])
    return str(fact.get("value", ""))


def showing(kb: Knowledge, slot_id: str) -> tuple[str, View]:
    """Where employees see the slot: a topic whose first message shows it, else the first
    topic that shows it under "More details" (for the HR contact, a routed topic)."""
    if slot_id == HR_CONTACT:
        return next((t.id for t in kb.topics if t.routed), "help"), View.BRIEF
    first = next((t.id for t in kb.topics if slot_id in key_slots(t, kb)), None)
    if first is not None:
        return first, View.BRIEF
    return next((t.id for t in kb.topics if slot_id in t.show), "help"), View.FULL


def addable(kb: Knowledge, stored: set[str]) -> list[tuple[str, str]]:
    """Slots employees are shown that the plan has no value for yet: (slot id, label)."""
    shown_somewhere = {slot for topic in kb.topics for slot in topic.show}
    return [
        (slot_id, slot.label)
        for slot_id, slot in kb.slots.items()
        if slot_id in shown_somewhere and slot_id not in stored and slot.kind != "menu-option"
    ]


def reason(refused: Refused, language: str = "en") -> str:
    """Why the gate refused a change, in plain words: no file positions, rule names or ids,
    and no instructions meant for a plan file's editor."""
    said = words(language)
    plain = []
    for problem in refused.problems:
        text = _LOCATION.sub("", problem)
        text = _RULE.sub("", text)
        text = _IDS.sub("", text)
        if ". Correct it" in text:
            text = text.split(". Correct it")[0] + ". " + said("admin.check_number")
        plain.append(text.strip())
    return " ".join(plain)


_LOCATION = re.compile(r"^plan(:\d+)?:\s*(\S+\]\S*:\s*)?")
_RULE = re.compile(r"^[a-z]+(-[a-z]+)*:\s+")
_IDS = re.compile(r"\s*\([a-z0-9]+(-[a-z0-9]+)+\)")
