"""What a plan fact is, and what can be done to one, without the database layer: the chat
adapters import this at start; SQLAlchemy loads only when the store is used."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_EVERY_DAYS = 90
"""How often a plan fact is re-verified unless its owner says otherwise."""
SURFACES = ("cli", "import", "chat")
HR_CONTACT = "hr-contact"
"""The slot name for the plan's HR contact, which lives in the plan's header."""
NO_PLAN = "there is no plan yet: import a plan file first (plan import FILE)"
ACTIONS = ("set", "verify", "retire")


@dataclass(frozen=True, slots=True)
class Edit:
    """One change an admin asks for: set a value (with its label, note, owner and interval),
    verify a fact as still right, or retire it. Empty fields keep what the slot has."""

    action: str
    slot_id: str
    value: str = ""
    kind: str | None = None
    label: str | None = None
    note: str | None = None
    owner: str | None = None
    every_days: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Edit:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


class Refused(Exception):
    """A change the gate turned down; nothing was stored. The problems say why."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class StoredSlot:
    """One plan slot as the store keeps it, with who answers for it and when it is due."""

    slot_id: str
    body: dict[str, Any]
    owner: str | None
    every_days: int
    verified_by: str
    verified_on: dt.date
    plan_id: str = ""

    def due_on(self) -> dt.date:
        return self.verified_on + dt.timedelta(days=self.every_days)

    @property
    def ref(self) -> str:
        """The fact's reference in a button: its plan and slot ("plan|slot")."""
        return f"{self.plan_id}|{self.slot_id}"


def from_ref(ref: str) -> tuple[str | None, str]:
    """(plan id or None, slot id) from a button's reference; a bare slot id is the default
    plan's (buttons sent before there were many plans)."""
    plan, bar, slot = ref.partition("|")
    return (plan or None, slot) if bar else (None, ref)
