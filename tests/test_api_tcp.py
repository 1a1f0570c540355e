"""Multi-worker listeners get proto=IPPROTO_TCP so asyncio sets TCP_NODELAY (uvicorn issue #3149)."""

from __future__ import annotations

import socket

from uvicorn.config import Config

from api.__main__ import _tcp_listener_fix


def test_listener_is_tcp_after_the_fix() -> None:
    _tcp_listener_fix()
    _tcp_listener_fix()  # idempotent
    sock = Config("api.app:create_app", host="127.0.0.1", port=0).bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
