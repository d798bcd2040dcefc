"""Cached pages against a static file of the same bytes: requests per second, interleaved.

    DATABASE_URL=postgres://…/planportal_bench [CACHE_URL=redis://127.0.0.1:6379/0] \\
        python -m bench.hit_path [--seconds 1] [--rounds 10] [--clients 8] [--app-dir DIR]

Starts gunicorn (production settings, 2 sync workers, access log off; the Redis
cache of ``CACHE_URL``, else a new file cache in a temporary folder) from
``--app-dir`` (default: this checkout; give another checkout to measure its
code against the same database and cache), fetches one URL of each cached page
type of the seeded demo plan, copies each page's bytes into ``STATIC_ROOT`` so
that WhiteNoise serves a file of exactly that size, restarts gunicorn so that
WhiteNoise sees them, and then alternates: the page, its static twin, the page, …
each for ``--seconds`` with ``--clients`` concurrent connections. The machine
may be busy with other work: only the ratios of neighbouring runs mean much,
and the workers' CPU time per request (from /proc) is steadier than requests/s.
Prints, per page type, medians over the rounds: requests/s of the page and of
its static twin and their ratio, and CPU ms per request of each and the ratio
static/page (the share of the static file's requests/s the workers could serve
when the CPU is the limit).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.proc import TICK, processes

PLAN = "kawasaki-2011"  # the seeded demo plan with projects


def page_paths() -> dict[str, str]:
    """One URL of each cached page type (the database must hold the demo data)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    django.setup()
    from bench.pages import page_urls

    urls = page_urls(PLAN)
    urls.update(
        {
            "print": urls["plan"] + "print/",
            "csv export": urls["measure"] + "export/csv/",
            "schedule": "/plans/kawasaki/schedule/",
            "comment periods": "/public-comments/",
            "glossary": "/glossary/",
            "english plan": "/en" + urls["plan"],
            "search with filters": f"/search/?q=%E5%85%AC%E5%9C%92&plan={PLAN}",
        }
    )
    return {name: urllib.parse.quote(path, safe="/?=&%") for name, path in urls.items()}


class Server:
    """gunicorn on ``port``, run from ``app_dir`` with the environment given."""

    def __init__(self, app_dir: Path, port: int, env: dict):
        self.app_dir, self.port, self.env, self.process = app_dir, port, env, None

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        self.process = subprocess.Popen(
            [*command, "planportal.wsgi"], cwd=self.app_dir, env=self.env
        )
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        sys.exit("gunicorn did not answer /healthz")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the workers (children of the gunicorn master)."""
        workers = (ticks for parent, ticks in processes().values() if parent == self.process.pid)
        return sum(workers) * TICK

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)
            self.process = None


async def _client(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    """Request after request, each on a new connection (gunicorn's sync workers close
    it after answering); a response counts when it says 200."""
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        response = await reader.read()
        writer.close()
        counts[0 if response.startswith(b"HTTP/1.1 200") else 1] += 1


def measure(server: Server, path: str, seconds: float, clients: int) -> tuple[float, float]:
    """Requests per second, and the workers' CPU milliseconds per request."""
    cpu = server.cpu_seconds()
    rate, count = requests_per_second(server.port, path, seconds, clients)
    return rate, max(server.cpu_seconds() - cpu, TICK) * 1000 / count  # at least a tick


def requests_per_second(port: int, path: str, seconds: float, clients: int) -> tuple[float, int]:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    counts = [0, 0]

    async def run():
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(port, request, deadline, counts) for _ in range(clients)))

    began = time.monotonic()
    asyncio.run(run())
    if counts[1]:
        sys.exit(f"{path}: {counts[1]} responses were not 200")
    return counts[0] / (time.monotonic() - began), counts[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8011")))
    parser.add_argument("--seconds", type=float, default=1)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--only", help="comma-separated page types")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a database with the demo data (seed_demo)")
    if not os.environ.get("CACHE_URL"):
        os.environ["CACHE_DIR"] = tempfile.mkdtemp(prefix="hit-path-cache-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    os.environ.update({key: env[key] for key in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")})
    paths = page_paths()
    if args.only:
        paths = {name: paths[name] for name in args.only.split(",")}
    twins = args.app_dir / "staticfiles" / "bench-hit-path"
    server = Server(args.app_dir, args.port, env)
    try:
        server.start()
        twins.mkdir(parents=True, exist_ok=True)
        for number, path in enumerate(paths.values()):
            url = f"http://127.0.0.1:{args.port}{path}"
            with urllib.request.urlopen(url) as response:  # rendered now, cached for the runs
                (twins / f"{number}.bin").write_bytes(response.read())
        server.stop()
        server.start()  # WhiteNoise lists the static files when it starts
        print(
            f"{'page':<20}{'bytes':>7}{'page req/s':>11}{'static':>8}{'ratio':>7}"
            f"{'page CPU ms':>13}{'static':>8}{'ratio':>7}   (medians of {args.rounds} rounds)"
        )
        for number, (name, path) in enumerate(paths.items()):
            static = f"/static/bench-hit-path/{number}.bin"
            size = (twins / f"{number}.bin").stat().st_size
            runs = []
            for _ in range(args.rounds):
                page = measure(server, path, args.seconds, args.clients)
                twin = measure(server, static, args.seconds, args.clients)
                runs.append((*page, *twin, page[0] / twin[0], twin[1] / page[1]))
            rate, cpu, twin_rate, twin_cpu, rate_ratio, cpu_ratio = (
                statistics.median(column) for column in zip(*runs, strict=True)
            )
            print(
                f"{name:<20}{size:>7}{rate:>11.0f}{twin_rate:>8.0f}{rate_ratio:>7.2f}"
                f"{cpu:>13.2f}{twin_cpu:>8.2f}{cpu_ratio:>7.2f}",
                flush=True,
            )
    finally:
        server.stop()
        shutil.rmtree(twins, ignore_errors=True)


if __name__ == "__main__":
    main()
