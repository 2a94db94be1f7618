"""`caremark-bot kb check | audit | schema`: the gate's verdict, the audit's report, the schemas."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from adapters.cli import options
from bot.answer.build import say
from bot.answer.prose import Prose
from bot.gate import Inspection, inspect
from bot.i18n import words
from bot.kb.knowledge import Knowledge, default_kb_dir, default_plan
from bot.kb.model import KnowledgeFile, PlanFile, ValueFact, json_schema
from bot.kb.yamlsource import Problem
from bot.reply import Trust
from bot.safety.trust import Findings, Severity, trust_of


def register(commands: Any) -> None:
    kb = commands.add_parser("kb", help="check the knowledge base or print its schema")
    kb_commands = kb.add_subparsers(title="kb commands", metavar="KB_COMMAND", required=True)
    check = kb_commands.add_parser(
        "check", help="list every problem, the audit's errors included; exit 1 if any"
    )
    options.add(check, "kb check", options.KNOWLEDGE)
    check.add_argument("path", nargs="?", type=Path, default=None, help="knowledge base folder")
    check.set_defaults(run=_check)
    audit = kb_commands.add_parser(
        "audit",
        help="find look-alikes, near-misses, contradictions and stale facts; exit 1 on errors",
    )
    options.add(audit, "kb audit", options.KNOWLEDGE)
    audit.add_argument("path", nargs="?", type=Path, default=None, help="knowledge base folder")
    audit.add_argument("--json", action="store_true", help="print the findings as JSON")
    audit.set_defaults(run=_audit)
    schema = kb_commands.add_parser("schema", help="print the JSON Schema of the YAML files")
    options.add(schema, "kb schema", ())
    schema.add_argument(
        "--plan",
        dest="plan_schema",
        action="store_true",
        help="the schema of a plan file instead",
    )
    schema.set_defaults(run=_schema)


def _inspect(args: argparse.Namespace) -> Inspection:
    return inspect(args.path or args.kb or default_kb_dir(), args.plan or default_plan())


def _check(args: argparse.Namespace) -> int:
    found = _inspect(args)
    for problem in found.problems:
        print(problem)
    if not found.ok:
        files = sorted({p.file for p in found.problems})
        print(
            f"\n{len(found.problems)} problem(s) in {', '.join(files)}: the bot will not start "
            "with these files until they are fixed.",
        )
        return 1
    kb = found.knowledge
    assert kb is not None
    facts = sum(len(records) for records in kb.facts.values())
    plan = f", plan '{kb.plan.name}'" if kb.plan else ""
    print(
        f"OK: {len(kb.topics)} topics, {len(kb.slots)} slots, {facts} facts, "
        f"{len(kb.sources)} sources{plan}"
    )
    warnings = trusted_warnings(kb, found.findings)
    if warnings:
        print(f"\nWarnings ({len(warnings)}), which do not stop the bot:")
        for warning in warnings:
            print(f"  {warning}")
    return 0


def trusted_warnings(kb: Knowledge, findings: Findings) -> list[Problem]:
    """Cautions and confirmations about official and plan facts, located: the ones an HR
    team or a maintainer should read. Findings on unverified facts are the audit's to show."""
    warnings = []
    for records in kb.facts.values():
        for record in records:
            if trust_of(record, kb) not in (Trust.OFFICIAL, Trust.PLAN_VERIFIED):
                continue
            under = ("value",) if isinstance(record.fact, ValueFact) else ()
            warnings += [
                record.at.problem(f"{f.rule}: {f.detail}", under=under)
                for f in findings.get(record.id, ())
                if f.severity in (Severity.CAUTION, Severity.INFO, Severity.WITHHELD)
            ]
    return sorted(warnings, key=lambda p: (p.file, p.line or 0))


def _audit(args: argparse.Namespace) -> int:
    from bot.safety.audit import summary

    found = _inspect(args)
    kb = found.knowledge
    if kb is None:
        for problem in found.problems:
            print(problem)
        print(f"\n{len(found.problems)} problem(s): fix them before the audit can run.")
        return 1
    findings = found.findings
    labels = {r.id: r.slot.id for records in kb.facts.values() for r in records}
    rows = [
        {
            "fact": fact,
            "slot": labels[fact],
            "rule": f.rule,
            "severity": f.severity.value,
            "detail": f.detail,
            "note": say(Prose(kb, "en"), words(), f.note) if f.note else None,
        }
        for fact, found_here in sorted(findings.items())
        for f in found_here
    ]
    errors = sum(row["severity"] == Severity.ERROR for row in rows)
    trust = summary(kb, findings)
    if args.json:
        report = {"findings": rows, "trust": trust, "errors": errors}
        report["problems"] = [str(p) for p in found.problems]
        print(json.dumps(report, indent=2))
        return 1 if errors else 0
    for severity in Severity:
        group = [row for row in rows if row["severity"] == severity]
        if group:
            print(f"{severity.value.upper()} ({len(group)})")
            for row in group:
                print(f"  {row['slot']} [{row['fact']}] {row['rule']}: {row['detail']}")
            print()
    for problem in found.problems:
        print(f"error at {problem}")
    total = sum(trust.values())
    print(
        "Trust: "
        + ", ".join(f"{n} {level}" for level, n in sorted(trust.items()))
        + f" (of {total} facts)"
    )
    return 1 if errors else 0


def _schema(args: argparse.Namespace) -> int:
    model = PlanFile if args.plan_schema else KnowledgeFile
    print(json.dumps(json_schema(model), indent=2, ensure_ascii=False))
    return 0
