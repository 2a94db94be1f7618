"""How far each fact can be trusted, and which facts a slot may show.

Trust follows from sources: a plan source (the deploying HR team) beats an official CVS page,
which beats another plan sponsor's page, which beats the seed article alone. The audit's findings
(`bot/audit.py`) can withhold a fact entirely; the render policy here honours them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from bot.i18n import Phrase, Value
from bot.kb.knowledge import FactRecord, Knowledge
from bot.kb.model import Source
from bot.reply import Trust

TRUST_OF_SOURCE: Mapping[str, Trust] = {
    "plan": Trust.PLAN_VERIFIED,
    "official": Trust.OFFICIAL,
    "plan-sponsor": Trust.CORROBORATED,
    "third-party": Trust.UNVERIFIED,
    "seed": Trust.UNVERIFIED,
}
RANK = {trust: rank for rank, trust in enumerate(Trust)}
"""Lower is stronger: the order of the `Trust` enum."""

SAFE_BADGE = Phrase.of("badge.safe")


class Severity(StrEnum):
    ERROR = "error"
    WITHHELD = "withheld"
    CAUTION = "caution"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the audit found about a fact. `note` is for employees (put into words in
    their language) and never repeats the value; `detail` is for the operator's report."""

    rule: str
    severity: Severity
    note: Phrase | None
    detail: str
    evidence: tuple[str, ...] = ()
    demotes: bool = False
    """The fact is shown as not confirmed, whatever its source (a plan fact long unchecked)."""

    @property
    def withhold(self) -> bool:
        """Withheld and error findings both keep the fact from being shown."""
        return self.severity in (Severity.WITHHELD, Severity.ERROR)


Findings = Mapping[str, tuple[Finding, ...]]


@dataclass(frozen=True, slots=True)
class Assessment:
    """A fact's trust level, the badge that says so, and its findings."""

    record: FactRecord
    trust: Trust
    badge: Phrase
    findings: tuple[Finding, ...]

    @property
    def withheld(self) -> bool:
        return any(f.withhold for f in self.findings)

    @property
    def cautions(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.CAUTION)


def best_source(record: FactRecord, kb: Knowledge) -> Source | None:
    """The strongest source a fact cites; of equals, the one checked most recently."""
    sources = [kb.sources[c.source] for c in record.fact.sources if c.source in kb.sources]
    return min(sources, key=_strength, default=None)


def _strength(source: Source) -> tuple[int, int]:
    checked = source.checked.toordinal() if source.checked else 0
    return RANK[TRUST_OF_SOURCE[source.kind]], -checked


def trust_of(record: FactRecord, kb: Knowledge) -> Trust:
    source = best_source(record, kb)
    return TRUST_OF_SOURCE[source.kind] if source else Trust.UNVERIFIED


def assess(record: FactRecord, kb: Knowledge, findings: Findings) -> Assessment:
    found = findings.get(record.id, ())
    trust = Trust.UNVERIFIED if any(f.demotes for f in found) else trust_of(record, kb)
    return Assessment(record, trust, badge(trust, best_source(record, kb)), found)


def badge(trust: Trust, source: Source | None) -> Phrase:
    """The words shown beside a fact, so every reader knows how far to trust it."""
    checked: Value = Phrase.of("badge.unknown_date")
    if source and source.checked:
        checked = source.checked.isoformat()
    host = urlsplit(source.url).hostname if source and source.url else None
    site: Value = host.removeprefix("www.") if host else Phrase.of("badge.a_page")
    match trust:
        case Trust.PLAN_VERIFIED:
            who: Value = Phrase.of("badge.your_hr")
            if source and source.verified_by:
                who = source.verified_by
            return Phrase.of("badge.verified", who=who, date=checked)
        case Trust.OFFICIAL:
            return Phrase.of("badge.official", site=site, date=checked)
        case Trust.CORROBORATED:
            return Phrase.of("badge.corroborated", site=site, date=checked)
        case Trust.SAFE_ADVICE:
            return SAFE_BADGE
        case _:
            return Phrase.of("badge.unverified")


@dataclass(frozen=True, slots=True)
class Selection:
    """What a slot shows (the strongest facts that are not withheld), CVS's public facts
    shown after a plan's own, and what it hides."""

    shown: tuple[Assessment, ...]
    withheld: tuple[Assessment, ...]
    public: tuple[Assessment, ...] = ()


def select(
    slot_id: str, kb: Knowledge, findings: Findings, *, hide_unverified: bool = False
) -> Selection:
    """The strongest facts a slot may show; with `hide_unverified`, seed-only facts never are.
    Where the plan has its own fact, CVS's official one still follows it, marked as public,
    unless the plan's slot says `replaces_official`."""
    assessed = [assess(r, kb, findings) for r in kb.facts.get(slot_id, ())]
    showable = [
        a
        for a in assessed
        if not a.withheld and not (hide_unverified and a.trust is Trust.UNVERIFIED)
    ]
    strongest = min((RANK[a.trust] for a in showable), default=None)
    planned = strongest == RANK[Trust.PLAN_VERIFIED] and slot_id not in kb.replaces_official
    return Selection(
        shown=tuple(a for a in showable if RANK[a.trust] == strongest),
        withheld=tuple(a for a in assessed if a.withheld),
        public=tuple(a for a in showable if a.trust is Trust.OFFICIAL) if planned else (),
    )
