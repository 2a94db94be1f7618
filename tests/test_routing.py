"""Sensitive questions go to a person; unverified facts can be hidden by the operator."""

from __future__ import annotations

import pytest

from adapters.console import render_text
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query, Trust, View, Visibility
from tests.conftest import FIXED_NOW, Ask


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("my claim was denied, can I appeal?", "appeals"),
        ("is it safe to take my meds while pregnant", "clinical-question"),
        ("I need a reasonable accommodation", "accommodations"),
    ],
)
async def test_sensitive_questions_are_routed_privately(ask: Ask, text: str, topic: str) -> None:
    reply = await ask(text)
    assert reply.topic_id == topic
    assert reply.visibility is Visibility.PRIVATE
    person = reply.contacts[0]
    assert person.label == "Who can help" and "HR" in person.value


async def test_routed_topics_name_the_plans_hr_contact(planned_kb: Knowledge) -> None:
    engine = Engine(planned_kb, clock=lambda: FIXED_NOW)
    reply = await engine.handle(Query("appeal a denial"))
    person = reply.contacts[0]
    assert person.value.startswith("Example: the Benefits team")
    assert person.badge.trust is Trust.PLAN_VERIFIED


async def test_clinical_questions_are_not_answered(ask: Ask) -> None:
    text = render_text(await ask("what dose of ibuprofen should I take"))
    assert "pharmacist" in text and "ibuprofen" not in text


async def test_operator_can_hide_unverified_facts(kb: Knowledge) -> None:
    engine = Engine(kb, clock=lambda: FIXED_NOW, hide_unverified=True)
    reply = await engine.handle(Query("mail and fax", view=View.FULL))
    assert reply.topic_id == "mail-and-fax"
    assert [c.badge.trust for c in reply.contacts] == [Trust.SAFE_ADVICE, Trust.SAFE_ADVICE]
    shown = Engine(kb, clock=lambda: FIXED_NOW)  # without the setting, the same topic shows them
    assert "52058" in render_text(await shown.handle(Query("mail and fax", view=View.FULL)))
    assert "52058" not in render_text(reply)  # the article's PO box
    specialty = await engine.handle(Query("specialty"))
    assert any(c.value == "1-800-237-2767" for c in specialty.contacts)  # official stays
    hours = await engine.handle(Query("hours", view=View.FULL))
    assert all(row.badge.trust is not Trust.UNVERIFIED for row in hours.hours)
