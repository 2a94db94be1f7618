"""Held-open connections against a real `caremark-bot serve`: memory, recovery and shutdown.

    python bench/held_connections.py [--connections 3000]

Opens that many connections that send headers and half a body, then stop (a slow-body attack),
and reports the server's RSS before and after, how long until `/healthz` answers again, and how
long SIGTERM takes. Needs `ulimit -n` above the connection count.
"""

from __future__ import annotations

import argparse
import resource
import socket
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack_fakes import SERVE, free_port, start_server  # noqa: E402
from tests.test_shutdown import open_request  # noqa: E402


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(row for row in status if row.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=3000)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.connections + 512), hard))
    port = free_port()
    process = start_server(SERVE, port)
    time.sleep(1)
    idle = rss_mb(process.pid)
    held: list[socket.socket] = []
    opened = time.monotonic()
    for _ in range(args.connections):
        try:
            held.append(open_request(port, "specialty")[0])
        except OSError:
            break
    print(f"opened {len(held)} slow-body connections in {time.monotonic() - opened:.1f} s")
    print(f"RSS: {idle:.0f} MB idle, {rss_mb(process.pid):.0f} MB with them held")
    print(f"/healthz while held: {'200' if healthy(port) else 'refused (over the cap)'}")
    began = time.monotonic()
    while not healthy(port) and time.monotonic() - began < 60:
        time.sleep(0.2)
    print(f"/healthz answers again after {time.monotonic() - began:.1f} s")
    began = time.monotonic()
    process.terminate()
    process.wait(timeout=30)
    print(f"SIGTERM to exit: {time.monotonic() - began:.2f} s (exit {process.returncode})")
    for sock in held:
        sock.close()


if __name__ == "__main__":
    main()
