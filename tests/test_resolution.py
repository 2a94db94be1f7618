"""Every topic is found by its id and by the way employees actually ask."""

from __future__ import annotations

import pytest

from bot.answer.resolve import How, Resolver
from bot.kb.knowledge import Knowledge
from bot.reply import ReplyKind, View
from tests.conftest import Ask

PHRASINGS: dict[str, list[str]] = {
    "customer-care": ["customer service phone number", "how do I talk to a representative"],
    "phone-menu": ["what do I press to get a person", "phone menu options"],
    "hours": ["when are they open", "are they open on sunday", "what are the hours"],
    "best-time-to-call": ["when is the best time to call", "how do I avoid a long wait on hold"],
    "before-you-call": ["what do I need before I call", "what information should I have ready"],
    "specialty": ["specialty pharmacy number", "who do I call about my injectable biologic"],
    "medicare": ["I'm on medicare part d", "help for seniors on medicare"],
    "tty": ["I'm deaf, how do I call", "tty number"],
    "pharmacist": ["can I talk to a pharmacist", "speak to an actual pharmacist"],
    "appeals": ["my prior authorization was denied", "how do I appeal a coverage decision"],
    "clinical-question": ["can I take ibuprofen with my medication", "what are the side effects"],
    "accommodations": ["I need my plan documents in large print", "disability accommodation"],
    "live-chat": ["can I chat with someone online", "live chat hours"],
    "member-portal": ["set up a caremark.com account", "where do I download my EOB"],
    "mobile-app": ["is there an app", "cvs app for my iphone"],
    "mail-and-fax": ["where do I mail my prescription", "what's the fax number"],
    "in-person": ["can I get help at a cvs store", "walk in at my local cvs"],
    "worldwide": ["I live abroad, who do I contact", "international support"],
    "canada": ["calling from canada", "I'm in Toronto"],
    "uk-europe": ["calling from the UK", "I live in Germany"],
    "australia-nz": ["I'm in australia", "calling from new zealand"],
    "asia": ["I'm working in japan", "calling from singapore"],
    "latin-america": ["I'm in mexico", "I need a Spanish-speaking representative"],
    "global-email": ["what's the email for international support", "can I email them"],
    "international": ["can they ship my meds overseas", "I need a travel supply for vacation"],
    "global-access": ["digital access for expats", "I'm an international student on a J-1 visa"],
    "about": ["what is caremark", "what is a pharmacy benefit manager"],
    "industries": ["who does caremark serve", "what industries does caremark work with"],
    "achievements": ["caremark awards", "what has caremark achieved"],
    "scam-warning": ["is this a scam", "I got a suspicious text from caremark"],
    "help": ["help", "what can you do"],
    "official-number": [
        "what is the official caremark number",
        "what number do I call for caremark",
    ],
    "caremark-vs-cvs": ["is caremark the same as cvs", "is caremark part of cvs health"],
    "po-box": ["can I use a PO box", "can they deliver to my P.O. box"],
    "delivery-time": ["how long does shipping take", "how many business days for delivery"],
    "lost-or-damaged": ["my package never arrived", "my medication arrived damaged"],
    "switch-to-mail-order": ["can I switch from retail to mail order", "sign up for mail order"],
    "fees": ["are there any fees for mail order", "how much does mail order cost"],
    "update-address": ["how do I update my address", "I moved, how do I change my address"],
    "refills": ["I need to call about a refill", "how do I refill my prescription"],
    "login-help": ["how do I log in to caremark.com", "I forgot my password"],
    "other-pbm": ["how do I reach express scripts", "my plan uses optumrx"],
    "medical-plan": ["I need a nurse line", "is minuteclinic covered"],
    "hr-matters": ["when is open enrollment", "how do I add my newborn to my benefits"],
    "coverage-and-cost": ["is my drug covered", "how much will my medication cost"],
    "billing": ["I was charged twice", "how do I pay my bill"],
    "account-security": ["someone hacked my caremark account", "orders I didn't place"],
    "order-status": ["where is my order", "has my order shipped yet"],
    "complaint": ["I want to file a complaint", "let me talk to a supervisor"],
    "medication-problem": [
        "my insulin was left out in the heat",
        "the pills look different this time",
    ],
    "greeting": ["hi there", "good morning"],
    "thanks": ["thank you so much", "thanks, bye"],
    "off-topic": ["what's the weather tomorrow", "tell me a joke"],
}

FAQS: dict[int, str] = {
    1: "what's the official customer service number for caremark mail order?",
    2: "is caremark the same thing as cvs?",
    3: "can my prescriptions be delivered to a po box?",
    4: "how long will it take to get my mail order prescription?",
    5: "can I speak to an actual pharmacist instead of a customer service rep?",
    6: "what do I do if my medication is lost or damaged in the mail?",
    7: "does caremark accept medicare?",
    8: "can I switch from my retail pharmacy to mail order?",
    9: "are there any fees for using caremark mail order?",
    10: "how do I update my address or insurance information?",
}

TYPOS: dict[str, str] = {
    "speciality": "specialty",
    "specailty pharmacy": "specialty",
    "mail ordr fees": "fees",
    "medicar": "medicare",
    "pharmacst": "pharmacist",
    "damagd package": "lost-or-damaged",
    "hurs": "hours",
}


def test_every_topic_has_phrasings(kb: Knowledge) -> None:
    assert set(PHRASINGS) == {t.id for t in kb.topics}
    assert all(len(p) >= 2 for p in PHRASINGS.values())


@pytest.mark.parametrize("topic_id", sorted(PHRASINGS))
async def test_topic_by_id(ask: Ask, topic_id: str) -> None:
    assert (await ask(topic_id)).topic_id == topic_id


@pytest.mark.parametrize(
    ("topic_id", "question"), [(t, q) for t, qs in sorted(PHRASINGS.items()) for q in qs]
)
async def test_topic_by_natural_phrasing(ask: Ask, topic_id: str, question: str) -> None:
    assert (await ask(question)).topic_id == topic_id


@pytest.mark.parametrize(("number", "question"), sorted(FAQS.items()))
async def test_every_faq_is_answered(kb: Knowledge, ask: Ask, number: int, question: str) -> None:
    reply = await ask(question)
    answering = {t.id for t in kb.topics if t.faq and t.faq.number == number}
    assert reply.kind is ReplyKind.ANSWER
    assert reply.topic_id in answering


def test_all_ten_faqs_are_in_the_knowledge_base(kb: Knowledge) -> None:
    assert sorted(t.faq.number for t in kb.topics if t.faq) == list(range(1, 11))


@pytest.mark.parametrize(("typo", "topic_id"), sorted(TYPOS.items()))
async def test_typos_resolve(ask: Ask, typo: str, topic_id: str) -> None:
    assert (await ask(typo)).topic_id == topic_id


async def test_slash_command_prefix_is_ignored(ask: Ask) -> None:
    assert (await ask("/caremark specialty")).topic_id == "specialty"


@pytest.mark.parametrize("text", ["", "   ", "/caremark", "\u200b\u202e"])
async def test_nothing_asked_lists_the_topics(kb: Knowledge, ask: Ask, text: str) -> None:
    reply = await ask(text)
    assert reply.kind is ReplyKind.DIRECTORY and reply.more  # a few lines, "Show all topics"
    assert {t.id for t in reply.related} == set(kb.settings.featured)
    full = await ask(text, view=View.FULL)
    listed = {t.id for s in full.sections for t in s.topics}
    assert listed == {t.id for t in kb.topics if not t.weak}


async def test_vague_question_gets_suggestions(ask: Ask) -> None:
    reply = await ask("phone")
    assert reply.kind is ReplyKind.SUGGESTIONS
    assert 1 < len(reply.suggestions) <= 3
    assert "official-number" in {t.id for t in reply.suggestions}
    assert (await ask("delivery")).topic_id == "delivery-time"  # clear enough to answer


async def test_near_title_gets_did_you_mean(ask: Ask) -> None:
    reply = await ask("worldwyde helpline directoryy")
    assert reply.kind in (ReplyKind.SUGGESTIONS, ReplyKind.ANSWER)
    found = {t.id for t in reply.suggestions} | {reply.topic_id}
    assert "worldwide" in found


async def test_unknown_question_still_helps(kb: Knowledge, ask: Ask) -> None:
    reply = await ask("qwxz zzkj")
    assert reply.kind is ReplyKind.NOT_FOUND and reply.more  # "Show all topics"
    assert "member ID card" in reply.lead
    assert {t.id for t in reply.related} == set(kb.settings.featured)


async def test_question_text_is_never_echoed(ask: Ask) -> None:
    secret = "my member id is ZQX123456789 and ssn 123-45-6789"
    reply = await ask(secret)
    flat = repr(reply.to_json())
    assert "ZQX123456789" not in flat and "123-45-6789" not in flat


def test_match_reports_how(kb: Knowledge) -> None:
    resolver = Resolver(kb)
    assert resolver.resolve("").how is How.EMPTY
    assert resolver.resolve("Specialty").how is How.ALIAS
    assert resolver.resolve("who do I call about my injectable biologic").how is How.KEYWORDS
    assert resolver.resolve("qwxz zzkj").how is How.NONE


async def test_a_question_of_common_words_only_is_still_understood(ask: Ask) -> None:
    # Every word here is a stopword; the whole message spells one of help's phrasings.
    assert (await ask("what can you help me with?")).topic_id == "help"


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("someone stole my identity and is using my caremark account", False),
        ("what's the specialty number and is it open on sunday", True),
    ],
)
async def test_and_starts_a_new_question_only_when_one_follows(
    ask: Ask, text: str, split: bool
) -> None:
    assert ((await ask(text)).kind is ReplyKind.MULTI) is split


@pytest.mark.parametrize(
    ("previous", "text", "topic"),
    [
        ("specialty", "in spanish please", "specialty"),
        ("specialty", "how do i do that?", "specialty"),
        ("specialty", "and their hours?", "hours"),
        ("hours", "what about for medicare", "medicare"),
        ("appeals", "y eso cómo se hace?", "appeals"),
    ],
)
async def test_a_follow_up_is_read_with_the_previous_answer_in_mind(
    ask: Ask, previous: str, text: str, topic: str
) -> None:
    assert (await ask(text, follows=previous)).topic_id == topic


async def test_a_question_mark_ends_a_question_whatever_its_first_word(ask: Ask) -> None:
    reply = await ask("saw a strange text about my prescription, is it a scam? and the tty line")
    assert [p.topic_id for p in reply.parts] == ["scam-warning", "tty"]
