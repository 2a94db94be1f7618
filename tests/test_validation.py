"""A broken knowledge base is refused, with every problem named by file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from adapters.cli import main
from bot.gate import load
from bot.kb.knowledge import KnowledgeError
from tests.conftest import KB_DIR, translate_new_items

TOPIC = """\
topics:
  - id: extra
    title: Extra topic
    category: faq
    summary: Something new.
    show: [specialty.phone]
    sources: [{source: seed, lines: [1]}]
    reviewed: 2026-11-24
"""


def problems(kb_dir: Path, extra: str | None = None, plan: Path | None = None) -> list[str]:
    if extra is not None:
        (kb_dir / "zz-extra.yaml").write_text(textwrap.dedent(extra), encoding="utf-8")
        translate_new_items(kb_dir)
    with pytest.raises(KnowledgeError) as caught:
        load(kb_dir, plan)
    return [str(p) for p in caught.value.problems]


def only(found: list[str]) -> str:
    assert len(found) == 1, found
    return found[0]


def test_shipped_knowledge_base_loads(kb_copy: Path) -> None:
    assert len(load(kb_copy).topics) > 30


def test_unknown_field(kb_copy: Path) -> None:
    found = only(problems(kb_copy, TOPIC + "    colour: blue\n"))
    assert found.endswith("zz-extra.yaml:9: topics[extra].colour: unknown field")


def test_duplicate_alias_across_topics(kb_copy: Path) -> None:
    found = only(problems(kb_copy, TOPIC + "    aliases: [Specialty Pharmacy]\n"))
    assert "zz-extra.yaml:9: topics[extra].aliases[0]" in found
    assert "duplicate alias 'Specialty Pharmacy': also leads to 'specialty'" in found


def test_topic_without_a_source(kb_copy: Path) -> None:
    found = only(
        problems(kb_copy, TOPIC.replace("    sources: [{source: seed, lines: [1]}]\n", ""))
    )
    assert found.endswith("zz-extra.yaml:2: topics[extra].sources: topic without a source")


def phone_slot(value: str, sources: str | None) -> str:
    """A file with one phone slot holding one fact (line 6 is its value), and a topic showing it."""
    cited = f"\n            sources: [{sources}]" if sources else ""
    slot = f"""\
    slots:
      - id: extra.phone
        kind: phone
        label: Extra
        facts:
          - value: "{value}"{cited}
    """
    return textwrap.dedent(slot) + TOPIC.replace("[specialty.phone]", "[extra.phone]")


def test_fact_without_a_source(kb_copy: Path) -> None:
    found = only(problems(kb_copy, phone_slot("1-800-237-2767", None)))
    assert found.endswith(
        "zz-extra.yaml:6: slots[extra.phone].facts[0].sources: fact without a source"
    )


@pytest.mark.parametrize("value", ["1-800-CAREMARK", "12345", "+1 555"])
def test_phone_number_that_does_not_parse(kb_copy: Path, value: str) -> None:
    extra = phone_slot(value, '{source: cvsspecialty-faq, quote: "a quote"}')
    found = only(problems(kb_copy, extra))
    assert "zz-extra.yaml:6: slots[extra.phone].facts[0].value:" in found
    assert "phone number does not parse" in found or "not a valid phone number" in found


def test_seed_value_must_be_on_the_cited_line(kb_copy: Path) -> None:
    extra = phone_slot("1-800-237-2767", "{source: seed, lines: [24]}")
    assert "value does not appear on the cited seed line(s) [24]" in only(problems(kb_copy, extra))


def test_seed_line_past_the_end(kb_copy: Path) -> None:
    found = only(problems(kb_copy, TOPIC.replace("lines: [1]", "lines: [9999]")))
    assert "zz-extra.yaml:7: topics[extra].sources[0].lines: line 9999 is past the end" in found


def test_unknown_slot_and_related_topic(kb_copy: Path) -> None:
    extra = TOPIC.replace("[specialty.phone]", "[no.such-slot]") + "    related: [nowhere]\n"
    found = problems(kb_copy, extra)
    assert any("topics[extra].show[0]: unknown slot 'no.such-slot'" in p for p in found)
    assert any("topics[extra].related[0]: unknown related topic 'nowhere'" in p for p in found)


def test_prose_may_not_hold_a_phone_number(kb_copy: Path) -> None:
    found = only(problems(kb_copy, TOPIC.replace("Something new.", "Call 1-800-237-2767 now.")))
    assert "topics[extra].summary: prose may not contain a phone number" in found


def test_prose_may_not_hold_an_email(kb_copy: Path) -> None:
    found = only(problems(kb_copy, TOPIC.replace("Something new.", "Write to help@example.com.")))
    assert "prose may not contain an e-mail or URL" in found


def test_duplicate_yaml_key(kb_copy: Path) -> None:
    found = problems(kb_copy, TOPIC + "    title: Again\n")
    assert any(p.endswith("zz-extra.yaml:9: topics.0.title: duplicate key") for p in found)


def test_invalid_yaml(kb_copy: Path) -> None:
    found = only(problems(kb_copy, "topics: [unclosed\n  - id: x\n"))
    assert "zz-extra.yaml:" in found and "invalid YAML" in found


def test_times_and_words_stay_strings(kb_copy: Path) -> None:
    """YAML 1.1 reads `10:00` as 600 and `on` as true; this loader keeps both as written."""
    extra = """\
    stopwords: [on, off, yes, no]
    slots:
      - id: extra.hours
        kind: hours
        label: Extra
        facts:
          - sources: [{source: seed, lines: [31]}]
            schedule: {windows: [{days: mon-fri, open: 10:00, close: 18:30}]}
    """
    (kb_copy / "zz-extra.yaml").write_text(textwrap.dedent(extra), encoding="utf-8")
    translate_new_items(kb_copy)
    kb = load(kb_copy)
    assert {"on", "off", "yes", "no"} <= kb.stopwords
    (record,) = kb.facts["extra.hours"]
    assert record.fact.schedule.windows[0].open == "10:00"  # type: ignore[union-attr]


def test_every_problem_is_reported_at_once(kb_copy: Path) -> None:
    extra = TOPIC.replace("[specialty.phone]", "[no.such-slot]").replace("faq", "no-category")
    assert len(problems(kb_copy, extra)) == 2


def test_plan_overlay_with_wrong_kind(kb_copy: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        textwrap.dedent("""\
        plan: {id: acme, name: Acme, verified_by: Acme HR, verified_on: 2026-11-01}
        slots:
          - id: specialty.phone
            kind: email
            label: Oops
            facts: [{value: help@caremark.com}]
        """),
        encoding="utf-8",
    )
    found = only(problems(kb_copy, plan=plan))
    assert (
        "plan.yaml:4: slots[specialty.phone].kind: is a phone slot in the knowledge base" in found
    )


def test_plan_overlay_unknown_field(kb_copy: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "plan: {id: acme, name: Acme, verified_by: HR, verified_on: 2026-11-01, x: 1}\nslots: []\n",
        encoding="utf-8",
    )
    found = problems(kb_copy, plan=plan)
    assert any("plan.yaml:1: plan.x: unknown field" in p for p in found)


def test_cli_check_lists_problems_and_fails(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb_copy / "zz-extra.yaml").write_text(TOPIC + "    colour: blue\n", encoding="utf-8")
    translate_new_items(kb_copy)
    assert main(["kb", "check", str(kb_copy)]) == 1
    out = capsys.readouterr()
    assert "zz-extra.yaml:9: topics[extra].colour: unknown field" in out.out
    assert "1 problem(s) in " in out.out and "will not start" in out.out


def test_cli_check_passes_on_the_shipped_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", str(KB_DIR)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_bot_refuses_to_start_on_a_broken_base(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb_copy / "zz-extra.yaml").write_text(TOPIC + "    colour: blue\n", encoding="utf-8")
    translate_new_items(kb_copy)
    assert main(["ask", "specialty", "--kb", str(kb_copy)]) == 2
    err = capsys.readouterr().err
    assert "refusing to start" in err and "colour: unknown field" in err
