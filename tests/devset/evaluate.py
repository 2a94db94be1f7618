"""Score the engine on a labelled set of messages, per class, and list what went wrong.

    python -m tests.devset.evaluate [FILE ...] [--json] [--wrong]

A message is *right* when the reply is about the expected topic (or topics, or outcome), in
the message's language (an item's `language`, else the file's: `messages-es.yaml` is Spanish,
`messages.yaml` English), and *unsafe* when any rendering of it (console, Slack, Discord)
contains a string the label says it must never contain, or lacks one it must contain. The
default file is this folder's `messages.yaml`; a held-out set of the same shape can be given
instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from adapters.console import render_text  # noqa: E402
from adapters.discord_app import render as discord  # noqa: E402
from adapters.slack import render as slack  # noqa: E402
from bot.core import Engine  # noqa: E402
from bot.i18n import DEFAULT, words  # noqa: E402
from bot.reply import Platform, Query, Reply, ReplyKind, Visibility  # noqa: E402

MESSAGES = Path(__file__).with_name("messages.yaml")
SPANISH = Path(__file__).with_name("messages-es.yaml")
VERDICT_KEYS = {
    "official": ("verify.official", "verify.plan"),
    "scam": ("verify.scam",),
    "unknown": ("verify.unknown",),
}


@dataclass
class Outcome:
    """One message's result: right or not, safe or not, and why."""

    text: str
    kind: str
    expected: dict[str, Any]
    got: str
    right: bool
    unsafe: list[str] = field(default_factory=list)


def load(path: Path = MESSAGES) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        items: list[dict[str, Any]] = yaml.safe_load(handle)
    language = path.stem.rpartition("-")[2] if "-" in path.stem else DEFAULT
    for item in items:
        item.setdefault("language", language)
    return items


def renderings(reply: Reply) -> str:
    """Everything the person could see, on every platform, as one string."""
    return "\n".join(
        [
            render_text(reply),
            json.dumps(slack.message(reply), ensure_ascii=False),
            json.dumps(discord.message(reply), ensure_ascii=False),
        ]
    )


def judge(item: dict[str, Any], reply: Reply) -> Outcome:
    expect = item["expect"]
    got = _described(reply)
    language = item.get("language", DEFAULT)
    right = _matches(expect, reply) and reply.language == language
    if reply.language != language:
        got += f" (in {reply.language})"
    shown = renderings(reply)
    unsafe = [f"contains {s!r}" for s in item.get("must_not", []) if s in shown]
    unsafe += [f"lacks {s!r}" for s in item.get("must", []) if s not in shown]
    return Outcome(item["text"], item["class"], expect, got, right, unsafe)


def _described(reply: Reply) -> str:
    if reply.kind is ReplyKind.MULTI:
        return "topics: " + ", ".join(str(p.topic_id) for p in reply.parts)
    if reply.kind is ReplyKind.VERIFY:
        return f"verify: {reply.lead[:80]}"
    return f"{reply.kind.value}: {reply.topic_id}"


def _matches(expect: dict[str, Any], reply: Reply) -> bool:
    outcome = expect.get("outcome")
    if outcome == "verify":
        if reply.kind is not ReplyKind.VERIFY:
            return False
        verdict = expect.get("verdict")
        if verdict is None:
            return True
        said = words(reply.language)
        return any(said(key) in reply.lead for key in VERDICT_KEYS[verdict])
    if outcome == "privacy":
        notice = reply.visibility is Visibility.PRIVATE and any(
            marker in reply.lead for marker in _privacy_markers(reply.language)
        )
        topic = expect.get("topic")
        return notice and (topic is None or _about(reply, topic))
    if "topics" in expect:
        wanted = list(expect["topics"])
        got = [p.topic_id for p in reply.parts] if reply.parts else [reply.topic_id]
        return all(t in got for t in wanted) and len(got) <= len(wanted) + 1
    return _about(reply, expect["topic"])


def _about(reply: Reply, topic: str) -> bool:
    return reply.topic_id == topic or any(p.topic_id == topic for p in reply.parts)


def _privacy_markers(language: str) -> list[str]:
    said = words(language)
    return [said("privacy.posted", what="").split(":")[0], said("privacy.typed", what="")[:20]]


async def run(engine: Engine, items: list[dict[str, Any]]) -> list[Outcome]:
    outcomes = []
    for item in items:
        reply = await engine.handle(Query(item["text"], Platform.SLACK))
        outcomes.append(judge(item, reply))
    return outcomes


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    """Right and unsafe counts per class, and overall."""
    by_class: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_class[outcome.kind].append(outcome)
    classes = {
        kind: {
            "messages": len(group),
            "right": sum(o.right for o in group),
            "accuracy": round(sum(o.right for o in group) / len(group), 3),
            "unsafe": sum(bool(o.unsafe) for o in group),
        }
        for kind, group in sorted(by_class.items())
    }
    total = len(outcomes)
    right = sum(o.right for o in outcomes)
    return {
        "messages": total,
        "right": right,
        "accuracy": round(right / total, 3) if total else 0.0,
        "unsafe": sum(bool(o.unsafe) for o in outcomes),
        "classes": classes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[MESSAGES])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--wrong", action="store_true", help="list every wrong or unsafe answer")
    args = parser.parse_args()
    from bot.gate import load as load_kb

    engine = Engine(load_kb())
    items = [item for path in args.files for item in load(path)]
    outcomes = asyncio.run(run(engine, items))
    summary = report(outcomes)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{'class':14} {'right':>9} {'accuracy':>9} {'unsafe':>7}")
        for kind, row in summary["classes"].items():
            print(
                f"{kind:14} {row['right']:>4}/{row['messages']:<4} {row['accuracy']:>9.1%} "
                f"{row['unsafe']:>7}"
            )
        print(
            f"{'all':14} {summary['right']:>4}/{summary['messages']:<4} "
            f"{summary['accuracy']:>9.1%} {summary['unsafe']:>7}"
        )
    if args.wrong:
        for o in outcomes:
            if not o.right or o.unsafe:
                print(f"- [{o.kind}] {o.text!r}\n    expected {o.expected}, got {o.got}")
                for problem in o.unsafe:
                    print(f"    UNSAFE: {problem}")


if __name__ == "__main__":
    main()
