"""Which database, and its schema kept current with Alembic migrations."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"
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
    return create_async_engine(url, pool_pre_ping=True)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; nothing to do when it is there already."""
    migrate(command.upgrade, url, revision)


def migrate(step: Callable[[Config, str], None], url: str, revision: str) -> None:
    """Run an Alembic command in a thread of its own: migrations run on an event loop of
    their own, so this works from async code too."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(step, config, revision).result()
