"""Read the knowledge base (and an optional plan overlay) into validated, indexed objects.

`bot.gate.load` is the one way in: it adds the cross-file checks and the audit on top."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.kb.model import (
    SLOT_KINDS,
    Category,
    Citation,
    FactText,
    HoursFact,
    KnowledgeFile,
    MenuFact,
    Plan,
    PlanFile,
    Settings,
    Slot,
    SlotText,
    Source,
    Topic,
    TopicText,
    Translation,
    TranslationFile,
    ValueFact,
)
from bot.kb.yamlsource import Document, Path_, Problem, read, read_text

ROOT = Path(__file__).resolve().parent.parent.parent
PLAN_ENV = "CAREMARK_PLAN"
KB_ENV = "CAREMARK_KB"

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Fact = ValueFact | MenuFact | HoursFact


class KnowledgeError(Exception):
    """The knowledge base is broken; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True, slots=True)
class Located(Generic[T_co]):
    """A validated item and where it was written, for error messages."""

    item: T_co
    doc: Document
    path: Path_

    def problem(self, message: str, *, under: Path_ = ()) -> Problem:
        path = (*self.path, *under)
        return Problem(self.doc.file, self.doc.line_of(path), self.doc.locate(path)[1], message)


@dataclass(frozen=True, slots=True)
class FactRecord:
    """A fact with its id settled and the slot it fills."""

    id: str
    slot: Slot
    fact: Fact
    at: Located[Fact]


@dataclass(slots=True)
class Draft:
    """Everything read from the files, before cross-checks; each item keeps its location."""

    settings: list[Located[Settings]] = field(default_factory=list)
    categories: list[Located[Category]] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    stopwords: list[str] = field(default_factory=list)
    sources: list[Located[Source]] = field(default_factory=list)
    slots: list[Located[Slot]] = field(default_factory=list)
    plan_slots: list[Located[Slot]] = field(default_factory=list)
    topics: list[Located[Topic]] = field(default_factory=list)
    plan: Plan | None = None
    plan_at: Located[Plan] | None = None
    translations: list[Located[Translation]] = field(default_factory=list)
    """Shipped translations first, then the plan's; each knows its language."""
    languages: list[str] = field(default_factory=list)
    root: Path = ROOT
    kb_dir: Path = ROOT / "knowledge"
    seeds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refused_seeds: frozenset[str] = frozenset()

    def facts(self) -> Iterator[FactRecord]:
        """Every fact, the shipped ones first, then the plan's (ids default to `<slot>-<n>`)."""
        yield from self.shipped_facts()
        if self.plan:
            yield from _records(self.plan_slots, f"-{self.plan.id}")

    def shipped_facts(self) -> Iterator[FactRecord]:
        return _records(self.slots, "")


def _records(slots: list[Located[Slot]], suffix: str) -> Iterator[FactRecord]:
    for slot_at in slots:
        slot = slot_at.item
        facts: list[Fact] = list(slot.facts)
        for n, fact in enumerate(facts, 1):
            at: Located[Fact] = Located(fact, slot_at.doc, (*slot_at.path, "facts", n - 1))
            yield FactRecord(fact.id or f"{slot.id}{suffix}-{n}", slot, fact, at)


@dataclass(frozen=True, slots=True)
class Texts:
    """One language's prose for the knowledge base, merged from its files and the plan's."""

    categories: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, TopicText] = field(default_factory=dict)
    slots: Mapping[str, SlotText] = field(default_factory=dict)
    facts: Mapping[str, FactText] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The validated knowledge base the core answers from."""

    settings: Settings
    categories: tuple[Category, ...]
    topics: tuple[Topic, ...]
    slots: Mapping[str, Slot]
    facts: Mapping[str, tuple[FactRecord, ...]]
    sources: Mapping[str, Source]
    synonyms: Mapping[str, str]
    stopwords: frozenset[str]
    seed_lines: Mapping[str, tuple[str, ...]]
    plan: Plan | None = None
    topics_by_id: Mapping[str, Topic] = field(default_factory=dict)
    replaces_official: frozenset[str] = frozenset()
    """Slots where the plan's facts replace CVS's public ones instead of coming first."""
    texts: Mapping[str, Texts] = field(default_factory=dict)
    """Prose in other languages, by language; English is the topics and slots themselves."""

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics_by_id.get(topic_id)


def default_kb_dir() -> Path:
    """The knowledge base: $CAREMARK_KB, else the one beside the code, else ./knowledge."""
    if env := os.environ.get(KB_ENV):
        return Path(env)
    shipped = ROOT / "knowledge"
    return shipped if shipped.is_dir() else Path("knowledge")


def default_plan() -> Path | None:
    env = os.environ.get(PLAN_ENV)
    return Path(env) if env else None


def read_draft(kb_dir: Path, plan: Path | None) -> tuple[Draft, list[Problem]]:
    """Parse and schema-validate every file; cross-checks come later."""
    kb_dir = resolved(kb_dir)
    draft = Draft(root=kb_dir.parent, kb_dir=kb_dir)
    problems: list[Problem] = []
    files = sorted(kb_dir.glob("*.yaml")) if kb_dir.is_dir() else []
    if not files:
        problems.append(Problem(str(kb_dir), None, "", "no knowledge files (*.yaml) found"))
    for path in files:
        doc, found = read(path, _shown(path))
        problems += found
        if doc is not None and (kb := _validate(KnowledgeFile, doc, problems)):
            _merge(draft, kb, doc)
    folder = kb_dir / TRANSLATIONS
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        doc, found = read(path, _shown(path))
        problems += found
        if doc is not None and (text := _validate(TranslationFile, doc, problems)):
            draft.translations.append(Located(text, doc, ()))
            draft.languages.append(text.language)
            draft.synonyms.update(text.synonyms)
            draft.stopwords += text.stopwords
    if plan is not None:
        doc, found = read(plan, _shown(plan))
        problems += found
        if doc is not None and (overlay := _validate(PlanFile, doc, problems)):
            problems += _overlay(draft, overlay, doc)
    problems += read_seeds(draft)
    return draft, problems


def resolved(path: Path) -> Path:
    """The real path, following links; a looping link stays as written (reading it fails)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _shown(path: Path) -> str:
    """A path as people will recognise it: relative to the working directory if possible."""
    try:
        return str(resolved(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], doc: Document, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as exc:
        for err in exc.errors():
            loc, message = _explain(err)
            path, name = doc.locate(loc)
            problems.append(Problem(doc.file, doc.line_of(path), name, message))
        return None


_SHAPES = {
    "model_type": "should be a set of fields (name: value)",
    "model_attributes_type": "should be a set of fields (name: value)",
    "dict_type": "should be a set of fields (name: value)",
    "list_type": "should be a list (one '- ' item per line)",
    "string_type": "should be text (put it in quotes)",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "missing": "missing: this field is required",
    "extra_forbidden": "unknown field",
}


def _explain(err: ErrorDetails) -> tuple[Path_, str]:
    """A validator's error as a location and a sentence an HR administrator can act on."""
    loc: Path_ = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    kinds = ", ".join(SLOT_KINDS)
    if kind == "union_tag_not_found":
        return (*loc, "kind"), f"missing 'kind': say what the slot holds ({kinds})"
    if kind == "union_tag_invalid":
        return (*loc, "kind"), f"unknown kind '{ctx.get('tag')}': use one of {kinds}"
    if kind.startswith(("date_", "datetime_")):
        return loc, "not a real date: write it as YYYY-MM-DD, e.g. 2026-11-24"
    return loc, _SHAPES.get(kind, err["msg"])


def _merge(draft: Draft, kb: KnowledgeFile, doc: Document) -> None:
    if kb.settings:
        draft.settings.append(Located(kb.settings, doc, ("settings",)))
    draft.categories += _located(kb.categories, doc, "categories")
    draft.sources += _located(kb.sources, doc, "sources")
    draft.slots += _located(kb.slots, doc, "slots")
    draft.topics += _located(kb.topics, doc, "topics")
    draft.synonyms.update(kb.synonyms)
    draft.stopwords += kb.stopwords


def _located(items: list[T], doc: Document, section: str) -> list[Located[T]]:
    return [Located(item, doc, (section, i)) for i, item in enumerate(items)]


def _overlay(draft: Draft, overlay: PlanFile, doc: Document) -> list[Problem]:
    """Add a plan's sources and facts; every plan fact cites the plan, and may cite more."""
    plan = overlay.plan
    draft.plan = plan
    draft.plan_at = Located(plan, doc, ("plan",))
    plan_source = Source(
        id=f"plan-{plan.id}",
        kind="plan",
        title=plan.name if not plan.document else f"{plan.name}: {plan.document}",
        verified_by=plan.verified_by,
        checked=plan.verified_on,
    )
    draft.sources.append(Located(plan_source, doc, ("plan",)))
    draft.sources += _located(overlay.sources, doc, "sources")
    for language, text in overlay.translations.items():
        draft.translations.append(Located(text, doc, ("translations", language)))
    kinds = {slot_at.item.id: slot_at.item.kind for slot_at in draft.slots}
    problems: list[Problem] = []
    for i, slot in enumerate(overlay.slots):
        cite = Citation(source=plan_source.id)
        facts = [f.model_copy(update={"sources": [cite, *f.sources]}) for f in slot.facts]
        here: Located[Slot] = Located(slot.model_copy(update={"facts": facts}), doc, ("slots", i))
        if kinds.get(slot.id, slot.kind) != slot.kind:
            kind = f"is a {kinds[slot.id]} slot in the knowledge base, not {slot.kind}"
            problems.append(here.problem(kind, under=("kind",)))
        else:
            draft.plan_slots.append(here)
    return problems


def index(draft: Draft) -> Knowledge:
    """The validated draft as the indexed, immutable knowledge base answers come from."""
    facts: dict[str, list[FactRecord]] = {}
    for record in draft.facts():
        facts.setdefault(record.slot.id, []).append(record)
    synonyms = {alt: word for word, alts in draft.synonyms.items() for alt in alts}
    slots = {at.item.id: at.item for at in draft.slots}
    for at in draft.plan_slots:  # a plan may add slots of its own
        slots.setdefault(at.item.id, at.item)
    replaces = {at.item.id for at in draft.plan_slots if getattr(at.item, "replaces_official", 0)}
    return Knowledge(
        settings=draft.settings[0].item,
        categories=tuple(c.item for c in draft.categories),
        topics=tuple(t.item for t in draft.topics),
        topics_by_id={t.item.id: t.item for t in draft.topics},
        slots=slots,
        facts={slot: tuple(records) for slot, records in facts.items()},
        sources={s.item.id: s.item for s in draft.sources},
        synonyms=synonyms,
        stopwords=frozenset(draft.stopwords),
        seed_lines=draft.seeds,
        plan=draft.plan,
        replaces_official=frozenset(replaces),
        texts=_texts(draft),
    )


TRANSLATIONS = "translations"
"""The folder of `<language>.yaml` files under the knowledge base."""


def language_of(at: Located[Translation]) -> str:
    """The language a located translation is in: its file's, or its key in a plan file."""
    if isinstance(at.item, TranslationFile):
        return at.item.language
    return str(at.path[-1])


def _texts(draft: Draft) -> dict[str, Texts]:
    """Each language's prose, the plan's words laid over the shipped ones."""
    texts: dict[str, Texts] = {}
    for at in draft.translations:
        language, new = language_of(at), at.item
        old = texts.get(language, Texts())
        texts[language] = Texts(
            categories={**old.categories, **new.categories},
            topics={**old.topics, **new.topics},
            slots={**old.slots, **new.slots},
            facts={**old.facts, **new.facts},
        )
    return texts


SEED_FOLDER = "seeds"
MAX_SEED_BYTES = 2_000_000


def seed_folders(draft: Draft) -> tuple[Path, ...]:
    """Where seed files may live: the knowledge base's `seeds/`, or the project's beside it."""
    return (draft.kb_dir / SEED_FOLDER, draft.root / SEED_FOLDER)


def read_seeds(draft: Draft) -> list[Problem]:
    """Read every seed source's text, one entry per line (line 1 is index 0), into the draft.

    A seed must be a regular file inside a seeds folder: `kb check` runs where secrets live,
    and its answers about a file's lines would otherwise tell what any file on the machine
    holds. A refused path gets one message that says nothing about the file itself.
    """
    folders = [resolved(folder) for folder in seed_folders(draft)]
    problems: list[Problem] = []
    refused: set[str] = set()
    for at in draft.sources:
        source = at.item
        if source.kind != "seed" or not source.file:
            continue
        path = resolved(draft.root / source.file)
        if not any(path.is_relative_to(folder) for folder in folders):
            refused.add(source.id)
            problems.append(
                at.problem(
                    "seed files must be inside the knowledge base's seeds/ folder",
                    under=("file",),
                )
            )
            continue
        try:
            text = read_text(path, MAX_SEED_BYTES)
        except (OSError, UnicodeDecodeError):
            continue  # reported where it is cited: "seed file not found"
        draft.seeds[source.id] = tuple(text.splitlines())
    draft.refused_seeds = frozenset(refused)
    return problems
