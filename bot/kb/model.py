"""The knowledge-base schema: what a YAML file under `knowledge/` may contain.

A *slot* is one thing an employee needs ("CVS Specialty's phone number"); its *facts* are
candidate values, each with the sources that back it. Topics show slots, never raw values, so
the trust policy (fed by the audit) decides which fact, if any, is displayed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
SlotId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", max_length=80)]
FactId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=96)]
"""A fact's own id, or the one it is given: its slot's id and its place (`x.phone-2`)."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=150, strip_whitespace=True)]
TimeOfDay = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")]
DaySpec = Annotated[
    str,
    StringConstraints(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$"),
]

SourceKind = Literal["seed", "official", "plan-sponsor", "third-party", "plan"]
ContactKind = Literal["phone", "fax", "tty", "email", "url", "address"]
CONTACT_KINDS: frozenset[str] = frozenset(get_args(ContactKind))
PHONE_KINDS: frozenset[str] = frozenset({"phone", "fax", "tty"})


class Strict(BaseModel):
    """Base for every schema object: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where facts come from: the seed article, or a public page checked on a date."""

    id: Id
    kind: SourceKind
    title: Short
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = None
    file: str | None = Field(None, description="Seed file, relative to the repository root.")
    checked: dt.date | None = Field(None, description="When the page was last read.")
    verified_by: Short | None = Field(None, description="Who verified a plan source.")
    review_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        None,
        description="Days after `checked` when facts citing it are due for review (past twice "
        "that, they are withheld); default: the knowledge base's review_days.",
    )

    @model_validator(mode="after")
    def _shape(self) -> Source:
        if self.kind == "seed" and not self.file:
            raise ValueError("a seed source needs 'file'")
        if self.kind in ("official", "plan-sponsor", "third-party") and not (
            self.url and self.checked
        ):
            raise ValueError(f"a {self.kind} source needs 'url' and 'checked'")
        if self.kind == "plan" and not (self.verified_by and self.checked):
            raise ValueError("a plan source needs 'verified_by' and 'checked'")
        return self


class Citation(Strict):
    """One source backing one fact: seed line numbers, or a short quote from a page."""

    source: Id
    lines: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    quote: Text | None = None


class FactBase(Strict):
    """What every fact has: an id, its sources and an optional note."""

    id: Id | None = Field(None, description="Defaults to '<slot>-<n>'.")
    sources: list[Citation] = Field(default_factory=list)
    note: Text | None = None


class NearConfirmation(Strict):
    """A reviewed acknowledgement that a number really is this close to another trusted one."""

    number: Short = Field(description="The trusted number this one is within two digits of.")
    reason: Text = Field(description="Why both numbers are right, and where that was checked.")


class ValueFact(FactBase):
    """A contact value or a statement: a number, an address, a delivery time, a claim."""

    value: Text
    confirm_near: list[NearConfirmation] = Field(
        default_factory=list,
        description="Trusted numbers this one is knowingly within two digits of; without "
        "it, such a number is refused as a likely typo.",
    )


class MenuFact(ValueFact):
    """A phone-menu option: the key to press and what it reaches."""

    digit: Annotated[str, StringConstraints(pattern=r"^[0-9*#]$")]


class Window(Strict):
    """Opening hours on a run of weekdays, in the schedule's time zone."""

    days: DaySpec
    open: TimeOfDay
    close: TimeOfDay


class Schedule(Strict):
    """When a line is open (or busy, or best to call): always, or weekly windows."""

    tz: Short = "America/Chicago"
    always: bool = False
    windows: tuple[Window, ...] = Field(default_factory=tuple)  # hashable: keys a cache

    @model_validator(mode="after")
    def _shape(self) -> Schedule:
        if self.always == bool(self.windows):
            raise ValueError("a schedule is either 'always: true' or has 'windows'")
        return self


class HoursFact(FactBase):
    """The hours of a line, with the kind of window it describes."""

    schedule: Schedule


class SlotBase(Strict):
    """One thing an employee needs, and the safe advice when no fact can be shown."""

    id: SlotId
    label: Short
    fallback: Text | None = Field(None, description="Shown when every fact is withheld.")


class ContactSlot(SlotBase):
    kind: ContactKind
    toll_free: bool = Field(False, description="The audit checks that numbers here are toll-free.")
    facts: list[ValueFact] = Field(min_length=1)


class StatementSlot(SlotBase):
    kind: Literal["delivery-time", "claim"]
    facts: list[ValueFact] = Field(min_length=1)


class MenuSlot(SlotBase):
    kind: Literal["menu-option"]
    facts: list[MenuFact] = Field(min_length=1)


class HoursSlot(SlotBase):
    kind: Literal["hours"]
    window: Literal["open", "busy", "best"] = "open"
    facts: list[HoursFact] = Field(min_length=1)


Slot = Annotated[ContactSlot | StatementSlot | MenuSlot | HoursSlot, Field(discriminator="kind")]
SLOT_KINDS: tuple[str, ...] = (
    *get_args(ContactKind),
    "delivery-time",
    "claim",
    "menu-option",
    "hours",
)


class PlanContactSlot(ContactSlot):
    """A plan's contact slot. Its facts are shown first; CVS's public ones follow, marked as
    such, unless the plan says they do not apply to its members."""

    replaces_official: bool = Field(
        False, description="Your plan's facts replace CVS's public ones here: show only yours."
    )


PlanSlot = Annotated[
    PlanContactSlot | StatementSlot | MenuSlot | HoursSlot, Field(discriminator="kind")
]


class Faq(Strict):
    """The article FAQ a topic answers."""

    number: Annotated[int, Field(ge=1, le=10)]
    question: Text


class Topic(Strict):
    """One answer: the direct answer first, the detail after, and the slots it shows."""

    id: Id
    title: Short
    category: Id
    aliases: list[Short] = Field(default_factory=list, description="Exact phrasings.")
    keywords: list[Short] = Field(default_factory=list, description="Words and phrases.")
    examples: list[Short] = Field(
        default_factory=list,
        description="Questions as employees type them; messages are compared with these.",
    )
    lead: Text | None = Field(
        None,
        description="The first thing shown: the number to call, the place to go, yes or no "
        "(default: the summary's first sentence).",
    )
    summary: Text = Field(description="The detail, shown under 'More details'.")
    key: list[SlotId] | None = Field(
        None,
        description="Slots shown in the first message (default: the first contact slot in "
        "'show'); the rest wait for 'More details'.",
    )
    weak: bool = Field(
        False, description="Answers only when no other topic fits (greetings, off-topic)."
    )
    show: list[SlotId] = Field(default_factory=list, description="Slots, in display order.")
    steps: list[Text] = Field(default_factory=list)
    warnings: list[Text] = Field(default_factory=list)
    related: list[Id] = Field(default_factory=list)
    faq: Faq | None = None
    sources: list[Citation] = Field(default_factory=list)
    reviewed: dt.date
    generated: Literal["directory", "hours"] | None = Field(
        None, description="Built from the whole knowledge base instead of 'show'."
    )
    routed: bool = Field(
        False, description="Sensitive: point to a person (plan channel, HR contact), privately."
    )


class Category(Strict):
    id: Id
    title: Short


class Settings(Strict):
    """How the knowledge base is kept: review intervals and trusted domains. The bot's own
    words live in its catalogues (`bot/i18n/`)."""

    review_days: Annotated[int, Field(ge=1)] = Field(
        365,
        description="After this many days unchecked a fact needs review; after twice, it "
        "is withheld.",
    )
    allowed_domains: list[Short] = Field(
        default_factory=list, description="Domains trusted besides CVS's own."
    )
    featured: list[Id] = Field(
        default_factory=list,
        description="Topics offered as buttons when a question finds nothing, or says hello.",
    )


class KnowledgeFile(Strict):
    """One YAML file of the shipped knowledge base; the loader merges them all."""

    settings: Settings | None = None
    categories: list[Category] = Field(default_factory=list)
    synonyms: dict[Short, list[Short]] = Field(default_factory=dict)
    stopwords: list[Short] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    slots: list[Slot] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)


Language = Literal["es"]
"""Languages the knowledge base is translated into, besides English."""
LANGUAGES: tuple[str, ...] = get_args(Language)


class TopicText(Strict):
    """A topic's words in another language; its slots, sources and values stay shared."""

    title: Short
    lead: Text | None = None
    summary: Text
    steps: list[Text] = Field(default_factory=list)
    warnings: list[Text] = Field(default_factory=list)
    aliases: list[Short] = Field(default_factory=list)
    keywords: list[Short] = Field(default_factory=list)
    examples: list[Short] = Field(default_factory=list)


class SlotText(Strict):
    label: Short
    fallback: Text | None = None


class FactText(Strict):
    """A fact's note, and for statements (delivery times, claims, menu options) its value,
    which is prose; every number in it must be the original's."""

    note: Text | None = None
    value: Text | None = None


class Translation(Strict):
    """Prose in one more language, keyed by the ids of what it translates."""

    categories: dict[Id, Short] = Field(default_factory=dict)
    topics: dict[Id, TopicText] = Field(default_factory=dict)
    slots: dict[SlotId, SlotText] = Field(default_factory=dict)
    facts: dict[FactId, FactText] = Field(default_factory=dict)
    synonyms: dict[Short, list[Short]] = Field(default_factory=dict)
    stopwords: list[Short] = Field(default_factory=list)


class TranslationFile(Translation):
    """`knowledge/translations/<language>.yaml`: the whole knowledge base in one language."""

    language: Language


class Plan(Strict):
    """The deploying HR team's plan: who verified its facts, and when."""

    id: Id
    name: Short
    verified_by: Short
    verified_on: dt.date
    document: Short | None = Field(None, description="What the facts were checked against.")
    allowed_domains: list[Short] = Field(
        default_factory=list, description="The deployment's own trusted domains."
    )
    hr_contact: Text | None = Field(
        None, description="Who handles sensitive questions, e.g. a channel and a team name."
    )


class PlanFile(Strict):
    """A plan overlay: verified facts that win over everything shipped."""

    plan: Plan
    sources: list[Source] = Field(default_factory=list)
    slots: list[PlanSlot] = Field(min_length=1)
    translations: dict[Language, Translation] = Field(
        default_factory=dict,
        description="Your slots' labels and notes in other languages; where you give none, "
        "the shipped words are used with your values.",
    )


def json_schema(model: type[Strict]) -> dict[str, Any]:
    """The JSON Schema editors use to validate the YAML as people type."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
