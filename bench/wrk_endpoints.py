"""Signed Slack and Discord requests from a C load generator (wrk), against a bare aiohttp
handler running the same core (`bench/core_server.py`; "× bare" is against it) and
`caremark-bot serve` (in-process state, Redis, two instances), in one run; a bare handler
with a fixed body is shown too, for the cost of answering at all.

    python bench/wrk_endpoints.py [--seconds 5] [--connections 32]

The Python client in `bench/endpoints.py` saturates before the server does; wrk does not.
Every request is signed beforehand and unique (the replay guard refuses repeats), each from a
different person (so the per-person limit is counted, never hit), cycling through the same six
questions as a burst after an all-hands e-mail. wrk reads them from a file through
`bench/wrk_signed.lua`.

Cores (the machine has two): each server process is pinned to core 1 with `taskset`, wrk to
core 0. "two instances" runs two servers both pinned to core 1 (the same CPU as one, so the
row shows what splitting costs), each loaded by its own wrk with half the connections, both
wrk on core 0; "two instances, a core each" pins them to cores 0 and 1 with both wrk unpinned.
Needs `wrk` and `taskset` (Debian: wrk, util-linux) and, for the Redis rows, `REDIS_URL`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.endpoints import DISCORD_KEY, QUERIES  # noqa: E402
from tests.slack_fakes import SERVE, command_body, free_port, signed_headers, start_server  # noqa: E402

SCRIPT = ROOT / "bench" / "wrk_signed.lua"
BARE = [sys.executable, str(ROOT / "bench" / "bare_server.py")]
CORE = [sys.executable, str(ROOT / "bench" / "core_server.py")]
PATHS = {"slack": "/slack/events", "discord": "/discord/interactions"}
RESULTS = ROOT / "bench" / "results"
TARGETS = {"slack": 0.45, "discord": 0.40, "redis": 0.35}
_IDS = itertools.count(1)


def slack_line(n: int) -> str:
    body = command_body(QUERIES[n % len(QUERIES)], user=f"U{n:09d}")
    headers = signed_headers(body)
    return _line(
        "/slack/events",
        ("X-Slack-Signature", headers["X-Slack-Signature"]),
        ("X-Slack-Request-Timestamp", headers["X-Slack-Request-Timestamp"]),
        headers["Content-Type"],
        body.decode(),
    )


def discord_line(n: int) -> str:
    option = {"name": "topic", "type": 3, "value": QUERIES[n % len(QUERIES)]}
    interaction = {
        "type": 2,
        "id": str(next(_IDS)),
        "application_id": "2",
        "token": "t",
        "locale": "en-US",
        "user": {"id": str(10**17 + n)},
        "data": {"name": "caremark", "type": 1, "options": [option]},
    }
    body = json.dumps(interaction, separators=(",", ":"))
    stamp = str(int(time.time()))
    signature = DISCORD_KEY.sign(stamp.encode() + body.encode()).signature.hex()
    return _line(
        "/discord/interactions",
        ("X-Signature-Ed25519", signature),
        ("X-Signature-Timestamp", stamp),
        "application/json",
        body,
    )


def _line(path: str, first: tuple[str, str], second: tuple[str, str], kind: str, body: str) -> str:
    return "\t".join((path, *first, *second, kind, body))


def requests_file(folder: Path, platform: str, count: int) -> Path:
    """`count` unique signed requests, one per line, for wrk_signed.lua."""
    make = slack_line if platform == "slack" else discord_line
    start = next(_IDS) * 1_000_000  # never the same person or id twice in a run
    path = folder / f"{platform}-{uuid.uuid4().hex}.tsv"
    path.write_text("\n".join(make(start + n) for n in range(count)) + "\n", encoding="utf-8")
    return path


def wrk(
    url: str, requests: Path, seconds: int, connections: int, cpu: str | None
) -> subprocess.Popen[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(SCRIPT), url]
    command += ["--", str(requests)]
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def measured(process: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = process.communicate(timeout=120)
    found = re.search(r"^JSON (\{.*\})$", out, re.M)
    if found is None:
        raise RuntimeError(f"wrk said: {out}")
    raw = json.loads(found.group(1))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "failures": raw["non2xx"] + raw["errors"],
    }


def run_row(
    platform: str,
    servers: list[tuple[list[str], str, dict[str, str]]],
    wrk_cpus: list[str | None],
    seconds: int,
    connections: int,
    folder: Path,
) -> dict[str, float]:
    """Start the servers, load each with its own wrk (connections split), sum the results."""
    ports = [free_port() for _ in servers]
    processes = [
        start_server(["taskset", "-c", cpu, *command], port, env)
        for (command, cpu, env), port in zip(servers, ports, strict=True)
    ]
    try:
        share = connections // len(servers)
        count = 25_000 * seconds // len(servers)
        for port in ports:  # warm up: imports, the memo, the rendered bodies
            warm = requests_file(folder, platform, 500)
            measured(wrk(f"http://127.0.0.1:{port}{PATHS[platform]}", warm, 1, 4, wrk_cpus[0]))
        files = [requests_file(folder, platform, count) for _ in ports]
        loads = [
            wrk(f"http://127.0.0.1:{port}{PATHS[platform]}", file, seconds, share, cpu)
            for port, file, cpu in zip(ports, files, wrk_cpus, strict=True)
        ]
        rows = [measured(load) for load in loads]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    total = sum(r["requests"] for r in rows)
    return {
        "requests": total,
        "rps": sum(r["rps"] for r in rows),
        "p50_ms": max(r["p50_ms"] for r in rows),
        "p99_ms": max(r["p99_ms"] for r in rows),
        "failures": sum(r["failures"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (Debian: apt-get install wrk util-linux)")
    redis = os.environ.get("REDIS_URL", "")
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        base = {
            "DISCORD_PUBLIC_KEY": DISCORD_KEY.verify_key.encode().hex(),
            "DATABASE_URL": "",
            "REDIS_URL": "",
            "CAREMARK_DATA": str(folder / "data"),
            "CAREMARK_ASKS_PER_MINUTE": "20",
        }
        with_redis = base | {
            "REDIS_URL": redis,
            "CAREMARK_REDIS_PREFIX": f"bench-{uuid.uuid4().hex}:",
        }
        rows: dict[str, tuple[list[tuple[list[str], str, dict[str, str]]], list[str | None]]] = {
            "bare aiohttp, fixed body": ([(BARE, "1", base)], ["0"]),
            "bare aiohttp": ([(CORE, "1", base)], ["0"]),
            "serve, in-process state": ([(SERVE, "1", base)], ["0"]),
        }
        if redis:
            rows["serve, Redis"] = ([(SERVE, "1", with_redis)], ["0"])
            rows["two instances, Redis, one core"] = (
                [(SERVE, "1", with_redis), (SERVE, "1", with_redis)],
                ["0", "0"],
            )
            rows["two instances, Redis, a core each"] = (
                [(SERVE, "0", with_redis), (SERVE, "1", with_redis)],
                [None, None],
            )
        for platform in ("slack", "discord"):
            results[platform] = {
                name: run_row(platform, servers, cpus, options.seconds, options.connections, folder)
                for name, (servers, cpus) in rows.items()
            }
    report = table(results, options.connections)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "wrk_endpoints.md").write_text(report, encoding="utf-8")
    (RESULTS / "wrk_endpoints.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


def table(results: dict[str, dict[str, dict[str, float]]], connections: int) -> str:
    lines = [f"# wrk, {connections} connections, signed unique requests\n"]
    for platform, rows in results.items():
        bare = rows["bare aiohttp"]["rps"]
        lines += [
            f"\n## {platform.capitalize()}\n",
            "| server | req/s | p50 ms | p99 ms | failures | × bare | target |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, row in rows.items():
            ratio = row["rps"] / bare
            target = TARGETS["redis"] if "Redis" in name else TARGETS[platform]
            wanted = (
                ""
                if name == "bare aiohttp"
                else f"≥ {target} {'met' if ratio >= target else 'MISSED'}"
            )
            lines.append(
                f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
                f"{row['failures']:.0f} | {ratio:.2f} | {wanted} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
