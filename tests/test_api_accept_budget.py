"""GuardedEventLoop accepts only the connections that fit in the free descriptors (api/connections.py)."""

from __future__ import annotations

import asyncio
import inspect
import socket
from asyncio import selector_events
from typing import Any

import pytest

from api.connections import (
    ACCEPT_SLACK,
    GuardedEventLoop,
    accept_budget,
    open_fd_count,
)


@pytest.mark.parametrize(
    ("nofile", "open_fds", "backlog", "expected"),
    [
        (1024, 100, 128, 128),  # plenty of room: the whole batch
        (1024, 900, 128, 92),  # 1024 - 900 - 32
        (1024, 992, 128, 0),  # exactly the slack left
        (1024, 1020, 128, 0),  # over: never negative
        (65_536, 10, 5, 5),
    ],
)
def test_accept_budget(nofile: int, open_fds: int, backlog: int, expected: int) -> None:
    assert accept_budget(nofile=nofile, open_fds=open_fds, slack=32, backlog=backlog) == expected


def test_the_overridden_asyncio_method_keeps_its_signature() -> None:
    """The override relies on CPython's private ``_accept_connection`` / ``_start_serving`` argument order."""
    for fn in (
        selector_events.BaseSelectorEventLoop._accept_connection,  # type: ignore[attr-defined]
        selector_events.BaseSelectorEventLoop._start_serving,  # type: ignore[attr-defined]
    ):
        names = list(inspect.signature(fn).parameters)
        assert names[:6] == ["self", "protocol_factory", "sock", "sslcontext", "server", "backlog"]


def test_open_fd_count_sees_a_new_descriptor() -> None:
    before = open_fd_count()
    assert before is not None and before > 0
    with socket.socket() as _:
        after = open_fd_count()
    assert after == before + 1


def test_the_uvicorn_hook_gives_the_guarded_loop() -> None:
    from uvicorn.config import Config

    from api.__main__ import LOOP

    factory = Config("api.worker:create_worker_app", loop=LOOP).get_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, GuardedEventLoop)
    finally:
        loop.close()


def test_the_listener_pauses_instead_of_accepting_more_than_fits() -> None:
    """Room for two more descriptors: of three queued connections two are accepted, the third waits (no
    EMFILE report, no busy loop) and is accepted once room appears."""
    made: list[asyncio.BaseTransport] = []
    room = [2]
    reports: list[dict[str, Any]] = []

    class Loop(GuardedEventLoop):
        pass

    loop = Loop()
    base = [0]

    def held_fds() -> int:
        """The real count, shifted so that only room[0] descriptors beyond ``base`` fit."""
        real = open_fd_count()
        assert real is not None
        return loop._nofile - ACCEPT_SLACK - room[0] + (real - base[0])

    Loop.open_fds = staticmethod(held_fds)
    loop.set_exception_handler(lambda _loop, ctx: reports.append(ctx))
    starts = [0]
    original_start = loop._start_serving  # type: ignore[attr-defined]

    def counting_start(*args: Any) -> None:
        starts[0] += 1
        original_start(*args)

    loop._start_serving = counting_start  # type: ignore[attr-defined]

    class Proto(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(transport)

    async def scenario() -> tuple[int, int, int]:
        server = await loop.create_server(Proto, "127.0.0.1", 0, backlog=16)
        port = server.sockets[0].getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        base[0] = open_fd_count() or 0  # queued in the kernel, none accepted yet
        try:
            for _ in range(400):  # until two are in (loop time, not a bound on speed)
                if len(made) >= 2:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # several pause periods: the third must still wait
            held = len(made)
            paused = starts[0]
            room[0] = 3
            for _ in range(400):
                if len(made) >= 3:
                    break
                await asyncio.sleep(0.01)
            return held, paused, len(made)
        finally:
            for c in clients:
                c.close()
            for t in made:
                t.close()
            server.close()
            await server.wait_closed()

    try:
        held, paused, final = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert held == 2
    assert paused >= 1  # the listener rested and came back, rather than spinning or failing
    assert final == 3
    assert reports == []
