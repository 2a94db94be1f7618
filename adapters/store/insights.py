"""What the HR team's report is made of, as stored: answers counted by day, place, topic,
outcome and language (never who asked or what they typed), feedback votes,
and unanswered questions kept only as redacted text. People appear only as a keyed hash
(HMAC), so votes can be counted once each and questions counted by different people, but
nobody can be looked up. Unanswered questions and votes are deleted after the retention
period; counts keep nothing personal and are kept until purged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.store.insights_settings import RETENTION_DAYS
from adapters.store.tables import answer_events, deployment_keys, feedback_votes, unanswered
from bot.answer.normalize import matchable
from bot.ports import Answered
from bot.safety import pii

HASH_KEY = "CAREMARK_HASH_KEY"
MAX_TEXT = 300
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|info|co|io|us|ly)\b\S*", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d[\d\s().-]*\d|\d")
_PLACEHOLDERS = re.compile(r"\[(?:id|e-mail|link)\]|#")
_LABEL_WORDS = frozenset(
    (
        "my", "mi", "is", "es", "el", "la", "de", "del", "number", "numero", "no", "member",
        "miembro", "subscriber", "afiliado", "id", "rx", "group", "grp", "policy", "poliza",
        "ssn", "social", "security", "seguro", "card", "tarjeta", "dob", "born", "birth",
        "birthday", "date", "fecha", "nacimiento", "naci", "nacido", "nacida",
    )
)  # fmt: skip
"""Words that introduce an identifier (and the little words around them), left out of a
question's key so the same question with different pasted details groups together."""


def scrub(text: str) -> str:
    """The text with identifiers, e-mail addresses, links and every number taken out."""
    text = pii.redact(text, marker="[id]")
    text = _EMAIL.sub("[e-mail]", text)
    text = _LINK.sub("[link]", text)
    text = _DIGITS.sub("#", text)
    return " ".join(text.split())[:MAX_TEXT]


def question_key(redacted: str) -> str:
    """What questions that read the same share, whatever was pasted into them: their words,
    without what was taken out, the labels it came with ("member ID", "fecha de
    nacimiento") or the little words around them."""
    words = matchable(_PLACEHOLDERS.sub(" ", redacted)).split()
    return " ".join(w for w in words if w not in _LABEL_WORDS)[:200]


def person(key: bytes, platform: str, user: str) -> str:
    """A person as the store knows them: a keyed hash, the same on every instance."""
    return hmac.new(key, f"{platform}:{user}".encode(), hashlib.sha256).hexdigest()


async def hash_key(db: AsyncEngine, env: Mapping[str, str] | None = None) -> bytes:
    """`CAREMARK_HASH_KEY`, else the deployment's own key, made once in the store."""
    given = (os.environ if env is None else env).get(HASH_KEY, "").strip()
    if given:
        return given.encode()
    c = deployment_keys.c
    query = select(c.value).where(c.name == "people")
    async with db.connect() as connection:
        found = (await connection.execute(query)).scalar()
    if found is None:
        try:
            async with db.begin() as connection:
                made = secrets.token_hex(32)
                await connection.execute(insert(deployment_keys).values(name="people", value=made))
            found = made
        except IntegrityError:  # another instance made it first
            async with db.connect() as connection:
                found = (await connection.execute(query)).scalar()
    return str(found).encode()


async def record(db: AsyncEngine, answered: Iterable[tuple[dt.date, Answered]]) -> int:
    """Count answers: one row per day, place, topic, outcome and language in this batch."""
    counts: Counter[tuple[dt.date, str, str | None, str, str, str | None]] = Counter()
    for day, event in answered:
        topic = event.topic[:80] if event.topic else None
        key = (day, event.platform[:16], topic, event.outcome[:16], event.language[:8], event.plan)
        counts[key] += 1
    rows = [
        {
            "day": day,
            "platform": platform,
            "topic": topic,
            "outcome": result,
            "language": language,
            "plan_id": plan,
            "count": count,
        }
        for (day, platform, topic, result, language, plan), count in counts.items()
    ]
    if rows:
        async with db.begin() as connection:
            await connection.execute(insert(answer_events), rows)
    return sum(counts.values())


async def vote(
    db: AsyncEngine,
    answer: str,
    voter: str,
    *,
    platform: str,
    topic: str | None,
    language: str,
    helpful: bool,
    day: dt.date,
) -> bool:
    """One vote per person per answer: False when this person already voted on it."""
    try:
        async with db.begin() as connection:
            await connection.execute(
                insert(feedback_votes).values(
                    answer=answer[:64],
                    voter=voter,
                    day=day,
                    platform=platform,
                    topic=topic,
                    language=language,
                    helpful=helpful,
                )
            )
    except IntegrityError:
        return False
    return True


def unanswered_row(
    text: str, voter: str, *, platform: str, language: str, why: str, day: dt.date
) -> dict[str, object] | None:
    """A question nothing answered as it is stored: redacted, with its key; None when
    nothing is left of it once redacted."""
    redacted = scrub(text)
    key = question_key(redacted)
    if not key:
        return None
    return {
        "day": day,
        "platform": platform,
        "language": language,
        "why": why,
        "text": redacted,
        "key": key,
        "voter": voter,
    }


async def keep_unanswered(
    db: AsyncEngine,
    text: str,
    voter: str,
    *,
    platform: str,
    language: str,
    why: str,
    day: dt.date,
    retention: int = RETENTION_DAYS,
) -> bool:
    """Keep a question nothing answered, redacted; False when there is nothing left of it,
    or retention is 0 (collection off)."""
    row = unanswered_row(text, voter, platform=platform, language=language, why=why, day=day)
    if retention <= 0 or row is None:
        return False
    return await keep_all(db, [row]) == 1


async def keep_all(db: AsyncEngine, rows: list[dict[str, object]]) -> int:
    if rows:
        async with db.begin() as connection:
            await connection.execute(insert(unanswered), rows)
    return len(rows)


async def purge(db: AsyncEngine, before: dt.date | None = None) -> dict[str, int]:
    """Delete what is older than `before` (everything when None), table by table."""
    deleted = {}
    async with db.begin() as connection:
        for table in (unanswered, feedback_votes, answer_events):
            query = delete(table)
            if before is not None:
                query = query.where(table.c.day < before)
            deleted[table.name] = (await connection.execute(query)).rowcount or 0
    return deleted


async def apply_retention(db: AsyncEngine, today: dt.date, days: int) -> dict[str, int]:
    """Delete unanswered questions and votes older than `days`. With 0, no question is kept
    at all (collection is off) and votes are left alone."""
    questions = today - dt.timedelta(days=days) if days else dt.date.max
    async with db.begin() as connection:
        gone = await connection.execute(delete(unanswered).where(unanswered.c.day < questions))
        deleted = {"unanswered": gone.rowcount, "feedback_votes": 0}
        if days:
            old = feedback_votes.c.day < today - dt.timedelta(days=days)
            gone = await connection.execute(delete(feedback_votes).where(old))
            deleted["feedback_votes"] = gone.rowcount
    return deleted


async def claim_once(db: AsyncEngine, name: str) -> bool:
    """True for the one caller, on any instance, that claims `name` first (the weekly
    digest of one Monday, say)."""
    try:
        async with db.begin() as connection:
            stamp = dt.datetime.now(dt.UTC).isoformat()
            await connection.execute(insert(deployment_keys).values(name=name[:32], value=stamp))
    except IntegrityError:
        return False
    return True
