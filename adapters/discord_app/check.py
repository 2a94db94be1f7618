"""*Check contacts*, Discord's message command: a private verdict on every number, address
and link in the message it was used on, over HTTP interactions and the gateway alike."""

from __future__ import annotations

from typing import Any

from adapters.discord_app.commands import MESSAGE

EMBED_TEXT = ("title", "description", "url")


def is_check(interaction: dict[str, Any]) -> bool:
    """An application command of the message kind (`data.type` 3): ours is the only one."""
    data = interaction.get("data") or {}
    return isinstance(data, dict) and data.get("type") == MESSAGE


def target_message(interaction: dict[str, Any]) -> dict[str, Any]:
    """The message the command was used on, as Discord resolves it ({} if absent)."""
    data = interaction.get("data") or {}
    messages = (data.get("resolved") or {}).get("messages") or {}
    found = messages.get(str(data.get("target_id") or "")) if isinstance(messages, dict) else None
    return found if isinstance(found, dict) else {}


def message_text(message: dict[str, Any]) -> str:
    """Everything a message says: its content, its embeds, its attachments' names and its
    link buttons' targets."""
    parts = [str(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        if not isinstance(embed, dict):
            continue
        parts += [str(embed.get(key) or "") for key in EMBED_TEXT]
        for field in embed.get("fields") or []:
            if isinstance(field, dict):
                parts += [str(field.get("name") or ""), str(field.get("value") or "")]
        for part in ("footer", "author"):
            inner = embed.get(part)
            if isinstance(inner, dict):
                parts += [
                    str(inner.get("text") or inner.get("name") or ""),
                    str(inner.get("url") or ""),
                ]
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            parts.append(str(attachment.get("filename") or ""))
    for row in message.get("components") or []:
        for item in (row.get("components") or []) if isinstance(row, dict) else []:
            if isinstance(item, dict):
                parts += [str(item.get("label") or ""), str(item.get("url") or "")]
    return "\n".join(p for p in dict.fromkeys(parts) if p)
