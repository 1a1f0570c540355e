"""Write the evaluation report: Markdown, JSON and a PNG chart of per-type scores by system."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

HEADLINE = (
    ("single_top1", "single (4 types)", "answer", "top1", "Single-task questions: right task first (QA)"),
    (
        "lead_unit_exact",
        "who_leads_task",
        "answer",
        "unit_exact",
        "Who leads a task: lead unit(s) exactly right",
    ),
    ("responsible_recall", "responsible", "answer", "unit_r", "Responsible units: recall"),
    ("deadline_acc", "deadline", "answer", "deadline_acc", "Deadline questions: deadline right"),
    (
        "aggregate_precision",
        "aggregate (3 types)",
        "answer",
        "task_p",
        "Aggregate questions: cited-set precision",
    ),
    ("aggregate_recall", "aggregate (3 types)", "answer", "task_r", "Aggregate questions: cited-set recall"),
    ("followup_f1", "followup", "answer", "task_f1", "Follow-ups: cited-set F1"),
    ("subtopic_f1", "who_leads_subtopic", "answer", "task_f1", "Who leads a sub-topic: cited-set F1"),
    ("combination_exact", "combination", "answer", "exact", "Negation / combination filters: set exact"),
    ("numbering_acc", "numbering", "answer", "exact", "Numbering and positions: exactly right"),
    ("oos_refusal", "out_of_scope", "answer", "refused", "Out-of-scope questions refused"),
    ("false_refusal", "all", "answer", "false_refusal", "Answerable questions refused (lower is better)"),
    ("crash_rate", "all", "answer", "crash", "Questions that crashed (must be 0)"),
    (
        "hybrid_r5",
        "single (4 types)",
        "retrieval.hybrid",
        "R@5",
        "Retrieval Recall@5, hybrid (single-task types)",
    ),
)


def headline(summary: dict[str, Any]) -> dict[str, float]:
    out = {}
    for key, group, part, metric, _ in HEADLINE:
        node: Any = summary["types"].get(group, {})
        for p in part.split("."):
            node = node.get(p, {}) if isinstance(node, dict) else {}
        val = node.get(metric) if isinstance(node, dict) else None
        out[key] = float(val) if val is not None else float("nan")
    return out


def headline_n(summary: dict[str, Any]) -> dict[str, int]:
    """How many questions each headline figure is a mean over."""
    out = {}
    for key, group, part, metric, _ in HEADLINE:
        entry: Any = summary["types"].get(group, {})
        if part == "answer":
            out[key] = int(entry.get("answer_n", {}).get(metric, 0))
        else:
            out[key] = int(entry.get("n", 0))
    return out


def _f(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def markdown(summary: dict[str, Any], *, title: str, command: str) -> str:
    lines = [f"# {title}", "", f"Command: `{command}`  ", f"Questions: {summary['n']}", ""]
    lines += ["## Headline", "", "| metric | value |", "|---|---|"]
    h = headline(summary)
    for key, _, _, _, label in HEADLINE:
        lines.append(f"| {label} | {_f(h[key])} |")
    modes = [
        m for m in ("bm25", "dense", "hybrid") if any(m in t["retrieval"] for t in summary["types"].values())
    ]
    lines += ["", "## Retrieval by type (ablation: same questions, each signal alone and fused)", ""]
    head = (
        "| type | n | " + " | ".join(f"{m} R@1 | {m} R@5 | {m} MRR@10" for m in modes) + " | hybrid nDCG@10 |"
    )
    lines += [head, "|" + "---|" * (2 + 3 * len(modes) + 1)]
    for name, t in summary["types"].items():
        if not t["retrieval"]:
            continue
        cells = []
        for m in modes:
            r = t["retrieval"].get(m, {})
            cells += [_f(r.get("R@1")), _f(r.get("R@5")), _f(r.get("RR@10"))]
        nd = t["retrieval"].get("hybrid", {}).get("nDCG@10")
        lines.append(f"| {name} | {t['n']} | " + " | ".join(cells) + f" | {_f(nd)} |")
    lines += ["", "## Question answering by type", ""]
    cols = [
        "top1",
        "task_p",
        "task_r",
        "task_f1",
        "unit_p",
        "unit_r",
        "unit_exact",
        "deadline_acc",
        "exact",
        "refused",
        "false_refusal",
        "crash",
    ]
    lines += ["| type | n | " + " | ".join(cols) + " |", "|" + "---|" * (2 + len(cols))]
    for name, t in summary["types"].items():
        a = t["answer"]
        lines.append(f"| {name} | {t['n']} | " + " | ".join(_f(a.get(c)) for c in cols) + " |")
    lines += [
        "",
        "## Latency (ms, this run, in the harness's process)",
        "",
        "| stage | p50 | p95 | n |",
        "|---|---|---|---|",
    ]
    for stage, v in summary["latency_ms"].items():
        lines.append(f"| {stage} | {v['p50']:.2f} | {v['p95']:.2f} | {int(v['n'])} |")
    lines += [
        "",
        "Metrics: R@k, RR@10 (MRR@10) and nDCG@10 from ir-measures over single-task and aggregate questions "
        "(a query with no result scores 0); `top1`: the first cited task is a gold task; "
        "`task_p/r/f1`: cited set vs gold set; `unit_*`: units of the cited record(s) that the answer "
        "names vs gold units; `refused`: share of out-of-scope questions refused; "
        "`false_refusal`: share of answerable ones refused; `exact`: cited set equals the gold set (for a "
        "task that does not exist: refused, nothing cited); `crash`: share that raised an error.",
        "",
        "![per-type scores by system](latest.png)",
        "",
    ]
    return "\n".join(lines)


def chart(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = [t for t in summary["types"] if t not in ("all",)]

    def r5(mode: str) -> Callable[[dict[str, Any]], float | None]:
        return lambda t: t["retrieval"].get(mode, {}).get("R@5")

    systems: list[tuple[str, Callable[[dict[str, Any]], float | None]]] = [
        ("BM25 R@5", r5("bm25")),
        ("dense R@5", r5("dense")),
        ("hybrid R@5", r5("hybrid")),
        ("QA (top-1 / cited F1 / refusal)", _qa_score),
    ]
    fig, ax = plt.subplots(figsize=(13, 5))
    width = 0.8 / len(systems)
    for i, (label, fn) in enumerate(systems):
        vals = [fn(summary["types"][t]) for t in types]
        xs = [j + i * width for j in range(len(types))]
        ax.bar(xs, [v if v is not None else 0 for v in vals], width, label=label)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(types))])
    ax.set_xticklabels(types, rotation=25, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("taskqa evaluation: per-type scores by system")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _qa_score(t: dict[str, Any]) -> float | None:
    a = t["answer"]
    for k in ("top1", "exact", "task_f1", "refused"):
        if k in a and a[k] == a[k]:
            return float(a[k])
    return None


def write(summary: dict[str, Any], out_dir: Path, *, title: str, command: str, stem: str = "latest") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {"command": command, "headline": headline(summary), **summary}
    (out_dir / f"{stem}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    md = markdown(summary, title=title, command=command).replace("latest.png", f"{stem}.png")
    (out_dir / f"{stem}.md").write_text(md, encoding="utf-8")
    chart(summary, out_dir / f"{stem}.png")
    return out_dir / f"{stem}.md"
