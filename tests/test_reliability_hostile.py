"""Hostile input over real sockets against ``python -m api``: what the in-process tests cannot send.

``test_api_bad_input.py`` checks field validation through the ASGI app; this suite speaks raw
HTTP to a running server — huge and lying bodies, chunked uploads, deep JSON, invalid UTF-8,
header floods, garbage request lines, slowloris sockets — and requires every answer to be a
4xx, a 429 or a 503, or the connection dropped, and the server to stay healthy after each.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from eval.bench.procs import ApiServer
from index.store import current_version_dir, default_index_root

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(current_version_dir() is None, reason="needs a built index: python -m index build"),
]

ASK, SEARCH, FEEDBACK = "/api/v1/ask", "/api/v1/search", "/api/v1/feedback"
DROPPED = 0  # the server closed the connection without a response
MiB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    tmp = tmp_path_factory.mktemp("hostile")
    env = {
        "TASKQA_INDEX_DIR": str(default_index_root()),
        "TASKQA_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
        # Raised so every input reaches the checks behind the rate limiter (the limiter has its own tests).
        "TASKQA_RATE_PER_MINUTE": "100000",
        "TASKQA_BURST": "10000",
    }
    with ApiServer(env=env, log_path=tmp / "server.log") as s:
        s.wait_ready(timeout=300)
        yield s
        assert s.proc is not None and s.proc.poll() is None  # it never crashed
        assert "Traceback" not in s.log_tail(200_000)


def exchange(port: int, chunks: list[bytes], *, pause: float = 0.0, timeout: float = 20.0) -> int:
    """Send raw bytes, return the response's status (``DROPPED`` when the server hung up first)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            for chunk in chunks:
                s.sendall(chunk)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer early and close; its answer can still be read below
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
    if not data.startswith(b"HTTP/1."):
        return DROPPED
    return int(data.split()[1])


def request(
    path: str,
    body: bytes,
    *,
    ctype: str | None = "application/json",
    length: str | None = None,
    extra: str = "",
) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if ctype is not None:
        head += f"Content-Type: {ctype}\r\n"
    head += f"Content-Length: {len(body) if length is None else length}\r\n{extra}\r\n"
    return head.encode() + body


def chunked(path: str, total: int, piece: int = 64 * 1024) -> list[bytes]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    parts = [head]
    for _ in range(total // piece):
        parts.append(f"{piece:x}\r\n".encode() + b"[" * piece + b"\r\n")
    return [*parts, b"0\r\n\r\n"]


def body(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


CASES: dict[str, tuple[Callable[[], list[bytes]], set[int]]] = {
    "1 MiB body with an honest Content-Length": (lambda: [request(ASK, b" " * MiB)], {413}),
    "Content-Length claims 1 GB": (lambda: [request(ASK, b"{}", length=str(10**9))], {413}),
    "1 MiB chunked body without a length": (lambda: chunked(ASK, MiB), {413}),
    "100k nested arrays": (lambda: [request(ASK, b"[" * 100_000 + b"]" * 100_000)], {413}),
    "5k nested arrays under the size limit": (lambda: [request(ASK, b"[" * 5000 + b"]" * 5000)], {400}),
    "2k nested objects under the size limit": (
        lambda: [request(ASK, b'{"a":' * 2000 + b"1" + b"}" * 2000)],
        {400},
    ),
    "brackets inside a string are not nesting": (
        lambda: [request(ASK, body({"question": "[" * 8000}))],
        {422},
    ),
    "invalid UTF-8": (lambda: [request(ASK, b'{"question": "\xff\xfe\xfd"}')], {400}),
    "UTF-8-encoded surrogate": (lambda: [request(ASK, b'{"question": "\xed\xa0\x80"}')], {400}),
    "escaped lone surrogate": (lambda: [request(ASK, b'{"question": "a\\ud800b"}')], {422}),
    "NUL and BEL in the question": (lambda: [request(ASK, body({"question": "谁\u0000牵\u0007头"}))], {422}),
    "raw control byte inside a JSON string": (lambda: [request(ASK, b'{"question": "a\x01b"}')], {400, 422}),
    "10k-character ASCII question": (lambda: [request(ASK, body({"question": "a" * 10_000}))], {422}),
    "10k-character Chinese question (30 KB)": (
        lambda: [request(ASK, body({"question": "电" * 10_000}))],
        {413},
    ),
    "10k-character search query": (lambda: [request(SEARCH, body({"query": "b" * 10_000}))], {422}),
    "search top_k = 10^9": (lambda: [request(SEARCH, body({"query": "电力", "top_k": 10**9}))], {422}),
    "number too large for a float": (lambda: [request(ASK, b'{"question": 1e400}')], {400, 422}),
    "truncated JSON": (lambda: [request(ASK, b'{"question": "')], {400, 422}),
    "text/plain body": (lambda: [request(ASK, b"question=x", ctype="text/plain")], {415}),
    "no Content-Type": (lambda: [request(ASK, body({"question": "电力"}), ctype=None)], {415}),
    "feedback with a 10k comment": (
        lambda: [
            request(FEEDBACK, body({"question": "q", "answer": "a", "rating": "up", "comment": "c" * 10_000}))
        ],
        {422},
    ),
    "session id with path characters": (
        lambda: [request(ASK, body({"question": "电力", "session_id": "../../etc/passwd"}))],
        {422},
    ),
    "Content-Length not a number": (lambda: [request(ASK, b"{}", length="abc")], {400, DROPPED}),
    "negative Content-Length": (lambda: [request(ASK, b"{}", length="-5")], {400, DROPPED}),
    "two different Content-Lengths": (
        lambda: [request(ASK, b"{}", extra="Content-Length: 7\r\n")],
        {400, DROPPED},
    ),
    # h11 bounds an incomplete header block; a complete one that arrives in a single read may be larger,
    # and is then parsed as usual (422: the body "{}" has no question).
    "64 KiB header": (
        lambda: [request(ASK, b"{}", extra=f"X-Big: {'x' * 65536}\r\n")],
        {400, 422, 431, DROPPED},
    ),
    "5000 headers": (
        lambda: [request(ASK, b"{}", extra="".join(f"X-H{i}: v\r\n" for i in range(5000)))],
        {400, 422, 431, DROPPED},
    ),
    "1 MiB header": (lambda: [request(ASK, b"{}", extra=f"X-Big: {'x' * MiB}\r\n")], {400, 431, DROPPED}),
    "100 KiB URL": (
        lambda: [f"GET /{'a' * 102_400} HTTP/1.1\r\nHost: x\r\n\r\n".encode()],
        {400, 404, 414, DROPPED},
    ),
    "garbage request line": (lambda: [b"\x00\x01\x02 GARBAGE \xff\r\n\r\n"], {400, DROPPED}),
    "HTTP/2 preface to an HTTP/1.1 server": (
        lambda: [b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
        {400, 404, 505, DROPPED},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_request_is_refused_and_the_server_stays_healthy(server: ApiServer, case: str) -> None:
    make, allowed = CASES[case]
    status = exchange(server.port, make())
    assert status in allowed, f"{case}: got {status or 'dropped'}, expected one of {sorted(allowed)}"
    assert status < 500 or status == 503
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


def test_a_body_sent_byte_by_byte_is_still_checked(server: ApiServer) -> None:
    """A slow, deep body is refused like a fast one (the guard counts bytes as they arrive)."""
    deep = request(ASK, b"[" * 40 + b"]" * 40)
    status = exchange(server.port, [deep[i : i + 1] for i in range(len(deep))], pause=0.001)
    assert status == 400


async def _slowloris(port: int, *, sockets: int, seconds: float, body: bool) -> int:
    """Open ``sockets`` connections trickling a request byte by byte for ``seconds``; count those opened."""
    payload = request(ASK, b'{"question": "' + b"x" * 2000 + b'"}') if body else request(ASK, b"")[:-4]
    deadline = time.monotonic() + seconds
    opened = 0

    async def trickle() -> None:
        nonlocal opened
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return
        opened += 1
        try:
            for byte in payload:
                if time.monotonic() >= deadline:
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    await asyncio.gather(*(trickle() for _ in range(sockets)))
    return opened


def test_slowloris_does_not_starve_other_clients(server: ApiServer) -> None:
    """150 sockets trickling headers and 50 trickling bodies; meanwhile ordinary requests are answered."""
    import threading

    opened: list[int] = []

    def attack() -> None:
        async def both() -> None:
            heads, bodies = await asyncio.gather(
                _slowloris(server.port, sockets=150, seconds=4, body=False),
                _slowloris(server.port, sockets=50, seconds=4, body=True),
            )
            opened.extend([heads, bodies])

        asyncio.run(both())

    t = threading.Thread(target=attack)
    t.start()
    time.sleep(1.5)  # the sockets are open and trickling
    with httpx.Client(base_url=server.url, timeout=10) as c:
        during = [c.get("/healthz").status_code, c.post(ASK, json={"question": "第12条是什么？"}).status_code]
    t.join(30)
    assert not t.is_alive()
    assert opened == [150, 50]  # the attack really held 200 connections
    assert during == [200, 200]
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


def test_a_flood_of_idle_connections_does_not_block_the_server(server: ApiServer) -> None:
    """500 connections that never send a byte; the server still answers a new client."""
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(500)]
    try:
        assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        r = httpx.post(server.url + ASK, json={"question": "法院牵头哪些任务？"}, timeout=30)
        assert r.status_code == 200 and r.json()["answerable"] is True
    finally:
        for s in idle:
            s.close()
