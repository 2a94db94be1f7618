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
    _which(exporting).set_defaults(run=_export)
    mapping = sub.add_parser(
        "map", help="answer a workspace, guild or channel from a plan (or set the default)"
    )
    mapping.add_argument("plan_id", metavar="PLAN", help="the plan's id, as in its file")
    _place(mapping)
    mapping.add_argument("--default", action="store_true", help="the deployment's default plan")
    mapping.add_argument("--by", required=True)
    _json(mapping).set_defaults(run=_map)
    unmapping = sub.add_parser("unmap", help="remove a mapping: that place gets the default")
    _place(unmapping)
    unmapping.add_argument("--default", action="store_true", help="the default plan's mapping")
    unmapping.add_argument("--by", required=True)
    _json(unmapping).set_defaults(run=_unmap)
    language = sub.add_parser(
        "language",
        help="the language a workspace or guild answers in when a question could be either",
    )
    language.add_argument(
        "language", choices=("en", "es", "auto"), help="auto: each person's app language"
    )
    _place(language)
    language.add_argument("--by", required=True)
    _json(language).set_defaults(run=_language)
    maps = sub.add_parser("maps", help="which plan answers where")
    _json(maps).set_defaults(run=_maps)
    for parser in (listing, setting, verifying, retiring, history):
        _which(parser)


def _which(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--plan-id", default=None, help="which stored plan (default: the default plan)"
    )
    return parser


def _place(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--platform", choices=("slack", "discord"), default="slack")
    parser.add_argument("--workspace", default="", help="Slack team id (T…) or Discord guild id")
    parser.add_argument("--channel", default="", help="one channel of it (C… or a channel id)")


def _route(args: argparse.Namespace) -> tuple[str, str, str]:
    if args.default:
        return ("any", "", "")
    return (args.platform, args.workspace.strip(), args.channel.strip())


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
            plan = getattr(args, "plan_id", None)
            return await work(PlanStore(engine, getattr(args, "kb", None), plan=plan))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _refusable(args: argparse.Namespace, work: Callable[[PlanStore], Awaitable[Any]]) -> int:
    from adapters.store.facts import Refused

    try:
        result = with_store(args, work)
    except Refused as refused:
        return _say_refused(args, refused.problems)
    _print(args, result)
    return 0


def _say_refused(args: argparse.Namespace, problems: list[str]) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"refused": problems}, indent=2))
    else:
        print("Refused; nothing was stored:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    return EXIT_REFUSED


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
    if hasattr(item, "workspace"):
        where = (
            "everywhere else (the default)"
            if item.platform == "any"
            else (
                f"{item.platform} {item.workspace}"
                + (f" channel {item.channel}" if item.channel else "")
            )
        )
        return f"{where}: {item.plan_id}"
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


def _map(args: argparse.Namespace) -> int:
    from adapters.store.routes import Route, set_route

    place = _route(args)
    if place[0] != "any" and not place[1]:
        return _say_refused(args, ["give --workspace (a Slack team or Discord guild id)"])
    route = Route(*place, args.plan_id)
    return _refusable(args, lambda s: set_route(s.engine, route, args.by))


def _unmap(args: argparse.Namespace) -> int:
    from adapters.store.routes import drop_route

    async def run(store: PlanStore) -> str:
        gone = await drop_route(store.engine, _route(args), args.by)
        return "removed" if gone else "there was no mapping there"

    return _refusable(args, run)


def _language(args: argparse.Namespace) -> int:
    from adapters.store.places import set_language

    chosen = None if args.language == "auto" else args.language
    place = (args.platform, args.workspace.strip())

    async def run(store: PlanStore) -> str:
        await set_language(store.engine, place, chosen, args.by)
        return f"{place[0]} {place[1]}: {args.language}"

    return _refusable(args, run)


def _maps(args: argparse.Namespace) -> int:
    from adapters.store.routes import routes

    return _refusable(args, lambda s: routes(s.engine))


def _export(args: argparse.Namespace) -> int:
    text = with_store(args, lambda s: s.export())
    if text is None:
        print(
            "The store holds no plan yet: caremark-bot plan import FILE --by NAME", file=sys.stderr
        )
        return EXIT_REFUSED
    sys.stdout.write(text)
    return 0
