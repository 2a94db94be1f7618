"""Re-verification on schedule: when a plan fact comes due its owner is asked, and when
nobody answers within the grace period the admins are told. A reminder is claimed in the
database before it is sent (a row per fact, due date and audience), so however many instances
run, and however often they restart, each is sent once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.store.facts import StoredSlot
from adapters.store.plans import PlanStore, plan_ids
from adapters.store.tables import reminders

GRACE_DAYS = 7
"""Days an owner has to answer before the admins hear about the fact."""


class Audience(StrEnum):
    OWNER = "owner"
    ADMINS = "admins"


@dataclass(frozen=True, slots=True)
class Reminder:
    slot: StoredSlot
    audience: Audience
    plan_id: str = ""


async def due_reminders(
    engine: AsyncEngine, today: dt.date, grace_days: int = GRACE_DAYS
) -> list[Reminder]:
    """What should be sent today, not yet claimed: owners of due facts, then the admins for
    facts still unverified a grace period after they came due (or that have no owner)."""
    wanted: list[Reminder] = []
    for plan in await plan_ids(engine):
        for slot in await PlanStore(engine, plan=plan).due(today):
            if slot.owner:
                wanted.append(Reminder(slot, Audience.OWNER, plan))
            if not slot.owner or slot.due_on() + dt.timedelta(days=grace_days) <= today:
                wanted.append(Reminder(slot, Audience.ADMINS, plan))
    sent = await _sent(engine)
    return [r for r in wanted if _key(r) not in sent]


async def claim(engine: AsyncEngine, reminder: Reminder, now: dt.datetime) -> bool:
    """Take the right to send `reminder`: True for exactly one caller, ever."""
    plan_id = reminder.plan_id
    try:
        async with engine.begin() as db:
            await db.execute(
                insert(reminders).values(
                    plan_id=plan_id,
                    slot_id=reminder.slot.slot_id,
                    due_on=reminder.slot.due_on(),
                    audience=reminder.audience.value,
                    sent_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


async def _sent(engine: AsyncEngine) -> set[tuple[str, str, dt.date, str]]:
    async with engine.connect() as db:
        rows = await db.execute(
            select(
                reminders.c.plan_id, reminders.c.slot_id, reminders.c.due_on, reminders.c.audience
            )
        )
        return {(r.plan_id, r.slot_id, r.due_on, r.audience) for r in rows}


def _key(reminder: Reminder) -> tuple[str, str, dt.date, str]:
    slot = reminder.slot
    return (reminder.plan_id, slot.slot_id, slot.due_on(), reminder.audience.value)
