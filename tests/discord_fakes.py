"""Discord interactions signed with a locally generated Ed25519 key, as Discord sends them."""

from __future__ import annotations

import itertools
import json
import time

from nacl.signing import SigningKey

KEY = SigningKey.generate()
_IDS = itertools.count(1)
PUBLIC = KEY.verify_key.encode().hex()


def sign(body: bytes, *, at: float | None = None, key: SigningKey = KEY) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    signature = key.sign(stamp.encode() + body).signature.hex()
    return {
        "X-Signature-Ed25519": signature,
        "X-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def command(topic: str | None, locale: str = "en-US") -> bytes:
    options = [] if topic is None else [{"name": "topic", "type": 3, "value": topic}]
    return json.dumps(
        {
            "type": 2,
            "id": str(next(_IDS)),  # unique per interaction, as Discord's are
            "application_id": "2",
            "token": "t",
            "locale": locale,
            "data": {"id": "3", "name": "caremark", "type": 1, "options": options},
        }
    ).encode()
