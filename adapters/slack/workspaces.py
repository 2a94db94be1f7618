"""Which bot token serves a Slack request when the app is installed in many workspaces.

The install of the request's workspace (or of its Enterprise Grid org, for an org-wide
install) is looked up in the store and remembered for a few seconds; no `auth.test` per
request. A token about to expire is refreshed first, by one instance at a time: the others
wait for the lock and then read the new token, so a refresh token is never spent twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

from adapters.slack.installs import SealedInstallationStore, TokenLock

log = logging.getLogger(__name__)
REMEMBER_SECONDS = 30.0
"""How long an install found is reused before the store is asked again."""
ROTATE_MINUTES = 120
"""Refresh a token when it has less than this left (Slack's tokens last 12 hours)."""
WAIT_SECONDS = 5.0
"""How long to wait for another instance's refresh before using the token we have."""

Place = tuple[str | None, str | None]
"""(enterprise id, team id); the team is None for an org-wide install."""


def place_of(enterprise_id: str | None, team_id: str | None, org_wide: bool) -> Place:
    return (enterprise_id or None, None if org_wide else team_id or None)


class Workspaces(AsyncAuthorize):
    """Bolt's authorize for installed apps, also used by the slash-command fast path."""

    def __init__(
        self,
        store: SealedInstallationStore,
        rotator: AsyncTokenRotator,
        lock: TokenLock,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store, self._rotator, self._lock, self._clock = store, rotator, lock, clock
        self._found: dict[Place, tuple[float, Installation]] = {}

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        org_wide = bool(context.is_enterprise_install)
        return await self.authorize(enterprise_id, team_id, org_wide, user_id)

    async def authorize(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        org_wide: bool = False,
        user_id: str | None = None,
    ) -> AuthorizeResult | None:
        """The bot token for this workspace, or None when the app is not installed there."""
        found = await self.installation(place_of(enterprise_id, team_id, org_wide))
        if found is None or not found.bot_token:
            return None
        return AuthorizeResult(
            enterprise_id=found.enterprise_id,
            team_id=found.team_id or team_id,
            bot_user_id=found.bot_user_id,
            bot_id=found.bot_id,
            bot_token=found.bot_token,
            bot_scopes=found.bot_scopes,
            user_id=user_id,
        )

    async def installation(self, place: Place) -> Installation | None:
        now = self._clock()
        remembered = self._found.get(place)
        if remembered and remembered[0] > now and not _expiring(remembered[1]):
            return remembered[1]
        found = await self._find(place)
        if found is not None and _expiring(found):
            found = await self._refreshed(place, found)
        if found is None:
            self._found.pop(place, None)
        else:
            self._found[place] = (now + REMEMBER_SECONDS, found)
        return found

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Drop what is remembered of a workspace (it was uninstalled)."""
        for place in [p for p in self._found if p[0] == enterprise_id and p[1] == team_id]:
            del self._found[place]

    async def _find(self, place: Place) -> Installation | None:
        enterprise_id, team_id = place
        return await self.store.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=team_id is None
        )

    async def _refreshed(self, place: Place, found: Installation) -> Installation:
        key = f"slack:{place[0] or ''}:{place[1] or ''}"
        deadline = self._clock() + WAIT_SECONDS
        while self._clock() < deadline:
            if await self._lock.take(key):
                try:
                    return await self._refresh(place, found)
                finally:
                    await self._lock.give_back(key)
            await asyncio.sleep(0.1)
            current = await self._find(place)
            if current is not None and not _expiring(current):
                return current  # another instance refreshed it
        log.warning("slack token refresh is taking long elsewhere; using the current token")
        return found

    async def _refresh(self, place: Place, found: Installation) -> Installation:
        current = await self._find(place) or found
        if not _expiring(current):
            return current
        refreshed = await self._rotator.perform_token_rotation(
            installation=current, minutes_before_expiration=ROTATE_MINUTES
        )
        if refreshed is None:
            return current
        await self.store.async_save(refreshed)
        log.info("slack tokens refreshed", extra={"platform": "slack"})
        return refreshed


def _expiring(found: Installation) -> bool:
    expires = found.bot_token_expires_at
    if not found.bot_refresh_token or expires is None:
        return False
    return expires <= time.time() + ROTATE_MINUTES * 60
