"""Throughput of topicwire.fetch against bare aiohttp, on a local server (no internet).

Starts an aiohttp server in a subprocess serving a ~20 KB HTML page (and a robots.txt), then
fetches ``--pages`` pages at ``--concurrency`` with (a) a bare ``aiohttp.ClientSession`` and
(b) a :class:`topicwire.fetch.Fetcher` with every check on (127.0.0.1 allowed, robots.txt on,
politeness delay 0, per-host connections = concurrency), each ``--repeat`` times taking turns,
keeping each client's best run. Prints a table, the ratio, and one JSON line last::

    python bench/fetch_speed.py --pages 3000 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from topicwire.fetch import FetchConfig, Fetcher

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Bench</title></head><body>"
    + "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit — café naïve. </p>\n" * 260
    + "</body></html>"
).encode()
GOAL = 0.5


def serve() -> None:
    """Run the page server on a free port; print the port, then serve until killed."""

    async def page(_: web.Request) -> web.Response:
        return web.Response(body=PAGE, content_type="text/html", charset="utf-8")

    async def robots(_: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\n")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/robots.txt", robots)
        app.router.add_get("/{name}", page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


async def bare(urls: list[str], concurrency: int) -> int:
    """Fetch with a plain ClientSession; the number of 200s."""
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> bool:
            async with gate, session.get(url) as resp:
                await resp.read()
                return resp.status == 200

        return sum(await asyncio.gather(*(one(u) for u in urls)))


async def guarded(urls: list[str], concurrency: int) -> int:
    """Fetch with topicwire's Fetcher, all checks on; the number of successes."""
    config = FetchConfig(
        allowed_networks=("127.0.0.1/32",),
        politeness_delay=0.0,
        max_connections=concurrency,
        per_host_connections=concurrency,
    )
    async with Fetcher(config) as fetcher:
        results = await fetcher.fetch_many(urls)
    return sum(1 for r in results if r.ok and r.text)


Client = Callable[[list[str], int], Awaitable[int]]


def measure(run: Client, urls: list[str], concurrency: int) -> tuple[float, float, int]:
    """Wall seconds, client CPU seconds and pages fetched by one run of one client."""
    started, cpu = time.perf_counter(), time.process_time()
    ok = asyncio.run(run(urls, concurrency))
    return time.perf_counter() - started, time.process_time() - cpu, ok


def best_of(
    clients: list[tuple[str, Client]], urls: list[str], concurrency: int, repeat: int
) -> list[tuple[str, float, float, int]]:
    """The fastest of ``repeat`` runs of each client, the clients taking turns (less noise).

    Each row is (name, wall seconds, client CPU seconds, pages); wall and CPU are each the
    least over the runs.
    """
    for _, run in clients:
        asyncio.run(run(urls[:50], concurrency))  # warm-up
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(repeat):
        for name, run in clients:
            seconds, cpu, ok = measure(run, urls, concurrency)
            old = best.get(name, (seconds, cpu, ok))
            best[name] = (min(seconds, old[0]), min(cpu, old[1]), min(ok, old[2]))
    return [(name, *best[name]) for name, _ in clients]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when both clients fetched every page."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="runs per client; best kept")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        urls = [f"http://127.0.0.1:{port}/page{n}" for n in range(args.pages)]
        clients = [("aiohttp (bare)", bare), ("topicwire Fetcher", guarded)]
        rows = best_of(clients, urls, args.concurrency, args.repeat)
    finally:
        proc.terminate()
        proc.wait(10)
    print(
        f"{len(PAGE)} byte page, {args.pages} pages, concurrency {args.concurrency}, "
        f"best of {args.repeat}"
    )
    print(f"{'client':<20} {'pages':>7} {'seconds':>9} {'pages/s':>9} {'CPU us/page':>12}")
    rates, cpus = [], []
    for name, seconds, cpu, ok in rows:
        rates.append(ok / seconds)
        cpus.append(cpu / max(ok, 1) * 1e6)
        print(f"{name:<20} {ok:>7} {seconds:>9.2f} {ok / seconds:>9.0f} {cpus[-1]:>12.0f}")
    ratio = rates[1] / rates[0]
    cpu_ratio = cpus[0] / cpus[1]
    print(f"ratio topicwire/bare: {ratio:.2f} pages/s (goal >= {GOAL}), {cpu_ratio:.2f} by CPU")
    record = {
        "bench": "fetch_speed",
        "pages": args.pages,
        "concurrency": args.concurrency,
        "bare_pages_per_s": round(rates[0], 1),
        "topicwire_pages_per_s": round(rates[1], 1),
        "ratio": round(ratio, 3),
        "bare_cpu_us_per_page": round(cpus[0], 1),
        "topicwire_cpu_us_per_page": round(cpus[1], 1),
        "cpu_ratio": round(cpu_ratio, 3),
    }
    print(json.dumps(record))
    return 0 if all(ok == args.pages for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
