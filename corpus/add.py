"""Adding a plan file to a corpus folder: every check first, then an atomic copy (I/O at the edge).

The file is read, profiled and parsed in memory (``corpus.loader.plan_from_bytes``); it joins the folder only
when it has tasks, no parse error, and neither its content nor its ``doc_id`` is there already. It is stored
as ``<doc_id><suffix>`` (so that loading the folder gives the same id), with the override file that sat
beside it (``<stem>.toml``) as ``<doc_id>.toml``. Nothing in the folder changes when a check fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from corpus.checks import DEFAULT_MAX_BYTES, check_has_tasks, check_not_duplicate, check_size, refuse
from corpus.loader import (
    OVERRIDE_SUFFIX,
    Plan,
    default_data_dir,
    load_plans,
    plan_files,
    plan_from_bytes,
    read_overrides,
)
from corpus.records import ParseError

_DOC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_doc_id(doc_id: str) -> None:
    """Refuse an id that is not a slug (lower-case ASCII words joined by ``-``)."""
    if not _DOC_ID.match(doc_id) or len(doc_id) > 80:
        raise refuse(
            "bad_doc_id",
            f"编号 {doc_id!r} 不可用：只能由小写字母、数字和连字符组成（如 yunling-2023）。",
            f"The id {doc_id!r} cannot be used: lower-case letters, digits and hyphens only "
            "(e.g. yunling-2023).",
        )


@dataclass(frozen=True, slots=True)
class Added:
    """A plan that joined the folder (or would have, in a dry run)."""

    plan: Plan
    path: Path | None


def _existing(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    ids: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for path in plan_files(folder):
        hashes[hashlib.sha256(path.read_bytes()).hexdigest()] = path.name
    for plan in load_plans(folder, strict=False):
        ids[plan.doc_id] = plan.name
    return ids, hashes


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".adding-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_plan(
    src: Path,
    *,
    folder: Path | None = None,
    doc_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dry_run: bool = False,
) -> Added:
    """Check a plan file and copy it into the corpus folder.

    Raises:
        PlanFileError: unsupported, too large, unreadable, encrypted, scanned, without tasks, duplicate.
        ParseError: the plan has parse errors (listed with their lines).
    """
    folder = folder or default_data_dir()
    if doc_id is not None:
        check_doc_id(doc_id)
    check_size(src.stat().st_size, max_bytes=max_bytes)  # before reading a huge file into memory
    data = src.read_bytes()
    overrides = read_overrides(src)
    plan = plan_from_bytes(src.name, data, doc_id=doc_id, overrides=overrides, max_bytes=max_bytes)
    check_doc_id(plan.doc_id)
    check_has_tasks(plan.document, fmt=plan.fmt)
    if plan.document.errors:
        raise ParseError(plan.doc_id, plan.document.errors)
    ids, hashes = _existing(folder)
    check_not_duplicate(doc_id=plan.doc_id, sha256=plan.sha256, existing_ids=ids, existing_hashes=hashes)
    target = folder / f"{plan.doc_id}.{plan.fmt}"
    taken = [p for p in (target, target.with_suffix(OVERRIDE_SUFFIX)) if p.exists()]
    if taken:
        raise refuse(
            "duplicate_id",
            f"语料目录里已有文件 {taken[0].name}：请用 --doc-id 指定另一个编号。",
            f"The corpus folder already has {taken[0].name}: choose another id with --doc-id.",
        )
    if dry_run:
        return Added(plan, None)
    override_src = src.with_suffix(OVERRIDE_SUFFIX)
    if override_src.is_file():
        _write_atomic(target.with_suffix(OVERRIDE_SUFFIX), override_src.read_bytes())
    try:
        _write_atomic(target, data)
    except BaseException:
        target.with_suffix(OVERRIDE_SUFFIX).unlink(missing_ok=True)
        raise
    return Added(plan, target)


def summary(plan: Plan) -> list[str]:
    """What was parsed and repaired, as lines for a terminal."""
    doc, prof = plan.document, plan.profile
    tasks = doc.tasks
    sections = list(dict.fromkeys((t.section_no, t.section) for t in tasks))
    leads = Counter(u for t in tasks for u in t.lead_units)
    units = {u for t in tasks for u in (*t.lead_units, *t.responsible_units)}
    dated = sorted(t.deadline_ym for t in tasks if t.deadline_ym)
    ongoing = Counter(t.deadline for t in tasks if not t.deadline_ym)
    repairs = [i for i in doc.issues if i.severity == "repair"]
    out = [
        f"{prof.doc_id}: 《{prof.title}》 {prof.doc_number or '(no issuing number)'}",
        f"  short title {prof.short_title}; region {prof.region or '?'} "
        f"(places {' / '.join(prof.places.local) or '-'}; above: {' / '.join(prof.places.parents) or '-'}); "
        f"year {prof.year or '?'}",
        f"  {plan.fmt}, {plan.size:,} bytes; layout {plan.detection}",
        f"  {len(tasks)} tasks (numbers {tasks[0].task_id}–{tasks[-1].task_id}) in {len(sections)} sections"
        if tasks
        else "  no tasks",
    ]
    out += [f"    {no}. {name}: {sum(t.section_no == no for t in tasks)}" for no, name in sections]
    out.append(
        f"  {len(units)} units, {len(leads)} of them lead; most tasks led: "
        + "、".join(f"{u} {n}" for u, n in leads.most_common(5))
    )
    if dated:
        out.append(
            f"  deadlines: {len(dated)} dated ({dated[0][0]}-{dated[0][1]:02d} … "
            f"{dated[-1][0]}-{dated[-1][1]:02d}), "
            f"{sum(ongoing.values())} ongoing ({'、'.join(f'{k} {v}' for k, v in ongoing.most_common())})"
        )
    out.append(f"  repairs {len(repairs)}, errors {len(doc.errors)}")
    out += [f"    {i}" for i in doc.issues]
    return out
