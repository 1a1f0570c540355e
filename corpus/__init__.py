"""corpus: action-plan documents → typed task records and the unit lexicon."""

from corpus.lexicon import UnitLexicon, UnitMention, build_lexicon
from corpus.loader import corpus_hash, default_data_dir, load_documents, load_tasks, slugify
from corpus.parser import parse_deadline, parse_document, split_benchmark
from corpus.records import Document, ParseError, ParseIssue, TaskRecord
from corpus.units import split_units

__all__ = [
    "Document",
    "ParseError",
    "ParseIssue",
    "TaskRecord",
    "UnitLexicon",
    "UnitMention",
    "build_lexicon",
    "corpus_hash",
    "default_data_dir",
    "load_documents",
    "load_tasks",
    "parse_deadline",
    "parse_document",
    "slugify",
    "split_benchmark",
    "split_units",
]
