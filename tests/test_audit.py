"""The audit finds what the fact check found by hand, and its findings decide what is shown."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.console import render_json, render_text
from adapters.discord_app import render as discord_render
from adapters.slack import render as slack_render
from bot.answer.build import say
from bot.answer.prose import Prose
from bot.core import Engine
from bot.gate import load
from bot.i18n import Phrase, words
from bot.kb.knowledge import Knowledge, KnowledgeError
from bot.reply import Platform, Query
from bot.safety import phones
from bot.safety.audit import audit, summary
from bot.safety.trust import Severity
from tests.conftest import FIXED_NOW, translate_new_items

EXPECTED = {
    ("customer-care-phone-seed", "near-miss"),  # one digit from CVS Specialty's number
    ("specialty-phone-seed", "contradicted"),  # CVS Specialty's site gives another
    ("tty-phone-seed", "contradicted"),  # CVS materials say dial 711
    ("europe-email-seed", "lookalike-domain"),
    ("asia-email-seed", "lookalike-domain"),
    ("latam-email-seed", "lookalike-domain"),
    ("global-email-seed", "lookalike-domain"),
    ("fees.mail-order-2", "contradicted"),  # "no fees": the copay still applies
    ("delivery.express-2", "contradicted"),  # 3-5 days: one plan says next or second day
    ("delivery.po-box-2", "contradicted"),  # PO boxes: one plan wants a street or APO address
}


def withheld(kb: Knowledge) -> set[tuple[str, str]]:
    return {
        (fact, f.rule)
        for fact, found in audit(kb, FIXED_NOW.date()).items()
        for f in found
        if f.withhold
    }


def test_shipped_knowledge_base_findings(kb: Knowledge) -> None:
    assert withheld(kb) == EXPECTED
    found = audit(kb, FIXED_NOW.date())
    assert not any(f.severity is Severity.ERROR for fs in found.values() for f in fs)
    unconfirmed = {
        fact for fact, fs in found.items() if any(f.rule == "unconfirmed-claim" for f in fs)
    }
    assert {"about.fill-accuracy-1", "about.awards-1", "about.austin-1"} <= unconfirmed


def test_notes_never_repeat_what_they_withhold(kb: Knowledge) -> None:
    for fact, found in audit(kb, FIXED_NOW.date()).items():
        for finding in found:
            note = say(Prose(kb, "en"), words(), finding.note) if finding.note else ""
            assert "cvthealth" not in note
            assert "2765" not in note and "4828" not in note, fact


def test_the_specialty_near_miss_reason(kb: Knowledge) -> None:
    (finding,) = audit(kb, FIXED_NOW.date())["customer-care-phone-seed"]
    assert finding.note is not None
    note = say(Prose(kb, "en"), words(), finding.note)
    assert "one digit off the official number for CVS Specialty pharmacy" in note


def test_trust_summary(kb: Knowledge) -> None:
    counts = summary(kb, audit(kb, FIXED_NOW.date()))
    assert counts["withheld"] == len(EXPECTED) and counts["official"] > 0
    assert sum(counts.values()) == sum(len(r) for r in kb.facts.values())


async def test_no_output_on_any_platform_contains_a_withheld_value(kb: Knowledge) -> None:
    engine = Engine(kb, clock=lambda: FIXED_NOW)
    values = {
        r.fact.value
        for records in kb.facts.values()
        for r in records  # type: ignore[union-attr]
        if any(f.withhold for f in engine.findings.get(r.id, ()))
        and r.slot.kind in ("phone", "fax", "tty", "email", "url", "address")
    }
    digits = {
        "".join(c for c in v if c.isdigit())[-7:] for v in values if any(c.isdigit() for c in v)
    }
    needles = {v for v in values if "@" in v} | digits | {"cvthealth"}
    for topic in [*kb.topics, None]:
        text = topic.id if topic else "zzqx"
        for platform in Platform:
            reply = await engine.handle(Query(text, platform))
            outputs = [
                render_text(reply),
                render_json(reply),
                json.dumps(slack_render.message(reply)),
                json.dumps(discord_render.response(reply)),
            ]
            flat = "".join(outputs).replace("-", "").replace(" ", "")
            for needle in needles:
                assert needle not in flat, (text, platform, needle)


def near_misses(number: str) -> list[str]:
    """One- and two-digit substitutions and adjacent swaps of a 10-digit number."""
    digits = number
    found = []
    for i in range(3, 10):
        found.append(digits[:i] + str((int(digits[i]) + 1) % 10) + digits[i + 1 :])
        if i + 1 < 10 and digits[i] != digits[i + 1]:
            found.append(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
        if i + 2 < 10:
            found.append(
                digits[:i]
                + str((int(digits[i]) + 3) % 10)
                + str((int(digits[i + 1]) + 7) % 10)
                + digits[i + 2 :]
            )
    return found


OFFICIAL_NUMBERS = ["8002372767", "8003232445", "8444434279"]
NEAR = sorted(
    {n for official in OFFICIAL_NUMBERS for n in near_misses(official)} - set(OFFICIAL_NUMBERS)
)


def test_near_miss_corpus(kb: Knowledge) -> None:
    trusted = [phones.parse(n) for n in OFFICIAL_NUMBERS]
    valid = [phones.parse(n) for n in NEAR]
    checked = [n for n in valid if n is not None]
    assert len(checked) >= 30
    for number in checked:
        assert phones.nearest(number, [t for t in trusted if t]) is not None, number.e164
    for official in trusted:
        assert official is not None
        assert phones.nearest(official, [t for t in trusted if t]) is None


def add_slot(kb_dir: Path, kind: str, facts: list[str], *, extra: str = "") -> None:
    rows = "\n".join(
        f'      - value: "{v}"\n        sources: [{{source: geha-home-delivery, quote: "a quote"}}]'
        for v in facts
    )
    text = (
        textwrap.dedent(f"""\
        slots:
          - id: extra.contact
            kind: {kind}
            label: Extra{extra}
            facts:
        """)
        + rows
        + textwrap.dedent("""
        topics:
          - id: extra
            title: Extra topic
            category: faq
            summary: Something.
            show: [extra.contact]
            sources: [{source: seed, lines: [1]}]
            reviewed: 2026-11-24
        """)
    )
    (kb_dir / "zz-extra.yaml").write_text(text, encoding="utf-8")
    translate_new_items(kb_dir)


def test_near_misses_in_a_knowledge_base_are_withheld(kb_copy: Path) -> None:
    numbers = [n for n in NEAR if phones.parse(n)][:30]
    add_slot(kb_copy, "phone", numbers)
    found = audit(load(kb_copy), FIXED_NOW.date())
    flagged = {
        fid
        for fid, fs in found.items()
        if fid.startswith("extra.contact") and any(f.rule == "near-miss" and f.withhold for f in fs)
    }
    assert len(flagged) == 30


def test_fictional_numbers_are_withheld(kb_copy: Path) -> None:
    add_slot(kb_copy, "phone", ["+1 212-555-0142"])
    found = audit(load(kb_copy), FIXED_NOW.date())
    assert any(f.rule == "fictional-number" and f.withhold for f in found["extra.contact-1"])


def test_a_toll_free_line_must_be_toll_free(kb_copy: Path) -> None:
    add_slot(kb_copy, "phone", ["+1 312-555-2368"], extra="\n            toll_free: true")
    found = audit(load(kb_copy), FIXED_NOW.date())
    assert any(f.rule == "not-toll-free" for f in found["extra.contact-1"])


def test_a_plan_fact_that_looks_like_a_scam_is_an_error(kb_copy: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        textwrap.dedent("""\
        plan: {id: acme, name: Acme, verified_by: Acme HR, verified_on: 2026-11-01}
        slots:
          - id: global.email
            kind: email
            label: Acme benefits desk
            facts: [{value: benefits@caremarc.com}]
        """),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as refused:
        load(kb_copy, plan)
    (problem,) = refused.value.problems
    assert str(problem).startswith(f"{plan}:6: slots[global.email].facts[0].value: lookalike")
    assert main(["kb", "audit", str(kb_copy), "--plan", str(plan)]) == 1


def test_the_deployment_can_allow_its_own_domain(kb_copy: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        textwrap.dedent("""\
        plan: {id: acme, name: Acme, verified_by: Acme HR, verified_on: 2026-11-01,
               allowed_domains: [acme.example]}
        slots:
          - id: global.email
            kind: email
            label: Acme benefits desk
            facts: [{value: benefits@acme.example}]
        """),
        encoding="utf-8",
    )
    kb = load(kb_copy, plan)
    assert not [
        f for fs in audit(kb, FIXED_NOW.date()).values() for f in fs if f.severity is Severity.ERROR
    ]


def test_staleness(kb: Knowledge) -> None:
    later = dt.date(2026, 11, 24) + dt.timedelta(days=400)
    much_later = dt.date(2026, 11, 24) + dt.timedelta(days=800)
    review = audit(kb, later)["specialty-phone-official"]
    assert [f.rule for f in review] == ["needs-review"]
    assert review[0].note == Phrase.of("note.needs_review", date="2026-11-24")
    gone = audit(kb, much_later)["specialty-phone-official"]
    # Left unchecked this long, even a trusted fact is hidden; a date passing never stops the bot.
    assert [(f.rule, f.severity) for f in gone] == [("stale", Severity.WITHHELD)]


async def test_stale_facts_say_so_then_disappear(kb: Knowledge) -> None:
    soon = Engine(kb, clock=lambda: FIXED_NOW + dt.timedelta(days=400))
    reply = await soon.handle(Query("specialty"))
    phone = next(c for c in reply.contacts if c.kind == "phone")
    assert phone.value == "1-800-237-2767" and "Needs review" in (phone.note or "")
    late = Engine(kb, clock=lambda: FIXED_NOW + dt.timedelta(days=800))
    reply = await late.handle(Query("specialty"))
    assert "1-800-237-2767" not in render_text(reply)


def test_kb_audit_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "audit"]) == 0
    out = capsys.readouterr().out
    assert "near-miss" in out and "lookalike-domain" in out and "Trust: " in out
    assert main(["kb", "audit", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 0 and report["trust"]["withheld"] >= 10


async def test_a_long_running_engine_audits_again_when_the_date_changes(kb: Knowledge) -> None:
    now = [FIXED_NOW]
    engine = Engine(kb, lambda: now[0])

    def rules() -> set[str]:
        return {f.rule for found in engine.findings.values() for f in found}

    assert not rules() & {"needs-review", "stale"}
    assert "1-800-237-2767" in str(await engine.handle(Query("specialty")))
    now[0] = FIXED_NOW + dt.timedelta(days=366)
    assert "needs-review" in rules()
    now[0] = FIXED_NOW + dt.timedelta(days=2 * 366)
    assert "stale" in rules()
    assert "1-800-237-2767" not in str(await engine.handle(Query("specialty")))
