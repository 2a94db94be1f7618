"""The platform-free core: `await Engine(...).handle(query)` returns a Reply."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from bot import i18n
from bot.answer import build, language, tone
from bot.answer.language import SUPPORTED
from bot.answer.memo import MAX_ENTRIES as MEMO_ENTRIES
from bot.answer.memo import MinuteMemo
from bot.answer.normalize import MAX_INPUT_CHARS, MAX_QUERY_CHARS
from bot.answer.prose import Prose
from bot.answer.resolve import How, Match, Resolver
from bot.gate import load
from bot.i18n import Phrase
from bot.kb.knowledge import Knowledge
from bot.ports import Answered, Clock, Observer, utc_now
from bot.reply import Query, Reply, ReplyKind, Section, TopicRef, View, Visibility
from bot.safety import phones, pii
from bot.safety.audit import audit
from bot.safety.trust import Findings, Selection, select
from bot.safety.verify import Check, verify

log = logging.getLogger(__name__)

OUTCOMES = {
    ReplyKind.ANSWER: "answered",
    ReplyKind.HOURS: "answered",
    ReplyKind.DIRECTORY: "answered",
    ReplyKind.VERIFY: "answered",
    ReplyKind.SUGGESTIONS: "suggested",
    ReplyKind.NOT_FOUND: "not-found",
    ReplyKind.PRIVACY: "refused",
}


def outcome(reply: Reply) -> str:
    """answered / suggested / not-found / refused (identifiers pasted, or a routed topic)."""
    if reply.kind is ReplyKind.ANSWER and reply.visibility is Visibility.PRIVATE:
        return "refused"
    return OUTCOMES.get(reply.kind, "answered")


def plan_files(kb_dir: Path | None, folder: Path | None) -> dict[str | None, Knowledge]:
    """The knowledge base with each plan file in `folder`, by plan id (the file's name)."""
    if folder is None or not folder.is_dir():
        return {}
    return {path.stem: load(kb_dir, path) for path in sorted(folder.glob("*.yaml"))}


@dataclass(frozen=True, slots=True)
class _Loaded:
    """One knowledge base with everything precomputed that answers need."""

    kb: Knowledge
    resolver: Resolver
    findings: Findings
    selections: Mapping[str, Selection]
    prose: Mapping[str, Prose]
    directories: Mapping[str, tuple[Section, ...]]
    memo: MinuteMemo

    @classmethod
    def of(cls, kb: Knowledge, today: dt.date, hide_unverified: bool, memo_size: int) -> _Loaded:
        """Audit the knowledge base (its findings drive what is shown) and index it."""
        findings = audit(kb, today)
        selections = {
            slot: select(slot, kb, findings, hide_unverified=hide_unverified) for slot in kb.slots
        }
        prose = {language: Prose(kb, language) for language in SUPPORTED}
        directories = {language: build.directory(kb, p) for language, p in prose.items()}
        resolver = Resolver(kb)
        return cls(kb, resolver, findings, selections, prose, directories, MinuteMemo(memo_size))


Prepared = tuple[dt.date, dict[str | None, _Loaded]]
"""Knowledge bases ready to serve, and the date their audit holds for."""


class Engine:
    """Answers queries from one knowledge base per plan; the `None` plan is the default."""

    def __init__(
        self,
        knowledge: Knowledge | Mapping[str | None, Knowledge],
        clock: Clock = utc_now,
        *,
        hide_unverified: bool = False,
        memo_size: int = MEMO_ENTRIES,
        default_language: str = i18n.DEFAULT,
    ):
        """`hide_unverified` is the operator's choice to show seed-only facts nowhere;
        `memo_size` bounds the one-minute memo of answers (0 turns it off, as benchmarks do);
        `default_language` answers when neither the person nor the message says."""
        plans: dict[str | None, Knowledge] = (
            {None: knowledge} if isinstance(knowledge, Knowledge) else dict(knowledge)
        )
        if None not in plans:
            raise ValueError("a default knowledge base (plan None) is required")
        self._clock = clock
        self._observers: list[Observer] = []
        self._hide_unverified = hide_unverified
        self._language = default_language if default_language in SUPPORTED else i18n.DEFAULT
        self._memo_size = memo_size
        self._files: tuple[Path | None, Path | None, Path | None] | None = None
        self._audited_on, self._plans = self._prepare(plans)

    def _prepare(self, plans: Mapping[str | None, Knowledge]) -> Prepared:
        today = self._clock().date()
        return today, {
            plan: _Loaded.of(kb, today, self._hide_unverified, self._memo_size)
            for plan, kb in plans.items()
        }

    def reload(self) -> None:
        """Load the files again; on any problem raise KnowledgeError and keep serving the old
        knowledge base. A valid one replaces the old in a single assignment."""
        self.install(self.rebuild())

    def rebuild(self) -> Prepared:
        """Read, check, audit and index the files again, touching nothing that is serving, so
        it may run in a worker thread; raises KnowledgeError on any problem."""
        if self._files is None:
            raise ValueError("this engine was not loaded from files")
        kb_dir, plan, more = self._files
        return self._prepare({None: load(kb_dir, plan), **plan_files(kb_dir, more)})

    def install(self, prepared: Prepared) -> None:
        """Serve a rebuilt knowledge base from the next question on."""
        self._audited_on, self._plans = prepared

    def _loaded(self) -> dict[str | None, _Loaded]:
        """The prepared knowledge bases, audited again when the date has changed since (about
        12 ms for the shipped base), so review dates go stale on time in a long-running process."""
        if self._clock().date() != self._audited_on:
            self._audited_on, self._plans = self._prepare(
                {plan: loaded.kb for plan, loaded in self._plans.items()}
            )
        return self._plans

    @classmethod
    def from_files(
        cls,
        kb_dir: Path | None = None,
        plan: Path | None = None,
        *,
        hide_unverified: bool = False,
        memo_size: int = MEMO_ENTRIES,
        default_language: str = i18n.DEFAULT,
        more_plans: Path | None = None,
    ) -> Engine:
        """Load and validate; raises KnowledgeError, so a broken base never starts.
        `more_plans` is a folder of plan files, `<plan id>.yaml`, each answering the queries
        whose `plan` is that id (read again at every reload, so plans may come and go)."""
        engine = cls(
            {None: load(kb_dir, plan), **plan_files(kb_dir, more_plans)},
            hide_unverified=hide_unverified,
            memo_size=memo_size,
            default_language=default_language,
        )
        engine._files = (kb_dir, plan, more_plans)
        return engine

    @property
    def knowledge(self) -> Knowledge:
        return self._plans[None].kb

    @property
    def hides_unverified(self) -> bool:
        return self._hide_unverified

    @property
    def findings(self) -> Findings:
        """The audit's findings on the default knowledge base, as of today."""
        return self._loaded()[None].findings

    def resolve(self, query: Query) -> Match:
        return self._pick(query).resolver.resolve(query.text)

    def suggest(self, query: Query, limit: int) -> tuple[TopicRef, ...]:
        """Topics to offer while someone types, best first; the text is never echoed."""
        loaded = self._pick(query)
        chosen, text = language.choose(query.text, query.language, query.locale, self._language)
        prose = loaded.prose[chosen]
        return tuple(build.ref(t, prose) for t in loaded.resolver.rank(text, limit))

    def verdicts(self, text: str) -> list[Check]:
        """Verdicts on every number and address in `text`, which is all to be checked."""
        return verify(text[:MAX_INPUT_CHARS], self.knowledge, self.findings, asked=True)

    def verdict_reply(self, query: Query, checks: list[Check]) -> Reply:
        return build.verify_reply(self.knowledge, checks, self._context(query, frustrated=False))

    def check_message(self, query: Query) -> Reply:
        """Verdicts on every phone number, address and link in someone's message, checked
        from a menu on it (Slack's shortcut, Discord's context menu), in the asker's language:
        their choice, else their app's, else the message's. Verdicts name each thing by its
        place, never its value, and nothing of the message is logged or kept."""
        loaded = self._pick(query)
        text = query.text[: phones.MESSAGE_CHARS]
        chosen = (
            query.language
            or language.of_locale(query.locale)
            or language.written_in(text[:MAX_QUERY_CHARS])
            or self._language
        )
        checks = verify(text, loaded.kb, loaded.findings, message=True)
        ctx = self._context(replace(query, language=chosen), frustrated=False)
        return build.verify_reply(loaded.kb, checks, ctx)

    def say(self, phrase: Phrase, language: str = i18n.DEFAULT) -> str:
        """A phrase in words, in `language`, with this knowledge base's labels."""
        return build.say(self._plans[None].prose[language], i18n.words(language), phrase)

    def observe(self, observer: Observer) -> None:
        """Tell `observer` of every question answered, as an `Answered` event."""
        self._observers.append(observer)

    async def handle(self, query: Query) -> Reply:
        """Answer one question; never echoes, stores or logs the question's text."""
        started = time.perf_counter()
        try:
            reply = await self._handle(query)
        except Exception:
            self._notify(query.platform.value, None, "error", started)
            raise
        self._notify(
            query.platform.value,
            reply.topic_id,
            outcome(reply),
            started,
            reply.language,
            query.plan,
        )
        return reply

    def _notify(
        self,
        platform: str,
        topic: str | None,
        result: str,
        started: float,
        language: str = i18n.DEFAULT,
        plan: str | None = None,
    ) -> None:
        event = Answered(platform, topic, result, time.perf_counter() - started, language, plan)
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                log.exception("an observer failed")

    async def _handle(self, query: Query) -> Reply:
        loaded = self._pick(query)
        text = query.text[:MAX_INPUT_CHARS]  # identifiers are looked for in all of this
        identifiers = pii.kinds(text)
        # The language is read with the identifiers blanked but the words around them kept
        # ("mi seguro social: …" is Spanish); the question, without either.
        spoken = pii.redact(text, marker=" ")[:MAX_QUERY_CHARS] if identifiers else None
        if identifiers:
            text = pii.without_identifiers(text)
        text = text[:MAX_QUERY_CHARS]  # the question is in here: it bounds every other step
        chosen, text = language.choose(text, query.language, query.locale, self._language)
        if spoken is not None and not query.language:
            chosen = language.choose(spoken, None, query.locale, self._language)[0]
        query = replace(query, text=text, language=chosen)
        reply = self._answer(loaded, query)
        if identifiers:
            log.info("identifier in query", extra={"platform": query.platform.value})
            kinds = [kind.value for kind in identifiers]
            ctx = self._context(query, frustrated=False)
            reply = build.with_privacy_notice(loaded.kb, reply, kinds, ctx, posted=query.posted)
        return reply

    def _answer(self, loaded: _Loaded, query: Query) -> Reply:
        checks = verify(query.text, loaded.kb, loaded.findings)
        if checks:
            log.debug("verified", extra={"platform": query.platform.value, "how": "verify"})
            return build.verify_reply(loaded.kb, checks, self._context(query, frustrated=False))
        resolver = loaded.resolver
        if query.follows:
            match = resolver.follow_up(query.text, query.follows)
        else:
            match = resolver.resolve(query.text)
        upset = tone.frustrated(query.text)
        if match.how is How.MULTI:
            brief = replace(query, view=View.BRIEF)
            parts = tuple(
                self._reply(loaded, Match(How.KEYWORDS, topic), brief, upset)
                for topic in match.parts
            )
            reply = build.multi_reply(parts)
        else:
            reply = self._reply(loaded, match, query, upset)
        log.debug(
            "answered",
            extra={
                "platform": query.platform.value,
                "how": match.how.value,
                "topic": reply.topic_id,
            },
        )
        return reply

    def _pick(self, query: Query) -> _Loaded:
        plans = self._loaded()
        return plans.get(query.plan) or plans[None]

    def _context(self, query: Query, *, frustrated: bool) -> build.Context:
        chosen = query.language or self._language
        return build.Context(
            now=self._clock(),
            words=i18n.words(chosen),
            prose=self._pick(query).prose[chosen],
            locale=query.locale,
            timezone=query.timezone,
            view=query.view,
            frustrated=frustrated,
        )

    def _reply(self, loaded: _Loaded, match: Match, query: Query, frustrated: bool) -> Reply:
        """The reply for a match, from the memo when this minute already built it."""
        ctx = self._context(query, frustrated=frustrated)
        topic = match.topic.id if match.topic else None
        suggested = tuple(t.id for t in match.suggestions)
        key = (
            match.how is How.EMPTY,
            topic,
            suggested,
            query.locale,
            query.timezone,
            query.view,
            query.language,
            frustrated,
        )
        return loaded.memo.get(key, ctx.now, partial(_build_reply, loaded, match, ctx))


def _build_reply(loaded: _Loaded, match: Match, ctx: build.Context) -> Reply:
    kb, topic = loaded.kb, match.topic
    directory = loaded.directories[ctx.prose.language]
    if match.how is How.EMPTY:
        return build.directory_reply(kb, directory, ctx)
    if topic is None:
        if match.suggestions:
            return build.suggestions_reply(kb, match.suggestions, ctx)
        return build.not_found_reply(kb, ctx)
    if topic.generated == "directory":
        return build.directory_reply(kb, directory, ctx, topic)
    if topic.generated == "hours":
        return build.hours_reply(kb, loaded.selections, topic, ctx)
    return build.topic_reply(kb, loaded.selections, topic, ctx)
