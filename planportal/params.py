"""Values read from a query string, which anyone can write."""

from __future__ import annotations


def parse_id(value: str | None) -> int | None:
    """A database id written in ASCII digits, else None.

    ``str.isdigit()`` also accepts "²" and "①", which ``int()`` and the
    database refuse: such a parameter would otherwise end in a server error.
    """
    if not value or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def carries_nul(query) -> bool:
    """Whether a QueryDict has U+0000 in a key or a value: PostgreSQL refuses it in
    any text it compares, with a server error."""
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )
