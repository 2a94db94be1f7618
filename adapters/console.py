"""Render a Reply for a terminal: plain, wrapped text, with colour only on a real terminal."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Iterator

from bot.reply import Badge, HoursRow, Reply, Trust

WIDTH = 88
ICONS = {
    Trust.PLAN_VERIFIED: "[verified]",
    Trust.OFFICIAL: "[official]",
    Trust.CORROBORATED: "[other plan]",
    Trust.UNVERIFIED: "[unverified]",
    Trust.SAFE_ADVICE: "[safe advice]",
}
_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])
_BOLD, _YELLOW, _DIM, _RESET = "\x1b[1m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def render_json(reply: Reply) -> str:
    """The neutral reply as JSON, for other programs."""
    return json.dumps(reply.to_json(), indent=2, ensure_ascii=False)


def render_text(reply: Reply, *, color: bool = False) -> str:
    """A reply as readable terminal text; control characters never reach the terminal."""
    bold, yellow, dim, reset = (_BOLD, _YELLOW, _DIM, _RESET) if color else ("",) * 4
    lines = [f"{bold}{_safe(reply.title)}{reset}", ""]
    for paragraph in _safe(reply.summary).split("\n\n"):
        lines += [*_wrap(paragraph), ""]
    lines += _section("Contacts", _contacts(reply))
    lines += _section("Hours", _hours(reply))
    lines += _section("Good to know", _details(reply))
    lines += _section("Steps", (f"  {n}. {_safe(s)}" for n, s in enumerate(reply.steps, 1)))
    lines += _section("Links", _links(reply))
    for section in reply.sections:
        topics = (f"  - {_safe(t.title)}  ({t.id})" for t in section.topics)
        lines += _section(section.title, topics)
    warnings = (
        f"{yellow}{line}{reset}"
        for w in reply.warnings
        for line in _wrap(_safe(w), indent="  ! ", rest="    ")
    )
    lines += _section("Careful", warnings)
    lines += _section(
        "Did you mean", (f"  - {_safe(t.title)}  ({t.id})" for t in reply.suggestions)
    )
    if reply.related:
        lines += _wrap(
            "Related: " + " · ".join(f"{_safe(t.title)} ({t.id})" for t in reply.related)
        )
        lines.append("")
    footer = ["Sources:"] if reply.sources else []
    footer += [
        f"  - {_safe(s.title)}"
        + (f", {s.url}" if s.url else "")
        + (f" ({s.detail})" if s.detail else "")
        for s in reply.sources
    ]
    if reply.reviewed:
        footer.append(f"Answer reviewed {reply.reviewed.isoformat()}.")
    if reply.plan:
        footer.append(f"Plan: {_safe(reply.plan)}.")
    lines += [f"{dim}{line}{reset}" for entry in footer for line in _wrap(entry, rest="      ")]
    return "\n".join(lines).rstrip() + "\n"


def _contacts(reply: Reply) -> Iterator[str]:
    return _rows((f"{row.label}: {row.value}", None, row.note, row.badge) for row in reply.contacts)


def _hours(reply: Reply) -> Iterator[str]:
    def head(row: HoursRow) -> str:
        state = {True: " (open now)", False: " (closed now)", None: ""}[row.open_now]
        return f"{row.label}: {row.schedule}{state}"

    return _rows((head(row), row.local, row.note, row.badge) for row in reply.hours)


def _details(reply: Reply) -> Iterator[str]:
    return _rows((f"{row.label}: {row.value}", None, row.note, row.badge) for row in reply.details)


def _links(reply: Reply) -> Iterator[str]:
    return _rows((f"{link.label}: {link.url}", None, None, link.badge) for link in reply.links)


def _rows(rows: Iterable[tuple[str, str | None, str | None, Badge]]) -> Iterator[str]:
    """Bulleted rows; a run of rows with the same badge shows it once, after the run."""
    rows = list(rows)
    run = 0
    for i, (head, extra, note, badge) in enumerate(rows):
        yield from _wrap(_safe(head), indent="  - ", rest="    ")
        for line in (extra, note):
            if line:
                yield from _wrap(_safe(line), indent="      ")
        run += 1
        if i + 1 == len(rows) or rows[i + 1][3] != badge:
            suffix = f" (all {run} above)" if run > 1 else ""
            yield from _wrap(_badge(badge) + suffix, indent="      ")
            run = 0


def _section(title: str, rows: Iterable[str]) -> list[str]:
    rows = list(rows)
    return [f"{title}:", *rows, ""] if rows else []


def _badge(badge: Badge) -> str:
    return f"{ICONS[badge.trust]} {_safe(badge.text)}"


def _wrap(text: str, indent: str = "", rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        break_on_hyphens=False,
        subsequent_indent=indent if rest is None else rest,
    ) or [""]


def _safe(text: str) -> str:
    """Drop control characters, so no text can move the cursor or recolour the terminal."""
    return text.translate(_CONTROL)
