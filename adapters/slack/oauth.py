"""Installing the Slack app in a workspace: `/slack/install` sends the installer to Slack,
`/slack/oauth_redirect` takes them back, stores the install and says, in their language,
what happened. Removing the app (`app_uninstalled`, `tokens_revoked`) forgets that
workspace: its tokens, its plan mappings and its settings.

Installs approved on Slack's own pages (the App Directory, an admin's approval) come back
with a code and no `state`; they are completed without the state check, since no install
page of ours started them. A callback that carries a `state` must carry a valid one.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.logs import reference
from adapters.settings import SlackInstalls
from adapters.slack.installs import OnceStateStore, SealedInstallationStore, TokenLock
from adapters.slack.manifest import SCOPES
from adapters.slack.workspaces import Workspaces
from adapters.store.routes import drop_route, routes
from adapters.store.secrets import Sealer
from adapters.store.tables import workspace_settings
from bot.answer.language import of_locale
from bot.i18n import DEFAULT, words

log = logging.getLogger(__name__)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600
CANCELLED = {"access_denied"}
EXPIRED = {"invalid_state", "invalid_browser"}


class Installs:
    """Everything an installed (multi-workspace) Slack app needs, on the store's database."""

    def __init__(
        self, settings: SlackInstalls, db: AsyncEngine, sealer: Sealer, client: AsyncWebClient
    ) -> None:
        self.db = db
        self.store = SealedInstallationStore(settings.client_id, db, sealer)
        rotator = AsyncTokenRotator(
            client_id=settings.client_id, client_secret=settings.client_secret, client=client
        )
        self.workspaces = Workspaces(self.store, rotator, TokenLock(db))
        oauth = AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(SCOPES),
            redirect_uri=settings.redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            install_page_rendering_enabled=False,  # straight to Slack's own consent page
            installation_store=self.store,
            state_store=OnceStateStore(STATE_SECONDS, db),
            state_expiration_seconds=STATE_SECONDS,
            callback_options=AsyncCallbackOptions(success=_installed, failure=_not_installed),
        )
        self.flow = AsyncOAuthFlow(client=client, logger=log, settings=oauth)
        stateless = copy.copy(oauth)
        stateless.state_validation_enabled = False
        self._from_slack = AsyncOAuthFlow(client=client, logger=log, settings=stateless)

    async def clients(self, make: Callable[[str], AsyncWebClient]) -> list[AsyncWebClient]:
        """A client for every workspace the app is installed in."""
        return [make(found.bot_token) for found in await self.store.installed() if found.bot_token]

    def register(self, app: AsyncApp) -> None:
        app.event("app_uninstalled")(self.uninstalled)
        app.event("tokens_revoked")(self.revoked)

    def mount(self, router: web.UrlDispatcher) -> None:
        router.add_get(INSTALL_PATH, self.install_page)
        router.add_get(REDIRECT_PATH, self.redirect_page)

    async def install_page(self, request: web.Request) -> web.Response:
        try:
            return await to_aiohttp_response(
                await self.flow.handle_installation(await to_bolt_request(request))
            )
        except Exception:
            return _failed_page(request, "install page")

    async def redirect_page(self, request: web.Request) -> web.Response:
        query = request.query
        flow = self.flow if "state" in query or "code" not in query else self._from_slack
        try:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )
        except Exception:
            return _failed_page(request, "install callback")

    async def uninstalled(self, context: AsyncBoltContext) -> None:
        await self.forget(context.enterprise_id, None if _org(context) else context.team_id)

    async def revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """The bot's token revoked is the app gone from that workspace (it asks for no user
        tokens, so nothing else is revoked)."""
        if (event.get("tokens") or {}).get("bot"):
            await self.forget(context.enterprise_id, None if _org(context) else context.team_id)

    async def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete a workspace's (or an org's) install, plan mappings and settings."""
        await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        self.workspaces.forget(enterprise_id, team_id)
        if team_id:
            for route in await routes(self.db):
                if route.platform == "slack" and route.workspace == team_id:
                    await drop_route(self.db, route.key, "slack", surface="uninstall")
            async with self.db.begin() as connection:
                c = workspace_settings.c
                await connection.execute(
                    delete(workspace_settings).where(c.platform == "slack", c.workspace == team_id)
                )
        log.info("slack app removed from a workspace: its data is deleted")


def _org(context: AsyncBoltContext) -> bool:
    return bool(context.is_enterprise_install)


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    found = args.installation
    where = found.team_name or found.enterprise_name or ""
    language = _language(args.request.headers)
    say = words(language)
    title, text = say("install.done_title", workspace=where), say("install.done", workspace=where)
    return _page(language, 200, title, text)


async def _not_installed(args: AsyncFailureArgs) -> BoltResponse:
    language = _language(args.request.headers)
    say = words(language)
    if args.reason in CANCELLED:
        key, status = "install.cancelled", 200
    elif args.reason in EXPIRED:
        key, status = "install.expired", 400
    else:
        key, status = "install.failed", 400
        log.warning("slack install failed: %s", args.reason, extra={"reference": reference()})
    return _page(language, status, say("install.failed_title"), say(key), say("install.again"))


def _failed_page(request: web.Request, what: str) -> web.Response:
    ref = reference()
    log.exception("slack %s failed", what, extra={"reference": ref})
    language = _language({"accept-language": [request.headers.get("Accept-Language", "")]})
    say = words(language)
    title, text, again = say("install.failed_title"), say("install.failed"), say("install.again")
    page = _page(language, 400, title, text, again)
    return web.Response(status=400, text=page.body, content_type="text/html")


def _language(headers: dict[str, Any]) -> str:
    """The installer's language, from the first tag their browser prefers."""
    values = headers.get("accept-language") or [""]
    first = str(values[0]).split(",")[0].split(";")[0].strip()
    return of_locale(first) or DEFAULT


def _page(
    language: str, status: int, title: str, text: str, again: str | None = None
) -> BoltResponse:
    link = f'<p><a href="{INSTALL_PATH}">{html.escape(again)}</a></p>' if again else ""
    body = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:1.05rem/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;"
        "padding:0 1rem;color:#1d1c1d}h1{font-size:1.4rem}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{link}</body></html>"
    )
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html"})
