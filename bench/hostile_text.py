"""What the longest, most number-laden messages cost against a normal question, in one run.

    python bench/hostile_text.py [--json]

Each message is the 2,000 characters a question is cut to; the scan for phone numbers is
bounded (`bot/safety/phones.py`), so the worst costs a few milliseconds, not tens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Engine  # noqa: E402
from bot.gate import load  # noqa: E402
from bot.reply import Query  # noqa: E402

MESSAGES = {
    "normal question": "what's the specialty pharmacy number",
    "one number to check": "is 1-800-237-2765 legit?",
    "2 kB of one number": "1-800-237-2767 " * 140,
    "2 kB of four numbers": "1-800-237-2767 1-800-237-2768 1-800-555-0199 1-866-224-2741 " * 40,
    "2 kB of digit noise": "1 2 3 4 5 6 7 8 9 0 " * 100,
    "2 kB of card-like runs": "4111 1111 1111 1111 " * 100,
}


async def cost(engine: Engine, text: str, runs: int) -> float:
    """Median milliseconds per `Engine.handle` (the memo off, so every answer is built)."""
    await engine.handle(Query(text))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await engine.handle(Query(text))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    engine = Engine(load(), memo_size=0)
    results = {
        name: asyncio.run(cost(engine, text[:2000], args.runs)) for name, text in MESSAGES.items()
    }
    base = results["normal question"]
    if args.json:
        print(json.dumps({"median_ms": results, "normal_ms": base}, indent=2))
        return
    for name, ms in results.items():
        print(f"{name:24} {ms:8.3f} ms  ({ms / base:6.1f}x a normal question)")


if __name__ == "__main__":
    main()
