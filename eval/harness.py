"""Run the labeled questions through the system, in-process or against a running server.

Systems compared on the same questions: BM25 only, dense only, hybrid (retrieval), and
full question answering. Retrieval is scored on the question types that ask about one
task; question answering on every type.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from eval.metrics import mean, percentile, ranking_metrics, set_prf
from eval.questions import AGGREGATE_TYPES, SINGLE_TYPES, Key, Question

MODES = ("bm25", "dense", "hybrid")


@dataclass(frozen=True, slots=True)
class Cited:
    task_id: int
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    deadline: str
    doc_id: str = ""

    def key(self, q: Question) -> Key:
        """The task as the question's golds name it: with its plan over several plans, by number over one."""
        return (self.doc_id, self.task_id) if q.keyed else (None, self.task_id)


@dataclass(frozen=True, slots=True)
class Asked:
    text: str
    answerable: bool
    intent: str
    citations: tuple[Cited, ...]
    session_id: str


class Backend(Protocol):
    modes: tuple[str, ...]

    def search(self, query: str, top_k: int, mode: str) -> list[tuple[str, int]]:
        """(doc_id, task) of the best ``top_k`` tasks."""
        ...

    def ask(self, question: str, session_id: str | None) -> Asked: ...

    def canon(self, unit: str, doc_id: str) -> str: ...


class InProcess:
    """The QA engine and retriever in this process."""

    modes: tuple[str, ...] = MODES

    def __init__(self, qa: Any) -> None:
        from qa import SessionStore

        self.qa = qa
        self.sessions = SessionStore()

    def search(self, query: str, top_k: int, mode: str) -> list[tuple[str, int]]:
        return [h.record.key for h in self.qa.r.search(query, top_k=top_k, mode=mode)]

    def ask(self, question: str, session_id: str | None) -> Asked:
        s = self.sessions.get(session_id)
        a = self.qa.answer(question, session=s)
        cites = tuple(
            Cited(c.task_id, c.lead_units, c.responsible_units, c.deadline, c.doc_id) for c in a.citations
        )
        return Asked(a.text, a.answerable, a.intent, cites, s.id)

    def canon(self, unit: str, doc_id: str) -> str:
        return str(self.qa.lex.canon(unit, doc_id))


class Remote:
    """A running server, through the public API (retrieval: hybrid only)."""

    modes: tuple[str, ...] = ("hybrid",)

    def __init__(self, url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=30.0)
        units = self.client.get("/api/v1/units").json().get("units", [])
        self._known = {u["unit"] for u in units}

    def search(self, query: str, top_k: int, mode: str) -> list[tuple[str, int]]:
        del mode  # the public API serves the hybrid ranking only
        r = self.client.post("/api/v1/search", json={"query": query, "top_k": top_k})
        r.raise_for_status()
        return [(str(h["doc_id"]), int(h["task_id"])) for h in r.json()["hits"]]

    def ask(self, question: str, session_id: str | None) -> Asked:
        r = self.client.post("/api/v1/ask", json={"question": question, "session_id": session_id})
        if r.status_code >= 500 and r.status_code != 503:
            raise RuntimeError(f"server error {r.status_code}: {r.text[:200]}")
        if r.status_code >= 400:
            return Asked(r.text, False, f"http_{r.status_code}", (), session_id or "")
        body = r.json()
        cites = tuple(
            Cited(
                int(c["task_id"]),
                tuple(c["lead_units"]),
                tuple(c["responsible_units"]),
                c["deadline"],
                str(c["doc_id"]),
            )
            for c in body["citations"]
        )
        return Asked(body["answer"], bool(body["answerable"]), body["intent"], cites, body["session_id"])

    def canon(self, unit: str, doc_id: str) -> str:
        del doc_id
        return unit


@dataclass(slots=True)
class QuestionResult:
    q: Question
    ranked: dict[str, list[Key]] = field(default_factory=dict)
    asked: Asked | None = None
    latency_ms: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    crash: str | None = None


def _units_named(asked: Asked, role: str, canon: Callable[[str, str], str]) -> set[str]:
    """Units of the cited records' ``role`` field that the answer text names."""
    out = set()
    for c in asked.citations:
        for u in c.responsible_units if role == "responsible" else c.lead_units:
            cu = canon(u, c.doc_id)
            if cu in asked.text or u in asked.text:
                out.add(cu)
    return out


def score_answer(q: Question, a: Asked, canon: Callable[[str, str], str]) -> dict[str, float]:
    """Per-question answer scores (keys absent when they do not apply). Tasks are compared as keys: (plan,
    number) when the question's golds name plans, never by bare number across plans."""
    s: dict[str, float] = {}
    cited = [c.key(q) for c in a.citations]
    if not q.answerable:
        s["refused"] = float(not a.answerable)
        if q.type != "out_of_scope":  # a task that does not exist: say so, cite nothing
            s["exact"] = float(not a.answerable and not cited)
        return s
    s["false_refusal"] = float(not a.answerable)
    if not a.answerable:
        # A refusal answers nothing, even when it names the closest task as a hint.
        cited = []
        a = Asked(a.text, a.answerable, a.intent, (), a.session_id)
    gold = q.gold
    p, r, f1 = set_prf(cited, gold)
    s.update(task_p=p, task_r=r, task_f1=f1, exact=float(set(cited) == set(gold)))
    if q.type in SINGLE_TYPES:
        s["top1"] = float(bool(cited) and cited[0] in gold)
    primary = a.citations[:1] if q.type in (*SINGLE_TYPES, "numbering") else a.citations
    role = "responsible" if q.asks == "responsible" else "lead"
    # Units are scored when the golds name some, or the question asks for them; a yes/no question whose
    # gold names none (「这条是纪委牵头的吗」 over one task) is scored on its task, not on an empty unit set.
    asks_units = q.type in ("who_leads_task", "responsible", "who_leads_topic", "who_leads_subtopic")
    if q.gold_units or (asks_units and q.asks != "yes_no"):
        pred = _units_named(Asked(a.text, a.answerable, a.intent, tuple(primary), a.session_id), role, canon)
        up, ur, _ = set_prf(pred, q.gold_units)
        s.update(unit_p=up, unit_r=ur, unit_exact=float(pred == set(q.gold_units)))
    if q.gold_deadline is not None:
        ok = bool(a.citations) and a.citations[0].deadline == q.gold_deadline and q.gold_deadline in a.text
        s["deadline_acc"] = float(ok)
    return s


def run(
    questions: Sequence[Question],
    backend: Backend,
    *,
    top_k: int = 10,
    progress: bool = True,
    modes: Sequence[str] | None = None,
) -> list[QuestionResult]:
    from tqdm import tqdm  # type: ignore[import-untyped]

    modes = tuple(m for m in (modes or backend.modes) if m in backend.modes)
    results = []
    for q in tqdm(questions, desc="eval", unit="q", disable=not progress):
        res = QuestionResult(q)
        if q.type in (*SINGLE_TYPES, *AGGREGATE_TYPES):
            for mode in modes:
                t0 = time.perf_counter()
                res.ranked[mode] = [
                    (d, t) if q.keyed else (None, t) for d, t in backend.search(q.question, top_k, mode)
                ]
                res.latency_ms[f"search_{mode}"] = (time.perf_counter() - t0) * 1000
        sid: str | None = None
        try:
            for turn in q.turns[:-1]:
                sid = backend.ask(turn, sid).session_id
            t0 = time.perf_counter()
            res.asked = backend.ask(q.final_turn, sid)
            res.latency_ms["ask"] = (time.perf_counter() - t0) * 1000
        except Exception as exc:  # a crash is an error, never a refusal: counted and reported
            res.crash = f"{type(exc).__name__}: {exc}"
            res.asked = Asked("", False, "crash", (), sid or "")
        res.scores = score_answer(q, res.asked, backend.canon)
        res.scores["crash"] = float(res.crash is not None)
        results.append(res)
    return results


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Per type and overall: retrieval metrics per mode, answer metrics, latency."""
    by_type: dict[str, list[QuestionResult]] = {}
    for r in results:
        by_type.setdefault(r.q.type, []).append(r)
    groups: dict[str, list[QuestionResult]] = {
        **by_type,
        "single (4 types)": [r for r in results if r.q.type in SINGLE_TYPES],
        "aggregate (3 types)": [r for r in results if r.q.type in AGGREGATE_TYPES],
        "all": list(results),
    }
    modes = sorted({m for r in results for m in r.ranked})
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    for mode in modes:
        qrels = {r.q.id: list(r.q.gold) for r in results if mode in r.ranked and r.q.gold}
        runs = {r.q.id: r.ranked[mode] for r in results if mode in r.ranked}
        per_query[mode] = ranking_metrics(runs, qrels)
    out: dict[str, Any] = {"n": len(results), "types": {}}
    for name, rs in groups.items():
        entry: dict[str, Any] = {"n": len(rs), "retrieval": {}, "answer": {}}
        for mode in modes:
            rows = [per_query[mode][r.q.id] for r in rs if r.q.id in per_query[mode]]
            if rows:
                entry["retrieval"][mode] = {k: mean(x[k] for x in rows) for k in rows[0]}
        keys = sorted({k for r in rs for k in r.scores})
        entry["answer"] = {k: mean(r.scores[k] for r in rs if k in r.scores) for k in keys}
        entry["answer_n"] = {k: sum(1 for r in rs if k in r.scores) for k in keys}
        out["types"][name] = entry
    lat: dict[str, dict[str, float]] = {}
    for stage in sorted({k for r in results for k in r.latency_ms}):
        vals = [r.latency_ms[stage] for r in results if stage in r.latency_ms]
        lat[stage] = {"p50": percentile(vals, 50), "p95": percentile(vals, 95), "n": float(len(vals))}
    out["latency_ms"] = lat
    return out
