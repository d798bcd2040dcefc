"""Receipt numbers (受付番号): what a citizen quotes when asking about a comment.

A receipt number names the comment period and the comment's place in it:
``PC001-00012`` is the 12th comment of period 1. Short, unambiguous when read
out on the phone, and sortable within a period.
"""

from __future__ import annotations

PREFIX = "PC"


def receipt_number(period_id: int, sequence: int) -> str:
    if period_id < 1 or sequence < 1:
        raise ValueError("period and sequence numbers start at 1")
    return f"{PREFIX}{period_id:03d}-{sequence:05d}"
