"""The plan's facts in the store: every change passes the same gate as a plan file (schema,
checks, audit) before anything is saved, and every accepted change is appended to the log.

The store writes the plan back out as a plan file (`export`), which is what the engine loads:
one format, one gate, whichever way the facts came in.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.store import schedule
from adapters.store.facts import (
    DEFAULT_EVERY_DAYS,
    HR_CONTACT,
    NO_PLAN,
    Edit,
    Refused,
    StoredSlot,
)
from adapters.store.tables import plan_changes, plan_slots, plans
from bot.gate import inspect
from bot.kb.knowledge import Knowledge
from bot.kb.yamlsource import Problem, read


@dataclass(frozen=True, slots=True)
class Change:
    at: dt.datetime
    who: str
    surface: str
    slot_id: str | None
    action: str
    before: Any
    after: Any


class PlanStore:
    """One plan in the database (`plan`, by id; default: the deployment's default plan); the
    knowledge folder is what every change is checked against."""

    def __init__(
        self,
        engine: AsyncEngine,
        kb_dir: Path | None = None,
        clock: Any = None,
        plan: str | None = None,
    ) -> None:
        self._engine = engine
        self._kb_dir = kb_dir
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        self._plan = plan

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    # ---------------------------------------------------------------- reading

    async def plan_id(self) -> str | None:
        """This store's plan: the one asked for, else the default (see `default_plan_id`)."""
        if self._plan is not None:
            return self._plan
        async with self._engine.connect() as db:
            return await default_plan_id(db)

    async def slots(self, *, retired: bool = False) -> list[StoredSlot]:
        plan = await self.plan_id()
        async with self._engine.connect() as db:
            rows = await db.execute(
                select(plan_slots)
                .where(plan_slots.c.plan_id == plan, plan_slots.c.retired.is_(retired))
                .order_by(plan_slots.c.position)
            )
            return [_stored(row._mapping) for row in rows]

    async def slot(self, slot_id: str) -> StoredSlot | None:
        """One slot of the plan as stored, or None when the plan has no such slot."""
        return next((s for s in await self.slots() if s.slot_id == slot_id), None)

    async def hr_contact(self) -> str | None:
        """Who employees are sent to with questions about the plan, if the plan says."""
        header = await self.stored_header()
        return header["plan"].get("hr_contact") if header else None

    async def due(self, today: dt.date) -> list[StoredSlot]:
        return [slot for slot in await self.slots() if slot.due_on() <= today]

    async def history(self, slot_id: str | None = None) -> list[Change]:
        query = select(plan_changes).order_by(plan_changes.c.id)
        if self._plan is not None:
            query = query.where(plan_changes.c.plan_id == self._plan)
        if slot_id:
            query = query.where(plan_changes.c.slot_id == slot_id)
        async with self._engine.connect() as db:
            rows = await db.execute(query)
            return [
                Change(r.at, r.who, r.surface, r.slot_id, r.action, r.before, r.after) for r in rows
            ]

    async def export(self) -> str | None:
        """The plan as a plan file (YAML), or None when the store holds none."""
        document = await self._document()
        return _dump(document) if document else None

    async def _document(self) -> dict[str, Any] | None:
        header = await self.stored_header()
        if header is None:
            return None
        return with_checks(header, await self.slots())

    async def stored_header(self) -> dict[str, Any] | None:
        plan = await self.plan_id()
        async with self._engine.connect() as db:
            header = (await db.execute(select(plans.c.header).where(plans.c.id == plan))).scalar()
        return dict(header) if header is not None else None

    async def _header(self) -> dict[str, Any]:
        header = await self.stored_header()
        if header is None:
            raise Refused([NO_PLAN])
        return header

    async def _without(self, slot_id: str) -> dict[str, Any]:
        rest = [s for s in await self.slots() if s.slot_id != slot_id]
        if not rest:
            raise Refused(["a plan needs at least one fact: import a new plan file instead"])
        return with_checks(await self._header(), rest)

    # ---------------------------------------------------------------- changing

    async def import_file(self, path: Path, who: str) -> int:
        """Replace the plan of the file's id (or add it) with the file's, once it passes the
        gate; returns how many slots were stored. Other plans in the store are untouched."""
        document, checks = without_checks(_read_plan(path, self._kb_dir))
        plan = str(document["plan"]["id"])
        if self._plan is not None and self._plan != plan:
            raise Refused([f"that file is the plan '{plan}', not '{self._plan}'"])
        self._plan = plan
        today = self._now().date()
        verified_on = dt.date.fromisoformat(str(document["plan"]["verified_on"]))
        by = str(document["plan"]["verified_by"])
        before = {s.slot_id: s for s in await self.slots()}
        header = {k: v for k, v in document.items() if k != "slots"}
        async with self._engine.begin() as db:
            await db.execute(delete(plans).where(plans.c.id == plan))
            await db.execute(delete(plan_slots).where(plan_slots.c.plan_id == plan))
            await db.execute(
                insert(plans).values(id=header["plan"]["id"], header=header, updated_at=self._now())
            )
            for position, body in enumerate(document["slots"]):
                old = before.get(body["id"])
                check = checks.get(body["id"], {})
                every = check.get("review_days") or (old.every_days if old else None)
                await db.execute(
                    insert(plan_slots).values(
                        plan_id=header["plan"]["id"],
                        slot_id=body["id"],
                        position=position,
                        body=body,
                        owner=old.owner if old else None,
                        every_days=every or DEFAULT_EVERY_DAYS,
                        verified_by=check.get("verified_by", by),
                        verified_on=min(
                            dt.date.fromisoformat(str(check.get("checked", verified_on))), today
                        ),
                        retired=False,
                        updated_at=self._now(),
                    )
                )
                if old is None or old.body != body:
                    await self._log(db, who, "import", body["id"], "import", old, body)
        return len(document["slots"])

    async def set_value(
        self,
        slot_id: str,
        value: str,
        who: str,
        *,
        surface: str = "cli",
        kind: str | None = None,
        label: str | None = None,
        note: str | None = None,
        owner: str | None = None,
        every_days: int | None = None,
    ) -> StoredSlot:
        """Put `value` in a slot (a new slot needs `kind` and `label`); refused, with the
        reasons, unless the whole plan with it passes the gate."""
        edit = Edit("set", slot_id, value, kind, label, note, owner, every_days)
        return await self.apply(edit, who, surface=surface)

    async def apply(
        self, edit: Edit, who: str, *, surface: str = "cli", by: str | None = None
    ) -> StoredSlot:
        """Make a change (set, verify or retire), once it passes the gate. `who` goes in the
        log; `by` (default `who`), the name employees see as having verified the fact."""
        if edit.action == "verify":
            return await self.verify(edit.slot_id, who, surface=surface, by=by)
        if edit.action == "retire":
            return await self.retire(edit.slot_id, who, surface=surface)
        if edit.slot_id == HR_CONTACT:
            return await self._set_hr_contact(edit.value, who, surface)
        document, current, stored = await self._with_edit(edit, by or who)
        await self._gate(document)
        async with self._engine.begin() as db:
            await self._save(db, stored, position=len(document["slots"]) - 1, new=current is None)
            await self._log(db, who, surface, edit.slot_id, "set", current, stored.body)
        return stored

    async def preview(self, edit: Edit, who: str) -> Knowledge:
        """The knowledge base employees would be answered from after `edit`; nothing is
        stored. Refused, with the reasons, if it would not pass the gate."""
        document = await self._document()
        if document is None:
            raise Refused([NO_PLAN])
        if edit.action == "verify":
            await self._slot(edit.slot_id)
            today: dt.date = self._now().date()
            slots = [
                _checked(s, who, today) if s.slot_id == edit.slot_id else s
                for s in await self.slots()
            ]
            return await self._gate(with_checks(await self._header(), slots))
        if edit.action == "retire":
            return await self._gate(await self._without(edit.slot_id))
        if edit.slot_id == HR_CONTACT:
            return await self._gate(_with_hr_contact(document, edit.value))
        return await self._gate((await self._with_edit(edit, who))[0])

    async def _with_edit(
        self, edit: Edit, who: str
    ) -> tuple[dict[str, Any], StoredSlot | None, StoredSlot]:
        """The plan with `edit` made, the slot as it was (None if new), and as it would be."""
        header, stored_slots = await self._header(), await self.slots()
        current = next((s for s in stored_slots if s.slot_id == edit.slot_id), None)
        if current is None and not (edit.kind and edit.label):
            raise Refused([f"'{edit.slot_id}' is not in the plan yet: give its --kind and --label"])
        body: dict[str, Any] = (
            dict(current.body)
            if current
            else {"id": edit.slot_id, "kind": edit.kind, "label": edit.label}
        )
        if edit.label:
            body["label"] = edit.label
        body["facts"] = [_fact(body, edit.value, edit.note, current)]
        every = edit.every_days or (current.every_days if current else DEFAULT_EVERY_DAYS)
        owner = edit.owner if edit.owner is not None else (current.owner if current else None)
        stored = StoredSlot(edit.slot_id, body, owner or None, every, who, self._now().date())
        slots = [stored if s.slot_id == edit.slot_id else s for s in stored_slots]
        if current is None:
            slots.append(stored)
        return with_checks(header, slots), current, stored

    async def _set_hr_contact(self, value: str, who: str, surface: str) -> StoredSlot:
        """The HR contact employees are pointed to, in the plan's header."""
        document = await self._document()
        if document is None:
            raise Refused([NO_PLAN])
        await self._gate(_with_hr_contact(document, value))
        header = await self._header()
        before = header["plan"].get("hr_contact")
        header = {**header, "plan": {**header["plan"], "hr_contact": value}}
        async with self._engine.begin() as db:
            await db.execute(
                update(plans)
                .where(plans.c.id == header["plan"]["id"])
                .values(header=header, updated_at=self._now())
            )
            await self._log(db, who, surface, HR_CONTACT, "set", before, value)
        body = {"id": HR_CONTACT, "kind": "text", "label": "HR contact", "facts": []}
        return StoredSlot(HR_CONTACT, body, None, DEFAULT_EVERY_DAYS, who, self._now().date())

    async def verify(
        self, slot_id: str, who: str, *, surface: str = "cli", by: str | None = None
    ) -> StoredSlot:
        """Record that `by` (default `who`) checked the slot's value against the plan's
        documents today; the log says `who` did it."""
        current = await self._slot(slot_id)
        today, by = self._now().date(), by or who
        async with self._engine.begin() as db:
            await db.execute(
                update(plan_slots)
                .where(
                    plan_slots.c.plan_id == await self._plan_in(db), plan_slots.c.slot_id == slot_id
                )
                .values(verified_by=by, verified_on=today, updated_at=self._now())
            )
            await self._log(db, who, surface, slot_id, "verify", None, {"verified_on": str(today)})
        return StoredSlot(slot_id, current.body, current.owner, current.every_days, by, today)

    async def retire(self, slot_id: str, who: str, *, surface: str = "cli") -> StoredSlot:
        """Take a slot out of the plan (kept, with its history); refused if the plan without
        it would not pass the gate (a topic still shows it, say)."""
        current = await self._slot(slot_id)
        await self._gate(await self._without(slot_id))
        async with self._engine.begin() as db:
            await db.execute(
                update(plan_slots)
                .where(
                    plan_slots.c.plan_id == await self._plan_in(db), plan_slots.c.slot_id == slot_id
                )
                .values(retired=True, updated_at=self._now())
            )
            await self._log(db, who, surface, slot_id, "retire", current, None)
        return current

    # ---------------------------------------------------------------- helpers

    async def _plan_in(self, db: Any) -> str | None:
        """This store's plan id, read on the connection already open (inside a change)."""
        return self._plan if self._plan is not None else await default_plan_id(db)

    async def _slot(self, slot_id: str) -> StoredSlot:
        found = await self.slot(slot_id)
        if found is None:
            raise Refused([f"'{slot_id}' is not in the plan"])
        return found

    async def _save(self, db: Any, slot: StoredSlot, *, position: int, new: bool) -> None:
        plan_id = await self._plan_in(db)
        values = {
            "body": slot.body,
            "owner": slot.owner,
            "every_days": slot.every_days,
            "verified_by": slot.verified_by,
            "verified_on": slot.verified_on,
            "retired": False,
            "updated_at": self._now(),
        }
        if new:
            await db.execute(
                insert(plan_slots).values(
                    plan_id=plan_id, slot_id=slot.slot_id, position=position, **values
                )
            )
        else:
            await db.execute(
                update(plan_slots)
                .where(plan_slots.c.plan_id == plan_id, plan_slots.c.slot_id == slot.slot_id)
                .values(**values)
            )

    async def _log(
        self, db: Any, who: str, surface: str, slot_id: str, action: str, before: Any, after: Any
    ) -> None:
        if isinstance(before, StoredSlot):
            before = before.body
        await db.execute(
            insert(plan_changes).values(
                at=self._now(),
                who=who,
                surface=surface,
                plan_id=await self._plan_in(db) or "",
                slot_id=slot_id,
                action=action,
                before=before,
                after=after,
            )
        )

    async def _gate(self, document: Mapping[str, Any]) -> Knowledge:
        """`_check` in a worker thread: the gate takes a few hundred milliseconds of CPU, and
        the bot keeps answering meanwhile."""
        return await asyncio.to_thread(self._check, document)

    def _check(self, document: Mapping[str, Any]) -> Knowledge:
        """The gate, run on the plan as it would be: any problem refuses the change."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "plan.yaml"
            path.write_text(_dump(document), encoding="utf-8")
            found = inspect(self._kb_dir, path)
        if found.problems or found.knowledge is None:
            raise Refused([_plain(problem, str(path)) for problem in found.problems])
        return found.knowledge


async def default_plan_id(db: Any) -> str | None:
    """The deployment's default plan: the one mapped for everything (`plan map --default`),
    else the first by id (a store holding one plan needs no mapping)."""
    from adapters.store.tables import plan_routes

    chosen = (
        await db.execute(
            select(plan_routes.c.plan_id).where(
                plan_routes.c.platform == "any",
                plan_routes.c.workspace == "",
                plan_routes.c.channel == "",
            )
        )
    ).scalar()
    first = (await db.execute(select(plans.c.id).order_by(plans.c.id).limit(1))).scalar()
    return str(chosen or first) if (chosen or first) else None


async def plan_ids(engine: AsyncEngine) -> list[str]:
    """Every plan in the store, by id."""
    async with engine.connect() as db:
        return [
            str(r) for r in (await db.execute(select(plans.c.id).order_by(plans.c.id))).scalars()
        ]


CHECK = "plan-check-"
"""Sources the store writes for each slot's own verification: who, when, how often."""


def with_checks(header: Mapping[str, Any], slots: Sequence[StoredSlot]) -> dict[str, Any]:
    """The plan file the store stands for: each slot cites a source of its own saying who
    verified it and when, so every answer's badge tells the truth about that fact."""
    plan = header["plan"]
    title = plan["name"] if not plan.get("document") else f"{plan['name']}: {plan['document']}"
    sources = list(header.get("sources", []))
    bodies = []
    for slot in slots:
        source_id = _check_id(slot.slot_id)
        sources.append(
            {
                "id": source_id,
                "kind": "plan",
                "title": title,
                "verified_by": slot.verified_by,
                "checked": slot.verified_on.isoformat(),
                "review_days": slot.every_days,
            }
        )
        facts = [
            {**fact, "sources": [{"source": source_id}, *fact.get("sources", [])]}
            for fact in slot.body["facts"]
        ]
        bodies.append({**slot.body, "facts": facts})
    document = {k: v for k, v in header.items() if k != "sources"}
    if sources:
        document["sources"] = sources
    return {**document, "slots": bodies}


def without_checks(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A plan file with the store's check sources taken out, and what they said per slot."""
    checks = {s["id"]: s for s in document.get("sources", []) if s["id"].startswith(CHECK)}
    found: dict[str, dict[str, Any]] = {}
    slots = []
    for slot in document["slots"]:
        facts = []
        for fact in slot["facts"]:
            cited = [c for c in fact.get("sources", []) if c["source"] in checks]
            for citation in cited:
                found[slot["id"]] = checks[citation["source"]]
            rest = [c for c in fact.get("sources", []) if c["source"] not in checks]
            facts.append(
                {k: v for k, v in fact.items() if k != "sources"}
                | ({"sources": rest} if rest else {})
            )
        slots.append({**slot, "facts": facts})
    header = {k: v for k, v in document.items() if k not in ("slots", "sources")}
    others = [s for s in document.get("sources", []) if s["id"] not in checks]
    if others:
        header["sources"] = others
    return {**header, "slots": slots}, found


def _check_id(slot_id: str) -> str:
    return (CHECK + slot_id.replace(".", "-"))[:64]


def _stored(row: Any) -> StoredSlot:
    return StoredSlot(
        row["slot_id"],
        dict(row["body"]),
        row["owner"],
        row["every_days"],
        row["verified_by"],
        row["verified_on"],
        row["plan_id"],
    )


def _fact(
    body: Mapping[str, Any], value: str, note: str | None, current: StoredSlot | None
) -> dict[str, Any]:
    """The slot's one fact with its new value (hours read from words), keeping its note
    unless a new one is given ("" removes it)."""
    try:
        fact: dict[str, Any] = (
            {"schedule": schedule.parse(value)} if body.get("kind") == "hours" else {"value": value}
        )
    except schedule.UnreadableHours as error:
        raise Refused([str(error)]) from None
    old = (current.body.get("facts") or [{}])[0] if current else {}
    kept = old.get("note") if note is None else note.strip()
    return fact | ({"note": kept} if kept else {})


def _checked(slot: StoredSlot, who: str, today: dt.date) -> StoredSlot:
    return dc_replace(slot, verified_by=who, verified_on=today)


def _with_hr_contact(document: Mapping[str, Any], value: str) -> dict[str, Any]:
    return {**document, "plan": {**document["plan"], "hr_contact": value}}


def _read_plan(path: Path, kb_dir: Path | None) -> dict[str, Any]:
    """A plan file as plain data, once the gate has passed it (problems at its own lines)."""
    found = inspect(kb_dir, path)
    if found.problems:
        raise Refused([str(p) for p in found.problems])
    doc, _ = read(path, str(path))  # the same YAML 1.2 reading the gate used
    assert doc is not None
    return dict(_plain_data(doc.data))


def _plain_data(node: Any) -> Any:
    """YAML values as JSON keeps them: dates as ISO strings."""
    if isinstance(node, dict):
        return {str(k): _plain_data(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain_data(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def _dump(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)


def _plain(problem: Problem, path: str) -> str:
    """A gate problem without the temporary file's name: 'plan: slots[0].facts[0]: …'."""
    return str(problem).replace(path, "plan")
