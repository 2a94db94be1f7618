"""The query the core receives and the platform-neutral reply it returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    CONSOLE = "console"
    SLACK = "slack"
    DISCORD = "discord"


class View(StrEnum):
    """How much of an answer to show: the first message, or everything under 'More details'."""

    BRIEF = "brief"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Query:
    """What someone asked, and what we know about them (never their identity). `posted` says
    whether others could see the text (a channel message) or not (a slash command)."""

    text: str
    platform: Platform = Platform.CONSOLE
    locale: str | None = None
    timezone: str | None = None
    plan: str | None = None
    view: View = View.BRIEF
    posted: bool = False
    language: str | None = None
    """A language the person chose (a button); otherwise the message and locale decide."""
    follows: str | None = None
    """The topic just answered in this conversation (a DM or a thread): a short follow-up
    ("in Spanish please", "how do I do that") is about it unless it names another."""


class Trust(StrEnum):
    """How far a shown fact can be trusted, strongest first."""

    PLAN_VERIFIED = "plan-verified"
    OFFICIAL = "official"
    CORROBORATED = "corroborated"
    UNVERIFIED = "unverified"
    SAFE_ADVICE = "safe-advice"


class Visibility(StrEnum):
    PRIVATE = "private"
    SHAREABLE = "shareable"


class ReplyKind(StrEnum):
    ANSWER = "answer"
    DIRECTORY = "directory"
    HOURS = "hours"
    SUGGESTIONS = "suggestions"
    NOT_FOUND = "not-found"
    VERIFY = "verify"
    PRIVACY = "privacy"
    MULTI = "multi"


@dataclass(frozen=True, slots=True)
class Badge:
    trust: Trust
    text: str


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A way to reach someone; `kind` is phone, fax, tty, email, url or address."""

    kind: str
    label: str
    value: str
    badge: Badge
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DetailRow:
    """A statement worth knowing: a menu option, a delivery time, a claim."""

    label: str
    value: str
    badge: Badge
    note: str | None = None


@dataclass(frozen=True, slots=True)
class HoursRow:
    """A line's hours; `open_now` is None for busy/best-time windows."""

    label: str
    window: str
    schedule: str
    badge: Badge
    open_now: bool | None = None
    local: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str
    badge: Badge


@dataclass(frozen=True, slots=True)
class TopicRef:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One entry of the provenance footer."""

    title: str
    detail: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A titled group of topics, for the directory."""

    title: str
    topics: tuple[TopicRef, ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer as a document that every adapter renders in its own way: the `lead` first,
    then whatever else the view holds. `more` says a fuller view exists ('More details');
    a multi-part answer holds one brief reply per question in `parts`."""

    kind: ReplyKind
    title: str
    lead: str
    summary: str = ""
    topic_id: str | None = None
    contacts: tuple[ContactRow, ...] = ()
    details: tuple[DetailRow, ...] = ()
    hours: tuple[HoursRow, ...] = ()
    steps: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    sections: tuple[Section, ...] = ()
    related: tuple[TopicRef, ...] = ()
    suggestions: tuple[TopicRef, ...] = ()
    warnings: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    reviewed: dt.date | None = None
    plan: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    view: View = View.FULL
    more: bool = False
    language: str = "en"
    parts: tuple[Reply, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the neutral reply as other programs see it."""
        data = asdict(self)
        data["reviewed"] = self.reviewed.isoformat() if self.reviewed else None
        data["parts"] = [part.to_json() for part in self.parts]
        return data
