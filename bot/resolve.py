"""Find the topic a question is about: exact alias, then keywords, then typo-tolerant fuzzing."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.knowledge import Knowledge
from bot.model import Topic
from bot.normalize import matchable, stem

TYPO_CUTOFF = 80.0
"""rapidfuzz `ratio` a misspelt word needs to be read as a known one."""
MIN_TYPO_LENGTH = 4
AMBIGUITY = 0.8
"""A runner-up within this share of the best score makes the answer a "did you mean"."""
SUGGESTION_FLOOR = 0.4
"""Suggestions must score at least this share of the best."""
TITLE_CUTOFF = 60.0
"""rapidfuzz `token_set_ratio` a topic title needs to be suggested for an unknown question."""
MAX_SUGGESTIONS = 3
_ALIAS_FACTOR = 1.5
_TITLE_FACTOR = 0.6
_TYPO_CACHE_LIMIT = 4_096


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
    words: tuple[str, ...]
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
            for phrase in (topic.id.replace("-", " "), topic.title, *topic.aliases):
                self._exact.setdefault(matchable(phrase), i)
        self._titles = {i: matchable(t.title) for i, t in enumerate(kb.topics)}
        self._phrases = self._index(kb.topics)
        self._vocab = sorted({w for entries in self._phrases.values() for p in entries for w in p.words})
        self._known = frozenset(self._vocab)
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
            query, self._titles, scorer=fuzz.token_set_ratio, score_cutoff=TITLE_CUTOFF,
            limit=MAX_SUGGESTIONS,
        )
        if similar:
            return Match(How.SUGGEST, suggestions=tuple(self._topics[i] for _, _, i in similar))
        return Match(How.NONE)

    def _canon(self, word: str) -> str:
        word = stem(word)
        return self._synonyms.get(word, word)

    def _words(self, text: str, *, correct: bool = False) -> tuple[str, ...]:
        words = (self._canon(w) for w in text.split())
        if correct:
            words = (self._correct(w) for w in words)
        return tuple(w for w in words if w and w not in self._stop)

    def _correct(self, word: str) -> str:
        """A known word for a misspelt one (`speciality` → `specialty`), else the word."""
        if word in self._known or len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return word
        if word not in self._typos:
            if len(self._typos) >= _TYPO_CACHE_LIMIT:
                self._typos.clear()
            hit = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            self._typos[word] = hit[0] if hit else None
        return self._typos[word] or word

    def _index(self, topics: tuple[Topic, ...]) -> dict[str, list[_Phrase]]:
        """Phrases by their first word, weighted by how rare their words are across topics."""
        raw: list[tuple[tuple[str, ...], int, float]] = []
        for i, topic in enumerate(topics):
            raw += [(self._words(matchable(a)), i, _ALIAS_FACTOR) for a in topic.aliases]
            raw += [(self._words(matchable(k)), i, 1.0) for k in topic.keywords]
            raw += [((w,), i, _TITLE_FACTOR) for w in self._words(matchable(topic.title))]
        topics_with: dict[str, set[int]] = defaultdict(set)
        for words, i, _ in raw:
            for w in words:
                topics_with[w].add(i)
        rarity = {w: math.log(1 + len(topics) / len(ts)) for w, ts in topics_with.items()}
        index: dict[str, list[_Phrase]] = defaultdict(list)
        for words, i, factor in raw:
            if words:
                length_bonus = 1 + 0.25 * (len(words) - 1)
                weight = factor * length_bonus * sum(rarity[w] for w in words) / len(words)
                index[words[0]].append(_Phrase(words, i, weight))
        return dict(index)

    def _score(self, words: tuple[str, ...]) -> list[tuple[int, float]]:
        """Topics by score: each query word counts once per topic, by its best phrase."""
        best: dict[int, dict[int, float]] = defaultdict(dict)
        for start, word in enumerate(words):
            for phrase in self._phrases.get(word, ()):
                end = start + len(phrase.words)
                if words[start:end] == phrase.words:
                    covered = best[phrase.topic]
                    for pos in range(start, end):
                        covered[pos] = max(covered.get(pos, 0.0), phrase.weight)
        scores = [(topic, sum(covered.values())) for topic, covered in best.items()]
        return sorted(scores, key=lambda item: (-item[1], item[0]))
