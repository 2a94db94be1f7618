"""The one-minute memo of topic answers: reused within a minute, rebuilt after it, and keyed on
nothing a person typed."""

from __future__ import annotations

import datetime as dt

from bot.answer.memo import MinuteMemo
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Platform, Query, Reply, ReplyKind
from tests.conftest import FIXED_NOW


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> dt.datetime:
        return self.now


async def test_same_topic_same_minute_is_one_reply(kb: Knowledge) -> None:
    clock = Clock()
    engine = Engine(kb, clock)
    first = await engine.handle(Query("specialty", Platform.SLACK))
    clock.now += dt.timedelta(seconds=59)
    again = await engine.handle(Query("specialty pharmacy phone", Platform.DISCORD))
    assert again is first


async def test_a_new_minute_rebuilds_the_hours(kb: Knowledge) -> None:
    clock = Clock()
    engine = Engine(kb, clock)
    before = await engine.handle(Query("hours"))
    clock.now += dt.timedelta(minutes=1)
    after = await engine.handle(Query("hours"))
    assert after is not before
    assert before.lead.startswith("It's Tue 3 p.m. in Chicago")
    assert after.lead.startswith("It's Tue 3:01 p.m. in Chicago")


async def test_locale_and_zone_get_their_own_replies(kb: Knowledge) -> None:
    engine = Engine(kb, Clock())
    plain = await engine.handle(Query("hours"))
    german = await engine.handle(Query("hours", locale="de"))
    tokyo = await engine.handle(Query("hours", timezone="Asia/Tokyo"))
    assert len({id(plain), id(german), id(tokyo)}) == 3
    assert "15:00" in german.lead and "for you" in tokyo.lead


async def test_pasted_identifiers_never_reach_the_memo(kb: Knowledge) -> None:
    engine = Engine(kb, Clock())
    reply = await engine.handle(Query("specialty 123-45-6789"))
    assert reply.kind is ReplyKind.ANSWER
    memo = engine._plans[None].memo
    assert all("123" not in repr(key) for key in memo._replies)
    assert "123-45-6789" not in repr(reply)


def test_memo_starts_over_when_full() -> None:
    memo = MinuteMemo(max_entries=2)
    reply = Reply(ReplyKind.ANSWER, "t", "s")
    built: list[str] = []

    def build(key: str) -> Reply:
        built.append(key)
        return reply

    for key in ("a", "b", "c", "a"):
        memo.get(key, FIXED_NOW, lambda k=key: build(k))
    assert built == ["a", "b", "c", "a"]
    assert len(memo._replies) == 2


async def test_memo_zero_builds_every_answer(kb: Knowledge) -> None:
    engine = Engine(kb, Clock(), memo_size=0)
    first = await engine.handle(Query("specialty"))
    again = await engine.handle(Query("specialty"))
    assert again is not first and again == first


async def test_topic_list_and_misses_are_memoised_without_their_text(kb: Knowledge) -> None:
    engine = Engine(kb, Clock())
    assert await engine.handle(Query("")) is await engine.handle(Query("   "))
    miss = await engine.handle(Query("qwertyuiop zxcvbnm"))
    assert miss.kind is ReplyKind.NOT_FOUND
    assert await engine.handle(Query("asdfghjkl poiuytre")) is miss
    keys = repr(list(engine._plans[None].memo._replies))
    assert "qwerty" not in keys and "asdf" not in keys
