"""The store's plan as the plan file the engine loads (`<data folder>/plan-from-store.yaml`),
written fresh at each start. With no database configured and no SQLite file yet, there is
no stored plan, and nothing is created."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from adapters.store.database import connect, data_folder, database_url, peek, sqlite_file, upgrade

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
    try:
        upgrade(url)
        text = asyncio.run(_export(url))
    except Exception as error:  # the store is down: answer from the plan file instead
        log.error("the plan store is unavailable: %s", type(error).__name__)
        return None
    if text is None:
        return None
    path = data_folder(env) / SNAPSHOT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    log.info("plan from the store", extra={"plan": str(path)})
    return path


async def _export(url: str) -> str | None:
    from adapters.store.plans import PlanStore

    engine = connect(url)
    try:
        return await PlanStore(engine).export()
    finally:
        await engine.dispose()
