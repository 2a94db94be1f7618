"""Shared fixtures: a network guard, the shipped knowledge base, and a chat-like `ask`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import Engine
from bot.gate import load
from bot.kb.knowledge import Knowledge
from bot.reply import (
    Badge,
    ContactRow,
    DetailRow,
    HoursRow,
    Link,
    Platform,
    Query,
    Reply,
    ReplyKind,
    SourceRef,
    TopicRef,
    Trust,
    Visibility,
)

os.environ.setdefault("CAREMARK_ASKS_PER_MINUTE", "0")
"""Tests ask far faster than a person; the per-person limit is on only where it is tested."""
os.environ.setdefault("CAREMARK_REDIS_PREFIX", f"caremark-test-{os.getpid()}:")
"""Servers a test starts share Redis under a prefix of this run's own."""

ROOT = Path(__file__).resolve().parent.parent
KB_DIR = ROOT / "knowledge"
EXAMPLE_PLAN = KB_DIR / "plans" / "example.yaml"
# A Tuesday, 15:00 in Chicago (CST, UTC-6): most lines open, the busy window over.
FIXED_NOW = dt.datetime(2026, 11, 24, 21, 0, tzinfo=dt.UTC)

Ask = Callable[..., Awaitable[Reply]]


class NetworkBlocked(RuntimeError):
    """A test tried to reach something that is not on this machine."""


def _is_loopback(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Fail any connection, or name lookup, that would leave the machine."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise NetworkBlocked(f"tests may only connect to loopback, not {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise NetworkBlocked(f"tests may only connect to loopback, not {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(
            (host.decode() if isinstance(host, bytes) else host, 0)
        ):
            raise NetworkBlocked(f"tests may not look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = real_getaddrinfo


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load(KB_DIR)


@pytest.fixture(scope="session")
def planned_kb() -> Knowledge:
    return load(KB_DIR, EXAMPLE_PLAN)


@pytest.fixture(scope="session")
def engine(kb: Knowledge) -> Engine:
    return Engine(kb, clock=lambda: FIXED_NOW)


@pytest.fixture
def ask(engine: Engine) -> Ask:
    """`await ask("/caremark hours")` returns the Reply, as a chat user would see it."""

    async def _ask(text: str, **query: Any) -> Reply:
        return await engine.handle(Query(text, query.pop("platform", Platform.CONSOLE), **query))

    return _ask


HOSTILE = "<!channel> <!here> @everyone <@U0> <@&1> <#C1> *b* _i_ ~s~ `c` [x](https:y) & > <"


@pytest.fixture(scope="session")
def hostile_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The shipped knowledge base plus a topic whose every text is chat markup (`hostile topic`)."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(KB_DIR, root / "knowledge")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    topic = textwrap.dedent(f"""\
        topics:
          - id: hostile
            title: "{HOSTILE}"
            category: faq
            aliases: ["hostile topic"]
            summary: "{HOSTILE * 45}"
            steps: ["{HOSTILE}", "{HOSTILE * 20}"]
            warnings: ["{HOSTILE}"]
            show: [specialty.phone, customer-care.phone]
            related: [specialty, hours, tty, fees, canada]
            sources: [{{source: seed, lines: [1]}}]
            reviewed: 2026-11-24
        """)
    (root / "knowledge" / "zz-hostile.yaml").write_text(topic, encoding="utf-8")
    translate_new_items(root / "knowledge")
    return Engine(load(root / "knowledge"), clock=lambda: FIXED_NOW)


def adversarial_reply(markup: str, **changes: object) -> Reply:
    """A reply far past every platform limit, with `markup` in every string and unsafe links."""
    badge = Badge(Trust.UNVERIFIED, markup)
    base = Reply(
        kind=ReplyKind.ANSWER,
        title=markup * 5,
        lead=("lead " * 1000).strip() + markup,
        summary=("word " * 4000).strip(),
        topic_id="evil",
        visibility=Visibility.SHAREABLE,
        reviewed=dt.date(2026, 11, 24),
        contacts=tuple(
            ContactRow("phone", markup * 4, markup * 40, badge, markup) for _ in range(30)
        ),
        details=tuple(DetailRow(markup, markup * 10, badge, markup) for _ in range(200)),
        hours=tuple(
            HoursRow(markup, "open", markup, badge, True, markup, markup) for _ in range(60)
        ),
        steps=tuple(markup * 30 for _ in range(80)),
        links=(
            Link(markup, "javascript:alert(1)", badge),
            Link("x", "tel:18002372767", badge),
            Link("x|y", "https://a.example/?q=<b>&c", badge),
            Link("ok", "https://www.caremark.com", badge),
            Link("long", "https://a.example/" + "x" * 600, badge),
        ),
        related=tuple(TopicRef(f"t{i}", markup) for i in range(60)),
        warnings=tuple(markup * 50 for _ in range(30)),
        sources=tuple(SourceRef(markup, markup, "https://evil.example/|x") for _ in range(30)),
        plan=markup,
    )
    fields = {name: getattr(base, name) for name in base.__slots__}
    return Reply(**{**fields, **changes})  # type: ignore[arg-type]


ADVERSARIAL_FIELDS = (
    "lead",
    "summary",
    "title",
    "contacts",
    "details",
    "hours",
    "steps",
    "links",
    "related",
    "warnings",
    "sources",
)


def adversarial_only(markup: str, field: str) -> Reply:
    """A plain reply except for one adversarial field, to find which part breaks a limit."""
    calm: dict[str, object] = {name: () for name in ADVERSARIAL_FIELDS}
    calm.update(summary="ok", title="ok", lead="ok")
    del calm[field]
    return adversarial_reply(markup, **calm)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the knowledge base (and the seed it cites) to edit or break."""
    shutil.copytree(KB_DIR, tmp_path / "knowledge")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "knowledge"


@pytest.fixture
async def chat_client(engine: Engine) -> AsyncIterator[Any]:
    """The web app with Slack (HTTP mode) and Discord interactions, served over loopback."""
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.settings import SlackSettings
    from adapters.web import Slack, create_app
    from tests.discord_fakes import PUBLIC
    from tests.slack_fakes import BOT_TOKEN, SECRET

    settings = SlackSettings(BOT_TOKEN, SECRET, None, "http://127.0.0.1:9/api/")
    app = create_app(engine, Slack.start(engine, settings), discord_key=PUBLIC)
    client: Any = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def translate_new_items(kb_dir: Path) -> None:
    """Give topics, slots and facts a test added to a knowledge base copy stand-in Spanish
    (`translations/zz-test-es.yaml`), so that only the problem under test is reported."""
    from bot.kb.knowledge import read_draft
    from bot.kb.prose import STATEMENT_KINDS, numbers_in

    draft, _ = read_draft(kb_dir, None)
    known = {
        kind: {k for at in draft.translations for k in getattr(at.item, kind)}
        for kind in ("topics", "slots", "facts")
    }
    text: dict[str, Any] = {"language": "es", "topics": {}, "slots": {}, "facts": {}}
    for at in draft.topics:
        topic = at.item
        if topic.id not in known["topics"]:
            entry: dict[str, Any] = {"title": "Tema de prueba", "summary": "Texto de prueba."}
            entry["steps"] = ["Paso de prueba."] * len(topic.steps)
            entry["warnings"] = ["Aviso de prueba."] * len(topic.warnings)
            if topic.lead:
                entry["lead"] = "Respuesta de prueba."
            text["topics"][topic.id] = entry
    for at in draft.slots:
        slot = at.item
        if slot.id not in known["slots"]:
            text["slots"][slot.id] = {"label": "Dato de prueba"} | (
                {"fallback": "Consejo de prueba."} if slot.fallback else {}
            )
    for record in draft.shipped_facts():
        if record.id in known["facts"]:
            continue
        fact: dict[str, str] = {}
        if record.fact.note:
            fact["note"] = "Nota de prueba."
        if record.slot.kind in STATEMENT_KINDS:
            fact["value"] = " ".join(["Valor", *numbers_in(getattr(record.fact, "value", ""))])
        if fact:
            text["facts"][record.id] = fact
    target = kb_dir / "translations" / "zz-test-es.yaml"
    target.write_text(yaml.safe_dump(text, allow_unicode=True), encoding="utf-8")
