"""The development set: realistic messages, scored per class, and first messages that fit a
phone screen. `python -m tests.devset.evaluate --wrong` lists what goes wrong."""

from __future__ import annotations

import asyncio
import statistics

import pytest

from bot.core import Engine
from bot.gate import load
from tests.conftest import FIXED_NOW
from tests.devset import evaluate, lengths

SETS = {"en": evaluate.MESSAGES, "es": evaluate.SPANISH}
ACCURACY = {"en": 0.87, "es": 0.75}
"""Reached on each set (the aim is 0.95); the floor keeps any change from losing ground."""
CLASS_FLOOR = {"en": 0.65, "es": 0.5}
"""No class may lag far behind the whole: each must reach this on its own."""
SIZE = {"en": 250, "es": 100}
MEDIAN, P90 = 600, 1000
"""Visible characters of a first message, on Slack and on Discord alike."""


@pytest.fixture(scope="module")
def devset_engine() -> Engine:
    return Engine(load(), clock=lambda: FIXED_NOW)


@pytest.fixture(scope="module", params=sorted(SETS))
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def outcomes(devset_engine: Engine, language: str) -> list[evaluate.Outcome]:
    return asyncio.run(evaluate.run(devset_engine, evaluate.load(SETS[language])))


def test_the_set_is_big_and_varied(language: str) -> None:
    items = evaluate.load(SETS[language])
    assert len(items) >= SIZE[language]
    assert len({item["class"] for item in items}) >= 10


def test_nothing_unsafe(outcomes: list[evaluate.Outcome]) -> None:
    assert [(o.text, o.unsafe) for o in outcomes if o.unsafe] == []


def test_accuracy(outcomes: list[evaluate.Outcome], language: str) -> None:
    report = evaluate.report(outcomes)
    wrong = [(o.kind, o.text, o.got) for o in outcomes if not o.right]
    assert report["accuracy"] >= ACCURACY[language], wrong
    floor = CLASS_FLOOR[language]
    low = {k: v["accuracy"] for k, v in report["classes"].items() if v["accuracy"] < floor}
    assert low == {}, wrong


@pytest.mark.parametrize("platform", ["slack", "discord"])
def test_first_messages_fit_a_phone_screen(
    devset_engine: Engine, language: str, platform: str
) -> None:
    items = evaluate.load(SETS[language])
    sizes = asyncio.run(lengths.measure(devset_engine, items))[platform]["all"]
    assert statistics.median(sizes) <= MEDIAN
    assert lengths.percentile(sizes, 0.9) <= P90
