"""State every instance must agree on: signatures already answered (the replay guard), Slack
event ids already handled, how often a person has asked lately, and Share cooldowns.

In Redis when `REDIS_URL` is set, so two instances behind a load balancer refuse the same
replay and handle a Slack retry once; in the process otherwise. When Redis goes away the bot
keeps answering with in-process state, counts each failure, logs the outage once, says so in
`/readyz`, and tries Redis again every few seconds.

Keys never hold a raw user id: people are keyed by a hash.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from adapters.replay import ReplayGuard

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
PREFIX = "caremark:"
RETRY_SECONDS = 5.0
"""After a Redis failure, how long to use in-process state before trying Redis again."""
TIMEOUT_SECONDS = 0.25
MAX_COUNTERS = 100_000


class SharedState:
    """`once` and `hits`, in Redis or in the process."""

    def __init__(
        self,
        redis_url: str | None = None,
        failed: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
        prefix: str = PREFIX,
    ) -> None:
        """`prefix` starts every Redis key, so deployments can share one Redis."""
        self._clock, self.failed, self._prefix = clock, failed, prefix
        self._redis: Redis | None = _connect(redis_url) if redis_url else None
        self._retry_at = 0.0
        self._outage = False
        self._local_seen: dict[str, ReplayGuard] = {}
        self._local_counts: OrderedDict[str, int] = OrderedDict()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, failed: Callable[[], None] = lambda: None
    ) -> SharedState:
        env = os.environ if env is None else env
        prefix = env.get("CAREMARK_REDIS_PREFIX", "").strip() or PREFIX
        return cls(env.get("REDIS_URL", "").strip() or None, failed, prefix=prefix)

    @property
    def where(self) -> str:
        """For `/readyz`: redis, in-process, or in-process because Redis is unavailable."""
        if self._redis is None:
            return "in-process"
        return "in-process (redis unavailable)" if self._outage else "redis"

    @property
    def shared(self) -> bool:
        return self._redis is not None and not self._outage

    async def once(self, space: str, key: str, ttl: float) -> bool:
        """True the first time `key` is seen in `space` within `ttl` seconds, on any instance."""
        redis = self._usable()
        if redis is not None:
            try:
                made = await redis.set(self._key(space, key), b"1", nx=True, px=int(ttl * 1000))
                self._ok()
                return bool(made)
            except Exception as error:
                self._broken(error)
        guard = self._local_seen.setdefault(space, ReplayGuard(ttl / 2))
        return guard.first_time(key, self._clock())

    async def hits(self, space: str, who: str, window: float) -> int:
        """Count one more for `who` in this `window`-second window; returns the count so far,
        across every instance. `who` is hashed before it is used as a key."""
        key = self._counter(space, who, window)
        redis = self._usable()
        if redis is not None:
            try:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.incr(key)
                    pipe.pexpire(key, int(window * 2000))
                    count, _ = await pipe.execute()
                self._ok()
                return int(count)
            except Exception as error:
                self._broken(error)
        count = self._local_counts.pop(key, 0) + 1
        self._local_counts[key] = count
        while len(self._local_counts) > MAX_COUNTERS:
            self._local_counts.popitem(last=False)
        return count

    async def admit(
        self, space: str, key: str, ttl: float, person: str, window: float
    ) -> tuple[bool, int]:
        """`once(space, key, ttl)` and `hits("asks", person, window)` in one round trip to
        Redis: what every question costs, so it costs one."""
        redis = self._usable()
        if redis is None:
            return await self.once(space, key, ttl), await self.hits("asks", person, window)
        counter = self._counter("asks", person, window)
        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.set(self._key(space, key), b"1", nx=True, px=int(ttl * 1000))
                pipe.incr(counter)
                pipe.pexpire(counter, int(window * 2000))
                made, count, _ = await pipe.execute()
        except Exception as error:
            self._broken(error)
            return await self.once(space, key, ttl), await self.hits("asks", person, window)
        self._ok()
        return bool(made), int(count)

    async def ping(self) -> bool:
        """Whether Redis answers now (True when there is no Redis to ask)."""
        if self._redis is None:
            return True
        try:
            await self._redis.ping()
        except Exception as error:
            self._broken(error)
            return False
        self._ok()
        return True

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def _key(self, space: str, key: str) -> str:
        return f"{self._prefix}{space}:{key}"

    def _counter(self, space: str, who: str, window: float) -> str:
        """The key counting `who` in the current `window`-second window (hashed: no ids)."""
        return self._key(space, f"{_hashed(who)}:{int(self._clock() // window)}")

    def _usable(self) -> Redis | None:
        if self._redis is None or self._clock() < self._retry_at:
            return None
        return self._redis

    def _broken(self, error: Exception) -> None:
        self.failed()
        if not self._outage:
            log.error("redis is unavailable, using in-process state: %s", type(error).__name__)
            self._outage = True
        self._retry_at = self._clock() + RETRY_SECONDS

    def _ok(self) -> None:
        if self._outage:
            log.info("redis is back: state is shared again")
            self._outage = False


def _connect(url: str) -> Redis:
    from redis.asyncio import Redis

    return Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def _hashed(who: str) -> str:
    return hashlib.blake2b(who.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
