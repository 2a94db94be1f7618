"""Slack request signatures, checked before anything parses the body; never raises.

`v0=` + hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>"), headers
`X-Slack-Signature` and `X-Slack-Request-Timestamp`. slack-sdk's own verifier raises (and so
answers 500) on non-numeric or huge timestamps, non-ASCII signatures and non-UTF-8 bodies; this
one answers False for all of them, and for repeated headers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Protocol

MAX_AGE_SECONDS = 300
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
_SIGNATURE_LENGTH = len("v0=") + 64
_MAX_TIMESTAMP_DIGITS = 12


class Headers(Protocol):
    def getall(self, key: str, default: Sequence[str]) -> Sequence[str]: ...


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Slack sends for this body at this time."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def is_signed(secret: str, headers: Headers, body: bytes, now: float) -> bool:
    """True only for one well-formed, fresh timestamp and one matching signature."""
    timestamps = headers.getall(TIMESTAMP_HEADER, ())
    signatures = headers.getall(SIGNATURE_HEADER, ())
    if len(timestamps) != 1 or len(signatures) != 1:
        return False
    timestamp, sent = timestamps[0], signatures[0]
    if not (
        timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS
    ):
        return False
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    if not (sent.isascii() and len(sent) == _SIGNATURE_LENGTH and sent.startswith("v0=")):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), sent)
