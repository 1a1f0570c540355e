"""Conversation memory for follow-ups: in the process (``SessionStore``, bounded in size and time), or
carried by the client as a signed token (``ConversationCodec``), so that any worker answers the next turn."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from qa.planner import Turn


@dataclass(slots=True)
class Session:
    """One conversation: the previous turn a follow-up refers to."""

    id: str
    turn: Turn | None = None
    touched: float = field(default_factory=time.monotonic)


class SessionStore:
    """Thread-safe store.

    The oldest session is dropped past ``max_sessions``, idle ones after ``ttl_seconds``.
    """

    def __init__(self, max_sessions: int = 10_000, ttl_seconds: float = 1800.0) -> None:
        self.max_sessions = max_sessions
        self.ttl = ttl_seconds
        self._data: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, session_id: str | None) -> Session:
        """The live session with that id, or a new one with a new id this store chose.

        An id the store does not hold (never issued, or expired) is never adopted: a client that could
        name its own session could pick one another client will be given, or a predictable one.
        """
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if session_id and session_id in self._data:
                s = self._data[session_id]
                s.touched = now
                self._data.move_to_end(session_id)
                return s
            s = Session(id=uuid.uuid4().hex)
            self._data[s.id] = s
            while len(self._data) > self.max_sessions:
                self._data.popitem(last=False)
            return s

    def _expire(self, now: float) -> None:
        while self._data:
            oldest = next(iter(self._data.values()))
            if now - oldest.touched <= self.ttl:
                break
            self._data.popitem(last=False)


class ConversationCodec:
    """The previous turn carried by the client instead of the server: a compact, signed, expiring token.

    The token holds the previous question's effective text (cut to ``max_text`` characters) and its answer's
    task keys, compressed, with an HMAC-SHA256 tag over them, so that any worker or replica holding the same
    secret can answer a follow-up, and none accepts a turn it did not issue. A token that is forged, damaged
    or older than ``ttl_seconds`` decodes to None: the conversation starts again.
    """

    VERSION = "c1"

    def __init__(self, secret: bytes, *, ttl_seconds: float = 1800.0, max_text: int = 200) -> None:
        if len(secret) < 16:
            raise ValueError("the conversation secret must be at least 16 bytes")
        self._secret = secret
        self.ttl = ttl_seconds
        self.max_text = max_text

    def encode(
        self,
        text: str,
        keys: Iterable[tuple[str, int]],
        *,
        conversation: str = "",
        now: float | None = None,
    ) -> str:
        """A token for the turn just answered; ``conversation`` names the conversation across its turns (a
        new random one when empty)."""
        docs: dict[str, list[int]] = {}
        for doc, task in sorted(set(keys)):
            docs.setdefault(doc, []).append(task)
        payload = {
            "i": conversation or self.new_conversation(),
            "t": text[: self.max_text],
            "k": {doc: _deltas(ids) for doc, ids in docs.items()},
            "x": int((now if now is not None else time.time()) + self.ttl),
        }
        raw = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), 9)
        body = _b64(raw)
        return f"{self.VERSION}.{body}.{self._tag(body)}"

    def decode(
        self, token: str, *, now: float | None = None
    ) -> tuple[str, str, frozenset[tuple[str, int]]] | None:
        """(conversation, text, keys) of a token this codec issued that has not expired; else None."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != self.VERSION:
            return None
        _, body, tag = parts
        if not hmac.compare_digest(tag, self._tag(body)):
            return None
        try:
            payload = json.loads(zlib.decompress(_unb64(body)).decode("utf-8"))
            expires = int(payload["x"])
            conversation = str(payload["i"])
            text = str(payload["t"])
            keys = frozenset(
                (str(doc), task) for doc, deltas in payload["k"].items() for task in _undeltas(deltas)
            )
        except (ValueError, KeyError, TypeError, zlib.error):
            return None
        if expires < (now if now is not None else time.time()):
            return None
        return conversation, text, keys

    @staticmethod
    def new_conversation() -> str:
        return uuid.uuid4().hex[:16]

    def conversation_of(self, token: str | None) -> str | None:
        """The conversation a valid token belongs to (stable across its turns), else None."""
        decoded = self.decode(token) if token else None
        return decoded[0] if decoded else None

    def _tag(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest()[:16])


def _deltas(ids: list[int]) -> list[int]:
    return [b - a for a, b in zip([0, *ids], ids, strict=False)]


def _undeltas(deltas: Iterable[object]) -> list[int]:
    out, total = [], 0
    for d in deltas:
        if not isinstance(d, int) or d < 0:
            raise ValueError("bad key")
        total += d
        out.append(total)
    return out


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
