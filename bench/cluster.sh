#!/usr/bin/env bash
# Two portal "hosts" on this machine that share only PostgreSQL and Redis, one task
# worker, and nginx with proxy_cache in front (see README "Cluster benchmark"):
#   bench/cluster.sh
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres), Redis at 127.0.0.1:6379 and
# nginx (apt-get install nginx-light). Creates the database planportal_cluster and
# uses Redis database 7; everything listens on loopback only, and the processes, the
# database, Redis database 7 and the temporary folders are gone at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
A=http://127.0.0.1:8101 B=http://127.0.0.1:8102 FRONT=http://127.0.0.1:8100
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/planportal_cluster"
export CACHE_URL="redis://127.0.0.1:6379/7"
export DEBUG=0 HTTPS_ONLY=0 ALLOWED_HOSTS=127.0.0.1,localhost TRUSTED_PROXY_COUNT=1
export SECRET_KEY="${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export GUNICORN_ACCESS_LOG=/dev/null WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
work="$(mktemp -d /tmp/planportal-cluster.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS planportal_cluster" || true
  redis-cli -n 7 flushdb >/dev/null || true
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "database, Redis, demo data"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS planportal_cluster" \
  -c "CREATE DATABASE planportal_cluster"
redis-cli -n 7 flushdb >/dev/null
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py setup_staff_roles >/dev/null
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py seed_demo --verbosity 0

start_web() {  # name port: gunicorn with its own local folders, as a separate host has
  mkdir -p "$work/$1/cache" "$work/$1/tmp"
  CACHE_DIR="$work/$1/cache" TMPDIR="$work/$1/tmp" BIND="127.0.0.1:$2" \
    "$VENV/bin/gunicorn" --config gunicorn.conf.py planportal.wsgi >"$work/$1.log" 2>&1 &
  pids+=($!)
}
start_worker() {  # exec: the worker's id is its own host and pid (planportal/task_queue.py);
  # nice: on a shared host the web workers get the CPU first
  sh -c "exec nice -n 19 $PY manage.py db_worker --no-reload --interval 0.5 --worker-id \"\$(hostname):\$\$\"" \
    >>"$work/worker.log" 2>&1 &
  worker=$!
  pids+=("$worker")
}
start_sweep() {  # requeues the jobs of dead workers (make run sweeps once a minute)
  nice -n 19 "$PY" manage.py sweep_tasks --every 2 >>"$work/sweep.log" 2>&1 &
  pids+=($!)
}
wait_for() { for _ in $(seq 60); do curl -fsS "$1/healthz" >/dev/null 2>&1 && return; sleep 1; done; exit 1; }

step "instance A ($A), instance B ($B), one worker, nginx ($FRONT)"
start_web host-a 8101
start_web host-b 8102
start_worker
start_sweep
mkdir -p "$work/nginx/cache"
chmod -R 777 "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream planportal_web { server 127.0.0.1:8101; server 127.0.0.1:8102; keepalive 32; }
    proxy_cache_path $work/nginx/cache levels=1:2 keys_zone=planportal:50m max_size=1g
                     inactive=10m use_temp_path=off;
    # PDF requests: 1 a second per address (bursts of 3) reach the portal; the rest get
    # 429 from nginx, so a storm of them never queues in front of the pages.
    limit_req_zone \$binary_remote_addr zone=pdfs:10m rate=1r/s;
    server {
        listen 127.0.0.1:8100;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_cache planportal;
        proxy_cache_key \$scheme\$host\$request_uri;
        proxy_cache_bypass \$cookie_sessionid \$cookie_csrftoken;
        proxy_no_cache \$cookie_sessionid \$cookie_csrftoken;
        proxy_ignore_headers Vary;
        proxy_cache_revalidate on;
        proxy_cache_lock on;
        proxy_cache_use_stale updating error timeout http_500 http_502 http_503;
        proxy_cache_background_update on;
        add_header X-Cache \$upstream_cache_status;
        location / {
            proxy_pass http://planportal_web;
        }
        location ~ /pdf/\$ {
            limit_req zone=pdfs burst=3 nodelay;
            limit_req_status 429;
            proxy_pass http://planportal_web;
        }
        # Never cacheable: straight through (nginx has no "hit for pass", so a cache
        # lock would make concurrent requests for them wait on each other).
        location ~ ^/(healthz|admin/) {
            proxy_cache off;
            proxy_pass http://planportal_web;
        }
    }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
wait_for "$A"
wait_for "$B"
wait_for "$FRONT"
curl -sS -o /dev/null -D - "$FRONT/plans/kawasaki/" | grep -iE '^(cache-control|etag)' || true
curl -sS -o /dev/null -D - "$FRONT/plans/kawasaki/" | grep -i '^x-cache' || true

step "an edit saved through A is served by B on the next request"
"$PY" -m bench.cluster_check edit --via "$A" --check "$B"

step "a PDF asked of A is built by the worker and served by B"
"$PY" -m bench.cluster_check pdf-ask "$A" /plans/tsurugashima/pdf/
"$PY" -m bench.cluster_check pdf-wait "$B" /plans/tsurugashima/pdf/ 300
"$PY" -m bench.cluster_check job-attempts

step "the worker killed mid-build: the job runs again and finishes"
"$PY" -m bench.cluster_check pdf-ask "$A" /plans/kawasaki-2011/pdf/
"$PY" -m bench.cluster_check job-running 60
sleep 2
kill -9 "$worker"
echo "worker $worker killed (SIGKILL)"
start_worker   # the sweep requeues the dead worker's job
"$PY" -m bench.cluster_check pdf-ask "$B" /plans/kawasaki-2011/pdf/
"$PY" -m bench.cluster_check pdf-wait "$B" /plans/kawasaki-2011/pdf/ 600
"$PY" -m bench.cluster_check job-attempts

step "12 clients asking for PDFs through nginx: health check and a cached page meanwhile"
mapfile -t sections < <("$PY" -m bench.cluster_check pdf-paths 12)
"$PY" -m bench.cluster_check storm "$FRONT" "${sections[@]}" --seconds 10 \
  --probe "$A/healthz" --probe "$A/plans/kawasaki/"
"$PY" -m bench.cluster_check queue-idle 600   # the builds it queued, before measuring load

step "load through nginx (every page type, after one visit of each fills the cache)"
"$PY" bench/load.py --base-url "$FRONT" --clients 1 --requests 10 >/dev/null
"$PY" bench/load.py --base-url "$FRONT" --clients 32 --requests 50
step "one page (node): from nginx's cache, then from A's page cache (gunicorn)"
"$PY" bench/load.py --base-url "$FRONT" --clients 32 --requests 100 --only node | tail -n 1
"$PY" bench/load.py --base-url "$A" --clients 32 --requests 100 --only node | tail -n 1
