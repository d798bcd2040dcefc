"""Load test of the public pages: many concurrent clients against a running server.

    python bench/load.py --base-url http://127.0.0.1:8007 --clients 32 --requests 40

Each client is a thread with its own keep-alive connection, cycling through
the public page types (home, plan, plan tree, node, project, search, wards,
ward, SDGs, /healthz). Prints, per page, the requests, the errors (transport
errors and any status other than 200) and the latency, then the throughput.
``--bust-cache`` is for a server started with ``PAGE_CACHE=0`` (as
serve_and_load.sh does): every page is rendered instead of served from the page
cache, which ignores query parameters a page does not read. Only loopback addresses are
accepted as targets; the run is bounded by ``--requests`` and ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import re
import socket
import statistics
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit

SEARCH = "/search/?q=%E5%8C%BA%E6%B0%91%E4%BC%9A%E8%AD%B0"  # 区民会議


def loopback_only(host: str) -> None:
    for *_rest, address in socket.getaddrinfo(host, None):
        if not ipaddress.ip_address(address[0]).is_loopback:
            sys.exit(f"refusing to load-test {host}: only loopback addresses are allowed")


def fetch(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept-Language": "ja"})
    response = connection.getresponse()
    return response.status, response.read()


def discover_pages(host: str, port: int) -> dict[str, str]:
    """One URL of each public page type, found by following links like a visitor."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    status, body = fetch(connection, SEARCH)
    if status != 200:
        sys.exit(f"the search answered {status}: is the demo data loaded (seed_demo)?")
    project = re.search(r'href="(/plans/[\w-]+/projects/\d+/)"', body.decode()).group(1)
    project_html = fetch(connection, project)[1].decode()
    node = re.findall(r'href="(/plans/[\w-]+/nodes/\d+/)"', project_html)[-1]
    wards_html = fetch(connection, "/wards/")[1].decode()
    ward = re.search(r'href="(/wards/[\w-]+/[\w-]+/)"', wards_html).group(1)
    connection.close()
    return {
        "home": "/",
        "plan": "/plans/kawasaki/",
        "plan tree": "/plans/kawasaki-2011/",
        "node": node,
        "project": project,
        "search": SEARCH,
        "wards": "/wards/",
        "ward": ward,
        "sdgs": "/sdgs/",
        "healthz": "/healthz",
    }


def run(args) -> int:
    url = urlsplit(args.base_url)
    host, port = url.hostname, url.port or 80
    loopback_only(host)
    pages = discover_pages(host, port)
    names = [args.only] if args.only else list(pages)
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds
    start_line = threading.Barrier(args.clients)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=args.timeout)
        start_line.wait()
        for i in range(args.requests):
            if time.monotonic() > deadline:
                break
            name = names[(number + i) % len(names)]
            path = pages[name]
            began = time.perf_counter()
            try:
                status, _body = fetch(connection, path)
                ok = status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=args.timeout)
            elapsed = time.perf_counter() - began
            with lock:
                results[name].append(elapsed)
                if not ok:
                    errors[name] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began

    total = sum(len(times) for times in results.values())
    failed = sum(errors.values())
    print(
        f"{args.clients} clients, {total} requests in {wall:.1f} s"
        f"{' (page cache bypassed)' if args.bust_cache else ''}"
    )
    print(f"{'page':<12}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}")
    for name in names:
        times = sorted(results[name])
        if not times:
            continue
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{name:<12}{len(times):>9}{errors[name]:>8}"
            f"{statistics.median(times) * 1000:>11.0f}{p95 * 1000:>9.0f}"
        )
    print(f"throughput: {total / wall:.1f} requests/s; errors: {failed}")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8007")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--bust-cache", action="store_true")
    parser.add_argument("--only", help="one page type (e.g. node) instead of them all")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
