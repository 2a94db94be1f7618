"""How long the HR team's report takes with a million stored answers, on the database
`DATABASE_URL` names (PostgreSQL for the target), and a picture of the page.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/report_build.py

Fills the tables with one million answers over a year, each its own row (the worst case:
the bot itself stores one row per kind of answer per second), votes and unanswered
questions; builds the report five times and prints the times (target: under 2 s); writes
`docs/report.html` and, with Chromium installed, a phone-width screenshot `docs/report.png`.
The tables are emptied afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from adapters import report  # noqa: E402
from adapters.report_page import page  # noqa: E402
from adapters.store import insights  # noqa: E402
from adapters.store.database import connect, database_url, upgrade  # noqa: E402
from bot.gate import load  # noqa: E402

DOCS = ROOT / "docs"
EXAMPLE_PLAN = ROOT / "knowledge" / "plans" / "example.yaml"
TOPICS = ("specialty", "mail-order", "lost-package", "hours", "prior-auth", "abroad", "refill")
OUTCOMES = ("answered", "answered", "answered", "answered", "suggested", "not-found")
TODAY = dt.date(2026, 12, 1)


async def fill(count: int) -> None:
    db = connect(database_url())
    try:
        await insights.purge(db)
        async with db.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(
                    text(
                        "insert into answer_events "
                        "(day, platform, topic, outcome, language, count) "
                        "select cast(:today as date) - (n % 365)::int, "
                        "(array['slack','discord'])[1 + n % 2], "
                        "(cast(:topics as text[]))[1 + (n / 3) % :ntopics], "
                        "(cast(:outcomes as text[]))[1 + (n / 5) % :noutcomes], "
                        "(array['en','en','en','es'])[1 + n % 4], 1 "
                        "from generate_series(1, :count) as n"
                    ).bindparams(
                        today=TODAY,
                        topics=list(TOPICS),
                        ntopics=len(TOPICS),
                        outcomes=list(OUTCOMES),
                        noutcomes=len(OUTCOMES),
                        count=count,
                    )
                )
            else:
                rows = [
                    {
                        "day": TODAY - dt.timedelta(days=n % 365),
                        "platform": ("slack", "discord")[n % 2],
                        "topic": TOPICS[(n // 3) % len(TOPICS)],
                        "outcome": OUTCOMES[(n // 5) % len(OUTCOMES)],
                        "language": ("en", "en", "en", "es")[n % 4],
                        "count": 1,
                    }
                    for n in range(count)
                ]
                await connection.execute(text("delete from answer_events"))
                from adapters.store.tables import answer_events

                await connection.execute(answer_events.insert(), rows)
        key = b"bench"
        for n in range(400):
            voter = insights.person(key, "slack", f"U{n}")
            await insights.vote(
                db, f"a{n}", voter, platform="slack", topic=TOPICS[n % len(TOPICS)],
                language="en", helpful=n % 5 != 0, day=TODAY - dt.timedelta(days=n % 80),
            )  # fmt: skip
        for n, question in enumerate(
            ["can my dog's prescription go through caremark", "do you cover travel vaccines"] * 4
        ):
            voter = insights.person(key, "slack", f"U{n}")
            await insights.keep_unanswered(
                db, question, voter, platform="slack", language="en", why="not-found", day=TODAY
            )
    finally:
        await db.dispose()


async def timed(runs: int) -> tuple[list[float], report.Report]:
    """Build the report `runs` times, with the example plan's facts for its health."""
    from adapters.store.plans import PlanStore

    db = connect(database_url())
    kb = load(plan=EXAMPLE_PLAN)
    try:
        store = PlanStore(db)
        if await store.plan_id() is None:
            await store.import_file(EXAMPLE_PLAN, "bench")
        times, made = [], None
        for _ in range(runs):
            start = time.perf_counter()
            slots = await store.slots()
            made = await report.build(db, TODAY - dt.timedelta(days=364), TODAY, kb, slots)
            times.append(time.perf_counter() - start)
        assert made is not None
        return times, made
    finally:
        await db.dispose()


async def empty() -> None:
    db = connect(database_url())
    try:
        await insights.purge(db)
    finally:
        await db.dispose()


def screenshot(html: Path, png: Path) -> bool:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return False
    with tempfile.TemporaryDirectory() as home:
        subprocess.run(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=414,3000",
                f"--screenshot={png}", html.as_uri(),
            ],
            check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": home},
        )  # fmt: skip
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    upgrade(database_url())
    started = time.perf_counter()
    asyncio.run(fill(args.events))
    print(f"stored {args.events:,} answers in {time.perf_counter() - started:.1f} s")
    times, made = asyncio.run(timed(args.runs))
    print(
        f"report over {made.questions:,} answers: median {statistics.median(times):.3f} s, "
        f"worst {max(times):.3f} s (target 2 s) on {database_url().split(':')[0]}"
    )
    DOCS.mkdir(exist_ok=True)
    html = DOCS / "report.html"
    html.write_text(page(made), encoding="utf-8")
    drawn = screenshot(html, DOCS / "report.png")
    print("wrote docs/report.html" + (" and docs/report.png" if drawn else ""))
    asyncio.run(empty())


if __name__ == "__main__":
    main()
