"""Property-based tests of the whole API from its own /openapi.json (schemathesis).

Every operation gets generated valid and invalid requests; every response must match its
declared schema (errors included), and none may be a 5xx.

The schema is loaded at import (``schemathesis.pytest.from_fixture`` does not work with
pytest 9), so the app starts without an engine and a fixture installs the session's
fake-embedder engine before the first case runs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from api import Settings, create_app
from api.engine import Engine, make_engine
from tests.api_helpers import make_settings

_DIR = Path(tempfile.mkdtemp(prefix="taskqa-schemathesis-"))
_ENGINE: list[Engine] = []


def _loader(_: Settings) -> Engine:
    if not _ENGINE:
        raise RuntimeError("the test engine is installed by a fixture")
    return _ENGINE[0]


# The body limit counts bytes and the schema counts characters: a long feedback text (4000 characters,
# up to 12 bytes each once JSON-escaped) is schema-valid and may still be refused with 413.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # doc_id is free text in the schema (the plans loaded are not known to it): an unknown one is
            # a schema-valid request answered 404 unknown_plan.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "404", "413", "429"]},
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "404", "405", "413", "415", "422", "429"]
            },
        }
    }
)
# The schema is served only with the docs on; the admin routes are never in it (tests/test_api_ops.py
# covers them), but admin is on here so that their absence from the schema is what is tested.
app = create_app(
    make_settings(_DIR, admin_token="not-guessable-" + "x" * 20, enable_docs=True), engine_loader=_loader
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def engine(fake_retriever: Any, fake_qa: Any) -> Iterator[None]:
    _ENGINE.append(make_engine(fake_retriever, fake_qa))
    app.state.services.engines.load()
    yield
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
