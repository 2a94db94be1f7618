"""How a message sounds: frustration is acknowledged in one short clause before the answer."""

from __future__ import annotations

import re

_UPSET = re.compile(
    r"\b(frustrat\w*|furious|angry|mad as|ridiculous|unacceptable|fed up|sick of|tired of|"
    r"worst|terrible|horrible|awful|useless|joke|again\?|still (no|not|haven|waiting)|"
    r"(third|fourth|fifth|\d+(st|nd|rd|th)) time|keeps? (happening|getting)|every single|"
    r"wtf|ffs|omg|seriously\?|for weeks|nobody (helps|answers|calls)|no one (helps|answers)|"
    r"escalat\w*|supervisor|complain\w*|harrumph|"
    r"hart[oa]s?|cansad[oa]s? de|furios[oa]|enojad[oa]|molest[oa]|rid[ií]culo|inaceptable|"
    r"p[eé]sim[oa]|otra vez|de nuevo\?|nadie (contesta|responde|me ayuda|ayuda)|"
    r"todav[ií]a no|sigo esperando|queja\w*|quejarme|supervisora?|(tercera|cuarta|quinta) vez|"
    r"ya van \w+ veces|no puede ser|qu[eé] mal servicio|una burla|un chiste)\b",
    re.IGNORECASE,
)
_SHOUT_MIN_LETTERS = 12
_LETTERS = re.compile(r"[^\W\d_]")
_CAPITALS = re.compile(r"[A-Z\u00c0-\u00de]")
CHECKED_CHARS = 500
"""The tone of a message is set in its first lines; reading further costs without telling."""
_SHOUT_SHARE = 0.7


def frustrated(text: str) -> bool:
    """Words of frustration, several exclamation marks, or a message mostly in capitals."""
    text = text[:CHECKED_CHARS]
    if _UPSET.search(text) or "!!" in text or "?!" in text:
        return True
    letters = len(_LETTERS.findall(text))
    if letters < _SHOUT_MIN_LETTERS:
        return False
    return len(_CAPITALS.findall(text)) / letters >= _SHOUT_SHARE
