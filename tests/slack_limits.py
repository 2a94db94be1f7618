"""Slack's Block Kit limits as a checker, written from the docs independently of the renderer."""

from __future__ import annotations

import re
from typing import Any

MENTION = re.compile(r"<[!@#]")
"""`<!channel>`, `<!here>`, `<@U…>`, `<#C…>`: live mentions once Slack parses the mrkdwn."""


def violations(payload: dict[str, Any], *, home: bool = False) -> list[str]:
    """Every way `payload` breaks a documented limit or our safety rules; [] when clean."""
    found: list[str] = []
    blocks = payload.get("blocks", [])
    if not home:
        text = payload.get("text")
        if not text or len(text) > 3000:
            found.append("top-level text fallback missing or over 3000")
        if payload.get("response_type") not in ("ephemeral", "in_channel"):
            found.append("response_type not declared")
        if MENTION.search(text or ""):
            found.append("live mention in the text fallback")
        if "link_names" in payload:
            found.append("link_names sent")
    if len(blocks) > (100 if home else 50):
        found.append(f"{len(blocks)} blocks")
    action_ids: list[str] = []
    for i, block in enumerate(blocks):
        kind = block["type"]
        if len(block.get("block_id", "")) > 255:
            found.append(f"block {i}: block_id too long")
        if kind == "header" and not 0 < len(block["text"]["text"]) <= 150:
            found.append(f"block {i}: header text length")
        if kind == "section":
            if "text" in block and not 0 < len(block["text"]["text"]) <= 3000:
                found.append(f"block {i}: section text length {len(block['text']['text'])}")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(not 0 < len(f["text"]) <= 2000 for f in fields):
                found.append(f"block {i}: fields")
            if "text" not in block and not fields:
                found.append(f"block {i}: empty section")
        if kind == "context" and not 0 < len(block["elements"]) <= 10:
            found.append(f"block {i}: context elements")
        if kind == "actions":
            elements = block["elements"]
            if not 0 < len(elements) <= 25:
                found.append(f"block {i}: {len(elements)} actions")
            for button in elements:
                action_ids.append(button["action_id"])
                if len(button["action_id"]) > 255 or len(button.get("value", "")) > 2000:
                    found.append(f"block {i}: action_id or value too long")
                if not 0 < len(button["text"]["text"]) <= 75:
                    found.append(f"block {i}: button text length")
    if len(action_ids) != len(set(action_ids)):
        found.append("duplicate action_id")
    for obj in _text_objects(blocks):
        if obj["type"] == "mrkdwn":
            if obj.get("verbatim") is not True:
                found.append("mrkdwn without verbatim")
            if MENTION.search(obj["text"]):
                found.append(f"live mention: {obj['text'][:80]!r}")
    return found


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """Every string Slack parses as mrkdwn, including the top-level fallback."""
    texts = [o["text"] for o in _text_objects(payload.get("blocks", [])) if o["type"] == "mrkdwn"]
    return [payload.get("text", ""), *texts]


def _text_objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        here = [value] if value.get("type") in ("mrkdwn", "plain_text") else []
        return here + [o for v in value.values() for o in _text_objects(v)]
    if isinstance(value, list):
        return [o for v in value for o in _text_objects(v)]
    return []


_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_MARKS = re.compile(r"[*_~`]")


def visible_text(payload: dict[str, Any]) -> str:
    """What a person reads in a message: every text object (headers, sections, fields,
    context, button labels) with mrkdwn marks removed and each emoji code counted as one
    character; the notification `text` fallback is not shown in the message itself."""
    shown = []
    for obj in _text_objects(payload.get("blocks", [])):
        text = obj.get("text", "")
        if obj.get("type") == "mrkdwn":
            text = _MARKS.sub("", _EMOJI.sub("□", text))
            text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        shown.append(text)
    return "\n".join(shown)


def modal_violations(view: dict[str, Any]) -> list[str]:
    """Every way a modal breaks a documented limit; mentions are allowed (they notify no one
    in a modal, and show the person's name)."""
    found = [v for v in violations(view, home=True) if not v.startswith("live mention")]
    if view.get("type") != "modal":
        found.append("not a modal")
    for key in ("title", "close", "submit"):
        if key in view and not 0 < len(view[key]["text"]) <= 24:
            found.append(f"{key} over 24 characters")
    if len(view.get("private_metadata", "")) > 3000:
        found.append("private_metadata over 3000")
    inputs = [b for b in view.get("blocks", []) if b["type"] == "input"]
    if inputs and "submit" not in view:
        found.append("inputs without a submit button")
    ids = [b["block_id"] for b in view.get("blocks", []) if "block_id" in b]
    if len(ids) != len(set(ids)):
        found.append("duplicate block_id")
    for block in inputs:
        element = block["element"]
        if not 0 < len(block["label"]["text"]) <= 2000:
            found.append("input label length")
        if len(element.get("initial_value", "")) > 3000:
            found.append("initial value over 3000")
        for option in element.get("options", []):
            if len(option["text"]["text"]) > 75 or len(option["value"]) > 150:
                found.append("option text or value too long")
        if len(element.get("options", [])) > 100:
            found.append("over 100 options")
    for block in view.get("blocks", []):
        for option in (block.get("accessory") or {}).get("options", []):
            if len(option["text"]["text"]) > 75 or len(option["value"]) > 150:
                found.append("overflow option too long")
    return found
