"""HTTP benchmarks against ``python -m api`` subprocesses with 1 and 2 uvicorn workers.

For throughput the per-client rate limit and the CPU-slot gate are raised through the
environment (every loopback client shares one address, so the default limit would measure
the limiter, not the service); then two passes at the highest concurrency show the defaults
shedding load: once with the default rate limit (429), once with the default CPU-slot gate
(503). Each server gets its own feedback database in a temporary folder.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.bench.load import LoadConfig, LoadResult, run_in_subprocess, warm_up
from eval.bench.procs import ApiServer, WorkerMemory
from eval.bench.stats import Latency, summarize

THROUGHPUT_ENV = {
    "TASKQA_RATE_PER_MINUTE": "1000000000",
    "TASKQA_BURST": "1000000000",
    "TASKQA_MAX_CONCURRENCY": "1000",
}
GATE_ONLY_ENV = {"TASKQA_RATE_PER_MINUTE": "1000000000", "TASKQA_BURST": "1000000000"}


@dataclass(frozen=True, slots=True)
class ServerRun:
    """One server process tree and the load passes run against it."""

    workers: int
    label: str  # "throughput", "default limits", "default CPU gate"
    settings: dict[str, str]  # the TASKQA_* variables set for this server
    startup_s: float
    passes: tuple[LoadResult, ...]
    unique: LoadResult | None  # a pass where every question is new (no query-embedding cache hits)
    memory: tuple[WorkerMemory, ...]  # per worker, after the passes
    replaced_workers: (
        int  # workers uvicorn's supervisor replaced during the passes (it kills unresponsive ones)
    )


def server_side(log: Path, start: int, end: int, path: str) -> tuple[Latency, Latency]:
    """Latency of 200s and of 429/503s for ``path`` in the access-log bytes ``start:end``."""
    ok: list[float] = []
    shed: list[float] = []
    with log.open("rb") as f:
        f.seek(start)
        chunk = f.read(end - start)
    for line in chunk.splitlines():
        if not line.startswith(b"{"):
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if row.get("path") != path:
            continue
        seconds = float(row["latency_ms"]) / 1000
        if row["status"] == 200:
            ok.append(seconds)
        elif row["status"] in (429, 503):
            shed.append(seconds)
    return summarize(ok), summarize(shed)


def _measured(server: ApiServer, cfg: LoadConfig) -> LoadResult:
    """One pass from a separate process, with the server's own view from its access log."""
    start = server.log_path.stat().st_size
    result = run_in_subprocess(cfg)
    time.sleep(0.2)  # let the last access-log lines reach the file
    ok, shed = server_side(server.log_path, start, server.log_path.stat().st_size, cfg.path)
    return dataclasses.replace(result, server_ok=ok, server_shed=shed)


def _serve(
    *,
    workers: int,
    label: str,
    env: dict[str, str],
    tmp: Path,
    questions: Sequence[str],
    clients: Sequence[int],
    seconds: float,
    warm_rounds: int,
    unique_clients: int | None,
) -> ServerRun:
    name = f"{label.replace(' ', '-')}-{workers}w"
    full_env = {**env, "TASKQA_FEEDBACK_DB": str(tmp / f"{name}.sqlite3")}
    t0 = time.perf_counter()
    with ApiServer(workers=workers, env=full_env, log_path=tmp / f"{name}.log") as server:
        server.wait_ready()
        startup = time.perf_counter() - t0
        if warm_rounds:
            warm_up(server.url, questions, rounds=warm_rounds)
        pids = set(server.worker_pids())
        passes = tuple(
            _measured(
                server, LoadConfig(url=server.url, clients=c, seconds=seconds, questions=tuple(questions))
            )
            for c in clients
        )
        unique = None
        if unique_clients:
            cfg = LoadConfig(
                url=server.url,
                clients=unique_clients,
                seconds=seconds,
                questions=tuple(questions),
                unique=True,
            )
            unique = _measured(server, cfg)
        memory = tuple(server.memory())
        replaced = len(pids - set(server.worker_pids()))
    return ServerRun(workers, label, env, round(startup, 2), passes, unique, memory, replaced)


def run_http(
    questions: Sequence[str],
    *,
    tmp: Path,
    workers: Sequence[int] = (1, 2),
    clients: Sequence[int] = (1, 8, 16, 32, 64),
    seconds: float = 30.0,
    warm_rounds: int = 3,
    unique_clients: int = 16,
    progress: bool = True,
) -> list[ServerRun]:
    """All HTTP passes; returns one :class:`ServerRun` per server started."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    labels = ["throughput", "default limits", "default CPU gate"]
    plan = [(w, label) for w in workers for label in labels]
    runs = []
    for w, label in tqdm(plan, desc="http", unit="server", disable=not progress):
        env = THROUGHPUT_ENV
        if label == "default limits":
            env = {}
        elif label == "default CPU gate":
            env = GATE_ONLY_ENV
        full = label.startswith("throughput")
        runs.append(
            _serve(
                workers=w,
                label=label,
                env=env,
                tmp=tmp,
                questions=questions,
                clients=clients if full else [max(clients)],
                seconds=seconds,
                # Connections land on either worker: warm both. The default rate limit would refuse it.
                warm_rounds=0 if label == "default limits" else warm_rounds * w,
                unique_clients=unique_clients if full else None,
            )
        )
    return runs
