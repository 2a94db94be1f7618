"""How long an admin's change takes to reach answers on other instances (two real servers
on one database; `plan set` from the CLI; time until both answer with the new number), and
whether the store is on the answer path: the same plan served from the store and from a plan
file, answer latency compared in one run.

    python bench/store_propagation.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack_fakes import SERVE, free_port, start_server  # noqa: E402
from tests.test_store_live import ask  # noqa: E402

CLI = [sys.executable, "-m", "adapters.cli"]
PLAN = ROOT / "knowledge" / "plans" / "example.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400)
    options = parser.parse_args()
    rounds = options.rounds
    with tempfile.TemporaryDirectory() as data, tempfile.TemporaryDirectory() as empty:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"CAREMARK_DATA": data, "CAREMARK_PLAN": ""}

        def cli(*arguments: str) -> None:
            subprocess.run([*CLI, *arguments], cwd=ROOT, env=env, check=True, capture_output=True)

        cli("plan", "import", str(PLAN), "--by", "bench")
        ports = [free_port(), free_port()]
        servers = [start_server(SERVE, p, {**env, "DATABASE_URL": ""}) for p in ports]
        file_port = free_port()
        file_env = {**env, "CAREMARK_DATA": empty, "CAREMARK_PLAN": str(PLAN)}
        servers.append(start_server(SERVE, file_port, {**file_env, "DATABASE_URL": ""}))
        try:
            latency = compare(ports[0], file_port, options.requests)
            seconds = []
            for n in range(rounds):
                number = f"1-844-443-{4280 + n:04d}"
                cli("plan", "set", "customer-care.phone", number, "--by", "bench")
                edited = time.monotonic()
                for port in ports:
                    while number not in ask(port, "customer care number"):
                        time.sleep(0.02)
                seconds.append(time.monotonic() - edited)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=15)
    print(
        f"edit to answer on both instances: median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s over {rounds} edits"
    )
    for name, times in latency.items():
        ordered = sorted(times)
        print(
            f"answer latency, plan from the {name}: median {statistics.median(ordered):.2f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99) - 1]:.2f} ms over {len(ordered)} requests"
        )
    ratio = statistics.median(latency["store"]) / statistics.median(latency["file"])
    print(f"store / file median latency: {ratio:.2f}")


def compare(store_port: int, file_port: int, requests: int) -> dict[str, list[float]]:
    """Signed slash commands, one at a time, alternating between the two servers."""
    times: dict[str, list[float]] = {"store": [], "file": []}
    for port in (store_port, file_port):
        for _ in range(20):
            ask(port, "customer care number")  # warm up
    for _ in range(requests):
        for name, port in (("store", store_port), ("file", file_port)):
            started = time.perf_counter()
            ask(port, "customer care number")
            times[name].append((time.perf_counter() - started) * 1000)
    return times


if __name__ == "__main__":
    main()
