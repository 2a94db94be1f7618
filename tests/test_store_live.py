"""The store under real servers: two instances share one database and both answer with an
admin's change within seconds; a database that goes away never takes answers down."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from adapters.store.database import connect, database_url, upgrade
from adapters.store.plans import PlanStore
from adapters.store.watch import PlanWatch
from tests.conftest import EXAMPLE_PLAN, ROOT
from tests.slack_fakes import SERVE, command_body, free_port, signed_headers, start_server

CLI = [sys.executable, "-m", "adapters.cli"]


def ask(port: int, text: str) -> str:
    body = command_body(text)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=signed_headers(body)
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return str(response.read().decode())


def test_two_instances_follow_one_database(tmp_path: Path) -> None:
    env = {"CAREMARK_DATA": str(tmp_path / "data"), "CAREMARK_PLAN": ""}
    env.pop("DATABASE_URL", None)
    run_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    imported = subprocess.run(
        [*CLI, "plan", "import", str(EXAMPLE_PLAN), "--by", "Dana"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    ports = [free_port(), free_port()]
    servers = [start_server(SERVE, port, {**env, "DATABASE_URL": ""}) for port in ports]
    try:
        for port in ports:
            assert "1-844-443-4279" in _eventually(port, "customer care number", "1-844-443-4279")
        changed = subprocess.run(
            [*CLI, "plan", "set", "customer-care.phone", "1-844-443-4280", "--by", "Lee"],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            check=False,
        )
        assert changed.returncode == 0, changed.stderr
        began = time.monotonic()
        for port in ports:
            _eventually(port, "customer care number", "1-844-443-4280")
        assert time.monotonic() - began < 10
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)


def _eventually(port: int, question: str, expected: str, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while True:
        answer = ask(port, question)
        if expected in answer or time.monotonic() > deadline:
            assert expected in answer
            return answer
        time.sleep(0.1)


async def test_a_database_that_goes_away_keeps_the_last_good_base(tmp_path: Path) -> None:
    url = database_url({"CAREMARK_DATA": str(tmp_path / "data")})
    upgrade(url)
    db = connect(url)
    await PlanStore(db).import_file(EXAMPLE_PLAN, "Dana")
    failures: list[int] = []
    reloads: list[int] = []

    async def reload() -> list[str]:
        reloads.append(1)
        return []

    watch = PlanWatch(db, tmp_path / "plan.yaml", reload, lambda: failures.append(1))
    assert await watch.poll() is False  # the first look only learns where the log stands
    await PlanStore(db).set_value("customer-care.phone", "1-844-443-4280", "Lee")
    assert await watch.poll() is True and reloads == [1]
    assert "1-844-443-4280" in (tmp_path / "plan.yaml").read_text(encoding="utf-8")
    await db.dispose()
    (tmp_path / "data" / "caremark.db").unlink()  # the database is gone
    (tmp_path / "data").rmdir()
    for _ in range(3):
        assert await watch.poll() is False
    assert len(failures) == 3 and reloads == [1]  # counted every time, nothing reloaded
    assert "1-844-443-4280" in (tmp_path / "plan.yaml").read_text(encoding="utf-8")
    await asyncio.sleep(0)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL is not set")
async def test_the_watch_reads_postgres_too() -> None:
    url = database_url()
    upgrade(url)
    db = connect(url)
    watch = PlanWatch(db, Path(os.devnull), lambda: asyncio.sleep(0, []), lambda: None)
    assert await watch.latest() >= 0
    await db.dispose()
