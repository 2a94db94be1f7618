"""`caremark-bot report | data purge`: the HR team's report from the store, and deleting
what it is built from."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from adapters.cli import options

FORMATS = ("text", "json", "csv", "html")
DEFAULT_DAYS = 90


def register(commands: Any) -> None:
    report = commands.add_parser("report", help="what employees ask, what helps, plan health")
    options.add(report, "report", ("kb",))
    report.add_argument("--since", type=_date, help="first day (YYYY-MM-DD; default 90 days ago)")
    report.add_argument("--format", choices=FORMATS, default="text")
    report.add_argument("--out", type=Path, help="write to this file instead of printing")
    report.set_defaults(run=_report)
    data = commands.add_parser("data", help="the stored insights: purge them")
    sub = data.add_subparsers(title="data commands", metavar="DATA_COMMAND", required=True)
    purge = sub.add_parser("purge", help="delete counts, votes and unanswered questions")
    purge.add_argument("--before", type=_date, help="only what is older than this day")
    purge.add_argument("--yes", action="store_true", help="really delete (else: say what would go)")
    purge.set_defaults(run=_purge)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text[:20]!r}: use YYYY-MM-DD") from None


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def built(kb_dir: Path | None, since: dt.date, until: dt.date) -> Any:
    """The report, from the store `DATABASE_URL` names (or the embedded one)."""
    from adapters import report
    from adapters.store.database import connect, database_url, upgrade
    from adapters.store.plans import PlanStore
    from bot.gate import load
    from bot.kb.knowledge import default_plan

    url = database_url()
    await asyncio.to_thread(upgrade, url)
    db = connect(url)
    try:
        kb = load(kb_dir, default_plan())
        slots = await PlanStore(db).slots() if await PlanStore(db).plan_id() else []
        return await report.build(db, since, until, kb, slots)
    finally:
        await db.dispose()


def _report(args: argparse.Namespace) -> int:
    from adapters import report

    until = today()
    since = args.since or until - dt.timedelta(days=DEFAULT_DAYS)
    made = asyncio.run(built(getattr(args, "kb", None), since, until))
    if args.format == "html":
        from adapters.report_page import page

        text = page(made)
    else:
        text = {"text": report.as_text, "json": report.as_json, "csv": report.as_csv}[args.format](
            made
        )
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from adapters.store.database import connect, database_url, upgrade
    from adapters.store.insights import purge

    if not args.yes:
        what = f"older than {args.before}" if args.before else "all of it"
        print(f"Would delete counts, votes and unanswered questions ({what}); add --yes.")
        return 0

    async def run() -> dict[str, int]:
        url = database_url()
        await asyncio.to_thread(upgrade, url)
        db = connect(url)
        try:
            return await purge(db, args.before)
        finally:
            await db.dispose()

    for table, count in asyncio.run(run()).items():
        print(f"{table}: {count} deleted")
    return 0
