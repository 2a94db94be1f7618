"""The report in one line (for `/caremark admin`), and the weekly digest plan admins can opt
into (`CAREMARK_WEEKLY_DIGEST=on`): every Monday morning (UTC), last week's numbers, the top
questions nothing answered and the facts coming due, as a direct message; claimed in the
store first, so it is sent once however many instances run."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from adapters.background import while_serving
from adapters.recheck import Messenger
from adapters.report import Report
from bot.i18n import words

log = logging.getLogger(__name__)
SEND_HOUR = 8
CHECK_EVERY_SECONDS = 600.0
SOON_DAYS = 14


def enabled(env: Mapping[str, str] | None = None) -> bool:
    raw = (os.environ if env is None else env).get("CAREMARK_WEEKLY_DIGEST", "")
    return raw.strip().lower() in ("on", "1", "yes", "true")


def _share(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


def summary(report: Report, language: str = "en", *, compact: bool = False) -> str:
    """The report in one sentence (`compact`: in under 100 characters, for Discord)."""
    votes = sum(n for _, _, n in report.helpful)
    helpful = sum(h for _, h, _ in report.helpful) / votes if votes else None
    return words(language)(
        "insights.compact" if compact else "insights.summary",
        days=str((report.until - report.since).days + 1),
        questions=f"{report.questions:,}",
        answered=_share(report.answered_share),
        helpful=_share(helpful),
        verified=_share(report.health.share),
    )


def digest(report: Report, soon: Sequence[str], language: str = "en") -> str:
    said = words(language)
    none = said("insights.none")
    unanswered = "; ".join(f"{text} ({n})" for text, n in report.unanswered[:5]) or none
    due = "; ".join(label for label, _ in report.health.due_seen[:5]) or none
    return "\n".join(
        [
            said("insights.digest_title", since=str(report.since), until=str(report.until)),
            summary(report, language),
            said("insights.digest_unanswered", items=unanswered),
            said("insights.digest_due", items=due),
            said("insights.digest_soon", items="; ".join(soon[:5]) or none),
            said("insights.digest_report"),
        ]
    )


class WeeklyDigest:
    def __init__(
        self,
        db: Any,
        messengers: Sequence[Messenger],
        admin_ids: frozenset[str],
        kb: Callable[[], Any],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._db, self._messengers, self._admins = db, messengers, admin_ids
        self._kb, self._now = kb, now

    async def send_if_due(self) -> bool:
        """On Monday from 08:00 UTC, once across instances: last week's digest to every
        plan admin a messenger reaches. True when this instance sent it."""
        from adapters.desk import standing
        from adapters.report import build
        from adapters.store.insights import claim_once
        from adapters.store.plans import PlanStore

        now = self._now()
        if now.weekday() != 0 or now.hour < SEND_HOUR:
            return False
        monday = now.date()
        if not await claim_once(self._db, f"digest:{monday}"):
            return False
        store = PlanStore(self._db)
        slots = await store.slots() if await store.plan_id() else []
        report = await build(self._db, monday - dt.timedelta(days=7), monday, self._kb(), slots)
        horizon = monday + dt.timedelta(days=SOON_DAYS)
        soon = [
            str(s.body.get("label", s.slot_id))
            for s in slots
            if standing(s, monday).value == "verified" and s.due_on() <= horizon
        ]
        text = digest(report, soon)
        for admin in sorted(self._admins):
            messenger = next((m for m in self._messengers if m.reaches(admin)), None)
            if messenger is None:
                continue
            try:
                await messenger.say(admin, text)
            except Exception:
                log.exception("the weekly digest could not reach a plan admin")
        return True

    async def run(self, interval: float = CHECK_EVERY_SECONDS) -> None:
        while True:
            try:
                await self.send_if_due()
            except Exception:
                log.exception("the weekly digest failed")
            await asyncio.sleep(interval)

    def context(self) -> Callable[[Any], Any]:
        return while_serving(self.run)
