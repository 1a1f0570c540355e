"""HTTP load from a second process: N asyncio clients with httpx, each sending one request at a time.

Each client loops until the deadline: take the next question of the mix, POST it, record the
status and the latency, repeat — a closed loop, so N is the number of requests in flight.
Clients do not back off on 429/503: the shedding pass measures how cheaply the server says
no to clients that keep hammering. The generator runs in its own process
(:func:`run_in_subprocess`) so its CPU use is visible as a separate process, but on a
2-core machine it competes with the server for the same cores.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import httpx

from eval.bench.stats import Latency, load_average, summarize

MAX_REQUESTS_PER_CLIENT = 1_000_000  # a bound on the loop besides the deadline


@dataclass(frozen=True, slots=True)
class LoadConfig:
    url: str
    clients: int
    seconds: float
    questions: tuple[str, ...]
    path: str = "/api/v1/ask"
    unique: bool = False  # suffix a counter to every question: no query-embedding cache hits
    timeout_s: float = 15.0


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One load pass. ``statuses`` counts HTTP statuses as strings, and client-side failures by name."""

    clients: int
    seconds: float
    requests: int
    ok: int
    throughput_rps: float  # 200 answers per second
    latency_ok: Latency  # of the 200 answers
    shed: int  # 429 + 503 answers
    shed_latency: Latency  # of the 429 / 503 answers
    statuses: dict[str, int]
    loadavg: float
    client_cpu: float  # CPU seconds the load generator used per wall second (1.0 = one core)
    # Server-side latency from the access log (request received → response sent), when available.
    server_ok: Latency | None = None
    server_shed: Latency | None = None

    @property
    def errors(self) -> int:
        """Everything that is neither a 200 nor a fast refusal (429 / 503)."""
        return self.requests - self.ok - self.shed


def _question(cfg: LoadConfig, k: int) -> str:
    q = cfg.questions[k % len(cfg.questions)]
    return f"{q} {k}" if cfg.unique else q


async def _client(
    i: int, cfg: LoadConfig, http: httpx.AsyncClient, deadline: float, out: list[tuple[str, float]]
) -> None:
    k = i
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.perf_counter() >= deadline:
            return
        body = {"question": _question(cfg, k)} if cfg.path.endswith("ask") else {"query": _question(cfg, k)}
        k += cfg.clients
        t0 = time.perf_counter()
        try:
            r = await http.post(cfg.path, json=body)
            status = str(r.status_code)
        except httpx.TimeoutException:
            status = "timeout"
        except httpx.TransportError as exc:
            status = type(exc).__name__
        out.append((status, time.perf_counter() - t0))


async def _run(cfg: LoadConfig) -> LoadResult:
    limits = httpx.Limits(max_connections=cfg.clients, max_keepalive_connections=cfg.clients)
    timeout = httpx.Timeout(cfg.timeout_s)
    samples: list[tuple[str, float]] = []
    async with httpx.AsyncClient(base_url=cfg.url, limits=limits, timeout=timeout) as http:
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        deadline = t0 + cfg.seconds
        await asyncio.gather(*(_client(i, cfg, http, deadline, samples) for i in range(cfg.clients)))
        elapsed = time.perf_counter() - t0
        cpu = (time.process_time() - cpu0) / elapsed
    statuses = Counter(s for s, _ in samples)
    ok = [t for s, t in samples if s == "200"]
    shed = [t for s, t in samples if s in ("429", "503")]
    return LoadResult(
        clients=cfg.clients,
        seconds=round(elapsed, 2),
        requests=len(samples),
        ok=len(ok),
        throughput_rps=round(len(ok) / elapsed, 2),
        latency_ok=summarize(ok),
        shed=len(shed),
        shed_latency=summarize(shed),
        statuses=dict(sorted(statuses.items())),
        loadavg=load_average(),
        client_cpu=round(cpu, 2),
    )


def run_load(cfg: LoadConfig) -> LoadResult:
    """One pass in this process."""
    return asyncio.run(_run(cfg))


def run_in_subprocess(cfg: LoadConfig) -> LoadResult:
    """One pass in a fresh process (spawned, so it shares nothing with the caller)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_load, cfg).result()


def warm_up(url: str, questions: Sequence[str], *, rounds: int, clients: int = 4) -> None:
    """Send every question ``rounds`` times so each worker's query-embedding cache is likely to hold it."""
    cfg = LoadConfig(url=url, clients=clients, seconds=0.0, questions=tuple(questions))

    async def go() -> None:
        limits = httpx.Limits(max_connections=clients)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60.0) as http:
            sem = asyncio.Semaphore(clients)

            async def one(k: int) -> None:
                async with sem:
                    await http.post(cfg.path, json={"question": _question(cfg, k)})

            await asyncio.gather(*(one(k) for k in range(rounds * len(questions))))

    asyncio.run(go())
