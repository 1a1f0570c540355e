"""``python -m corpus export|stats|issues [--data DIR]``."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from corpus.lexicon import build_lexicon
from corpus.loader import load_documents
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus", description="Parse action plans into task records.")
    ap.add_argument("command", choices=["export", "stats", "issues"])
    ap.add_argument("--data", type=Path, default=None, help="folder of plan .txt files (default: shipped)")
    args = ap.parse_args(argv)
    try:
        docs = load_documents(args.data, strict=args.command != "issues")
    except ParseError as exc:
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
