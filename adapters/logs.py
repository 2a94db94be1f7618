"""Logging set-up: one line of JSON per record for servers, text for the console; identifiers
are blanked in both, tracebacks included."""

from __future__ import annotations

import json
import logging
import os

from bot.pii import RedactingFilter, RedactingFormatter, redact

FIELDS = ("platform", "how", "topic", "reference", "route", "status")
"""Extra fields a record may carry; free text never travels in them."""


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...fields, "error"}`, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        entry.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(*, json_lines: bool) -> None:
    """Log to stderr at $CAREMARK_LOG_LEVEL (default INFO for servers, WARNING otherwise)."""
    default = "INFO" if json_lines else "WARNING"
    level = os.environ.get("CAREMARK_LOG_LEVEL", default).upper()
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING), handlers=[handler], force=True
    )
