"""The HR team's report: what employees ask, how it goes, which answers help, which questions
find nothing (only those at least three different people asked: k-anonymity), and whether the
plan's own facts are still verified. Built from the store in a handful of grouped queries, and
written as text, JSON or CSV (`adapters/report_page.py` draws the HTML page)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Integer, cast, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.desk import Standing, showing, standing
from adapters.store.tables import answer_events, feedback_votes, unanswered
from bot.kb.knowledge import Knowledge

K_ANONYMITY = 3
"""An unanswered question is shown only once this many different people asked it."""
TOP = 10
GUIDE_SHARE = 0.8
"""Guru's aim: four in five facts verified."""


@dataclass(frozen=True, slots=True)
class Health:
    verified: int = 0
    due: int = 0
    expired: int = 0
    due_seen: list[tuple[str, int]] = field(default_factory=list)
    """Facts due or expired, with how often employees asked the topic that shows them."""

    @property
    def share(self) -> float | None:
        total = self.verified + self.due + self.expired
        return self.verified / total if total else None


@dataclass(frozen=True, slots=True)
class Report:
    since: dt.date
    until: dt.date
    questions: int
    weeks: list[tuple[str, int]]
    outcomes: dict[str, int]
    platforms: dict[str, int]
    languages: dict[str, int]
    topics: list[tuple[str, int]]
    helpful: list[tuple[str, int, int]]
    """(topic, helpful votes, all votes), most voted first."""
    helpful_languages: dict[str, tuple[int, int]]
    """Per answer language: (helpful votes, all votes)."""
    unanswered: list[tuple[str, int]]
    """(redacted question, different people), only those at least K_ANONYMITY asked."""
    health: Health

    @property
    def answered_share(self) -> float | None:
        return self.outcomes.get("answered", 0) / self.questions if self.questions else None


async def build(
    db: AsyncEngine,
    since: dt.date,
    today: dt.date,
    kb: Knowledge | None = None,
    plan_slots: list[Any] | None = None,
) -> Report:
    """The report from `since` to `today`. `kb` names topics and facts; `plan_slots` (the
    store's) gives verification health."""
    e = answer_events.c
    in_range = (e.day >= since, e.day <= today)
    async with db.connect() as connection:

        async def grouped(column: Any) -> dict[str, int]:
            rows = await connection.execute(
                select(column, func.sum(e.count)).where(*in_range).group_by(column)
            )
            return {str(key or ""): int(count) for key, count in rows}

        columns = (e.day, e.outcome, e.platform, e.language, e.topic)
        if connection.dialect.name == "postgresql":  # one scan for all five counts
            found = await _in_one_scan(connection, columns, in_range, e.count)
        else:
            found = [await grouped(column) for column in columns]
        days, outcomes, platforms, languages, topics = found
        v = feedback_votes.c
        votes = await connection.execute(
            select(v.topic, func.sum(cast(v.helpful, Integer)), func.count())
            .where(v.day >= since, v.day <= today)
            .group_by(v.topic)
        )
        helpful = sorted(
            ((str(t or ""), int(h or 0), int(n)) for t, h, n in votes), key=lambda r: -r[2]
        )
        by_language = await connection.execute(
            select(v.language, func.sum(cast(v.helpful, Integer)), func.count())
            .where(v.day >= since, v.day <= today)
            .group_by(v.language)
        )
        helpful_languages = {str(la): (int(h or 0), int(n)) for la, h, n in by_language}
        u = unanswered.c
        asked = await connection.execute(
            select(u.key, func.count(func.distinct(u.voter)), func.max(u.text))
            .where(u.day >= since, u.day <= today)
            .group_by(u.key)
            .having(func.count(func.distinct(u.voter)) >= K_ANONYMITY)
            .order_by(func.count(func.distinct(u.voter)).desc())
            .limit(TOP)
        )
        unanswered_rows = [(str(text), int(people)) for _, people, text in asked]
    named = {t.id: t.title for t in kb.topics} if kb else {}
    top = Counter({named.get(k, k): n for k, n in topics.items() if k}).most_common(TOP)
    return Report(
        since=since,
        until=today,
        questions=sum(outcomes.values()),
        weeks=_weeks(days),
        outcomes=outcomes,
        platforms=platforms,
        languages=languages,
        topics=top,
        helpful=[(named.get(t, t) or "—", h, n) for t, h, n in helpful[:TOP]],
        helpful_languages=helpful_languages,
        unanswered=unanswered_rows,
        health=_health(plan_slots or [], today, kb, topics),
    )


async def _in_one_scan(
    connection: Any, columns: tuple[Any, ...], where: tuple[Any, ...], total: Any
) -> list[dict[str, int]]:
    """The counts by each column, from one pass over the table (GROUPING SETS)."""
    sets = func.grouping_sets(*(tuple_(column) for column in columns))
    rows = await connection.execute(
        select(*columns, func.grouping(*columns), func.sum(total)).where(*where).group_by(sets)
    )
    found: list[dict[str, int]] = [{} for _ in columns]
    last = len(columns) - 1
    for *values, mask, count in rows:
        which = next(n for n in range(len(columns)) if not mask & (1 << (last - n)))
        found[which][str(values[which] or "")] = int(count)
    return found


def _weeks(days: dict[str, int]) -> list[tuple[str, int]]:
    """Questions per week, each week named by its Monday."""
    weeks: Counter[str] = Counter()
    for day, count in days.items():
        date = dt.date.fromisoformat(day[:10])
        weeks[(date - dt.timedelta(days=date.weekday())).isoformat()] += count
    return sorted(weeks.items())


def _health(slots: list[Any], today: dt.date, kb: Knowledge | None, asks: dict[str, int]) -> Health:
    counts: Counter[Standing] = Counter()
    due_seen = []
    for slot in slots:
        where = standing(slot, today)
        counts[where] += 1
        if where is not Standing.VERIFIED:
            topic = showing(kb, slot.slot_id)[0] if kb else ""
            label = str(slot.body.get("label", slot.slot_id))
            due_seen.append((label, asks.get(topic, 0)))
    due_seen.sort(key=lambda row: -row[1])
    return Health(
        counts[Standing.VERIFIED], counts[Standing.DUE], counts[Standing.EXPIRED], due_seen[:TOP]
    )


def as_json(report: Report) -> str:
    data = asdict(report)
    data["since"], data["until"] = report.since.isoformat(), report.until.isoformat()
    data["answered_share"] = report.answered_share
    data["health"]["share_verified"] = report.health.share
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_csv(report: Report) -> str:
    """One table: section, name, value (and a second value where there is one)."""
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["section", "name", "value", "of"])
    rows.writerow(["total", "questions", report.questions, ""])
    for week, count in report.weeks:
        rows.writerow(["week", week, count, ""])
    for section, counts in (
        ("outcome", report.outcomes),
        ("platform", report.platforms),
        ("language", report.languages),
    ):
        for name, count in sorted(counts.items()):
            rows.writerow([section, name, count, ""])
    for topic, count in report.topics:
        rows.writerow(["topic", topic, count, ""])
    for topic, good, votes in report.helpful:
        rows.writerow(["helpful", topic, good, votes])
    for language, (good, votes) in sorted(report.helpful_languages.items()):
        rows.writerow(["helpful language", language, good, votes])
    for text, people in report.unanswered:
        rows.writerow(["unanswered", text, people, ""])
    h = report.health
    for name, count in (("verified", h.verified), ("due", h.due), ("expired", h.expired)):
        rows.writerow(["health", name, count, h.verified + h.due + h.expired])
    for label, asks in h.due_seen:
        rows.writerow(["due fact", label, asks, ""])
    return out.getvalue()


def as_text(report: Report) -> str:
    lines = [f"Questions {report.since} to {report.until}: {report.questions:,}"]
    if report.answered_share is not None:
        lines.append(f"  answered straight away: {report.answered_share:.0%}")
    for name, count in sorted(report.outcomes.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {name}: {count:,}")
    lines.append("Per week: " + ", ".join(f"{w} {n:,}" for w, n in report.weeks[-8:]) or "—")
    lines.append("Top topics:")
    lines += [f"  {topic}: {count:,}" for topic, count in report.topics] or ["  —"]
    lines.append("Helpful (yes / votes):")
    lines += [f"  {t}: {h} / {n}" for t, h, n in report.helpful] or ["  no votes yet"]
    lines += [f"  in {la}: {h} / {n}" for la, (h, n) in sorted(report.helpful_languages.items())]
    lines.append(f"Unanswered (asked by at least {K_ANONYMITY} people):")
    lines += [f"  {text} ({people} people)" for text, people in report.unanswered] or ["  —"]
    h = report.health
    share = f"{h.share:.0%}" if h.share is not None else "—"
    lines.append(
        f"Plan facts: {h.verified} verified, {h.due} due, {h.expired} expired "
        f"({share} verified; aim {GUIDE_SHARE:.0%})"
    )
    lines += [f"  due: {label} (its topic asked {asks:,} times)" for label, asks in h.due_seen]
    return "\n".join(lines) + "\n"
