"""Production hardening: check --deploy, HTTPS by default, CSP, /healthz, sign-in lockout."""

import os
import runpy
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from policies.models import PolicyNode

BASE = str(settings.BASE_DIR)
STRONG_KEY = "k7Qv2-deploy-check-" + "x9Zr4TbW1mLp8sNc3Hd6Fy0Ju5Ga2Ek7Vq"


def run(args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "HTTPS_ONLY", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    environment.update({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "plans.example.jp", **env})
    return subprocess.run(args, cwd=BASE, env=environment, capture_output=True, text=True)


def setting(name, **env):
    result = run(
        [sys.executable, "-c", f"import planportal.settings as s; print(repr(s.{name}))"], **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_check_deploy_without_warnings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_is_enforced_unless_https_only_is_0():
    assert setting("SECURE_SSL_REDIRECT") == "True"
    assert setting("SESSION_COOKIE_SECURE") == "True"
    assert setting("CSRF_COOKIE_SECURE") == "True"
    assert int(setting("SECURE_HSTS_SECONDS")) >= 31536000
    assert setting("SECURE_PROXY_SSL_HEADER") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert setting("SECURE_SSL_REDIRECT", HTTPS_ONLY="1") == "True"
    assert setting("SECURE_SSL_REDIRECT", HTTPS_ONLY="0") == "False"
    assert setting("SESSION_COOKIE_SECURE", HTTPS_ONLY="0") == "False"
    assert setting("SECURE_HSTS_SECONDS", HTTPS_ONLY="0") == "0"


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=31536000,
    SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
    ALLOWED_HOSTS=["plans.example.jp"],
)
def test_behind_a_tls_proxy_http_redirects_and_https_gets_hsts():
    client = Client(HTTP_HOST="plans.example.jp")
    plain = client.get("/plans/kawasaki/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://plans.example.jp/plans/kawasaki/"
    secure = client.get("/plans/kawasaki/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code == 200  # probes may use plain HTTP


@pytest.mark.django_db
def test_every_response_has_a_csp_without_unsafe_inline(admin_client, client):
    for response in (client.get("/"), client.get("/plans/kawasaki/"), admin_client.get("/admin/")):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_healthz_checks_the_database_without_sign_in_or_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.get("/en/healthz").status_code == 404  # not under the language prefix


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    script = (
        "import django, os; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.json()['status'])"
    )
    result = run(
        [sys.executable, "-c", script],
        DJANGO_SETTINGS_MODULE="planportal.settings",
        HTTPS_ONLY="0",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
        CACHE_DIR=str(tmp_path),
    )
    assert result.stdout.split() == ["503", "error"], result.stderr[-2000:]


@pytest.mark.django_db
def test_admin_sign_in_locks_out_after_repeated_failures(client):
    get_user_model().objects.create_superuser("target", "t@example.org", "right-password-1")
    login = "/admin/login/?next=/admin/"
    ok = client.post(login, {"username": "target", "password": "right-password-1"})
    assert ok.status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        wrong = client.post(login, {"username": "target", "password": "guess"})
        assert wrong.status_code in (200, 429)
    locked = client.post(login, {"username": "target", "password": "right-password-1"})
    assert locked.status_code == 429
    assert "ログインを一時停止しています" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out.
    get_user_model().objects.create_superuser("other", "o@example.org", "other-password-1")
    assert (
        client.post(login, {"username": "other", "password": "other-password-1"}).status_code == 302
    )


def test_the_gunicorn_configuration_loads():
    result = run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "gunicorn.conf.py",
            "planportal.wsgi",
        ],
        HTTPS_ONLY="0",
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_gunicorn_recycles_its_workers_at_staggered_counts(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS_JITTER", raising=False)
    config = runpy.run_path("gunicorn.conf.py")
    assert config["max_requests"] > 0 and 0 < config["max_requests_jitter"] < config["max_requests"]
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")
    assert runpy.run_path("gunicorn.conf.py")["max_requests"] == 0  # never


@pytest.mark.django_db
def test_what_signed_in_staff_get_is_private_and_never_stored(admin_client, client):
    draft = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(2)")
    PolicyNode.objects.filter(pk=draft.pk).unpublish()
    for url in (
        draft.get_absolute_url(),  # a draft, in preview
        f"/plans/kawasaki-2011/nodes/{draft.pk}/export/csv/",
        "/plans/kawasaki/",
        "/plans/kawasaki/schedule.ics",
        "/admin/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url
        assert "public" not in directives, url
    assert "private" not in client.get("/plans/kawasaki/").get("Cache-Control", "")


@pytest.mark.django_db
def test_a_nul_character_in_an_admin_query_string_is_refused(admin_client):
    """PostgreSQL refuses U+0000 in text it compares: the request is refused before.
    (The public search validates its form, and says so: tests/test_search.py.)"""
    autocomplete = {"app_label": "projects", "model_name": "project", "field_name": "home_node"}
    for url, params in (
        ("/admin/autocomplete/", {**autocomplete, "term": "\x00"}),
        ("/admin/projects/project/", {"q": "事業\x00"}),
        ("/admin/projects/project/", {"name__contains\x00": "x"}),
    ):
        response = admin_client.get(url, params)
        assert response.status_code == 400, (url, params)
        assert "リクエストを処理できません" in response.content.decode()
    assert (
        admin_client.get("/admin/autocomplete/", {**autocomplete, "term": "事業"}).status_code
        == 200
    )
