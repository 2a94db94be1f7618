"""The Block Kit renderer stays inside Slack's limits and keeps every string inert."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack import render
from adapters.text import TRUNCATED
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Platform, Query, Reply, ReplyKind, SourceRef, View
from tests.conftest import ADVERSARIAL_FIELDS, Ask, adversarial_only, adversarial_reply
from tests.slack_limits import mrkdwn_texts, violations

MARKUP = "*bold* _it_ ~s~ `code` <!channel> <!here> @everyone <@U123> <#C1> & <https://evil.example|caremark.com>"


def adversarial(**changes: object) -> Reply:
    return adversarial_reply(MARKUP, **changes)


async def test_every_topic_within_limits(kb: Knowledge, ask: Ask) -> None:
    for topic, view in ((t, v) for t in kb.topics for v in View):
        payload = render.message(await ask(topic.id, view=view))
        assert violations(payload) == [], topic.id
        assert payload["response_type"] == "ephemeral"


async def test_misses_and_suggestions_within_limits(ask: Ask) -> None:
    for text in ("", "delivery", "qwxz zzkj"):
        assert violations(render.message(await ask(text))) == []


async def test_answers_carry_a_share_button_but_misses_do_not(ask: Ask) -> None:
    def has_share(payload: dict[str, Any]) -> bool:
        return any(
            e.get("action_id") == render.SHARE_ACTION
            for b in payload["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        )

    assert has_share(render.message(await ask("specialty")))
    assert not has_share(render.message(await ask("qwxz zzkj")))
    assert not has_share(render.message(await ask("specialty"), shared=True))


async def test_shared_message_is_in_channel(ask: Ask) -> None:
    payload = render.message(await ask("hours"), shared=True)
    assert payload["response_type"] == "in_channel"
    assert violations(payload) == []


@pytest.mark.parametrize("field", ADVERSARIAL_FIELDS)
def test_adversarial_reply_within_limits(field: str) -> None:
    payload = render.message(adversarial_only(MARKUP, field))
    assert violations(payload) == []


def test_everything_adversarial_at_once() -> None:
    payload = render.message(adversarial())
    assert violations(payload) == []
    parsed = "\n".join(mrkdwn_texts(payload))
    assert "<!channel>" not in parsed and "<@U123>" not in parsed and "<#C1>" not in parsed
    assert "<https://evil.example" not in parsed and "<javascript:" not in parsed
    assert "&lt;!channel&gt;" in parsed
    assert TRUNCATED in parsed


def test_long_answer_is_cut_with_marker_and_source_link() -> None:
    reply = adversarial(
        sources=(SourceRef("CVS Specialty FAQ", "", "https://www.cvsspecialty.com"),)
    )
    blocks = render.message(reply)["blocks"]
    notes = [b for b in blocks if b["type"] == "context" and "shortened" in str(b)]
    assert notes and "<https://www.cvsspecialty.com|source>" in str(notes[0])


def test_escaping_and_clipping() -> None:
    assert render.escape("a & <b> c") == "a &amp; &lt;b&gt; c"
    clipped = render.clip("x &amp; " * 1000, 100)
    assert len(clipped) <= 100 and clipped.endswith(TRUNCATED)
    assert not clipped.removesuffix(TRUNCATED).rstrip().endswith(("&", "&am", "&amp"))
    assert render.clip("short", 100) == "short"


async def test_home_view_lists_every_topic(kb: Knowledge, ask: Ask) -> None:
    view = render.home_view(await ask("help", view=View.FULL), await ask("specialty"))
    assert view["type"] == "home"
    assert violations(view, home=True) == []
    ids = {
        e["value"].split("@")[0]
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert {t.id for t in kb.topics if not t.weak} <= ids | {"specialty"}


def test_error_message_is_friendly_and_private() -> None:
    payload = render.error_message("ab12cd34")
    assert payload["response_type"] == "ephemeral" and "ab12cd34" in payload["text"]
    assert violations(payload) == []


async def test_markup_in_the_knowledge_base_renders_inert(hostile_engine: Engine) -> None:
    """A knowledge-base edit full of Slack markup still renders as plain, inert text."""
    payload = render.message(await hostile_engine.handle(Query("hostile topic", Platform.SLACK)))
    assert violations(payload) == []
    parsed = "\n".join(mrkdwn_texts(payload))
    assert "<!" not in parsed and "<@" not in parsed and "<#" not in parsed
    assert "&lt;!channel&gt;" in parsed and TRUNCATED in parsed


def test_several_questions_at_their_worst_within_limits() -> None:
    part = adversarial(view=View.BRIEF, more=True)
    many = adversarial(kind=ReplyKind.MULTI, parts=(part, part, part), related=())
    assert violations(render.message(many)) == []


async def test_several_questions_in_one_message(ask: Ask) -> None:
    reply = await ask("what's the specialty number? and when are you open?")
    assert reply.kind is ReplyKind.MULTI and len(reply.parts) == 2
    assert violations(render.message(reply)) == []
