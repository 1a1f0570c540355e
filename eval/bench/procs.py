"""Processes the benchmarks and reliability tests drive: the API server, index builds, /proc reads.

Everything here talks to processes this module started (by pid, never by name) and to
127.0.0.1 only. Memory is read from ``/proc/<pid>/status`` (psutil is not a dependency).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, field: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def rss_mb(pid: int | None = None) -> float | None:
    """Resident set size (``VmRSS``) in MiB; None when the process is gone."""
    kb = _status_kb(pid or os.getpid(), "VmRSS")
    return None if kb is None else round(kb / 1024, 1)


def peak_rss_mb(pid: int | None = None) -> float | None:
    """Peak resident set size (``VmHWM``) in MiB."""
    kb = _status_kb(pid or os.getpid(), "VmHWM")
    return None if kb is None else round(kb / 1024, 1)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """Direct children, from the parent field of every ``/proc/<n>/stat``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may itself hold spaces or parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(entry.name))
    return sorted(out)


def descendants(pid: int) -> list[int]:
    out: list[int] = []
    todo = children(pid)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children(p))
    return sorted(out)


def dir_size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / 2**20, 2)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment plus ``extra``, with Python output unbuffered (so tests can read it live)."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@dataclass(frozen=True, slots=True)
class WorkerMemory:
    pid: int
    rss_mb: float
    peak_mb: float


class ApiServer:
    """``python -m api`` as a subprocess on a free loopback port; a context manager that always stops it.

    Args:
        workers: uvicorn worker processes.
        env: ``TASKQA_*`` settings for this server (added to the current environment).
        log_path: where the server's stdout and stderr go (a file: the access log is one line a request).
        extra_args: more command-line arguments (``--no-build``).
        cwd: the working directory (default: a new folder next to the log).
    """

    def __init__(
        self,
        *,
        workers: int = 1,
        env: Mapping[str, str] | None = None,
        log_path: Path,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        cwd: Path | None = None,
    ) -> None:
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.env = child_env(env)
        self.log_path = log_path
        self.extra_args = tuple(extra_args)
        # Its own empty folder: ``python -m`` puts the cwd first on sys.path, so a folder there named like
        # a package (an index root called ``index``) would shadow it; and no ``.env`` applies.
        self.cwd = cwd or log_path.parent / f"{log_path.stem}.cwd"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ApiServer:
        args = [sys.executable, "-m", "api", "--host", HOST, "--port", str(self.port)]
        args += ["--workers", str(self.workers), "--log-level", "warning", *self.extra_args]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.cwd.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                args, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not started"
        return self.proc.pid

    def wait_ready(self, timeout: float = 180.0, path: str = "/readyz") -> None:
        """Poll ``path`` until it answers 200.

        Raises:
            RuntimeError: the server exited or did not become ready in time (with its log's tail).
        """
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
                try:
                    if client.get(path).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the server itself with one worker, else its workers."""
        if self.workers <= 1:
            return [self.pid]
        return [p for p in children(self.pid) if "resource_tracker" not in cmdline(p)]

    def memory(self) -> list[WorkerMemory]:
        out = []
        for pid in self.worker_pids():
            rss, peak = rss_mb(pid), peak_rss_mb(pid)
            if rss is not None and peak is not None:
                out.append(WorkerMemory(pid, rss, peak))
        return out

    def signal(self, sig: signal.Signals) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL for the server and any worker it left behind; returns the exit code."""
        if self.proc is None:
            return None
        workers = [(pid, cmdline(pid)) for pid in descendants(self.proc.pid)]
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid, command in workers:  # only what this server spawned, if still alive and still the same
            try:
                if command and cmdline(pid) == command:
                    os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return self.proc.returncode

    def __enter__(self) -> ApiServer:
        if self.proc is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@dataclass(frozen=True, slots=True)
class BuildRun:
    seconds: float
    returncode: int
    summary: str  # the command's last stdout line ("index built (482 of 482 …) …" / "index up-to-date …")


def run_index_build(root: Path, *, force: bool = False, timeout: float = 1800.0) -> BuildRun:
    """``python -m index build --root ROOT [--force]`` as a subprocess, timed from spawn to exit."""
    args = [sys.executable, "-m", "index", "build", "--root", str(root)]
    if force:
        args.append("--force")
    t0 = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=child_env(), capture_output=True, timeout=timeout, check=False)
    seconds = time.perf_counter() - t0
    lines = done.stdout.decode(errors="replace").strip().splitlines()
    return BuildRun(round(seconds, 3), done.returncode, lines[-1] if lines else "")
