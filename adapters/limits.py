"""How much one person may ask, and how often one answer may be shared in one channel: kind
limits, counted in the shared state so they hold across instances. (python-discord's tag
cooldown is the model for Share: the same answer is not posted twice in a row.)"""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.shared import SharedState

ASKS_PER_MINUTE = 20
"""Questions one person may ask in a minute; past it they get a kind "slow down"."""
SHARE_COOLDOWN_SECONDS = 60.0
"""How long after an answer is shared in a channel before the same answer can be again."""


def asks_per_minute(env: Mapping[str, str] | None = None) -> int:
    """`CAREMARK_ASKS_PER_MINUTE` (default 20; 0 turns the limit off)."""
    raw = (os.environ if env is None else env).get("CAREMARK_ASKS_PER_MINUTE", "").strip()
    return int(raw) if raw.isdigit() else ASKS_PER_MINUTE


async def too_many(shared: SharedState, person: str, limit: int) -> bool:
    """Count one question from `person` (a platform-qualified id); True past `limit`."""
    return limit > 0 and await shared.hits("asks", person, 60.0) > limit


async def admitted(
    shared: SharedState, space: str, key: str, ttl: float, person: str | None, limit: int
) -> tuple[bool, bool]:
    """Whether a signed request is new (the replay guard) and whether `person` (None: not a
    question) is past `limit`; one round trip when both are asked."""
    if person is None or limit <= 0:
        return await shared.once(space, key, ttl), False
    first, count = await shared.admit(space, key, ttl, person, 60.0)
    return first, count > limit


async def cooled_down(shared: SharedState, channel: str, topic: str | None) -> bool:
    """True when this answer may be shared in `channel` now (and starts its cooldown)."""
    return await shared.once("share", f"{channel}:{topic or ''}", SHARE_COOLDOWN_SECONDS)
