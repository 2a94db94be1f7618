"""In-process answer latency: normalise, resolve and build the reply (and render it as text).

    python bench/answer_latency.py [--queries 12000] [--json]

Mixes exact aliases, natural phrasings, typos and misses over the shipped knowledge base and
reports the median and p99 per query, measured with perf_counter_ns around `Engine.handle`
(plus the console render). One event loop runs every query, as a server would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.console import render_text  # noqa: E402
from bot.core import Engine  # noqa: E402
from bot.reply import Query  # noqa: E402
from tests.test_resolution import PHRASINGS, TYPOS  # noqa: E402

MISSES = [
    "qwxz zzkj",
    "what is the meaning of life",
    "pizza delivery near me",
    "zzz",
    "42",
    "my member id is 123456789",
    "a" * 5000,
    "<!channel> @everyone please",
]


def workload(engine: Engine, count: int, seed: int = 7) -> dict[str, list[str]]:
    """Queries by kind; every kind gets a quarter of the total."""
    exact = [alias for t in engine.knowledge.topics for alias in (t.id, *t.aliases)]
    natural = [q for qs in PHRASINGS.values() for q in qs]
    rng = random.Random(seed)
    per_kind = count // 4
    kinds = {"exact": exact, "natural": natural, "typo": list(TYPOS), "miss": MISSES}
    return {kind: [rng.choice(pool) for _ in range(per_kind)] for kind, pool in kinds.items()}


async def measure(engine: Engine, queries: list[str], *, render: bool) -> list[int]:
    """Nanoseconds per query for `handle` alone, or for `handle` plus the console render."""
    timings = []
    for text in queries:
        start = time.perf_counter_ns()
        reply = await engine.handle(Query(text))
        if render:
            render_text(reply)
        timings.append(time.perf_counter_ns() - start)
    return timings


def summary(timings: list[int]) -> dict[str, float]:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"n": len(ordered), "median_us": statistics.median(ordered) / 1000, "p99_us": p99 / 1000}


async def run(count: int) -> dict[str, object]:
    engine = Engine.from_files(memo_size=0)  # every answer built: the cost of a miss
    queries = workload(engine, count)
    mixed = [q for qs in queries.values() for q in qs]
    random.Random(11).shuffle(mixed)
    await measure(engine, mixed[:500], render=True)  # warm caches
    results: dict[str, object] = {
        "all": summary(await measure(engine, mixed, render=False)),
        "all+text": summary(await measure(engine, mixed, render=True)),
    }
    for kind, texts in queries.items():
        results[kind] = summary(await measure(engine, texts, render=False))
    results["machine"] = f"{platform.python_implementation()} {platform.python_version()}"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=12_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(run(args.queries))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"In-process answer latency ({results['machine']}), shipped knowledge base")
    print("handle = normalise + resolve + build the reply; +text adds the console render")
    print(f"{'queries':<10}{'n':>8}{'median µs':>12}{'p99 µs':>10}")
    for kind in ("all", "all+text", "exact", "natural", "typo", "miss"):
        row = results[kind]
        assert isinstance(row, dict)
        print(f"{kind:<10}{row['n']:>8}{row['median_us']:>12.1f}{row['p99_us']:>10.1f}")


if __name__ == "__main__":
    main()
