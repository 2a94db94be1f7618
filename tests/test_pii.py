"""Identifiers pasted into chat: found, never echoed or logged, and the question still answered."""

from __future__ import annotations

import json
import logging

import pytest

from adapters import logs
from adapters.console import render_json, render_text
from adapters.slack import render as slack_render
from bot.reply import ReplyKind, Visibility
from bot.safety import pii
from tests.conftest import Ask

TRUE_POSITIVES = [
    ("123-45-6789", pii.Kind.SSN),
    ("my ssn is 078 05 1120", pii.Kind.SSN),
    ("social security 219099999", pii.Kind.SSN),
    ("SSN: 536-22-8726", pii.Kind.SSN),
    ("member id W123456789", pii.Kind.MEMBER_ID),
    ("Member ID: 12345678901", pii.Kind.MEMBER_ID),
    ("rx bin 610014", pii.Kind.MEMBER_ID),
    ("group number 0012345", pii.Kind.MEMBER_ID),
    ("subscriber number 987654321A", pii.Kind.MEMBER_ID),
    ("my id# ABC12345", pii.Kind.MEMBER_ID),
    ("DOB 03/04/1985", pii.Kind.BIRTH_DATE),
    ("date of birth: 1985-03-04", pii.Kind.BIRTH_DATE),
    ("born on March 3, 1985", pii.Kind.BIRTH_DATE),
    ("birthday 3.4.85", pii.Kind.BIRTH_DATE),
    ("4111 1111 1111 1111", pii.Kind.CARD),
    ("5500-0000-0000-0004", pii.Kind.CARD),
    ("card 340000000000009", pii.Kind.CARD),
    ("6011000990139424", pii.Kind.CARD),
]
FALSE_POSITIVES = [
    "000-12-3456",
    "666-12-3456",
    "900-12-3456",
    "123-00-4567",
    "123-45-0000",
    "1-800-237-2767",
    "(800) 237-2767",
    "123456789",
    "order 123456",
    "4111 1111 1111 1112",
    "delivery on 12/01/2026",
    "my member id card is lost",
    "7-10 business days",
    "specialty",
    "call between 9 a.m. and 2 p.m.",
    "group of 5 people",
    "30 day supply",
]


@pytest.mark.parametrize(("text", "kind"), TRUE_POSITIVES)
def test_identifiers_are_found(text: str, kind: pii.Kind) -> None:
    assert kind in pii.kinds(text)
    assert pii.REDACTED in pii.redact(text)


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert pii.kinds(text) == ()
    assert pii.redact(text) == text


async def test_reply_asks_to_delete_and_still_answers(ask: Ask) -> None:
    reply = await ask("my ssn is 123-45-6789 what's the specialty number")
    assert reply.topic_id == "specialty" and reply.visibility is Visibility.PRIVATE
    assert reply.summary.startswith("Please delete your message")
    assert "a Social Security number" in reply.summary
    for output in (render_text(reply), render_json(reply), json.dumps(slack_render.message(reply))):
        assert "123-45-6789" not in output and "6789" not in output
    assert not any(b.get("block_id") == "share" for b in slack_render.message(reply)["blocks"])


async def test_identifier_alone_gets_a_privacy_reply(ask: Ask) -> None:
    reply = await ask("4111 1111 1111 1111")
    assert reply.kind is ReplyKind.PRIVACY and reply.visibility is Visibility.PRIVATE
    assert "a payment card number" in reply.summary and "4111" not in render_text(reply)


async def test_identifiers_never_reach_the_logs(ask: Ask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await ask("member id W123456789 and dob 03/04/1985, lost package")
    assert "W123456789" not in caplog.text and "1985" not in caplog.text


def test_redacting_filter_blanks_messages_arguments_and_exceptions() -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(logs.RedactingFilter())
    handler.setFormatter(logs.RedactingFormatter())
    logger = logging.getLogger("test.pii")
    logger.addHandler(handler)
    try:
        logger.error("user wrote %s", "ssn 123-45-6789")
        try:
            raise ValueError("bad card 4111 1111 1111 1111")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    joined = "\n".join(records)
    assert "123-45-6789" not in joined and "4111 1111 1111 1111" not in joined
    assert pii.REDACTED in joined
