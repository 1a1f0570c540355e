"""``python -m api --host H --port P [--workers N]``: build the index if missing, then serve.

A configuration mistake (a setting, the embedder, an index root or feedback database that cannot be
written, a file-descriptor limit too small for the connection cap) ends the process at once with one
``error:`` line: nothing will change on a restart. An index that cannot be built does not: the
process serves ``/healthz`` with ``/readyz`` 503 (and the previous good index version, when one verifies)
and logs the cause and the fix, rather than exiting and being restarted by its supervisor into the same
multi-second build and failure, forever.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import sys
from typing import Any

import uvicorn
from pydantic import ValidationError

from api.connections import GuardedH11Protocol, limits_from
from api.feedback import FeedbackStore, StorageError
from api.settings import Settings
from index import IndexLoadError, default_index_root, ensure_index, make_embedder
from retriever.backends import parse_store


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging plus ours; access lines are bare JSON objects, one per line."""
    config: dict[str, Any] = dict(uvicorn.config.LOGGING_CONFIG)
    config["formatters"] = {
        **config["formatters"],
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json_line": {"format": "%(message)s"},
    }
    config["handlers"] = {
        **config["handlers"],
        "api": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
        "api_access": {
            "class": "logging.StreamHandler",
            "formatter": "json_line",
            "stream": "ext://sys.stdout",
        },
    }
    config["loggers"] = {
        **config["loggers"],
        "api": {"handlers": ["api"], "level": level.upper(), "propagate": False},
        "api.access": {"handlers": ["api_access"], "level": "INFO", "propagate": False},
        "taskqa": {"handlers": ["api"], "level": level.upper(), "propagate": False},
    }
    return config


def _prepare(*, build: bool) -> Settings | int:
    """Settings, the index (built when missing) and the feedback database, or an exit status.

    Each configuration mistake is one ``error:`` line naming it, not a traceback.
    """
    try:
        settings = Settings()
    except ValidationError as exc:  # the message never holds a value (hide_input_in_errors)
        print(f"error: invalid TASKQA_* setting: {exc}", file=sys.stderr)
        return 2
    try:
        limits = limits_from(settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"connections: at most {limits.max_connections} per worker, request headers within "
        f"{settings.header_timeout_seconds:g} s, bodies within {settings.body_timeout_seconds:g} s",
        file=sys.stderr,
    )
    try:
        embedder = make_embedder()  # reads TASKQA_EMBEDDER
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    root = settings.index_dir or default_index_root()
    if settings.store != "memory":
        # A Milvus store serves what `python -m retriever push` wrote; this process reads no local index.
        print(f"store: {settings.store}", file=sys.stderr)
    elif build:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"error: cannot write the index under {root}: {exc}", file=sys.stderr)
            return 1
        try:
            print(f"index: {ensure_index(root, embedder, data_dir=settings.data_dir)}", file=sys.stderr)
        except (IndexLoadError, OSError) as exc:
            print(
                f"error: no usable index under {root} could be built ({type(exc).__name__}: {exc}); serving "
                "not ready (/readyz 503): fix the cause, run `python -m index build --force`, then "
                "POST /api/v1/admin/reload or restart",
                file=sys.stderr,
            )
    try:
        FeedbackStore(settings.feedback_db)
    except (OSError, sqlite3.Error, StorageError) as exc:
        print(f"error: cannot open the feedback database {settings.feedback_db}: {exc}", file=sys.stderr)
        return 1
    return settings


LOOP = "api.connections:GuardedEventLoop"  # uvicorn's loop=: asyncio's, accepting only what fits


def _tcp_listener_fix() -> None:
    """Give uvicorn's multi-worker listener ``proto=IPPROTO_TCP`` so asyncio sets TCP_NODELAY.

    With ``--workers N`` uvicorn binds the socket itself with proto 0; asyncio then skips TCP_NODELAY on
    accepted connections and every keep-alive response waits ~40 ms for the client's delayed ACK
    (uvicorn issue #3149; measured by ``make bench``: 19 answers/s for one client instead of ~225).
    """
    import socket

    from uvicorn.config import Config

    original = Config.bind_socket
    if getattr(original, "_taskqa_tcp", False):
        return

    def bind_socket(self: Config) -> socket.socket:
        sock = original(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock

    bind_socket._taskqa_tcp = True  # type: ignore[attr-defined]
    Config.bind_socket = bind_socket  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m api", description="serve taskqa (settings: TASKQA_* / .env)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=1, help="processes (each loads the index)")
    ap.add_argument("--no-build", action="store_true", help="do not build a missing index; serve not-ready")
    ap.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = ap.parse_args(argv)
    settings = _prepare(build=not args.no_build)
    if isinstance(settings, int):
        return settings
    if args.workers > 1 and parse_store(settings.store).kind == "milvus-lite":
        print(
            f"error: TASKQA_STORE={settings.store} is milvus-lite, which one process only may open; "
            "serve it with --workers 1, or use a Milvus server (milvus://HOST:PORT) for several workers / "
            "milvus-lite 只能由一个进程打开：请用 --workers 1，或改用 Milvus 服务器",
            file=sys.stderr,
        )
        return 2
    if args.workers > 1:
        _tcp_listener_fix()
    if settings.session_secret is None:
        # One secret for every --workers child (they inherit the environment), so a follow-up may land on
        # any of them; separate servers share TASKQA_SESSION_SECRET instead.
        os.environ["TASKQA_SESSION_SECRET"] = secrets.token_urlsafe(32)
    uvicorn.run(
        "api.worker:create_worker_app",  # create_app(); a --workers child first arranges to die with us
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config(args.log_level),
        log_level=args.log_level,
        access_log=False,  # api.middleware.AccessLogMiddleware writes the access log
        http=GuardedH11Protocol,  # header-read timeout and connection cap (api/connections.py)
        loop=LOOP,  # accept() only what fits (api/connections.py)
        timeout_keep_alive=settings.keep_alive_seconds,
        backlog=settings.backlog,
        limit_concurrency=None,  # counts idle sockets and refuses requests instead; see api/connections.py
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
