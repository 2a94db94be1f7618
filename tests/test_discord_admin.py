"""`/caremark admin` over signed Discord HTTP interactions, against SQLite and PostgreSQL: a
modal as the first response, a private preview with Publish, refusals for non-admins and for
near-miss numbers, and Manage Server counting only when the deployment says."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.desk import Admins, Desk
from adapters.discord_app.admin import MANAGE_GUILD, MODAL_ID, DiscordAdmin
from adapters.discord_app.gateway import GatewayBot
from adapters.discord_app.recheck import DiscordMessenger
from adapters.plan_routes import PlanRoutes
from adapters.recheck import Recheck
from adapters.store.database import connect, upgrade
from adapters.store.places import languages
from adapters.store.plans import PlanStore
from adapters.store.routes import routes as routes_in
from adapters.store.watch import PlanWatch
from adapters.web import create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from tests.conftest import EXAMPLE_PLAN
from tests.discord_fakes import EPHEMERAL, IDS, PUBLIC, sign
from tests.discord_limits import violations
from tests.stores import url
from tests.test_discord_gateway import USER, FakeDiscord, caremark, deliver, interaction

__all__ = ["url"]  # the fixture, from tests/stores.py
ADMIN, STRANGER, MODERATOR = "1001", "1002", "1003"


@dataclass
class Bot:
    client: TestClient[Any, Any]
    db: AsyncEngine

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        response = await self.client.post("/discord/interactions", data=body, headers=sign(body))
        assert response.status == 200
        answer: dict[str, Any] = await response.json()
        return answer


@pytest.fixture
async def bot(url: str, planned_kb: Knowledge) -> AsyncIterator[Bot]:
    upgrade(url)
    db = connect(url)
    await PlanStore(db).import_file(EXAMPLE_PLAN, "Dana")
    admin = DiscordAdmin(lambda: Desk(db, lambda: planned_kb), Admins(frozenset({ADMIN}), True))
    app = create_app(Engine(planned_kb), discord_key=PUBLIC, discord_admin=admin)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, db)
    await client.close()
    await db.dispose()


def member(user: str, permissions: int = 0) -> dict[str, Any]:
    """Who sent an interaction in a guild, as Discord says: the member and their permissions."""
    return {
        "member": {
            "user": {"id": user, "username": f"user{user}", "global_name": f"Person {user}"},
            "permissions": str(permissions),
            "roles": [],
        },
        "guild_id": "500",
        "channel_id": "600",
    }


def slash(user: str, permissions: int = 0, locale: str = "en-US") -> dict[str, Any]:
    return {
        "type": 2,
        "id": str(next(IDS)),
        "application_id": "2",
        "token": "t",
        "locale": locale,
        "data": {
            "id": "3",
            "name": "caremark",
            "type": 1,
            "options": [{"name": "topic", "type": 3, "value": "admin"}],
        },
        **member(user, permissions),
    }


def modal_submit(user: str, **fields: str) -> dict[str, Any]:
    """The modal's submission as Discord sends it: each labelled field with its value(s)."""
    components = []
    for custom_id, value in fields.items():
        if custom_id in ("slot", "action", "here"):
            inner: dict[str, Any] = {"type": 3, "custom_id": custom_id, "values": [value]}
        else:
            inner = {"type": 4, "custom_id": custom_id, "value": value}
        components.append({"type": 18, "id": len(components) + 1, "component": inner})
    return {
        "type": 5,
        "id": str(next(IDS)),
        "application_id": "2",
        "token": "t",
        "locale": "en-US",
        "data": {"custom_id": MODAL_ID, "components": components},
        **member(user),
    }


def press(user: str, custom_id: str) -> dict[str, Any]:
    return {
        "type": 3,
        "id": str(next(IDS)),
        "token": "t",
        "locale": "en-US",
        "data": {"custom_id": custom_id, "component_type": 2},
        "message": {"id": "9", "flags": EPHEMERAL},
        **member(user),
    }


async def test_the_first_response_is_a_modal_listing_the_facts(bot: Bot) -> None:
    answer = await bot.send(slash(ADMIN))
    assert answer["type"] == 9
    modal = answer["data"]
    assert modal["custom_id"] == f"{MODAL_ID}:example-geha" and len(modal["title"]) <= 45
    assert 1 <= len(modal["components"]) <= 5
    facts = modal["components"][0]["component"]
    assert facts["type"] == 3 and len(facts["options"]) <= 25
    described = json.dumps(facts["options"], ensure_ascii=False)
    assert "1-844-443-4279" in described and "✅" in described and "verified" in described
    assert all(len(o["label"]) <= 100 for o in facts["options"])
    name = modal["components"][3]["component"]
    assert name["value"] == "Person 1001"


async def test_others_are_refused_privately_manage_server_when_on(bot: Bot) -> None:
    refused = await bot.send(slash(STRANGER))
    assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL
    assert "look after your plan's numbers" in refused["data"]["content"]
    assert (await bot.send(slash(MODERATOR, MANAGE_GUILD)))["type"] == 9
    spanish = await bot.send(slash(STRANGER, locale="es-ES"))
    assert "números de su plan" in spanish["data"]["content"]
    assert not Admins(frozenset({ADMIN}), False).allows(MODERATOR, platform_admin=True)


async def test_a_near_miss_is_refused_and_nothing_is_stored(bot: Bot) -> None:
    before = await PlanStore(bot.db).export()
    answer = await bot.send(
        modal_submit(ADMIN, slot="specialty.phone", action="set", value="1-800-237-2768", name="A")
    )
    text = answer["data"]["content"]
    assert answer["data"]["flags"] & EPHEMERAL
    assert "one digit away from 1-800-237-2767" in text and "slots[" not in text
    assert await PlanStore(bot.db).export() == before


async def test_preview_then_publish_once_by_the_same_admin(bot: Bot) -> None:
    preview = await bot.send(
        modal_submit(
            ADMIN, slot="customer-care.phone", action="set", value="1-844-443-4280", name="Avery"
        )
    )
    data = preview["data"]
    assert data["flags"] & EPHEMERAL and violations(data) == []
    assert "1-844-443-4280" in json.dumps(data["embeds"]) and "Verified by Avery" in json.dumps(
        data["embeds"], ensure_ascii=False
    )
    publish, cancel = data["components"][0]["components"]
    assert "1-844-443-4280" not in str(await PlanStore(bot.db).export())
    stolen = await bot.send(press(STRANGER, publish["custom_id"]))
    assert "look after your plan's numbers" in stolen["data"]["content"]
    done = await bot.send(press(ADMIN, publish["custom_id"]))
    assert done["type"] == 7 and "Published" in done["data"]["content"]
    assert done["data"]["components"] == []
    assert "1-844-443-4280" in str(await PlanStore(bot.db).export())
    last = (await PlanStore(bot.db).history("customer-care.phone"))[-1]
    assert (last.who, last.surface) == ("Avery (discord:1001)", "chat")
    again = await bot.send(press(ADMIN, publish["custom_id"]))
    assert "already published" in again["data"]["content"]
    assert cancel["custom_id"].startswith("caremark:admin:drop:")


async def test_cancel_and_retire(bot: Bot) -> None:
    preview = await bot.send(modal_submit(ADMIN, slot="mail.address", action="retire", name="A"))
    publish, cancel = preview["data"]["components"][0]["components"]
    dropped = await bot.send(press(ADMIN, cancel["custom_id"]))
    assert "Nothing was changed" in dropped["data"]["content"]
    assert (
        "already published"
        in (await bot.send(press(ADMIN, publish["custom_id"])))["data"]["content"]
    )
    assert "mail.address" in [s.slot_id for s in await PlanStore(bot.db).slots()]
    missing = await bot.send(modal_submit(ADMIN, slot="mail.address", action="set", value=""))
    assert "type the new value" in missing["data"]["content"]


@pytest.fixture
async def gateway(
    url: str, planned_kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[GatewayBot, FakeDiscord, AsyncEngine]]:
    upgrade(url)
    db = connect(url)
    await PlanStore(db).import_file(EXAMPLE_PLAN, "Dana")
    fake = FakeDiscord()
    await fake.server.start_server()
    monkeypatch.setattr(discord.http.Route, "BASE", str(fake.server.make_url("/api/v10")))
    admin = DiscordAdmin(lambda: Desk(db, lambda: planned_kb), Admins(frozenset({USER["id"]})))
    client = GatewayBot(Engine(planned_kb), admin)
    await client._async_setup_hook()
    session = aiohttp.ClientSession()
    client.http._HTTPClient__session = session  # type: ignore[attr-defined]
    yield client, fake, db
    await session.close()
    await fake.server.close()
    await db.dispose()


async def test_the_same_modal_in_gateway_mode(
    gateway: tuple[GatewayBot, FakeDiscord, AsyncEngine],
) -> None:
    client, fake, db = gateway
    deliver(client, interaction(2, caremark({"name": "topic", "type": 3, "value": "admin"})))
    (opened,) = await fake.wait(1)
    assert opened["type"] == 9 and opened["data"]["custom_id"].startswith(MODAL_ID)
    submit = modal_submit(
        USER["id"], slot="customer-care.phone", action="set", value="1-844-443-4280", name="Avery"
    )
    deliver(client, interaction(5, submit["data"]))
    preview = (await fake.wait(2))[1]
    assert preview["type"] == 4 and "1-844-443-4280" in json.dumps(preview["data"]["embeds"])
    publish = preview["data"]["components"][0]["components"][0]["custom_id"]
    deliver(
        client,
        interaction(
            3, {"custom_id": publish, "component_type": 2}, message={"id": "9", "flags": EPHEMERAL}
        ),
    )
    done = (await fake.wait(3))[2]
    assert done["type"] == 7 and "Published" in done["data"]["content"]
    assert "1-844-443-4280" in str(await PlanStore(db).export())


async def test_discord_owners_get_reminders_and_answer_them(bot: Bot) -> None:
    fake = FakeDiscord()
    await fake.server.start_server()
    try:
        store = PlanStore(bot.db)
        await store.set_value(
            "mail.address",
            "PO Box 94467, Palatine, IL 60094-4467",
            "Dana",
            owner=STRANGER,
            every_days=30,
        )
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
        messenger = DiscordMessenger("token", str(fake.server.make_url("/api/v10")))
        recheck = Recheck(bot.db, [messenger], frozenset({ADMIN}), now=lambda: later)
        assert await recheck.send_due() >= 1
        (channel, sent), *_ = fake.messages
        assert channel == "9000" and "**Mail-order address for GEHA members**" in sent["content"]
        assert sent["allowed_mentions"] == {"parse": []}
        still, change_it = sent["components"][0]["components"]
        assert still["custom_id"] == "caremark:recheck:still:example-geha|mail.address"
        form = await bot.send(press(STRANGER, change_it["custom_id"]))  # the owner may
        assert form["type"] == 9
        picked = [
            o for o in form["data"]["components"][0]["component"]["options"] if o.get("default")
        ]
        assert [o["value"] for o in picked] == ["mail.address"]
        assert (
            "look after"
            in (await bot.send(press(MODERATOR, still["custom_id"])))["data"]["content"]
        )
        thanks = await bot.send(press(STRANGER, still["custom_id"]))
        assert thanks["type"] == 7 and "marked as verified today" in thanks["data"]["content"]
        last = (await store.history("mail.address"))[-1]
        assert (last.action, last.who) == ("verify", "Person 1002 (discord:1002)")
    finally:
        await fake.server.close()


async def test_in_a_mapped_guild_the_modal_is_that_guilds_plan(
    url: str, planned_kb: Knowledge, tmp_path: Any
) -> None:
    upgrade(url)
    db = connect(url)
    retirees = yaml.safe_load(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    retirees["plan"] |= {"id": "retirees", "name": "Retiree plan"}
    retirees["slots"][0]["facts"][0]["value"] = "1-866-601-6934"
    path = tmp_path / "retirees.yaml"
    path.write_text(yaml.safe_dump(retirees, sort_keys=False), encoding="utf-8")
    for plan in (EXAMPLE_PLAN, path):
        await PlanStore(db).import_file(plan, "Dana")
    routes = PlanRoutes([(("discord", "500", ""), "retirees")])
    admin = DiscordAdmin(lambda: Desk(db, lambda: planned_kb), Admins(frozenset({ADMIN})), routes)
    try:
        modal = (await admin.answer(slash(ADMIN)))["data"]
        assert modal["custom_id"] == f"{MODAL_ID}:retirees"
        assert "1-866-601-6934" in json.dumps(modal["components"][0])
        submit = modal_submit(
            ADMIN, slot="customer-care.phone", action="set", value="1-866-601-6935", name="A"
        )
        submit["data"]["custom_id"] = modal["custom_id"]
        submit.pop("guild_id")  # wherever it is submitted from, the modal's plan is changed
        preview = await admin.answer(submit)
        publish = preview["data"]["components"][0]["components"][0]["custom_id"]
        await admin.answer(press(ADMIN, publish))
        assert "1-866-601-6935" in str(await PlanStore(db, plan="retirees").export())
        assert "1-866-601-6935" not in str(await PlanStore(db).export())
    finally:
        await db.dispose()


async def test_admins_choose_the_servers_plan_and_language_from_the_modal(
    url: str, planned_kb: Knowledge, tmp_path: Path
) -> None:
    upgrade(url)
    db = connect(url)
    await PlanStore(db).import_file(EXAMPLE_PLAN, "Dana")
    routes = PlanRoutes()
    watch = PlanWatch(db, tmp_path / "plan.yaml", _nothing_to_reload, lambda: None, routes=routes)
    desk = Desk(db, lambda: planned_kb)
    admin = DiscordAdmin(lambda: desk, Admins(frozenset({ADMIN})), routes)
    app = create_app(Engine(planned_kb), discord_key=PUBLIC, discord_admin=admin, routes=routes)
    bot = Bot(TestClient(TestServer(app, host="127.0.0.1")), db)
    await bot.client.start_server()
    try:
        modal = (await bot.send(slash(ADMIN)))["data"]
        assert len(modal["components"]) == 5
        here = modal["components"][4]["component"]
        labels = [o["label"] for o in here["options"]]
        assert len(labels) <= 25 and all(len(label) <= 100 for label in labels)
        assert any(label.startswith("This channel answers from") for label in labels)
        assert "Answer in Spanish when a question could be either language" in labels

        done = await bot.send(modal_submit(ADMIN, here="language:es", action="set", name="A"))
        assert done["data"]["flags"] == EPHEMERAL
        assert done["data"]["content"].startswith("Done: answer in Spanish")
        mapped = await bot.send(modal_submit(ADMIN, here="channel:example-geha", name="A"))
        assert mapped["data"]["content"].startswith("Done: this channel answers from")
        refused = await bot.send(modal_submit(STRANGER, here="language:en", name="S"))
        assert "for the people who look after" in refused["data"]["content"]

        assert await languages(db) == {("discord", "500"): "es"}
        assert [r.key for r in await routes_in(db)] == [("discord", "500", "600")]
        await watch.poll()  # what every instance's watch does within half a second
        asked = slash(STRANGER) | {"locale": "en-US"}
        asked["data"]["options"][0]["value"] = "specialty"
        answer = json.dumps(await bot.send(asked), ensure_ascii=False)
        assert "Compartir en el canal" in answer  # the server's language, not the person's
        asked["data"]["options"][0]["value"] = "what is the specialty pharmacy number"
        answer = json.dumps(await bot.send(asked), ensure_ascii=False)
        assert "Share in channel" in answer or "Compartir" not in answer  # written in English
    finally:
        await bot.client.close()
        await db.dispose()


async def _nothing_to_reload() -> list[str]:
    return []


async def test_the_modal_says_how_the_bot_did_lately(bot: Bot) -> None:
    from adapters.store.insights import record
    from bot.ports import Answered

    today = dt.datetime.now(dt.UTC).date()
    await record(bot.db, [(today, Answered("discord", "hours", "answered", 0.0))] * 2)
    modal = (await bot.send(slash(ADMIN)))["data"]
    first = modal["components"][0]
    assert first["description"].startswith("Last 30 days: 2 questions · 100% answered")
    assert len(first["description"]) <= 100
