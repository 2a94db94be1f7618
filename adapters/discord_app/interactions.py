"""Discord's HTTP interactions endpoint: Ed25519-verified, answered inline, never a 5xx.

Discord signs `X-Signature-Timestamp + raw body` with the application's key and probes the
endpoint with bad signatures; any failure to verify (missing or repeated headers, bad hex, wrong
length, stale timestamp) is 401, and a verified body that is not an interaction is 400.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from adapters.discord_app import feedback, render
from adapters.discord_app.admin import (
    DiscordAdmin,
    fields_of,
    is_admin_command,
    is_admin_interaction,
    place_of,
    user_id,
)
from adapters.discord_app.check import is_check, message_text, target_message
from adapters.limits import admitted, asks_per_minute, cooled_down
from adapters.logs import reference
from adapters.plan_routes import PlanRoutes
from adapters.rendered import Rendered, encode
from adapters.serving import unauthorized
from adapters.shared import SharedState
from adapters.signing import REMEMBER_SECONDS, Headers, UnixTime, fresh, single
from bot.answer.language import of_locale
from bot.core import Engine
from bot.i18n import DEFAULT, words
from bot.reply import Platform, Query, View

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    from adapters.insights import Insights

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature-Ed25519"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
AUTOCOMPLETE_LIMIT = 25
PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
_HEX = frozenset("0123456789abcdefABCDEF")


def signature_of(headers: Headers) -> bytes | None:
    """The 64-byte signature, decoded: the replay guard keys on these bytes, so the header's
    hex spelt in another case is the same request, not a new one."""
    sent = single(headers, SIGNATURE_HEADER)
    if sent is None or len(sent) != 128 or not set(sent) <= _HEX:
        return None
    return bytes.fromhex(sent)


def is_signed(key: VerifyKey, headers: Headers, body: bytes, now: float) -> bool:
    """True only for one fresh timestamp and one valid 64-byte hex signature of it plus body."""
    signature = signature_of(headers)
    timestamp = single(headers, TIMESTAMP_HEADER)
    if signature is None or timestamp is None or not fresh(timestamp, now):
        return False
    try:
        key.verify(timestamp.encode("ascii") + body, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


class Interactions:
    """The aiohttp handler for `/discord/interactions`."""

    def __init__(
        self,
        engine: Engine,
        public_key: str,
        clock: UnixTime = time.time,
        admin: DiscordAdmin | None = None,
        shared: SharedState | None = None,
        routes: PlanRoutes | None = None,
        insights: Insights | None = None,
    ):
        """`admin` answers `/caremark admin` and its modal, when the deployment has a store;
        `shared` holds the replay guard and rate limits every instance agrees on."""
        self._engine = engine
        self._shared = shared or SharedState(clock=clock)
        self._routes = routes if routes is not None else PlanRoutes()
        self._insights = insights
        """Where questions nothing answered are kept, redacted (None: nowhere)."""
        self.asks_per_minute = asks_per_minute()
        self._admin = admin
        self._key = VerifyKey(bytes.fromhex(public_key))
        self._clock = clock
        self._rendered = Rendered()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        now = self._clock()
        if not is_signed(self._key, request.headers, body, now):
            return unauthorized(
                "invalid request signature", "Discord request without a valid signature"
            )
        try:
            interaction = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):  # nested past the parser's depth
            interaction = None
        valid = isinstance(interaction, dict) and isinstance(interaction.get("data", {}), dict)
        kind = interaction.get("type") if valid and isinstance(interaction, dict) else None
        asker = f"discord:{user_id(interaction)}" if kind == COMMAND and valid else None
        signature = (signature_of(request.headers) or b"").hex()
        first, over = await admitted(
            self._shared,
            "discord-signature",
            signature,
            REMEMBER_SECONDS,
            asker,
            self.asks_per_minute,
        )
        if not first:
            return unauthorized("replayed request", "a replayed Discord request")
        if interaction is None:
            return web.json_response({"error": "body is not JSON"}, status=400)
        if not valid or not isinstance(interaction, dict):
            return web.json_response({"error": "not an interaction"}, status=400)
        if kind == PING:
            return web.json_response({"type": PING})
        if kind not in (COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT):
            return web.json_response({"error": "unsupported interaction type"}, status=400)
        try:
            body = await self._answer(kind, interaction, over)
        except Exception:
            ref = reference()
            log.exception("discord interaction failed", extra={"reference": ref})
            body = encode(render.error_response(ref))
        return web.Response(body=body, content_type="application/json")

    async def _answer(self, kind: int, interaction: dict[str, Any], over: bool = False) -> bytes:
        if self._admin is not None and _for_admin(kind, interaction):
            return encode(await self._admin.answer(interaction))
        if kind == MODAL_SUBMIT and _custom_id(interaction).startswith(render.MISSING_ID):
            return encode(self._missing(interaction))
        if kind == MODAL_SUBMIT:  # only the admin modal exists; without a store, say so
            return encode(render.error_response(reference()))
        data = interaction.get("data") or {}
        locale = interaction.get("locale") if isinstance(interaction.get("locale"), str) else None
        locale = self._routes.locale_for("discord", place_of(interaction)[0], locale)
        if kind == COMPONENT:
            return await self._component(str(data.get("custom_id", "")), interaction, locale)
        if kind == COMMAND and is_check(interaction):
            query = Query(
                message_text(target_message(interaction)),
                Platform.DISCORD,
                locale=locale,
                plan=self._plan(interaction),
            )
            return encode(render.response(self._engine.check_message(query)))
        text = _topic_option(data)
        if kind == AUTOCOMPLETE:
            query = Query(text, Platform.DISCORD, locale=locale)
            return encode(render.choices(self._engine.suggest(query, AUTOCOMPLETE_LIMIT)))
        if over:
            return encode(
                render.notice(words(of_locale(locale) or DEFAULT)("conversation.slow_down"))
            )
        query = Query(text, Platform.DISCORD, locale=locale, plan=self._plan(interaction))
        reply = await self._engine.handle(query)
        if self._insights is not None:
            self._insights.if_unanswered(reply, text, "discord", user_id(interaction))
        return self._rendered.body(reply, "new", lambda: render.response(reply))

    async def _component(
        self, custom_id: str, interaction: dict[str, Any], locale: str | None
    ) -> bytes:
        """Share posts publicly; a topic button updates a private answer in place, and answers
        privately under a public one."""
        match = render.CUSTOM_ID.match(custom_id)
        if match is None:
            return await self._component("caremark:topic:help", interaction, locale)
        if match["kind"] in ("yes", "no"):
            return encode(await self._vote(match, interaction))
        view = View.FULL if match["kind"] == "more" else View.BRIEF
        language = match["language"]
        query = Query(
            match["value"],
            Platform.DISCORD,
            locale=locale,
            view=view,
            language=language,
            plan=self._plan(interaction),
        )
        reply = await self._engine.handle(query)
        if match["kind"] == "share":
            channel = f"discord:{interaction.get('channel_id') or ''}"
            if not await cooled_down(self._shared, channel, reply.topic_id):
                return encode(render.notice(words(reply.language)("conversation.just_shared")))
            return self._rendered.body(reply, "shared", lambda: render.response(reply, shared=True))
        flags = (interaction.get("message") or {}).get("flags", 0)
        private = isinstance(flags, int) and bool(flags & render.EPHEMERAL)
        variant = f"update-{view}" if private else f"new-{view}"
        return self._rendered.body(reply, variant, lambda: render.response(reply, update=private))

    async def _vote(self, match: Any, interaction: dict[str, Any]) -> dict[str, Any]:
        message = interaction.get("message") or {}
        answer = f"discord:{interaction.get('channel_id') or ''}:{message.get('id') or ''}"
        return await feedback.voted(
            self._insights,
            match["kind"],
            match["value"],
            match["language"],
            user_id(interaction),
            answer,
        )

    def _missing(self, interaction: dict[str, Any]) -> dict[str, Any]:
        typed = fields_of(interaction).get("missing", "")
        return feedback.missing(
            self._insights, _custom_id(interaction), typed, user_id(interaction)
        )

    def _plan(self, interaction: dict[str, Any]) -> str | None:
        """The plan mapped to this guild and channel (None: the deployment's default)."""
        return self._routes.plan_for("discord", *place_of(interaction))


def _for_admin(kind: int, interaction: dict[str, Any]) -> bool:
    if kind == COMMAND:
        return is_admin_command(interaction)
    return kind in (COMPONENT, MODAL_SUBMIT) and is_admin_interaction(interaction)


def _custom_id(interaction: dict[str, Any]) -> str:
    return str((interaction.get("data") or {}).get("custom_id") or "")


def _topic_option(data: dict[str, Any]) -> str:
    """The `topic` option's value, whether submitted or still being typed."""
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == "topic":
            return str(option.get("value") or "")
    return ""
