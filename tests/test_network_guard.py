"""The guard in conftest really blocks the outside world and really allows loopback."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.conftest import NetworkBlocked


def test_outside_address_is_blocked() -> None:
    with pytest.raises(NetworkBlocked), socket.create_connection(("203.0.113.7", 443), timeout=1):
        pass


def test_name_lookup_is_blocked() -> None:
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("slack.com", 443)


async def test_asyncio_outside_connection_is_blocked() -> None:
    with pytest.raises(NetworkBlocked):
        await asyncio.open_connection("198.51.100.9", 80)


async def test_loopback_is_allowed() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.read(5))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hello")
        assert await reader.read(5) == b"hello"
        writer.close()
