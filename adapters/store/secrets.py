"""Secrets at rest: workspace tokens are sealed with a key from the environment before they
reach the database, so a copy of the database alone is no use to anyone.

`CAREMARK_TOKEN_KEY` holds one or more Fernet keys, comma-separated: the first seals, every one
opens. To change keys, put the new one first, keep the old one after it until every workspace
has been re-saved (token rotation and re-installs do that), then drop it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from adapters.settings import ConfigError

log = logging.getLogger(__name__)
TOKEN_KEY = "CAREMARK_TOKEN_KEY"  # noqa: S105 (the variable's name, not a secret)
SEALED = "sealed1:"
"""The mark on a sealed value; anything without it was stored before sealing began."""


class Sealer:
    """Seals and opens short secrets (tokens, webhook URLs)."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigError(f"{TOKEN_KEY} is empty")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError:
            raise ConfigError(
                f"{TOKEN_KEY} is malformed: each key is 44 characters from "
                "`caremark-bot slack token-key`"
            ) from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Sealer:
        env = os.environ if env is None else env
        keys = [key.strip() for key in env.get(TOKEN_KEY, "").split(",") if key.strip()]
        if not keys:
            raise ConfigError(
                f"{TOKEN_KEY} is missing: workspace tokens are stored encrypted with it; "
                "make one with `caremark-bot slack token-key`"
            )
        return cls(keys)

    def seal(self, value: str | None) -> str | None:
        if value is None or value.startswith(SEALED):
            return value
        return SEALED + self._fernet.encrypt(value.encode()).decode("ascii")

    def open(self, value: str | None) -> str | None:
        """The secret; None when it was sealed with a key no longer given (as if absent)."""
        if value is None or not value.startswith(SEALED):
            return value
        try:
            return self._fernet.decrypt(value[len(SEALED) :].encode("ascii")).decode()
        except InvalidToken:
            log.error("a stored token was sealed with a key %s no longer holds", TOKEN_KEY)
            return None


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
