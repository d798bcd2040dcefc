"""Backups: a dump of the seeded site restores into an empty database, identically."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.urls import reverse

from planportal.permissions import WARD_EDITORS
from policies.backup import dump_site
from policies.models import EditConflict, StaffScope, Ward
from projects.models import Project
from tests.admin_forms import form_data

BASE = str(settings.BASE_DIR)


@contextmanager
def empty_database():
    """The URL of a new, empty database of the engine under test; dropped afterwards."""
    if connection.vendor == "sqlite":
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/restored.sqlite3"
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_restore"
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER"),
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{params['password']}" if params["password"] else ""
        yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url, *args, tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def same_instant(value):
    """Django's JSON keeps milliseconds: 12:00:00.000Z (0.0004 s) reloads as 12:00:00Z."""
    if isinstance(value, str) and value.endswith(".000Z"):
        return value[: -len(".000Z")] + "Z"
    return value


def canonical(path):
    """The dump's records, in a stable order (many-to-many lists sorted)."""
    records = []
    for record in json.loads(path.read_text(encoding="utf-8")):
        fields = {
            name: sorted(value, key=repr) if isinstance(value, list) else same_instant(value)
            for name, value in record["fields"].items()
        }
        records.append({**record, "fields": fields})
    return sorted(records, key=lambda r: (r["model"], repr(r.get("pk")), repr(r["fields"])))


def test_a_backup_of_the_seeded_site_restores_identically(
    admin_client, make_staff, client_for, tmp_path
):
    # Beyond the seed: history with a user, a staff scope, a refused edit.
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    url = reverse("admin:projects_project_change", args=[project.pk])
    stale = form_data(admin_client.get(url))
    fresh = dict(stale, summary="バックアップ前の変更")
    assert admin_client.post(url, fresh).status_code == 302
    editor = make_staff("saiwai", WARD_EDITORS, ward=Ward.objects.get(slug="saiwai-ku"))
    assert client_for(editor).post(url, dict(stale, baseline="衝突")).status_code == 200
    assert EditConflict.objects.exists() and StaffScope.objects.exists()

    original = tmp_path / "site.json"
    dump_site(str(original))
    restored = tmp_path / "restored.json"
    with empty_database() as database_url:
        manage(database_url, "migrate", "--noinput", tmp_path=tmp_path)
        out = manage(database_url, "restore_site", str(original), tmp_path=tmp_path)
        assert "Restored 7 plan(s)" in out
        manage(database_url, "check_plan_trees", tmp_path=tmp_path)
        manage(database_url, "backup_site", str(restored), tmp_path=tmp_path)
        # A second restore into the now full database is refused.
        again = subprocess.run(
            [sys.executable, "manage.py", "restore_site", str(original)],
            cwd=BASE,
            env={**os.environ, "DATABASE_URL": database_url, "HTTPS_ONLY": "0"},
            capture_output=True,
            text=True,
        )
        assert again.returncode != 0 and "not empty" in again.stderr

    before, after = canonical(original), canonical(restored)
    models = {record["model"] for record in before}
    # What the comparison covers: content, tree numbers, history, staff and their work.
    assert {
        "policies.plan",
        "policies.policynode",
        "policies.historicalpolicynode",
        "projects.historicalproject",
        "projects.yearlytarget",
        "schedule.planperiod",
        "auth.user",
        "auth.group",
        "policies.staffscope",
        "policies.editconflict",
        "admin.logentry",
    } <= models
    node = next(r for r in before if r["model"] == "policies.policynode")
    assert {"lft", "rght", "tree_id", "level"} <= set(node["fields"])
    assert any(
        r["model"] == "projects.historicalproject"
        and r["fields"]["summary"] == "バックアップ前の変更"
        and r["fields"]["history_user"] == ["chief"]
        for r in before
    )
    assert len(before) == len(after)
    assert before == after
