"""*Check with Caremark bot*, Slack's message shortcut: a private verdict on every number,
address and link in a message, sent through the shortcut's `response_url` (the bot need not
be in the channel). Plan admins also get *Post a warning in the thread*: a short, neutral
warning that repeats nothing of the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import Background
from adapters.plan_routes import PlanRoutes
from adapters.slack import render
from adapters.slack.admin import SlackAdmin
from adapters.slack.admin import user_of as _user
from adapters.slack.app import guarded as _guarded
from bot.answer.language import of_locale
from bot.core import Engine
from bot.i18n import DEFAULT, words
from bot.reply import Platform, Query

CALLBACK = "caremark_check"
WARN = "caremark_check:warn"
CANT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def message_text(message: dict[str, Any]) -> str:
    """Everything a message says: its text, its blocks' text and links, its attachments'
    text, and its files' names and titles."""
    parts = [str(message.get("text") or "")]
    parts += _texts(message.get("blocks") or [])
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            for key in ("pretext", "title", "title_link", "text", "fallback", "from_url"):
                parts.append(str(attachment.get(key) or ""))
    for file in message.get("files") or []:
        if isinstance(file, dict):
            parts += [str(file.get("name") or ""), str(file.get("title") or "")]
    return "\n".join(p for p in dict.fromkeys(parts) if p)


def _texts(node: Any) -> list[str]:
    """Text and link targets anywhere in Block Kit (rich text included)."""
    found: list[str] = []
    if isinstance(node, list):
        for item in node:
            found += _texts(item)
    elif isinstance(node, dict):
        for key in ("text", "url", "value"):
            value = node.get(key)
            if isinstance(value, str):
                found.append(value)
        for key, value in node.items():
            if key not in ("url", "value") and isinstance(value, (dict, list)):
                found += _texts(value)
    return found


class MessageCheck:
    """The shortcut and its warning button."""

    def __init__(
        self,
        engine: Engine,
        background: Background,
        locale_of: Callable[[str, str], str | None],
        routes: Callable[[], PlanRoutes],
        admin: Callable[[], SlackAdmin | None],
    ) -> None:
        self._engine, self._background = engine, background
        self._locale_of, self._routes, self._admin = locale_of, routes, admin

    def register(self, app: AsyncApp) -> None:
        app.shortcut(CALLBACK)(self.shortcut)
        app.action(WARN)(self.warn)

    async def shortcut(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        self._background.spawn(
            _guarded(respond, "message check", lambda: self._check(body, respond))
        )

    async def _check(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        user, team = _user(body), str((body.get("team") or {}).get("id") or "")
        channel = str((body.get("channel") or {}).get("id") or "")
        message = body.get("message") or {}
        query = Query(
            message_text(message if isinstance(message, dict) else {}),
            Platform.SLACK,
            locale=self._locale_of(user, team),
            plan=self._routes().plan_for("slack", team, channel),
        )
        reply = self._engine.check_message(query)
        shown = render.message(reply)
        admin = self._admin()
        if admin is not None and await admin.allows(user):
            thread = str(message.get("thread_ts") or message.get("ts") or body.get("message_ts"))
            button = {
                "type": "button",
                "action_id": WARN,
                "text": {"type": "plain_text", "text": words(reply.language)("verify.warn_button")},
                "value": f"{channel}|{thread}",
            }
            shown["blocks"] = [*shown["blocks"], {"type": "actions", "elements": [button]}]
        await respond(**(shown | {"response_type": "ephemeral"}), replace_original=False)

    async def warn(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Post the neutral warning in the message's thread, for a plan admin only."""
        await ack()
        work = lambda: self._warn(body, respond, client)  # noqa: E731
        self._background.spawn(_guarded(respond, "thread warning", work))

    async def _warn(
        self, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        user, team = _user(body), str((body.get("team") or {}).get("id") or "")
        said = words(of_locale(self._locale_of(user, team)) or DEFAULT)
        admin = self._admin()
        if admin is None or not await admin.allows(user):
            await respond(text=said("admin.not_allowed"), replace_original=False)
            return
        value = str(((body.get("actions") or [{}])[0]).get("value") or "")
        channel, _, thread = value.partition("|")
        try:
            await client.chat_postMessage(
                channel=channel, thread_ts=thread, text=said("verify.warning"), unfurl_links=False
            )
        except SlackApiError as error:
            if error.response.get("error") not in CANT_POST:
                raise
            await respond(text=said("verify.cant_post"), replace_original=False)
            return
        await respond(text=said("verify.warned"), replace_original=False)
