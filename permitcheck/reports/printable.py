"""Strings from a model, site or rulebook made safe to print on a terminal.

A name may hold escape sequences (``\\x1b[31m``, an OSC window title ``\\x1b]0;...\\x07``), C1
controls, line breaks that fake a verdict line, or bidirectional overrides that reorder what the
officer reads. rich strips none of them, and NO_COLOR does not apply to data. Every terminal
report passes its result through `printable` first, so each such character shows as a visible
escape (``\\x1b``, ``\\u202e``) and the text is read as written.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included: a table cell or a one-line error has neither), DEL, C1
# controls, and the Unicode format characters that reorder or hide text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_UNSAFE_BEYOND_C0 = re.compile("[\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable_str(text: str) -> str:
    """`text` with every control or reordering character shown as its escape."""
    return _UNSAFE.sub(_escape, text)


def printable(value):
    """A copy of a result (dicts, lists, strings, numbers) with every string made printable."""
    if isinstance(value, str):
        return printable_str(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    return value


def json_text(data) -> str:
    """JSON for stdout: strict (no NaN), UTF-8 kept, but C1 controls and reordering marks as \\u escapes."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    # json.dumps already escapes C0 controls in strings (the newlines left are its indentation);
    # what it leaves of the rest can only stand inside strings
    return _UNSAFE_BEYOND_C0.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
