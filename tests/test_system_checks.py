"""``manage.py check`` reports what the machine or the database lacks."""

import pytest
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connection, connections

from planportal.checks import TRIGRAM_PROBE, trigram_ctype_warning


def warning_ids(**kwargs) -> set[str]:
    return {message.id for message in checks.run_checks(**kwargs)}


def test_check_reports_a_missing_japanese_font(settings, tmp_path):
    settings.PDF_FONT_FILE = str(tmp_path / "ipaexg.ttf")
    assert "planportal.W001" in warning_ids()
    (tmp_path / "ipaexg.ttf").write_bytes(b"a font file")
    assert "planportal.W001" not in warning_ids()


@pytest.mark.django_db
def test_the_test_database_serves_japanese_trigram_search():
    assert "planportal.W002" not in warning_ids(databases=["default"])
    assert trigram_ctype_warning(connection) is None


@pytest.fixture
def database_with_ctype(db):
    """Connections to new, empty PostgreSQL databases created with a given ctype."""
    created = []

    def create(ctype):
        name = f"{connection.settings_dict['NAME']}_ctype_{len(created)}"[:63]
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                f"LC_COLLATE '{ctype}' LC_CTYPE '{ctype}'"
            )
        wrapper = type(connections[DEFAULT_DB_ALIAS])
        probe = wrapper({**connection.settings_dict, "NAME": name}, alias=name)
        created.append(probe)
        return probe

    yield create
    for probe in created:
        probe.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{probe.settings_dict["NAME"]}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm and ctypes: PostgreSQL")
def test_a_c_ctype_database_is_reported_with_or_without_pg_trgm(database_with_ctype):
    c_ctype = database_with_ctype("C")
    before = trigram_ctype_warning(c_ctype)  # before migrate: no pg_trgm yet
    with c_ctype.cursor() as cursor:
        cursor.execute("CREATE EXTENSION pg_trgm")
        cursor.execute("SELECT show_trgm(%s)", [TRIGRAM_PROBE])
        assert cursor.fetchone() == ([],)  # what the warning is about
    after = trigram_ctype_warning(c_ctype)
    for warning in (before, after):
        assert warning.id == "planportal.W002"
        assert "'C'" in warning.msg

    utf8 = database_with_ctype("C.UTF-8")
    assert trigram_ctype_warning(utf8) is None
    with utf8.cursor() as cursor:
        cursor.execute("CREATE EXTENSION pg_trgm")
    assert trigram_ctype_warning(utf8) is None
