"""Which comments say much the same thing: a hint for staff grouping comments into 論点.

Japanese has no spaces between words, so texts are compared by their sets of
character bigrams (Jaccard similarity) after folding width and case and
dropping spaces and punctuation. Organised campaigns that send one text
many times score 1.0; paraphrases of one point score well above unrelated
comments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

SUGGESTION_THRESHOLD = 0.3


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def bigrams(text: str) -> frozenset[str]:
    folded = _folded(text)
    if len(folded) < 2:
        return frozenset([folded]) if folded else frozenset()
    return frozenset(folded[i : i + 2] for i in range(len(folded) - 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similarity(first: str, second: str) -> float:
    """0.0 (nothing in common) to 1.0 (the same text, up to width, case and punctuation)."""
    return _jaccard(bigrams(first), bigrams(second))


def most_similar(
    text: str, candidates: Iterable[tuple[object, str]], *, threshold=SUGGESTION_THRESHOLD
) -> list[tuple[object, float]]:
    """The keys of the candidate texts at least ``threshold`` similar to ``text``, best first."""
    target = bigrams(text)
    scored = [(key, _jaccard(target, bigrams(candidate))) for key, candidate in candidates]
    return sorted(
        [(key, score) for key, score in scored if score >= threshold], key=lambda pair: -pair[1]
    )
