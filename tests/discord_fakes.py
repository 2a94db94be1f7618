"""Discord interactions signed with a locally generated Ed25519 key, as Discord sends them."""

from __future__ import annotations

import itertools
import json
import time

from nacl.signing import SigningKey

EPHEMERAL = 1 << 6

KEY = SigningKey.generate()
IDS = itertools.count(1)
"""Interaction ids: unique per interaction, as Discord's are, so no two share a signature."""
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
            "id": str(next(IDS)),
            "application_id": "2",
            "token": "t",
            "locale": locale,
            "data": {"id": "3", "name": "caremark", "type": 1, "options": options},
        }
    ).encode()


def click(custom_id: str, *, ephemeral: bool = True) -> bytes:
    """A button press (type 3) on a message that is private unless `ephemeral=False`."""
    return json.dumps(
        {
            "type": 3,
            "id": str(next(IDS)),
            "token": "t",
            "data": {"custom_id": custom_id, "component_type": 2},
            "message": {"id": "9", "flags": EPHEMERAL if ephemeral else 0},
        }
    ).encode()
