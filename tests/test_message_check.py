"""The message check behind Slack's shortcut and Discord's context menu (and `/caremark`):
a generated corpus of look-alikes of every trusted domain and number caught, every trusted
value left alone, the sharper verdicts, and nothing suspicious ever repeated."""

from __future__ import annotations

import pytest

from adapters.console import render_text
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Platform, Query
from bot.safety import domains, phones
from bot.safety.verify import Check, Verdict, verify
from tests.lookalikes import domain_variants, number_variants

CORPUS_SIZE = 500
CAUGHT = 0.99


def trusted_domains(kb: Knowledge) -> list[str]:
    own = (*kb.settings.allowed_domains, *(kb.plan.allowed_domains if kb.plan else ()))
    return list(dict.fromkeys((*domains.OFFICIAL_DOMAINS, *own)))


def trusted_numbers(engine: Engine) -> list[str]:
    """The official and plan-verified numbers (ten digits)."""
    from bot.safety.verify import _trusted

    return sorted({n.national for n, _ in _trusted(engine.knowledge, engine.findings)})


def known_numbers(kb: Knowledge) -> set[str]:
    """Every number the knowledge base holds, trusted or not: not look-alikes to generate."""
    parsed = (phones.parse(getattr(r.fact, "value", "")) for rs in kb.facts.values() for r in rs)
    return {n.national for n in parsed if n}


def check(engine: Engine, text: str) -> list[Check]:
    return verify(text, engine.knowledge, engine.findings, message=True)


@pytest.fixture
def planned(planned_kb: Knowledge) -> Engine:
    return Engine(planned_kb)


def test_the_corpus_of_look_alike_domains_is_caught(planned: Engine) -> None:
    for domain in trusted_domains(planned.knowledge):
        variants = domain_variants(domain)
        assert len(variants) >= CORPUS_SIZE, domain
        missed = [v for v in variants if [c.verdict for c in check(planned, v)] != [Verdict.SCAM]]
        assert 1 - len(missed) / len(variants) >= CAUGHT, (domain, missed[:10])


def test_the_corpus_of_near_miss_numbers_is_caught(planned: Engine) -> None:
    known = known_numbers(planned.knowledge)
    for national in trusted_numbers(planned):
        variants = [
            v
            for v in number_variants(national, CORPUS_SIZE + 60)
            if "".join(ch for ch in v if ch.isdigit()).removeprefix("1")[-10:] not in known
        ]
        assert len(variants) >= CORPUS_SIZE, national
        missed = [
            v for v in variants if check(planned, f"call {v} today")[0].verdict != Verdict.SCAM
        ]
        assert 1 - len(missed) / len(variants) >= CAUGHT, (national, missed[:10])


def test_no_official_or_plan_verified_value_is_flagged(planned: Engine) -> None:
    for domain in trusted_domains(planned.knowledge):
        for shape in (
            "{}",
            "https://www.{}/",
            "https://{}/login?x=1",
            "help@{}",
            "<https://www.{0}|{0}>",
        ):
            verdicts = {c.verdict for c in check(planned, shape.format(domain))}
            assert verdicts <= {Verdict.OFFICIAL, Verdict.PLAN_VERIFIED}, (shape, domain)
    for national in trusted_numbers(planned):
        a, b, c = national[:3], national[3:6], national[6:]
        for shape in (f"{a}-{b}-{c}", f"1 ({a}) {b}-{c}", f"+1{national}", f"{a}.{b}.{c}"):
            verdicts = {v.verdict for v in check(planned, f"is {shape} real")}
            assert verdicts <= {Verdict.OFFICIAL, Verdict.PLAN_VERIFIED}, shape


@pytest.mark.parametrize(
    "name", ["caremark-support.com", "cvs-caremark-help.net", "caremark.help", "mycaremark.co"]
)
def test_brand_in_name_domains_are_suspicious_not_unknown(planned: Engine, name: str) -> None:
    assert [c.verdict for c in check(planned, f"log in at {name} to keep your benefits")] == [
        Verdict.SCAM
    ]


def test_a_number_that_cannot_be_dialled_but_is_near_a_trusted_one(planned: Engine) -> None:
    (found,) = check(planned, "Urgent: call CVS Specialty at 1-800-237-276 now")
    assert found.verdict is Verdict.SCAM and found.resembles is not None
    reply = planned.check_message(Query("call 800-237-27677", Platform.SLACK))
    assert "can't be dialled as written" in reply.lead and "one digit off" in reply.lead
    assert "27677" not in render_text(reply)


def test_a_fake_tty_number_points_to_the_711_relay(planned: Engine) -> None:
    reply = planned.check_message(
        Query("Deaf members: TTY 1-866-555-0142 for help", Platform.SLACK)
    )
    assert "dial 711" in reply.lead
    assert "0142" not in render_text(reply)


def test_shortened_links_cannot_be_told(planned: Engine) -> None:
    (found,) = check(planned, "Your refill is on hold: https://bit.ly/3xYzAbc")
    assert found.verdict is Verdict.CANT_TELL
    reply = planned.check_message(Query("see bit.ly/3xYzAbc", Platform.SLACK))
    assert "shortened link" in reply.lead and "member ID card" in reply.lead
    assert "3xYzAbc" not in render_text(reply) and "bit.ly" not in render_text(reply)


@pytest.mark.parametrize(
    "text",
    [
        "CVS Caremark: reply with your member ID to keep your coverage",
        "This is Caremark. Please confirm your Social Security number to release your order.",
        "CVS pharmacy benefits: text back the 6-digit verification code we sent",
        "Caremark: su receta está detenida. Responda con su número de Seguro Social.",
    ],
)
def test_a_message_fishing_for_identifiers_is_a_scam_with_no_contact(
    planned: Engine, text: str
) -> None:
    assert [(c.kind, c.verdict) for c in check(planned, text)] == [("message", Verdict.SCAM)]


def test_an_ordinary_message_has_nothing_to_check(planned: Engine) -> None:
    reply = planned.check_message(Query("Lunch at noon? The usual place.", Platform.SLACK))
    assert "didn't find a phone number" in reply.lead


def test_verdicts_name_each_thing_by_its_place_never_its_value(planned: Engine) -> None:
    text = (
        "Hi! CVS here. Call 1-800-237-2765 or 1-800-237-2767, or write to help@cvthealth.com, "
        "then log in at https://caremark.com.secure-login.info/verify and www.caremark.com."
    )
    reply = planned.check_message(Query(text, Platform.SLACK, locale="en-US"))
    lead = reply.lead
    assert "The first number in the message looks like a scam" in lead
    assert "The second number in the message is official" in lead
    assert "The e-mail address in the message looks like a scam" in lead
    assert "The first link in the message looks like a scam" in lead
    assert "The second link in the message is official" in lead
    shown = render_text(reply)
    for value in ("2765", "cvthealth", "secure-login", "verify"):
        assert value not in shown
    spanish = planned.check_message(Query(text, Platform.SLACK, locale="es-MX"))
    assert "El primer número del mensaje parece una estafa" in spanish.lead
    assert "La dirección de correo del mensaje" in spanish.lead


def test_a_number_at_the_end_of_a_long_message_is_found(planned: Engine) -> None:
    text = "Please read. " * 290 + "Call 1-800-237-2765."
    assert len(text) > 3700
    assert [c.verdict for c in check(planned, text)] == [Verdict.SCAM]
