"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys

from django.conf import settings

BASE = str(settings.BASE_DIR)


def run_settings(**env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import planportal.settings as s; print(s.DATABASES['default']['ENGINE'])",
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


def test_japanese_first_in_tokyo():
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
