"""`/caremark is … legit?` and `caremark-bot verify`: verdicts that never echo the target."""

from __future__ import annotations

import json

import pytest

from adapters.cli import main
from adapters.console import render_text
from adapters.discord_app import render as discord_render
from adapters.slack import render as slack_render
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query, ReplyKind, Trust, Visibility
from tests.conftest import FIXED_NOW, Ask
from tests.slack_limits import mrkdwn_texts, violations


async def test_near_miss_number_looks_like_a_scam(ask: Ask) -> None:
    reply = await ask("is 1-800-237-2765 legit?")
    assert reply.kind is ReplyKind.VERIFY and reply.visibility is Visibility.PRIVATE
    assert "looks like a scam" in reply.lead and "one digit off" in reply.lead
    (twin,) = reply.contacts
    assert twin.value == "1-800-237-2767" and twin.badge.trust is Trust.OFFICIAL
    assert "2765" not in render_text(reply)


async def test_lookalike_domain_is_named_only_by_what_it_imitates(ask: Ask) -> None:
    reply = await ask("/caremark check cvthealth.com")
    assert "looks like a scam" in reply.lead and "cvshealth.com" in reply.lead
    for output in (
        render_text(reply),
        json.dumps(slack_render.message(reply)),
        json.dumps(discord_render.response(reply)),
    ):
        assert "cvthealth" not in output


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("1-800-237-2767", "is official"),
        ("is https://www.caremark.com/login safe?", "is official"),
        ("got a call from (212) 555-0142", "looks like a scam"),
        ("is 800 237 2768 real", "looks like a scam"),
        ("is 1-800-673-4828 the specialty number?", "isn't one I can vouch for"),
        ("check xn--caremrk-6fg.com", "looks like a scam"),
        ("email from help@caremark.com.example.net, is it real?", "looks like a scam"),
        ("is 1-312-867-5309 legit", "isn't one I can vouch for"),
        ("is 711 legit", "is official"),
    ],
)
async def test_verdicts(ask: Ask, text: str, verdict: str) -> None:
    reply = await ask(text)
    assert reply.kind is ReplyKind.VERIFY
    assert verdict in reply.lead


async def test_plan_numbers_are_plan_verified(planned_kb: Knowledge) -> None:
    engine = Engine(planned_kb, clock=lambda: FIXED_NOW)
    reply = await engine.handle(Query("is 1-844-443-4279 legit?"))
    assert "is your plan's own" in reply.lead


@pytest.mark.parametrize(
    "text",
    [
        "how do I log in to caremark.com",
        "tty 711",
        "call 1-800-237-2767 for specialty?",
        "specialty",
    ],
)
async def test_mentions_are_not_verification_requests(ask: Ask, text: str) -> None:
    assert (await ask(text)).kind is not ReplyKind.VERIFY


async def test_verify_payloads_stay_within_limits_and_link_nothing_suspicious(ask: Ask) -> None:
    reply = await ask("is global.caremark@cvthealth.com or 1-800-237-2765 real?")
    payload = slack_render.message(reply)
    assert violations(payload) == []
    assert not any("<http" in text and "cvt" in text for text in mrkdwn_texts(payload))
    assert not any(b.get("block_id") == "share" for b in payload["blocks"])


def test_verify_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "1-800-237-2765", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["verdict"] == "looks like a scam"
    assert row["resembles"] == {"label": "CVS Specialty pharmacy", "value": "1-800-237-2767"}
    assert main(["verify", "cvthealth.com"]) == 0
    assert "looks like a scam" in capsys.readouterr().out
    assert main(["verify", "nothing to check"]) == 1
