"""How long first messages are on Slack and Discord, per class of the development set.

    python -m tests.devset.lengths [FILE] [--json]

Counts the characters a person reads in the first message (see `visible_text` in
`tests/slack_limits.py` and `tests/discord_limits.py`), and reports the median and 90th
percentile per class and overall.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from adapters.discord_app import render as discord
from adapters.slack import render as slack
from bot.core import Engine
from bot.gate import load as load_kb
from bot.reply import Platform, Query
from tests import discord_limits, slack_limits
from tests.devset.evaluate import MESSAGES, load


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(engine: Engine, items: list[dict[str, Any]]) -> dict[str, dict[str, list[int]]]:
    """Visible characters of each first message, by platform and class."""
    sizes: dict[str, dict[str, list[int]]] = {
        "slack": defaultdict(list),
        "discord": defaultdict(list),
    }
    for item in items:
        for platform, render, count in (
            ("slack", slack.message, slack_limits.visible_text),
            ("discord", discord.message, discord_limits.visible_text),
        ):
            reply = await engine.handle(Query(item["text"], Platform(platform)))
            size = len(count(render(reply)))
            sizes[platform][item["class"]].append(size)
            sizes[platform]["all"].append(size)
    return sizes


def summary(sizes: dict[str, dict[str, list[int]]]) -> dict[str, dict[str, dict[str, int]]]:
    return {
        platform: {
            kind: {"median": int(statistics.median(v)), "p90": percentile(v, 0.9)}
            for kind, v in sorted(by_class.items())
        }
        for platform, by_class in sizes.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=MESSAGES)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = summary(asyncio.run(measure(Engine(load_kb()), load(args.file))))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'class':14} {'slack median':>12} {'p90':>6} {'discord median':>15} {'p90':>6}")
    for kind in result["slack"]:
        s, d = result["slack"][kind], result["discord"][kind]
        print(f"{kind:14} {s['median']:>12} {s['p90']:>6} {d['median']:>15} {d['p90']:>6}")


if __name__ == "__main__":
    main()
