"""The trust policy: what the fact check (knowledge/FACT-CHECK.md) found wrong is never shown,
and every fact says how far it can be trusted."""

from __future__ import annotations

import pytest

from adapters.console import render_json, render_text
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query, Reply, ReplyKind, Trust, View, Visibility
from bot.safety.audit import audit
from bot.safety.trust import select
from tests.conftest import FIXED_NOW, Ask

# values the fact check found contradicted, near-miss, superseded or on a look-alike domain
WITHHELD = ("cvthealth", "673-4828", "6734828", "237-2765", "2372765", "711-4041", "7114041")


def _renders(reply: Reply) -> list[str]:
    return [render_text(reply), render_json(reply), repr(reply)]


async def test_no_topic_ever_renders_a_withheld_value(kb: Knowledge, ask: Ask) -> None:
    replies = [
        await ask(t.id, view=v, language=lang)
        for t in kb.topics
        for v in View
        for lang in ("en", "es")  # a translation never brings back a withheld value
    ]
    replies += [await ask(""), await ask("zzqx"), await ask("help", view=View.FULL)]
    for reply in replies:
        for output in _renders(reply):
            for value in WITHHELD:
                assert value not in output, (reply.topic_id, value)


async def test_withheld_values_stay_hidden_with_a_plan(planned_kb: Knowledge) -> None:
    engine = Engine(planned_kb, clock=lambda: FIXED_NOW)
    for topic in planned_kb.topics:
        for view in View:
            reply = await engine.handle(Query(topic.id, view=view))
            for output in _renders(reply):
                assert not any(value in output for value in WITHHELD), topic.id


async def test_specialty_gives_the_official_number_with_its_source(ask: Ask) -> None:
    first = await ask("specialty")
    assert [c.value for c in first.contacts if c.kind == "phone"] == ["1-800-237-2767"]
    reply = await ask("specialty", view=View.FULL)
    phone = next(c for c in reply.contacts if c.kind == "phone")
    assert phone.value == "1-800-237-2767"
    assert phone.badge.trust is Trust.OFFICIAL
    assert "cvsspecialty.com" in phone.badge.text
    assert any(s.url == "https://www.cvsspecialty.com" for s in reply.sources)
    assert any("CVS Specialty FAQ gives a different one" in w for w in reply.warnings)


async def test_main_number_falls_back_to_the_id_card(ask: Ask) -> None:
    reply = await ask("customer care", view=View.FULL)
    row = next(c for c in reply.contacts if c.kind == "phone")
    assert row.badge.trust is Trust.SAFE_ADVICE
    assert "member ID card" in row.value
    assert any("one digit off" in w for w in reply.warnings)


async def test_tty_shows_the_relay_not_the_article_number(ask: Ask) -> None:
    reply = await ask("tty")
    row = next(c for c in reply.contacts if c.kind == "tty")
    assert (row.value, row.badge.trust) == ("711", Trust.OFFICIAL)


async def test_international_email_warns_and_shows_no_address(ask: Ask) -> None:
    reply = await ask("what's the email for international support", view=View.FULL)
    assert reply.topic_id == "global-email"
    assert any("look-alike" in w for w in reply.warnings)
    assert all("@" not in c.value for c in reply.contacts)
    assert all(c.badge.trust is Trust.SAFE_ADVICE for c in reply.contacts if c.kind == "email")


async def test_unverified_facts_say_so(ask: Ask) -> None:
    reply = await ask("mail and fax", view=View.FULL)
    address = next(c for c in reply.contacts if c.kind == "address")
    assert address.badge.trust is Trust.UNVERIFIED
    assert "member ID card" in address.badge.text
    assert address.note and "differ by plan" in address.note


async def test_other_plans_pages_are_corroboration_not_official(ask: Ask) -> None:
    reply = await ask("delivery time", view=View.FULL)
    standard = next(d for d in reply.details if d.label == "Standard delivery")
    assert standard.badge.trust is Trust.CORROBORATED
    assert "yours may differ" in standard.badge.text


async def test_misleading_claim_is_outranked(ask: Ask) -> None:
    reply = await ask("fees", view=View.FULL)
    (row,) = reply.details
    assert "copay" in row.value and row.badge.trust is Trust.CORROBORATED


async def test_plan_overlay_wins_and_shows_who_verified_it(planned_kb: Knowledge) -> None:
    engine = Engine(planned_kb, clock=lambda: FIXED_NOW)
    reply = await engine.handle(Query("customer care"))
    phone = next(c for c in reply.contacts if c.kind == "phone")
    assert phone.value == "1-844-443-4279"
    assert phone.badge.trust is Trust.PLAN_VERIFIED
    assert "caremark-bot maintainers" in phone.badge.text and "2026-11-24" in phone.badge.text
    assert reply.plan == "Example plan: GEHA members"
    mail = await engine.handle(Query("mail and fax", view=View.FULL))
    address = next(c for c in mail.contacts if c.kind == "address")
    assert "Palatine" in address.value and address.badge.trust is Trust.PLAN_VERIFIED


def test_plan_facts_replace_weaker_facts_in_their_slot(planned_kb: Knowledge) -> None:
    selection = select("mail.address", planned_kb, audit(planned_kb))
    assert [a.trust for a in selection.shown] == [Trust.PLAN_VERIFIED]


async def test_engine_picks_the_plan_by_query(kb: Knowledge, planned_kb: Knowledge) -> None:
    engine = Engine({None: kb, "example-geha": planned_kb}, clock=lambda: FIXED_NOW)
    default = await engine.handle(Query("customer care"))
    planned = await engine.handle(Query("customer care", plan="example-geha"))
    unknown = await engine.handle(Query("customer care", plan="no-such-plan"))
    assert default.plan is None and unknown.plan is None
    assert planned.plan == "Example plan: GEHA members"


def test_engine_needs_a_default_knowledge_base(kb: Knowledge) -> None:
    with pytest.raises(ValueError, match="default"):
        Engine({"only-a-plan": kb})


async def test_every_shown_fact_has_a_badge_and_the_answer_has_sources(
    kb: Knowledge, ask: Ask
) -> None:
    for topic in kb.topics:
        for view in View:
            reply = await ask(topic.id, view=view)
            rows = [*reply.contacts, *reply.details, *reply.hours, *reply.links]
            assert all(row.badge.text for row in rows), topic.id
        if reply.kind is not ReplyKind.DIRECTORY and not topic.weak:
            assert reply.sources, topic.id  # the full answer names every source
            assert reply.reviewed is not None, topic.id


async def test_answers_may_be_shared_but_misses_stay_private(ask: Ask) -> None:
    assert (await ask("specialty")).visibility is Visibility.SHAREABLE
    assert (await ask("zzqx")).visibility is Visibility.PRIVATE
    assert (await ask("phone")).visibility is Visibility.PRIVATE  # "did you mean"


async def test_reply_is_immutable(ask: Ask) -> None:
    reply = await ask("specialty")
    with pytest.raises(AttributeError):
        reply.title = "changed"  # type: ignore[misc]
