"""Reply → Discord interaction response: one embed and button rows, within every limit.

Knowledge-base text is escaped for Discord markdown and `@` is broken with a zero-width space,
and `allowed_mentions` parses nothing, so no text can ping anyone. Phone numbers stay text;
only https links become link buttons. Long content is cut with a visible marker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from adapters.text import button_value, unique_topics
from adapters.text import clip as cut
from bot import i18n
from bot.i18n import Words
from bot.reply import Badge, Reply, ReplyKind, TopicRef, Trust, Visibility

# Discord's limits (discord.com/developers/docs; see adapters/PLATFORM-NOTES.md)
MAX_EMBED_TOTAL = 6000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_LABEL = 80
MAX_LINK_URL = 512
# our own choices inside those limits
LABEL = 40
MIN_DESCRIPTION = 600
"""Room kept for the summary when fields are many."""

EPHEMERAL = 1 << 6
CHANNEL_MESSAGE = 4
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
PRIMARY, SECONDARY, LINK = 1, 2, 5
ID_PREFIX = "caremark"
CUSTOM_ID_PATTERN = (
    r"caremark:(?P<kind>topic|share|more|lang|yes|no):(?P<value>[a-z0-9][a-z0-9-]{0,80})"
    r"(?:@(?P<language>[a-z]{2}))?"
)
"""A button's custom id: what it does, its topic and the language it answers in."""
CUSTOM_ID = re.compile(f"^{CUSTOM_ID_PATTERN}$")
OTHER_LANGUAGE = {"en": "es", "es": "en"}

BADGES = {
    Trust.PLAN_VERIFIED: "✅",
    Trust.OFFICIAL: "🏛️",
    Trust.CORROBORATED: "🔵",
    Trust.UNVERIFIED: "❔",
    Trust.SAFE_ADVICE: "ℹ️",
}
COLOURS = {"answer": 0x2E7D32, "hours": 0x1565C0, "directory": 0x455A64}
NO_MENTIONS: dict[str, list[str]] = {"parse": []}
_MARKDOWN = re.compile(r"([\\*_~`|\[\]<>#])")

Embed = dict[str, Any]


def escape(text: str) -> str:
    """Inert Discord markdown for descriptions and field values: formatting characters and
    masked-link brackets escaped, `@` unable to mention."""
    return plain(_MARKDOWN.sub(r"\\\1", text))


def plain(text: str) -> str:
    """For titles, field names and footers, which show markdown literally: only break
    mentions (`@everyone`, `<@…>`, `<@&…>`, `<#…>`) with a zero-width space."""
    return text.replace("@", "@\u200b").replace("<#", "<\u200b#")


def clip(text: str, limit: int) -> str:
    """Cut to fit with a visible marker, never leaving a dangling escape backslash."""
    return cut(text, limit, _drop_lone_backslash)


def _drop_lone_backslash(end: str) -> str:
    return end[:-1] if end.endswith("\\") and not end.endswith("\\\\") else end


def custom_id(kind: str, value: str, language: str | None = None) -> str:
    """`caremark:<kind>:<topic>@<language>`: a button's whole state, so any instance, after
    any restart, answers it the same way and in the same language."""
    carried = button_value(value, language) if language else value
    return f"{ID_PREFIX}:{kind}:{carried}"[:MAX_CUSTOM_ID]


def message(reply: Reply, *, shared: bool = False) -> dict[str, Any]:
    """The message data: private unless shared (and never shared when the reply itself is
    private), never mentioning anyone."""
    shared = shared and reply.visibility is Visibility.SHAREABLE
    data: dict[str, Any] = {
        "embeds": [embed(reply)],
        "components": components(reply, shared=shared),
        "allowed_mentions": NO_MENTIONS,
    }
    if not shared:
        data["flags"] = EPHEMERAL
    return data


def response(reply: Reply, *, shared: bool = False, update: bool = False) -> dict[str, Any]:
    """An interaction response: a new message (type 4), or an update in place (type 7)."""
    kind = UPDATE_MESSAGE if update else CHANNEL_MESSAGE
    return {"type": kind, "data": message(reply, shared=shared)}


def response_json(reply: Reply) -> str:
    """What `caremark-bot ask --format discord` prints: the exact interaction response."""
    return json.dumps(response(reply), indent=2, ensure_ascii=False)


def choices(topics: Iterable[TopicRef]) -> dict[str, Any]:
    """An autocomplete result: at most 25 choices, names and values of at most 100."""
    return {
        "type": AUTOCOMPLETE_RESULT,
        "data": {
            "choices": [
                {"name": clip(t.title, 100), "value": t.id[:100]} for t in list(topics)[:25]
            ]
        },
    }


def notice(text: str) -> dict[str, Any]:
    """A short private line from the bot (slow down, just shared), never an answer."""
    data = {"content": escape(text), "flags": EPHEMERAL, "allowed_mentions": NO_MENTIONS}
    return {"type": CHANNEL_MESSAGE, "data": data}


def error_response(reference: str, language: str = i18n.DEFAULT) -> dict[str, Any]:
    text = escape(i18n.words(language)("render.error", reference=reference))
    data = {"content": text, "flags": EPHEMERAL, "allowed_mentions": NO_MENTIONS}
    return {"type": CHANNEL_MESSAGE, "data": data}


def embed(reply: Reply) -> Embed:
    """One embed within every per-field limit and the 6,000-character total."""
    words = i18n.words(reply.language)
    title = clip(plain(reply.title), MAX_TITLE)
    footer = clip(_footer(reply, words), MAX_FOOTER)
    budget = MAX_EMBED_TOTAL - len(title) - len(footer)
    fields = _fit(list(_fields(reply, words)), budget - MIN_DESCRIPTION, words)
    room = budget - sum(map(_size, fields))
    result: Embed = {
        "title": title,
        "description": clip(_description(reply, words), min(MAX_DESCRIPTION, room)),
        "fields": fields,
        "color": COLOURS.get(reply.kind.value, 0x6D4C41),
    }
    if footer:
        result["footer"] = {"text": footer}
    return result


def _fit(fields: list[dict[str, Any]], budget: int, words: Words) -> list[dict[str, Any]]:
    """All fields if they fit; else as many as fit, then a marker that says so."""
    if len(fields) <= MAX_FIELDS and sum(map(_size, fields)) <= budget:
        return fields
    marker = {"name": "…", "value": words("render.more_fields"), "inline": False}
    kept: list[dict[str, Any]] = []
    used = _size(marker)
    for field in fields:
        if len(kept) == MAX_FIELDS - 1 or used + _size(field) > budget:
            break
        kept.append(field)
        used += _size(field)
    return [*kept, marker]


def _size(field: dict[str, Any]) -> int:
    return len(field["name"]) + len(field["value"])


def components(reply: Reply, *, shared: bool) -> list[dict[str, Any]]:
    """Button rows: 'More details', share and source links first, then related topics or
    suggestions."""
    words = i18n.words(reply.language)
    first: list[dict[str, Any]] = []
    expandable = {p.topic_id or "help": p for p in reply.parts or (reply,) if p.more}
    for topic, part in list(expandable.items())[:MAX_BUTTONS_PER_ROW]:  # custom ids are unique
        label = words("directory.show_all") if topic == "help" else words("render.more")
        label = f"{label}: {part.title}" if reply.parts else label
        first.append(button(custom_id("more", topic, reply.language), label, PRIMARY))
    public = reply.visibility is Visibility.SHAREABLE and not reply.parts
    if public and reply.topic_id and not shared:
        share = custom_id("share", reply.topic_id, reply.language)
        first.append(button(share, words("render.share"), SECONDARY))
    if not reply.parts and reply.kind is not ReplyKind.VERIFY and len(first) < MAX_BUTTONS_PER_ROW:
        other = OTHER_LANGUAGE.get(reply.language, "es")
        switch = custom_id("lang", reply.topic_id or "help", other)
        first.append(button(switch, words(f"language.switch_{other}"), SECONDARY))
    for link in reply.links:
        if _linkable(link.url) and len(first) < MAX_BUTTONS_PER_ROW:
            first.append(
                {"type": 2, "style": LINK, "label": clip(link.label, LABEL), "url": link.url}
            )
    votes = _feedback(reply, words) if not shared else []
    related = reply.related or tuple(t for p in reply.parts for t in p.related)
    topics = unique_topics(reply.suggestions or related)
    room = (MAX_ROWS - (1 if first else 0) - (1 if votes else 0)) * MAX_BUTTONS_PER_ROW
    buttons = [
        button(custom_id("topic", t.id, reply.language), t.title, SECONDARY) for t in topics[:room]
    ]
    rows = [first] if first else []
    rows += [
        buttons[i : i + MAX_BUTTONS_PER_ROW] for i in range(0, len(buttons), MAX_BUTTONS_PER_ROW)
    ]
    rows += [votes] if votes else []
    return [{"type": 1, "components": row} for row in rows[:MAX_ROWS]]


def _feedback(reply: Reply, words: Words) -> list[dict[str, Any]]:
    """*Helpful* / *Not helpful* under an answer to one topic."""
    if reply.kind is not ReplyKind.ANSWER or reply.parts or not reply.topic_id:
        return []
    return [
        button(custom_id(kind, reply.topic_id, reply.language), words(label), SECONDARY)
        for kind, label in (("yes", "feedback.helpful"), ("no", "feedback.not_helpful"))
    ]


MISSING_ID = "caremark:missing:"
"""The "What was missing?" form's custom id: `caremark:missing:<topic>@<language>`."""


def missing_form(topic: str, language: str) -> dict[str, Any]:
    """*Not helpful*'s one-line form (a modal), every word in the person's language."""
    words = i18n.words(language)
    field = {
        "type": 4,
        "custom_id": "missing",
        "style": 1,
        "required": False,
        "max_length": 300,
        "placeholder": clip(words("feedback.missing_hint"), 100),
    }
    label = {"type": 18, "label": clip(words("feedback.missing_label"), 45), "component": field}
    return {
        "type": 9,
        "data": {
            "custom_id": f"{MISSING_ID}{button_value(topic, language)}"[:MAX_CUSTOM_ID],
            "title": clip(words("feedback.missing_title"), 45),
            "components": [label],
        },
    }


def _description(reply: Reply, words: Words) -> str:
    parts = []
    for part in reply.parts or (reply,):
        lead = escape(part.lead)
        parts.append(f"**{escape(part.title)}**\n{lead}" if reply.parts else lead)
    if reply.summary:
        parts.append(escape(reply.summary))
    if reply.steps:
        steps = "\n".join(f"{n}\\. {escape(s)}" for n, s in enumerate(reply.steps, 1))
        parts.append(f"**{escape(words('render.steps'))}**\n{steps}")
    if reply.warnings:
        parts.append("\n".join(f"⚠️ {escape(w)}" for w in reply.warnings))
    return "\n\n".join(p for p in parts if p)


def _fields(reply: Reply, words: Words) -> Iterator[dict[str, Any]]:
    states = {True: f" · **{words('hours.open_now')}**", False: f" · {words('hours.closed_now')}"}
    for answer in reply.parts or (reply,):
        for c in answer.contacts:
            yield _field(c.label, escape(c.value), c.note, c.badge)
        for h in answer.hours:
            state = states[h.open_now] if h.open_now is not None else ""
            local = f"\n{escape(h.local)}" if h.local else ""
            yield _field(h.label, f"{escape(h.schedule)}{state}{local}", h.note, h.badge)
        for d in answer.details:
            yield _field(d.label, escape(d.value), d.note, d.badge)
        for x in answer.links:
            yield _field(x.label, escape(x.url), None, x.badge)
    for section in reply.sections:
        yield {
            "name": clip(plain(section.title), MAX_FIELD_NAME),
            "value": _listing(section.topics, words),
            "inline": False,
        }


def _listing(topics: tuple[TopicRef, ...], words: Words) -> str:
    """Topic lines until the field is full (never more work than the field can show)."""
    lines: list[str] = []
    size = 0
    for n, topic in enumerate(topics):
        line = f"{escape(topic.title)} · `{topic.id}`"
        if size + len(line) + 1 > MAX_FIELD_VALUE - 60:
            lines.append("… " + escape(words("render.more_topics", count=len(topics) - n)))
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) or "…"


def _field(label: str, value: str, note: str | None, badge: Badge) -> dict[str, Any]:
    text = f"{value}\n{BADGES[badge.trust]} *{escape(badge.text)}*"
    if note:
        text += f"\n{escape(note)}"
    return {
        "name": clip(plain(label), MAX_FIELD_NAME),
        "value": clip(text, MAX_FIELD_VALUE),
        "inline": False,
    }


def _footer(reply: Reply, words: Words) -> str:
    """In a full answer: trust at a glance (how many facts at each level) and the sources."""
    if not reply.sources:
        return plain(words("render.plan", plan=reply.plan)) if reply.plan else ""
    badges = [
        r.badge for rows in (reply.contacts, reply.hours, reply.details, reply.links) for r in rows
    ]
    counts: dict[Trust, int] = {}
    for badge in badges:
        counts[badge.trust] = counts.get(badge.trust, 0) + 1
    levels = " ".join(
        f"{BADGES[t]} {counts[t]} {words(f'trust.{t.value}')}" for t in Trust if t in counts
    )
    parts = [words("render.trust", counts=levels)] if levels else []
    parts += [f"{s.title}" + (f" ({s.detail})" if s.detail else "") for s in reply.sources]
    if reply.reviewed:
        parts.append(words("render.reviewed", date=reply.reviewed.isoformat()))
    if reply.plan:
        parts.append(words("render.plan", plan=reply.plan))
    return plain(" · ".join(parts))


def button(cid: str, label: str, style: int) -> dict[str, Any]:
    return {"type": 2, "style": style, "label": clip(label, LABEL), "custom_id": cid}


def _linkable(url: str) -> bool:
    return url.startswith("https://") and len(url) <= MAX_LINK_URL and " " not in url
