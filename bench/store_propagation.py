"""How long an admin's change takes to reach answers on other instances: two real servers
on one database; `plan set` from the CLI; time until both answer with the new number.

    python bench/store_propagation.py [--rounds N]
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
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"CAREMARK_DATA": data, "CAREMARK_PLAN": ""}

        def cli(*arguments: str) -> None:
            subprocess.run([*CLI, *arguments], cwd=ROOT, env=env, check=True, capture_output=True)

        cli("plan", "import", str(PLAN), "--by", "bench")
        ports = [free_port(), free_port()]
        servers = [start_server(SERVE, p, {**env, "DATABASE_URL": ""}) for p in ports]
        try:
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


if __name__ == "__main__":
    main()
