"""Output formats for `caremark-bot ask --format`, imported only when chosen.

Each platform adapter adds one line here; the SDK it needs is imported only when its format
is asked for, so the console never pays for Slack or Discord.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from bot.reply import Reply

Renderer = Callable[[Reply], str]

FORMATS: dict[str, str] = {
    "text": "adapters.console:render_text",
    "json": "adapters.console:render_json",
    "slack": "adapters.slack.render:message_json",
    "discord": "adapters.discord_app.render:response_json",
}


def renderer(name: str) -> Renderer:
    """The render function registered for a format name; KeyError if there is none."""
    module, _, attr = FORMATS[name].partition(":")
    render: Renderer = getattr(importlib.import_module(module), attr)
    return render
