"""Which store serves: ``TASKQA_STORE`` (or ``--store``) parsed, and the store opened or pushed.

Forms:

- ``memory`` (default): ``retriever.Retriever`` over the current index version, all in this process;
- ``milvus-lite:PATH.db``: milvus-lite embedded in this process, its data under ``PATH.db`` (one process
  only: milvus-lite takes a lock on the folder);
- ``milvus://HOST:PORT``: a Milvus server (standalone or cluster).

A Milvus form takes options after ``?``: ``collection=NAME`` (the alias pushed to, default ``taskqa``) and
``bm25=milvus`` (rank BM25 by Milvus's own full text, which the push then adds; default ``local``: the
in-process BM25's weights, identical rankings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import parse_qsl

from index.embedders import Embedder, make_embedder
from index.store import default_index_root, load_current
from retriever.common import PlanStore
from retriever.milvus import BM25Source
from retriever.milvus_load import DEFAULT_COLLECTION, PushResult

StoreKind = Literal["memory", "milvus-lite", "milvus"]
FORMS = "memory, milvus-lite:PATH.db or milvus://HOST:PORT (options: ?bm25=milvus&collection=NAME)"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$")


class StoreSpecError(ValueError):
    """A ``TASKQA_STORE`` value that names no store; the message says which forms there are (zh + en)."""

    def __init__(self, spec: str, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(
            f"存储设置 TASKQA_STORE={spec!r} 无效（{zh}），应为 memory、milvus-lite:路径.db 或 "
            f"milvus://主机:端口 / invalid TASKQA_STORE {spec!r} ({en}): expected {FORMS}"
        )


@dataclass(frozen=True, slots=True)
class StoreSpec:
    kind: StoreKind
    path: Path | None = None  # milvus-lite
    address: str | None = None  # milvus: HOST:PORT
    collection: str = DEFAULT_COLLECTION
    bm25: BM25Source = "local"

    @property
    def uri(self) -> str:
        """What ``pymilvus.MilvusClient`` connects to."""
        if self.kind == "milvus-lite":
            return str(self.path)
        if self.kind == "milvus":
            return f"http://{self.address}"
        raise ValueError("the in-memory store has no Milvus URI")


def parse_store(spec: str) -> StoreSpec:
    """A ``TASKQA_STORE`` value as a :class:`StoreSpec`.

    Raises:
        StoreSpecError: not one of the forms in the module docstring, or an unknown option.
    """
    text = spec.strip()
    if text in ("", "memory"):
        return StoreSpec("memory")
    base, _, query = text.partition("?")
    options: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True) if query else []
    except ValueError:
        raise StoreSpecError(
            spec, "选项写作 key=value，以 & 连接", "options are key=value joined by &"
        ) from None
    for key, value in pairs:
        if key not in ("bm25", "collection") or key in options:
            raise StoreSpecError(spec, f"未知或重复的选项 {key!r}", f"unknown or repeated option {key!r}")
        options[key] = value
    bm25 = options.get("bm25", "local")
    if bm25 not in ("local", "milvus"):
        raise StoreSpecError(spec, "bm25 只能是 local 或 milvus", f"bm25 is local or milvus, not {bm25!r}")
    collection = options.get("collection", DEFAULT_COLLECTION)
    if not _NAME.match(collection):
        raise StoreSpecError(
            spec, "集合名只能含字母、数字和下划线", "a collection name is letters, digits and underscores"
        )
    if base.startswith("milvus-lite:"):
        path = base.removeprefix("milvus-lite:")
        if not path.endswith(".db") or path == ".db":
            raise StoreSpecError(
                spec, "milvus-lite 需要以 .db 结尾的路径", "milvus-lite needs a path ending in .db"
            )
        return StoreSpec("milvus-lite", path=Path(path), collection=collection, bm25=cast(BM25Source, bm25))
    if base.startswith("milvus://"):
        address = base.removeprefix("milvus://").rstrip("/")
        m = _HOST_PORT.match(address)
        if not m or not 0 < int(m.group(2)) < 65536:
            raise StoreSpecError(spec, "milvus:// 需要 主机:端口", "milvus:// needs HOST:PORT")
        return StoreSpec("milvus", address=address, collection=collection, bm25=cast(BM25Source, bm25))
    if query:
        raise StoreSpecError(spec, "只有 Milvus 存储有选项", "options belong to a Milvus store")
    raise StoreSpecError(spec, "未知的存储", "unknown store")


def milvus_client(spec: StoreSpec) -> Any:
    """A ``pymilvus.MilvusClient`` for a Milvus spec (milvus-lite starts in this process)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # pragma: no cover - the extra is in the dev and test locks
        raise RuntimeError("the Milvus store needs the [milvus] extra: pip install 'taskqa[milvus]'") from exc
    if spec.path is not None:
        spec.path.parent.mkdir(parents=True, exist_ok=True)
    return MilvusClient(uri=spec.uri)


def open_store(
    spec: StoreSpec | str,
    *,
    index_root: Path | None = None,
    embedder: Embedder | None = None,
) -> PlanStore:
    """The store a spec names: the current index under ``index_root`` in memory, or a pushed collection.

    Raises:
        StoreSpecError: a bad spec.
        IndexLoadError: no usable index or collection; the message says what to run.
    """
    from retriever.retriever import load_retriever

    spec = parse_store(spec) if isinstance(spec, str) else spec
    embedder = embedder or make_embedder()
    if spec.kind == "memory":
        return load_retriever(root=index_root or default_index_root(), embedder=embedder)
    import faiss

    from retriever.milvus import MilvusStore

    faiss.omp_set_num_threads(1)  # milvus-lite searches with faiss in this process; see load_retriever
    return MilvusStore(milvus_client(spec), spec.collection, embedder, bm25=spec.bm25)


def served_version(spec: StoreSpec | str, *, index_root: Path | None = None) -> str | None:
    """What a store serves now, cheaply: the version ``CURRENT`` names under ``index_root`` (memory), or the
    collection the alias names (Milvus); None when there is none. A server compares it with what it loaded
    to follow a new version another process published (``api.engine.EngineHolder``)."""
    spec = parse_store(spec) if isinstance(spec, str) else spec
    if spec.kind == "memory":
        pointer = (index_root or default_index_root()) / "CURRENT"
        try:
            return pointer.read_text().strip() or None
        except FileNotFoundError:
            return None
    from retriever.milvus_load import served_collection

    client = _probe_clients.get(spec.uri)
    if client is None:
        client = _probe_clients.setdefault(spec.uri, milvus_client(spec))
    return served_collection(client, spec.collection)


_probe_clients: dict[str, Any] = {}  # one client per Milvus a process follows (served_version)


def restore_served(spec: StoreSpec | str, collection: str | None) -> None:
    """Point a Milvus store's alias at ``collection`` again (a rollback: see ``served_version``); nothing for
    the in-memory store, whose ``CURRENT`` pointer the caller puts back."""
    from retriever.milvus_load import restore_alias

    spec = parse_store(spec) if isinstance(spec, str) else spec
    if spec.kind != "memory":
        restore_alias(milvus_client(spec), spec.collection, collection)


def push_store(
    spec: StoreSpec | str,
    *,
    index_root: Path | None = None,
    embedder_name: str | None = None,
    force: bool = False,
    show_progress: bool = False,
) -> PushResult:
    """Push the current index version under ``index_root`` into the Milvus store a spec names
    (``retriever.milvus_load.push_index``; with ``?bm25=milvus`` the full-text field too).

    Raises:
        StoreSpecError: a bad spec, or ``memory`` (nothing to push to).
        IndexLoadError: no usable index.
    """
    from retriever.milvus_load import push_index

    spec = parse_store(spec) if isinstance(spec, str) else spec
    if spec.kind == "memory":
        raise StoreSpecError(
            "memory",
            "内存存储直接加载索引，无需推送",
            "the in-memory store loads the index itself: push to a Milvus store",
        )
    built = load_current(index_root or default_index_root(), embedder_name=embedder_name)
    return push_index(
        built,
        milvus_client(spec),
        alias=spec.collection,
        fulltext=spec.bm25 == "milvus",
        force=force,
        show_progress=show_progress,
    )
