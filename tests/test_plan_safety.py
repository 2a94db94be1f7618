"""An HR team's plan file can never put a wrong number live under the word "verified".

Every case below is a plan file an HR administrator could plausibly write. Each must fail
`kb check` with a message that names the plan file (and its line and field, where there is
one), stop `serve`, the console and the Discord gateway from starting, and be refused by a
reload while the old knowledge base keeps serving.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.cli import main
from adapters.web import create_app
from bot.core import Engine
from bot.gate import inspect, load
from bot.kb.knowledge import KnowledgeError
from bot.reply import Query, Trust, View
from tests.conftest import EXAMPLE_PLAN, FIXED_NOW, ROOT, translate_new_items

HEAD = "plan: {id: acme, name: Acme, verified_by: Acme Benefits, verified_on: 2026-11-01}\n"
GOOD_PLAN = HEAD + textwrap.dedent("""\
    slots:
      - id: customer-care.phone
        kind: phone
        label: Customer Care for Acme members
        facts: [{value: 1-844-443-4279}]
    """)


def phone(slot: str, value: str, kind: str = "phone", extra: str = "") -> str:
    """A plan with one value in one slot (the value is on line 7)."""
    return (
        HEAD
        + textwrap.dedent(f"""\
        slots:
          - id: {slot}
            kind: {kind}
            label: Acme line
            facts:
              - value: "{value}"
        """)
        + textwrap.indent(textwrap.dedent(extra), " " * 8)
    )


def seed_plan(file: str, value: str = "1-844-443-4279") -> str:
    """A plan whose one fact cites a seed source at `file` (the source is on line 3)."""
    return HEAD + textwrap.dedent(f"""\
        sources:
          - {{id: leak, kind: seed, title: Leak, file: {file}}}
        slots:
          - id: customer-care.phone
            kind: phone
            label: CC
            facts: [{{value: "{value}", sources: [{{source: leak, lines: [1]}}]}}]
        """)


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    says: str
    """A piece of the message the administrator must see."""
    line: int | None = 7
    """The line the message must point at; None when the whole file is at fault."""


SPECIALTY_TYPOS = [
    "1-800-237-2768",
    "1-800-237-2763",
    "1-800-237-2776",  # two digits swapped
    "1-800-327-2767",
    "1-800-237-2677",
    "+1 800 237 2768",
    "(800) 237-2768",
    "800.237.2768",
    "18002372768",
    "+1-800-237-2768",
    "1 (800) 237-2768",
    "tel:+1-800-237-2768",
    "1-800-237-27-68",
    "+18002372763",
]

CASES = [
    *(
        Case(f"specialty-typo {value}", phone("specialty.phone", value), "near-miss")
        for value in SPECIALTY_TYPOS
    ),
    Case(
        "customer care one digit from specialty",
        phone("customer-care.phone", "1-800-237-2768"),
        "CVS Specialty pharmacy",
    ),
    Case("tty one digit from specialty", phone("tty.phone", "1-800-237-2768", "tty"), "near-miss"),
    Case(
        "a fax one digit from the prescriber fax",
        phone("mail.fax", "1-800-323-2446", "fax"),
        "near-miss",
    ),
    Case(
        "a new slot two digits from specialty",
        phone("acme.nurse-line", "1-800-237-2788"),  # shown by the topic `plan_file` adds
        "near-miss",
    ),
    Case(
        "the seed's main number, which is one digit from specialty",
        phone("customer-care.phone", "1-800-237-2765"),
        "near-miss",
    ),
    Case(
        "the specialty number the official site contradicts",
        phone("specialty.phone", "1-800-673-4828"),
        "repeats-flagged",
    ),
    Case(
        "two plan numbers one digit apart",
        HEAD
        + textwrap.dedent("""\
            slots:
              - id: customer-care.phone
                kind: phone
                label: Customer Care
                facts: [{value: 1-844-443-4279}]
              - id: mail.fax
                kind: fax
                label: Fax
                facts: [{value: 1-844-443-4278}]
            """),
        "near-miss",
        line=None,
    ),
    Case(
        "confirm_near naming a number that is not near",
        phone(
            "specialty.phone",
            "1-844-443-4279",
            extra="""\
            confirm_near: [{number: 1-800-237-2767, reason: "checked"}]
            """,
        ),
        "confirm_near",
    ),
    Case(
        "confirm_near on an e-mail address",
        phone(
            "global.email",
            "benefits@caremark.com",
            "email",
            extra="""\
            confirm_near: [{number: 1-800-237-2767, reason: "checked"}]
            """,
        ),
        "confirm_near is only for phone",
        line=8,
    ),
    Case(
        "look-alike in allowed_domains",
        HEAD.replace("2026-11-01}", "2026-11-01, allowed_domains: [cvshea1th.com]}") + "slots:\n"
        "  - {id: customer-care.phone, kind: phone, label: CC, facts: [{value: 1-844-443-4279}]}\n",
        "looks like an official CVS domain",
        line=1,
    ),
    *(
        Case(
            f"look-alike domain {name}",
            HEAD.replace("2026-11-01}", f"2026-11-01, allowed_domains: [{name}]}}") + "slots:\n"
            "  - {id: customer-care.phone, kind: phone, label: CC, facts: [{value: "
            "1-844-443-4279}]}\n",
            "allowed_domains[0]",
            line=1,
        )
        for name in ("carernark.com", "caremark.co", "cvs-health.com", "cvshealth.net", "cvs.co")
    ),
    Case(
        "plan e-mail on a look-alike domain",
        phone("global.email", "benefits@cvshea1th.com", "email"),
        "lookalike-domain",
    ),
    Case(
        "plan link on a domain nobody allowed",
        phone("portal.url", "https://acme-benefits-portal.com", "url"),
        "unknown-domain",
    ),
    Case(
        "plan link on a domain borrowing the Caremark name",
        phone("portal.url", "https://caremark-benefits-help.com", "url"),
        "lookalike-domain",
    ),
    Case(
        "seed source outside the project",
        seed_plan("/proc/self/environ"),
        "seeds/ folder",
        line=3,
    ),
    Case(
        "seed source climbing out of seeds/",
        seed_plan("seeds/../../../../etc/hostname"),
        "seeds/ folder",
        line=3,
    ),
    Case(
        "an impossible date",
        GOOD_PLAN.replace("2026-11-01", "2026-13-40"),
        "plan.verified_on: not a real date",
        line=1,
    ),
    Case(
        "a date in words",
        GOOD_PLAN.replace("2026-11-01", "last tuesday"),
        "plan.verified_on: not a real date",
        line=1,
    ),
    Case(
        "a slot without kind",
        GOOD_PLAN.replace("    kind: phone\n", ""),
        "slots[customer-care.phone].kind: missing 'kind'",
        line=3,
    ),
    Case(
        "an unknown slot kind",
        GOOD_PLAN.replace("kind: phone", "kind: pager"),
        "unknown kind 'pager'",
        line=4,
    ),
    Case(
        "facts as text",
        GOOD_PLAN.replace("[{value: 1-844-443-4279}]", "1-844-443-4279"),
        "facts: should be a list",
        line=6,
    ),
    Case(
        "a number YAML reads as an integer",
        GOOD_PLAN.replace("{value: 1-844-443-4279}", "{value: 18444434279}"),
        "value: should be text",
        line=6,
    ),
    Case("slots as a mapping", HEAD + "slots: {a: b}\n", "slots: should be a list", line=2),
    Case("plan as a list", "plan: [acme]\nslots: []\n", "plan: should be", line=1),
    Case(
        "a misspelt field",
        GOOD_PLAN.replace("verified_by", "verifed_by"),
        "plan.verifed_by: unknown field",
        line=1,
    ),
    Case(
        "a kind the shipped slot does not have",
        phone("specialty.phone", "https://www.caremark.com", "url"),
        "not url",
        line=4,
    ),
    Case("a YAML syntax error", GOOD_PLAN + "  - id: [unclosed\n", "invalid YAML", line=None),
    Case("a YAML alias", GOOD_PLAN + "extra: &a [1]\nmore: *a\n", "aliases", line=None),
    Case("a duplicate key", GOOD_PLAN + "plan: {}\n", "duplicate key", line=None),
    Case("an empty file", "", "plan: missing", line=None),
    Case("a number that does not parse", phone("specialty.phone", "call us"), "does not parse"),
]


def _show_new_slot(kb_dir: Path) -> None:
    """A topic that shows the plan's own slot, as a deployment adding one would write."""
    (kb_dir / "zz-acme.yaml").write_text(
        textwrap.dedent("""\
            topics:
              - id: acme-nurse
                title: Acme nurse line
                category: faq
                summary: The nurse line.
                show: [acme.nurse-line]
                sources: [{source: seed, lines: [1]}]
                reviewed: 2026-11-24
            """),
        encoding="utf-8",
    )
    translate_new_items(kb_dir)


@pytest.fixture
def plan_file(kb_copy: Path) -> Path:
    return kb_copy.parent / "plan.yaml"


def write(case: Case, kb_dir: Path, plan: Path) -> None:
    if "acme.nurse-line" in case.text:
        _show_new_slot(kb_dir)
    plan.write_text(case.text, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_kb_check_refuses_with_a_located_message(
    case: Case, kb_copy: Path, plan_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(case, kb_copy, plan_file)
    assert main(["kb", "check", str(kb_copy), "--plan", str(plan_file)]) == 1
    out = capsys.readouterr().out
    assert "OK:" not in out and "Traceback" not in out
    problems = [line for line in out.splitlines() if line.startswith(str(plan_file))]
    assert problems, out  # the plan file is named, not the knowledge folder
    assert any(case.says in line for line in problems), out
    if case.line is not None:
        located = re.compile(rf"^{re.escape(str(plan_file))}:{case.line}: \S+: ")
        assert any(located.match(p) and case.says in p for p in problems), out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_nothing_starts_on_it(
    case: Case, kb_copy: Path, plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(case, kb_copy, plan_file)

    def started(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the bot started on a plan the gate should refuse")

    monkeypatch.setattr("adapters.serving.serve", started)
    monkeypatch.setattr("adapters.discord_app.gateway.run", started)
    monkeypatch.setattr("adapters.cli.chat.run_console", started)
    files = ["--kb", str(kb_copy), "--plan", str(plan_file)]
    assert main(["serve", *files]) == 2
    assert main(["console", *files]) == 2
    monkeypatch.setenv("DISCORD_TOKEN", "x" * 59)
    assert main(["discord", "gateway", *files]) == 2


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_reload_refuses_it_and_the_old_base_keeps_serving(
    case: Case, kb_copy: Path, plan_file: Path
) -> None:
    plan_file.write_text(GOOD_PLAN, encoding="utf-8")
    engine = Engine.from_files(kb_copy, plan_file)
    if "acme.nurse-line" in case.text:
        return  # adding the topic that shows it would break the good base too; covered above
    write(case, kb_copy, plan_file)
    with pytest.raises(KnowledgeError):
        engine.reload()
    reply = await engine.handle(Query("customer care"))
    assert "1-844-443-4279" in str(reply.contacts)
    specialty = await engine.handle(Query("specialty"))
    assert any(c.value == "1-800-237-2767" for c in specialty.contacts)


async def test_admin_reload_answers_409_and_keeps_serving(kb_copy: Path, plan_file: Path) -> None:
    plan_file.write_text(GOOD_PLAN, encoding="utf-8")
    engine = Engine.from_files(kb_copy, plan_file)
    app = create_app(engine, admin_token="s3cret")
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        plan_file.write_text(phone("specialty.phone", "1-800-237-2768"), encoding="utf-8")
        response = await client.post("/admin/reload", headers={"Authorization": "Bearer s3cret"})
        assert response.status == 409
        body = await response.json()
        assert any("near-miss" in p and "plan.yaml:7" in p for p in body["problems"])
    finally:
        await client.close()
    assert "1-844-443-4279" in str((await engine.handle(Query("customer care"))).contacts)


def test_the_release_step_stops_a_typo(kb_copy: Path, plan_file: Path) -> None:
    """The Procfile's release command, run as the platform runs it, with the plan in the
    environment."""
    plan_file.write_text(phone("specialty.phone", "1-800-237-2768"), encoding="utf-8")
    release = (ROOT / "Procfile").read_text(encoding="utf-8").split("release:")[1].split("\n")[0]
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "CAREMARK_PLAN": str(plan_file), "CAREMARK_KB": str(kb_copy)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        release, shell=True, capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "near-miss" in result.stdout + result.stderr


def test_a_seed_symlink_out_of_the_project_is_refused(kb_copy: Path, plan_file: Path) -> None:
    (kb_copy.parent / "seeds" / "outside.txt").symlink_to("/etc/hostname")
    plan_file.write_text(seed_plan("seeds/outside.txt"), encoding="utf-8")
    found = inspect(kb_copy, plan_file)
    assert [p.message for p in found.problems] == [
        "seed files must be inside the knowledge base's seeds/ folder"
    ]


def test_a_refused_seed_tells_nothing_about_the_file(kb_copy: Path, plan_file: Path) -> None:
    """Whether a value is on a line of a file outside the project must not change the answer."""

    def problems_for(value: str, path: str) -> list[str]:
        plan_file.write_text(seed_plan(path, value), encoding="utf-8")
        return [p.message for p in inspect(kb_copy, plan_file).problems]

    hostname = Path("/etc/hostname")
    first_line = hostname.read_text(encoding="utf-8").splitlines()[0] if hostname.exists() else ""
    assert problems_for("1-844-443-4279", "/etc/hostname") == problems_for(
        "1-844-443-4279", "/no/such/file"
    )
    assert problems_for(first_line or "x", "/etc/hostname") == problems_for(
        first_line or "x", "/no/such/file"
    )


def test_a_fifo_as_plan_is_refused_at_once(kb_copy: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    found = inspect(kb_copy, fifo)
    assert [str(p) for p in found.problems] == [f"{fifo}: cannot read: not a regular file"]


def test_a_confirmed_near_number_is_kept_and_reported(kb_copy: Path, plan_file: Path) -> None:
    plan_file.write_text(
        phone(
            "specialty.phone",
            "1-800-237-2768",
            extra="""\
            confirm_near:
              - number: 1-800-237-2767
                reason: Acme's own specialty line, printed on the 2026 plan summary, page 4
            """,
        ),
        encoding="utf-8",
    )
    found = inspect(kb_copy, plan_file, FIXED_NOW.date())
    assert found.ok
    rules = {f.rule: f.severity.value for fs in found.findings.values() for f in fs}
    assert rules["confirmed-near"] == "info"


async def test_a_plan_number_comes_first_and_the_public_one_after(
    kb_copy: Path, plan_file: Path
) -> None:
    plan_file.write_text(
        phone("specialty.phone", "1-800-444-1234"),
        encoding="utf-8",
    )
    engine = Engine(load(kb_copy, plan_file), clock=lambda: FIXED_NOW)
    reply = await engine.handle(Query("specialty"))
    phones = [c for c in reply.contacts if c.kind == "phone"]
    assert [c.value for c in phones] == ["1-800-444-1234", "1-800-237-2767"]
    assert phones[0].badge.trust is Trust.PLAN_VERIFIED
    assert phones[1].badge.trust is Trust.OFFICIAL and "public" in (phones[1].note or "")
    verdict = await engine.handle(Query("is 1-800-237-2767 legit?"))
    assert "looks like a scam" not in verdict.lead and "is official" in verdict.lead


async def test_a_plan_can_say_the_public_number_does_not_apply(
    kb_copy: Path, plan_file: Path
) -> None:
    plan_file.write_text(
        phone("specialty.phone", "1-800-444-1234").replace(
            "    label: Acme line\n", "    label: Acme line\n    replaces_official: true\n"
        ),
        encoding="utf-8",
    )
    engine = Engine(load(kb_copy, plan_file), clock=lambda: FIXED_NOW)
    reply = await engine.handle(Query("specialty"))
    assert [c.value for c in reply.contacts if c.kind == "phone"] == ["1-800-444-1234"]
    verdict = await engine.handle(Query("is 1-800-237-2767 legit?"))
    assert "looks like a scam" not in verdict.lead


async def test_the_shipped_example_plan_keeps_its_verified_badges() -> None:
    found = inspect(plan=EXAMPLE_PLAN)
    assert found.ok, found.problems
    assert found.knowledge is not None
    engine = Engine(found.knowledge, clock=lambda: FIXED_NOW)
    care = await engine.handle(Query("customer care"))
    row = next(c for c in care.contacts if c.value == "1-844-443-4279")
    assert row.badge.trust is Trust.PLAN_VERIFIED
    mail = await engine.handle(Query("mail-and-fax", view=View.FULL))
    address = next(c for c in mail.contacts if c.kind == "address")
    assert address.value == "PO Box 94467, Palatine, IL 60094-4467"
    assert address.badge.trust is Trust.PLAN_VERIFIED
