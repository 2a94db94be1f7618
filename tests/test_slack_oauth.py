"""The Slack app installed through OAuth in many workspaces, end to end against a loopback
`oauth.v2.access`, on SQLite and PostgreSQL: install and answer, tokens sealed at rest, one
winner among twenty callbacks with one `state`, installs from Slack's own pages, an
Enterprise Grid org install, one token refresh across two instances, uninstalls that forget
the workspace, and an install made through one `serve` process answered by another."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.settings import ConfigError, SlackInstalls, SlackSettings, slack_settings
from adapters.slack.manifest import manifest
from adapters.slack.oauth import Installs
from adapters.slack.recheck import SlackMessenger
from adapters.store.database import connect, upgrade
from adapters.store.plans import PlanStore
from adapters.store.routes import Route, routes, set_route
from adapters.store.secrets import Sealer, new_key
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from tests.conftest import EXAMPLE_PLAN
from tests.slack_fakes import (
    SECRET,
    SERVE,
    FakeSlack,
    free_port,
    signed_headers,
    start_fake_slack,
    start_server,
    trigger_id,
)
from tests.stores import POSTGRES, url

__all__ = ["url"]  # the fixture, from tests/stores.py
CLIENT_ID, CLIENT_SECRET = "111.222", "oauthsecret1"
KEY = new_key()
COOKIE = "slack-app-oauth-state"
SPECIALTY = "1-800-237-2767"


def grant(team: str | None, name: str, token: str, **more: Any) -> dict[str, Any]:
    """What `oauth.v2.access` says for a workspace install (no team: an org-wide one)."""
    return {
        "app_id": "A0APP",
        "access_token": token,
        "token_type": "bot",
        "scope": "commands,chat:write",
        "bot_user_id": "U0BOT",
        "team": {"id": team, "name": name} if team else None,
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": "U0INSTALLER"},
        **more,
    }


def command(
    team: str, *, enterprise: str = "", org_wide: bool = False, text: str = "specialty"
) -> bytes:
    form = {
        "command": "/caremark",
        "text": text,
        "user_id": "U0ASKER",
        "team_id": team,
        "enterprise_id": enterprise,
        "is_enterprise_install": "true" if org_wide else "false",
        "channel_id": "C0BENEFITS",
        "response_url": "https://hooks.slack.invalid/x",
        "trigger_id": trigger_id(),
        "api_app_id": "A0APP",
    }
    return urllib.parse.urlencode(form).encode()


def event(kind: str, team: str, **more: Any) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": team,
            "api_app_id": "A0APP",
            "event": {"type": kind, **more},
            "event_id": f"Ev{trigger_id().replace('.', '')}",
            "event_time": int(time.time()),
        }
    ).encode()


@dataclass
class Site:
    client: TestClient[Any, Any]
    fake: FakeSlack
    db: AsyncEngine
    installs: Installs

    async def install(self, code: str, **headers: str) -> tuple[int, str]:
        """The installer's browser: our install page, Slack's consent, back to our redirect."""
        start = await self.client.get("/slack/install", allow_redirects=False)
        assert start.status == 302
        state = urllib.parse.parse_qs(urllib.parse.urlparse(start.headers["Location"]).query)
        page = await self.client.get(
            "/slack/oauth_redirect",
            params={"code": code, "state": state["state"][0]},
            headers={"Cookie": f"{COOKIE}={state['state'][0]}", **headers},
        )
        return page.status, await page.text()

    async def ask(self, body: bytes) -> str:
        response = await self.client.post("/slack/events", data=body, headers=signed_headers(body))
        assert response.status == 200
        return await response.text()


def installs_on(db: AsyncEngine, fake: FakeSlack) -> Installs:
    settings = SlackInstalls(CLIENT_ID, CLIENT_SECRET)
    return Installs(settings, db, Sealer([KEY]), AsyncWebClient(base_url=fake.api_url))


@pytest.fixture
async def site(url: str, engine: Engine) -> AsyncIterator[Site]:
    upgrade(url)
    db = connect(url)
    fake = await start_fake_slack()
    installs = installs_on(db, fake)
    settings = SlackSettings(
        None, SECRET, None, fake.api_url, SlackInstalls(CLIENT_ID, CLIENT_SECRET)
    )
    chat = Slack.start(engine, settings, installs=installs)
    client = TestClient(TestServer(create_app(engine, chat), host="127.0.0.1"))
    await client.start_server()
    yield Site(client, fake, db, installs)
    await client.close()
    await fake.server.close()
    await db.dispose()


async def test_an_installed_workspace_is_answered_with_its_own_token(site: Site) -> None:
    site.fake.grants["code-acme"] = grant("T0ACME", "Acme", "xoxb-acme-1")
    start = await site.client.get("/slack/install", allow_redirects=False)
    to_slack = urllib.parse.urlparse(start.headers["Location"])
    asked = urllib.parse.parse_qs(to_slack.query)
    assert to_slack.netloc == "slack.com" and asked["client_id"] == [CLIENT_ID]
    assert "commands" in asked["scope"][0].split(",")

    status, page = await site.install("code-acme")
    assert status == 200 and "Caremark help is in Acme" in page and "/caremark admin" in page
    assert SPECIALTY in await site.ask(command("T0ACME"))

    body = event("app_home_opened", "T0ACME", user="U0ASKER", tab="home")
    assert await site.ask(body) == ""
    for _ in range(100):
        if any(path.endswith("views.publish") for path, _ in site.fake.tokens):
            break
        await asyncio.sleep(0.02)
    assert ("/api/views.publish", "xoxb-acme-1") in site.fake.tokens


async def test_tokens_are_sealed_at_rest(site: Site) -> None:
    site.fake.grants["code-acme"] = grant("T0ACME", "Acme", "xoxb-acme-1")
    assert (await site.install("code-acme"))[0] == 200
    async with site.db.connect() as connection:
        stored = [
            value
            for table in ("slack_installations", "slack_bots")
            for value in (
                await connection.execute(text(f"select bot_token from {table}"))
            ).scalars()
        ]
    assert len(stored) == 2 and all(v.startswith("sealed1:") and "xoxb" not in v for v in stored)
    found = await site.installs.store.async_find_bot(enterprise_id=None, team_id="T0ACME")
    assert found is not None and found.bot_token == "xoxb-acme-1"


async def test_a_workspace_that_never_installed_gets_a_kind_answer(site: Site) -> None:
    answer = json.loads(await site.ask(command("T0NEVER")))
    assert answer["response_type"] == "ephemeral"
    assert "not set up in this workspace" in answer["text"] and SPECIALTY not in answer["text"]


async def test_one_state_lets_exactly_one_of_twenty_concurrent_callbacks_in(site: Site) -> None:
    start = await site.client.get("/slack/install", allow_redirects=False)
    state = urllib.parse.parse_qs(urllib.parse.urlparse(start.headers["Location"]).query)["state"][
        0
    ]
    for n in range(20):
        site.fake.grants[f"code-{n}"] = grant(f"T0RACE{n}", f"Race {n}", f"xoxb-race-{n}")

    async def callback(n: int) -> int:
        page = await site.client.get(
            "/slack/oauth_redirect",
            params={"code": f"code-{n}", "state": state},
            headers={"Cookie": f"{COOKIE}={state}"},
        )
        return page.status

    statuses = await asyncio.gather(*(callback(n) for n in range(20)))
    assert sorted(statuses) == [200] + [400] * 19
    assert len(await site.installs.store.installed()) == 1


async def test_installs_from_slacks_own_pages_need_no_state_but_a_wrong_one_fails(
    site: Site,
) -> None:
    site.fake.grants["code-directory"] = grant("T0DIR", "Directory Co", "xoxb-dir-1")
    page = await site.client.get("/slack/oauth_redirect", params={"code": "code-directory"})
    assert page.status == 200 and "Directory Co" in await page.text()

    site.fake.grants["code-forged"] = grant("T0FORGED", "Forged", "xoxb-forged-1")
    forged = await site.client.get(
        "/slack/oauth_redirect", params={"code": "code-forged", "state": "made-up"}
    )
    assert forged.status == 400 and "expired or was already used" in await forged.text()
    cancelled = await site.client.get(
        "/slack/oauth_redirect",
        params={"error": "access_denied"},
        headers={"Accept-Language": "es-419,es;q=0.9"},
    )
    assert cancelled.status == 200 and "No se instaló nada" in await cancelled.text()
    assert [i.team_id for i in await site.installs.store.installed()] == ["T0DIR"]


async def test_an_org_wide_install_answers_every_workspace_of_the_org(site: Site) -> None:
    site.fake.grants["code-org"] = grant(
        None,
        "",
        "xoxb-org-1",
        enterprise={"id": "E0GLOBEX", "name": "Globex"},
        is_enterprise_install=True,
    )
    status, page = await site.install("code-org")
    assert status == 200 and "Caremark help is in Globex" in page
    for team in ("T0SALES", "T0PLANT"):
        assert SPECIALTY in await site.ask(command(team, enterprise="E0GLOBEX", org_wide=True))
    elsewhere = await site.ask(command("T0OTHER", enterprise="E0OTHER", org_wide=True))
    assert "not set up" in elsewhere


async def test_two_instances_refresh_an_expiring_token_once(site: Site) -> None:
    site.fake.grants["code-acme"] = grant(
        "T0ACME", "Acme", "xoxe.xoxb-acme-1", refresh_token="xoxe-1-first", expires_in=60
    )
    assert (await site.install("code-acme"))[0] == 200
    site.fake.refreshable["xoxe-1-first"] = {
        "access_token": "xoxe.xoxb-acme-2",
        "refresh_token": "xoxe-1-second",
        "expires_in": 43200,
        "token_type": "bot",
    }
    site.fake.delay = 0.3  # a slow refresh, so both instances arrive while it is under way
    other = installs_on(site.db, site.fake)  # a second instance on the same database
    found = await asyncio.gather(
        *(instance.workspaces.authorize(None, "T0ACME") for instance in (site.installs, other) * 4)
    )
    assert {f.bot_token for f in found if f} == {"xoxe.xoxb-acme-2"} and all(found)
    assert site.fake.refreshes == ["xoxe-1-first"]
    stored = await other.store.async_find_installation(enterprise_id=None, team_id="T0ACME")
    assert stored is not None and stored.bot_refresh_token == "xoxe-1-second"


async def test_uninstalling_forgets_the_workspace(site: Site) -> None:
    site.fake.grants["code-acme"] = grant("T0ACME", "Acme", "xoxb-acme-1")
    site.fake.grants["code-beta"] = grant("T0BETA", "Beta", "xoxb-beta-1")
    assert (await site.install("code-acme"))[0] == 200
    assert (await site.install("code-beta"))[0] == 200
    await PlanStore(site.db).import_file(EXAMPLE_PLAN, "test")
    plan = await PlanStore(site.db).plan_id()
    assert plan is not None
    for team in ("T0ACME", "T0BETA"):
        await set_route(site.db, Route("slack", team, "C0BENEFITS", plan), "test")

    assert await site.ask(event("app_uninstalled", "T0ACME")) == ""
    assert "not set up" in await site.ask(command("T0ACME"))
    assert [r.workspace for r in await routes(site.db)] == ["T0BETA"]
    assert SPECIALTY in await site.ask(command("T0BETA"))

    revoked = event("tokens_revoked", "T0BETA", tokens={"oauth": [], "bot": ["U0BOT"]})
    assert await site.ask(revoked) == ""
    assert "not set up" in await site.ask(command("T0BETA"))
    assert await site.installs.store.installed() == [] and await routes(site.db) == []


async def test_a_reminder_reaches_a_person_in_whichever_workspace_they_are(site: Site) -> None:
    site.fake.grants["code-acme"] = grant("T0ACME", "Acme", "xoxb-acme-1")
    site.fake.grants["code-beta"] = grant("T0BETA", "Beta", "xoxb-beta-1")
    for code in ("code-acme", "code-beta"):
        assert (await site.install(code))[0] == 200
    site.fake.elsewhere = {("xoxb-acme-1", "U0DANA"), ("xoxb-beta-1", "U0AVERY")}
    installed = await site.installs.store.installed()
    api = site.fake.api_url
    clients = [AsyncWebClient(token=found.bot_token, base_url=api) for found in installed]

    async def workspaces() -> list[AsyncWebClient]:
        return clients

    await SlackMessenger(workspaces)._send("U0DANA", text="hello")
    await SlackMessenger(workspaces)._send("U0AVERY", text="hello")
    assert [
        (t, d["channel"]) for (_, d), (_, t) in zip(site.fake.posts, site.fake.tokens, strict=True)
    ] == [
        ("xoxb-beta-1", "U0DANA"),
        ("xoxb-acme-1", "U0AVERY"),
    ]


def test_installs_need_a_key_and_no_single_workspace_token() -> None:
    env = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
    env |= {"SLACK_SIGNING_SECRET": SECRET}
    settings = slack_settings(env)
    assert settings is not None and settings.installs is not None and settings.bot_token is None
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN and SLACK_CLIENT_ID"):
        slack_settings(env | {"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(ConfigError, match="CAREMARK_TOKEN_KEY is missing"):
        Sealer.from_env({})
    with pytest.raises(ConfigError, match="malformed"):
        Sealer.from_env({"CAREMARK_TOKEN_KEY": "not-a-key"})
    old, new = new_key(), new_key()
    sealed = Sealer([old]).seal("xoxb-secret")
    assert Sealer([new, old]).open(sealed) == "xoxb-secret"  # a key change keeps old tokens
    assert Sealer([new]).open(sealed) is None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_an_install_through_one_instance_is_served_by_the_other(
    backend: str, tmp_path: Path
) -> None:
    if backend == "postgres" and not POSTGRES:
        pytest.skip("DATABASE_URL is not set: no PostgreSQL to test against")
    fake = await start_fake_slack()
    fake.grants["code-acme"] = grant("T0ACME", "Acme", "xoxb-acme-1")
    env = {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_API_URL": fake.api_url,
        "CAREMARK_TOKEN_KEY": KEY,
        "CAREMARK_DATA": str(tmp_path / "data"),
        "DATABASE_URL": POSTGRES if backend == "postgres" else "",
    }
    if backend == "postgres":
        from tests.stores import downgrade

        chosen = "postgresql+asyncpg://" + POSTGRES.split("://", 1)[1]
        downgrade(chosen)
        upgrade(chosen)
    ports = [free_port(), free_port()]
    servers = [start_server(SERVE, port, env) for port in ports]
    try:
        async with aiohttp.ClientSession() as browser:
            base = f"http://127.0.0.1:{ports[0]}"
            async with browser.get(f"{base}/slack/install", allow_redirects=False) as start:
                location = start.headers["Location"]
            state = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["state"][0]
            async with browser.get(
                f"{base}/slack/oauth_redirect",
                params={"code": "code-acme", "state": state},
                headers={"Cookie": f"{COOKIE}={state}"},
            ) as page:
                assert page.status == 200 and "Acme" in await page.text()
            body = command("T0ACME")
            async with browser.post(
                f"http://127.0.0.1:{ports[1]}/slack/events", data=body, headers=signed_headers(body)
            ) as answer:
                assert answer.status == 200 and SPECIALTY in await answer.text()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)
        await fake.server.close()
        if backend == "postgres":
            from tests.stores import downgrade

            downgrade(chosen)


def test_the_manifest_for_installs_asks_for_what_installs_use(kb: Knowledge) -> None:
    made = manifest(kb, "https://bot.example.com", installs=True)
    assert made["oauth_config"]["redirect_urls"] == ["https://bot.example.com/slack/oauth_redirect"]
    events = made["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    assert made["settings"]["org_deploy_enabled"] and made["settings"]["token_rotation_enabled"]
    assert "redirect_urls" not in manifest(kb, "https://bot.example.com")["oauth_config"]
