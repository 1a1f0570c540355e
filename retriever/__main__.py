"""``python -m retriever search "用电报装要多久" --top-k 10 [--json] [--mode …] [--store SPEC]``;
``python -m retriever push --store milvus-lite:var/milvus.db [--force]`` (``retriever.backends``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from index.embedders import make_embedder
from index.store import IndexLoadError
from retriever.backends import StoreSpecError, open_store, parse_store, push_store
from retriever.common import PlanStore
from retriever.retriever import load_retriever
from retriever.types import Filters


def _ym(s: str) -> tuple[int, int]:
    y, m = s.replace("年", "-").replace("月", "").split("-")[:2]
    return int(y), int(m)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m retriever")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("search")
    s.add_argument("query")
    s.add_argument("--top-k", type=int, default=10)
    s.add_argument("--json", action="store_true")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    s.add_argument("--index", type=Path, default=None, help="index version folder (default: current)")
    s.add_argument("--section")
    s.add_argument("--lead-unit")
    s.add_argument("--responsible-unit")
    s.add_argument("--deadline-before", type=_ym, help="YYYY-MM")
    s.add_argument("--benchmark-city")
    store_help = "memory | milvus-lite:PATH.db | milvus://HOST:PORT [?bm25=milvus&collection=NAME]"
    s.add_argument("--store", default=None, help=f"{store_help} (default: TASKQA_STORE, else memory)")
    p = sub.add_parser("push", help="push the current index version into a Milvus store")
    p.add_argument("--store", default=None, help=f"{store_help} (default: TASKQA_STORE)")
    p.add_argument("--index-root", type=Path, default=None, help="index root (default: var/index)")
    p.add_argument("--force", action="store_true", help="push even when the store serves this version")
    args = ap.parse_args(argv)
    spec_text = args.store if args.store is not None else os.environ.get("TASKQA_STORE", "memory")
    try:
        spec = parse_store(spec_text)
        embedder = make_embedder()
    except (ValueError, FileNotFoundError) as exc:  # a bad store spec or a mistyped TASKQA_EMBEDDER
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, StoreSpecError) else 1
    if args.command == "push":
        try:
            result = push_store(
                spec,
                index_root=args.index_root,
                embedder_name=embedder.name,
                force=args.force,
                show_progress=True,
            )
        except (StoreSpecError, IndexLoadError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2 if isinstance(exc, StoreSpecError) else 1
        print(f"{spec_text}: {result.collection} {result.status}")
        return 0
    r: PlanStore
    try:
        if args.index is not None:
            r = load_retriever(args.index, embedder=embedder)
        else:
            r = open_store(spec, embedder=embedder)
    except IndexLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    filters = Filters(
        section=args.section,
        lead_unit=args.lead_unit,
        responsible_unit=args.responsible_unit,
        deadline_before=args.deadline_before,
        benchmark_city=args.benchmark_city,
    )
    hits = r.search(args.query, top_k=args.top_k, filters=filters, mode=args.mode)
    if args.json:
        for h in hits:
            row = {
                "rank": h.rank,
                "score": round(h.score, 6),
                "signals": {k: {"rank": v.rank, "score": v.score} for k, v in h.signals.items()},
                **h.record.to_json(),
            }
            print(json.dumps(row, ensure_ascii=False))
        return 0
    for h in hits:
        rec = h.record
        sig = "  ".join(
            f"{k}#{v.rank or '-'}:{v.score:.3f}" if v.score is not None else f"{k}#-"
            for k, v in h.signals.items()
        )
        lead = "、".join(rec.lead_units)
        print(f"{h.rank:>2}. 第{rec.task_id}条 [{rec.section}] 牵头：{lead}  时限：{rec.deadline}")
        print(f"    {rec.text[:70]}{'…' if len(rec.text) > 70 else ''}")
        print(f"    score {h.score:.4f}  {sig}")
    if not hits:
        print("no matching task")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
