"""Reply → Slack Block Kit: a pure function, within every limit Slack sets.

Every string from the knowledge base goes through `escape` before it reaches mrkdwn, every mrkdwn
object is `verbatim`, and `link_names` is never sent, so no text can ping a channel. Content
longer than a block allows is cut at a word boundary with a visible marker; blocks past the
budget are replaced by a note that links to the answer's first source.
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
from bot.reply import Badge, HoursRow, Reply, ReplyKind, TopicRef, Trust, Visibility

# Slack's limits for messages (docs.slack.dev, Block Kit reference; see adapters/PLATFORM-NOTES.md)
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000  # stays well under the element limit
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_URL = 3000
MAX_FALLBACK_TEXT = 3000
# our own choices inside those limits
BUTTON_LABEL = 30
MAX_RELATED_BUTTONS = 10

TOPIC_ACTION = "topic:"
SHARE_ACTION = "share"
MORE_ACTION = "more:"
LANGUAGE_ACTION = "lang:"
OTHER_LANGUAGE = {"en": "es", "es": "en"}

ICONS = {
    Trust.PLAN_VERIFIED: ":white_check_mark:",
    Trust.OFFICIAL: ":classical_building:",
    Trust.CORROBORATED: ":large_blue_circle:",
    Trust.UNVERIFIED: ":grey_question:",
    Trust.SAFE_ADVICE: ":information_source:",
}
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Make text inert in mrkdwn: `&` first, then `<` and `>` (no links, mentions or pings)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut to fit with a visible marker, never splitting an `&amp;`-style entity."""
    return cut(text, limit, lambda end: _PARTIAL_ENTITY.sub("", end))


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    """A mrkdwn object from already-escaped text."""
    return {"type": "mrkdwn", "text": clip(text, limit) or " ", "verbatim": True}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def message(reply: Reply, *, shared: bool = False, note: bool = True) -> dict[str, Any]:
    """The message for a slash command or `response_url`: private unless shared, and never
    shared when the reply itself is private (a routed topic from an old or crafted button).
    `note` says under a shared answer that it came from /caremark (not under a reply to a
    mention, which everyone saw asked)."""
    shared = shared and reply.visibility is Visibility.SHAREABLE
    words = i18n.words(reply.language)
    tail = _actions(reply, words, shareable=not shared)
    tail += _buttons(reply, words)
    tail += [] if shared else _feedback(reply, words)
    tail += _footer(reply, shared and note, words)
    return {
        "response_type": "in_channel" if shared else "ephemeral",
        "text": fallback_text(reply),
        "blocks": _budget(list(_message_body(reply, words)), reply, MAX_BLOCKS - len(tail)) + tail,
    }


def _message_body(reply: Reply, words: Words) -> Iterator[Block]:
    """One answer's blocks, or each part's in turn for a message that asked several things."""
    if not reply.parts:
        yield from _body(reply, words)
        return
    for part in reply.parts:
        yield from _body(part, words, heading=False)


def preview_blocks(reply: Reply, limit: int) -> list[Block]:
    """The answer's blocks without its buttons: what employees see, to show in a modal."""
    words = i18n.words(reply.language)
    body = [b for b in _message_body(reply, words) if b["type"] != "actions"]
    return _budget(body, reply, limit)


def message_json(reply: Reply) -> str:
    """The exact slash-command response body, as `caremark-bot ask --format slack` prints it."""
    return json.dumps(message(reply), indent=2, ensure_ascii=False)


def home_view(directory: Reply, answer: Reply | None = None) -> dict[str, Any]:
    """The App Home tab: the last answer picked (if any), then every topic as a button."""
    words = i18n.words(directory.language)
    intro = {"type": "section", "text": mrkdwn(escape(words("platform.home_intro")))}
    listing = [intro, *_body(directory, words)]
    if answer is None:
        return {"type": "home", "blocks": _budget(listing, directory, MAX_HOME_BLOCKS)}
    tail = [*_footer(answer, False, words), {"type": "divider"}, *listing]
    shown = _budget(list(_body(answer, words)), answer, MAX_HOME_BLOCKS - len(tail))
    return {"type": "home", "blocks": shown + tail}


def fallback_text(reply: Reply) -> str:
    """Top-level `text`: what notifications and screen readers get."""
    parts = reply.parts or (reply,)
    text = " ".join(f"{p.title}: {p.lead}" for p in parts).replace("\n\n", " ")
    return clip(escape(text), MAX_FALLBACK_TEXT)


def notice(text: str) -> dict[str, Any]:
    """A short private line from the bot (slow down, just shared), never an answer."""
    said = escape(text)
    return {
        "response_type": "ephemeral",
        "text": said,
        "blocks": [{"type": "section", "text": mrkdwn(said)}],
    }


def error_message(reference: str, language: str = i18n.DEFAULT) -> dict[str, Any]:
    """The private answer when something failed: friendly, with a reference for the logs."""
    text = escape(i18n.words(language)("render.error", reference=reference))
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }


def _body(reply: Reply, words: Words, *, heading: bool = True) -> Iterator[Block]:
    """Title, the direct answer, the detail (in a full view), then the facts with badges."""
    if heading:
        yield {"type": "header", "text": plain(reply.title, MAX_HEADER_TEXT)}
        lead = escape(reply.lead)
    else:
        lead = f"*{escape(reply.title)}*\n{escape(reply.lead)}"
    yield from _sections([lead] if reply.lead or not heading else [])
    for paragraph in reply.summary.split("\n\n") if reply.summary else ():
        yield from _sections([escape(paragraph)])
    if reply.contacts:
        fields = [
            _field(f"*{escape(c.label)}*\n{escape(c.value)}", c.note, c.badge)
            for c in reply.contacts
        ]
        for start in range(0, len(fields), MAX_FIELDS):
            yield {"type": "section", "fields": fields[start : start + MAX_FIELDS]}
    hours = [_hours_line(row, words) for row in reply.hours]
    yield from _sections(hours, title=words("render.hours") if reply.summary else None)
    details = [
        _line(f"*{escape(d.label)}:* {escape(d.value)}", d.note, d.badge) for d in reply.details
    ]
    yield from _sections(details, title=words("render.good_to_know"))
    steps = [f"{n}. {escape(s)}" for n, s in enumerate(reply.steps, 1)]
    yield from _sections(steps, title=words("render.steps"))
    links = [_line(_link(x.url, x.label), None, x.badge) for x in reply.links]
    yield from _sections(links, title=words("render.links") if reply.summary else None)
    yield from _sections([f":warning: {escape(w)}" for w in reply.warnings])
    for section in reply.sections:
        yield {"type": "section", "text": mrkdwn(f"*{escape(section.title)}*")}
        yield from _button_rows(section.topics[:MAX_ACTIONS], words.language)  # one row each
        if len(section.topics) > MAX_ACTIONS:
            more = words("render.more_topics", count=len(section.topics) - MAX_ACTIONS)
            yield {"type": "context", "elements": [mrkdwn(escape(more), MAX_CONTEXT_TEXT)]}


def _actions(reply: Reply, words: Words, *, shareable: bool) -> list[Block]:
    """'More details' (or 'Show all topics') and 'Share in channel', where they apply."""
    buttons = []
    expandable = {p.topic_id or "help": p for p in reply.parts or (reply,) if p.more}
    for part in expandable.values():  # one button per topic: action ids must be unique
        buttons.append(_more_button(part, words, several=bool(reply.parts)))
    public = reply.visibility is Visibility.SHAREABLE and not reply.parts
    if shareable and public and reply.topic_id:
        buttons.append(_share_button(reply.topic_id, words))
    if not reply.parts and reply.kind is not ReplyKind.VERIFY:
        buttons.append(_language_button(reply))
    return [{"type": "actions", "block_id": "answer", "elements": buttons}] if buttons else []


FEEDBACK_ACTION = "caremark_feedback:"
"""`caremark_feedback:yes` / `caremark_feedback:no`: was this answer helpful?"""


def _feedback(reply: Reply, words: Words) -> list[Block]:
    """*Helpful* / *Not helpful* under an answer to one topic."""
    if reply.kind is not ReplyKind.ANSWER or reply.parts or not reply.topic_id:
        return []
    value = button_value(reply.topic_id, words.language)[:MAX_BUTTON_VALUE]
    buttons = [
        {
            "type": "button",
            "text": plain(words(f"feedback.{label}"), BUTTON_LABEL),
            "action_id": f"{FEEDBACK_ACTION}{answer}",
            "value": value,
        }
        for answer, label in (("yes", "helpful"), ("no", "not_helpful"))
    ]
    return [{"type": "actions", "block_id": "feedback", "elements": buttons}]


def _buttons(reply: Reply, words: Words) -> list[Block]:
    if reply.suggestions:
        return list(_button_rows(reply.suggestions, words.language, limit=MAX_ACTIONS))
    related = unique_topics(reply.related)
    related_rows = _button_rows(related[:MAX_RELATED_BUTTONS], words.language, MAX_RELATED_BUTTONS)
    rows = list(related_rows)
    if len(related) > MAX_RELATED_BUTTONS:
        more = words("render.more_related", count=len(related) - MAX_RELATED_BUTTONS)
        rows.append({"type": "context", "elements": [mrkdwn(escape(more), MAX_CONTEXT_TEXT)]})
    return rows


def _button_rows(
    topics: Iterable[TopicRef], language: str, limit: int | None = None
) -> Iterator[Block]:
    buttons = [_topic_button(t, language) for t in unique_topics(topics)][:limit]
    for start in range(0, len(buttons), MAX_ACTIONS):
        yield {"type": "actions", "elements": buttons[start : start + MAX_ACTIONS]}


def _topic_button(topic: TopicRef, language: str) -> Block:
    return {
        "type": "button",
        "text": plain(topic.title, BUTTON_LABEL),
        "action_id": f"{TOPIC_ACTION}{topic.id}"[:MAX_ACTION_ID],
        "value": button_value(topic.id, language)[:MAX_BUTTON_VALUE],
    }


def _share_button(topic_id: str, words: Words) -> Block:
    return {
        "type": "button",
        "text": plain(words("render.share"), BUTTON_LABEL),
        "action_id": SHARE_ACTION,
        "value": button_value(topic_id, words.language)[:MAX_BUTTON_VALUE],
    }


def _more_button(reply: Reply, words: Words, *, several: bool) -> Block:
    """The full answer in place of the first message; for a miss or `help`, every topic."""
    topic = reply.topic_id or "help"
    label = words("directory.show_all") if topic == "help" else words("render.more")
    if several:
        label = f"{label}: {reply.title}"
    return {
        "type": "button",
        "style": "primary",
        "text": plain(label, BUTTON_LABEL),
        "action_id": f"{MORE_ACTION}{topic}"[:MAX_ACTION_ID],
        "value": button_value(topic, words.language)[:MAX_BUTTON_VALUE],
    }


def _language_button(reply: Reply) -> Block:
    """The same answer in the other language."""
    other = OTHER_LANGUAGE.get(reply.language, "es")
    topic = reply.topic_id or "help"
    return {
        "type": "button",
        "text": plain(i18n.words(reply.language)(f"language.switch_{other}"), BUTTON_LABEL),
        "action_id": f"{LANGUAGE_ACTION}{topic}"[:MAX_ACTION_ID],
        "value": button_value(topic, other)[:MAX_BUTTON_VALUE],
    }


def _footer(reply: Reply, shared: bool, words: Words) -> list[Block]:
    elements = [mrkdwn(_source(s.title, s.url, s.detail), MAX_CONTEXT_TEXT) for s in reply.sources]
    tail = []
    if reply.reviewed:
        tail.append(escape(words("render.reviewed", date=reply.reviewed.isoformat())))
    if reply.plan:
        tail.append(escape(words("render.plan", plan=reply.plan)))
    if shared:
        tail.append(escape(words("render.shared")))
    room = MAX_CONTEXT_ELEMENTS - (1 if tail else 0)
    if len(elements) > room:
        more = mrkdwn(escape(words("render.more_sources", count=len(elements) - room + 1)))
        elements = [*elements[: room - 1], more]
    if tail:
        elements.append(mrkdwn(" · ".join(tail), MAX_CONTEXT_TEXT))
    return [{"type": "context", "elements": elements}] if elements else []


def _budget(blocks: list[Block], reply: Reply, limit: int) -> list[Block]:
    """At most `limit` blocks; the last one says what was left out and where to read it."""
    if len(blocks) <= limit:
        return blocks
    words = i18n.words(reply.language)
    url = next((s.url for s in reply.sources if s.url and s.url.startswith("https://")), None)
    where = ""
    if url:
        where = " " + escape(words("render.read_source", link="LINK")).replace(
            "LINK", _link(url, words("render.source_link"))
        )
    shortened = escape(words("render.shortened"))
    note = {"type": "context", "elements": [mrkdwn(f"{shortened}{where}")]}
    return [*blocks[: limit - 1], note]


def _sections(lines: list[str], title: str | None = None) -> Iterator[Block]:
    """Lines packed into as few sections as fit, each line cut to fit on its own."""
    if not lines:
        return
    chunk = f"*{title}*" if title else ""
    for line in lines:
        line = clip(line, MAX_SECTION_TEXT - len(f"*{title}*\n") if title else MAX_SECTION_TEXT)
        candidate = f"{chunk}\n{line}" if chunk else line
        if len(candidate) > MAX_SECTION_TEXT:
            yield {"type": "section", "text": mrkdwn(chunk)}
            candidate = line
        chunk = candidate
    yield {"type": "section", "text": mrkdwn(chunk)}


def _field(head: str, note: str | None, badge: Badge) -> dict[str, Any]:
    text = f"{head}\n_{ICONS[badge.trust]} {escape(badge.text)}_"
    return mrkdwn(f"{text}\n{escape(note)}" if note else text, MAX_FIELD_TEXT)


def _line(head: str, note: str | None, badge: Badge) -> str:
    text = f"• {head}\n      _{ICONS[badge.trust]} {escape(badge.text)}_"
    return f"{text}\n      {escape(note)}" if note else text


def _hours_line(row: HoursRow, words: Words) -> str:
    state = ""
    if row.open_now is not None:
        state = (
            f" · *{words('hours.open_now')}*" if row.open_now else f" · {words('hours.closed_now')}"
        )
    head = f"*{escape(row.label)}:* {escape(row.schedule)}{state}"
    if row.local:
        head += f"\n      {escape(row.local)}"
    return _line(head, row.note, row.badge)


def _link(url: str, label: str) -> str:
    """A mrkdwn link, only for https; anything else is shown as inert text."""
    safe_label = escape(label).replace("|", "¦")
    if not url.startswith("https://") or len(url) > MAX_URL or any(c in url for c in " <>|"):
        return f"{safe_label} ({escape(url)})"
    return f"<{escape(url)}|{safe_label}>"


def _source(title: str, url: str | None, detail: str) -> str:
    label = _link(url, title) if url else escape(title)
    return f"{label} ({escape(detail)})" if detail else label
