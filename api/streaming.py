"""Server-Sent Events for a computed answer (pure functions; the route streams their output).

The answer is complete before the first byte goes out — it is deterministic and fast — so
streaming only paces the text for the widget; ``"".join(pieces)`` is always the answer.
"""

from __future__ import annotations

import json

# Cut after these when one is near the target length, so the widget never shows half a clause.
BREAKS = frozenset("，。；：、！？,.;:!?）)」』】\n ")


def split_pieces(text: str, size: int = 12) -> list[str]:
    """Split ``text`` into pieces of about ``size`` characters, cutting after punctuation where possible.

    Each piece ends after the break character nearest to ``size`` between ``size/2`` and ``3*size/2``
    characters, or at ``size`` when there is none; so every piece is non-empty, at most
    ``3*size/2`` long, and the pieces join back to ``text``.
    """
    size = max(1, size)
    low, high = max(1, size // 2), max(1, size + size // 2)
    pieces: list[str] = []
    start = 0
    while start < len(text):
        if len(text) - start <= high:
            pieces.append(text[start:])
            break
        cut = start + size
        best: int | None = None
        for end in range(start + low, start + high + 1):  # a piece ending after text[end - 1]
            if text[end - 1] in BREAKS and (
                best is None or abs(end - (start + size)) < abs(best - (start + size))
            ):
                best = end
        if best is not None:
            cut = best
        pieces.append(text[start:cut])
        start = cut
    return pieces


def sse_event(event: str, data: object) -> bytes:
    """One SSE frame; JSON never holds a raw newline, so ``data`` fits on one line."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()
