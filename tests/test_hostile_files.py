"""Hostile knowledge files are refused quickly, with a located problem, never a hang, a crash
or a 500; reloads run off the event loop and merge when many are asked for at once."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import RELOADER, create_app
from bot.core import Engine
from bot.gate import inspect
from bot.reply import Query
from tests.slack_fakes import command_body, signed_headers

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)
"""Ten levels of nine: about a billion strings once expanded, in under 1 kB."""


def alias_bomb(path: Path) -> None:
    path.write_text(ALIAS_BOMB, encoding="utf-8")


def recursive_alias(path: Path) -> None:
    path.write_text("topics: &t [*t]\n", encoding="utf-8")


def huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: 150 MB on paper, nothing on disk
        handle.truncate(150 * 1024 * 1024)


def to_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def fifo(path: Path) -> None:
    os.mkfifo(path)


def symlink_loop(path: Path) -> None:
    path.symlink_to(path.name)


def not_utf8(path: Path) -> None:
    path.write_bytes(b"topics: [\xff\xfe]\n")


HOSTILE: dict[str, tuple[Callable[[Path], None], str]] = {
    "alias bomb": (alias_bomb, "aliases"),
    "recursive alias": (recursive_alias, "aliases"),
    "150 MB file": (huge, "larger than"),
    "symlink to /dev/zero": (to_dev_zero, "not a regular file"),
    "FIFO": (fifo, "not a regular file"),
    "symlink loop": (symlink_loop, "looping link"),
    "not UTF-8": (not_utf8, "not UTF-8"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_at_once(name: str, kb_copy: Path) -> None:
    make, says = HOSTILE[name]
    make(kb_copy / "zz-hostile.yaml")
    began = time.monotonic()
    found = inspect(kb_copy)
    assert time.monotonic() - began < 5
    assert not found.ok
    assert any("zz-hostile.yaml" in str(p) and says in str(p) for p in found.problems), [
        str(p) for p in found.problems
    ]


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_reload_refuses_it_and_keeps_serving(name: str, kb_copy: Path) -> None:
    engine = Engine.from_files(kb_copy)
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(engine, admin_token="s3cret"), host="127.0.0.1")
    )
    await client.start_server()
    try:
        HOSTILE[name][0](kb_copy / "zz-hostile.yaml")
        auth = {"Authorization": "Bearer s3cret"}
        response = await asyncio.wait_for(client.post("/admin/reload", headers=auth), 10)
        assert response.status == 409
    finally:
        await client.close()
    assert (await engine.handle(Query("specialty"))).topic_id == "specialty"


async def test_concurrent_reloads_merge_and_never_stall_answers(
    kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.settings import SlackSettings
    from adapters.web import Slack
    from tests.slack_fakes import BOT_TOKEN, SECRET

    engine = Engine.from_files(kb_copy)
    real = engine.rebuild

    def slow_rebuild() -> Any:
        time.sleep(0.5)  # a big base: the build takes a while, on its worker thread
        return real()

    monkeypatch.setattr(engine, "rebuild", slow_rebuild)
    slack = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, "http://127.0.0.1:9/"))
    app = create_app(engine, slack, admin_token="s3cret")
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        auth = {"Authorization": "Bearer s3cret"}
        reloads = [client.post("/admin/reload", headers=auth) for _ in range(100)]

        url = str(client.make_url("/slack/events"))

        async def commands() -> list[float]:
            """Slash commands on their own connection: the reloads hold the client's pool."""
            times = []
            async with aiohttp.ClientSession() as session:
                for _ in range(20):
                    body = command_body("specialty")
                    began = time.monotonic()
                    async with session.post(url, data=body, headers=signed_headers(body)) as r:
                        assert r.status == 200
                    times.append(time.monotonic() - began)
                    await asyncio.sleep(0.02)
            return times

        results = await asyncio.gather(commands(), *reloads)
        latencies = results[0]
        assert all(r.status == 200 for r in results[1:])
        assert app[RELOADER].builds <= 3  # a hundred requests, merged
        assert max(latencies) < 0.4, max(latencies)  # the loop never waited on a build
    finally:
        await client.close()
