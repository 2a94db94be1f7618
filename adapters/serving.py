"""Serving the web app the way a careful HTTP server does: bounded, timed, and drained.

- **Connections** are capped (`CAREMARK_MAX_CONNECTIONS`, default 1,000); one over the cap gets
  a one-line 503 and is closed, so held-open sockets cannot exhaust memory.
- **Slow clients** are timed out: a connection that has not finished its request headers within
  `HEADER_SECONDS` is closed (aiohttp's keep-alive timer starts when the connection opens), and
  a body not received within `BODY_SECONDS` gets 408. Slack and Discord send whole requests at
  once, so both are far shorter than nginx's 60 s and still generous.
- **SIGTERM or SIGINT** drains: the listening socket closes (new connections go to another
  instance), requests already on open connections are answered with `Connection: close`, work
  started after an ack finishes, and the process exits within `DRAIN_SECONDS` plus a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable

from aiohttp import ClientConnectionResetError, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from adapters.background import Background
from adapters.logs import REFUSALS

log = logging.getLogger(__name__)

HEADER_SECONDS = 10.0
BODY_SECONDS = 5.0
DRAIN_SECONDS = 8.0
"""Hosts kill about 30 s after SIGTERM; a drain this long leaves room to spare."""
QUIET_SECONDS = 0.5
"""While draining, an open but silent connection is closed after this long without requests."""
LINGER_SECONDS = 1.0
"""After refusing an unread body, how long to keep reading it so the refusal arrives (aiohttp's
default is 10 s, which would hold a slot that long per slow client)."""
MAX_CONNECTIONS = 1000
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Content-Length: 25\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    b'{"error": "server busy"}\n'
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def max_connections() -> int:
    raw = os.environ.get("CAREMARK_MAX_CONNECTIONS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else MAX_CONNECTIONS


class QuietProtocolErrors(logging.Filter):
    """aiohttp logs a full traceback at ERROR for every malformed request it refuses (a bad
    request line, chunking or compression, a client gone mid-body). Those become one rate-
    limited INFO line; any other error keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, PROTOCOL_ERRORS):
            REFUSALS.refused(f"malformed request ({type(error).__name__})")
            return False
        return True


PROTOCOL_ERRORS: tuple[type[BaseException], ...] = (
    HttpProcessingError,
    RequestPayloadError,
    ConnectionResetError,
    ClientConnectionResetError,
)


def quiet_protocol_errors() -> None:
    """Fold aiohttp's tracebacks for malformed requests into the refusal line (once)."""
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, QuietProtocolErrors) for f in server.filters):
        server.addFilter(QuietProtocolErrors())


def unauthorized(error: str, logged: str) -> web.Response:
    """A 401 with a one-word reason for the caller and one rate-limited line in the log."""
    REFUSALS.refused(logged)
    return web.json_response({"error": error}, status=401)


class Drain:
    """Counts requests in flight and, once stopping, answers them with `Connection: close`."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.draining = False
        self.last_request = time.monotonic()
        self.background: list[Background] = []
        """Work started after an ack (a Share post, say), finished before exit too."""
        self.stopping = asyncio.Event()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.in_flight += 1
        try:
            response = await handler(request)
            if self.draining:
                response.force_close()  # the client reconnects, to an instance that stays
            return response
        finally:
            self.in_flight -= 1
            self.last_request = time.monotonic()

    def install(self) -> None:
        """Drain on SIGTERM and SIGINT."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stopping.set)

    async def wait_until_idle(self, connections: Callable[[], int]) -> None:
        """Until nothing is in flight and every connection has closed or gone quiet, or the
        drain's time is up; then until work started after an ack has finished."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            quiet = time.monotonic() - self.last_request > QUIET_SECONDS
            if not self.in_flight and (not connections() or quiet):
                break
            await asyncio.sleep(0.01)
        for work in self.background:
            await work.drain(max(0.0, deadline - time.monotonic()))


@web.middleware
async def body_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Read the whole body within `BODY_SECONDS` (it stays cached for the handler), else 408."""
    if request.body_exists:
        try:
            async with asyncio.timeout(BODY_SECONDS):
                await request.read()
        except TimeoutError:
            return _refuse(408, "request body too slow")
        except PROTOCOL_ERRORS as error:  # bad chunking or compression, or the client left
            return _refuse(400, f"unreadable request body ({type(error).__name__})")
    return await handler(request)


def _refuse(status: int, why: str) -> web.Response:
    REFUSALS.refused(why)
    response = web.json_response({"error": why.split(" (")[0]}, status=status)
    response.force_close()
    return response


class _Busy(asyncio.Protocol):
    """What a connection over the cap gets: one short 503, then the door closes."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(_BUSY)
        transport.close()


async def serve(app: web.Application, drain: Drain, host: str, port: int, limit: int) -> None:
    """Serve `app` until `drain.stopping` is set, then drain and clean up."""
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        keepalive_timeout=HEADER_SECONDS,
        lingering_time=LINGER_SECONDS,
        shutdown_timeout=1.0,  # after the drain, only idle or abandoned connections remain
    )
    await runner.setup()
    server = runner.server
    assert server is not None

    def connection() -> asyncio.BaseProtocol:
        return _Busy() if len(server.connections) >= limit else server()

    quiet_protocol_errors()
    listener = await asyncio.get_running_loop().create_server(connection, host, port)
    drain.install()
    try:
        await drain.stopping.wait()
        drain.draining = True
        listener.close()
        await drain.wait_until_idle(lambda: len(server.connections))
    finally:
        listener.close()
        await runner.shutdown()
        await runner.cleanup()
