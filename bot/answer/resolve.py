"""Find the topic a message is about, the way a benefits-desk person reads it.

Each topic is indexed by its title, aliases, keywords and example questions, as words and as
pairs of neighbouring words ("express scripts", "prior authorization"), each weighted by how
rare it is across topics, so no single common word decides. A message scores every topic it
shares words with; the best wins unless another is nearly as good in a short message, which
becomes "did you mean". Greetings, thanks and off-topic remarks (`weak` topics) answer only
when nothing else fits. A message asking two or three questions gets each answered.
"""

from __future__ import annotations

import gzip
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.answer.normalize import MAX_QUERY_CHARS, matchable, stem
from bot.kb.knowledge import Knowledge
from bot.kb.model import Topic, TopicText

TYPO_CUTOFF = 82.0
"""rapidfuzz `ratio` a misspelt word needs to be read as a known one."""
MIN_TYPO_LENGTH = 4
MAX_TYPO_LENGTH = 20
"""Longer "words" are not misspellings of anything a topic says; comparing them is costly."""
MAX_CORRECTIONS = 8
"""Unknown words corrected per message: a long message's backstory is not worth more."""
MIN_SCORE = 0.2
"""How close (cosine, times the phrasing's weight) a message must come to a topic's nearest
phrasing for the topic to be the answer."""
SECOND_SHARE = 0.5
"""A second close phrasing adds this share of its closeness: two witnesses beat one."""
AMBIGUITY = 0.95
"""In a short message, a runner-up this close to the best makes the answer a 'did you mean'."""
SHORT_MESSAGE = 3
SUGGESTION_FLOOR = 0.5
MAX_SUGGESTIONS = 3
MAX_PARTS = 3
FOLLOW_UP_WORDS = 4
"""A vague follow-up this short is about the previous answer, not a "did you mean"."""
TITLE_CUTOFF = 60.0
"""rapidfuzz `ratio` a title needs to be suggested for a message nothing else matched."""
TITLE_QUERY_CHARS = 80
"""Only this much of a message is compared with titles: no title is longer."""
RANK_CUTOFF = 60.0
PHRASING_CUTOFF = 85.0
"""How closely a message of common words only must spell one of a topic's phrasings."""
"""rapidfuzz `WRatio` a title or alias needs to be offered while someone is still typing."""
WEIGHTS = {"alias": 1.5, "keyword": 1.2, "example": 1.0, "title": 0.8}
PAIR_BONUS = 1.6
"""A pair of neighbouring words says more than either word alone."""
MAX_POSTINGS = 300
"""Phrasings a word may be looked up in; past that it is common, whatever its share."""
COMMON_CANDIDATES = 40
"""Phrasings a common word finds on its own: those where it weighs most."""
COMMON_SHARE = 0.1
COMMON_MIN_TOPICS = 4
"""A feature in more topics than both of these says nothing and is not indexed."""
_TYPO_CACHE_LIMIT = 4_096
_SEGMENTS = re.compile(
    r"[?¿;\n]+|(?<=\w{3})[.!]+\s+|\b\d\)\s*|\b(?:also|plus|and what about|what about)\b|"
    r"\b(?:tambi[eé]n|adem[aá]s|y qu[eé] (?:tal|hay de)|y sobre)\b|"
    r",?\s+y\s+(?=(?:qu[eé]|cu[aá]l|cu[aá]ndo|d[oó]nde|c[oó]mo|qui[eé]n|a qu[eé]|"
    r"cu[aá]nto)\b|(?:puedo|pueden|se puede|hay|tienen)\s)|"
    r",?\s+and\s+(?=(?:what|whats|when|where|how|who|i|my)\b|"
    r"(?:is|are|can|could|do|does|did|will|should)\s+(?:i|it|you|they|there|this|that|my|the|"
    r"a|an|he|she|we|caremark|cvs)\b)",
    re.I,
)
_QUESTION_START = re.compile(
    r"^\s*(and\s+)?(what|whats|what's|when|where|how|who|which|can|could|do|does|is|are|"
    r"should|will|any|qu[eé]|cu[aá]l(es)?|cu[aá]ndo|d[oó]nde|c[oó]mo|qui[eé]n|a qu[eé]|"
    r"cu[aá]nto|puedo|pueden|se puede|hay|tienen|es|son|me pueden|necesito)\b",
    re.I,
)


class How(StrEnum):
    """How a question was matched, for metrics and tests."""

    EMPTY = "empty"
    ALIAS = "alias"
    KEYWORDS = "keywords"
    MULTI = "multi"
    SUGGEST = "suggest"
    FOLLOW_UP = "follow-up"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Match:
    how: How
    topic: Topic | None = None
    suggestions: tuple[Topic, ...] = ()
    parts: tuple[Topic, ...] = ()


@dataclass(frozen=True, slots=True)
class _Scored:
    topic: int
    score: float


class Resolver:
    """An index over one knowledge base's topics; cheap to query, built once per load."""

    def __init__(self, kb: Knowledge) -> None:
        self._topics = kb.topics
        self._by_id = kb.topics_by_id
        self._weak = frozenset(i for i, t in enumerate(kb.topics) if t.weak)
        # Messages lose their accents before words are looked up, so the lists do too.
        self._synonyms = {matchable(k): matchable(v) for k, v in kb.synonyms.items()}
        self._stop = frozenset(
            self._canon(matchable(w)) for w in kb.stopwords if w not in kb.synonyms
        )
        self._translated = [
            [texts.topics[t.id] for texts in kb.texts.values() if t.id in texts.topics]
            for t in kb.topics
        ]
        self._exact: dict[str, int] = {}
        for i, topic in enumerate(kb.topics):
            names = (topic.id.replace("-", " "), topic.title, *_aliases(topic))
            names += tuple(n for text in self._translated[i] for n in (text.title, *text.aliases))
            for phrase in names:
                self._exact.setdefault(matchable(phrase), i)
        self._titles = [matchable(t.title) for t in kb.topics]  # a list: extract indexes it
        self._names = [
            (matchable(n), i)
            for i, t in enumerate(kb.topics)
            for n in (t.title, t.id.replace("-", " "), *t.aliases)
        ] + [
            (matchable(text.title), i) for i, texts in enumerate(self._translated) for text in texts
        ]
        order = {category.id: n for n, category in enumerate(kb.categories)}
        self._listing = sorted(
            (i for i in range(len(kb.topics)) if i not in self._weak),
            key=lambda i: (order.get(kb.topics[i].category, len(order)), i),
        )
        self._postings = self._index(kb.topics)
        self._spelled_texts = [text for text, _ in self._spelled]
        self._known = frozenset(w for f in self._rarity for w in f.split(" "))
        self._spellings = self._spellings_of(kb)
        self._spelling_list = sorted(self._spellings)
        self._typos: dict[str, str | None] = {}

    def resolve(self, text: str) -> Match:
        query = matchable(text)
        if not query:
            return Match(How.EMPTY)
        if (exact := self._exact.get(query)) is not None:
            return Match(How.ALIAS, self._topics[exact])
        words = self._words(query)
        parts = self._parts(text)
        if len(parts) > 1:
            return Match(How.MULTI, parts=tuple(self._topics[i] for i in parts))
        ranked = self._rank(words)
        if ranked:
            best = ranked[0]
            close = [s for s in ranked[1:] if s.score >= AMBIGUITY * best.score]
            if not close or len(words) > SHORT_MESSAGE or best.topic in self._weak:
                return Match(How.KEYWORDS, self._topics[best.topic])
            picks = [s.topic for s in ranked if s.score >= SUGGESTION_FLOOR * best.score]
            return Match(
                How.SUGGEST, suggestions=tuple(self._topics[i] for i in picks[:MAX_SUGGESTIONS])
            )
        if not words and (nearest := self._nearest_phrasing(query)) is not None:
            return Match(How.KEYWORDS, self._topics[nearest])
        similar = process.extract(
            query[:TITLE_QUERY_CHARS],
            self._titles,
            scorer=fuzz.ratio,
            score_cutoff=TITLE_CUTOFF,
            limit=MAX_SUGGESTIONS,
        )
        if similar:
            return Match(How.SUGGEST, suggestions=tuple(self._topics[i] for _, _, i in similar))
        return Match(How.NONE)

    def follow_up(self, text: str, previous: str) -> Match:
        """A message right after an answer about `previous`: a topic it names wins ("and
        their hours?" is Hours); a message that names none ("in Spanish please", "how do I
        do that?") is about the previous topic."""
        match = self.resolve(text)
        before = self._by_id.get(previous)
        if before is None or match.how in (How.ALIAS, How.KEYWORDS, How.MULTI):
            return match
        if match.how is How.SUGGEST and len(self._words(matchable(text))) > FOLLOW_UP_WORDS:
            return match
        return Match(How.FOLLOW_UP, before)

    def rank(self, text: str, limit: int) -> tuple[Topic, ...]:
        """Topics for a half-typed question, best first (for autocomplete): an exact match,
        names that start with it, scored matches, then look-alike titles and aliases."""
        query = matchable(text)
        if not query:
            return tuple(self._topics[i] for i in self._listing[:limit])
        picked: dict[int, None] = {}
        if (exact := self._exact.get(query)) is not None:
            picked[exact] = None
        for name, i in self._names:
            if name.startswith(query):
                picked.setdefault(i)
        for scored in self._rank(self._words(query)):
            picked.setdefault(scored.topic)
        names = [name for name, _ in self._names]
        for _, _, at in process.extract(
            query, names, scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=RANK_CUTOFF
        ):
            picked.setdefault(self._names[at][1])
        return tuple(self._topics[i] for i in list(picked)[:limit])

    def _rank(self, words: tuple[str, ...]) -> list[_Scored]:
        """Topics by how closely the message matches their nearest phrasings (the best, plus
        half the second best), best first; weak topics only if no other comes close."""
        weights = {f: self._rarity[f] for f in _features(words) if f in self._rarity}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return []
        near: dict[int, float] = {}
        for feature, weight in weights.items():
            for phrase, value in self._postings.get(feature, ()):
                near[phrase] = near.get(phrase, 0.0) + weight * value
        first: dict[int, float] = {}
        second: dict[int, float] = {}
        phrases = self._phrases
        for phrase, similarity in near.items():
            topic, source = phrases[phrase]
            score = similarity * source
            if score > first.get(topic, 0.0):
                second[topic] = first.get(topic, 0.0)
                first[topic] = score
            elif score > second.get(topic, 0.0):
                second[topic] = score
        scores = []
        for topic, top in first.items():
            score = (top + SECOND_SHARE * second.get(topic, 0.0)) / norm
            if score >= MIN_SCORE:
                scores.append(_Scored(topic, score))
        ranked = sorted(scores, key=lambda s: (-s.score, s.topic))
        strong = [s for s in ranked if s.topic not in self._weak]
        return strong or ranked

    def _nearest_phrasing(self, query: str) -> int | None:
        """For a message of common words only ("what can you help me with"): the topic of
        the phrasing it spells almost exactly, if any."""
        hit = process.extractOne(
            query[:TITLE_QUERY_CHARS],
            self._spelled_texts,
            scorer=fuzz.ratio,
            score_cutoff=PHRASING_CUTOFF,
        )
        return self._spelled[hit[2]][1] if hit else None

    def _parts(self, text: str) -> list[int]:
        """The topics of the separate questions in a message, in the order asked; a part is
        a question (a question word, a question mark) or a few words standing alone."""
        pieces = _pieces(text[:MAX_QUERY_CHARS])
        if len(pieces) < 2:
            return []
        found: list[int] = []
        for piece, questioned in pieces:
            words = self._words(matchable(piece))
            asked = questioned or _QUESTION_START.match(piece) or len(words) <= SHORT_MESSAGE
            if not asked:
                continue
            if words:
                ranked = self._rank(words)
                topic = ranked[0].topic if ranked else None
            else:  # "what can you do?": common words only
                topic = self._nearest_phrasing(matchable(piece))
            if topic is not None and topic not in self._weak and topic not in found:
                found.append(topic)
        return found[:MAX_PARTS] if len(found) > 1 else []

    def _canon(self, word: str) -> str:
        """The one form a word is indexed under: synonyms folded, plurals folded."""
        if word in self._synonyms:
            return self._synonyms[word]
        stemmed = stem(word)
        return self._synonyms.get(stemmed, stemmed)

    def _words(self, text: str, *, correct: bool = True) -> tuple[str, ...]:
        words: list[str] = []
        corrections = 0
        for raw in text.split():
            word = self._canon(raw)
            if word in self._stop:
                continue
            if correct and word not in self._known and corrections < MAX_CORRECTIONS:
                fixed = self._correct(raw)
                if fixed:
                    word = fixed
                    corrections += 1
            words.append(word)
        return tuple(words)

    def _correct(self, word: str) -> str | None:
        """The known word a misspelt one stands for (`hurs` → `hour`), if one is close enough.
        A real English word is never a typo ("stories" is not "store")."""
        if not MIN_TYPO_LENGTH <= len(word) <= MAX_TYPO_LENGTH or not word.isalpha():
            return None
        if word in english_words():
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
        written = {w for text, _ in self._spelled for w in text.split()}
        written |= set(self._synonyms) | set(self._synonyms.values())
        spellings = {w: self._canon(w) for w in sorted(written)}
        return {
            w: c for w, c in spellings.items() if c in self._known and len(w) >= MIN_TYPO_LENGTH
        }

    def _index(self, topics: tuple[Topic, ...]) -> dict[str, list[tuple[int, float]]]:
        """Every phrasing of every topic (title, aliases, keywords, examples, in every
        language) as a unit vector of its features, weighted by rarity across topics; the
        postings map a feature to the phrasings that have it."""
        phrasings: list[tuple[int, str, tuple[str, ...]]] = []
        self._spelled: list[tuple[str, int]] = []
        having: dict[str, set[int]] = defaultdict(set)
        for i, topic in enumerate(topics):
            for where, text in _sources(topic, self._translated[i]):
                spelled = matchable(text)
                self._spelled.append((spelled, i))
                features = tuple(_features(self._words(spelled, correct=False)))
                if features:
                    phrasings.append((i, where, features))
                    for feature in features:
                        having[feature].add(i)
        common = max(COMMON_MIN_TOPICS, int(COMMON_SHARE * len(topics)))
        self._rarity = {
            f: math.log(1 + len(topics) / len(ts)) * (PAIR_BONUS if " " in f else 1.0)
            for f, ts in having.items()
        }
        self._phrases: list[tuple[int, float]] = []
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for owner, where, features in phrasings:
            norm = math.sqrt(sum(self._rarity[f] ** 2 for f in features))
            phrase = len(self._phrases)
            self._phrases.append((owner, WEIGHTS[where]))
            for feature in features:
                postings[feature].append((phrase, self._rarity[feature] / norm))
        for feature, listed in postings.items():
            if len(having[feature]) > common or len(listed) > MAX_POSTINGS:
                # A word in nearly every topic says little and is costly to look up: it counts
                # only in the phrasings where it weighs most ("phone number").
                listed.sort(key=lambda item: -item[1])
                del listed[COMMON_CANDIDATES:]
        return dict(postings)


def _pieces(text: str) -> list[tuple[str, bool]]:
    """A message cut where a new question may start; each piece says whether a question
    mark ended it."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for cut in _SEGMENTS.finditer(text):
        pieces.append((text[start : cut.start()], "?" in cut.group()))
        start = cut.end()
    pieces.append((text[start:], text.rstrip().endswith("?")))
    return [(piece, asked) for piece, asked in pieces if piece.strip()]


ENGLISH_WORDS = Path(__file__).parent.parent / "data" / "english-words.txt.gz"


@cache
def english_words() -> frozenset[str]:
    """Real English words (SCOWL's small list, `bot/data/`): never corrected as typos."""
    with gzip.open(ENGLISH_WORDS, "rt", encoding="utf-8") as handle:
        return frozenset(handle.read().split())


def _features(words: tuple[str, ...]) -> Iterable[str]:
    """Each distinct word, and each pair of neighbouring words."""
    seen: dict[str, None] = dict.fromkeys(words)
    seen.update(dict.fromkeys(f"{a} {b}" for a, b in itertools.pairwise(words)))
    return seen


def _sources(topic: Topic, translated: Iterable[TopicText]) -> Iterable[tuple[str, str]]:
    """Everything a topic is known by, in English and in every translation."""
    yield "title", topic.title
    yield "alias", topic.id.replace("-", " ")
    for alias in _aliases(topic):
        yield "alias", alias
    for keyword in topic.keywords:
        yield "keyword", keyword
    for example in topic.examples:
        yield "example", example
    for text in translated:
        yield "title", text.title
        yield from (("alias", a) for a in text.aliases)
        yield from (("keyword", k) for k in text.keywords)
        yield from (("example", e) for e in text.examples)


def _aliases(topic: Topic) -> tuple[str, ...]:
    """A topic's aliases, plus the FAQ question it answers."""
    return (*topic.aliases, topic.faq.question) if topic.faq else tuple(topic.aliases)
