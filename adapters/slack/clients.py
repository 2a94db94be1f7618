"""The Slack Web API client for the workspace being served: the one workspace's, or, when the
app is installed in many, the one Bolt (or the slash-command fast path) authorized for the
request at hand. Work a request starts in the background keeps its request's client."""

from __future__ import annotations

import contextvars

from slack_sdk.web.async_client import AsyncWebClient

CLIENT: contextvars.ContextVar[AsyncWebClient | None] = contextvars.ContextVar(
    "slack_client", default=None
)


class Clients:
    """Call it for the client to use now."""

    def __init__(self, fixed: AsyncWebClient | None = None) -> None:
        self.fixed = fixed
        """The one workspace's client; None when the app is installed in many."""

    def __call__(self) -> AsyncWebClient:
        client = CLIENT.get() or self.fixed
        if client is None:
            raise LookupError("no Slack workspace is being served here")
        return client
