"""Signed Slack slash commands over loopback: `caremark-bot serve` against a bare aiohttp handler.

    python bench/slack_endpoint.py [--requests 3000] [--quick]

Both servers run as their own processes on 127.0.0.1, one after the other, and the same bounded
load client (aiohttp, here) sends the same signed requests at 1 and 32 concurrent connections.
Reports requests/s, p50 and p99, and caremark's throughput as a ratio of the bare handler's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack_fakes import SERVE, command_body, free_port, signed_headers, start_server  # noqa: E402

QUERIES = ["specialty", "hours", "my package never arrived", "speciality", "fees", "tty"]


def signed(text: str) -> tuple[bytes, dict[str, str]]:
    body = command_body(text)
    return body, signed_headers(body)


async def load(url: str, requests: int, connections: int) -> dict[str, float]:
    """Send `requests` signed commands over `connections` connections; bounded in count."""
    prepared = [signed(q) for q in QUERIES]
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal failures
            for n in counter:
                body, headers = prepared[n % len(prepared)]
                start = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    failures += response.status != 200
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "failures": failures,
        "rps": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def run(requests: int) -> dict[str, dict[str, dict[str, float]]]:
    servers = {
        "bare aiohttp": [sys.executable, str(ROOT / "bench" / "bare_server.py")],
        "caremark-bot serve": SERVE,
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, command in servers.items():
        port = free_port()
        process = start_server(command, port)
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            asyncio.run(load(url, min(300, requests), 4))  # warm up
            results[name] = {f"{c} conn": asyncio.run(load(url, requests, c)) for c in (1, 32)}
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    bare = results["bare aiohttp"]
    lines = [
        "| server | connections | req/s | p50 ms | p99 ms | failures | × bare req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        for conns, row in rows.items():
            ratio = row["rps"] / bare[conns]["rps"]
            lines.append(
                f"| {name} | {conns} | {row['rps']:.0f} | {row['p50_ms']:.2f} | "
                f"{row['p99_ms']:.2f} | {row['failures']:.0f} | {ratio:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--quick", action="store_true", help="500 requests per row, JSON only")
    args = parser.parse_args()
    results = run(500 if args.quick else args.requests)
    if args.quick:
        print(json.dumps(results, indent=2))
        return
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "slack_endpoint.json").write_text(json.dumps(results, indent=2) + "\n")
    title = f"Signed Slack slash commands over loopback ({args.requests} per row)"
    report = f"{title}\n\n{table(results)}\n"
    (out / "slack_endpoint.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
