"""Render a Reply for a terminal: plain, wrapped text, with colour only on a real terminal."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Iterator

from bot import i18n
from bot.i18n import Words
from bot.reply import Badge, HoursRow, Reply

WIDTH = 88

_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])
_BOLD, _YELLOW, _DIM, _RESET = "\x1b[1m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def render_json(reply: Reply) -> str:
    """The neutral reply as JSON, for other programs."""
    return json.dumps(reply.to_json(), indent=2, ensure_ascii=False)


def render_text(reply: Reply, *, color: bool = False) -> str:
    """A reply as readable terminal text; control characters never reach the terminal."""
    words = i18n.words(reply.language)
    bold, yellow, dim, reset = (_BOLD, _YELLOW, _DIM, _RESET) if color else ("",) * 4
    lines: list[str] = []
    for part in reply.parts or (reply,):
        lines += _body(part, words, bold, yellow, reset)
    related = reply.related or tuple(t for p in reply.parts for t in p.related)
    if related:
        titles = " · ".join(f"{_safe(t.title)} ({t.id})" for t in related)
        lines += [*_wrap(f"{words('render.related')}: {titles}"), ""]
    footer = [f"{words('render.sources')}:"] if reply.sources else []
    footer += [
        f"  - {_safe(s.title)}"
        + (f", {s.url}" if s.url else "")
        + (f" ({s.detail})" if s.detail else "")
        for s in reply.sources
    ]
    if reply.reviewed:
        footer.append(words("render.reviewed", date=reply.reviewed.isoformat()) + ".")
    if reply.plan:
        footer.append(words("render.plan", plan=_safe(reply.plan)) + ".")
    if reply.more or any(p.more for p in reply.parts):
        footer.append(words("render.console_more"))
    lines += [f"{dim}{line}{reset}" for entry in footer for line in _wrap(entry, rest="      ")]
    return "\n".join(lines).rstrip() + "\n"


def _body(reply: Reply, words: Words, bold: str, yellow: str, reset: str) -> list[str]:
    """One answer's title, lead, detail and rows (a multi-part reply has one per question)."""
    lines = [f"{bold}{_safe(reply.title)}{reset}"]
    for text in (reply.lead, reply.summary):
        for paragraph in _safe(text).split("\n\n") if text else ():
            lines += _wrap(paragraph)
    lines.append("")
    lines += _section(words("render.contacts"), _contacts(reply, words))
    lines += _section(words("render.hours"), _hours(reply, words))
    lines += _section(words("render.good_to_know"), _details(reply, words))
    steps = (f"  {n}. {_safe(s)}" for n, s in enumerate(reply.steps, 1))
    lines += _section(words("render.steps"), steps)
    lines += _section(words("render.links"), _links(reply, words))
    for section in reply.sections:
        topics = (f"  - {_safe(t.title)}  ({t.id})" for t in section.topics)
        lines += _section(section.title, topics)
    warnings = (
        f"{yellow}{line}{reset}"
        for w in reply.warnings
        for line in _wrap(_safe(w), indent="  ! ", rest="    ")
    )
    lines += _section(words("render.careful"), warnings)
    suggestions = (f"  - {_safe(t.title)}  ({t.id})" for t in reply.suggestions)
    lines += _section(words("render.did_you_mean"), suggestions)
    return lines


Row = tuple[str, str | None, str | None, Badge]


def _contacts(reply: Reply, words: Words) -> Iterator[str]:
    return _rows(words, ((f"{c.label}: {c.value}", None, c.note, c.badge) for c in reply.contacts))


def _hours(reply: Reply, words: Words) -> Iterator[str]:
    states = {True: f" ({words('hours.open_now')})", False: f" ({words('hours.closed_now')})"}

    def head(row: HoursRow) -> str:
        state = states[row.open_now] if row.open_now is not None else ""
        return f"{row.label}: {row.schedule}{state}"

    return _rows(words, ((head(row), row.local, row.note, row.badge) for row in reply.hours))


def _details(reply: Reply, words: Words) -> Iterator[str]:
    return _rows(words, ((f"{d.label}: {d.value}", None, d.note, d.badge) for d in reply.details))


def _links(reply: Reply, words: Words) -> Iterator[str]:
    return _rows(words, ((f"{x.label}: {x.url}", None, None, x.badge) for x in reply.links))


def _rows(words: Words, rows: Iterable[Row]) -> Iterator[str]:
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
            suffix = words("render.all_above", count=run) if run > 1 else ""
            yield from _wrap(_badge(badge) + suffix, indent="      ")
            run = 0


def _section(title: str, rows: Iterable[str]) -> list[str]:
    rows = list(rows)
    return [f"{title}:", *rows, ""] if rows else []


def _badge(badge: Badge) -> str:
    """The badge's words, which name the trust level themselves ("Official: …")."""
    return f"· {_safe(badge.text)}"


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
