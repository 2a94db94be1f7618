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
    reply = await ask("my ssn is 123-45-6789 what's the specialty number", posted=True)
    assert reply.topic_id == "specialty" and reply.visibility is Visibility.PRIVATE
    assert reply.lead.startswith("Please delete your message")
    assert "a Social Security number" in reply.lead
    for output in (render_text(reply), render_json(reply), json.dumps(slack_render.message(reply))):
        assert "123-45-6789" not in output and "6789" not in output
    assert slack_render.SHARE_ACTION not in json.dumps(slack_render.message(reply))
    typed = await ask("my ssn is 123-45-6789 what's the specialty number")  # a slash command
    assert "delete" not in typed.lead and typed.lead.startswith("There's no need to type")


async def test_identifier_alone_gets_a_privacy_reply(ask: Ask) -> None:
    reply = await ask("4111 1111 1111 1111")
    assert reply.kind is ReplyKind.PRIVACY and reply.visibility is Visibility.PRIVATE
    assert "a payment card number" in reply.lead and "4111" not in render_text(reply)


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


DISGUISED = [
    ("536.22.8726", pii.Kind.SSN),
    ("536\u201022\u20108726", pii.Kind.SSN),  # hyphen
    ("536\u201322\u20138726", pii.Kind.SSN),  # en dash
    ("536\u221222\u22128726", pii.Kind.SSN),  # minus sign
    ("536\uff0d22\uff0d8726", pii.Kind.SSN),  # full-width hyphen
    ("536\ufe6322\ufe638726", pii.Kind.SSN),  # small hyphen-minus
    ("536\u00a022\u00a08726", pii.Kind.SSN),  # no-break space
    ("536\u200922\u20098726", pii.Kind.SSN),  # thin space
    ("536\u202f22\u202f8726", pii.Kind.SSN),  # narrow no-break space
    ("536-22-87\u200b26", pii.Kind.SSN),  # zero-width space inside
    ("536-2\u200d2-8726", pii.Kind.SSN),  # zero-width joiner inside
    ("5\ufeff36-22-8726", pii.Kind.SSN),  # byte-order mark inside
    ("536/22/8726", pii.Kind.SSN),
    ("\uff15\uff13\uff16-\uff12\uff12-\uff18\uff17\uff12\uff16", pii.Kind.SSN),  # full-width
    ("\u0665\u0663\u0666-\u0662\u0662-\u0668\u0667\u0662\u0666", pii.Kind.SSN),  # Arabic-Indic
    ("\u06f5\u06f3\u06f6-\u06f2\u06f2-\u06f8\u06f7\u06f2\u06f6", pii.Kind.SSN),  # Persian
    ("\u096b\u0969\u096c-\u0968\u0968-\u096e\u096d\u0968\u096c", pii.Kind.SSN),  # Devanagari
    ("mi número de seguro social es 536 22 8726", pii.Kind.SSN),
    ("4111.1111.1111.1111", pii.Kind.CARD),
    ("4111\u00a01111\u00a01111\u00a01111", pii.Kind.CARD),
    ("4111\u20131111\u20131111\u20131111", pii.Kind.CARD),
    ("4111 1111 11\u200b11 1111", pii.Kind.CARD),
    (
        "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
        pii.Kind.CARD,
    ),
    ("5500\u22120000\u22120000\u22120004", pii.Kind.CARD),
    ("member id W12\u200b3456789", pii.Kind.MEMBER_ID),
    ("Member ID: \uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", pii.Kind.MEMBER_ID),
    ("\uff2d\uff25\uff2d\uff22\uff25\uff32 \uff29\uff24 W123456789", pii.Kind.MEMBER_ID),
    ("member\u00a0id\u00a0W123456789", pii.Kind.MEMBER_ID),
    ("rx bin \u0666\u0661\u0660\u0660\u0661\u0664", pii.Kind.MEMBER_ID),
    ("DOB 03\uff0f04\uff0f1985", pii.Kind.BIRTH_DATE),
    ("DOB 03\u201004\u20101985", pii.Kind.BIRTH_DATE),
    ("date of birth 1985\u221203\u221204", pii.Kind.BIRTH_DATE),
    ("dob \uff10\uff13/\uff10\uff14/\uff11\uff19\uff18\uff15", pii.Kind.BIRTH_DATE),
]


@pytest.mark.parametrize(("text", "kind"), DISGUISED)
def test_disguised_identifiers_are_found_and_blanked(text: str, kind: pii.Kind) -> None:
    assert kind in pii.kinds(text)
    redacted = pii.redact(text)
    digits = [ch for ch in redacted if ch.isdigit()]
    assert len(digits) < 4, redacted  # the identifier itself is gone, however it was written


def test_spans_point_into_the_text_as_given() -> None:
    text = "hello \u200b\u200b my ssn: 536\u201322\u20138726, thanks"
    (found,) = pii.find(text)
    assert text[found.start : found.end] == "536\u201322\u20138726"
