"""Which language a page is being rendered in, for labels that differ by more than a catalogue entry."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "ja").startswith("en")
