"""A hostile-input corpus over both endpoints and the query path, plus property tests of the
verifiers and the normaliser. Invariants: never a 5xx, every payload within platform limits, no
live mention, and nothing a person sent appears raw in the logs."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict
from nacl.signing import SigningKey

from adapters.discord_app.interactions import is_signed as discord_signed
from adapters.slack.render import SHARE_ACTION
from adapters.slack.verify import is_signed as slack_signed
from bot.answer.normalize import MAX_QUERY_CHARS, clean, matchable
from tests import discord_limits, slack_limits
from tests.corpus import DISCORD_BODIES, MARK, SLACK_BODIES, TEXTS
from tests.discord_fakes import KEY, command, sign
from tests.slack_fakes import SECRET, action_body, command_body, signed_headers


@pytest.fixture
def client(chat_client: TestClient[Any, Any]) -> TestClient[Any, Any]:
    return chat_client


def assert_clean_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert MARK not in caplog.text and "123-45-6789" not in caplog.text


@pytest.mark.parametrize("text", TEXTS)
async def test_hostile_text_through_slack(
    client: TestClient[Any, Any], text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    body = command_body(text)
    response = await client.post("/slack/events", data=body, headers=signed_headers(body))
    assert response.status == 200
    payload = await response.json()
    assert slack_limits.violations(payload) == []
    assert MARK not in json.dumps(payload)
    assert_clean_logs(caplog)


@pytest.mark.parametrize("text", TEXTS)
async def test_hostile_text_through_discord(
    client: TestClient[Any, Any], text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    body = command(text)
    response = await client.post("/discord/interactions", data=body, headers=sign(body))
    assert response.status == 200
    answer = await response.json()
    assert discord_limits.violations(answer["data"]) == []
    assert MARK not in json.dumps(answer)
    assert_clean_logs(caplog)


@pytest.mark.parametrize("body", SLACK_BODIES)
async def test_hostile_slack_bodies(client: TestClient[Any, Any], body: bytes) -> None:
    signed = await client.post("/slack/events", data=body, headers=signed_headers(body))
    unsigned = await client.post("/slack/events", data=body)
    assert signed.status < 500 and unsigned.status == 401


@pytest.mark.parametrize("body", DISCORD_BODIES)
async def test_hostile_discord_bodies(client: TestClient[Any, Any], body: bytes) -> None:
    signed = await client.post("/discord/interactions", data=body, headers=sign(body))
    unsigned = await client.post("/discord/interactions", data=body)
    assert signed.status < 500 and unsigned.status == 401


async def test_replayed_requests_are_refused(client: TestClient[Any, Any]) -> None:
    body = command_body("specialty")
    headers = signed_headers(body)
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 200
    again = await client.post("/slack/events", data=body, headers=headers)
    assert again.status == 401 and await again.json() == {"error": "replayed request"}
    share = action_body(SHARE_ACTION, "specialty", "http://127.0.0.1:9/hook")
    shared = signed_headers(share)
    assert (await client.post("/slack/events", data=share, headers=shared)).status == 200
    assert (await client.post("/slack/events", data=share, headers=shared)).status == 401
    stale = signed_headers(body, at=time.time() - 3600)
    assert (await client.post("/slack/events", data=body, headers=stale)).status == 401
    interaction = command("specialty")
    signed = sign(interaction)
    url = "/discord/interactions"
    assert (await client.post(url, data=interaction, headers=signed)).status == 200
    assert (await client.post(url, data=interaction, headers=signed)).status == 401


async def test_the_same_question_asked_twice_is_answered_twice(
    client: TestClient[Any, Any],
) -> None:
    for _ in range(2):  # a new trigger_id each time, as from Slack
        body = command_body("specialty")
        assert (
            await client.post("/slack/events", data=body, headers=signed_headers(body))
        ).status == 200


async def test_duplicate_and_odd_headers(client: TestClient[Any, Any]) -> None:
    body = command_body("hours")
    headers = CIMultiDict(signed_headers(body))
    headers.add("X-Slack-Request-Timestamp", "1")
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 401
    discord = CIMultiDict(sign(b'{"type": 1}'))
    discord.add("X-Signature-Timestamp", "1")
    assert (
        await client.post("/discord/interactions", data=b'{"type": 1}', headers=discord)
    ).status == 401


HOSTILE_CATALOGUE: dict[str, Any] = {
    "text over 4,000 characters": lambda t: len(t) > 4000,
    "NUL bytes": lambda t: "\x00" in t,
    "right-to-left override": lambda t: "\u202e" in t,
    "bidi isolates": lambda t: any(c in t for c in "\u2066\u2067\u2068\u2069"),
    "zero-width characters": lambda t: any(c in t for c in "\u200b\u200c\u200d\u2060\ufeff"),
    "full-width letters": lambda t: any("\uff01" <= c <= "\uff5e" for c in t),
    "confusable letters": lambda t: any("\u0400" <= c <= "\u04ff" for c in t),
    "a channel-wide ping": lambda t: "<!channel>" in t,
    "a here ping": lambda t: "<!here>" in t,
    "an everyone ping": lambda t: "@everyone" in t,
    "a user mention": lambda t: "<@U" in t,
    "a role mention": lambda t: "<@&" in t,
    "a spoofed Slack link": lambda t: "<https://" in t and "|" in t,
    "a spoofed markdown link": lambda t: "](https://" in t,
    "a lone surrogate": lambda t: any("\ud800" <= c <= "\udfff" for c in t),
    "a pasted identifier": lambda t: "123-45-6789" in t,
}


@pytest.mark.parametrize("case", list(HOSTILE_CATALOGUE))
def test_the_corpus_covers_the_hostile_catalogue(case: str) -> None:
    """Each kind of hostile input the platform rules list is in the corpus at least once."""
    assert any(HOSTILE_CATALOGUE[case](text) for text in TEXTS), case


def test_the_corpus_covers_broken_bodies() -> None:
    undecodable = [b for b in (*SLACK_BODIES, *DISCORD_BODIES) if not _decodes(b)]
    assert undecodable, "no invalid UTF-8 body"
    assert any(len(b) > 50_000 for b in SLACK_BODIES), "no oversized Slack body"
    assert any(b.count(b"[") > 1000 for b in SLACK_BODIES), "no deeply nested Slack payload"
    assert b"" in SLACK_BODIES and b"" in DISCORD_BODIES, "no empty body"
    assert len(set(TEXTS)) == len(TEXTS), "a hostile text is listed twice"


def _decodes(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Headers:
    def __init__(self, timestamps: list[str], signatures: list[str], names: tuple[str, str]):
        self.values = {names[0]: timestamps, names[1]: signatures}

    def getall(self, key: str, default: Any) -> list[str]:
        return self.values.get(key, default)


TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=80)
PROPERTY = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _slack_parts(now: int) -> Any:
    """Timestamps and signatures from noise to exactly right, so every branch is reached."""
    stamp = st.one_of(TEXT, st.sampled_from([str(now), str(now - 301), f" {now}", "0" + str(now)]))
    hex64 = st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64)
    signature = st.one_of(TEXT, hex64.map(lambda h: "v0=" + h), st.just("RIGHT"))
    right_stamp, right_signature = st.just([str(now)]), st.just(["RIGHT"])
    return (
        st.one_of(right_stamp, st.lists(stamp, max_size=3)),
        st.one_of(right_signature, st.lists(signature, max_size=3)),
    )


@PROPERTY
@given(st.data(), st.one_of(st.binary(max_size=200), st.text(max_size=80).map(str.encode)))
def test_slack_verifier_accepts_exactly_the_right_signature(data: Any, body: bytes) -> None:
    from adapters.slack.verify import signature

    now = int(time.time())
    stamps_of, signatures_of = _slack_parts(now)
    stamps = data.draw(stamps_of)
    fresh = [s for s in stamps if s == str(now)]
    right = signature(SECRET, str(now), body) if _decodes(body) else "unreachable"
    sigs = [right if s == "RIGHT" else s for s in data.draw(signatures_of)]
    headers = Headers(stamps, sigs, ("X-Slack-Request-Timestamp", "X-Slack-Signature"))
    expected = _decodes(body) and len(stamps) == 1 and len(fresh) == 1 and sigs == [right]
    assert slack_signed(SECRET, headers, body, now) is expected


@PROPERTY
@given(st.lists(TEXT, max_size=3), st.lists(TEXT, max_size=3), st.binary(max_size=200))
def test_discord_verifier_never_raises(stamps: list[str], sigs: list[str], body: bytes) -> None:
    headers = Headers(stamps, sigs, ("X-Signature-Timestamp", "X-Signature-Ed25519"))
    assert discord_signed(KEY.verify_key, headers, body, time.time()) in (True, False)


@PROPERTY
@given(st.binary(max_size=200))
def test_discord_verifier_accepts_only_real_signatures(body: bytes) -> None:
    stamp = str(int(time.time()))
    names = ("X-Signature-Timestamp", "X-Signature-Ed25519")
    real = KEY.sign(stamp.encode() + body).signature.hex()
    assert discord_signed(KEY.verify_key, Headers([stamp], [real], names), body, time.time())
    other_key = SigningKey(bytes(32)).sign(stamp.encode() + body).signature.hex()
    flipped = real[:-1] + ("0" if real[-1] != "0" else "1")
    for wrong in (other_key, flipped):
        headers = Headers([stamp], [wrong], names)
        assert discord_signed(KEY.verify_key, headers, body, time.time()) is False


@PROPERTY
@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=3000))
def test_normaliser_properties(text: str) -> None:
    cleaned = clean(text)
    assert len(cleaned) <= MAX_QUERY_CHARS and cleaned.isprintable()
    folded = matchable(text)
    assert matchable(folded) == folded
