"""Talking to the bot where people talk: mentions in channels and threads, direct messages and
follow-ups, through the real Bolt stack over loopback, with Slack's Web API faked."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.core import Engine
from bot.i18n import words
from tests.slack_fakes import FakeSlack, event_body, signed_headers, start_fake_slack
from tests.test_slack_http import client_for, post

BOT = "U0BOT"
AUTHORIZATIONS = [{"enterprise_id": None, "team_id": "T0TEST", "user_id": BOT, "is_bot": True}]
_ts = iter(range(1_700_000_000, 1_800_000_000))


def ts() -> str:
    return f"{next(_ts)}.000100"


def mention(
    text: str, *, thread: str | None = None, user: str = "U0ANA", at: str = ""
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT}> {text}",
        "ts": at or ts(),
        "channel": "C0BENEFITS",
        "event_ts": "1.1",
    }
    if thread:
        event["thread_ts"] = thread
    return event


def message(text: str, **fields: Any) -> dict[str, Any]:
    event = {"type": "message", "user": "U0ANA", "text": text, "ts": ts(), "channel": "C0BENEFITS"}
    event["channel_type"] = "channel"
    return event | fields


def body(event: dict[str, Any], event_id: str | None = None) -> bytes:
    data = json.loads(event_body(event, event_id))
    data["authorizations"] = AUTHORIZATIONS
    return json.dumps(data).encode()


@pytest.fixture
async def chat(engine: Engine) -> AsyncIterator[tuple[TestClient[Any, Any], FakeSlack]]:
    fake = await start_fake_slack()
    client = await client_for(engine, fake)
    yield client, fake
    await client.close()
    await fake.server.close()


async def send(
    chat: tuple[TestClient[Any, Any], FakeSlack],
    event: dict[str, Any],
    replies: int = 1,
    event_id: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Deliver an event; wait for `replies` Web API calls and return the new ones."""
    client, fake = chat
    before = len(fake.posts)
    response = await post(client, body(event, event_id), **{"Content-Type": "application/json"})
    assert response.status == 200
    await fake.wait_for_posts(before + replies, timeout=3 if replies else 0.3)
    if not replies:
        await asyncio.sleep(0.2)
    return fake.posts[before:]


def shown(call: tuple[str, dict[str, Any]]) -> str:
    return json.dumps(call[1], ensure_ascii=False)


async def test_a_mention_is_answered_in_its_thread(chat: Any) -> None:
    asked = mention("what's the specialty pharmacy number?")
    ((path, sent),) = await send(chat, asked)
    assert path == "/api/chat.postMessage"
    assert sent["thread_ts"] == asked["ts"] and sent["channel"] == "C0BENEFITS"
    assert "1-800-237-2767" in shown((path, sent))
    assert "topic:" in shown((path, sent))  # the same buttons as /caremark


async def test_a_conversation_reads_like_a_chat(chat: Any) -> None:
    first = mention("what's the specialty pharmacy number?")
    await send(chat, first)
    # A follow-up in the thread, without mentioning the bot: read with specialty in mind.
    ((_, hours),) = await send(chat, message("and their hours?", thread_ts=first["ts"]))
    assert hours["thread_ts"] == first["ts"] and "Hours" in shown(("", hours))
    ((_, spanish),) = await send(chat, message("in spanish please", thread_ts=first["ts"]))
    assert "@es" in shown(("", spanish))
    # An SSN pasted in the thread: answered privately, one neutral public line, nothing echoed.
    calls = await send(
        chat, message("my ssn is 123-45-6789 where's my order", thread_ts=first["ts"]), replies=2
    )
    paths = [p for p, _ in calls]
    assert paths == ["/api/chat.postEphemeral", "/api/chat.postMessage"]
    assert calls[0][1]["user"] == "U0ANA" and calls[0][1]["thread_ts"] == first["ts"]
    assert calls[1][1]["text"] == words("en")("conversation.answered_privately")
    assert all("6789" not in shown(c) and "123-45" not in shown(c) for c in calls)


async def test_a_routed_topic_is_never_answered_in_the_open(chat: Any) -> None:
    calls = await send(chat, mention("my claim was denied, how do I appeal?"), replies=2)
    assert [p for p, _ in calls] == ["/api/chat.postEphemeral", "/api/chat.postMessage"]
    assert "appeal" not in calls[1][1]["text"].lower()


async def test_a_direct_message_is_answered_in_the_dm_routed_topics_too(chat: Any) -> None:
    dm = message("my claim was denied, how do I appeal?", channel="D0ANA", channel_type="im")
    ((path, sent),) = await send(chat, dm)
    assert path == "/api/chat.postMessage" and sent["channel"] == "D0ANA"
    assert "thread_ts" not in sent


@pytest.mark.parametrize(
    "event",
    [
        message("what are the hours?"),  # a channel message that doesn't mention the bot
        message("what are the hours?", thread_ts="1.000001"),  # a thread it never answered in
        message("hours", bot_id="B0OTHER"),  # another bot
        message("hours", user=BOT, channel_type="im", channel="D0ANA"),  # its own message
        message("hours", subtype="message_changed", channel_type="im", channel="D0ANA"),
        message("hours", subtype="bot_message", channel_type="im", channel="D0ANA"),
    ],
)
async def test_it_speaks_only_when_spoken_to(chat: Any, event: dict[str, Any]) -> None:
    assert await send(chat, event, replies=0) == []


async def test_a_retried_event_gets_one_reply(chat: Any) -> None:
    client, fake = chat
    asked = body(mention("hours"), "EvRETRY1")
    await send(chat, mention("hours"), event_id="EvRETRY1")
    # Slack's retry: the same event, signed again a moment later, with X-Slack-Retry-Num.
    retry = {**signed_headers(asked, at=time.time() - 2), "X-Slack-Retry-Num": "1"}
    response = await client.post("/slack/events", data=asked, headers=retry)
    assert response.status == 200
    await asyncio.sleep(0.3)
    assert len(fake.posts) == 1


async def test_a_mention_in_a_thread_is_answered_once(chat: Any) -> None:
    # Slack sends both `app_mention` and `message` for a mention in a thread it subscribes to.
    first = mention("hours")
    await send(chat, first)
    again = mention("specialty", thread=first["ts"])
    as_message = message(again["text"], thread_ts=first["ts"])
    await send(chat, again)
    assert await send(chat, as_message, replies=0) == []


async def test_a_burst_of_mentions_gets_one_kind_notice(chat: Any) -> None:
    for _ in range(6):
        await send(chat, mention("hours"))
    notice = await send(chat, mention("hours"))
    assert notice[0][1]["text"] == words("en")("conversation.busy")
    assert await send(chat, mention("hours"), replies=0) == []


async def test_channel_wide_mentions_stay_inert(chat: Any) -> None:
    ((_, sent),) = await send(chat, mention("<!channel> <!here> @everyone specialty"))
    assert "<!channel>" not in shown(("", sent)) and "<!here>" not in shown(("", sent))
