"""`caremark-bot plan …` and `db upgrade`: the HR team's plan facts in the store, from the
command line. Every change passes the gate first; a refused one says why and stores nothing."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from adapters.cli import options
from adapters.store.database import connect, database_url, upgrade

if TYPE_CHECKING:
    from adapters.store.plans import PlanStore

T = TypeVar("T")
EXIT_REFUSED = 1


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="the database: bring its schema up to date")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    upgrading = db_commands.add_parser(
        "upgrade", help="run the migrations (DATABASE_URL, else SQLite)"
    )
    options.add(upgrading, "db upgrade", ())
    upgrading.set_defaults(run=_upgrade)
    plan = commands.add_parser("plan", help="your plan's facts in the store")
    sub = plan.add_subparsers(title="plan commands", metavar="PLAN_COMMAND", required=True)
    listing = sub.add_parser("list", help="the plan's facts, who verified them and when due")
    listing.add_argument("--due", action="store_true", help="only facts due for re-verification")
    _json(listing).set_defaults(run=_list)
    setting = sub.add_parser("set", help="put a value in a slot, once it passes every check")
    setting.add_argument("slot", help="a slot id, or hr-contact for the plan's HR contact")
    setting.add_argument("value", help="hours as words: 24/7, or 'Mon-Fri 8am-6pm CT'")
    setting.add_argument("--by", required=True, help="who checked it against the plan documents")
    setting.add_argument("--owner", help="who re-verifies it (a Slack or Discord user id)")
    setting.add_argument("--every", type=int, help="days between re-verifications (default 90)")
    setting.add_argument("--kind", help="for a new slot: phone, fax, tty, url, address, …")
    setting.add_argument("--label", help="for a new slot: what employees see it called")
    setting.add_argument("--note", help="a line employees see under the value ('' removes it)")
    _json(setting).set_defaults(run=_set)
    verifying = sub.add_parser("verify", help="record that a fact was checked again today")
    verifying.add_argument("slot")
    verifying.add_argument("--by", required=True)
    _json(verifying).set_defaults(run=_verify)
    retiring = sub.add_parser("retire", help="take a fact out of the plan (its history stays)")
    retiring.add_argument("slot")
    retiring.add_argument("--by", required=True)
    _json(retiring).set_defaults(run=_retire)
    history = sub.add_parser("history", help="every change, oldest first")
    history.add_argument("slot", nargs="?")
    _json(history).set_defaults(run=_history)
    importing = sub.add_parser("import", help="replace the plan with a plan file's")
    importing.add_argument("file", type=Path)
    importing.add_argument("--by", required=True)
    _json(importing).set_defaults(run=_import)
    exporting = sub.add_parser("export", help="print the plan as a plan file")
    options.add(exporting, "plan export", ("kb",))
    exporting.set_defaults(run=_export)


def _json(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--json", action="store_true", help="print JSON")
    options.add(parser, f"plan {parser.prog.split()[-1]}", ("kb",))
    return parser


def _upgrade(args: argparse.Namespace) -> int:
    upgrade(database_url())
    print("database schema is up to date")
    return 0


def with_store(args: argparse.Namespace, work: Callable[[PlanStore], Awaitable[T]]) -> T:
    """Migrate, open the store, do the work, close it."""
    url = database_url()
    upgrade(url)

    from adapters.store.plans import PlanStore  # SQLAlchemy: only for the commands that use it

    async def run() -> T:
        engine = connect(url)
        try:
            return await work(PlanStore(engine, getattr(args, "kb", None)))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _refusable(args: argparse.Namespace, work: Callable[[PlanStore], Awaitable[Any]]) -> int:
    from adapters.store.facts import Refused

    try:
        result = with_store(args, work)
    except Refused as refused:
        if getattr(args, "json", False):
            print(json.dumps({"refused": refused.problems}, indent=2))
        else:
            print("Refused; nothing was stored:", file=sys.stderr)
            for problem in refused.problems:
                print(f"  {problem}", file=sys.stderr)
        return EXIT_REFUSED
    _print(args, result)
    return 0


def _print(args: argparse.Namespace, result: Any) -> None:
    if getattr(args, "json", False):
        print(json.dumps(_jsonable(result), indent=2, ensure_ascii=False))
    elif isinstance(result, list):
        for item in result:
            print(_line(item))
    elif result is not None:
        print(_line(result))


def _line(item: Any) -> str:
    if hasattr(item, "due_on"):
        values = ", ".join(str(f.get("value", f.get("schedule", ""))) for f in item.body["facts"])
        owner = f", owner {item.owner}" if item.owner else ""
        return (
            f"{item.slot_id}: {values} (verified by {item.verified_by} on {item.verified_on}, "
            f"due {item.due_on()}{owner})"
        )
    if hasattr(item, "action"):
        return (
            f"{item.at:%Y-%m-%d %H:%M} {item.who} ({item.surface}) {item.action} "
            f"{item.slot_id or ''}: {json.dumps(item.before)} → {json.dumps(item.after)}"
        )
    return str(item)


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        data = asdict(value)
        if hasattr(value, "due_on"):
            data["due_on"] = value.due_on()
        return _jsonable(data)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _list(args: argparse.Namespace) -> int:
    today = dt.datetime.now(dt.UTC).date()
    return _refusable(args, lambda s: s.due(today) if args.due else s.slots())


def _set(args: argparse.Namespace) -> int:
    return _refusable(
        args,
        lambda s: s.set_value(
            args.slot,
            args.value,
            args.by,
            kind=args.kind,
            label=args.label,
            note=args.note,
            owner=args.owner,
            every_days=args.every,
        ),
    )


def _verify(args: argparse.Namespace) -> int:
    return _refusable(args, lambda s: s.verify(args.slot, args.by))


def _retire(args: argparse.Namespace) -> int:
    return _refusable(args, lambda s: s.retire(args.slot, args.by))


def _history(args: argparse.Namespace) -> int:
    return _refusable(args, lambda s: s.history(args.slot))


def _import(args: argparse.Namespace) -> int:
    async def run(store: PlanStore) -> str:
        count = await store.import_file(args.file, args.by)
        return f"imported {count} plan facts from {args.file}"

    return _refusable(args, run)


def _export(args: argparse.Namespace) -> int:
    text = with_store(args, lambda s: s.export())
    if text is None:
        print(
            "The store holds no plan yet: caremark-bot plan import FILE --by NAME", file=sys.stderr
        )
        return EXIT_REFUSED
    sys.stdout.write(text)
    return 0
