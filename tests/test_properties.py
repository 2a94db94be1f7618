"""Normalisation and resolution never raise, whatever people paste into chat."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.console import render_text
from bot.answer.normalize import MAX_QUERY_CHARS, clean, matchable
from bot.answer.resolve import Resolver
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query


@pytest.fixture(scope="module")
def resolver(kb: Knowledge) -> Resolver:
    return Resolver(kb)


# every code point, lone surrogates and NULs included
ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300)
HOSTILE = [
    "\x00" * 50,
    "a" * 10_000,
    "\ud800\udfff\ud83d",
    "\u202e\u2066evil\u2069",
    "\u200b" * 1000,
    "ｓｐｅｃｉａｌｔｙ",
    "<!channel> @everyone",
    "\ufeff\x1b[31mred",
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
@example("\x00" * 64)
@example("specialty" * 1_200)  # 10,800 characters
@example("\ud800 lone \udfff surrogates")
def test_normalisation_never_raises_and_is_bounded(text: str) -> None:
    cleaned = clean(text)
    assert len(cleaned) <= MAX_QUERY_CHARS
    assert all(ch.isprintable() for ch in cleaned)
    assert matchable(matchable(text)) == matchable(text)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
@example("\x00" * 64)
@example("specialty" * 1_200)  # 10,800 characters
@example("\ud800 lone \udfff surrogates")
def test_resolution_never_raises(resolver: Resolver, text: str) -> None:
    match = resolver.resolve(text)
    assert match.topic is None or not match.suggestions


async def test_hostile_inputs_are_answered(kb: Knowledge, engine: Engine) -> None:
    for text in HOSTILE:
        reply = await engine.handle(Query(text))
        assert render_text(reply)


def test_fullwidth_and_invisible_characters_are_folded() -> None:
    assert matchable("ｓｐｅｃｉａｌｔｙ") == "specialty"
    assert matchable("spe\u200bcial\u202ety") == "specialty"
    assert clean("a\x00b\x1bc") == "abc"
    assert matchable("What\u2019s  the   NUMBER?") == "whats the number"


@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ANY_TEXT)
@example("is " + "1-" * 900 + " legit?")
@example("check " + "a." * 900 + "com")
@example("member id " + "A1" * 1000)
def test_full_pipeline_never_raises(engine: Engine, text: str) -> None:
    """Identifier guard, verification and resolution together, on anything at all."""
    import asyncio

    reply = asyncio.run(engine.handle(Query(text)))
    assert reply.title
