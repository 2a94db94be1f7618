"""What was just answered in each conversation (a DM, a thread), so a follow-up can be read
with it in mind. Only ids are kept: the conversation's and the topic's, never any text, and
each for a few minutes.
"""

from __future__ import annotations

from collections import OrderedDict

from adapters.signing import UnixTime

FOLLOW_UP_SECONDS = 300.0
"""How long an answer stays the context of the next message in its conversation."""
MAX_CONVERSATIONS = 10_000


class Conversations:
    """Conversation id → the topic last answered there, while it is fresh."""

    def __init__(self, clock: UnixTime, ttl: float = FOLLOW_UP_SECONDS) -> None:
        self._clock = clock
        self._ttl = ttl
        self._topics: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def answered(self, conversation: str, topic: str | None) -> None:
        """Remember that `topic` was just answered in `conversation` (None forgets it)."""
        self._topics.pop(conversation, None)
        if topic:
            self._topics[conversation] = (topic, self._clock() + self._ttl)
            while len(self._topics) > MAX_CONVERSATIONS:
                self._topics.popitem(last=False)

    def topic(self, conversation: str) -> str | None:
        """The topic last answered in `conversation`, if it is still fresh."""
        entry = self._topics.get(conversation)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._topics[conversation]
            return None
        return entry[0]

    def __contains__(self, conversation: str) -> bool:
        return self.topic(conversation) is not None
