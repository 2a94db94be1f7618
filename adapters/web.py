"""The aiohttp web app `caremark-bot serve` runs: chat endpoints, health, readiness, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import Background, while_serving
from adapters.discord_app.admin import DiscordAdmin
from adapters.discord_app.interactions import Interactions
from adapters.limits import admitted
from adapters.logs import reference
from adapters.metrics import Metrics
from adapters.plan_routes import PlanRoutes
from adapters.reloading import Reloader
from adapters.serving import Drain, body_in_time, unauthorized
from adapters.settings import SlackSettings
from adapters.shared import SharedState
from adapters.signing import REMEMBER_SECONDS, UnixTime
from adapters.slack import render
from adapters.slack.app import (
    Answers,
    SlashCommand,
    build_app,
    is_ssl_check,
    slash_command,
    web_client,
)
from adapters.slack.check import MessageCheck
from adapters.slack.clients import CLIENT, Clients
from adapters.slack.feedback import SlackFeedback
from adapters.slack.verify import SIGNATURE_HEADER, is_signed
from bot.core import Engine
from bot.i18n import DEFAULT, words

if TYPE_CHECKING:
    from adapters.insights import Insights
    from adapters.slack.oauth import Installs

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
"""Slack's payloads are a few kilobytes; anything far larger is refused (413) unread."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Slack:
    """Slack as this process runs it: the Bolt app, and the Socket Mode handler if any."""

    settings: SlackSettings
    answers: Answers
    app: AsyncApp
    socket: AsyncSocketModeHandler | None = None
    clock: UnixTime = field(default=time.time)
    installs: Installs | None = None
    """The installs in many workspaces (OAuth); None with one workspace's bot token."""

    @classmethod
    def start(
        cls,
        engine: Engine,
        settings: SlackSettings,
        clock: UnixTime = time.time,
        shared: SharedState | None = None,
        installs: Installs | None = None,
    ) -> Slack:
        """`shared` holds what every instance must agree on (see `adapters/shared.py`)."""
        clients = Clients(web_client(settings) if installs is None else None)
        answers = Answers(engine, clients=clients, shared=shared or SharedState())
        app = build_app(answers, settings, installs)
        MessageCheck(
            engine,
            answers.background,
            answers.locale_of,
            lambda: answers.routes,
            lambda: answers.admin,
        ).register(app)
        SlackFeedback(lambda: answers.insights).register(app)
        socket = (
            AsyncSocketModeHandler(app, settings.app_token) if settings.mode == "socket" else None
        )
        return cls(settings, answers, app, socket, clock, installs)

    async def every_workspace(self) -> list[AsyncWebClient]:
        """A Web API client for each workspace served (to reach a person wherever they are)."""
        if self.installs is None:
            fixed = self.answers.clients.fixed if self.answers.clients else None
            return [fixed] if fixed else []
        return await self.installs.clients(lambda token: web_client(self.settings, token))

    async def serving(self, command: SlashCommand) -> contextvars.Token[Any] | bool:
        """Before answering a slash command over HTTP: with installs in many workspaces, the
        workspace's client (a token to reset afterwards), or False when the app is not
        installed there. True when there is nothing to check."""
        if self.installs is None:
            return True
        try:
            found = await self.installs.workspaces.authorize(
                command.enterprise or None, command.team or None, command.org_wide, command.user
            )
        except Exception:  # the store is away: the request is Slack's own (it is signed)
            log.exception("slack installs could not be read", extra={"platform": "slack"})
            return True
        if found is None:
            return False
        return CLIENT.set(web_client(self.settings, found.bot_token))

    @property
    def shared(self) -> SharedState:
        return self.answers.shared

    async def ready(self) -> tuple[bool, str]:
        if self.socket is None:
            return True, "http mode"
        connected = await self.socket.client.is_connected()
        return connected, "socket mode connected" if connected else "socket mode not connected"


ENGINE = web.AppKey("engine", Engine)
SHARED = web.AppKey("shared", SharedState)
METRICS = web.AppKey("metrics", Metrics)
SLACK = web.AppKey("slack", Slack)
ADMIN_TOKEN = web.AppKey("admin_token", str)
DRAIN = web.AppKey("drain", Drain)
RELOADER = web.AppKey("reloader", Reloader)
BACKGROUND = web.AppKey("background", Background)


def create_app(
    engine: Engine,
    slack: Slack | None = None,
    discord_key: str | None = None,
    admin_token: str | None = None,
    metrics_token: str | None = None,
    discord_admin: DiscordAdmin | None = None,
    shared: SharedState | None = None,
    routes: PlanRoutes | None = None,
    insights: Insights | None = None,
) -> web.Application:
    """The web app; Slack's and Discord's endpoints are mounted when they are configured.
    `shared` (default: Slack's, else in-process) is the state every instance agrees on."""
    metrics = Metrics()
    shared = shared or (slack.shared if slack else SharedState())
    shared.failed = metrics.shared_failures.inc
    engine.observe(metrics.observe)
    drain = Drain()
    app = web.Application(
        client_max_size=MAX_BODY_BYTES,
        middlewares=[drain.middleware, body_in_time, metrics.middleware],
    )
    app[ENGINE] = engine
    app[METRICS] = metrics
    app[DRAIN] = drain
    app[RELOADER] = Reloader(engine)
    app[BACKGROUND] = Background()
    app[SHARED] = shared
    app.on_cleanup.append(_close_shared)
    drain.background.append(app[BACKGROUND])
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _guarded_metrics(metrics, metrics_token))
    app.cleanup_ctx.append(while_serving(metrics.watch_lag))
    if admin_token:
        app[ADMIN_TOKEN] = admin_token
        app.router.add_post("/admin/reload", _admin_reload)
    app.on_startup.append(_reload_on_sighup)
    if discord_key is not None:
        app.router.add_post(
            "/discord/interactions",
            Interactions(
                engine,
                discord_key,
                admin=discord_admin,
                shared=shared,
                routes=routes,
                insights=insights,
            ).handle,
        )
    if slack is not None:
        app[SLACK] = slack
        drain.background.append(slack.answers.background)
        app.router.add_post("/slack/events", _slack_events)
        if slack.installs is not None:
            slack.installs.mount(app.router)
        if slack.socket is not None:
            app.on_startup.append(_connect_socket)
            app.on_cleanup.append(_close_socket)
    return app


async def _reload_on_sighup(app: web.Application) -> None:
    reloader = app[RELOADER]
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: app[BACKGROUND].spawn(_quietly(reloader.reload()))
        )


async def _quietly(work: Coroutine[Any, Any, list[str]]) -> None:
    await work


def _guarded_metrics(metrics: Metrics, token: str | None) -> Handler:
    """`/metrics`, behind a bearer token when one is set (`CAREMARK_METRICS_TOKEN`): its counts
    per topic say which sensitive topics a workplace asks about."""
    if token is None:
        return metrics.handle

    async def handle(request: web.Request) -> web.StreamResponse:
        if not bearer_matches(request, token):
            return unauthorized("unauthorized", "a request without the right bearer token")
        return await metrics.handle(request)

    return handle


def bearer_matches(request: web.Request, token: str) -> bool:
    """A single `Authorization: Bearer <token>` header, compared in constant time; any other
    shape (repeated, non-ASCII, missing) is simply not a match."""
    sent = request.headers.getall("Authorization", [])
    if len(sent) != 1 or not sent[0].isascii():
        return False
    return hmac.compare_digest(sent[0].encode("ascii"), f"Bearer {token}".encode())


async def _admin_reload(request: web.Request) -> web.Response:
    if not bearer_matches(request, request.app[ADMIN_TOKEN]):
        return unauthorized("unauthorized", "a request without the right bearer token")
    problems = await request.app[RELOADER].reload()
    if problems:
        return web.json_response({"reloaded": False, "problems": problems}, status=409)
    topics = len(request.app[ENGINE].knowledge.topics)
    return web.json_response({"reloaded": True, "topics": topics})


def report_page(
    token: str, make: Callable[[dt.date], Awaitable[str]]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """`GET /admin/report[?since=YYYY-MM-DD]`: the HR team's report page, behind the admin
    token (its numbers say what a workplace asks about)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if not bearer_matches(request, token):
            return unauthorized("unauthorized", "a request without the right bearer token")
        try:
            since = dt.date.fromisoformat(request.query.get("since", ""))
        except ValueError:
            since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=90)
        try:
            body = await make(since)
        except Exception:
            ref = reference()
            log.exception("the report could not be built", extra={"reference": ref})
            return web.json_response({"error": "report unavailable", "reference": ref}, status=503)
        return web.Response(
            text=body, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    return handle


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _close_shared(app: web.Application) -> None:
    await app[SHARED].close()


async def _readyz(request: web.Request) -> web.Response:
    """Ready to answer. Redis being away does not make an instance unready (it answers with
    in-process state), but `shared_state` says so."""
    checks: dict[str, Any] = {"knowledge": f"{len(request.app[ENGINE].knowledge.topics)} topics"}
    shared = request.app[SHARED]
    await shared.ping()
    checks["shared_state"] = shared.where
    request.app[METRICS].shared_in_redis.set(1 if shared.shared else 0)
    ready = not request.app[DRAIN].draining
    if not ready:
        checks["shutting_down"] = True
    if SLACK in request.app:
        ok, state = await request.app[SLACK].ready()
        checks["slack"] = state
        ready = ready and ok
    return web.json_response({"ready": ready, **checks}, status=200 if ready else 503)


async def _slack_events(request: web.Request) -> web.Response:
    """Verify; answer a slash command directly, hand anything else to Bolt, and turn anything
    Bolt could not answer into a 200."""
    slack = request.app[SLACK]
    body = await request.read()
    if is_ssl_check(request.headers, body):
        return web.Response(status=200)  # Slack's certificate probe comes unsigned, by design
    secret = slack.settings.signing_secret or ""
    now = slack.clock()
    if not secret or not is_signed(secret, request.headers, body, now):
        return unauthorized("invalid request signature", "Slack request without a valid signature")
    command = slash_command(body.decode("utf-8"))
    asker = f"slack:{command.user}" if command is not None else None
    signature, limit = request.headers[SIGNATURE_HEADER], slack.answers.asks_per_minute
    first, over = await admitted(
        slack.shared, "slack-signature", signature, REMEMBER_SECONDS, asker, limit
    )
    if not first:
        return unauthorized("replayed request", "a replayed Slack request")
    if command is not None:
        return await _slash_command(slack, command, over)
    headers: dict[str, str | Sequence[str]] = {
        name: request.headers.getall(name) for name in request.headers
    }
    try:
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8"), query=request.query_string, headers=headers
        )
    except Exception:  # a signed body Bolt cannot parse (e.g. `payload=` that is not JSON)
        return web.json_response({"error": "unreadable request"}, status=400)
    try:
        response = await slack.app.async_dispatch(bolt_request)
    except Exception:
        response = None
    if response is None or response.status >= 500:
        ref = reference()
        log.error("slack dispatch failed", extra={"reference": ref})
        return web.json_response(render.error_message(ref))
    content_type = response.headers.get("content-type", ["application/json"])[0]
    return web.Response(
        status=response.status,
        body=response.body.encode("utf-8"),
        content_type=content_type.split(";")[0],
    )


async def _slash_command(slack: Slack, command: SlashCommand, over: bool) -> web.Response:
    serving = await slack.serving(command)
    if serving is False:
        note = words(DEFAULT)("install.not_installed")
        return web.json_response(render.notice(note))
    try:
        answer = await slack.answers.command_body(
            command.text, command.user, command.trigger_id, command.team, command.channel, over=over
        )
    finally:
        if isinstance(serving, contextvars.Token):
            CLIENT.reset(serving)
    if not answer:
        return web.Response(status=200)  # a modal opened: nothing to show in the channel
    return web.Response(body=answer, content_type="application/json")


async def _connect_socket(app: web.Application) -> None:
    slack = app[SLACK]
    assert slack.socket is not None
    await slack.socket.connect_async()  # type: ignore[no-untyped-call]


async def _close_socket(app: web.Application) -> None:
    slack = app[SLACK]
    assert slack.socket is not None
    await slack.socket.close_async()  # type: ignore[no-untyped-call]
