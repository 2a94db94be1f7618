"""A ready Slack app manifest, generated from the knowledge base and the chosen transport."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.slack.app import COMMAND
from adapters.slack.check import CALLBACK as CHECK_CALLBACK
from bot.kb.knowledge import Knowledge

MAX_COMMAND = 32
MAX_DESCRIPTION = 2000
MAX_USAGE_HINT = 1000
APP_NAME = "Caremark help"
SHORTCUT_NAME = "Check with Caremark bot"
"""The message shortcut's name (Slack allows 24 characters)."""
EVENTS = (
    "app_home_opened",
    "app_mention",  # @Caremark help in a channel or thread
    "message.im",  # the Messages tab: a direct message
    "message.channels",  # replies in a thread it answered in (public channels)
    "message.groups",  # the same in private channels
)
SCOPES = (
    "commands",
    "users:read",  # each person's language setting (users.info), to answer in it
    "app_mentions:read",
    "chat:write",  # answers to mentions and DMs
    "im:history",
    "channels:history",
    "groups:history",
)
"""Exactly the events and scopes the listeners in adapters/slack/ use, nothing more."""


INSTALL_EVENTS = ("app_uninstalled", "tokens_revoked")
"""With installs in many workspaces: removing the app forgets that workspace."""


def manifest(
    kb: Knowledge, request_url: str | None = None, name: str = APP_NAME, installs: bool = False
) -> dict[str, Any]:
    """Socket Mode when `request_url` is None, else HTTP with `<request_url>/slack/events`.
    `installs`: for installing in many workspaces (OAuth, org-wide on Enterprise Grid, tokens
    that rotate), which needs `request_url` for the redirect."""
    order = {category.id: n for n, category in enumerate(kb.categories)}
    topics = sorted(kb.topics, key=lambda t: order.get(t.category, len(order)))
    hint = "[topic or question], e.g. " + ", ".join(t.id for t in topics)
    if len(hint) > MAX_USAGE_HINT:
        hint = hint[: MAX_USAGE_HINT - 1].rsplit(",", 1)[0] + "…"
    command: dict[str, Any] = {
        "command": COMMAND[:MAX_COMMAND],
        "description": "How to reach CVS Caremark, with each fact's source and trust level"[
            :MAX_DESCRIPTION
        ],
        "usage_hint": hint,
        "should_escape": False,
    }
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": request_url is None,
    }
    if request_url is not None:
        events = request_url.rstrip("/") + "/slack/events"
        command["url"] = events
        settings["event_subscriptions"]["request_url"] = events
        settings["interactivity"]["request_url"] = events
    oauth: dict[str, Any] = {"scopes": {"bot": list(SCOPES)}}
    if installs and request_url is not None:
        oauth["redirect_urls"] = [request_url.rstrip("/") + "/slack/oauth_redirect"]
        settings["event_subscriptions"]["bot_events"] += list(INSTALL_EVENTS)
        settings["org_deploy_enabled"] = True
        settings["token_rotation_enabled"] = True
    return {
        "display_information": {
            "name": name,
            "description": "Find the right way to reach CVS Caremark, and how far to trust it.",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": SHORTCUT_NAME,
                    "type": "message",
                    "callback_id": CHECK_CALLBACK,
                    "description": "Is a number, address or link in this message really CVS's?",
                }
            ],
        },
        "oauth_config": oauth,
        "settings": settings,
    }


def manifest_yaml(kb: Knowledge, request_url: str | None = None, installs: bool = False) -> str:
    made = manifest(kb, request_url, installs=installs)
    return yaml.safe_dump(made, sort_keys=False, allow_unicode=True)
