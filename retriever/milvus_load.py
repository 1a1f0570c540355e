"""Push a built index (``index.store.BuiltIndex``) into Milvus: ``python -m retriever push --store SPEC``.

One index version becomes two collections named after it, ``<name>_<version>`` (the tasks) and
``<name>_<version>_terms`` (the BM25 vocabulary), and the alias ``<name>`` is moved to the new tasks
collection once it is complete — the collection counterpart of the index folder's ``CURRENT`` pointer. A push
of the version the alias already serves is skipped; otherwise the collections are written, the alias moved,
and every older version of ``<name>`` dropped except the one the alias served until now (a server that
opened it keeps answering until it reloads, and a failed reload can move the alias back to it:
:func:`restore_alias`). A push that fails puts the alias back and drops what it wrote.

The tasks collection, one row per task in document order (``row`` is the primary key and the task's index):
``doc_id``, ``task_id``, ``section_no``, ``section``, ``text``, ``lead_units`` / ``responsible_units``
(arrays of canonical unit names, for filters), ``deadline``, ``deadline_ym`` (``yyyymm``, 0 for 持续推进),
``deadline_kind`` and ``deadline_every`` (``corpus.deadlines.deadline_kind``; "" for no period),
``benchmark`` and ``benchmark_city`` ("" for none), ``ongoing``, the full ``record`` as JSON (the store
rebuilds ``TaskRecord`` from it), ``dense`` (the normalized passage embedding, HNSW with the in-process
index's M / efConstruction, metric IP) and ``bm25`` (sparse: each of the task's terms → its BM25 impact
weight from the in-process postings, ``index.bm25``; a query vector of term counts then scores by inner
product exactly as ``BM25Index.scores`` does). With ``fulltext``, also ``fulltext`` (section, text and lead
units, normalized — what the in-process BM25 indexes) analyzed by Milvus's jieba tokenizer with the
project's domain dictionary, and ``fulltext_sparse``, filled by Milvus's own BM25 function. The collection
properties hold the index manifest (``IndexInfo``), the plans' profiles (the index's ``plans.json``) and the
layout version. Units are canonical as each task's own plan reads them (``canon(name, doc_id=…)``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from corpus.deadlines import UNDATED_KINDS
from corpus.lexicon import UnitLexicon, plan_lexicon
from corpus.records import TaskRecord
from index.bm25 import K1, B, BM25Index
from index.store import HNSW_EF_CONSTRUCTION, HNSW_M, BuiltIndex
from index.tokenize import STOP_WORDS, normalize
from retriever.milvus_expr import UNDATED, yyyymm

# The collections' layout; a store refuses another (2: the plans' profiles in PROP_PLANS; 3: the deadline's
# kind and period as fields).
LAYOUT = 3
log = logging.getLogger("taskqa")
PROP_INFO = "taskqa.index"  # the index manifest (IndexInfo) as JSON
PROP_LAYOUT = "taskqa.layout"
PROP_FULLTEXT = "taskqa.fulltext"  # "1": the collection has Milvus's own BM25 field
PROP_TERMS = "taskqa.terms"  # the name of the vocabulary collection
PROP_ALIAS = "taskqa.alias"  # the alias a collection was pushed for (older versions are dropped by it)
PROP_PLANS = "taskqa.plans"  # the plans' profiles (corpus.PlanProfile.to_json), a JSON list
DEFAULT_COLLECTION = "taskqa"
BATCH = 512
MAX_ARRAY = 4096  # Milvus's largest ARRAY capacity
MAX_VARCHAR = 65_535


@dataclass(frozen=True, slots=True)
class PushResult:
    collection: str  # the tasks collection the alias now names
    status: str  # "up-to-date" or "pushed (N tasks)"


def collection_for(alias: str, version: str, *, fulltext: bool) -> str:
    """The tasks collection of an index version (letters, digits and underscores, as Milvus requires)."""
    return f"{alias}_{re.sub(r'[^A-Za-z0-9_]', '_', version)}" + ("_ft" if fulltext else "")


def jieba_analyzer(terms: Sequence[str]) -> dict[str, Any]:
    """Milvus analyzer params: jieba in search mode with the domain dictionary, punctuation and our stop
    words removed (as close to ``index.tokenize.Tokenizer`` as Milvus's analyzer allows)."""
    return {
        "tokenizer": {"type": "jieba", "dict": ["_default_", *terms], "mode": "search", "hmm": True},
        "filter": ["removepunct", {"type": "stop", "stop_words": sorted(STOP_WORDS)}],
    }


def fulltext_of(record: TaskRecord) -> str:
    """What the in-process BM25 indexes for a task (``index.store.build_index``), normalized."""
    return normalize(f"{record.section} {record.text} {' '.join(record.lead_units)}")


def document_weights(bm25: BM25Index) -> Iterator[dict[int, float]]:
    """Each document's terms (vocabulary ids) → BM25 impact weights, in document order (the postings
    transposed; the float32 weights as stored)."""
    terms = np.repeat(np.arange(len(bm25.indptr) - 1, dtype=np.int64), np.diff(bm25.indptr))
    order = np.argsort(bm25.doc_ids, kind="stable")
    docs = bm25.doc_ids[order]
    bounds = np.searchsorted(docs, np.arange(bm25.n_docs + 1))
    ids, weights = terms[order], bm25.weights[order]
    for d in range(bm25.n_docs):
        lo, hi = int(bounds[d]), int(bounds[d + 1])
        yield dict(zip(ids[lo:hi].tolist(), weights[lo:hi].tolist(), strict=True))


def task_row(
    row: int,
    record: TaskRecord,
    *,
    vector: Sequence[float],
    weights: dict[int, float],
    lexicon: UnitLexicon,
    fulltext: bool,
) -> dict[str, Any]:
    """One task as a row of the tasks collection (see the module docstring)."""
    if not weights:
        raise ValueError(f"task {record.key} has no BM25 term; Milvus refuses an empty sparse vector")
    out: dict[str, Any] = {
        "row": row,
        "doc_id": record.doc_id,
        "task_id": record.task_id,
        "section_no": record.section_no,
        "section": record.section,
        "text": record.text,
        "lead_units": sorted({lexicon.canon(u, record.doc_id) for u in record.lead_units}),
        "responsible_units": sorted({lexicon.canon(u, record.doc_id) for u in record.responsible_units}),
        "deadline": record.deadline,
        "deadline_ym": yyyymm(record.deadline_ym) if record.deadline_ym else UNDATED,
        "benchmark": record.benchmark or "",
        "benchmark_city": record.benchmark_city or "",
        "deadline_kind": record.deadline_kind,
        "deadline_every": record.deadline_every or "",
        "ongoing": record.deadline_kind in UNDATED_KINDS,
        "record": record.to_json(),
        "dense": list(vector),
        "bm25": weights,
    }
    if fulltext:
        out["fulltext"] = fulltext_of(record)
    return out


def _schema(client: Any, *, dim: int, terms: Sequence[str], fulltext: bool) -> Any:
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False, enable_dynamic_field=False, description="taskqa tasks")
    s.add_field("row", DataType.INT64, is_primary=True)
    s.add_field("doc_id", DataType.VARCHAR, max_length=256)
    s.add_field("task_id", DataType.INT64)
    s.add_field("section_no", DataType.INT64)
    s.add_field("section", DataType.VARCHAR, max_length=1024)
    s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
    for name in ("lead_units", "responsible_units"):
        s.add_field(
            name, DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_ARRAY, max_length=512
        )
    s.add_field("deadline", DataType.VARCHAR, max_length=256)
    s.add_field("deadline_ym", DataType.INT64)
    s.add_field("benchmark", DataType.VARCHAR, max_length=256)
    s.add_field("benchmark_city", DataType.VARCHAR, max_length=256)
    s.add_field("deadline_kind", DataType.VARCHAR, max_length=32)
    s.add_field("deadline_every", DataType.VARCHAR, max_length=32)
    s.add_field("ongoing", DataType.BOOL)
    s.add_field("record", DataType.JSON)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    s.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
    if fulltext:
        s.add_field(
            "fulltext",
            DataType.VARCHAR,
            max_length=MAX_VARCHAR,
            enable_analyzer=True,
            analyzer_params=jieba_analyzer(terms),
        )
        s.add_field("fulltext_sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(
            Function(
                name="fulltext_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["fulltext"],
                output_field_names=["fulltext_sparse"],
            )
        )
    return s


def _indexes(client: Any, *, fulltext: bool) -> Any:
    params = client.prepare_index_params()
    params.add_index(
        "dense",
        index_type="HNSW",
        metric_type="IP",
        params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION},
    )
    params.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    if fulltext:
        params.add_index(
            "fulltext_sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": K1, "bm25_b": B},
        )
    return params


def _terms_collection(client: Any, name: str, vocab: dict[str, int], *, alias: str, batch: int) -> None:
    """The BM25 vocabulary (term id → term). Milvus wants a vector field in every collection: a constant
    two-dimensional one, never searched."""
    from pymilvus import DataType

    s = client.create_schema(auto_id=False, enable_dynamic_field=False, description="taskqa BM25 vocabulary")
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("term", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
    params = client.prepare_index_params()
    params.add_index("unused", index_type="FLAT", metric_type="IP")
    _create(client, name, schema=s, index_params=params, properties={PROP_ALIAS: alias})
    items = sorted(vocab.items(), key=lambda kv: kv[1])
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        client.insert(name, [{"id": i, "term": t, "unused": [1.0, 0.0]} for t, i in chunk])
    client.flush(name)


def _create(client: Any, name: str, *, schema: Any, index_params: Any, properties: dict[str, str]) -> None:
    """Create, index and load a collection. The index is not waited for (``sync=False``): the wait asks for
    a timestamp milvus-lite does not implement (an error in its log), and a Milvus server searches segments
    whose index is still being built exactly, by brute force."""
    client.create_collection(name, schema=schema, properties=properties)
    client.create_index(name, index_params, sync=False)
    client.load_collection(name)


def pushed_info(client: Any, collection: str) -> dict[str, str]:
    """The taskqa properties of a collection (or alias); empty when it does not exist."""
    if not client.has_collection(collection):
        return {}
    props = client.describe_collection(collection).get("properties", {}) or {}
    return {str(k): str(v) for k, v in props.items()}


def push_index(
    built: BuiltIndex,
    client: Any,
    *,
    alias: str = DEFAULT_COLLECTION,
    fulltext: bool = False,
    batch: int = BATCH,
    force: bool = False,
    show_progress: bool = False,
) -> PushResult:
    """Write ``built`` into Milvus under ``alias`` (see the module docstring); skipped when the alias already
    serves this version (with the full-text field when ``fulltext``), unless ``force``. When anything fails
    before the alias has moved for good, the alias is put back on the version it served and the new
    collections are dropped, then the error is raised: a failed push changes nothing that is served."""
    props = pushed_info(client, alias)
    served = json.loads(props[PROP_INFO])["version"] if PROP_INFO in props else None
    if (
        not force
        and served == built.info.version
        and props.get(PROP_LAYOUT) == str(LAYOUT)
        and (props.get(PROP_FULLTEXT) == "1" or not fulltext)
    ):
        return PushResult(client.describe_alias(alias)["collection_name"], "up-to-date")
    previous = served_collection(client, alias)
    name = collection_for(alias, built.info.version, fulltext=fulltext)
    terms_name = f"{name}_terms"
    for old in (name, terms_name):
        if client.has_collection(old) and old != previous:
            client.drop_collection(old)
    if name == previous:  # forced over the version being served: write it aside first
        name, terms_name = f"{name}_b", f"{name}_b_terms"
        for old in (name, terms_name):
            if client.has_collection(old):
                client.drop_collection(old)
    try:
        _write(
            built,
            client,
            name=name,
            terms_name=terms_name,
            alias=alias,
            fulltext=fulltext,
            batch=batch,
            show_progress=show_progress,
        )
        if previous is None:
            client.create_alias(name, alias)
        else:
            client.alter_alias(name, alias)
    except BaseException:
        # A failed push leaves what was served: the alias back on the previous version (it may have moved
        # before the failure), and the half-written collections gone.
        try:
            restore_alias(client, alias, previous)
            for partial in (name, terms_name):
                if partial != previous and client.has_collection(partial):
                    client.drop_collection(partial)
        except Exception as exc:  # the push's own error is the one to raise
            log.error("push of %s failed and so did its rollback: %s", name, exc)
        raise
    _drop_old(client, alias, keep={name, previous})
    return PushResult(name, f"pushed ({len(built.records)} tasks)")


def restore_alias(client: Any, alias: str, collection: str | None) -> None:
    """Point ``alias`` at ``collection`` again (a rollback after a failed push or reload); with None, drop the
    alias (nothing was served before). Safe to call when the alias already points there."""
    current = served_collection(client, alias)
    if current == collection:
        return
    if collection is None:
        client.drop_alias(alias)
    elif current is None:
        client.create_alias(collection, alias)
    else:
        client.alter_alias(collection, alias)


def served_collection(client: Any, alias: str) -> str | None:
    """The collection ``alias`` names now (None: no alias)."""
    return str(client.describe_alias(alias)["collection_name"]) if alias in _aliases(client) else None


def _write(
    built: BuiltIndex,
    client: Any,
    *,
    name: str,
    terms_name: str,
    alias: str,
    fulltext: bool,
    batch: int,
    show_progress: bool,
) -> None:
    """Create and fill the version's two collections (not yet named by the alias)."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    _terms_collection(client, terms_name, built.bm25.vocab, alias=alias, batch=batch)
    _create(
        client,
        name,
        schema=_schema(client, dim=built.info.dim, terms=built.terms, fulltext=fulltext),
        index_params=_indexes(client, fulltext=fulltext),
        properties={
            PROP_INFO: json.dumps(asdict(built.info), ensure_ascii=False),
            PROP_LAYOUT: str(LAYOUT),
            PROP_FULLTEXT: "1" if fulltext else "0",
            PROP_TERMS: terms_name,
            PROP_ALIAS: alias,
            PROP_PLANS: json.dumps([p.to_json() for p in built.plans], ensure_ascii=False),
        },
    )
    lexicon = plan_lexicon(built.records, built.plans)
    weights = document_weights(built.bm25)
    bar = tqdm(total=len(built.records), desc="push", unit="task", disable=not show_progress)
    for start in range(0, len(built.records), batch):
        stop = min(start + batch, len(built.records))
        rows = [
            task_row(
                i,
                built.records[i],
                vector=built.vectors[i].tolist(),
                weights=next(weights),
                lexicon=lexicon,
                fulltext=fulltext,
            )
            for i in range(start, stop)
        ]
        client.insert(name, rows)
        bar.update(stop - start)
    bar.close()
    client.flush(name)


def _aliases(client: Any) -> set[str]:
    return {str(a) for a in client.list_aliases().get("aliases", [])}


def _drop_old(client: Any, alias: str, *, keep: set[str | None]) -> None:
    """Drop the collections pushed for this alias other than ``keep`` and their vocabularies."""
    kept = {k for k in keep if k} | {f"{k}_terms" for k in keep if k}
    for c in client.list_collections():
        if c not in kept and pushed_info(client, c).get(PROP_ALIAS) == alias:
            client.drop_collection(c)
