"""The store's plans as the plan files the engine loads, written fresh at each start and on
each change: the default plan as `<data folder>/plan-from-store.yaml`, every other plan as
`<data folder>/plans/<plan id>.yaml` (answered where a workspace or channel is mapped to it).
With no database configured and no SQLite file yet, there is no stored plan, and nothing is
created."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.store.database import connect, data_folder, database_url, peek, sqlite_file, upgrade

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
SNAPSHOT = "plan-from-store.yaml"


def prepare_store(env: Mapping[str, str] | None = None) -> None:
    """What `serve` does first on the embedded SQLite store: create it, or migrate it. (On
    PostgreSQL the Procfile's `release` step migrates, once per deploy.)"""
    env = os.environ if env is None else env
    if env.get("DATABASE_URL", "").strip():
        return
    try:
        upgrade(database_url(env))
    except Exception as error:
        log.error("the plan store could not be prepared: %s", type(error).__name__)


def stored_plan(env: Mapping[str, str] | None = None) -> Path | None:
    """The path of the stored plan, written out now; None when the store holds no plan."""
    env = os.environ if env is None else env
    if not env.get("DATABASE_URL", "").strip() and not (data_folder(env) / "caremark.db").exists():
        return None
    url = database_url(env)
    file = sqlite_file(url)
    if file is not None and not peek(file, "select count(*) from plans"):
        return None  # no plan stored: nothing more to import or read
    path = data_folder(env) / SNAPSHOT
    try:
        upgrade(url)
        written = asyncio.run(_export(url, path))
    except Exception as error:  # the store is down: answer from the plan file instead
        log.error("the plan store is unavailable: %s", type(error).__name__)
        return None
    if not written:
        return None
    log.info("plan from the store", extra={"plan": str(path)})
    return path


def plans_folder(snapshot: Path) -> Path:
    """Where the plans other than the default are written, beside the default's file."""
    return snapshot.parent / "plans"


async def write_plans(db: AsyncEngine, snapshot: Path) -> bool:
    """Write every stored plan out (the default to `snapshot`, others beside it, stale ones
    removed); False when the store holds no plan."""
    from adapters.store.plans import PlanStore, plan_ids

    default = await PlanStore(db).plan_id()
    if default is None:
        return False
    texts = {plan: await PlanStore(db, plan=plan).export() for plan in await plan_ids(db)}
    folder = plans_folder(snapshot)
    folder.mkdir(parents=True, exist_ok=True)
    snapshot.write_text(texts[default] or "", encoding="utf-8")
    for plan, text in texts.items():
        if plan != default and text is not None:
            (folder / f"{plan}.yaml").write_text(text, encoding="utf-8")
    for old in folder.glob("*.yaml"):
        if old.stem not in texts or old.stem == default:
            old.unlink()
    return True


async def _export(url: str, snapshot: Path) -> bool:
    engine = connect(url)
    try:
        return await write_plans(engine, snapshot)
    finally:
        await engine.dispose()
