"""Which plan answers where, as stored: a Slack workspace or Discord guild, or one channel of
it, mapped to a plan (`#retiree-benefits` → the retiree plan). Every change is checked (the
plan must exist), written in one transaction and appended to the change log, which is also
what tells every instance to look again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.store.facts import Refused
from adapters.store.tables import plan_changes, plan_routes, plans

PLATFORMS = ("slack", "discord", "any")


@dataclass(frozen=True, slots=True)
class Route:
    """`platform` (slack, discord; `any` for the deployment's default), `workspace` (a team
    or guild id; "" for any), `channel` ("" for the whole workspace), and its plan."""

    platform: str
    workspace: str
    channel: str
    plan_id: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.platform, self.workspace, self.channel)


async def routes(db: AsyncEngine) -> list[Route]:
    async with db.connect() as connection:
        rows = await connection.execute(
            select(plan_routes).order_by(
                plan_routes.c.platform, plan_routes.c.workspace, plan_routes.c.channel
            )
        )
        return [Route(r.platform, r.workspace, r.channel, r.plan_id) for r in rows]


async def set_route(db: AsyncEngine, route: Route, who: str, surface: str = "cli") -> Route:
    """Map `route`'s place to its plan (replacing any mapping there); refused, and nothing
    stored, for a platform we do not serve or a plan the store does not hold."""
    if route.platform not in PLATFORMS:
        raise Refused([f"'{route.platform}' is not slack, discord or any"])
    if route.channel and not route.workspace:
        raise Refused(["a channel is mapped within a workspace or guild: give its id too"])
    now = dt.datetime.now(dt.UTC)
    async with db.begin() as connection:
        known = (
            await connection.execute(select(plans.c.id).where(plans.c.id == route.plan_id))
        ).scalar()
        if known is None:
            raise Refused([f"there is no plan '{route.plan_id}' in the store: import it first"])
        before = await _drop(connection, route.key)
        await connection.execute(
            insert(plan_routes).values(
                platform=route.platform,
                workspace=route.workspace,
                channel=route.channel,
                plan_id=route.plan_id,
                updated_at=now,
            )
        )
        await _log(connection, now, who, surface, "map", before, route)
    return route


async def drop_route(
    db: AsyncEngine, key: tuple[str, str, str], who: str, surface: str = "cli"
) -> bool:
    """Remove the mapping at `key`; False when there was none (nothing is logged)."""
    now = dt.datetime.now(dt.UTC)
    async with db.begin() as connection:
        before = await _drop(connection, key)
        if before is None:
            return False
        await _log(connection, now, who, surface, "unmap", before, None)
    return True


async def _drop(connection: Any, key: tuple[str, str, str]) -> Route | None:
    platform, workspace, channel = key
    row = (
        await connection.execute(
            delete(plan_routes)
            .where(
                plan_routes.c.platform == platform,
                plan_routes.c.workspace == workspace,
                plan_routes.c.channel == channel,
            )
            .returning(plan_routes.c.plan_id)
        )
    ).first()
    return Route(platform, workspace, channel, row.plan_id) if row else None


async def _log(
    connection: Any,
    now: dt.datetime,
    who: str,
    surface: str,
    action: str,
    before: Route | None,
    after: Route | None,
) -> None:
    either = after or before
    plan = either.plan_id if either else ""
    await connection.execute(
        insert(plan_changes).values(
            at=now,
            who=who,
            surface=surface,
            plan_id=plan,
            slot_id=None,
            action=action,
            before=_plain(before),
            after=_plain(after),
        )
    )


def _plain(route: Route | None) -> dict[str, str] | None:
    if route is None:
        return None
    return {
        "platform": route.platform,
        "workspace": route.workspace,
        "channel": route.channel,
        "plan": route.plan_id,
    }
