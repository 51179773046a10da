"""The servers of the hostile fetch suites, and the nets that keep every byte on loopback.

:func:`serve` runs, in a thread: the hostile publisher on 127.0.0.3 (an aiohttp server that hands
each request to the handler of the case its host name names, and a raw TCP server for the cases
aiohttp will not play), and canaries on 127.0.0.2, 127.0.0.1 and ::1 (one port) that count the
requests that must never come. :func:`loopback_only` makes every connection to an address other
than 127.0.0.3 fail in this process (and lists it), and answers names without DNS: even a guard
that broke could reach nothing but loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from hostile.hostile_fetch_cases import (
    CASES,
    CONNECT_TIMEOUT,
    DOMAIN,
    HANDLERS,
    HOST,
    MAX_PAGES,
    RAW_HANDLERS,
    READ_TIMEOUT,
    TOTAL_TIMEOUT,
    gzip_bomb,
    rss,
)
from topicwire.site import Site, init_site, open_site


@dataclass(repr=False)
class Publisher:
    """The hostile publisher (aiohttp and raw TCP, on 127.0.0.3) and the canaries, in a thread."""

    port: int = 0
    raw_port: int = 0
    canary_port: int = 0
    #: requests seen: (host label, path)
    hits: list[tuple[str, str]] = field(default_factory=list)
    canary_hits: list[str] = field(default_factory=list)
    #: bytes written by the streaming cases, by case
    sent: dict[str, int] = field(default_factory=dict)
    bomb: bytes = b""
    noise: bytes = b""
    _many: str = ""

    def many_rss(self, base: str) -> str:
        if not self._many:
            items = "".join(
                f"<item><title>Item {n}</title><link>{base}/a/{n}</link></item>"
                for n in range(50_000)
            )
            self._many = rss("Many", []).replace("</channel>", items + "</channel>")
        return self._many

    def hosts(self) -> list[str]:
        return [c.host for c in CASES.values()]

    def url(self, name: str) -> str:
        c = CASES[name]
        return f"http://{c.host}:{self.raw_port if c.raw else self.port}{c.path}"

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        label = request.host.split(".", 1)[0]
        self.hits.append((label, request.path))
        if request.path == "/robots.txt" or label not in HANDLERS:
            return web.Response(status=404)
        return await HANDLERS[label](request, self)

    async def raw(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            host = next(v for k, _, v in (x.partition(":") for x in lines) if k.lower() == "host")
            label = host.strip().split(".", 1)[0]
            self.hits.append((label, path))
            if path == "/robots.txt" and label != "robots-hang":
                writer.write(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            else:
                await RAW_HANDLERS[label](path, reader, writer, self)
            await writer.drain()
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def canary(self, request: web.Request) -> web.Response:
        self.canary_hits.append(str(request.url))
        return web.Response(text="canary")


@contextlib.contextmanager
def serve() -> Iterator[Publisher]:
    """The hostile publisher and the canaries, running until the block ends."""
    pub = Publisher(bomb=gzip_bomb(4 * 1024 * 1024), noise=os.urandom(300_000))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    cleanup: list[Any] = []

    async def start() -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", pub.dispatch)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, HOST, 0).start()
        pub.port = runner.addresses[0][1]
        raw = await asyncio.start_server(pub.raw, HOST, 0)
        pub.raw_port = raw.sockets[0].getsockname()[1]
        canary_app = web.Application()
        canary_app.router.add_route("*", "/{tail:.*}", pub.canary)
        canary = web.AppRunner(canary_app, access_log=None)
        await canary.setup()
        await web.TCPSite(canary, "127.0.0.2", 0).start()
        pub.canary_port = canary.addresses[0][1]
        for address in ("127.0.0.1", "::1"):  # the same port, where the address is free
            with contextlib.suppress(OSError):
                await web.TCPSite(canary, address, pub.canary_port).start()
        cleanup.extend([runner, raw, canary])

    async def stop() -> None:
        runner, raw, canary = cleanup
        raw.close()
        await runner.cleanup()
        await canary.cleanup()

    asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield pub
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


# -- the nets: nothing leaves 127.0.0.3, and no name is looked up in DNS --------------------------


class NoDns:
    """The resolver behind the SSRF guard, for tests: no name reaches DNS. Numeric hosts are read
    as the C library reads them (``2130706433``, ``0177.0.0.1``, ``0x7f.0.0.2``: no lookup), and
    ``localhost`` is loopback (RFC 6761); every other name fails (the site's names are answered by
    fetch.host_overrides before a resolver is asked)."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict[str, Any]]:
        if host == "localhost":
            infos = [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]
        else:
            try:
                found = socket.getaddrinfo(
                    host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
                )
            except socket.gaierror:
                raise OSError(f"test: no DNS for {host}") from None
            infos = [(info[0], info[4][0]) for info in found]
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": fam,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for fam, address in infos
        ]

    async def close(self) -> None:
        pass


@contextlib.contextmanager
def loopback_only() -> Iterator[list[Any]]:
    """Connections to anything but 127.0.0.3 fail (and are listed); DNS is never asked."""
    import asyncio.selector_events

    import topicwire.fetch.guard

    attempts: list[Any] = []
    connect = asyncio.selector_events.BaseSelectorEventLoop.sock_connect

    async def guarded(self: Any, sock: socket.socket, address: Any) -> None:
        if address[0] != HOST:
            attempts.append(address)
            raise OSError(f"test: no connection to {address[0]}")
        await connect(self, sock, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asyncio.selector_events.BaseSelectorEventLoop, "sock_connect", guarded)
        patch.setattr(topicwire.fetch.guard, "ThreadedResolver", NoDns)
        yield attempts


# -- the site ------------------------------------------------------------------------------------


def hostile_settings(pub: Publisher) -> dict[str, str]:
    """The site's settings: only 127.0.0.3 allowed, every case's name answered with it (and one
    name with the cloud metadata address), small timeouts, no politeness delay."""
    overrides = [f"{host}={HOST}" for host in pub.hosts()] + [f"metadata.{DOMAIN}=169.254.169.254"]
    return {
        "fetch.allowed_networks": f"{HOST}/32",
        "fetch.host_overrides": ",".join(overrides),
        "fetch.politeness_delay": "0",
        "fetch.connect_timeout": str(CONNECT_TIMEOUT),
        "fetch.read_timeout": str(READ_TIMEOUT),
        "fetch.total_timeout": str(TOTAL_TIMEOUT),
        "fetch.max_pages_per_source": str(MAX_PAGES),
    }


def hostile_env(pub: Publisher) -> dict[str, str]:
    """:func:`hostile_settings` as the environment variables that set them."""
    return {
        "TOPICWIRE_" + name.upper().replace(".", "_"): value
        for name, value in hostile_settings(pub).items()
    }


def rss_now() -> int:
    """The memory the process holds now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """The most memory the process has held."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def make_site(root: Path, pub: Publisher) -> Site:
    """A new site at ``root`` that reads the hostile publisher (see :func:`hostile_env`)."""
    init_site(root, topic="AI")
    return open_site(root, env=hostile_env(pub))
