"""Pure checks on user text, each written once as a regex so the OpenAPI schema can show it.

The schema's ``pattern`` and the server's check are the same expression, so a client
generating requests from ``/openapi.json`` (schemathesis does) and the server agree on
what is valid. Character classes are spelled out instead of ``\\s`` because ECMAScript
and Python disagree on which characters ``\\s`` matches.
"""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, and DEL.
CONTROL_CLASS = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f"
# Lone surrogates are valid JSON escapes but cannot be encoded as UTF-8, so they would break
# responses and the feedback store. Checked by the server but left out of the schema patterns:
# an ECMAScript regex without the u flag would read every emoji as two of them.
_SURROGATES = "\\ud800-\\udfff"
# Characters that do not make a question non-empty: white space, and characters that show nothing on their
# own — zero-width and bidirectional format characters (U+200B–U+200F, U+202A–U+202E, U+2060–U+2064,
# U+206A–U+206F, U+FEFF, soft hyphen, U+061C, U+180E), the Hangul fillers (U+115F, U+1160, U+3164,
# U+FFA0), the combining grapheme joiner, variation selectors and the blank Braille pattern. A question of
# only these would otherwise be embedded and answered as if it said something.
BLANK_CLASS = (
    "\\t\\n \\u00a0\\u00ad\\u034f\\u061c\\u115f\\u1160\\u1680\\u17b4\\u17b5\\u180b-\\u180f"
    "\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u2064\\u206a-\\u206f\\u2800\\u3000\\u3164"
    "\\ufe00-\\ufe0f\\ufeff\\uffa0"
)

NO_CONTROL_PATTERN = f"^[^{CONTROL_CLASS}]*$"
NONBLANK_PATTERN = f"^[^{CONTROL_CLASS}]*[^{CONTROL_CLASS}{BLANK_CLASS}][^{CONTROL_CLASS}]*$"
# "2022-12", "2022-9" or "2022年9月"; empty means "not given" (what an HTML form sends).
MONTH_PATTERN = "^(([0-9]{4})(-(0?[1-9]|1[0-2])|年(0?[1-9]|1[0-2])月))?$"

_CONTROL = re.compile(f"[{CONTROL_CLASS}{_SURROGATES}]")
_NONBLANK = re.compile(f"[^{CONTROL_CLASS}{BLANK_CLASS}]")
_BLANK_EDGES = re.compile(f"^[{BLANK_CLASS}]+|[{BLANK_CLASS}]+$")
_MONTH = re.compile(MONTH_PATTERN)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character other than tab and newline."""
    return _CONTROL.search(text) is not None


def is_blank(text: str) -> bool:
    """True when ``text`` has nothing but blanks and control characters."""
    return _NONBLANK.search(text) is None


def strip_blank(text: str) -> str:
    """``text`` without leading and trailing blanks (the blanks of :data:`BLANK_CLASS`)."""
    return _BLANK_EDGES.sub("", text)


def parse_month(text: str) -> tuple[int, int] | None:
    """``"2022-09"`` / ``"2022-9"`` / ``"2022年9月"`` → ``(2022, 9)``; ``""`` → None.

    Raises:
        ValueError: anything else.
    """
    # search, not fullmatch: it is how the schema's pattern reads ("$" allows one final newline).
    m = _MONTH.search(text)
    if m is None:
        raise ValueError(f"not a month: {text!r}")
    if m.group(1) is None:
        return None
    return int(m.group(2)), int(m.group(4) or m.group(5))
