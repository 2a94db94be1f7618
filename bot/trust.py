"""How far each fact can be trusted, and which facts a slot may show.

Trust follows from sources: a plan source (the deploying HR team) beats an official CVS page,
which beats another plan sponsor's page, which beats the seed article alone. Findings (today the
flags recorded in the data; later the automatic audit) can withhold a fact entirely. Checks are
plain functions, so the audit plugs in by adding to `CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.knowledge import FactRecord, Knowledge
from bot.model import FlagKind, Source
from bot.reply import Badge, Trust

WITHHELD_FLAGS: frozenset[FlagKind] = frozenset(
    {"contradicted", "near-miss", "lookalike-domain", "superseded"}
)
"""Findings that keep a fact from ever being shown as a contact."""

TRUST_OF_SOURCE: Mapping[str, Trust] = {
    "plan": Trust.PLAN_VERIFIED,
    "official": Trust.OFFICIAL,
    "plan-sponsor": Trust.CORROBORATED,
    "third-party": Trust.UNVERIFIED,
    "seed": Trust.UNVERIFIED,
}
RANK = {trust: rank for rank, trust in enumerate(Trust)}
"""Lower is stronger: the order of the `Trust` enum."""

SAFE_BADGE = Badge(Trust.SAFE_ADVICE, "Safe default: right for every plan")


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong with a fact: withheld ones are never shown, others carry a caution."""

    kind: str
    note: str
    withhold: bool
    evidence: tuple[str, ...] = ()


Check = Callable[[FactRecord, Knowledge], Iterable[Finding]]


def recorded_flags(record: FactRecord, kb: Knowledge) -> Iterable[Finding]:
    """The findings written into the knowledge base by hand (from FACTS.md)."""
    for flag in record.fact.flags:
        yield Finding(flag.kind, flag.note, flag.kind in WITHHELD_FLAGS, tuple(flag.evidence))


CHECKS: tuple[Check, ...] = (recorded_flags,)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A fact's trust level, the badge that says so, and its findings."""

    record: FactRecord
    trust: Trust
    badge: Badge
    findings: tuple[Finding, ...]

    @property
    def withheld(self) -> bool:
        return any(f.withhold for f in self.findings)

    @property
    def cautions(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.withhold)


def assess(record: FactRecord, kb: Knowledge, checks: Iterable[Check] = CHECKS) -> Assessment:
    sources = [kb.sources[c.source] for c in record.fact.sources if c.source in kb.sources]
    best = min(sources, key=lambda s: RANK[TRUST_OF_SOURCE[s.kind]], default=None)
    trust = TRUST_OF_SOURCE[best.kind] if best else Trust.UNVERIFIED
    findings = tuple(f for check in checks for f in check(record, kb))
    return Assessment(record, trust, badge(trust, best), findings)


def badge(trust: Trust, source: Source | None) -> Badge:
    """The words shown beside a fact, so every reader knows how far to trust it."""
    checked = source.checked.isoformat() if source and source.checked else "an unknown date"
    site = urlsplit(source.url).hostname if source and source.url else None
    site = site.removeprefix("www.") if site else "a public page"
    match trust:
        case Trust.PLAN_VERIFIED:
            who = source.verified_by if source else "your HR team"
            return Badge(trust, f"Verified by {who} on {checked}")
        case Trust.OFFICIAL:
            return Badge(trust, f"Official source ({site}), checked {checked}")
        case Trust.CORROBORATED:
            return Badge(
                trust, f"Seen on another plan's page ({site}, {checked}); yours may differ"
            )
        case Trust.SAFE_ADVICE:
            return SAFE_BADGE
        case _:
            return Badge(trust, "Unverified: confirm with the number on your member ID card")


@dataclass(frozen=True, slots=True)
class Selection:
    """What a slot shows (the strongest facts that are not withheld) and what it hides."""

    shown: tuple[Assessment, ...]
    withheld: tuple[Assessment, ...]


def select(slot_id: str, kb: Knowledge, checks: Iterable[Check] = CHECKS) -> Selection:
    assessed = [assess(r, kb, checks) for r in kb.facts.get(slot_id, ())]
    showable = [a for a in assessed if not a.withheld]
    strongest = min((RANK[a.trust] for a in showable), default=None)
    return Selection(
        shown=tuple(a for a in showable if RANK[a.trust] == strongest),
        withheld=tuple(a for a in assessed if a.withheld),
    )
