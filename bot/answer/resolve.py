"""Find the topic a question is about: exact alias, then keywords, then typo-tolerant fuzzing."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.answer.normalize import matchable, stem
from bot.kb.knowledge import Knowledge
from bot.kb.model import Topic

TYPO_CUTOFF = 80.0
"""rapidfuzz `ratio` a misspelt word needs to be read as a known one."""
MIN_TYPO_LENGTH = 4
AMBIGUITY = 0.8
"""A runner-up within this share of the best score makes the answer a "did you mean"."""
SUGGESTION_FLOOR = 0.4
"""Suggestions must score at least this share of the best."""
TITLE_CUTOFF = 60.0
"""rapidfuzz `ratio` (the cheap scorer: 8x faster than `token_set_ratio` over 10,000 titles)
a topic title needs to be suggested for an unknown question."""
MAX_SUGGESTIONS = 3
RANK_CUTOFF = 60.0
"""rapidfuzz `WRatio` a title or alias needs to be offered while someone is still typing."""
_ALIAS_FACTOR = 1.5
_TITLE_FACTOR = 0.6
_TYPO_CACHE_LIMIT = 4_096
COMMON_SHARE = 0.05
COMMON_MIN_TOPICS = 50
"""A word in more topics than both of these is left out of the index on its own."""


class How(StrEnum):
    """How a question was matched, for metrics and tests."""

    EMPTY = "empty"
    ALIAS = "alias"
    KEYWORDS = "keywords"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Match:
    how: How
    topic: Topic | None = None
    suggestions: tuple[Topic, ...] = ()


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: frozenset[str]
    topic: int
    weight: float  # per word


class Resolver:
    """An index over one knowledge base's topics; cheap to query, built once per load."""

    def __init__(self, kb: Knowledge) -> None:
        self._topics = kb.topics
        self._synonyms = kb.synonyms
        self._stop = frozenset(self._canon(w) for w in kb.stopwords)
        self._exact: dict[str, int] = {}
        for i, topic in enumerate(kb.topics):
            for phrase in (topic.id.replace("-", " "), topic.title, *_aliases(topic)):
                self._exact.setdefault(matchable(phrase), i)
        self._titles = [matchable(t.title) for t in kb.topics]  # a list: extract indexes it
        self._names = [
            (matchable(n), i)
            for i, t in enumerate(kb.topics)
            for n in (t.title, t.id.replace("-", " "), *t.aliases)
        ]
        order = {category.id: n for n, category in enumerate(kb.categories)}
        self._listing = sorted(
            range(len(kb.topics)), key=lambda i: (order.get(kb.topics[i].category, len(order)), i)
        )
        self._phrases = self._index(kb.topics)
        self._known = frozenset(
            w for entries in self._phrases.values() for p in entries for w in p.words
        )
        self._spellings = self._spellings_of(kb)
        self._spelling_list = sorted(self._spellings)
        self._typos: dict[str, str | None] = {}

    def resolve(self, text: str) -> Match:
        query = matchable(text)
        if not query:
            return Match(How.EMPTY)
        if (exact := self._exact.get(query)) is not None:
            return Match(How.ALIAS, self._topics[exact])
        ranked = self._score(self._words(query, correct=True))
        if ranked:
            best = ranked[0][1]
            close = [i for i, s in ranked[1:] if s >= AMBIGUITY * best]
            if not close:
                return Match(How.KEYWORDS, self._topics[ranked[0][0]])
            picks = [i for i, s in ranked if s >= SUGGESTION_FLOOR * best][:MAX_SUGGESTIONS]
            return Match(How.SUGGEST, suggestions=tuple(self._topics[i] for i in picks))
        similar = process.extract(
            query,
            self._titles,
            scorer=fuzz.ratio,
            score_cutoff=TITLE_CUTOFF,
            limit=MAX_SUGGESTIONS,
        )
        if similar:
            return Match(How.SUGGEST, suggestions=tuple(self._topics[i] for _, _, i in similar))
        return Match(How.NONE)

    def rank(self, text: str, limit: int) -> tuple[Topic, ...]:
        """Topics for a half-typed question, best first (for autocomplete): an exact match,
        names that start with it, keyword matches, then look-alike titles and aliases."""
        query = matchable(text)
        if not query:
            return tuple(self._topics[i] for i in self._listing[:limit])
        picked: dict[int, None] = {}
        if (exact := self._exact.get(query)) is not None:
            picked[exact] = None
        for name, i in self._names:
            if name.startswith(query):
                picked.setdefault(i)
        for i, _ in self._score(self._words(query, correct=True)):
            picked.setdefault(i)
        names = [name for name, _ in self._names]
        for _, _, at in process.extract(
            query, names, scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=RANK_CUTOFF
        ):
            picked.setdefault(self._names[at][1])
        return tuple(self._topics[i] for i in list(picked)[:limit])

    def _canon(self, word: str) -> str:
        """The one form a word is indexed under: synonyms folded, plurals folded."""
        if word in self._synonyms:
            return self._synonyms[word]
        stemmed = stem(word)
        return self._synonyms.get(stemmed, stemmed)

    def _words(self, text: str, *, correct: bool = False) -> tuple[str, ...]:
        words = []
        for raw in text.split():
            word = self._canon(raw)
            if word in self._stop:
                continue
            if correct and word not in self._known:
                word = self._correct(raw) or word
            words.append(word)
        return tuple(words)

    def _correct(self, word: str) -> str | None:
        """The known word a misspelt one stands for (`hurs` → `hour`), if one is close enough."""
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        if word not in self._typos:
            if len(self._typos) >= _TYPO_CACHE_LIMIT:
                self._typos.clear()
            hit = process.extractOne(
                word, self._spelling_list, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
            )
            self._typos[word] = self._spellings[hit[0]] if hit else None
        return self._typos[word]

    def _spellings_of(self, kb: Knowledge) -> dict[str, str]:
        """Every known word as people write it (`hours`, `overseas`), mapped to its index form."""
        written = {
            w
            for t in kb.topics
            for p in (*t.aliases, *t.keywords, t.title)
            for w in matchable(p).split()
        }
        written |= set(self._synonyms) | set(self._synonyms.values())
        spellings = {w: self._canon(w) for w in sorted(written)}
        return {
            w: c for w, c in spellings.items() if c in self._known and len(w) >= MIN_TYPO_LENGTH
        }

    def _index(self, topics: tuple[Topic, ...]) -> dict[str, list[_Phrase]]:
        """Phrases by their first word, weighted by how rare their words are across topics."""
        raw: list[tuple[tuple[str, ...], int, float]] = []
        for i, topic in enumerate(topics):
            raw += [(self._words(matchable(a)), i, _ALIAS_FACTOR) for a in _aliases(topic)]
            raw += [(self._words(matchable(k)), i, 1.0) for k in topic.keywords]
            raw += [((w,), i, _TITLE_FACTOR) for w in self._words(matchable(topic.title))]
        topics_with: dict[str, set[int]] = defaultdict(set)
        for words, i, _ in raw:
            for w in words:
                topics_with[w].add(i)
        rarity = {w: math.log(1 + len(topics) / len(ts)) for w, ts in topics_with.items()}
        common = max(COMMON_MIN_TOPICS, int(COMMON_SHARE * len(topics)))
        index: dict[str, list[_Phrase]] = defaultdict(list)
        for words, i, factor in raw:
            if len(words) == 1 and len(topics_with[words[0]]) > common:
                continue  # a word nearly every topic has: costly to look up, says nothing
            if words:
                length_bonus = 1 + 0.25 * (len(words) - 1)
                weight = factor * length_bonus * sum(rarity[w] for w in words) / len(words)
                rarest = max(words, key=lambda w: rarity[w])
                index[rarest].append(_Phrase(frozenset(words), i, weight))
        return dict(index)

    def _score(self, words: tuple[str, ...]) -> list[tuple[int, float]]:
        """Topics by score. A phrase counts when all its words occur in the question, in any
        order; each question word counts once per topic, by the best phrase that covers it."""
        present = set(words)
        best: dict[int, dict[str, float]] = defaultdict(dict)
        for word in present:
            for phrase in self._phrases.get(word, ()):
                if phrase.words <= present:
                    covered = best[phrase.topic]
                    for w in phrase.words:
                        covered[w] = max(covered.get(w, 0.0), phrase.weight)
        scores = [(topic, sum(covered.values())) for topic, covered in best.items()]
        return sorted(scores, key=lambda item: (-item[1], item[0]))


def _aliases(topic: Topic) -> tuple[str, ...]:
    """A topic's aliases, plus the article's FAQ question it answers."""
    return (*topic.aliases, topic.faq.question) if topic.faq else tuple(topic.aliases)
