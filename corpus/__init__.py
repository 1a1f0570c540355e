"""corpus: action plans (.txt, .docx, .xlsx, .pdf) → typed task records, plan profiles, unit lexicon."""

from corpus.add import add_plan
from corpus.checks import PlanFileError
from corpus.layout import detect_layout
from corpus.lexicon import UnitLexicon, UnitMention, build_lexicon
from corpus.loader import (
    Plan,
    corpus_hash,
    default_data_dir,
    load_documents,
    load_plan,
    load_plans,
    load_tasks,
    plan_from_bytes,
    slugify,
)
from corpus.parser import parse_deadline, parse_document, split_benchmark
from corpus.profile import Places, PlanProfile, derive_profile
from corpus.readers import read_plan
from corpus.records import Document, ParseError, ParseIssue, TaskRecord
from corpus.units import split_units

__all__ = [
    "Document",
    "ParseError",
    "ParseIssue",
    "Places",
    "Plan",
    "PlanFileError",
    "PlanProfile",
    "TaskRecord",
    "UnitLexicon",
    "UnitMention",
    "add_plan",
    "build_lexicon",
    "corpus_hash",
    "default_data_dir",
    "derive_profile",
    "detect_layout",
    "load_documents",
    "load_plan",
    "load_plans",
    "load_tasks",
    "parse_deadline",
    "parse_document",
    "plan_from_bytes",
    "read_plan",
    "slugify",
    "split_benchmark",
    "split_units",
]
