"""Slack request signatures, checked before anything parses the body; never raises.

`v0=` + hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>"), headers
`X-Slack-Signature` and `X-Slack-Request-Timestamp`. slack-sdk's own verifier raises (and so
answers 500) on non-numeric or huge timestamps, non-ASCII signatures and non-UTF-8 bodies; this
one answers False for all of them, and for repeated headers.
"""

from __future__ import annotations

import hashlib
import hmac

from adapters.signing import Headers, fresh, single

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
_SIGNATURE_LENGTH = len("v0=") + 64


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Slack sends for this body at this time."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def is_signed(secret: str, headers: Headers, body: bytes, now: float) -> bool:
    """True only for one well-formed, fresh timestamp and one matching signature."""
    timestamp = single(headers, TIMESTAMP_HEADER)
    sent = single(headers, SIGNATURE_HEADER)
    if timestamp is None or sent is None or not fresh(timestamp, now):
        return False
    if not (sent.isascii() and len(sent) == _SIGNATURE_LENGTH and sent.startswith("v0=")):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), sent)
