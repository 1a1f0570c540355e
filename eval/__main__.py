"""``python -m eval [--questions FILE] [--split dev|test|all] [--url URL | --store SPEC] [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.harness import Backend, InProcess, Remote, run, summarize
from eval.questions import SEALED, load_questions
from eval.report import headline, write


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m eval", description="Evaluate taskqa on a labeled question set."
    )
    ap.add_argument(
        "--questions",
        type=Path,
        action="append",
        default=None,
        help="question file(s) (default: every batch in eval/data/questions)",
    )
    ap.add_argument("--split", choices=["dev", "test", "fresh", "all"], default="test")
    ap.add_argument("--url", default=None, help="evaluate a running server through its public API")
    ap.add_argument(
        "--store",
        default="memory",
        help="the store answered from in process: memory | milvus-lite:PATH.db | milvus://HOST:PORT "
        "[?bm25=milvus&collection=NAME] (retriever.backends; push the index first unless it is memory)",
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "reports")
    ap.add_argument("--stem", default="latest", help="report file name stem")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument(
        "--show-failures", action="store_true", help="print every dev question that scored below 1"
    )
    ap.add_argument(
        "--set-floors",
        action="store_true",
        help="write eval/floors.json from this run (test split only; floors at the Wilson lower bound)",
    )
    args = ap.parse_args(argv)
    if args.set_floors and (args.split != "test" or args.questions or args.url or args.store != "memory"):
        print(
            "--set-floors needs the default questions, --split test, no --url and the memory store",
            file=sys.stderr,
        )
        return 2
    if args.url and args.store != "memory":
        print("--url evaluates a server, which has its own store: give --url or --store", file=sys.stderr)
        return 2
    questions = load_questions(args.questions, args.split)
    if not questions:
        print("no questions in that split", file=sys.stderr)
        return 1
    sealed = sorted({q.split for q in questions} & set(SEALED))
    if args.show_failures and sealed:
        print(
            f"--show-failures is for the dev split only: the {'/'.join(sealed)} split is sealed "
            "(tune on dev; measure on test and the fresh batch without reading their failures)",
            file=sys.stderr,
        )
        return 2
    backend: Backend
    if args.url:
        backend = Remote(args.url)
    else:
        from index.store import IndexLoadError
        from qa import QA
        from retriever.backends import StoreSpecError, open_store

        try:
            backend = InProcess(QA(open_store(args.store)))
        except (IndexLoadError, StoreSpecError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1 if isinstance(exc, IndexLoadError) else 2
    results = run(questions, backend, progress=not args.no_progress)
    summary = summarize(results)
    if args.show_failures:
        for r in results:
            bad = {
                k: round(v, 2)
                for k, v in r.scores.items()
                if (v < 1 and k != "false_refusal") or (k == "false_refusal" and v > 0)
            }
            if bad and r.asked is not None:
                cited = [c.task_id for c in r.asked.citations][:8]
                print(
                    f"[{r.q.id}] {r.q.final_turn} | gold {list(r.q.gold_tasks)[:8]} {list(r.q.gold_units)} | "
                    f"{r.asked.intent} cited {cited} | {bad} | {r.asked.text[:90]!r}"
                )
    cmd = "python -m eval " + " ".join(argv if argv is not None else sys.argv[1:])
    path = write(
        summary,
        args.out,
        title=f"taskqa evaluation ({args.split} split)",
        command=cmd.strip(),
        stem=args.stem,
    )
    for k, v in headline(summary).items():
        print(f"{k:>22}: {v:.3f}")
    print(f"report: {path}")
    if args.set_floors:
        from eval import floors

        floors.save(floors.floors_from(summary, command="python -m eval --split test --set-floors"))
        print(f"floors written: {floors.PATH}")
    crashed = [r for r in results if r.crash is not None]
    if crashed:
        print(f"error: {len(crashed)} question(s) crashed the system", file=sys.stderr)
        for r in crashed if not sealed else []:
            print(f"  [{r.q.id}] {r.crash}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
