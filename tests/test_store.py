"""The plan store, on the embedded SQLite file and on a real PostgreSQL server (DATABASE_URL):
migrations, the gate before every change, the append-only log, import/export round trips."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import insert, select, text

from adapters.cli import main
from adapters.store.database import HEAD, connect, database_url, upgrade
from adapters.store.facts import Refused
from adapters.store.plans import PlanStore, without_checks
from adapters.store.snapshot import stored_plan
from adapters.store.tables import plan_changes, plan_slots, plans
from bot.gate import load
from tests.conftest import EXAMPLE_PLAN
from tests.stores import url

__all__ = ["url"]  # the fixture, from tests/stores.py


@pytest.fixture
async def store(url: str) -> AsyncIterator[PlanStore]:
    upgrade(url)
    engine = connect(url)
    yield PlanStore(engine)
    await engine.dispose()


async def test_migrations_run_from_empty_and_again(url: str) -> None:
    upgrade(url)
    upgrade(url)  # already current: nothing to do, nothing broken
    engine = connect(url)
    async with engine.connect() as db:
        version = (await db.execute(text("select version_num from alembic_version"))).scalar()
    await engine.dispose()
    assert version == HEAD


async def test_import_then_export_round_trips(store: PlanStore) -> None:
    assert await store.export() is None
    assert await store.import_file(EXAMPLE_PLAN, "Dana (HR)") == 3
    exported = await store.export()
    assert exported is not None
    original = yaml.safe_load(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    # The same plan, plus a source per fact saying who verified it, when, and how often.
    assert without_checks(yaml.safe_load(exported))[0] == _iso_dates(original)
    # The export is itself a plan file that passes the gate, and imports to the same.
    again = Path(os.environ.get("TMPDIR", "/tmp")) / f"export-{id(store)}.yaml"
    again.write_text(exported, encoding="utf-8")
    load(plan=again)
    await store.import_file(again, "Dana (HR)")
    assert await store.export() == exported


async def test_a_near_miss_is_refused_and_nothing_is_stored(store: PlanStore) -> None:
    await store.import_file(EXAMPLE_PLAN, "Dana (HR)")
    before, log = await store.export(), await store.history()
    with pytest.raises(Refused) as refused:
        await store.set_value(
            "specialty.phone", "1-800-237-2768", "Dana", kind="phone", label="CVS Specialty"
        )
    assert "near-miss" in str(refused.value) and "1-800-237-2767" in str(refused.value)
    assert await store.export() == before and await store.history() == log


async def test_every_change_is_logged_who_when_what(store: PlanStore) -> None:
    await store.import_file(EXAMPLE_PLAN, "Dana (HR)")
    await store.set_value(
        "customer-care.phone", "1-844-443-4280", "Lee", owner="U0LEE", every_days=30
    )
    await store.verify("customer-care.phone", "Lee")
    await store.retire("mail.address", "Lee")
    changes = await store.history()
    assert [(c.who, c.surface, c.action) for c in changes][-3:] == [
        ("Lee", "cli", "set"),
        ("Lee", "cli", "verify"),
        ("Lee", "cli", "retire"),
    ]
    setting = changes[-3]
    assert setting.before["facts"] == [{"value": "1-844-443-4279"}]
    assert setting.after["facts"] == [{"value": "1-844-443-4280"}]
    (slot,) = [s for s in await store.slots() if s.slot_id == "customer-care.phone"]
    assert slot.owner == "U0LEE" and slot.due_on() == slot.verified_on + dt.timedelta(days=30)
    assert "mail.address" not in (await store.export() or "")
    assert [s.slot_id for s in await store.slots(retired=True)] == ["mail.address"]


async def test_facts_come_due_on_schedule(store: PlanStore) -> None:
    await store.import_file(EXAMPLE_PLAN, "Dana (HR)")  # verified 2026-11-24, every 90 days
    assert await store.due(dt.date(2027, 2, 21)) == []
    assert len(await store.due(dt.date(2027, 2, 22))) == 3


async def test_each_fact_shows_its_own_verification_and_expires(
    store: PlanStore, tmp_path: Path
) -> None:
    from bot.core import Engine
    from bot.reply import Query

    await store.import_file(EXAMPLE_PLAN, "Dana (HR)")
    await store.set_value("customer-care.phone", "1-844-443-4280", "Lee Park", every_days=30)
    path = tmp_path / "plan.yaml"
    path.write_text(await store.export() or "", encoding="utf-8")
    today = dt.datetime.now(dt.UTC).date()

    async def shown(on: dt.date) -> str:
        kb = load(plan=path, today=on)
        noon = dt.datetime.combine(on, dt.time(12), dt.UTC)
        reply = await Engine(kb, clock=lambda: noon).handle(Query("customer care number"))
        return str(reply)

    assert "Lee Park" in await shown(today) and "1-844-443-4280" in await shown(today)
    due = await shown(today + dt.timedelta(days=31))  # due: still shown, marked for review
    assert "1-844-443-4280" in due and "Needs review" in due and "Lee Park" in due
    expired = await shown(today + dt.timedelta(days=61))  # a second interval: no badge
    assert "Verified by Lee Park" not in expired and "PLAN_VERIFIED" not in expired
    assert "Last verified on" in expired or "1-844-443-4280" not in expired


def test_the_cli_and_the_engine_use_the_stored_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAREMARK_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("CAREMARK_PLAN", raising=False)
    assert stored_plan() is None  # no database file yet: none is created
    assert not (tmp_path / "data" / "caremark.db").exists()
    assert main(["plan", "import", str(EXAMPLE_PLAN), "--by", "Dana"]) == 0
    assert main(["plan", "set", "customer-care.phone", "1-844-443-4280", "--by", "Lee"]) == 0
    capsys.readouterr()
    assert main(["ask", "customer care number"]) == 0
    assert "1-844-443-4280" in capsys.readouterr().out
    refused = main(["plan", "set", "customer-care.phone", "1-800-237-2768", "--by", "Lee"])
    assert refused == 1 and "nothing was stored" in capsys.readouterr().err
    assert main(["plan", "history", "--json"]) == 0
    assert [c["action"] for c in yaml.safe_load(capsys.readouterr().out)] == [
        "import",
        "import",
        "import",
        "set",
    ]


def test_labels_notes_hours_and_the_hr_contact_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAREMARK_DATA", str(tmp_path / "data"))
    assert main(["plan", "import", str(EXAMPLE_PLAN), "--by", "Dana"]) == 0
    note = "Press 2 for the pharmacy."
    set_phone = ["plan", "set", "customer-care.phone", "1-844-443-4279", "--by", "Lee"]
    assert main([*set_phone, "--label", "Member services", "--note", note]) == 0
    assert main(["plan", "set", "customer-care.hours", "Mon-Fri 7am-7pm ET", "--by", "Lee"]) == 0
    assert main(["plan", "set", "hr-contact", "Benefits team, #benefits-help", "--by", "Lee"]) == 0
    refused = main(["plan", "set", "customer-care.hours", "most days", "--by", "Lee"])
    assert refused == 1 and "Mon-Fri 8am-6pm CT" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["plan", "export"]) == 0
    exported = yaml.safe_load(capsys.readouterr().out)
    phone, hours = exported["slots"][0], exported["slots"][1]
    assert phone["label"] == "Member services" and phone["facts"][0]["note"] == note
    assert hours["facts"][0]["schedule"]["tz"] == "America/New_York"
    assert exported["plan"]["hr_contact"] == "Benefits team, #benefits-help"
    assert main(["ask", "customer care number"]) == 0
    answer = capsys.readouterr().out
    assert "Member services" in answer and "1-844-443-4279" in answer


def _iso_dates(node: object) -> object:
    if isinstance(node, dict):
        return {k: _iso_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_iso_dates(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


async def test_migrations_run_from_the_previous_revision_keeping_the_plan(
    url: str, tmp_path: Path
) -> None:
    # The plan as the previous release stored it: made at head, copied into a store at 0003.
    made = database_url({"CAREMARK_DATA": str(tmp_path / "made")})
    upgrade(made)
    source = connect(made)
    await PlanStore(source).import_file(EXAMPLE_PLAN, "Dana (HR)")
    before = await PlanStore(source).export()
    async with source.connect() as db:
        rows = {t: [dict(r._mapping) for r in await db.execute(select(t))] for t in OLD_TABLES}
    await source.dispose()
    upgrade(url, "0003")
    engine = connect(url)
    async with engine.begin() as db:
        for table, values in rows.items():
            await db.execute(insert(table), values)
    await engine.dispose()
    upgrade(url)
    engine = connect(url)
    async with engine.connect() as db:
        version = (await db.execute(text("select version_num from alembic_version"))).scalar()
        routes = (await db.execute(text("select count(*) from plan_routes"))).scalar()
    assert (version, routes) == (HEAD, 0)
    assert await PlanStore(engine).export() == before
    await engine.dispose()


OLD_TABLES = (plans, plan_slots, plan_changes)
