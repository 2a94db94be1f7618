"""Answers in Spanish: the same topics, the same values and trust, in the person's language."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from adapters.console import render_text
from adapters.settings import ConfigError, language
from bot.answer.language import choose, written_in
from bot.core import Engine
from bot.gate import load
from bot.i18n import LANGUAGES, words
from bot.kb.knowledge import Knowledge, KnowledgeError
from bot.reply import Query, ReplyKind, View
from tests.conftest import FIXED_NOW, KB_DIR, Ask

SPANISH_FILE = KB_DIR / "translations" / "es.yaml"


def test_every_catalogue_says_the_same_things() -> None:
    en = words("en")
    for lang in LANGUAGES:
        said = words(lang)
        assert said.keys() == en.keys(), lang
        for key in sorted(en.keys()):
            assert said.fields(key) == en.fields(key), (lang, key)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("¿cuál es el número de la farmacia de especialidad?", "specialty"),
        ("a que hora abren", "hours"),
        ("mi paquete nunca llegó", "lost-or-damaged"),
        ("necesito hablar con un farmacéutico", "pharmacist"),
        ("soy sordo, cómo llamo", "tty"),
        ("¿dónde mando mi receta por correo?", "mail-and-fax"),
        ("hola", "greeting"),
        ("muchas gracias", "thanks"),
    ],
)
async def test_spanish_questions_find_the_same_topics(ask: Ask, question: str, topic: str) -> None:
    reply = await ask(question)
    assert reply.topic_id == topic
    assert reply.language == "es"


async def test_accents_are_optional(ask: Ask) -> None:
    with_accents = await ask("¿Cuál es el número de teléfono de la farmacia de especialidad?")
    without = await ask("cual es el numero de telefono de la farmacia de especialidad")
    assert with_accents.topic_id == without.topic_id == "specialty"


async def test_the_answer_is_in_spanish_prose_from_the_translation(ask: Ask) -> None:
    spanish = yaml.safe_load(SPANISH_FILE.read_text(encoding="utf-8"))
    reply = await ask("farmacia de especialidad")
    assert reply.title == spanish["topics"]["specialty"]["title"]
    assert "1-800-237-2767" in render_text(reply)


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("specialty en español", "es"),
        ("in spanish", "es"),
        ("en qué horario abren la farmacia", "es"),
        ("hours in english please", "en"),
        ("can my mom talk to someone in spanish", "en"),  # a question about Spanish service
        ("specialty", "en"),
    ],
)
def test_the_language_is_chosen_from_what_was_written(text: str, chosen: str) -> None:
    assert choose(text, None, None)[0] == chosen


def test_the_locale_decides_when_the_words_dont() -> None:
    assert written_in("1-800-237-2767") is None
    assert choose("specialty", None, "es-419")[0] == "es"
    assert choose("specialty", None, "es-LA")[0] == "es"
    assert choose("¿cuál es el horario?", None, "en-US")[0] == "es"
    assert choose("specialty", "es", "en-US")[0] == "es"  # a language button wins


async def test_a_spanish_answer_never_shows_what_the_english_one_withholds(
    kb: Knowledge, ask: Ask
) -> None:
    values = re.compile(r"\+?\d[\d\s().-]{6,}\d|[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+")
    for topic in kb.topics:
        english = render_text(await ask(topic.id, view=View.FULL, language="en"))
        spanish = render_text(await ask(topic.id, view=View.FULL, language="es"))
        assert set(values.findall(spanish)) <= set(values.findall(english)), topic.id


async def test_verify_works_on_spanish_text(ask: Ask) -> None:
    reply = await ask("me llamaron del 1-800-237-2765, ¿es real?")
    assert reply.kind is ReplyKind.VERIFY and reply.language == "es"
    assert words("es")("verify.scam") in reply.lead
    assert "237-2765" not in render_text(reply)


async def test_identifiers_in_spanish_are_never_echoed(ask: Ask) -> None:
    reply = await ask("mi número de seguro social es 123-45-6789, ¿dónde está mi pedido?")
    shown = render_text(reply)
    assert reply.language == "es" and reply.kind is not ReplyKind.NOT_FOUND
    assert "6789" not in shown and "123-45" not in shown
    assert reply.topic_id == "order-status"


def test_the_deployment_default_language() -> None:
    assert language({}) == "en"
    assert language({"CAREMARK_LANGUAGE": "ES"}) == "es"
    with pytest.raises(ConfigError, match="CAREMARK_LANGUAGE"):
        language({"CAREMARK_LANGUAGE": "fr"})


async def test_a_spanish_default_answers_unmarked_questions_in_spanish(kb: Knowledge) -> None:
    engine = Engine(kb, clock=lambda: FIXED_NOW, default_language="es")
    assert (await engine.handle(Query("specialty"))).language == "es"
    assert (await engine.handle(Query("what are the hours"))).language == "en"


def _with_spanish(tmp_path: Path, edit: dict[str, object]) -> Path:
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(KB_DIR, kb_dir)
    target = kb_dir / "translations" / "es.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    for path, value in edit.items():
        *parents, last = path.split("/")
        node = data
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return kb_dir


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"topics/specialty": None}, "topic 'specialty' is not translated"),
        ({"topics/specialty/summary": "Llame al 1-800-237-2768."}, "number"),
        ({"topics/hours/summary": "Escriba a ayuda@caremark.com"}, "e-mail"),
        ({"topics/hours/lead": "Vea https://caremark.com"}, "URL"),
        ({"topics/no-such-topic": {"title": "x", "summary": "y"}}, "no topic 'no-such-topic'"),
        ({"slots/no.such-slot": {"label": "x"}}, "no slot 'no.such-slot'"),
    ],
)
def test_kb_check_refuses_a_bad_translation(
    tmp_path: Path, edit: dict[str, object], problem: str
) -> None:
    with pytest.raises(KnowledgeError) as refused:
        load(_with_spanish(tmp_path, edit))
    assert problem in str(refused.value)
    assert "es.yaml" in str(refused.value)


def test_kb_check_refuses_a_statement_with_other_numbers(tmp_path: Path) -> None:
    spanish = yaml.safe_load(SPANISH_FILE.read_text(encoding="utf-8"))
    fact_id, fact = next((k, v) for k, v in spanish["facts"].items() if v.get("value"))
    changed = re.sub(r"\d+", "99", fact["value"], count=1)
    if changed == fact["value"]:
        changed = fact["value"] + " en 99 días"
    with pytest.raises(KnowledgeError, match="exactly the original's numbers"):
        load(_with_spanish(tmp_path, {f"facts/{fact_id}/value": changed}))


def test_the_knowledge_base_is_translated_completely() -> None:
    load()  # the completeness and prose rules run on every load; this one must pass
    assert SPANISH_FILE.is_file()


async def test_discord_answers_in_the_interaction_locale(kb: Knowledge, engine: Engine) -> None:
    from tests.test_discord_http import client_for, command, post

    client = await client_for(engine)
    try:
        _, answer = await post(client, command("specialty", "es-419"))
    finally:
        await client.close()
    spanish = yaml.safe_load(SPANISH_FILE.read_text(encoding="utf-8"))
    data = answer["data"]
    assert data["embeds"][0]["title"].endswith(spanish["topics"]["specialty"]["title"])
    buttons = [b["custom_id"] for row in data["components"] for b in row["components"]]
    assert all(b.endswith(("@es", "@en")) for b in buttons)
    assert "caremark:lang:specialty@en" in buttons  # the way back to English


async def test_slack_learns_each_persons_locale_without_waiting(engine: Engine) -> None:
    from tests.slack_fakes import command_body, start_fake_slack
    from tests.test_slack_http import client_for, post

    fake = await start_fake_slack()
    fake.locales["U0TEST"] = "es-LA"
    client = await client_for(engine, fake)
    try:
        first = await (await post(client, command_body("specialty"))).json()
        for _ in range(100):  # the look-up runs after the first answer went out
            second = await (await post(client, command_body("specialty"))).json()
            if '"scam-warning@es"' in json.dumps(second):
                break
            await asyncio.sleep(0.02)
    finally:
        await client.close()
        await fake.server.close()
    assert fake.lookups == ["U0TEST"]
    assert '"scam-warning@en"' in json.dumps(first)  # answered at once, without waiting
    assert '"scam-warning@es"' in json.dumps(second)  # then in the person's language
    assert '"specialty@en"' in json.dumps(second)  # with the way back to English


async def test_an_identifier_alone_is_answered_in_the_words_around_it(ask: Ask) -> None:
    reply = await ask("mi número de seguro social: 123-45-6789")
    assert reply.language == "es" and "6789" not in render_text(reply)


@pytest.mark.parametrize(
    "text",
    [
        "me marcaron del 800 237 2765, ¿les regreso la llamada?",
        "mi tía dice que llame al 1-800-237-2765, ¿es cierto?",
    ],
)
async def test_spanish_ways_of_asking_about_a_number(ask: Ask, text: str) -> None:
    reply = await ask(text)
    assert reply.kind is ReplyKind.VERIFY and words("es")("verify.scam") in reply.lead
