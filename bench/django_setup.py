"""How the benchmarks start Django: a throwaway SQLite database of their own in
``bench/out/`` (or the ``DATABASE_URL`` given, for those that take one), the
production settings, migrated."""

import os
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def setup_django(
    name: str, *, given_database: bool = False, reuse: bool = False, cache: str = "cache"
) -> None:
    """``name``: the SQLite file's; ``given_database``: a ``DATABASE_URL`` in the
    environment wins; ``reuse``: keep the file from the last run."""
    OUT.mkdir(parents=True, exist_ok=True)
    if not (given_database and "DATABASE_URL" in os.environ):
        database = OUT / f"{name}.sqlite3"
        if not reuse:
            database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["CACHE_DIR"] = str(OUT / cache)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
