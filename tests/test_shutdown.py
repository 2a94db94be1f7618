"""SIGTERM with 32 requests in flight: each is answered (or refused with 503), and the server
exits 0 within 10 seconds."""

from __future__ import annotations

import signal
import socket
import time

from tests.slack_fakes import SERVE, command_body, free_port, signed_headers, start_server

IN_FLIGHT = 32


def open_request(port: int, text: str) -> tuple[socket.socket, bytes]:
    """Send the headers and half the body; return the socket and the other half."""
    body = command_body(text)
    headers = signed_headers(body)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Length: {len(body)}\r\n{head}\r\n"
    ).encode()
    half = len(body) // 2
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock.sendall(request + body[:half])
    return sock, body[half:]


def read_status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0


def test_sigterm_drains_in_flight_requests() -> None:
    port = free_port()
    process = start_server(SERVE, port)
    try:
        pending = [open_request(port, "specialty") for _ in range(IN_FLIGHT)]
        time.sleep(0.3)  # every handler is now waiting for the rest of its body
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        late, rest_of_late = open_request(port, "hours")  # arrives while draining
        late.sendall(rest_of_late)
        assert read_status(late) == 503
        late.close()
        ready = socket.create_connection(("127.0.0.1", port), timeout=5)
        ready.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_status(ready) == 503
        ready.close()
        for sock, rest in pending:
            sock.sendall(rest)
        statuses = [read_status(sock) for sock, _ in pending]
        for sock, _ in pending:
            sock.close()
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
        assert all(status in (200, 503) for status in statuses), statuses
        assert statuses.count(200) >= 1
    finally:
        if process.poll() is None:
            process.kill()
