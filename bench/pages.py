"""Time the main public pages of a running server (gunicorn), cold and cached.

    python -m bench.generate_plan --projects 20000      # once, into the server's database
    python -m bench.pages --base-url http://127.0.0.1:8000 --plan bench-20000

"Cold" requests follow a bump of the content version, as after a staff save,
so the page cache misses and the page is rendered from the database; "cached"
requests repeat one URL. Run it with the same DATABASE_URL and cache (CACHE_URL
or CACHE_DIR) as the server: it looks up the URLs and bumps the version there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import urllib.parse
import urllib.request


def page_urls(slug: str) -> dict[str, str]:
    """One URL of every public page type, for the plan ``slug`` (also used by the tests)."""
    from policies.models import Plan, Strategy

    plan = Plan.objects.get(slug=slug)
    measure = plan.nodes.filter(listings__isnull=False).order_by("tree_id", "lft").first()
    root = plan.nodes.filter(parent=None).order_by("tree_id").first()
    return {
        "home": "/",
        "plan": plan.get_absolute_url(),
        "basic policy": root.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "project": plan.projects.order_by("pk").first().get_absolute_url(),
        "sdg matrix": f"/plans/{slug}/sdgs/",
        "strategy": Strategy.objects.order_by("pk").first().get_absolute_url(),
        "wards": "/wards/",
        "ward": "/wards/kawasaki/saiwai-ku/",
        "sdgs": "/sdgs/",
        "sdg goal": "/sdgs/11/",
        "search": "/search/?q=事業",
    }


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - started) * 1000


def fetch_cold(url: str) -> float:
    from planportal.caching import bump_content_version

    bump_content_version()
    return fetch(url)


def measure(base: str, path: str, requests: int) -> tuple[list[float], list[float]]:
    cold = [fetch_cold(base + path) for _ in range(requests)]
    fetch(base + path)
    cached = [fetch(base + path) for _ in range(requests)]
    return cold, cached


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"{statistics.median(ordered):7.1f} {p95:7.1f}"


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--plan", default="bench-20000")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    django.setup()
    print(f"{'page':<24} {'cold ms (median, p95)':>22} {'cached ms (median, p95)':>24}")
    for name, path in page_urls(args.plan).items():
        quoted = urllib.parse.quote(path, safe="/?=&")
        cold, cached = measure(args.base_url.rstrip("/"), quoted, args.requests)
        print(f"{name:<24} {summary(cold):>22} {summary(cached):>24}")


if __name__ == "__main__":
    main()
