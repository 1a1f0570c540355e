"""Every question's answer as JSON, to check that a change leaves answers byte-identical.

    .venv/bin/python scripts/answer_snapshot.py --out /tmp/before.json     # before the change
    .venv/bin/python scripts/answer_snapshot.py --out /tmp/after.json      # after it
    .venv/bin/python scripts/answer_snapshot.py --diff /tmp/before.json /tmp/after.json

Each question of ``eval.questions.load_questions()`` (dev and test; ``--split`` for another) is answered by
``QA(load_retriever())`` over the current index, follow-ups turn by turn in one ``Session``; the snapshot
holds, per id, the last turn's text, intent, answerability and citation keys (doc_id, task). ``--diff``
prints how many answers differ and the first few.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def snapshot(split: str) -> dict[str, dict[str, Any]]:
    from eval.questions import load_questions
    from qa import QA, Session
    from retriever import load_retriever

    qa = QA(load_retriever())
    out: dict[str, dict[str, Any]] = {}
    for q in load_questions(split=split):
        session = Session(id=q.id)
        for turn in q.turns or (q.question,):
            a = qa.answer(turn, session=session)
        out[q.id] = {
            "text": a.text,
            "intent": a.intent,
            "answerable": a.answerable,
            "citations": [list(c.key) for c in a.citations],
        }
    return out


def diff(before: dict[str, Any], after: dict[str, Any], show: int = 5) -> int:
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for k in changed[:show]:
        print(f"[{k}]\n  before: {before.get(k)}\n  after:  {after.get(k)}")
    print(f"{len(changed)} of {len(before.keys() | after.keys())} answers differ")
    return len(changed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--split", default="all")
    ap.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args(argv)
    if args.diff:
        a, b = (json.loads(p.read_text("utf-8")) for p in args.diff)
        return 1 if diff(a, b) else 0
    if args.out is None:
        ap.error("give --out FILE or --diff BEFORE AFTER")
    data = snapshot(args.split)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True), "utf-8")
    print(f"{len(data)} answers → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
