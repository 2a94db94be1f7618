"""Rendered answers kept by Reply identity.

The core hands out the same Reply object for the same topic within a minute
(`bot.answer.memo`), so a burst of identical questions needs one rendering and one JSON
encoding. Entries hold the Reply itself, so an id is never reused while its entry lives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from bot.reply import Reply

MAX_ENTRIES = 512


def encode(payload: dict[str, Any]) -> bytes:
    """The compact JSON body both platforms receive."""
    return json.dumps(payload, separators=(",", ":")).encode()


class Rendered:
    """The most recent renderings, by (Reply identity, variant)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max_entries = max_entries
        self._bodies: dict[tuple[int, Hashable], tuple[Reply, bytes]] = {}

    def body(self, reply: Reply, variant: Hashable, render: Callable[[], dict[str, Any]]) -> bytes:
        """The JSON body rendered from `reply` as `variant`; `render` runs on a miss."""
        key = (id(reply), variant)
        kept = self._bodies.get(key)
        if kept is not None and kept[0] is reply:
            return kept[1]
        body = encode(render())
        if len(self._bodies) >= self._max_entries:
            del self._bodies[next(iter(self._bodies))]  # the oldest
        self._bodies[key] = (reply, body)
        return body
