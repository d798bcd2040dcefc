"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

BASE = str(settings.BASE_DIR)


def run_settings(expression="s.DATABASES['default']['ENGINE']", **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import planportal.settings as s; print({expression})",
        ],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_settings_require_a_secret_key():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_selects_the_database():
    assert run_settings(SECRET_KEY="x").stdout.strip() == "django.db.backends.sqlite3"
    postgres = run_settings(SECRET_KEY="x", DATABASE_URL="postgres://planner@db.example:5432/plans")
    assert postgres.stdout.strip() == "django.db.backends.postgresql"


def test_postgresql_connections_run_without_jit_read_cursors_whole_and_are_kept():
    url = "postgres://planner@db.example:5432/plans"
    database = "s.DATABASES['default']"
    options = run_settings(f"{database}['OPTIONS']['options']", SECRET_KEY="x", DATABASE_URL=url)
    assert options.stdout.strip() == "-c jit=off -c cursor_tuple_fraction=1"
    given = run_settings(
        f"{database}['OPTIONS']['options']",
        SECRET_KEY="x",
        DATABASE_URL=url + "?options=-c%20statement_timeout%3D5000%20-c%20jit%3Don",
    )
    assert given.stdout.strip() == "-c statement_timeout=5000 -c jit=on -c cursor_tuple_fraction=1"
    kept = run_settings(f"{database}['CONN_MAX_AGE']", SECRET_KEY="x", DATABASE_URL=url)
    assert kept.stdout.strip() == "60"
    sqlite = run_settings(f"{database}.get('OPTIONS')", SECRET_KEY="x")
    assert "jit" not in sqlite.stdout


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
def test_the_portal_talks_to_postgresql_with_jit_off_and_cursors_planned_whole():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone() == ("1",)


def test_japanese_first_in_tokyo():
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
