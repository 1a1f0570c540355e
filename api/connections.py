"""uvicorn's h11 protocol with a header-read timeout and a cap on open connections.

uvicorn (0.54) closes an idle keep-alive connection after ``timeout_keep_alive``, but that timer is only
armed after a response and any byte cancels it, so nothing bounds the time a client may take to send its
request headers: a socket that trickles a header line every few seconds, or never sends a byte, stays open
for good. And nothing bounds how many such sockets are open: once they use up the process's file
descriptors (``ulimit -n``; systemd's default soft limit is 1,024) ``accept()`` fails with EMFILE, asyncio
logs a traceback per attempt and stops accepting for a second at a time, and ``/healthz`` goes unanswered
with everything else. uvicorn's ``limit_concurrency`` does not help: it counts open connections too, but
answers the next *request* with 503 — a new client whose request arrives while idle sockets hold the
count gets refused, and the sockets are never closed.

:class:`GuardedH11Protocol` adds both bounds at the protocol level, where a connection without a complete
request is visible (an ASGI app only sees requests once their headers are in):

* **header timeout** — a connection must deliver its request headers within ``header_timeout`` of being
  opened, or of its previous response; otherwise it is closed, however many bytes it trickles.
* **connection cap** — at most ``max_connections`` connections are open per process. A connection over the
  cap closes the one that has been waiting for a request the longest (a new one has just arrived and is
  about to send, an idle one has had its chance); when every connection has a request in progress, the
  newcomer is closed instead.

The cap follows from the file-descriptor limit: ``max_connections = RLIMIT_NOFILE soft limit − fd_reserve
− backlog`` (:func:`connection_cap`), where ``fd_reserve`` covers what the process holds besides client
sockets and ``backlog`` the connections asyncio may accept in one go before any of them is seen here. The
body is bounded separately, per request, by :class:`api.bodyguard.BodyGuardMiddleware`.

The cap acts one or two loop iterations after ``accept()``: a burst of queued connections (a loaded machine
drains its listen queue in batches of ``backlog``) can be accepted before any of them reaches the protocol,
and asyncio then logs ``socket.accept() out of system resource`` and stops accepting for a second.
:class:`GuardedEventLoop` closes that gap where it opens: before each accept batch it counts the descriptors
the process actually holds and accepts no more than still fit, pausing the listener briefly when none do
(:func:`accept_budget`); the cap then closes idle connections and the next batch finds room.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from api.settings import Settings

log = logging.getLogger("api")

MIN_CONNECTIONS = 16
UNLIMITED_NOFILE_CAP = 65_536  # the cap when RLIMIT_NOFILE is unlimited
LOG_EVERY_SECONDS = 10.0
ACCEPT_SLACK = 32  # descriptors kept free for what other threads open between two accept batches
ACCEPT_PAUSE_SECONDS = 0.05  # how long the listener rests when no descriptor is free


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    max_connections: int
    header_timeout: float


def connection_cap(*, nofile: int, reserve: int, backlog: int) -> int:
    """Client connections that fit in ``nofile`` descriptors beside ``reserve`` others and a ``backlog``
    of connections accepted at once (0 or less: none fit)."""
    return nofile - reserve - backlog


def nofile_limit() -> int:
    """This process's soft RLIMIT_NOFILE (``ulimit -n``); unlimited counts as a large number."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return UNLIMITED_NOFILE_CAP if soft == resource.RLIM_INFINITY else int(soft)


def limits_from(settings: Settings, nofile: int | None = None) -> ConnectionLimits:
    """The limits for ``settings`` in a process allowed ``nofile`` descriptors (default: this one's).

    Raises:
        ValueError: fewer than :data:`MIN_CONNECTIONS` connections would fit; the message has the arithmetic.
    """
    if settings.max_connections is not None:
        cap = settings.max_connections
    else:
        nofile = nofile_limit() if nofile is None else nofile
        cap = connection_cap(nofile=nofile, reserve=settings.fd_reserve, backlog=settings.backlog)
        if cap < MIN_CONNECTIONS:
            raise ValueError(
                f"ulimit -n is {nofile}: after TASKQA_FD_RESERVE={settings.fd_reserve} and "
                f"TASKQA_BACKLOG={settings.backlog} only {cap} connections fit (at least {MIN_CONNECTIONS}); "
                "raise the limit (systemd: LimitNOFILE=) or lower those settings"
            )
    return ConnectionLimits(max_connections=cap, header_timeout=settings.header_timeout_seconds)


_process_limits: list[ConnectionLimits] = []


def process_limits() -> ConnectionLimits:
    """The limits of this process, from ``Settings()`` (read once; a ``--workers`` child reads its own)."""
    if not _process_limits:
        _process_limits.append(limits_from(Settings()))
    return _process_limits[0]


# Connections waiting for a request, longest-waiting first, per server (one per process in practice).
_waiting: weakref.WeakKeyDictionary[ServerState, OrderedDict[GuardedH11Protocol, None]] = (
    weakref.WeakKeyDictionary()
)
_last_log = [float("-inf")]


def _log_cap(limit: int, what: str) -> None:
    """One warning per LOG_EVERY_SECONDS at most, whatever the rate of connections."""
    now = time.monotonic()
    if now - _last_log[0] >= LOG_EVERY_SECONDS:
        _last_log[0] = now
        log.warning("connection cap of %d reached: %s", limit, what)


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol` with a header-read timeout and the connection cap (see the module docstring)."""

    # Tests set this on a subclass; None → process_limits().
    limits: ClassVar[ConnectionLimits | None] = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = type(self).limits or process_limits()
        self._waiting = _waiting.setdefault(server_state, OrderedDict())
        self._header_timer: asyncio.TimerHandle | None = None

    # -- states --------------------------------------------------------------------------------------

    def _in_request(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _wait_for_request(self) -> None:
        """No request in progress: the header clock runs, and the connection may be closed to make room."""
        self._waiting[self] = None
        self._waiting.move_to_end(self)
        self._cancel_timer()
        self._header_timer = self.loop.call_later(self._limits.header_timeout, self._header_timeout)

    def _request_started(self) -> None:
        self._waiting.pop(self, None)
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _drop(self) -> None:
        """Close now and stop counting this connection (its ``connection_lost`` comes later)."""
        self._waiting.pop(self, None)
        self._cancel_timer()
        self.connections.discard(self)
        if not self.transport.is_closing():
            self.transport.close()

    def _header_timeout(self) -> None:
        self._header_timer = None
        if not self._in_request():
            self._drop()

    def _make_room(self) -> bool:
        """Close the longest-waiting connections while over the cap; False when this one must go."""
        limit = self._limits.max_connections
        while len(self.connections) > limit:
            victim = next((c for c in self._waiting if c is not self), None)
            if victim is None:
                _log_cap(limit, "every connection has a request in progress; refusing new connections")
                return False
            _log_cap(limit, "closing the connections that have waited longest for a request")
            victim._drop()
        return True

    # -- uvicorn's hooks -----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self._make_room():
            self._drop()
            return
        self._wait_for_request()

    def handle_events(self) -> None:
        super().handle_events()
        if self._in_request():
            self._request_started()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may start a pipelined request (handle_events above)
        if not self.transport.is_closing() and not self._in_request():
            self._wait_for_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._waiting.pop(self, None)
        self._cancel_timer()
        super().connection_lost(exc)


# -- accepting no more than fits ---------------------------------------------------------------------------


def accept_budget(*, nofile: int, open_fds: int, slack: int, backlog: int) -> int:
    """Connections one accept batch may take: what fits under ``nofile`` beside ``open_fds`` and ``slack``,
    at most ``backlog``, at least 0."""
    return max(0, min(backlog, nofile - open_fds - slack))


def open_fd_count() -> int | None:
    """Descriptors this process holds (Linux ``/proc/self/fd``); None where that cannot be read."""
    try:
        return len(os.listdir("/proc/self/fd")) - 1  # less the one listdir itself opened
    except OSError:
        return None


class GuardedEventLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop, accepting per batch only the connections that fit in the free descriptors.

    uvicorn's ``loop="api.connections:GuardedEventLoop"`` makes each worker's loop with it. Overrides
    ``BaseSelectorEventLoop._accept_connection`` (CPython 3.11's signature; a test pins it)."""

    open_fds: ClassVar[Callable[[], int | None]] = staticmethod(open_fd_count)

    def __init__(self) -> None:
        super().__init__()
        self._nofile = nofile_limit()

    def _accept_connection(
        self,
        protocol_factory: Any,
        sock: Any,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *rest: Any,
    ) -> None:
        held = type(self).open_fds()
        if held is not None:
            budget = accept_budget(nofile=self._nofile, open_fds=held, slack=ACCEPT_SLACK, backlog=backlog)
            if budget == 0:  # rest, then listen again: no EMFILE, no busy loop on a readable listener
                _log_cap(self._nofile - ACCEPT_SLACK, "no free file descriptor; pausing accept() briefly")
                self._remove_reader(sock.fileno())  # type: ignore[attr-defined]
                self.call_later(
                    ACCEPT_PAUSE_SECONDS,
                    self._start_serving,  # type: ignore[attr-defined]
                    protocol_factory,
                    sock,
                    sslcontext,
                    server,
                    backlog,
                    *rest,
                )
                return
            backlog = budget
        super()._accept_connection(  # type: ignore[misc]
            protocol_factory, sock, sslcontext, server, backlog, *rest
        )
