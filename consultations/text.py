"""Cleaning what a citizen types, before it is validated, stored or shown.

One normal form (NFKC: full-width letters and digits become ASCII, half-width
katakana become full-width), one kind of line break, and none of the
invisible characters that can hide or reorder text (control characters, bidi
overrides, zero-width spaces). Text stays plain text: it is escaped wherever
it is shown.
"""

from __future__ import annotations

import unicodedata

MAX_COMMENT_LENGTH = 2000
MAX_NAME_LENGTH = 100

# Invisible format characters that can disguise text: bidi marks, embeddings,
# overrides and isolates; zero-width space, word joiner, byte-order mark.
# (The zero-width joiner U+200D stays: emoji sequences need it.)
INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` normalized: NFKC, ``\\n`` line breaks (or spaces), no control or
    invisible characters, tabs as spaces, stripped at both ends."""
    for line_break in LINE_BREAKS:
        value = value.replace(line_break, "\n")
    value = unicodedata.normalize("NFKC", value)
    kept = []
    for char in value:
        if char == "\n":
            kept.append(char if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif char in INVISIBLE or unicodedata.category(char) in ("Cc", "Cs"):
            continue
        else:
            kept.append(char)
    return "".join(kept).strip()
