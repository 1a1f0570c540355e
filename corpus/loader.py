"""Load every plan in a folder, of any supported format (the I/O around the pure readers and parsers).

A plan is a ``.txt`` / ``.docx`` / ``.xlsx`` / ``.pdf`` file in ``data/plans/`` (or any folder); its
``doc_id`` is the slug of its file name unless the override file beside it (``<stem>.toml``, see
``corpus.profile``) says otherwise. :func:`plan_from_bytes` is the whole pipeline for one file's bytes:
read → profile → detect the layout → parse → profile again with the records (the year, when the text did not
give it).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from corpus.checks import SUFFIXES, PlanFileError, refuse
from corpus.layout import Detection, parse_source, source_texts
from corpus.profile import PlanProfile, check_overrides, derive_profile
from corpus.readers import read_plan
from corpus.records import Document, ParseError, TaskRecord

OVERRIDE_SUFFIX = ".toml"


@dataclass(frozen=True, slots=True)
class Plan:
    """One plan file: what it is, what it says about itself, and its parsed tasks."""

    name: str
    fmt: str
    sha256: str
    size: int
    detection: Detection
    profile: PlanProfile
    document: Document

    @property
    def doc_id(self) -> str:
        return self.profile.doc_id


def default_data_dir() -> Path:
    """The corpus shipped with the package (``corpus/data/plans``)."""
    return Path(str(resources.files("corpus").joinpath("data/plans")))


def slugify(name: str) -> str:
    """A stable document id from a file name: lower-case ASCII words joined by ``-``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if slug:
        return slug
    return "doc-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def plan_files(folder: Path) -> list[Path]:
    """The plan files in a folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())


def read_overrides(path: Path) -> dict[str, object]:
    """The override table of a plan (``<stem>.toml`` beside it); empty when there is none.

    Raises:
        PlanFileError: the file is not valid TOML or has unknown keys.
    """
    override = path.with_suffix(OVERRIDE_SUFFIX)
    if not override.is_file():
        return {}
    try:
        table = tomllib.loads(override.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise refuse(
            "bad_override",
            f"方案设置文件 {override.name} 不是有效的 TOML：{exc}",
            f"The plan settings file {override.name} is not valid TOML: {exc}",
        ) from exc
    check_overrides(table, name=override.name)
    return table


def plan_from_bytes(
    name: str,
    data: bytes,
    *,
    doc_id: str | None = None,
    overrides: Mapping[str, object] | None = None,
    max_bytes: int | None = None,
) -> Plan:
    """Read, profile and parse one plan file's bytes (no file system access).

    Args:
        name: the file name (its suffix picks the reader; its stem gives the default ``doc_id``).
        data: the file's bytes.
        doc_id: the id to use (else the override's, else the slug of the file name).
        overrides: the plan's override table.
        max_bytes: the size limit (default ``corpus.checks.DEFAULT_MAX_BYTES``).

    Raises:
        PlanFileError: a file that cannot be read (see ``corpus.readers.read_plan``).
    """
    source = read_plan(name, data, max_bytes=max_bytes)
    ov = dict(overrides or {})
    if doc_id:
        ov["doc_id"] = doc_id
    default_id = slugify(Path(name).stem)
    texts = source_texts(source)
    profile = derive_profile(doc_id=default_id, texts=texts, overrides=ov)
    doc, found = parse_source(source, doc_id=profile.doc_id, year=profile.year)
    if profile.year is None and doc.tasks:
        profile = derive_profile(doc_id=default_id, texts=texts, records=doc.tasks, overrides=ov)
        if profile.year is not None:
            doc, found = parse_source(source, doc_id=profile.doc_id, year=profile.year)
    doc = replace(doc, title=profile.title, doc_number=profile.doc_number)
    return Plan(
        name=Path(name).name,
        fmt=source.fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        detection=found,
        profile=profile,
        document=doc,
    )


def load_plan(path: Path, *, doc_id: str | None = None, max_bytes: int | None = None) -> Plan:
    """Read one plan file and its override file."""
    return plan_from_bytes(
        path.name, path.read_bytes(), doc_id=doc_id, overrides=read_overrides(path), max_bytes=max_bytes
    )


def load_plans(folder: Path | None = None, *, strict: bool = True) -> list[Plan]:
    """Every plan in ``folder`` (sorted by file name).

    Raises:
        ParseError: in strict mode, for the first plan with errors.
        PlanFileError: a file that cannot be read.
        ValueError: when two files would share a ``doc_id``.
    """
    folder = folder or default_data_dir()
    plans: list[Plan] = []
    seen: dict[str, str] = {}
    for path in plan_files(folder):
        try:
            plan = load_plan(path)
        except PlanFileError as exc:
            raise PlanFileError(
                replace(exc.refusal, zh=f"{path.name}：{exc.refusal.zh}", en=f"{path.name}: {exc.refusal.en}")
            ) from exc
        if plan.doc_id in seen:
            raise ValueError(f"{path.name} and {seen[plan.doc_id]} both map to doc_id {plan.doc_id!r}")
        seen[plan.doc_id] = path.name
        if strict and plan.document.errors:
            raise ParseError(plan.doc_id, plan.document.errors)
        plans.append(plan)
    return plans


def load_documents(folder: Path | None = None, *, strict: bool = True) -> list[Document]:
    """The parsed documents of every plan in ``folder`` (see :func:`load_plans`)."""
    return [p.document for p in load_plans(folder, strict=strict)]


def load_tasks(folder: Path | None = None, *, strict: bool = True) -> list[TaskRecord]:
    """All task records of all documents, in document then task order."""
    return [t for d in load_documents(folder, strict=strict) for t in d.tasks]


def corpus_hash(folder: Path | None = None) -> str:
    """SHA-256 over the plans' and override files' names and bytes: changes when any of them changes."""
    folder = folder or default_data_dir()
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if (path.suffix.lower() in SUFFIXES or path.suffix == OVERRIDE_SUFFIX) and path.is_file():
            h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _profile_only(path: Path) -> PlanProfile:
    """A plan's profile from its text alone (parsed only when the text gives no year)."""
    source = read_plan(path.name, path.read_bytes())
    profile = derive_profile(
        doc_id=slugify(path.stem), texts=source_texts(source), overrides=read_overrides(path)
    )
    return profile if profile.year is not None else load_plan(path).profile


@lru_cache(maxsize=4)
def _profiles(folder: str) -> tuple[PlanProfile, ...]:
    return tuple(_profile_only(p) for p in plan_files(Path(folder)))


def shipped_profiles(folder: Path | None = None) -> tuple[PlanProfile, ...]:
    """The profiles of the plans in ``folder`` (default: the shipped corpus), read once and cached.

    For callers that hold only records (the lexicon's default places); they read the folder on first call.
    """
    return _profiles(str(folder or default_data_dir()))
