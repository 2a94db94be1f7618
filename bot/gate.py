"""One gate for knowledge, whatever the door: schema, cross-file checks, then the audit.

Every door (`kb check`, `serve`, the Discord gateway, the console, `/admin/reload`, SIGHUP)
loads through here, so a base with any problem, including a trusted fact the audit finds
wrong, never starts and never replaces a running one. Warnings stay warnings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.checks import check
from bot.kb.knowledge import Knowledge, KnowledgeError, default_kb_dir, index, read_draft
from bot.kb.model import ValueFact
from bot.kb.yamlsource import Problem
from bot.safety.audit import audit
from bot.safety.trust import Findings, Severity


@dataclass(frozen=True, slots=True)
class Inspection:
    """What the gate found: the base (when it could be built), its findings, and its errors."""

    knowledge: Knowledge | None
    findings: Findings = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.knowledge is not None and not self.problems


def inspect(
    kb_dir: Path | None = None, plan: Path | None = None, today: dt.date | None = None
) -> Inspection:
    """Read, check, index and audit; every error is a located problem, never an exception."""
    draft, problems = read_draft(kb_dir or default_kb_dir(), plan)
    if not problems:
        problems = check(draft)
    if problems:
        return Inspection(None, problems=tuple(problems))
    kb = index(draft)
    findings = audit(kb, today)
    return Inspection(kb, findings, tuple(audit_problems(kb, findings)))


def load(
    kb_dir: Path | None = None, plan: Path | None = None, today: dt.date | None = None
) -> Knowledge:
    """The checked and audited knowledge base; raises KnowledgeError listing every problem."""
    found = inspect(kb_dir, plan, today)
    if found.knowledge is None or found.problems:
        raise KnowledgeError(list(found.problems))
    return found.knowledge


def audit_problems(kb: Knowledge, findings: Findings) -> list[Problem]:
    """The audit's errors, each located at the fact it is about (file, line and field)."""
    problems = []
    for records in kb.facts.values():
        for record in records:
            under = ("value",) if isinstance(record.fact, ValueFact) else ()
            problems += [
                record.at.problem(f"{f.rule}: {f.detail}", under=under)
                for f in findings.get(record.id, ())
                if f.severity is Severity.ERROR
            ]
    return sorted(problems, key=lambda p: (p.file, p.line or 0))
