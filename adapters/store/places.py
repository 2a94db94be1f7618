"""Settings per Slack workspace or Discord guild, beside its plan mapping: for now the
language answers are in when a question could be read either way. Every change is logged in
the change log (which also tells every instance to look again)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.store.facts import Refused
from adapters.store.tables import plan_changes, workspace_settings
from bot.i18n import LANGUAGES

Place = tuple[str, str]
"""(platform, workspace): slack and a team id, or discord and a guild id."""


async def languages(db: AsyncEngine) -> dict[Place, str]:
    c = workspace_settings.c
    async with db.connect() as connection:
        rows = await connection.execute(
            select(c.platform, c.workspace, c.language).where(c.language.is_not(None))
        )
        return {(r.platform, r.workspace): r.language for r in rows}


async def set_language(
    db: AsyncEngine, place: Place, language: str | None, who: str, surface: str = "cli"
) -> None:
    """Answer `place` in `language` when a question could be either (None: follow each
    person's app language)."""
    platform, workspace = place
    if platform not in ("slack", "discord") or not workspace:
        raise Refused(["a language is set for one Slack workspace or Discord guild: give its id"])
    if language is not None and language not in LANGUAGES:
        raise Refused([f"'{language}' is not one of {', '.join(LANGUAGES)}"])
    now = dt.datetime.now(dt.UTC)
    c = workspace_settings.c
    async with db.begin() as connection:
        before = (
            await connection.execute(
                delete(workspace_settings)
                .where(c.platform == platform, c.workspace == workspace)
                .returning(c.language)
            )
        ).scalar()
        if language is not None:
            await connection.execute(
                insert(workspace_settings).values(
                    platform=platform,
                    workspace=workspace,
                    language=language,
                    updated_by=who[:120],
                    updated_at=now,
                )
            )
        await connection.execute(
            insert(plan_changes).values(
                at=now,
                who=who[:120],
                surface=surface,
                plan_id="",
                slot_id=None,
                action="language",
                before={"platform": platform, "workspace": workspace, "language": before},
                after={"platform": platform, "workspace": workspace, "language": language},
            )
        )
