"""Discord's message limits as a checker, written from the docs independently of the renderer."""

from __future__ import annotations

import re
from typing import Any

MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def violations(data: dict[str, Any]) -> list[str]:
    """Every way message `data` breaks a documented limit or our safety rules."""
    found: list[str] = []
    if data.get("allowed_mentions") != {"parse": []}:
        found.append("allowed_mentions must parse nothing")
    embeds = data.get("embeds", [])
    if len(embeds) > 10:
        found.append("more than 10 embeds")
    total = 0
    for e in embeds:
        sizes = {"title": 256, "description": 4096}
        for key, limit in sizes.items():
            if len(e.get(key) or "") > limit:
                found.append(f"embed {key} over {limit}")
            total += len(e.get(key) or "")
        fields = e.get("fields", [])
        if len(fields) > 25:
            found.append("more than 25 fields")
        for f in fields:
            if not 0 < len(f["name"]) <= 256 or not 0 < len(f["value"]) <= 1024:
                found.append(f"field size {len(f['name'])}/{len(f['value'])}")
            total += len(f["name"]) + len(f["value"])
        footer = (e.get("footer") or {}).get("text") or ""
        if len(footer) > 2048:
            found.append("footer over 2048")
        total += len(footer)
        for text in [
            e.get("title", ""),
            e.get("description", ""),
            footer,
            *(f["name"] + f["value"] for f in fields),
        ]:
            if MENTION.search(text):
                found.append(f"live mention: {text[:60]!r}")
        for text in [e.get("description") or "", *(f["value"] for f in fields)]:
            if MASKED_LINK.search(text):
                found.append(f"masked link: {text[:60]!r}")
    if total > 6000:
        found.append(f"embeds total {total} over 6000")
    if len(data.get("content") or "") > 2000:
        found.append("content over 2000")
    rows = data.get("components", [])
    if len(rows) > 5:
        found.append("more than 5 rows")
    ids: list[str] = []
    for row in rows:
        buttons = row["components"]
        if not 0 < len(buttons) <= 5:
            found.append(f"row with {len(buttons)} buttons")
        for b in buttons:
            if not 0 < len(b.get("label") or "") <= 80:
                found.append("button label length")
            if b["style"] == 5:
                if b.get("custom_id") or not (b.get("url") or "").startswith(
                    ("https://", "http://")
                ):
                    found.append("link button without http(s) url, or with custom_id")
                if len(b["url"]) > 512:
                    found.append("link url over 512")
            else:
                if not 0 < len(b.get("custom_id") or "") <= 100:
                    found.append("custom_id length")
                ids.append(b["custom_id"])
    if len(ids) != len(set(ids)):
        found.append("duplicate custom_id")
    return found


def visible_text(data: dict[str, Any]) -> str:
    """What a person reads in a message: content, each embed's title, description, field
    names and values and footer, and the button labels."""
    shown = [data.get("content", "")]
    for embed in data.get("embeds", []):
        shown += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", []):
            shown += [field.get("name", ""), field.get("value", "")]
        shown.append(embed.get("footer", {}).get("text", ""))
    for row in data.get("components", []):
        shown += [button.get("label", "") for button in row.get("components", [])]
    text = "\n".join(s for s in shown if s)
    return text.replace("\\", "").replace("**", "").replace("\u200b", "")
