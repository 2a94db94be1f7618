"""Which language to answer in, in this order: what the person asks for ("en español", "in
English", `/caremark es …`, a language button), the language the message is written in, the
platform's locale, then the deployment's default.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.i18n import DEFAULT, LANGUAGES

SUPPORTED = LANGUAGES
_ASKED = (
    (
        "es",
        re.compile(
            r"\b(en espa[nñ]ol|espa[nñ]ol,? por favor|hablo espa[nñ]ol|en castellano|"
            r"(answer|reply|respond|write|say|tell|explain|show|give)( (me|it|this|that|the "
            r"answer))? in spanish|in spanish,? please|spanish,? please)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "en",
        re.compile(
            r"\b(en ingl[eé]s|(answer|reply|respond|write|say|tell|explain|show|give)( (me|it|"
            r"this|that|the answer))? in english|in english,? please|english,? please)\b",
            re.IGNORECASE,
        ),
    ),
)
_BARE_ASK = re.compile(r"^\W*(in )?(spanish|english|espa[nñ]ol|ingl[eé]s)\W*$", re.IGNORECASE)
""""in spanish" alone, as a follow-up or a button would say it."""
_BARE_LANGUAGE = {"spanish": "es", "espanol": "es", "español": "es", "english": "en"}
_PREFIX = re.compile(r"^\s*(/caremark\s+)?(?P<language>es|en)\s*[:,-]?\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
QUESTION_WORDS = Path(__file__).parent.parent / "data" / "question-words.yaml"
with QUESTION_WORDS.open(encoding="utf-8") as _handle:
    _LISTED: dict[str, str] = yaml.safe_load(_handle)
ENGLISH = frozenset(_LISTED["en"].split())
SPANISH = frozenset(_LISTED["es"].split()) - ENGLISH
"""Words common in questions, by language; accents are also a sign of Spanish."""
MIN_EVIDENCE = 2


def requested(text: str) -> tuple[str | None, str]:
    """The language the person asked for, and the text without the request."""
    for language, pattern in _ASKED:
        if pattern.search(text):
            return language, pattern.sub(" ", text)
    bare = _BARE_ASK.match(text)
    if bare:
        name = bare[2].casefold()
        return _BARE_LANGUAGE.get(name, "en" if name.startswith("ingl") else "es"), ""
    prefix = _PREFIX.match(text)
    if prefix:
        language, rest = prefix["language"].lower(), text[prefix.end() :]
        # "en qué horario…" is Spanish that starts with "en", not a request for English.
        if not (language == "en" and written_in(text) == "es"):
            return language, rest
    return None, text


def written_in(text: str) -> str | None:
    """The language a message is written in, when its words say so clearly; else None
    ("specialty" or "1-800…" say nothing)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    spanish = sum(w in SPANISH for w in words) + sum(_accented(w) for w in words)
    spanish += text.count("¿") + text.count("¡")
    english = sum(w in ENGLISH for w in words)
    # One Spanish word is enough when nothing speaks for English ("gracias!"); one English
    # word is not, since Spanish speakers use "specialty" and "refill" too.
    if spanish > english and (spanish >= MIN_EVIDENCE or not english):
        return "es"
    if english >= MIN_EVIDENCE and english > spanish:
        return "en"
    return None


def of_locale(locale: str | None) -> str | None:
    """`es` from es-419, es-ES or es_MX; `en` from en-US; None for anything else."""
    if not locale:
        return None
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in SUPPORTED else None


def choose(
    text: str, asked: str | None, locale: str | None, default: str = DEFAULT
) -> tuple[str, str]:
    """The answer's language and the text to resolve (a request like "en español" removed).
    `asked` is a language chosen with a button."""
    from_text, rest = requested(text)
    chosen = from_text or asked or written_in(rest) or of_locale(locale) or default
    return (chosen if chosen in SUPPORTED else DEFAULT), rest


_ACCENTED = re.compile("[áéíóúñü]")


def _accented(word: str) -> bool:
    return bool(_ACCENTED.search(word))
