"""Many plans in one store, each answering where it is mapped (a workspace or guild, or one
channel of it), on SQLite and PostgreSQL; the CLI's `plan map`; the plan named in every
answer; and two real servers following one mapping change within a second."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.cli import main
from adapters.discord_app.gateway import GatewayBot
from adapters.plan_routes import PlanRoutes
from adapters.settings import SlackSettings
from adapters.store.database import connect, database_url, upgrade
from adapters.store.facts import Refused
from adapters.store.places import languages
from adapters.store.plans import PlanStore, plan_ids
from adapters.store.routes import Route, drop_route, routes, set_route
from adapters.store.snapshot import plans_folder, write_plans
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.gate import load
from bot.reply import Platform, Query
from tests.conftest import EXAMPLE_PLAN
from tests.discord_fakes import IDS, PUBLIC, sign
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    SERVE,
    command_body,
    free_port,
    signed_headers,
    start_server,
)
from tests.stores import url
from tests.test_discord_conversation import GUILD, logged_in
from tests.test_discord_gateway import USER, FakeDiscord, caremark, deliver, interaction

__all__ = ["url"]  # the fixture, from tests/stores.py
RETIREE_NUMBER = "1-866-601-6934"
ACTIVE_NUMBER = "1-844-443-4279"


@pytest.fixture
def retiree_plan(tmp_path: Path) -> Path:
    """A second plan: the example's, with its own id, name and Customer Care number."""
    plan = yaml.safe_load(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    plan["plan"] |= {"id": "retirees", "name": "Retiree plan"}
    plan["slots"][0]["facts"][0]["value"] = RETIREE_NUMBER
    path = tmp_path / "retirees.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
async def db(url: str, retiree_plan: Path) -> AsyncIterator[AsyncEngine]:
    upgrade(url)
    engine = connect(url)
    await PlanStore(engine).import_file(EXAMPLE_PLAN, "Dana")
    await PlanStore(engine).import_file(retiree_plan, "Dana")
    yield engine
    await engine.dispose()


async def test_plans_live_side_by_side(db: AsyncEngine) -> None:
    assert await plan_ids(db) == ["example-geha", "retirees"]
    assert await PlanStore(db).plan_id() == "example-geha"  # the first, until one is chosen
    retirees = PlanStore(db, plan="retirees")
    await retirees.set_value("customer-care.phone", "1-866-601-6935", "Lee")
    assert "1-866-601-6935" in str(await retirees.export())
    assert ACTIVE_NUMBER in str(await PlanStore(db).export())  # the other plan untouched
    await set_route(db, Route("any", "", "", "retirees"), "Dana")
    assert await PlanStore(db).plan_id() == "retirees"


async def test_mappings_are_checked_logged_and_removable(db: AsyncEngine) -> None:
    with pytest.raises(Refused, match="no plan 'nobody'"):
        await set_route(db, Route("slack", "T0TEST", "", "nobody"), "Dana")
    with pytest.raises(Refused, match="within a workspace"):
        await set_route(db, Route("slack", "", "C0X", "retirees"), "Dana")
    await set_route(db, Route("slack", "T0TEST", "C0RETIREES", "retirees"), "Dana")
    await set_route(db, Route("slack", "T0TEST", "C0RETIREES", "example-geha"), "Dana")
    assert [r.plan_id for r in await routes(db)] == ["example-geha"]  # replaced, not added
    assert await drop_route(db, ("slack", "T0TEST", "C0RETIREES"), "Dana")
    assert not await drop_route(db, ("slack", "T0TEST", "C0RETIREES"), "Dana")
    logged = [c.action for c in await PlanStore(db).history() if c.slot_id is None]
    assert logged == ["map", "map", "unmap"]


async def test_each_plan_answers_where_it_is_mapped(db: AsyncEngine, tmp_path: Path) -> None:
    snapshot = tmp_path / "plan-from-store.yaml"
    assert await write_plans(db, snapshot)
    engine = Engine.from_files(plan=snapshot, more_plans=plans_folder(snapshot))
    table = PlanRoutes([(("slack", "T0TEST", "C0RETIREES"), "retirees")])
    chosen = table.plan_for("slack", "T0TEST", "C0RETIREES")
    retiree = await engine.handle(Query("customer care number", Platform.SLACK, plan=chosen))
    active = await engine.handle(Query("customer care number", Platform.SLACK, plan=None))
    assert retiree.plan == "Retiree plan" and RETIREE_NUMBER in str(retiree.contacts)
    assert active.plan == "Example plan: GEHA members" and ACTIVE_NUMBER in str(active.contacts)
    assert table.plan_for("slack", "T0TEST", "C0GENERAL") is None  # unmapped: the default
    assert table.plan_for("discord", "T0TEST", "C0RETIREES") is None


async def post_slack(client: TestClient[Any, Any], channel: str) -> str:
    body = command_body("customer care number").replace(b"C0TEST", channel.encode())
    response = await client.post("/slack/events", data=body, headers=signed_headers(body))
    return await response.text()


async def test_slack_and_discord_answer_from_the_channels_plan(
    db: AsyncEngine, tmp_path: Path
) -> None:
    snapshot = tmp_path / "plan-from-store.yaml"
    await write_plans(db, snapshot)
    engine = Engine.from_files(plan=snapshot, more_plans=plans_folder(snapshot))
    table = PlanRoutes(
        [
            (("slack", "T0TEST", "C0RETIREES"), "retirees"),
            (("discord", "500", ""), "retirees"),  # a whole guild
        ]
    )
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, "http://127.0.0.1:9/api/"))
    chat.answers.routes = table
    app = create_app(engine, chat, discord_key=PUBLIC, routes=table)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        retirees = await post_slack(client, "C0RETIREES")
        assert RETIREE_NUMBER in retirees and "Retiree plan" in retirees
        general = await post_slack(client, "C0GENERAL")
        assert ACTIVE_NUMBER in general and "Retiree plan" not in general
        interaction = {
            "type": 2,
            "id": str(next(IDS)),
            "token": "t",
            "guild_id": "500",
            "channel_id": "600",
            "data": {"name": "caremark", "options": [{"name": "topic", "value": "customer care"}]},
        }
        body = json.dumps(interaction).encode()
        answer = await client.post("/discord/interactions", data=body, headers=sign(body))
        shown = await answer.text()
        assert RETIREE_NUMBER in shown and "Retiree plan" in shown
    finally:
        await client.close()


def test_plan_map_from_the_cli(
    tmp_path: Path,
    retiree_plan: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAREMARK_DATA", str(tmp_path / "data"))
    for plan in (EXAMPLE_PLAN, retiree_plan):
        assert main(["plan", "import", str(plan), "--by", "Dana"]) == 0
    where = ["--workspace", "T0TEST", "--channel", "C0RETIREES", "--by", "Dana"]
    assert main(["plan", "map", "retirees", *where]) == 0
    assert main(["plan", "map", "nobody", *where]) == 1
    assert "no plan 'nobody'" in capsys.readouterr().err
    assert main(["plan", "maps", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"platform": "slack", "workspace": "T0TEST", "channel": "C0RETIREES", "plan_id": "retirees"}
    ]
    assert main(["plan", "list", "--plan-id", "retirees"]) == 0
    assert RETIREE_NUMBER in capsys.readouterr().out
    assert main(["plan", "unmap", *where]) == 0
    assert main(["plan", "maps"]) == 0
    assert capsys.readouterr().out.strip() in ("removed", "")


def test_a_workspace_language_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAREMARK_DATA", str(tmp_path / "data"))
    assert main(["plan", "import", str(EXAMPLE_PLAN), "--by", "Dana"]) == 0
    guild = ["--platform", "discord", "--workspace", "500", "--by", "Dana"]
    assert main(["plan", "language", "es", *guild]) == 0
    assert main(["plan", "language", "es", "--platform", "discord", "--by", "Dana"]) == 1
    assert "give its id" in capsys.readouterr().err
    db = connect(database_url({"CAREMARK_DATA": str(tmp_path / "data")}))
    assert asyncio.run(_languages_then_dispose(db)) == {("discord", "500"): "es"}
    assert main(["plan", "language", "auto", *guild]) == 0
    db = connect(database_url({"CAREMARK_DATA": str(tmp_path / "data")}))
    assert asyncio.run(_languages_then_dispose(db)) == {}


async def _languages_then_dispose(db: AsyncEngine) -> dict[tuple[str, str], str]:
    try:
        return await languages(db)
    finally:
        await db.dispose()


def ask(port: int, channel: str) -> str:
    body = command_body("customer care number").replace(b"C0TEST", channel.encode())
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=signed_headers(body)
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return str(response.read().decode())


def test_a_mapping_reaches_every_instance_within_a_second(
    tmp_path: Path, retiree_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAREMARK_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CAREMARK_PLAN", "")
    for plan in (EXAMPLE_PLAN, retiree_plan):
        assert main(["plan", "import", str(plan), "--by", "Dana"]) == 0
    env = {"CAREMARK_DATA": str(tmp_path / "data"), "CAREMARK_PLAN": "", "DATABASE_URL": ""}
    ports = [free_port(), free_port()]
    servers = [start_server(SERVE, port, env) for port in ports]
    try:
        for port in ports:
            assert ACTIVE_NUMBER in ask(port, "C0RETIREES")
        where = ["--workspace", "T0TEST", "--channel", "C0RETIREES", "--by", "Dana"]
        assert main(["plan", "map", "retirees", *where]) == 0
        mapped = time.monotonic()
        for port in ports:
            while RETIREE_NUMBER not in ask(port, "C0RETIREES"):
                assert time.monotonic() - mapped < 5, "the mapping never arrived"
                time.sleep(0.02)
        assert time.monotonic() - mapped < 2.0  # within a second, with room for a slow CI
        assert ACTIVE_NUMBER in ask(ports[1], "C0GENERAL")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)


async def test_the_gateway_answers_from_the_guilds_plan(
    retiree_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine({None: load(plan=EXAMPLE_PLAN), "retirees": load(plan=retiree_plan)})
    fake = FakeDiscord()
    await fake.server.start_server()
    monkeypatch.setattr(discord.http.Route, "BASE", str(fake.server.make_url("/api/v10")))
    client = GatewayBot(engine)
    client.routes = PlanRoutes([(("discord", GUILD, ""), "retirees")])
    await client._async_setup_hook()
    session = aiohttp.ClientSession()
    client.http._HTTPClient__session = session  # type: ignore[attr-defined]
    logged_in(client)
    member = {"user": USER, "roles": [], "permissions": "0", "joined_at": None, "flags": 0}
    try:
        option = {"name": "topic", "type": 3, "value": "customer care"}
        mapped = interaction(2, caremark(option), guild_id=GUILD, member=member)
        other = interaction(2, caremark(option), member=member)
        deliver(client, {k: v for k, v in mapped.items() if k != "user"})
        deliver(client, other)
        first, second = await fake.wait(2)
        assert RETIREE_NUMBER in json.dumps(first) and "Retiree plan" in json.dumps(first)
        assert ACTIVE_NUMBER in json.dumps(second)
    finally:
        await session.close()
        await fake.server.close()
