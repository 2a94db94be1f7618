"""Logging set-up: one line of JSON per record for servers, text for the console. Identifiers
and secrets (tokens, response_urls, webhook and interaction tokens) are blanked in both,
tracebacks included."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable

from bot.safety.pii import redact

FIELDS = ("platform", "how", "topic", "reference", "route", "status")
"""Extra fields a record may carry; free text never travels in them."""

SDK_LOGGERS = ("slack_bolt", "slack_sdk", "discord", "aiohttp")
"""Kept at INFO or above whatever the level: their debug lines carry request bodies and URLs."""

HIDDEN = "[hidden]"
_SECRETS = re.compile(
    r"\bxox[a-z]-[\w-]+|\bxapp-[\w-]+"  # Slack tokens
    r"|\S*/(?:commands|actions)/T\w+/\d+/[\w-]+"  # Slack response_urls
    r"|\S*/(?:webhooks|interactions)/\d+/[\w.-]+"  # Discord webhook and interaction tokens
    r"|\b(?:Bot|Bearer)\s+[\w.-]{8,}"  # Authorization header values
    r"|\b[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,}"  # Discord bot tokens
)


def reference() -> str:
    """A short id that ties a fallback answer to its log line."""
    return uuid.uuid4().hex[:8]


def scrub(text: str) -> str:
    """`text` without identifiers or secrets."""
    return _SECRETS.sub(HIDDEN, redact(text))


class RedactingFormatter(logging.Formatter):
    """Blank out identifiers (or whatever `clean` removes) in the whole formatted record,
    traceback included."""

    def __init__(self, fmt: str | None = None, clean: Callable[[str], str] = redact) -> None:
        super().__init__(fmt)
        self._clean = clean

    def format(self, record: logging.LogRecord) -> str:
        return self._clean(super().format(record))


class RedactingFilter(logging.Filter):
    """Blank out identifiers (or whatever `clean` removes) in every log message and exception
    before it is written."""

    def __init__(self, clean: Callable[[str], str] = redact) -> None:
        super().__init__()
        self._clean = clean

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            exc.args = tuple(self._clean(a) if isinstance(a, str) else a for a in exc.args)
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...fields, "error"}`, scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        entry.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(*, json_lines: bool) -> None:
    """Log to stderr at $CAREMARK_LOG_LEVEL (default INFO for servers, WARNING otherwise); the
    chat SDKs and aiohttp never below INFO."""
    default = "INFO" if json_lines else "WARNING"
    name = os.environ.get("CAREMARK_LOG_LEVEL", default).upper()
    level = logging.getLevelNamesMapping().get(name, logging.WARNING)
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(scrub))
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", scrub)
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for sdk in SDK_LOGGERS:
        logging.getLogger(sdk).setLevel(max(level, logging.INFO))


class Refusals:
    """One short INFO line per refused request, at most `burst` lines a minute, then one line
    saying how many more were refused. Refusals come unauthenticated, so each costs little."""

    def __init__(self, burst: int = 10, window: float = 60.0) -> None:
        self._burst, self._window = burst, window
        self._started, self._count, self._muted = 0.0, 0, 0

    def refused(self, what: str) -> None:
        now = time.monotonic()
        if now - self._started > self._window:
            if self._muted:
                refusal_log.info("%d more requests refused in the last minute", self._muted)
            self._started, self._count, self._muted = now, 0, 0
        self._count += 1
        if self._count <= self._burst:
            refusal_log.info("refused: %s", what)
        else:
            self._muted += 1


refusal_log = logging.getLogger("caremark.refusals")
REFUSALS = Refusals()
