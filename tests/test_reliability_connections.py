"""Connection exhaustion against ``python -m api`` (issue 13, item 1), over real sockets.

* 1,030 sockets that never send a byte, against a server started under ``ulimit -n 1024`` (systemd's
  default soft limit): before, ``accept()`` failed with EMFILE for the whole hold (183,410 tracebacks in
  10 s) and ``/healthz`` went unanswered. Now the connection cap (``api/connections.py``) closes the
  longest-waiting sockets to make room, and ``/healthz`` answers.
* sockets trickling a header line at a time, or nothing at all: closed after the header timeout.
* a body trickled a byte at a time: 408 after the body timeout.

Timeouts below are liveness bounds (a hung server fails the test instead of hanging it), never
performance assertions; the measured times are in ``docs/reliability.md``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from eval.bench.procs import HOST, ApiServer
from index.store import current_version_dir, default_index_root

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(current_version_dir() is None, reason="needs a built index: python -m index build"),
]


class LimitedServer(ApiServer):
    """``python -m api`` with its RLIMIT_NOFILE set to ``nofile`` (soft and hard), as ``ulimit -n`` does."""

    def __init__(self, *, nofile: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.nofile = nofile

    def start(self) -> ApiServer:
        args = [
            sys.executable,
            "-m",
            "api",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        self.cwd.mkdir(parents=True, exist_ok=True)
        limit = self.nofile

        def lower_the_limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=lower_the_limit,
            )
        return self


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "TASKQA_INDEX_DIR": str(default_index_root()),
        "TASKQA_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
        **extra,
    }


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _closed_by_server(sock: socket.socket) -> bool:
    """The server closed ``sock`` (EOF or reset), without blocking."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def test_1030_idle_sockets_under_ulimit_1024_leave_healthz_answering(tmp_path: Path) -> None:
    with LimitedServer(nofile=1024, env=_env(tmp_path), log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300)
        cap_line = next(
            line for line in server.log_tail(20_000).splitlines() if "connections: at most" in line
        )
        assert "at most 696 per worker" in cap_line  # 1024 - fd_reserve 200 - backlog 128
        idle = []
        try:
            for _ in range(1030):
                idle.append(socket.create_connection((HOST, server.port), timeout=10))
            time.sleep(0.5)  # let the server accept what the kernel queued
            t0 = time.perf_counter()
            health = httpx.get(server.url + "/healthz", timeout=10)  # a liveness bound, not the target
            elapsed = time.perf_counter() - t0
            ask = httpx.post(
                server.url + "/api/v1/ask", json={"question": "谁牵头负责电力接入？"}, timeout=30
            )
            fds = _open_fds(server.pid)
            closed = sum(_closed_by_server(s) for s in idle)
        finally:
            for s in idle:
                s.close()
        log = server.log_tail(2_000_000)
    assert health.status_code == 200, f"/healthz took {elapsed:.2f} s"
    assert ask.status_code == 200 and ask.json()["answerable"] is True
    assert fds < 1024
    assert closed >= 1030 - 696  # the oldest idle sockets were closed to make room
    assert "out of system resource" not in log and "Too many open files" not in log
    assert log.count("connection cap of 696 reached") <= 3  # rate-limited, not one line per socket
    assert "Traceback" not in log


@pytest.fixture(scope="module")
def timeout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    tmp = tmp_path_factory.mktemp("timeouts")
    env = _env(
        tmp,
        TASKQA_HEADER_TIMEOUT_SECONDS="2",
        TASKQA_BODY_TIMEOUT_SECONDS="2",
        TASKQA_RATE_PER_MINUTE="100000",
        TASKQA_BURST="10000",
    )
    with ApiServer(env=env, log_path=tmp / "server.log") as server:
        server.wait_ready(timeout=300)
        yield server
        assert "Traceback" not in server.log_tail(200_000)


def test_header_trickles_and_silent_sockets_are_closed_after_the_header_timeout(
    timeout_server: ApiServer,
) -> None:
    """50 sockets sending one header line every 0.5 s and 50 silent ones: all closed by the server after
    the 2 s header timeout (before: open as long as the client liked), while others are served."""
    port = timeout_server.port
    trickling = [socket.create_connection((HOST, port), timeout=10) for _ in range(50)]
    silent = [socket.create_connection((HOST, port), timeout=10) for _ in range(50)]
    for s in trickling:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    open_trickling = list(trickling)
    try:
        while open_trickling and time.monotonic() - start < 20:  # liveness bound
            for s in list(open_trickling):
                try:
                    s.sendall(b"X-Trickle: 1\r\n")
                except OSError:
                    open_trickling.remove(s)
                    continue
                if _closed_by_server(s):
                    open_trickling.remove(s)
            assert httpx.get(timeout_server.url + "/healthz", timeout=10).status_code == 200
            time.sleep(0.5)
        lasted = time.monotonic() - start
        silent_closed = sum(_closed_by_server(s) for s in silent)
    finally:
        for s in trickling + silent:
            s.close()
    assert not open_trickling, f"{len(open_trickling)} trickling sockets still open after {lasted:.1f} s"
    assert lasted >= 1.5  # they were given the header timeout, not closed at once
    assert silent_closed == 50


def test_a_body_trickled_past_the_body_timeout_gets_408(timeout_server: ApiServer) -> None:
    body = '{"question": "谁牵头负责电力接入？"}'.encode()
    head = (
        f"POST /api/v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((HOST, timeout_server.port), timeout=20) as s:
        s.sendall(head)
        data = b""
        for byte in body:
            try:
                s.sendall(bytes([byte]))
            except OSError:
                break
            s.settimeout(0.3)
            with contextlib.suppress(TimeoutError):
                data += s.recv(65536)
            if data:
                break
        s.settimeout(10)
        while True:  # to the end: the server closes (the body may come in a later segment than the head)
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert b'"code":"body_timeout"' in data and b"connection: close" in data.lower()
