"""`/caremark admin` on Slack, through the real Bolt stack over loopback, against SQLite and
PostgreSQL: the modal opens for plan admins only, a near-miss is refused in plain words with
nothing stored, and a change is published only after a preview of what employees will see."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.desk import Admins, Desk
from adapters.plan_routes import PlanRoutes
from adapters.settings import SlackSettings
from adapters.slack.admin import ADD, CONFIRMED, EDITED, MAP, ROW, SlackAdmin
from adapters.slack.recheck import CHANGE_IT, SlackRecheckButtons
from adapters.store.database import connect, upgrade
from adapters.store.plans import PlanStore
from adapters.store.routes import routes
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from tests.conftest import EXAMPLE_PLAN
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    command_body,
    signed_headers,
    start_fake_slack,
    trigger_id,
)
from tests.slack_limits import modal_violations
from tests.stores import url

__all__ = ["url"]  # the fixture, from tests/stores.py
ADMIN, STRANGER, OWNER = "U0ADMIN", "U0STRANGER", "U0OWNER"


@dataclass
class Bot:
    client: TestClient[Any, Any]
    fake: FakeSlack
    db: AsyncEngine
    admin: SlackAdmin

    async def post(self, body: bytes) -> ClientResponse:
        return await self.client.post("/slack/events", data=body, headers=signed_headers(body))

    async def command(self, text: str, user: str) -> ClientResponse:
        return await self.post(command_body(text, user=user))

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body)

    def views(self, method: str) -> list[dict[str, Any]]:
        """The views the bot sent with `views.<method>`, oldest first, each within limits."""
        found = [data for path, data in self.fake.posts if path == f"/api/views.{method}"]
        views = [json.loads(v["view"]) if isinstance(v["view"], str) else v["view"] for v in found]
        for view in views:
            assert modal_violations(view) == [], view
        return views


@pytest.fixture
async def bot(url: str, planned_kb: Knowledge) -> AsyncIterator[Bot]:
    upgrade(url)
    db = connect(url)
    await PlanStore(db).import_file(EXAMPLE_PLAN, "Dana")
    await PlanStore(db).set_value(
        "mail.address", "PO Box 94467, Palatine, IL 60094-4467", "Dana", owner=OWNER
    )
    fake = await start_fake_slack()
    fake.people = {
        ADMIN: {"real_name": "Avery Admin"},
        STRANGER: {"real_name": "Sam Stranger"},
        OWNER: {"real_name": "Olu Owner"},
        "U0WSADMIN": {"real_name": "Wren Workspace", "is_admin": True},
    }
    engine = Engine(planned_kb)
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url))
    assert chat.answers.clients is not None
    admin = SlackAdmin(
        lambda: Desk(db, lambda: planned_kb),
        Admins(frozenset({ADMIN}), platform_roles=True),
        chat.answers.clients,
        chat.answers.background,
    )
    admin.register(chat.app)
    chat.answers.admin = admin
    client = TestClient(TestServer(create_app(engine, chat), host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, fake, db, admin)
    await client.close()
    await fake.server.close()
    await db.dispose()


def from_person(kind: str, user: str) -> dict[str, Any]:
    return {
        "type": kind,
        "user": {"id": user, "team_id": "T0TEST"},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0TEST",
        "trigger_id": trigger_id(),
    }


def in_view(view: dict[str, Any], user: str, action: dict[str, Any]) -> dict[str, Any]:
    """A `block_actions` payload from inside an open modal, as Slack sends it."""
    return {
        **from_person("block_actions", user),
        "container": {"type": "view", "view_id": "V0LIST"},
        "view": {**view, "id": "V0LIST", "root_view_id": "V0LIST"},
        "actions": [{**action, "block_id": "b", "action_ts": "1"}],
    }


def submitted(view: dict[str, Any], user: str, values: dict[str, Any]) -> dict[str, Any]:
    """A `view_submission` payload: the view as sent, with what the person typed."""
    return {
        **from_person("view_submission", user),
        "view": {
            **view,
            "id": "V0PUSHED",
            "root_view_id": "V0LIST",
            "state": {"values": values},
        },
        "response_urls": [],
    }


def typed(**fields: str) -> dict[str, Any]:
    return {
        block: {block: {"type": "plain_text_input", "value": value}}
        for block, value in fields.items()
    }


async def open_list(bot: Bot, user: str = ADMIN) -> dict[str, Any]:
    started = time.monotonic()
    response = await bot.command("admin", user)
    assert response.status == 200 and await response.read() == b""
    assert time.monotonic() - started < 3.0  # Slack's limit for using the trigger
    (opened,) = bot.views("open")
    return opened


async def change(bot: Bot, listed: dict[str, Any], slot: str, user: str = ADMIN) -> dict[str, Any]:
    option = {"value": f"change:{slot}", "text": {"type": "plain_text", "text": "Change"}}
    action = {"type": "overflow", "action_id": ROW, "selected_option": option}
    response = await bot.interact(in_view(listed, user, action))
    assert response.status == 200
    return bot.views("push")[-1]


async def test_an_admin_sees_every_fact_with_where_it_stands(bot: Bot) -> None:
    listed = await open_list(bot)
    text = json.dumps(listed["blocks"], ensure_ascii=False)
    assert listed["type"] == "modal" and listed["title"]["text"] == "Plan facts"
    for value in ("1-844-443-4279", "PO Box 94467", "24/7"):
        assert value in text
    assert "Verified by Dana on" in text and "<@U0OWNER>" in text
    assert '"change:mail.address"' in text and '"verify:mail.address"' in text


async def test_the_list_says_how_the_bot_did_lately(bot: Bot) -> None:
    from adapters.store.insights import record
    from bot.ports import Answered

    today = dt.datetime.now(dt.UTC).date()
    answered = [Answered("slack", "specialty", "answered", 0.0)] * 3
    await record(bot.db, [(today, a) for a in [*answered, Answered("slack", None, "not-found", 0)]])
    listed = await open_list(bot)
    (summary,) = [b for b in listed["blocks"] if b["type"] == "context" and "Last 30" in str(b)]
    assert "4 questions, 75% answered straight away" in json.dumps(summary)


async def test_anyone_else_is_refused_privately_and_nothing_is_echoed(bot: Bot) -> None:
    response = await bot.command("admin", STRANGER)
    refusal = await response.json()
    assert refusal["response_type"] == "ephemeral"
    assert "look after your plan's numbers" in refusal["text"]
    assert "admin" not in refusal["text"].lower() and bot.views("open") == []


async def test_workspace_admins_count_when_the_deployment_says(bot: Bot) -> None:
    assert (await open_list(bot, "U0WSADMIN"))["title"]["text"] == "Plan facts"
    strict = Admins(frozenset({ADMIN}), platform_roles=False)
    assert not strict.allows("U0WSADMIN", platform_admin=True)


async def test_a_near_miss_is_refused_in_plain_words_and_nothing_stored(bot: Bot) -> None:
    before = await PlanStore(bot.db).export()
    log = await PlanStore(bot.db).history()
    listed = await open_list(bot)
    add = {"type": "button", "action_id": ADD, "text": {"type": "plain_text", "text": "Add"}}
    await bot.interact(in_view(listed, ADMIN, add))
    form = bot.views("push")[-1]
    assert form["callback_id"] == EDITED
    values = typed(value="1-800-237-2768", name="Avery Admin")
    values["slot"] = {
        "slot": {"type": "static_select", "selected_option": {"value": "specialty.phone"}}
    }
    response = await bot.interact(submitted(form, ADMIN, values))
    answer = await response.json()
    assert answer["response_action"] == "errors"
    why = answer["errors"]["value"]
    assert "one digit away from 1-800-237-2767" in why and "likely typo" in why
    for jargon in ("slots[", "confirm_near", "plan:", "specialty-phone-official"):
        assert jargon not in why
    assert await PlanStore(bot.db).export() == before
    assert await PlanStore(bot.db).history() == log


async def test_a_change_is_previewed_then_published_once(bot: Bot) -> None:
    form = await change(bot, await open_list(bot), "customer-care.phone")
    assert form["callback_id"] == EDITED
    response = await bot.interact(
        submitted(form, ADMIN, typed(value="1-844-443-4280", name="Avery Admin"))
    )
    answer = await response.json()
    assert answer["response_action"] == "update"
    confirm = answer["view"]
    assert modal_violations(confirm) == []
    shown = json.dumps(confirm["blocks"], ensure_ascii=False)
    assert confirm["callback_id"] == CONFIRMED
    assert "1-844-443-4280" in shown and "Verified by Avery Admin" in shown
    assert "Nothing changes until you press Publish" in shown
    assert await PlanStore(bot.db).export() is not None
    assert "1-844-443-4280" not in str(await PlanStore(bot.db).export())  # not yet

    published = await (await bot.interact(submitted(confirm, ADMIN, {}))).json()
    assert "Published" in json.dumps(published["view"])
    assert "1-844-443-4280" in str(await PlanStore(bot.db).export())
    last = (await PlanStore(bot.db).history("customer-care.phone"))[-1]
    assert (last.who, last.surface, last.action) == ("Avery Admin (slack:U0ADMIN)", "chat", "set")
    again = await (await bot.interact(submitted(confirm, ADMIN, {}))).json()
    assert "expired or was already published" in json.dumps(again["view"])
    await bot.admin._background.drain(2.0)
    assert bot.views("update")  # the list under the confirmation is refreshed


async def test_a_stranger_cannot_publish_an_admins_preview(bot: Bot) -> None:
    form = await change(bot, await open_list(bot), "customer-care.phone")
    answer = await (
        await bot.interact(submitted(form, ADMIN, typed(value="1-844-443-4280", name="A")))
    ).json()
    stolen = await (await bot.interact(submitted(answer["view"], STRANGER, {}))).json()
    assert "look after your plan's numbers" in json.dumps(stolen["view"])
    assert "1-844-443-4280" not in str(await PlanStore(bot.db).export())


async def test_hours_are_typed_as_words(bot: Bot) -> None:
    form = await change(bot, await open_list(bot), "customer-care.hours")
    hours = typed(value="Mon-Fri 8am-6pm CT", name="Avery Admin")
    confirm = (await (await bot.interact(submitted(form, ADMIN, hours))).json())["view"]
    await bot.interact(submitted(confirm, ADMIN, {}))
    exported = str(await PlanStore(bot.db).export())
    assert "mon-fri" in exported and "08:00" in exported and "18:00" in exported
    unreadable = typed(value="whenever we are in", name="Avery Admin")
    answer = await (await bot.interact(submitted(form, ADMIN, unreadable))).json()
    assert "Mon-Fri 8am-6pm CT" in answer["errors"]["value"]


async def test_still_right_and_retire_are_confirmed_first(bot: Bot) -> None:
    listed = await open_list(bot)
    for action in ("verify", "retire"):
        option = {"value": f"{action}:mail.address", "text": {"type": "plain_text", "text": "x"}}
        overflow = {"type": "overflow", "action_id": ROW, "selected_option": option}
        await bot.interact(in_view(listed, ADMIN, overflow))
        confirm = bot.views("push")[-1]
        assert confirm["callback_id"] == CONFIRMED
        await bot.interact(submitted(confirm, ADMIN, {}))
    actions = [c.action for c in await PlanStore(bot.db).history("mail.address")]
    assert actions[-2:] == ["verify", "retire"]
    assert "mail.address" not in [s.slot_id for s in await PlanStore(bot.db).slots()]


async def test_a_reminders_change_it_opens_the_form_for_the_owner(bot: Bot) -> None:
    recheck = SlackRecheckButtons(bot.db, frozenset({ADMIN}), desk=bot.admin)
    body = {
        "type": "block_actions",
        "user": {"id": OWNER},
        "trigger_id": trigger_id(),
        "actions": [{"action_id": CHANGE_IT, "value": "mail.address"}],
    }
    said: list[dict[str, Any]] = []

    async def ack() -> None:
        return None

    async def respond(**message: Any) -> None:
        said.append(message)

    await recheck.pressed(ack, body, respond)
    (form,) = bot.views("open")
    assert form["callback_id"] == EDITED and said == []
    assert "PO Box 94467" in json.dumps(form["blocks"])
    body["user"] = {"id": STRANGER}
    await recheck.pressed(ack, body, respond)
    assert "Only the fact's owner" in said[-1]["text"]


async def test_in_a_mapped_channel_the_list_is_that_channels_plan(bot: Bot, tmp_path: Any) -> None:
    retirees = yaml.safe_load(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    retirees["plan"] |= {"id": "retirees", "name": "Retiree plan"}
    retirees["slots"][0]["facts"][0]["value"] = "1-866-601-6934"
    path = tmp_path / "retirees.yaml"
    path.write_text(yaml.safe_dump(retirees, sort_keys=False), encoding="utf-8")
    await PlanStore(bot.db).import_file(path, "Dana")
    bot.admin._routes = PlanRoutes([(("slack", "T0TEST", "C0RETIREES"), "retirees")])
    body = command_body("admin", user=ADMIN).replace(b"C0TEST", b"C0RETIREES")
    assert (await bot.post(body)).status == 200
    (listed,) = bot.views("open")
    text = json.dumps(listed["blocks"], ensure_ascii=False)
    assert "*Plan:* Retiree plan" in text and "1-866-601-6934" in text
    # A change made here is the retiree plan's, not the default's.
    form = await change(bot, listed, "customer-care.phone")
    typed_in = typed(value="1-866-601-6935", name="Avery Admin")
    confirm = (await (await bot.interact(submitted(form, ADMIN, typed_in))).json())["view"]
    await bot.interact(submitted(confirm, ADMIN, {}))
    assert "1-866-601-6935" in str(await PlanStore(bot.db, plan="retirees").export())
    assert "1-866-601-6935" not in str(await PlanStore(bot.db).export())
    # The channel can be answered from another plan, from the same list.
    option = {"value": "-", "text": {"type": "plain_text", "text": "usual"}}
    menu = {"type": "static_select", "action_id": MAP, "selected_option": option}
    await bot.interact(in_view(listed, ADMIN, menu))
    assert [r.plan_id for r in await routes(bot.db)] == []
    option = {"value": "retirees", "text": {"type": "plain_text", "text": "Retiree plan"}}
    await bot.interact(in_view(listed, ADMIN, menu | {"selected_option": option}))
    assert [(r.channel, r.plan_id) for r in await routes(bot.db)] == [("C0RETIREES", "retirees")]


async def test_a_look_alike_address_is_refused_and_never_shown_as_a_contact(bot: Bot) -> None:
    before = await PlanStore(bot.db).export()
    listed = await open_list(bot)
    add = {"type": "button", "action_id": ADD, "text": {"type": "plain_text", "text": "Add"}}
    await bot.interact(in_view(listed, ADMIN, add))
    form = bot.views("push")[-1]
    picked = {"type": "static_select", "selected_option": {"value": "europe.email"}}
    europe = {"slot": {"slot": picked}}
    typo = typed(value="help@cvthealth.com", name="Avery Admin") | europe
    refused = await (await bot.interact(submitted(form, ADMIN, typo))).json()
    assert refused["response_action"] == "errors"
    assert "one letter away from cvshealth.com" in refused["errors"]["value"]
    assert await PlanStore(bot.db).export() == before
    # The seed article's look-alike addresses share this topic: the preview withholds them.
    real = typed(value="europe.help@caremark.com", name="Avery Admin") | europe
    confirm = (await (await bot.interact(submitted(form, ADMIN, real))).json())["view"]
    shown = json.dumps(confirm["blocks"])
    assert "europe.help@caremark.com" in shown and "cvthealth" not in shown
    await bot.interact(submitted(confirm, ADMIN, {}))
    assert all("cvthealth" not in json.dumps(view) for view in bot.views("open"))
    assert "cvthealth" not in str(await PlanStore(bot.db).export())
