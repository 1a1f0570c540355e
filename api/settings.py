"""Service settings: one pydantic-settings class, read from ``TASKQA_*`` variables and ``.env``.

Created by :func:`api.app.create_app` (never at import) and handed to endpoints by the
:func:`get_settings` dependency.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import Request
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_ADMIN_TOKEN_CHARS = 32


class Settings(BaseSettings):
    """Everything an operator may tune; every field has a safe default for a public portal."""

    # Errors name the setting but never echo its value (the admin token must not reach a log).
    model_config = SettingsConfigDict(
        env_prefix="TASKQA_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    # The index root (holds ``CURRENT`` and ``versions/``); None → index.default_index_root().
    index_dir: Path | None = None
    # Where the tasks are searched (retriever.backends): memory (the index above, in each worker),
    # milvus-lite:PATH.db (one process only) or milvus://HOST:PORT, with ?bm25=milvus&collection=NAME.
    store: str = "memory"
    # The folder of plan files the index is built from (None → corpus.default_data_dir(), the shipped
    # corpus); POST /api/v1/admin/plans adds uploaded plans to it.
    data_dir: Path | None = None
    # An uploaded plan file: at most plan_max_mb, all of it within upload_timeout_seconds.
    plan_max_mb: float = Field(default=20.0, gt=0, le=200)
    upload_timeout_seconds: float = Field(default=60.0, gt=0)
    # Every reload_check_seconds each worker looks whether the index version published moved (the index's
    # CURRENT pointer, or a Milvus store's alias: one small read) and, when it did, reloads: a plan added
    # through one worker is served by all of them within about this time. 0: never (reload by hand).
    reload_check_seconds: float = Field(default=2.0, ge=0)
    feedback_db: Path = Path("var/feedback.sqlite3")

    max_question_chars: int = Field(default=500, ge=1, le=4000)
    max_body_bytes: int = Field(default=16_384, ge=1024)
    max_json_depth: int = Field(default=16, ge=2)

    # Token bucket per client IP on ask and search: refills rate_per_minute, holds at most burst.
    rate_per_minute: float = Field(default=30.0, gt=0)
    burst: int = Field(default=10, ge=1)
    # Buckets kept in memory; the least recently seen client is dropped beyond this.
    rate_limit_clients: int = Field(default=100_000, ge=1)
    # Requests doing CPU-bound work at once; more are shed with 503 instead of queueing.
    max_concurrency: int = Field(default=4, ge=1)
    # Admission by cost (api/cost.py): per client address, a bucket of CPU milliseconds that refills
    # cost_ms_per_minute and holds at most cost_burst_ms. A question first spends cost_ms_per_char per
    # character, then what its measured CPU time exceeded that. Questions estimated at expensive_ms or
    # more share expensive_slots of the CPU slots (at most max_concurrency - 1).
    cost_ms_per_minute: float = Field(default=6000.0, gt=0)
    cost_burst_ms: float = Field(default=3000.0, gt=0)
    cost_ms_per_char: float = Field(default=2.0, ge=0)
    expensive_ms: float = Field(default=200.0, gt=0)
    expensive_slots: int = Field(default=1, ge=1)
    retry_after_seconds: int = Field(default=1, ge=1)  # advertised when shedding load

    # Origins of the portals embedding the widget; empty → same-origin only.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Bearer token for /api/v1/admin/*; None → the admin endpoints answer 404. At least
    # MIN_ADMIN_TOKEN_CHARS characters, checked at start-up.
    admin_token: SecretStr | None = None
    # Wrong admin tokens a client address may send before it gets 429; one more is allowed every
    # 3600 / admin_max_failures seconds (a token bucket of failures, per worker process).
    admin_max_failures: int = Field(default=10, ge=1)
    log_questions: bool = False
    enable_docs: bool = False  # /docs (Swagger UI loads from a CDN, so it is exempt from the page CSP)
    widget_max_age: int = Field(default=3600, ge=0)  # Cache-Control max-age of widget.js / widget.css
    # The phone number the widget offers when the plan does not cover a question (the portal's citizen
    # hotline; 12345 is the national government-service number); empty → no hand-off number.
    hotline: str = Field(default="12345", max_length=20, pattern=r"^[0-9+() -]*$")
    # Where the plan itself is published (task pages and the widget's cards link to it); None → no link.
    source_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://[^\s\"'<>]+$")

    # Follow-ups: the previous turn travels with the conversation as a signed token (session_id), so any
    # worker or replica that shares session_secret answers the next turn. Unset: `python -m api` makes one
    # per start, shared by its --workers; set it (32+ characters) to share it between separate servers.
    session_secret: SecretStr | None = None
    session_ttl_seconds: int = Field(default=1800, ge=1)
    stream_piece_chars: int = Field(default=12, ge=1)

    # Connections (api/connections.py). A connection must deliver its request headers within
    # header_timeout_seconds of opening (or of its previous response) and its body within
    # body_timeout_seconds; an idle keep-alive connection is closed after keep_alive_seconds. At most
    # max_connections are open per worker (default: RLIMIT_NOFILE's soft limit - fd_reserve - backlog);
    # past that the connection idle the longest is closed to make room.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    keep_alive_seconds: int = Field(default=5, ge=1)
    max_connections: int | None = Field(default=None, ge=1)
    fd_reserve: int = Field(default=200, ge=0)
    backlog: int = Field(default=128, ge=1)

    # uvicorn's proxy handling: the client address comes from X-Forwarded-For only from these peers.
    forwarded_allow_ips: str = "127.0.0.1"

    # Feedback: entries per client address per day (a token bucket holding feedback_burst, in memory per
    # worker), the database's size past which new entries are refused (0: no limit) and how long entries
    # are kept (0: forever).
    feedback_per_day: int = Field(default=50, ge=1)
    feedback_burst: int = Field(default=10, ge=1)
    feedback_max_mb: float = Field(default=256.0, ge=0)
    feedback_retention_days: int = Field(default=365, ge=0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept a JSON list or a comma-separated string (``https://a.gov.cn,https://b.gov.cn``)."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip().rstrip("/") for part in text.split(",") if part.strip()]
        return value

    @field_validator("store", mode="after")
    @classmethod
    def _store(cls, value: str) -> str:
        from retriever.backends import FORMS, StoreSpecError, parse_store

        try:
            parse_store(value)
        except StoreSpecError as exc:  # without the value, as every error here
            raise ValueError(
                f"TASKQA_STORE 无效（{exc.zh}） / invalid TASKQA_STORE ({exc.en}): expected {FORMS}"
            ) from None
        return value

    @field_validator("source_url", mode="before")
    @classmethod
    def _blank_url(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("session_secret", mode="after")
    @classmethod
    def _session_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"TASKQA_SESSION_SECRET needs at least {MIN_ADMIN_TOKEN_CHARS} characters "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("admin_token", mode="after")
    @classmethod
    def _admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        """Blank means off; anything else must be long enough not to be guessed."""
        if value is None or not value.get_secret_value().strip():
            return None
        length = len(value.get_secret_value())
        if length < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"TASKQA_ADMIN_TOKEN has {length} characters, at least {MIN_ADMIN_TOKEN_CHARS} are required "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value


async def get_settings(request: Request) -> Settings:
    """FastAPI dependency: the settings the running app was created with."""
    settings: Settings = request.app.state.settings
    return settings
