"""Which language to answer in, in this order: what the person asks for ("en español", "in
English", `/caremark es …`, a language button), the language the message is written in, the
platform's locale, then the deployment's default.
"""

from __future__ import annotations

import re

from bot.i18n import DEFAULT

SUPPORTED = ("en", "es")
_ASKED = (
    (
        "es",
        re.compile(
            r"\b(en espa[nñ]ol|in spanish|spanish please|espa[nñ]ol por favor|"
            r"hablo espa[nñ]ol|en castellano)\b",
            re.IGNORECASE,
        ),
    ),
    ("en", re.compile(r"\b(in english|en ingl[eé]s|english please)\b", re.IGNORECASE)),
)
_PREFIX = re.compile(r"^\s*(/caremark\s+)?(?P<language>es|en)\s*[:,-]?\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
SPANISH = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "unos",
        "unas",
        "de",
        "del",
        "al",
        "que",
        "qué",
        "y",
        "o",
        "pero",
        "por",
        "para",
        "con",
        "sin",
        "es",
        "son",
        "está",
        "están",
        "estoy",
        "tengo",
        "tiene",
        "necesito",
        "quiero",
        "puedo",
        "cómo",
        "como",
        "cuál",
        "cual",
        "cuándo",
        "cuando",
        "dónde",
        "donde",
        "quién",
        "mi",
        "mis",
        "su",
        "sus",
        "me",
        "se",
        "le",
        "lo",
        "nos",
        "número",
        "numero",
        "teléfono",
        "telefono",
        "llamar",
        "horario",
        "hora",
        "horas",
        "farmacia",
        "receta",
        "recetas",
        "medicina",
        "medicinas",
        "medicamento",
        "medicamentos",
        "pedido",
        "paquete",
        "llegó",
        "llego",
        "correo",
        "cuenta",
        "tarjeta",
        "seguro",
        "ayuda",
        "hola",
        "gracias",
        "buenos",
        "buenas",
        "días",
        "dias",
        "favor",
        "también",
        "tambien",
        "abierto",
        "abren",
        "cierran",
        "mañana",
        "tarde",
        "noche",
        "especialidad",
        "hablar",
        "alguien",
        "perdí",
        "perdido",
        "dañado",
        "estafa",
        "llamada",
        "mensaje",
        "esto",
        "este",
        "esta",
        "eso",
        "hay",
        "ya",
        "aquí",
        "aqui",
        "sí",
    ]
)
ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "or",
        "but",
        "for",
        "with",
        "without",
        "is",
        "are",
        "am",
        "was",
        "were",
        "have",
        "has",
        "need",
        "want",
        "can",
        "how",
        "what",
        "which",
        "when",
        "where",
        "who",
        "my",
        "your",
        "our",
        "me",
        "it",
        "this",
        "that",
        "number",
        "phone",
        "call",
        "hours",
        "hour",
        "open",
        "pharmacy",
        "prescription",
        "medication",
        "order",
        "package",
        "arrived",
        "mail",
        "account",
        "card",
        "insurance",
        "help",
        "hi",
        "hello",
        "thanks",
        "thank",
        "please",
        "also",
        "specialty",
        "talk",
        "someone",
        "lost",
        "damaged",
        "scam",
        "text",
        "email",
        "there",
        "here",
        "yes",
        "do",
        "does",
        "did",
        "get",
        "got",
    ]
)
"""Words common in questions, by language; accents are also a sign of Spanish."""
MIN_EVIDENCE = 2


def requested(text: str) -> tuple[str | None, str]:
    """The language the person asked for, and the text without the request."""
    prefix = _PREFIX.match(text)
    if prefix:
        return prefix["language"].lower(), text[prefix.end() :]
    for language, pattern in _ASKED:
        if pattern.search(text):
            return language, pattern.sub(" ", text)
    return None, text


def written_in(text: str) -> str | None:
    """The language a message is written in, when its words say so clearly; else None
    ("specialty" or "1-800…" say nothing)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    spanish = sum(w in SPANISH for w in words) + sum(_accented(w) for w in words)
    spanish += text.count("¿") + text.count("¡")
    english = sum(w in ENGLISH for w in words)
    if spanish >= MIN_EVIDENCE and spanish > english:
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
