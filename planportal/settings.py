"""Settings for Plan Portal, read from the environment.

One settings module for every environment. Operators set:

- ``DEBUG``: ``1`` for development; off (the default) in production.
- ``SECRET_KEY``: required whenever ``DEBUG`` is off.
- ``DATABASE_URL``: ``postgres://user@host:5432/name`` for PostgreSQL; the
  default is an embedded SQLite file in the project folder. PostgreSQL
  connections run with JIT off and live ``DATABASE_CONN_MAX_AGE`` seconds.
- ``ALLOWED_HOSTS``: comma-separated host names.
- ``HTTPS_ONLY``: on by default (SSL redirect, secure cookies, HSTS, trust in
  the proxy's ``X-Forwarded-Proto``); ``0`` only to serve plain HTTP on localhost.
- ``EMAIL_*``, ``DEFAULT_FROM_EMAIL``: how acknowledgements of public comments
  are sent (not at all unless configured).
- ``DATABASE_REPLICA_URL``: an optional read replica for public pages.
- ``CACHE_URL`` (or ``REDIS_URL``): the shared Redis cache of a multi-host
  deployment; unset, a file cache in ``CACHE_DIR`` on this host.
- ``TRUSTED_PROXY_COUNT``, ``COMMENT_RATE_LIMIT``, ``COMMENT_RATE_WINDOW``: the
  per-client limit on public comments (see consultations/throttle.py).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    """Read a boolean from the environment ("1", "true", "yes", "on")."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    # Development only: a key that is obviously not a secret.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "planportal.apps.PlanPortalConfig",
    "planportal.apps.PlanPortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "mptt",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "policies",
    "projects",
    "rounds",
    "schedule",
    "consultations",
]

MIDDLEWARE = [
    # First, so that it sees every response last: private unless a view made it public.
    "planportal.caching.private_unless_public",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and authentication: a cached public page is served from here.
    "planportal.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "planportal.middleware.PrivateToSignedInUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: refuses sign-ins while an account is locked.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planportal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planportal.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "planportal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL settings for the portal's connections, kept beside any ``?options=`` the
# DATABASE_URL gives (one it sets itself wins):
# - its queries are short: the JIT compiles each one for longer than it then runs (85-90 %
#   of a search's time on a 20,000-project plan);
# - Django's server-side cursors (the streamed exports) are WITH HOLD, read whole when
#   declared: a plan made for the first tenth of the rows (the default fraction) only
#   slows them (the 20,000-project plan's CSV: 3.9 s instead of 1.5).
POSTGRESQL_SETTINGS = {"jit": "off", "cursor_tuple_fraction": "1"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    connection_options = DATABASES["default"].setdefault("OPTIONS", {})
    for name, value in POSTGRESQL_SETTINGS.items():
        if f"{name}=" not in connection_options.get("options", ""):
            connection_options["options"] = (
                f"{connection_options.get('options', '')} -c {name}={value}".strip()
            )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one file: wait for a lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# DATABASE_REPLICA_URL: a read replica of the primary for public pages
# (planportal/db_routing.py). A client that wrote reads the primary for
# REPLICA_PIN_SECONDS; for REPLICA_MAX_LAG seconds after a content change every
# page reads the primary, so the replica's lag must stay below it.
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "15"))
REPLICA_MAX_LAG = float(os.environ.get("REPLICA_MAX_LAG", "5"))
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["planportal.db_routing.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(1, "planportal.db_routing.replica_reads")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A page of the evaluation grid (200 rows, 11 fields each) posts about 2,200 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Japanese first; the UI chrome is also available in English.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("英語"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The cache holds rendered pages, the content version that invalidates them,
# built PDFs and the comment rate limit's counters (planportal/caching.py).
# CACHE_URL (or REDIS_URL), e.g. redis://127.0.0.1:6379/0, shares it between
# hosts: required as soon as there is more than one web or worker host. Unset,
# a file cache in CACHE_DIR is shared by the workers of one host.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, except that a Redis outage is a cache miss, not an error.
            "BACKEND": "planportal.caching.FaultTolerantRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "planportal"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("CACHE_SOCKET_TIMEOUT", "2")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR") or str(BASE_DIR / ".cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# PAGE_CACHE=0 renders every public page (benchmarks of rendering, debugging);
# the HTTP caching headers stay.
PAGE_CACHE = env_flag("PAGE_CACHE", True)

# HTTP caching of public pages (planportal.caching.mark_public): how long
# browsers and front caches (nginx, a CDN) may keep a page, in seconds. An edit
# reaches every visitor within HTTP_SHARED_MAX_AGE + HTTP_STALE_WHILE_REVALIDATE.
HTTP_MAX_AGE = int(os.environ.get("HTTP_MAX_AGE", "60"))
HTTP_SHARED_MAX_AGE = int(os.environ.get("HTTP_SHARED_MAX_AGE", "60"))
HTTP_STALE_WHILE_REVALIDATE = int(os.environ.get("HTTP_STALE_WHILE_REVALIDATE", "30"))

# The task queue (planportal/task_queue.py): jobs stored in the database, run
# by `manage.py db_worker` on any host. A job running longer than
# TASK_CLAIM_TIMEOUT seconds is taken for orphaned (its worker died) and run
# again, at most TASK_MAX_ATTEMPTS times in all. Each client may have
# PDF_QUEUE_PER_CLIENT PDF builds waiting.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_CLAIM_TIMEOUT = int(os.environ.get("TASK_CLAIM_TIMEOUT", str(15 * 60)))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))
PDF_QUEUE_PER_CLIENT = int(os.environ.get("PDF_QUEUE_PER_CLIENT", "3"))
# A long section's PDF is laid out in parts, each in a child process of the worker,
# PDF_PART_PROCESSES of them at once, each part that much shorter, so that the memory
# stays the same (projects/printing.py; README "Long sections in parts"): two where
# the host has two cores or more.
PDF_PART_PROCESSES = int(os.environ.get("PDF_PART_PROCESSES", str(min(2, os.cpu_count() or 1))))
# A confirmed admin import of more rows than this runs in the queue, not the request.
IMPORT_QUEUE_ROWS = int(os.environ.get("IMPORT_QUEUE_ROWS", "2000"))

# E-mail: acknowledgements of public comments. Until an operator sets
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.,
# they are not sent, and the log says only how many (never an address or a
# receipt number, as the console backend would print).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "planportal.mail.UnsentEmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# Public comment: how many reverse proxies in front of the portal append to
# X-Forwarded-For (0: use the connection's address, ignore the header), and how
# many comments one client may send per window of seconds.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
COMMENT_RATE_LIMIT = int(os.environ.get("COMMENT_RATE_LIMIT", "10"))
COMMENT_RATE_WINDOW = int(os.environ.get("COMMENT_RATE_WINDOW", "900"))

# The Japanese font the PDFs embed (IPAex Gothic; Debian: fonts-ipaexfont-gothic). Fontconfig
# must know it (any folder under /usr/share/fonts); without it no PDF is made (planportal/fonts.py).
PDF_FONT_FILE = os.environ.get(
    "PDF_FONT_FILE", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
)

# The seed documents the demo data is parsed from (see fixtures/seeds/README.md).
SEED_DOCUMENTS_DIR = BASE_DIR / "fixtures" / "seeds"

# --- Hardening (see README "Deployment") -------------------------------------

HTTPS_ONLY = env_flag("HTTPS_ONLY", True)
# A TLS-terminating proxy in front of gunicorn says which scheme the visitor
# used; it must overwrite any X-Forwarded-Proto the client sent.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS_ONLY else None
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes may use plain HTTP
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = (
    int(os.environ.get("HSTS_SECONDS", str(60 * 60 * 24 * 365))) if HTTPS_ONLY else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts and styles only from our own files (no
# 'unsafe-inline', no inline <script>).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Brute-force protection of the admin sign-in (django-axes): after
# AXES_FAILURE_LIMIT failures, that user name from that address is locked out
# for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each rendering step, and every CSS rule meant for screens only.
    "loggers": {"weasyprint": {"level": "ERROR"}},
}
