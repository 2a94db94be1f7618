"""Signed requests over loopback: `caremark-bot serve` against a bare aiohttp handler and the
SDK defaults.

    python bench/endpoints.py [--platform slack|discord|both] [--requests 3000] [--quick]

Slack: signed slash commands to /slack/events. Discord: Ed25519-signed /caremark interactions
to /discord/interactions. The servers run as their own processes on 127.0.0.1, one after the
other, and the same bounded load client (aiohttp) sends them the same questions at 1 and 32
concurrent connections, every request signed beforehand with its own id (a repeated signature
is refused as a replay). Reports requests/s, p50, p99 and server CPU time per request, and each
server's throughput as a ratio of the bare handler's (`bench/bare_server.py`).

The six questions repeat, as they do in a burst after an all-hands e-mail, so after its first
asking each topic answer comes from the core's one-minute memo and its rendered body is reused:
this is the burst path. Every request is still verified, parsed, screened for identifiers and
resolved. `bench/run.py`'s in-process figures build every answer (memo off).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
from nacl.signing import SigningKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack_fakes import (  # noqa: E402
    SERVE,
    command_body,
    free_port,
    signed_headers,
    start_server,
)

QUERIES = ["specialty", "hours", "my package never arrived", "speciality", "fees", "tty"]
DISCORD_KEY = SigningKey(bytes(range(32)))  # fixed, so runs are comparable
_INTERACTION_IDS = itertools.count(1)
Request = tuple[bytes, dict[str, str]]
Results = dict[str, dict[str, dict[str, float]]]


def signed_requests(make: Callable[[str], Request], count: int) -> list[Request]:
    """`count` distinct signed requests, cycling through QUERIES. Each carries its own id
    (trigger_id, interaction id), as real ones do, so none is refused as a replay."""
    return [make(QUERIES[n % len(QUERIES)]) for n in range(count)]


def slack_request(text: str) -> Request:
    body = command_body(text)
    return body, signed_headers(body)


def discord_request(text: str) -> Request:
    option = {"name": "topic", "type": 3, "value": text}
    interaction = {
        "type": 2,
        "id": str(next(_INTERACTION_IDS)),
        "application_id": "2",
        "token": "t",
        "locale": "en-US",
        "data": {"name": "caremark", "type": 1, "options": [option]},
    }
    body = json.dumps(interaction).encode()
    stamp = str(int(time.time()))
    signature = DISCORD_KEY.sign(stamp.encode() + body).signature.hex()
    headers = {
        "X-Signature-Ed25519": signature,
        "X-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    return body, headers


PLATFORMS: dict[str, tuple[str, Callable[[str], Request]]] = {
    "slack": ("/slack/events", slack_request),
    "discord": ("/discord/interactions", discord_request),
}
SERVERS = {
    "bare aiohttp": [sys.executable, str(ROOT / "bench" / "bare_server.py")],
    "caremark-bot serve": SERVE,
    "SDK defaults": [sys.executable, str(ROOT / "bench" / "stock_server.py")],
}
STOCK_REQUESTS = 600
"""At most this many per row for the SDK defaults: Bolt's 10 ms floor makes each one slow."""


async def load(
    url: str, prepared: list[Request], requests: int, connections: int
) -> dict[str, float]:
    """Send the first `requests` of `prepared` over `connections` connections."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal failures
            for n in counter:
                body, headers = prepared[n]
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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(
    pid: int, url: str, make: Callable[[str], Request], requests: int, connections: int
) -> dict[str, float]:
    """`load` with fresh requests, plus the server's own CPU time per request: steadier than
    requests/s on a machine whose cores the load client shares."""
    prepared = signed_requests(make, requests)
    before = cpu_seconds(pid)
    row = asyncio.run(load(url, prepared, requests, connections))
    row["cpu_ms"] = (cpu_seconds(pid) - before) / row["requests"] * 1000
    return row


def run(platform: str, requests: int) -> Results:
    path, make = PLATFORMS[platform]
    key = {"DISCORD_PUBLIC_KEY": DISCORD_KEY.verify_key.encode().hex()}
    results: Results = {}
    for name, command in SERVERS.items():
        port = free_port()
        process = start_server(command, port, key)
        try:
            url = f"http://127.0.0.1:{port}{path}"
            count = min(requests, STOCK_REQUESTS) if name == "SDK defaults" else requests
            warm_up = min(300, count)
            asyncio.run(load(url, signed_requests(make, warm_up), warm_up, 4))
            results[name] = {
                f"{c} conn": measured(process.pid, url, make, count, c) for c in (1, 32)
            }
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results


def table(results: Results) -> str:
    bare = results["bare aiohttp"]
    lines = [
        "| server | connections | req/s | p50 ms | p99 ms | failures | server CPU ms/req "
        "| × bare req/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        for conns, row in rows.items():
            ratio = row["rps"] / bare[conns]["rps"]
            lines.append(
                f"| {name} | {conns} | {row['rps']:.0f} | {row['p50_ms']:.2f} | "
                f"{row['p99_ms']:.2f} | {row['failures']:.0f} | {row['cpu_ms']:.3f} | {ratio:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=[*PLATFORMS, "both"], default="both")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--quick", action="store_true", help="500 requests per row, JSON only")
    args = parser.parse_args()
    count = 500 if args.quick else args.requests
    platforms = list(PLATFORMS) if args.platform == "both" else [args.platform]
    results = {platform: run(platform, count) for platform in platforms}
    if args.quick:
        print(json.dumps(results, indent=2))
        return
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    for platform, rows in results.items():
        (out / f"{platform}_endpoint.json").write_text(json.dumps(rows, indent=2) + "\n")
        title = f"Signed {platform.title()} requests over loopback ({count} per row)"
        report = f"{title}\n\n{table(rows)}\n"
        (out / f"{platform}_endpoint.md").write_text(report)
        print(report)


if __name__ == "__main__":
    main()
