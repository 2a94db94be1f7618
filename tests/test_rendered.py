"""Rendered bodies are reused for the same Reply object and variant, and only for those."""

from __future__ import annotations

import json
from typing import Any

from adapters.rendered import Rendered
from bot.reply import Reply, ReplyKind


def reply(title: str = "t") -> Reply:
    return Reply(ReplyKind.ANSWER, title, "s")


def counting() -> tuple[list[int], Any]:
    calls: list[int] = []

    def render() -> dict[str, Any]:
        calls.append(1)
        return {"text": "é <b>", "n": len(calls)}

    return calls, render


def test_same_reply_same_variant_renders_once() -> None:
    rendered, answer = Rendered(), reply()
    calls, render = counting()
    first = rendered.body(answer, "new", render)
    assert rendered.body(answer, "new", render) is first
    assert len(calls) == 1
    assert json.loads(first) == {"text": "é <b>", "n": 1}


def test_equal_but_distinct_replies_and_variants_render_again() -> None:
    rendered, answer = Rendered(), reply()
    calls, render = counting()
    rendered.body(answer, "new", render)
    rendered.body(answer, "shared", render)
    rendered.body(reply(), "new", render)  # equal, but another object
    assert len(calls) == 3


def test_oldest_entry_goes_first() -> None:
    rendered = Rendered(max_entries=2)
    calls, render = counting()
    a, b, c = reply("a"), reply("b"), reply("c")
    for item in (a, b, c, c, b, a):
        rendered.body(item, "new", render)
    assert len(calls) == 4  # a was evicted by c; b and c were kept
