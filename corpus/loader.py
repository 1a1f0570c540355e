"""Load every plan in a folder (I/O apart from the pure parser)."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

from corpus.parser import parse_document
from corpus.records import Document, ParseError, TaskRecord

SUFFIXES = (".txt",)


def default_data_dir() -> Path:
    """The corpus shipped with the package (``corpus/data/plans``)."""
    return Path(str(resources.files("corpus").joinpath("data/plans")))


def slugify(name: str) -> str:
    """A stable document id from a file name: lower-case ASCII words joined by ``-``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if slug:
        return slug
    return "doc-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def load_documents(folder: Path | None = None, *, strict: bool = True) -> list[Document]:
    """Parse every ``*.txt`` plan in ``folder`` (sorted by name).

    Raises:
        ParseError: in strict mode, for the first document with errors.
        ValueError: when two files would share a ``doc_id``.
    """
    folder = folder or default_data_dir()
    docs: list[Document] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        doc_id = slugify(path.stem)
        if doc_id in seen:
            raise ValueError(f"{path.name} and {seen[doc_id].name} both map to doc_id {doc_id!r}")
        seen[doc_id] = path
        doc = parse_document(path.read_text(encoding="utf-8"), doc_id=doc_id)
        if strict and doc.errors:
            raise ParseError(doc_id, doc.errors)
        docs.append(doc)
    return docs


def load_tasks(folder: Path | None = None, *, strict: bool = True) -> list[TaskRecord]:
    """All task records of all documents, in document then task order."""
    return [t for d in load_documents(folder, strict=strict) for t in d.tasks]


def corpus_hash(folder: Path | None = None) -> str:
    """SHA-256 over the plans' names and bytes: changes when any plan changes."""
    folder = folder or default_data_dir()
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.suffix in SUFFIXES and path.is_file():
            h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
