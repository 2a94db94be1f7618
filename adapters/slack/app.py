"""The Bolt app: /caremark, its buttons and the App Home tab, all answered by the core.

Every listener catches everything: the person always gets a private answer (a fallback with a
short reference when something failed), and the traceback goes to the log under that reference.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import Background
from adapters.bursts import BurstLimit
from adapters.conversations import Conversations
from adapters.limits import asks_per_minute, cooled_down, too_many
from adapters.logs import reference
from adapters.plan_routes import PlanRoutes
from adapters.rendered import Rendered, encode
from adapters.settings import SlackSettings
from adapters.shared import SharedState
from adapters.signing import REMEMBER_SECONDS, UnixTime
from adapters.slack import render
from adapters.slack.admin import SlackAdmin, is_admin_command
from adapters.slack.admin import user_of as _user
from adapters.slack.clients import CLIENT, Clients
from adapters.slack.locales import UserLocales
from adapters.slack.messages import Messages
from adapters.slack.verify import SIGNATURE_HEADER
from adapters.text import from_button
from bot.answer.language import of_locale
from bot.core import Engine
from bot.i18n import DEFAULT, words
from bot.reply import Platform, Query, Reply, View

if TYPE_CHECKING:
    from adapters.insights import Insights
    from adapters.slack.oauth import Installs

COMMAND = "/caremark"
log = logging.getLogger(__name__)


def web_client(settings: SlackSettings, token: str | None = None) -> AsyncWebClient:
    """A Web API client with `token` (default: the one workspace's bot token, if any)."""
    token = token or settings.bot_token
    if settings.api_url:
        return AsyncWebClient(token=token, base_url=settings.api_url)
    return AsyncWebClient(token=token)


def build_app(
    answers: Answers, settings: SlackSettings, installs: Installs | None = None
) -> AsyncApp:
    """An AsyncApp that answers inside the acknowledgement and never calls `auth.test`:
    with one workspace's token, or with the install of the workspace a request came from."""

    async def one_workspace(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id=None, bot_token=settings.bot_token)

    oauth: dict[str, Any] = {"authorize": one_workspace}
    if installs is not None:
        oauth = {
            "authorize": installs.workspaces,
            "oauth_flow": installs.flow,
            "installation_store": installs.store,
            "user_facing_authorize_error_message": words(DEFAULT)("install.not_installed"),
        }
    app = AsyncApp(
        client=web_client(settings),
        **oauth,
        signing_secret=settings.signing_secret or "socket-mode",
        request_verification_enabled=False,  # verified before Bolt, see adapters/slack/verify.py
        process_before_response=True,  # the answer travels in the ack: no 10 ms polling floor
        ssl_check_enabled=True,
        url_verification_enabled=True,
    )
    app.use(answers.screen_events)
    app.use(_serving_workspace)
    if installs is not None:
        installs.register(app)
    app.command(COMMAND)(answers.command)
    app.action(SHARE_PATTERN)(answers.share)
    app.action(TOPIC_PATTERN)(answers.topic)
    app.action(MORE_PATTERN)(answers.more)
    app.event("app_home_opened")(answers.home_opened)
    app.event("app_mention")(answers.messages.mention)
    app.event("message")(answers.messages.message)
    return app


async def _serving_workspace(client: AsyncWebClient, next: Callable[[], Awaitable[None]]) -> None:
    """Every listener, and the work it starts, calls Slack with this workspace's client."""
    serving = CLIENT.set(client)
    try:
        await next()
    finally:
        CLIENT.reset(serving)


SHARE_PATTERN = re.compile(f"^{re.escape(render.SHARE_ACTION)}$")
TOPIC_PATTERN = re.compile(
    f"^({re.escape(render.TOPIC_ACTION)}|{re.escape(render.LANGUAGE_ACTION)})"
)
MORE_PATTERN = re.compile(f"^{re.escape(render.MORE_ACTION)}")


def is_ssl_check(headers: Mapping[str, str], body: bytes) -> bool:
    """Slack's certificate check: an unsigned form with `ssl_check=1` (and a token), nothing
    else. It is answered 200 before signatures are checked; any other unsigned body is not."""
    if SIGNATURE_HEADER in headers or len(body) > MAX_SSL_CHECK_BYTES:
        return False
    try:
        form = urllib.parse.parse_qs(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=True
        )
    except (UnicodeDecodeError, ValueError):
        return False
    return form.get("ssl_check") == ["1"] and set(form) <= {"ssl_check", "token"}


MAX_SSL_CHECK_BYTES = 512


class SlashCommand(NamedTuple):
    text: str
    user: str
    trigger_id: str = ""
    team: str = ""
    channel: str = ""
    enterprise: str = ""
    org_wide: bool = False
    """Sent from a workspace of an Enterprise Grid org the app is installed in org-wide."""


def slash_command(body: str) -> SlashCommand | None:
    """The text and user of a `/caremark` slash command form body; None for any other."""
    form = urllib.parse.parse_qs(body, keep_blank_values=True)
    if form.get("command") != [COMMAND] or "payload" in form:
        return None
    first = {key: values[0] for key, values in form.items()}
    return SlashCommand(
        first.get("text", ""),
        first.get("user_id", ""),
        first.get("trigger_id", ""),
        first.get("team_id", ""),
        first.get("channel_id", ""),
        first.get("enterprise_id", ""),
        first.get("is_enterprise_install", "") == "true",
    )


class Answers:
    """The listeners; each one turns a Slack payload into a Query and a Reply into blocks."""

    def __init__(
        self,
        engine: Engine,
        clock: UnixTime = time.time,
        clients: Clients | None = None,
        shared: SharedState | None = None,
    ) -> None:
        self._engine = engine
        self._rendered = Rendered()
        self._clock = clock
        self.background = Background()
        self.shared = shared or SharedState(clock=clock)
        """Event ids handled, rate limits, Share cooldowns: across instances with Redis."""
        self.asks_per_minute = asks_per_minute()
        self.clients = clients
        """The Web API client of the workspace being served (None: no Web API, in tests)."""
        self.locales = UserLocales(clients, self.background, clock) if clients else None
        self.routes = PlanRoutes()
        """Which plan answers in which workspace and channel (filled by the store's watch)."""
        self.messages = Messages(
            self.ask,
            self.locale_of,
            self.background,
            Conversations(clock),
            BurstLimit(clock),
            lambda team, channel: self.routes.plan_for("slack", team, channel),
            self._missed,
        )
        self.insights: Insights | None = None
        """Where questions nothing answered are kept, redacted (see `serve`)."""
        self.admin: SlackAdmin | None = None
        """`/caremark admin`, when the deployment has a plan store (see `serve`)."""

    def _missed(self, reply: Reply, text: str, user: str) -> None:
        """Keep a question nothing answered, redacted, when insights are collected."""
        if self.insights is not None:
            self.insights.if_unanswered(reply, text, "slack", user)

    async def ask(self, query: Query) -> Reply:
        return await self._engine.handle(query)

    def locale_of(self, user: str, team: str = "") -> str | None:
        """The workspace's language if it has one set, else the person's Slack locale if
        already known (it is looked up in the background)."""
        known = self.locales.get(user) if self.locales else None
        return self.routes.locale_for("slack", team, known) if team else known

    async def screen_events(
        self, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Before any listener: answer `app_rate_limited` (sent even unsubscribed) with 200,
        and handle each event once, since Slack retries an event with the same `event_id`."""
        kind = body.get("type")
        if kind == "app_rate_limited":
            log.warning(
                "slack paused events for this workspace: over 30,000 in an hour",
                extra={"platform": "slack"},
            )
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id")
        retry = (
            kind == "event_callback"
            and isinstance(event_id, str)
            and not await self.shared.once("slack-event", event_id, REMEMBER_SECONDS)
        )
        if retry:
            return BoltResponse(status=200, body="")  # a retry of one already handled
        await next()
        return None

    async def _ask(
        self,
        text: str,
        view: View = View.BRIEF,
        language: str | None = None,
        locale: str | None = None,
        plan: str | None = None,
    ) -> Reply:
        query = Query(text, Platform.SLACK, locale=locale, view=view, language=language, plan=plan)
        return await self._engine.handle(query)

    async def _pressed(self, body: dict[str, Any], view: View = View.BRIEF) -> Reply:
        """The answer a button asks for: its topic, in the language it carries."""
        topic, language = from_button(_action_value(body))
        team = str((body.get("team") or {}).get("id") or "")
        channel = str((body.get("channel") or {}).get("id") or "")
        plan = self.routes.plan_for("slack", team, channel)
        return await self._ask(topic, view, language, self.locale_of(_user(body), team), plan)

    async def command_body(
        self,
        text: str,
        user: str = "",
        trigger_id: str = "",
        team: str = "",
        channel: str = "",
        *,
        over: bool | None = None,
    ) -> bytes:
        """The slash command's answer as a response body (a fallback if anything failed).

        Over HTTP this is the whole response, sent before Bolt is involved: slash commands
        are the traffic that bursts, and Bolt's dispatch nearly doubles their cost."""
        if self.admin is not None and is_admin_command(text):
            return await self._admin_body(self.admin, trigger_id, user, team, channel)
        if over is None:  # not counted yet (Socket Mode): count now
            over = await too_many(self.shared, f"slack:{user}", self.asks_per_minute)
        if over:
            return encode(
                render.notice(
                    words(of_locale(self.locale_of(user, team)) or DEFAULT)(
                        "conversation.slow_down"
                    )
                )
            )
        try:
            plan = self.routes.plan_for("slack", team, channel)
            reply = await self._ask(text, locale=self.locale_of(user, team), plan=plan)
            self._missed(reply, text, user)
            return self._rendered.body(reply, "private", lambda: render.message(reply))
        except Exception:
            return encode(render.error_message(_failed("slash command")))

    async def _admin_body(
        self, admin: SlackAdmin, trigger_id: str, user: str, team: str, channel: str
    ) -> bytes:
        """Open the plan admins' modal (an empty acknowledgement), or refuse privately."""
        try:
            refusal = await admin.open(trigger_id, user, team, channel)
        except Exception:
            return encode(render.error_message(_failed("admin")))
        return encode(refusal) if refusal else b""

    async def command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """The slash command through Bolt (Socket Mode): the same answer, in the ack."""
        body = await self.command_body(
            str(command.get("text") or ""),
            str(command.get("user_id") or ""),
            str(command.get("trigger_id") or ""),
            str(command.get("team_id") or ""),
            str(command.get("channel_id") or ""),
        )
        await ack(**json.loads(body)) if body else await ack()

    async def share(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """Post the same answer visibly in the channel, as a new message, after the ack."""
        await ack()
        self.background.spawn(guarded(respond, "share", lambda: self._shared(body, respond)))

    async def _shared(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        reply = await self._pressed(body)
        channel = str((body.get("channel") or {}).get("id") or "")
        if channel and not await cooled_down(self.shared, f"slack:{channel}", reply.topic_id):
            note = render.notice(words(reply.language)("conversation.just_shared"))
            await respond(**note, replace_original=False)
            return
        await respond(**render.message(reply, shared=True), replace_original=False)

    async def topic(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """A topic or suggestion button: in place when private, privately when in a channel."""
        await ack()
        work = guarded(respond, "topic button", lambda: self._topic(body, respond, client))
        self.background.spawn(work)

    async def more(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """'More details' or 'Show all topics': the full answer, in place when private."""
        await ack()
        work = guarded(respond, "more", lambda: self._topic(body, respond, client, View.FULL))
        self.background.spawn(work)

    async def _topic(
        self,
        body: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        view: View = View.BRIEF,
    ) -> None:
        reply = await self._pressed(body, view)
        if body.get("view", {}).get("type") == "home":
            directory = await self._ask("help", View.FULL, reply.language)
            await client.views_publish(
                user_id=body["user"]["id"], view=render.home_view(directory, reply)
            )
            return
        private = bool(body.get("container", {}).get("is_ephemeral", True))
        await respond(**render.message(reply), replace_original=private)

    async def home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        """Publish the App Home tab after the event is acknowledged."""
        if event.get("tab", "home") == "home":
            self.background.spawn(self._publish_home(str(event.get("user", "")), client))

    async def _admin_summary(self, user: str, language: str) -> str | None:
        """The last 30 days in one sentence, for a plan admin (None for anyone else)."""
        if self.admin is None or not await self.admin.allows(user):
            return None
        try:
            return await self.admin.desk.summary(language)
        except Exception:
            _failed("admin summary")
            return None

    async def _publish_home(self, user: str, client: AsyncWebClient) -> None:
        try:
            locale = await self.locales.fetch(user) if self.locales else None
            directory = await self._ask("help", View.FULL, locale=locale)
            view = render.home_view(directory)
            numbers = await self._admin_summary(user, directory.language)
            if numbers:  # plan admins see how the bot is doing, above the topics
                note = {"type": "context", "elements": [render.mrkdwn(render.escape(numbers))]}
                view["blocks"] = [note, *view["blocks"]][: render.MAX_HOME_BLOCKS]
            await client.views_publish(user_id=user, view=view)
        except Exception:
            _failed("app home")


def _action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _failed(what: str) -> str:
    ref = reference()
    log.exception("slack %s failed", what, extra={"reference": ref})
    return ref


async def guarded(respond: AsyncRespond, what: str, work: Callable[[], Awaitable[None]]) -> None:
    """Run the work after an ack; if it fails, tell the person privately, with a reference."""
    try:
        await work()
    except Exception:
        ref = _failed(what)
        try:
            await respond(**render.error_message(ref), replace_original=False)
        except Exception:
            log.exception("slack fallback could not be sent", extra={"reference": ref})
