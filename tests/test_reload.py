"""Reloading: a broken knowledge base keeps the old one serving; a valid one is swapped in."""

from __future__ import annotations

import gc
import json
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters import heap
from adapters.reloading import reload
from adapters.web import create_app
from bot.core import Engine
from bot.kb.knowledge import KnowledgeError
from bot.reply import Query
from tests.conftest import translate_new_items
from tests.slack_fakes import SERVE, command_body, free_port, signed_headers, start_server

NEW_TOPIC = """\
topics:
  - id: brand-new
    title: A brand new topic
    category: faq
    aliases: [zebra crossing question]
    summary: Freshly added.
    sources: [{source: seed, lines: [1]}]
    reviewed: 2026-11-24
"""


def break_it(kb_dir: Path) -> None:
    (kb_dir / "zz-broken.yaml").write_text("topics: [unclosed\n", encoding="utf-8")


async def test_engine_reload(kb_copy: Path) -> None:
    engine = Engine.from_files(kb_copy)
    assert (await engine.handle(Query("zebra crossing question"))).topic_id != "brand-new"
    break_it(kb_copy)
    with pytest.raises(KnowledgeError):
        engine.reload()
    assert (await engine.handle(Query("specialty"))).topic_id == "specialty"  # old still serves
    (kb_copy / "zz-broken.yaml").unlink()
    (kb_copy / "zz-new.yaml").write_text(NEW_TOPIC, encoding="utf-8")
    translate_new_items(kb_copy)
    engine.reload()
    assert (await engine.handle(Query("zebra crossing question"))).topic_id == "brand-new"


async def test_admin_reload_endpoint(kb_copy: Path) -> None:
    engine = Engine.from_files(kb_copy)
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(engine, admin_token="s3cret"), host="127.0.0.1")
    )
    await client.start_server()
    try:
        assert (await client.post("/admin/reload")).status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await client.post("/admin/reload", headers=wrong)).status == 401
        auth = {"Authorization": "Bearer s3cret"}
        break_it(kb_copy)
        refused = await client.post("/admin/reload", headers=auth)
        assert refused.status == 409
        assert "zz-broken.yaml" in json.dumps(await refused.json())
        (kb_copy / "zz-broken.yaml").unlink()
        (kb_copy / "zz-new.yaml").write_text(NEW_TOPIC, encoding="utf-8")
        translate_new_items(kb_copy)
        done = await client.post("/admin/reload", headers=auth)
        assert done.status == 200 and (await done.json())["reloaded"] is True
    finally:
        await client.close()


def ask(base: str, text: str) -> str:
    body = command_body(text)
    request = urllib.request.Request(
        base + "/slack/events",
        data=body,
        headers=signed_headers(body),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def test_sighup_reloads_a_running_server(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREMARK_KB", str(kb_copy))
    listen = free_port()
    process = start_server(SERVE, listen)
    base = f"http://127.0.0.1:{listen}"
    try:
        assert "A brand new topic" not in ask(base, "zebra crossing question")
        break_it(kb_copy)
        process.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert "1-800-237-2767" in ask(base, "specialty")  # the broken file changed nothing
        (kb_copy / "zz-broken.yaml").unlink()
        (kb_copy / "zz-new.yaml").write_text(NEW_TOPIC, encoding="utf-8")
        translate_new_items(kb_copy)
        process.send_signal(signal.SIGHUP)
        for _ in range(100):
            if "A brand new topic" in ask(base, "zebra crossing question"):
                break
            time.sleep(0.05)
        assert "A brand new topic" in ask(base, "zebra crossing question")
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_reload_in_a_frozen_process_refreezes_the_new_base(kb_copy: Path) -> None:
    engine = Engine.from_files(kb_copy)
    assert reload(engine) == [] and gc.get_freeze_count() == 0  # tests never freeze
    heap.freeze()
    try:
        assert gc.get_freeze_count() > 0
        (kb_copy / "zz-new.yaml").write_text(NEW_TOPIC, encoding="utf-8")
        translate_new_items(kb_copy)
        assert reload(engine) == []
        fresh = engine._plans[None].resolver
        assert not any(o is fresh for o in gc.get_objects())  # frozen: out of the GC's sight
    finally:
        gc.unfreeze()
