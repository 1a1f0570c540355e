"""``python -m eval.bench [--quick] [--sections inproc,build,http,scale]`` → docs/performance.md.

Sections not measured in this run are kept from the previous run's ``var/bench/results.json``, and so are the
scale rows (size, store) this run did not measure.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from eval.bench import plots
from eval.bench.procs import ROOT
from eval.bench.questions import load_questions
from eval.bench.report import render
from eval.bench.results import BenchResults, ScaleResults, Section, load, save
from eval.bench.scale import ScaleRow
from eval.bench.stats import load_average, now

SECTIONS = ("inproc", "build", "http", "scale")
T = TypeVar("T")


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    from importlib.metadata import version

    return {
        "CPU": f"{cpu} × {os.cpu_count()}",
        "RAM": f"{mem_kb / 2**20:.0f} GiB",
        "Python": platform.python_version(),
        "numpy": version("numpy"),
        "faiss-cpu": version("faiss-cpu"),
        "uvicorn": version("uvicorn"),
    }


def measured(name: str, args: argparse.Namespace, sections: dict[str, Section], fn: Callable[[], T]) -> T:
    print(f"== {name} ({now()}, load average {load_average()})", file=sys.stderr)
    start, t0 = load_average(), time.perf_counter()
    out = fn()
    sections[name] = Section(
        now(), args.command, args.quick, start, load_average(), round(time.perf_counter() - t0, 1)
    )
    return out


def merged(new: list[ScaleRow], old: list[ScaleRow]) -> list[ScaleRow]:
    """This run's rows, and the previous run's for (size, store) pairs this run did not measure."""
    seen = {(r.size, r.store) for r in new}
    rows = [*new, *(r for r in old if (r.size, r.store) not in seen)]
    return sorted(rows, key=lambda r: (r.store != "memory", r.store, r.size))


def run_scale_section(
    args: argparse.Namespace, keep: Callable[[list[ScaleRow]], None], old: ScaleResults | None
) -> ScaleResults:
    import faiss

    from corpus.loader import load_tasks
    from eval.bench.baseline import JiebaBM25, baseline_child, recall_at_5
    from eval.bench.questions import query_vectors, single_task
    from eval.bench.scale import in_fresh_process, question_mix, run_scale
    from eval.bench.synth import PrecomputedEmbedder
    from index.embedders import make_embedder
    from index.store import load_index
    from retriever import Retriever

    questions = load_questions()
    texts = [q.question for q in questions]
    done: list[ScaleRow] = []

    def on_row(row: ScaleRow) -> None:  # a long run keeps what it measured if a later size fails
        done.append(row)
        keep(merged(done, old.rows if old else []))

    rows = run_scale(
        args.sizes,
        stores=args.stores,
        mix=question_mix(per_kind=args.per_kind),
        passes=args.scale_passes,
        seed=args.seed,
        progress=not args.no_progress,
        on_row=on_row,
    )
    sizes = [s for s in args.sizes if s <= args.baseline_max]
    baseline = [b for b in (old.baseline if old else []) if b.size not in sizes]
    for size in sizes:
        few = size > 20_000  # get_scores walks every document: fewer queries on the big corpora
        qs = texts[: args.baseline_big_queries] if few else texts
        baseline.append(
            in_fresh_process(baseline_child, size, args.seed, qs, 1 if few else args.scale_passes)
        )
    vectors = query_vectors(texts, make_embedder(), ROOT / "var" / "bench" / "query-embeddings.npz")
    faiss.omp_set_num_threads(1)
    ours = Retriever(load_index(), PrecomputedEmbedder(name="precomputed", passages={}, queries=vectors))
    recall = recall_at_5(single_task(questions), JiebaBM25(load_tasks()), ours)
    rows = merged(rows, old.rows if old else [])
    baseline.sort(key=lambda b: b.size)
    return ScaleResults(sorted({r.size for r in rows}), rows, baseline, recall)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a short smoke run (3 s passes, small corpora)")
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    ap.add_argument("--seconds", type=float, default=None, help="seconds per HTTP pass (default 30; quick 3)")
    ap.add_argument("--clients", type=_ints, default=[1, 8, 16, 32, 64])
    ap.add_argument("--workers", type=_ints, default=[1, 2])
    ap.add_argument(
        "--sizes", type=_ints, default=None, help="corpus sizes (default 482,10000,100000,1000000)"
    )
    ap.add_argument(
        "--stores", default="memory,milvus-lite", help="comma-separated stores to measure at scale"
    )
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument(
        "--passes", type=int, default=None, help="timed passes per scale measurement (default 3; quick 1)"
    )
    ap.add_argument(
        "--per-kind",
        type=int,
        default=150,
        help="single-task and aggregate questions each at scale (default 150; fewer for slow stores)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--results", type=Path, default=ROOT / "var" / "bench" / "results.json")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    args.command = " ".join([".venv/bin/python -m eval.bench", *argv])
    quick = args.quick
    args.seconds = args.seconds or (3.0 if quick else 30.0)
    args.sizes = args.sizes or ([482, 2000] if quick else [482, 10_000, 100_000, 1_000_000])
    args.stores = [x.strip() for x in args.stores.split(",") if x.strip()]
    args.baseline_max = 100_000  # the baseline's get_scores walks every document: hours at 1M
    args.scale_passes = args.passes or (1 if quick else 3)
    args.baseline_big_queries = 100
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    progress = not args.no_progress
    prev = load(args.results)
    res = BenchResults(machine=machine(), sections={})
    if prev is not None:  # keep what this run does not measure
        res = dataclasses.replace(prev, machine=machine(), sections=dict(prev.sections))
    texts = [q.question for q in load_questions()]
    if "inproc" in chosen:
        from eval.bench.inproc import run_inproc

        inproc = measured(
            "inproc",
            args,
            res.sections,
            lambda: run_inproc(
                texts,
                passes=2 if quick else 5,
                cold_passes=1 if quick else 2,
                cold_sample=30 if quick else None,
                progress=progress,
            ),
        )
        res = dataclasses.replace(res, inproc=inproc)
    if "build" in chosen:
        from eval.bench.buildtime import run_build_times

        build = measured(
            "build",
            args,
            res.sections,
            lambda: run_build_times(cold_runs=1 if quick else 2, warm_runs=1 if quick else 3),
        )
        res = dataclasses.replace(res, build=build)
    if "http" in chosen:
        from eval.bench.serve import run_http

        logs = ROOT / "var" / "bench" / "logs"
        http = measured(
            "http",
            args,
            res.sections,
            lambda: run_http(
                texts,
                tmp=logs,
                workers=args.workers,
                clients=args.clients,
                seconds=args.seconds,
                warm_rounds=1 if quick else 3,
                progress=progress,
            ),
        )
        res = dataclasses.replace(res, http=http)
    if "scale" in chosen:
        old = res.scale

        def keep(rows: list[ScaleRow]) -> None:
            partial = ScaleResults(sorted({r.size for r in rows}), rows, old.baseline if old else [], [])
            save(dataclasses.replace(res, scale=partial), args.results)

        res = dataclasses.replace(
            res, scale=measured("scale", args, res.sections, lambda: run_scale_section(args, keep, old))
        )
    save(res, args.results)
    args.out.mkdir(parents=True, exist_ok=True)
    if res.http:
        plots.plot_latency(res.http, args.out)
        plots.plot_throughput(res.http, args.out)
    if res.scale and res.scale.rows:
        plots.plot_scale(res.scale.rows, res.scale.baseline, args.out)
    report = args.out / "performance.md"
    report.write_text(render(res, command=args.command), "utf-8")
    print(f"wrote {report} and {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
