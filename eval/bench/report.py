"""docs/performance.md from a :class:`eval.bench.results.BenchResults` (pure: results in, text out)."""

from __future__ import annotations

from eval.bench import plots
from eval.bench.load import LoadResult
from eval.bench.markdown import lat_cells, ms, prose, table, when
from eval.bench.report_scale import SYNTHETIC_NOTE, baseline_section, scale_section
from eval.bench.results import BenchResults
from eval.bench.stats import Latency
from eval.bench.targets import FAST_REFUSAL_MS, verdicts

HEADER = prose("""
Measured by `make bench` (`.venv/bin/python -m eval.bench`; `--quick` for a short smoke run;
`--sections inproc,build,http,scale` re-measures some sections and keeps the others from the last
run). Raw results: `var/bench/results.json`. This file is generated — change `eval/bench/` instead.
""")
CAVEAT = prose("""
**Caveat.** The machine is shared: other jobs ran during some sections (see each section's load
average; 2.0 means both cores busy). The HTTP load generator runs on the same two cores as the
server. Read ratios and growth rather than absolute milliseconds.
""")
SHED_NOTE = prose(f"""
Shedding at the highest concurrency. *throughput*: limits raised; *default limits*: the shipped
settings (30 requests/min and a burst of 10 per client address — all load clients share
127.0.0.1 — and 4 CPU slots per worker); *default CPU gate*: rate limit raised, 4 CPU slots per
worker. Clients do not back off. A refusal is *fast* when its p99 is ≤ {FAST_REFUSAL_MS:.0f} ms.
""")
HTTP_NOTE = prose("""
Closed-loop clients (httpx, asyncio) in a separate process POST `/api/v1/ask` with the evaluation
questions in turn; each pass lasts the configured time. Before the passes every question was sent
a few times, so the workers' query-embedding caches mostly hold them (a portal's repeated
questions); the *every question new* row suffixes a counter to each question so every request
runs the embedding model. Throughput counts 200 answers only. Latencies are measured by the
client (send → full response); *server* latencies come from the server's access log (request
received → response sent), without the time a request waits for the event loop or in the
client. *Generator CPU* is the CPU the load generator itself used per wall second (1.0 = one of the
machine's two cores): near 1, the generator competes with the server and limits the measurement.
""")
LAT_HEAD = ["n", "passes", "p50 ms", "p95 ms", "p99 ms", "mean ms"]


def _targets(res: BenchResults) -> str:
    rows = [
        [v.target, v.measured, f"**{v.status}**" if v.status == "FAIL" else v.status] for v in verdicts(res)
    ]
    return table(["target", "measured", "result"], rows)


def _inproc(res: BenchResults) -> str:
    r = res.inproc
    if r is None:
        return "Not measured.\n"
    rows = [[f"search {k}", *lat_cells(v)] for k, v in r.search.items()]
    rows += [[f"ask {k}", *lat_cells(v)] for k, v in r.ask.items()]
    intro = (
        f"{r.questions} evaluation questions, {r.passes} warm passes (each in a new random order) and "
        f"{r.cold_passes} cold pass(es); each figure is the median over passes of that pass's percentile. "
        "*Warm*: the query embedding comes from the retriever's LRU; *cold* search: a retriever without a "
        "cache, so the model runs for every query; *cold* ask: the cache is emptied before each question (a "
        "question new to the service; its embedding is computed once). "
        f"Loading the index, retriever and QA took {r.load_seconds:.1f} s."
    )
    return "\n\n".join(
        [
            when(res, "inproc") + intro,
            table(["operation", *LAT_HEAD], rows),
            "Stages of one unfiltered hybrid search (the same objects, run step by step):",
            table(["stage", *LAT_HEAD], [[s.name, *lat_cells(s.latency)] for s in r.stages]),
            "p50 of each warm pass (the spread between passes):",
            table(
                ["operation", "p50 ms per pass"],
                [[k, ", ".join(ms(x) for x in v)] for k, v in r.pass_p50_ms.items()],
            ),
        ]
    )


def _build(res: BenchResults) -> str:
    b = res.build
    if b is None:
        return "Not measured.\n"

    def row(name: str, runs: list[float], median: float, said: str) -> list[str]:
        return [name, ms(median), ", ".join(map(ms, runs)), said]

    rows = [
        row("cold (empty root: every passage embedded)", b.cold_s, b.cold_median, b.cold_summary),
        row("unchanged (the same root again)", b.unchanged_s, b.unchanged_median, b.unchanged_summary),
        row("forced, warm embedding cache (`--force`)", b.forced_cached_s, b.forced_median, b.forced_summary),
    ]
    rate = b.embed_passages_per_s
    sizes = (
        f"Index on disk: {b.index_disk_mb:.2f} MiB per version folder; "
        f"embedding cache {b.embcache_mb:.2f} MiB. The default embedder embedded {rate:.1f} passages/s "
        f"({b.embed_sample} real passages, batches of 32): "
        f"10k passages would take ≈ {10_000 / rate / 60:.0f} min and 100k ≈ {100_000 / rate / 3600:.1f} h."
    )
    return "\n\n".join(
        [
            when(res, "build") + "`python -m index build --root <tmp>` as a subprocess, from spawn to exit.",
            table(["build", "median s", "runs s", "what the command said"], rows),
            sizes,
        ]
    )


def _pass_row(p: LoadResult) -> list[str]:
    other = ", ".join(f"{k}: {v}" for k, v in p.statuses.items() if k != "200") or "—"
    lat = p.latency_ok
    head = [str(p.clients), str(p.requests), str(p.ok), f"{p.throughput_rps:.1f}", ms(lat.p50_ms)]
    return [
        *head,
        ms(lat.p95_ms),
        ms(lat.p99_ms),
        _pair(p.server_ok),
        other,
        f"{p.client_cpu:.2f}",
        f"{p.loadavg:.1f}",
    ]


def _pair(lat: Latency | None) -> str:
    return "—" if lat is None else f"{ms(lat.p50_ms)} / {ms(lat.p99_ms)}"


def _shed_row(label: str, workers: int, p: LoadResult) -> list[str]:
    return [
        label,
        str(workers),
        str(p.clients),
        str(p.requests),
        str(p.ok),
        str(p.statuses.get("429", 0)),
        str(p.statuses.get("503", 0)),
        str(p.errors),
        f"{ms(p.shed_latency.p50_ms)} / {ms(p.shed_latency.p99_ms)}",
        _pair(p.server_shed),
        f"{ms(p.latency_ok.p50_ms)} / {ms(p.latency_ok.p99_ms)}",
    ]


def _http(res: BenchResults) -> str:
    runs = res.http
    if not runs:
        return "Not measured.\n"
    parts = [when(res, "http") + HTTP_NOTE]
    head = [
        "clients",
        "requests",
        "200",
        "answers/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "server p50 / p99 ms",
        "other statuses",
        "generator CPU",
        "load avg",
    ]
    for run in (r for r in runs if r.label.startswith("throughput")):
        rows = [_pass_row(p) for p in run.passes]
        if run.unique is not None:
            rows.append([f"{run.unique.clients}, every question new", *_pass_row(run.unique)[1:]])
        title = f"**{run.workers} worker(s)** (ready {run.startup_s:.1f} s after spawn):"
        parts.append(title + "\n\n" + table(head, rows))
    top = max(p.clients for r in runs for p in r.passes)
    shed = [_shed_row(r.label, r.workers, p) for r in runs for p in r.passes if p.clients == top]
    shed_head = ["server", "workers", "clients", "requests", "200", "429", "503", "other"]
    shed_head += ["refusal p50 / p99 ms", "server refusal p50 / p99 ms", "200 p50 / p99 ms"]
    parts.append(SHED_NOTE + "\n\n" + table(shed_head, shed))
    mem = [
        [r.label, str(r.workers), str(m.pid), f"{m.rss_mb:.0f}", f"{m.peak_mb:.0f}", str(r.replaced_workers)]
        for r in runs
        for m in r.memory
    ]
    parts.append(
        "Memory per serving process after its passes (`VmRSS` / `VmHWM` from `/proc/<pid>/status`), and how "
        "many workers uvicorn's supervisor replaced during the passes (it kills a worker that misses its "
        "health-check ping, dropping that worker's connections):\n\n"
        + table(["server", "workers", "pid", "RSS MiB", "peak MiB", "workers replaced"], mem)
    )
    parts.append(f"![latency vs concurrency]({plots.LATENCY_PNG})")
    parts.append(f"![throughput vs concurrency]({plots.THROUGHPUT_PNG})")
    return "\n\n".join(parts)


def render(res: BenchResults, *, command: str) -> str:
    """The whole document."""
    machine = ", ".join(f"{k}: {v}" for k, v in res.machine.items())
    sections = [
        "# Performance",
        HEADER,
        f"Command: `{command}`. Machine: {machine}.",
        CAVEAT,
        "## Targets",
        _targets(res),
        "## In-process latency (482 real tasks)",
        _inproc(res),
        "## Index build",
        _build(res),
        "## HTTP load (`python -m api`, loopback)",
        _http(res),
        "## Scale: synthetic corpora",
        scale_section(res),
        "## Baseline: jieba + rank-bm25",
        baseline_section(res),
        "## How the synthetic corpora are made",
        SYNTHETIC_NOTE,
    ]
    return "\n\n".join(s.strip() for s in sections) + "\n"
