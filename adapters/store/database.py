"""Which database, and its schema kept current with Alembic migrations.

SQLAlchemy and Alembic are imported only when the store is used: a bot whose store holds no
plan starts as fast as one without a store (looking is done with the standard library).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0006"
"""The newest migration; bump it with each one added."""
SQLITE = "sqlite+aiosqlite:///"
DEFAULT_DATA = ".caremark"


def data_folder(env: Mapping[str, str] | None = None) -> Path:
    """`CAREMARK_DATA`, default `.caremark/` under the working directory."""
    env = os.environ if env is None else env
    return Path(env.get("CAREMARK_DATA", "").strip() or DEFAULT_DATA)


def database_url(env: Mapping[str, str] | None = None) -> str:
    """`DATABASE_URL` for the async drivers (`postgres://…` → `postgresql+asyncpg://…`), or an
    SQLite file in the data folder when it is unset."""
    env = os.environ if env is None else env
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        folder = data_folder(env)
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(folder / 'caremark.db').resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def connect(url: str) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(url, pool_pre_ping=True)


def sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix(SQLITE)) if url.startswith(SQLITE) else None


def peek(file: Path, query: str) -> Any:
    """One value from an SQLite file, read with the standard library; None if it can't be."""
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as db:
            row = db.execute(query).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def schema_current(url: str) -> bool:
    """True when an SQLite store is known to be at the newest migration."""
    file = sqlite_file(url)
    return bool(file and peek(file, "select version_num from alembic_version") == HEAD)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; nothing to do when it is there already."""
    if revision == "head" and schema_current(url):
        return
    from alembic import command

    migrate(command.upgrade, url, revision)


def migrate(step: Callable[[Any, str], None], url: str, revision: str) -> None:
    """Run an Alembic command in a thread of its own: migrations run on an event loop of
    their own, so this works from async code too."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(step, config, revision).result()
