"""Where Slack installs are kept: slack_sdk's SQLAlchemy stores on the plan store's database,
with two defects mended. Tokens are sealed before they are written (the SDK writes them in
plain text), and an OAuth `state` is consumed in one statement (the SDK selects, then
deletes, so most of twenty concurrent callbacks with one `state` all pass)."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import (
    AsyncSQLAlchemyInstallationStore,
    SQLAlchemyInstallationStore,
)
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import and_, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.store.secrets import Sealer
from adapters.store.tables import token_locks

SECRETS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
WEBHOOK = "incoming_webhook_url"
Saved = TypeVar("Saved", Installation, Bot)


class SealedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """The SDK's store; what it writes is sealed, what it reads is opened."""

    def __init__(self, client_id: str, engine: AsyncEngine, sealer: Sealer) -> None:
        super().__init__(client_id, engine)
        self._sealer = sealer

    def _sealed(self, saved: Saved) -> Saved:
        sealed = copy.copy(saved)
        for name in (*SECRETS, WEBHOOK):
            if hasattr(sealed, name):
                setattr(sealed, name, self._sealer.seal(getattr(sealed, name)))
        return sealed

    def _opened(self, found: Saved | None) -> Saved | None:
        if found is None:
            return None
        for name in (*SECRETS, WEBHOOK):
            if hasattr(found, name):
                setattr(found, name, self._sealer.open(getattr(found, name)))
        return found

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(self._sealed(installation))

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(self._sealed(bot))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await super().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found)

    async def installed(self) -> list[Installation]:
        """The newest install of every workspace and org, tokens opened."""
        c = self.installations.c
        query = self.installations.select().where(c.client_id == self.client_id)
        newest: dict[tuple[str | None, str | None], Installation] = {}
        async with self.engine.connect() as connection:
            for row in (await connection.execute(query.order_by(c.installed_at))).mappings():
                found = SQLAlchemyInstallationStore.build_installation_entity(row)
                newest[(found.enterprise_id, found.team_id)] = found
        return [opened for found in newest.values() if (opened := self._opened(found))]


class OnceStateStore(AsyncSQLAlchemyOAuthStateStore):
    """The SDK's state store, with a consume that only one caller can win."""

    async def async_consume(self, state: str) -> bool:
        c = self.oauth_states.c
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored as the SDK does: naive UTC
        async with self.engine.begin() as connection:
            taken = await connection.execute(
                delete(self.oauth_states)
                .where(and_(c.state == state, c.expire_at > now))
                .returning(c.id)
            )
            return taken.first() is not None


class TokenLock:
    """One holder at a time per key, across instances sharing the database: a row with a
    lease, so a holder that dies frees the key when its lease runs out."""

    def __init__(self, engine: AsyncEngine, lease_seconds: float = 30.0) -> None:
        self._engine, self._lease = engine, dt.timedelta(seconds=lease_seconds)
        self._me = uuid.uuid4().hex

    async def take(self, key: str) -> bool:
        now = dt.datetime.now(dt.UTC)
        c = token_locks.c
        try:
            async with self._engine.begin() as connection:
                await connection.execute(delete(token_locks).where(c.key == key, c.until < now))
                await connection.execute(
                    insert(token_locks).values(key=key, holder=self._me, until=now + self._lease)
                )
        except IntegrityError:
            return False
        return True

    async def give_back(self, key: str) -> None:
        c = token_locks.c
        async with self._engine.begin() as connection:
            await connection.execute(delete(token_locks).where(c.key == key, c.holder == self._me))
