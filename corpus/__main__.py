"""``python -m corpus export|stats|issues|list [--data DIR]``, ``python -m corpus add FILE``."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from corpus.add import add_plan, summary
from corpus.checks import DEFAULT_MAX_BYTES, PlanFileError
from corpus.lexicon import build_lexicon
from corpus.loader import load_documents, load_plans
from corpus.records import ParseError


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, n: int) -> str:
    return s + " " * max(0, n - _width(s))


def _table(title: str, rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [title]
    for k, r in enumerate(rows):
        lines.append("  ".join(_pad(c, widths[i]) for i, c in enumerate(r)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _add(args: argparse.Namespace) -> int:
    if args.file is None:
        print("usage: python -m corpus add FILE [--doc-id ID]", file=sys.stderr)
        return 2
    try:
        added = add_plan(
            args.file,
            folder=args.data,
            doc_id=args.doc_id,
            max_bytes=int(args.max_mb * 1024 * 1024),
            dry_run=args.dry_run,
        )
    except (PlanFileError, ParseError) as exc:
        print(f"未添加 / not added: {args.file.name}\n{exc}", file=sys.stderr)
        return 2
    print("\n".join(summary(added.plan)))
    if added.path is None:
        print("dry run: nothing copied")
    else:
        print(f"copied to {added.path}\nnext: python -m index build")
    return 0


def _list(args: argparse.Namespace) -> int:
    plans = load_plans(args.data, strict=False)
    rows: list[tuple[str, ...]] = [
        ("doc_id", "short title", "issuing number", "region", "year", "format", "layout", "tasks", "sections")
    ]
    for p in plans:
        prof, doc = p.profile, p.document
        rows.append(
            (
                p.doc_id,
                prof.short_title,
                prof.doc_number or "-",
                prof.region or "-",
                str(prof.year or "-"),
                p.fmt,
                p.detection.layout,
                str(len(doc.tasks)),
                str(len({t.section_no for t in doc.tasks})),
            )
        )
    print(_table(f"{len(plans)} plan(s)", rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus", description="Parse action plans into task records.")
    ap.add_argument("command", choices=["export", "stats", "issues", "list", "add"])
    ap.add_argument("file", nargs="?", type=Path, help="add: the plan file (.txt, .docx, .xlsx, .pdf)")
    ap.add_argument("--data", type=Path, default=None, help="folder of plan files (default: shipped)")
    ap.add_argument("--doc-id", default=None, help="add: the plan's id (default: from the file name)")
    ap.add_argument(
        "--max-mb", type=float, default=DEFAULT_MAX_BYTES / (1024 * 1024), help="add: size limit in MB"
    )
    ap.add_argument("--dry-run", action="store_true", help="add: check and print, copy nothing")
    args = ap.parse_args(argv)
    if args.command == "add":
        return _add(args)
    if args.file is not None:
        ap.error(f"{args.command} takes no file")
    if args.command == "list":
        return _list(args)
    try:
        docs = load_documents(args.data, strict=args.command != "issues")
    except (ParseError, PlanFileError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    out = sys.stdout
    if args.command == "export":
        for d in docs:
            for t in d.tasks:
                out.write(json.dumps(t.to_json(), ensure_ascii=False) + "\n")
        return 0
    if args.command == "issues":
        for d in docs:
            for i in d.issues:
                print(f"{d.doc_id}: {i}")
        return 1 if any(d.errors for d in docs) else 0
    tasks = [t for d in docs for t in d.tasks]
    lex = build_lexicon(tasks)
    for d in docs:
        print(f"{d.doc_id}: {d.title} ({d.doc_number or '-'}), {len(d.tasks)} tasks")
        repairs = len(d.issues) - len(d.errors)
        print(f"  parser repairs: {repairs}, errors: {len(d.errors)} (details: python -m corpus issues)")
    print()
    by_section = Counter((t.doc_id, t.section_no, t.section) for t in tasks)
    rows: list[tuple[str, ...]] = [("no.", "section", "tasks")]
    rows += [(str(no), sec, str(n)) for (_, no, sec), n in sorted(by_section.items())]
    rows.append(("", "total", str(len(tasks))))
    print(_table("Tasks per section", rows))
    print()
    by_lead = Counter(lex.canon(u) for t in tasks for u in t.lead_units)
    rows = [("lead unit", "tasks led")]
    rows += [(u, str(n)) for u, n in by_lead.most_common()]
    print(_table("Tasks per lead unit", rows))
    return 0


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `python -m corpus export | head` ends quietly
    raise SystemExit(main())
