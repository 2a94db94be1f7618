"""The hostile-input corpus, shared by the tests (tests/test_bad_input.py and the endpoint
tests) and by `bench/defects.py`, which runs it against the SDK defaults too.

Header cases take the body and return the headers to send with it; text and body cases are sent
correctly signed, so they reach the parser."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.discord_fakes import sign
from tests.slack_fakes import signed_headers

HeaderCase = Callable[[bytes], dict[str, str]]

MARK = "ZX9Q"  # planted in every hostile text, so the logs can be searched for it
TEXTS = [
    "x" * 5000 + MARK,
    "\x00" * 10 + MARK,
    f"\u202e{MARK}\u2066evil\u2069",
    f"\u200b{MARK}\ufeff",
    f"<!channel> {MARK}",
    f"<!here> {MARK}",
    f"@everyone {MARK}",
    f"<@U012345> {MARK}",
    f"<@&123> {MARK}",
    f"<#C01> {MARK}",
    f"<https://evil.example|caremark.com> {MARK}",
    f"[caremark.com](https://evil.example) {MARK}",
    f"*bold* _it_ ~s~ `c` {MARK}",
    f"ｓｐｅｃｉａｌｔｙ {MARK}",
    f"сaremark.com {MARK}",
    f"\x1b[31mred {MARK}",
    f"{MARK} ' OR 1=1 --",
    f"{{{{7*7}}}} {MARK}",
    f"../../etc/passwd {MARK}",
    f"ssn 123-45-6789 {MARK}",
    f"%00%0d%0a {MARK}",
    "\ud800" + MARK,
    f"\n\n\n{MARK}\t\t",
    f"{MARK} " + "🙂" * 500,
    f"is {MARK}.example.com legit?",
]
SLACK_BODIES = [
    b"",
    b"not a form",
    b"\xff\xfe\xfd",
    b"command=%2Fcaremark",
    b"text=" + b"%00" * 100,
    b'{"json": "instead of a form"}',
    b"payload=not-json",
    b'payload={"type": "block_actions"}',
    b'payload={"type": "view_submission"}',
    b"command=/unknown&text=x",
    b"a=" + b"b" * 60000,
    b"payload=" + b"[" * 5000,
]
DISCORD_BODIES = [
    b"",
    b"{",
    b"\xff",
    b"null",
    b"[]",
    b'{"type": "1"}',
    b'{"type": 2}',
    b'{"type": 2, "data": {"options": "nope"}}',
    b'{"type": 3, "data": {"custom_id": 7}}',
    b'{"type": 4, "data": {"options": [{"name": "topic"}]}}',
    b'{"type": 2, "locale": 7}',
    b'{"type": 3}',
    b'{"type": 2, "data": {"options": [1, 2, 3]}}',
]


SLACK_SIGNATURE = "X-Slack-Signature"
SLACK_TIMESTAMP = "X-Slack-Request-Timestamp"


def _slack(**changes: str) -> HeaderCase:
    return lambda body: {**signed_headers(body), **changes}


def _slack_without(name: str) -> HeaderCase:
    return lambda body: {k: v for k, v in signed_headers(body).items() if k != name}


def _slack_signature(edit: Callable[[str], str]) -> HeaderCase:
    def headers(body: bytes) -> dict[str, str]:
        signed = signed_headers(body)
        return {**signed, SLACK_SIGNATURE: edit(signed[SLACK_SIGNATURE])}

    return headers


SLACK_BAD_HEADERS: dict[str, HeaderCase] = {
    "no headers": lambda body: {},
    "missing signature": _slack_without(SLACK_SIGNATURE),
    "missing timestamp": _slack_without(SLACK_TIMESTAMP),
    "non-numeric timestamp": _slack(**{SLACK_TIMESTAMP: "soon"}),
    "huge timestamp": _slack(**{SLACK_TIMESTAMP: "9" * 40}),
    "negative timestamp": _slack(**{SLACK_TIMESTAMP: "-1"}),
    "stale timestamp": lambda body: signed_headers(body, at=time.time() - 301),
    "truncated signature": _slack_signature(lambda s: s[:40]),
    "wrong version": _slack_signature(lambda s: "v1=" + s[3:]),
    "non-hex signature": _slack(**{SLACK_SIGNATURE: "v0=" + "z" * 64}),
    "non-ASCII signature": _slack(**{SLACK_SIGNATURE: "v0=" + "é" * 64}),
    "empty signature": _slack(**{SLACK_SIGNATURE: ""}),
}

DISCORD_SIGNATURE = "X-Signature-Ed25519"
DISCORD_TIMESTAMP = "X-Signature-Timestamp"


def _discord(edit: Callable[[dict[str, str]], dict[str, str]]) -> HeaderCase:
    return lambda body: edit(sign(body))


def _discord_without(name: str) -> HeaderCase:
    return _discord(lambda h: {k: v for k, v in h.items() if k != name})


def _discord_signature(edit: Callable[[str], str]) -> HeaderCase:
    return _discord(lambda h: {**h, DISCORD_SIGNATURE: edit(h[DISCORD_SIGNATURE])})


DISCORD_BAD_HEADERS: dict[str, HeaderCase] = {
    "no headers": lambda body: {"Content-Type": "application/json"},
    "missing signature": _discord_without(DISCORD_SIGNATURE),
    "missing timestamp": _discord_without(DISCORD_TIMESTAMP),
    "bad hex": _discord_signature(lambda s: "zz" * 64),
    "short signature": _discord_signature(lambda s: s[:100]),
    "long signature": _discord_signature(lambda s: s + "00"),
    "odd-length signature": _discord_signature(lambda s: s[:127] + "g"),
    "non-numeric timestamp": _discord(lambda h: {**h, DISCORD_TIMESTAMP: "now"}),
    "huge timestamp": _discord(lambda h: {**h, DISCORD_TIMESTAMP: "9" * 50}),
    "wrong timestamp": _discord(
        lambda h: {**h, DISCORD_TIMESTAMP: str(int(h[DISCORD_TIMESTAMP]) + 1)}
    ),
    "stale timestamp": lambda body: sign(body, at=time.time() - 301),
}

DISCORD_NONSENSE = [
    b"not json",
    b"\xff\xfe",
    b"[1, 2]",
    b'"text"',
    b"{}",
    b'{"type": 99}',
    b'{"type": 2, "data": []}',
]
"""Signed, but not an interaction: 400."""
