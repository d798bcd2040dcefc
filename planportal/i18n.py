"""Which language a page is being rendered in, for labels that differ by more than a catalogue entry."""

import re

from django.utils.translation import get_language

# Hiragana, katakana, CJK ideographs (and compatibility ones), half-width katakana.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def is_english() -> bool:
    return (get_language() or "ja").startswith("en")


def has_japanese(text) -> bool:
    """Whether ``text`` holds Japanese script: on English pages, plan content to mark lang="ja"."""
    return bool(_JAPANESE.search(str(text)))
