#!/usr/bin/env bash
# Serve the demo site with gunicorn on PostgreSQL and run bench/load.py against it.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/planportal_bench bench/serve_and_load.sh
# The database must exist; it is migrated and seeded. Extra arguments go to load.py.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database}"
PORT="${BENCH_PORT:-8007}"
export DATABASE_URL DEBUG=0 HTTPS_ONLY=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY="${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export CACHE_DIR="${CACHE_DIR:-$(mktemp -d)}"
export GUNICORN_ACCESS_LOG=/dev/null
# --bust-cache: every page rendered (the page cache ignores cache-busting query strings).
if [[ " $* " == *" --bust-cache "* ]]; then export PAGE_CACHE=0; fi
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py seed_demo --verbosity 0
BIND="127.0.0.1:$PORT" .venv/bin/gunicorn --config gunicorn.conf.py planportal.wsgi &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
.venv/bin/python bench/load.py --base-url "http://127.0.0.1:$PORT" "$@"
