"""The server as a real process: SIGTERM drains, slow or held-open connections cost little and
never stall shutdown, and keep-alive clients lose nothing when it stops."""

from __future__ import annotations

import signal
import socket
import threading
import time

from tests.slack_fakes import SERVE, command_body, free_port, signed_headers, start_server

IN_FLIGHT = 32


def request_bytes(text: str, *, keep_alive: bool = False) -> tuple[bytes, bytes]:
    """A signed slash command as raw HTTP: the head, and the body."""
    body = command_body(text)
    headers = signed_headers(body)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    connection = "keep-alive" if keep_alive else "close"
    return (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}\r\n"
        f"Content-Length: {len(body)}\r\n{head}\r\n"
    ).encode(), body


def open_request(port: int, text: str) -> tuple[socket.socket, bytes]:
    """Send the headers and half the body; return the socket and the other half."""
    head, body = request_bytes(text)
    half = len(body) // 2
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock.sendall(head + body[:half])
    return sock, body[half:]


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """The status and head of one response (its body is read and dropped); 0 if none came."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(head.split(b" ", 2)[1]), head


def read_status(sock: socket.socket) -> int:
    return read_response(sock)[0]


def test_sigterm_drains_in_flight_requests() -> None:
    port = free_port()
    process = start_server(SERVE, port)
    try:
        pending = [open_request(port, "specialty") for _ in range(IN_FLIGHT)]
        ready = socket.create_connection(("127.0.0.1", port), timeout=5)
        time.sleep(0.3)  # every handler is now waiting for the rest of its body
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        ready.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")  # on an open connection
        assert read_status(ready) == 503  # load balancers stop sending here
        ready.close()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            accepted = True
        except OSError:
            accepted = False
        assert not accepted  # new connections go to another instance
        for sock, rest in pending:
            sock.sendall(rest)
        statuses = [read_status(sock) for sock, _ in pending]
        for sock, _ in pending:
            sock.close()
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
        assert statuses == [200] * IN_FLIGHT  # every request already sent is answered
    finally:
        if process.poll() is None:
            process.kill()


def test_keep_alive_clients_lose_nothing_when_it_stops() -> None:
    """Clients sending request after request on keep-alive connections, as a load generator
    does, while SIGTERM arrives: every request is answered or was never sent."""
    port = free_port()
    process = start_server(SERVE, port)
    dropped: list[int] = []
    answered: list[int] = []
    stop = threading.Event()

    def client() -> None:
        sock: socket.socket | None = None
        while not stop.is_set():
            if sock is None:
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                except OSError:
                    return  # the listener has closed: a load balancer would route elsewhere
            head, body = request_bytes("hours", keep_alive=True)
            try:
                sock.sendall(head + body)
                status, response_head = read_response(sock)
            except OSError:
                status, response_head = 0, b""
            if status == 0:
                dropped.append(1)
                sock.close()
                return
            answered.append(status)
            if b"connection: close" in response_head.lower():
                sock.close()
                sock = None
        if sock is not None:
            sock.close()

    try:
        threads = [threading.Thread(target=client) for _ in range(16)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=12) == 0
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        assert answered and set(answered) == {200}
        assert dropped == []
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()


def test_slow_bodies_and_held_connections_cannot_stall_it() -> None:
    port = free_port()
    process = start_server(SERVE, port, {"CAREMARK_MAX_CONNECTIONS": "64"})
    held: list[socket.socket] = []
    try:
        for _ in range(40):  # bodies that never finish
            sock, _ = open_request(port, "specialty")
            held.append(sock)
        for _ in range(40):  # headers that never finish
            sock = socket.create_connection(("127.0.0.1", port), timeout=15)
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
            held.append(sock)
        time.sleep(0.5)
        busy = socket.create_connection(("127.0.0.1", port), timeout=5)
        busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_status(busy) == 503  # over the cap: a short refusal, not a pile-up
        busy.close()
        slow_body = held[0]
        assert read_status(slow_body) == 408  # the body timeout answered it
        deadline = time.monotonic() + 15
        healthy = False
        while not healthy and time.monotonic() < deadline:  # timeouts free the slots
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                healthy = read_status(sock) == 200
            time.sleep(0.2)
        assert healthy
        more = [open_request(port, "specialty")[0] for _ in range(20)]
        held += more
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=12) == 0
        assert time.monotonic() - started < 10
    finally:
        for sock in held:
            sock.close()
        if process.poll() is None:
            process.kill()
