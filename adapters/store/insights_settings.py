"""How long insights keep what they keep: read at start-up without loading the database layer."""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.settings import ConfigError

RETENTION_DAYS = 90


def retention_days(env: Mapping[str, str] | None = None) -> int:
    """`CAREMARK_RETENTION_DAYS` (default 90): how long unanswered questions and votes are
    kept; 0 stops keeping unanswered questions at all."""
    raw = (os.environ if env is None else env).get("CAREMARK_RETENTION_DAYS", "").strip()
    if not raw:
        return RETENTION_DAYS
    if not raw.isdigit():
        raise ConfigError(f"CAREMARK_RETENTION_DAYS must be a number of days, not {raw[:20]!r}")
    return int(raw)
