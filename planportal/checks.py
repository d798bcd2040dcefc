"""System checks for what the settings alone cannot promise: the machine and the database.

``manage.py check`` (and ``migrate``, so ``make run``) prints them; the database check
runs where Django runs database checks (``check --database default``, ``migrate``).
"""

from django.conf import settings
from django.core import checks
from django.db import connections

from planportal.fonts import japanese_font_installed

# A Japanese word of three characters: pg_trgm splits it into trigrams only when the
# database's ctype classifies kanji as letters.
TRIGRAM_PROBE = "町内会"


@checks.register()
def japanese_font_check(app_configs=None, **kwargs):
    if japanese_font_installed():
        return []
    return [
        checks.Warning(
            f"The Japanese font of the PDFs is missing: {settings.PDF_FONT_FILE}.",
            hint="Install it (apt-get install fonts-ipaexfont-gothic) or set PDF_FONT_FILE. "
            "Until then the PDF pages say that PDFs cannot be made.",
            id="planportal.W001",
        )
    ]


@checks.register(checks.Tags.database)
def trigram_ctype_check(app_configs=None, databases=None, **kwargs):
    return [
        warning
        for alias in databases or ()
        if (warning := trigram_ctype_warning(connections[alias])) is not None
    ]


def trigram_ctype_warning(connection) -> checks.Warning | None:
    """Warn when pg_trgm sees no trigrams in Japanese text (a 'C' or 'POSIX' ctype).

    The search still finds everything, but its trigram indexes match every row,
    so each search reads whole tables. Without pg_trgm installed yet (before the
    first migrate), a regular expression tells the same: both classify
    characters by the database's ctype.
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datctype, EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') "
            "FROM pg_database WHERE datname = current_database()"
        )
        ctype, has_trigrams = cursor.fetchone()
        if has_trigrams:
            cursor.execute("SELECT cardinality(show_trgm(%s)) > 0", [TRIGRAM_PROBE])
        else:
            cursor.execute("SELECT %s ~ '[[:alpha:]]'", [TRIGRAM_PROBE[0]])
        (japanese_is_text,) = cursor.fetchone()
    if japanese_is_text:
        return None
    return checks.Warning(
        f"The database {connection.settings_dict['NAME']!r} has the ctype {ctype!r}: "
        "pg_trgm finds no trigrams in Japanese text, so the search's trigram indexes "
        "cannot narrow a search.",
        hint="Create the database with a UTF-8 ctype, e.g. "
        "CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8', and restore the data into it.",
        id="planportal.W002",
    )
