"""What checking a 4,000-character message costs (Slack's shortcut, Discord's context menu):
`Engine.check_message` on realistic and worst-case messages, median and p99.

    python bench/message_check.py [--runs N] [--json]

Target: under 2 ms for a 4,000-character message (`make bench` checks it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Engine  # noqa: E402
from bot.gate import load  # noqa: E402
from bot.reply import Platform, Query  # noqa: E402

SIZE = 4_000
SCAM = (
    "CVS Caremark: your specialty order is on hold. Call 1-800-237-2765 or log in at "
    "https://caremark.com.secure-login.info/verify and reply with your member ID. "
)
PROSE = "Reminder: open enrollment closes Friday, see the benefits page for details. "
MESSAGES = {
    "a scam text in a long thread": (PROSE * 60)[: SIZE - len(SCAM)] + SCAM,
    "numbers everywhere": "call 1-800-237-2767 or 1-800-237-2768, " * 110,
    "links everywhere": "see https://caremark-support.com/x and bit.ly/abc, " * 90,
    "digit noise": "1 2 3 4 5 6 7 8 9 0 " * 200,
    "one long word": "x" * SIZE,
}


def timings(engine: Engine, text: str, runs: int) -> list[float]:
    query = Query(text[:SIZE], Platform.SLACK)
    engine.check_message(query)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        engine.check_message(query)
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(runs: int = 300) -> dict[str, dict[str, float]]:
    engine = Engine(load())
    results: dict[str, dict[str, float]] = {}
    for name, text in MESSAGES.items():
        times = sorted(timings(engine, text, runs))
        results[name] = {
            "median_ms": statistics.median(times),
            "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        }
    return results


def worst_p99(results: dict[str, Any]) -> float:
    return max(row["p99_ms"] for row in results.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"| message ({SIZE:,} characters) | median ms | p99 ms |")
    print("|---|---|---|")
    for name, row in results.items():
        print(f"| {name} | {row['median_ms']:.3f} | {row['p99_ms']:.3f} |")


if __name__ == "__main__":
    main()
