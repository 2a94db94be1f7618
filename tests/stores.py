"""The store to test against: the embedded SQLite file, and the real PostgreSQL server that
`DATABASE_URL` names (CI sets it; without it those cases are skipped, with the reason)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command

from adapters.store.database import database_url, migrate

POSTGRES = os.environ.get("DATABASE_URL", "")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=pytest.mark.skipif(
            not POSTGRES, reason="DATABASE_URL is not set: no PostgreSQL to test against"
        ),
    ),
]


def downgrade(url: str) -> None:
    migrate(command.downgrade, url, "base")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield database_url({"CAREMARK_DATA": str(tmp_path / "data")})
        return
    chosen = database_url({"DATABASE_URL": POSTGRES})
    downgrade(chosen)  # from empty, every time
    yield chosen
    downgrade(chosen)  # and leave nothing behind for the other tests
