"""The Discord renderer stays inside Discord's limits and keeps every string inert."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord_app import render
from adapters.text import TRUNCATED
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Platform, Query, Reply, ReplyKind, TopicRef, View
from tests.conftest import ADVERSARIAL_FIELDS, Ask, adversarial_only, adversarial_reply
from tests.discord_limits import violations

MARKUP = (
    "**b** __u__ ~~s~~ `c` ||spoiler|| @everyone @here <@123> <@&456> <#789> "
    "[caremark.com](https://evil.example) # h"
)


def adversarial(**changes: object) -> Reply:
    return adversarial_reply(MARKUP, **changes)


async def test_every_topic_within_limits(kb: Knowledge, ask: Ask) -> None:
    for topic, view in ((t, v) for t in kb.topics for v in View):
        data = render.message(await ask(topic.id, view=view))
        assert violations(data) == [], topic.id
        assert data["flags"] == render.EPHEMERAL


async def test_misses_and_suggestions_within_limits(ask: Ask) -> None:
    for text in ("", "delivery", "qwxz zzkj", "help"):
        assert violations(render.message(await ask(text))) == []


@pytest.mark.parametrize("field", ADVERSARIAL_FIELDS)
def test_adversarial_reply_within_limits(field: str) -> None:
    assert violations(render.message(adversarial_only(MARKUP, field))) == []


def test_everything_adversarial_at_once() -> None:
    data = render.message(adversarial())
    assert violations(data) == []
    assert TRUNCATED in str(data)
    urls = [b["url"] for row in data["components"] for b in row["components"] if "url" in b]
    assert "https://www.caremark.com" in urls
    assert all(u.startswith("https://") and len(u) <= 512 for u in urls)  # no javascript:, tel:


async def test_share_button_and_public_share(ask: Ask) -> None:
    reply = await ask("specialty")
    private = render.message(reply)
    ids = [b.get("custom_id") for row in private["components"] for b in row["components"]]
    assert "caremark:share:specialty@en" in ids
    shared = render.message(reply, shared=True)
    assert "flags" not in shared and violations(shared) == []
    assert "caremark:share:specialty@" not in str(shared)


async def test_phone_numbers_are_text_not_links(ask: Ask) -> None:
    data = render.message(await ask("specialty"))
    assert "1-800-237-2767" in data["embeds"][0]["fields"][0]["value"]
    assert "tel:" not in str(data)


def test_custom_ids_round_trip() -> None:
    match = render.CUSTOM_ID.match(render.custom_id("topic", "lost-or-damaged"))
    assert match and match["kind"] == "topic" and match["value"] == "lost-or-damaged"
    assert render.CUSTOM_ID.match("caremark:topic:../../x") is None


def test_autocomplete_choices_are_capped() -> None:
    topics = [TopicRef(f"id{i}" * 30, "t" * 300) for i in range(40)]
    result = render.choices(topics)
    assert result["type"] == 8
    assert len(result["data"]["choices"]) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in result["data"]["choices"])


def test_error_response_is_private() -> None:
    data = render.error_response("ab12")["data"]
    assert data["flags"] == render.EPHEMERAL and "ab12" in data["content"]
    assert violations(data) == []


async def test_markup_in_the_knowledge_base_renders_inert(hostile_engine: Engine) -> None:
    reply = await hostile_engine.handle(Query("hostile topic", Platform.DISCORD))
    data = render.message(reply)
    assert violations(data) == []
    assert TRUNCATED in str(data)


async def test_footer_summarises_trust(ask: Ask) -> None:
    footer = render.message(await ask("specialty", view=View.FULL))["embeds"][0]["footer"]
    assert footer["text"].startswith("Trust: 🏛️ 2 official ❔ 1 not confirmed")
    assert "footer" not in render.message(await ask("specialty"))["embeds"][0]  # a short first


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=300))
def test_autocomplete_for_arbitrary_input(engine: Engine, typed: str) -> None:
    result = render.choices(engine.suggest(Query(typed, Platform.DISCORD), 25))
    choices = result["data"]["choices"]
    assert len(choices) <= 25
    assert all(0 < len(c["name"]) <= 100 and 0 < len(c["value"]) <= 100 for c in choices)


def test_several_questions_at_their_worst_within_limits() -> None:
    part = adversarial(view=View.BRIEF, more=True)
    many = adversarial(kind=ReplyKind.MULTI, parts=(part, part, part), related=())
    assert violations(render.message(many)) == []


async def test_several_questions_in_one_message(ask: Ask) -> None:
    reply = await ask("what's the specialty number? and when are you open?")
    assert reply.kind is ReplyKind.MULTI and len(reply.parts) == 2
    assert violations(render.message(reply)) == []
