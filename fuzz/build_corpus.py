"""Build each fuzz target's seed corpus from the shared evaluation data, at run time.

Nothing of that data is kept in the repository: ``make fuzz`` runs this first, and it writes
seeds into ``fuzz/corpus/<target>/`` (ignored by git) from ``../shared/eval-data`` when that
folder is there. Without it each target still gets the few small seeds written below, and
libFuzzer grows the corpus from them.

    python fuzz/build_corpus.py [--shared ../shared] [--out fuzz/corpus]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

TARGETS = ("feed", "jsonfeed", "opml", "sitemap", "record", "html", "urls")

#: seeds larger than this are cut: mutating megabyte inputs spends the run on parsing bulk
MAX_SEED = 64 * 1024
#: at most this many seeds per target (the first ones by path, so runs are repeatable)
MAX_SEEDS = 2500

_URL = re.compile(rb"""https?://[^\s"'<>\\]{4,200}""")

_SEEDS: dict[str, list[bytes]] = {
    "feed": [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>A</title><link>https://example.com/a</link><guid>1</guid>"
        b"<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item></channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>x</id>'
        b'<link href="/a"/><updated>2024-01-01T00:00:00Z</updated></entry></feed>',
    ],
    "jsonfeed": [
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": '
        b'[{"id": "1", "url": "https://example.com/a", "title": "A", '
        b'"date_published": "2024-01-01T00:00:00Z", "tags": ["x"], '
        b'"authors": [{"name": "N"}], "attachments": [{"url": "/i.png", '
        b'"mime_type": "image/png"}]}]}',
    ],
    "opml": [
        b'<?xml version="1.0"?><opml version="2.0"><head><title>L</title></head><body>'
        b'<outline text="Tech"><outline text="A" type="rss" xmlUrl="https://example.com/f"/>'
        b"</outline></body></opml>",
    ],
    "sitemap": [
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.com/s1.xml</loc></sitemap></sitemapindex>",
    ],
    "record": [
        b'---\ntitle: "A title"\npublishedAt: 2024-01-01T00:00:00Z\n'
        b'originalUrl: "https://example.com/a"\ntopics:\n  - AI\n---\n\nBody.\n',
    ],
    "html": [
        b"<!doctype html><html><head><title>T</title>"
        b'<meta property="og:title" content="A"><link rel="canonical" href="/a">'
        b'<script type="application/ld+json">{"@type": "NewsArticle", '
        b'"datePublished": "2024-01-01"}</script></head>'
        b"<body><article><h1>A</h1><p>Some text of the article.</p></article></body></html>",
    ],
    "urls": [
        b"HTTPS://Example.COM:443/a/b?utm_source=x&q=1#frag",
        b"http://[::1]:8080/",
        b"//example.com",
    ],
}


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        with contextlib.suppress(OSError, EOFError):
            data = gzip.decompress(data)
    return data[:MAX_SEED]


def _files(folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        name = path.name.removesuffix(".gz")
        if path.is_file() and name.endswith(suffixes):
            yield path


def _sitemaps(urls: list[bytes]) -> Iterator[bytes]:
    """Sitemaps made of URLs found in the feeds (the eval data has no sitemaps of its own)."""
    for start in range(0, min(len(urls), 400), 20):
        chunk = urls[start : start + 20]
        entries = b"".join(
            b"<url><loc>" + u.replace(b"&", b"&amp;") + b"</loc><lastmod>2024-05-0"
            + str(i % 9 + 1).encode() + b"</lastmod></url>"
            for i, u in enumerate(chunk)
        )  # fmt: skip
        yield (
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + entries + b"</urlset>"
        )


def gather(shared: Path | None) -> dict[str, list[bytes]]:
    """Seeds per target: the built-in ones, then those made from ``shared`` if given."""
    seeds = {target: list(items) for target, items in _SEEDS.items()}
    if shared is None:
        return seeds
    data = shared / "eval-data"
    feed_dirs = sorted(data.glob("feeds-*"))
    urls: list[bytes] = []
    for folder in feed_dirs:
        for path in _files(folder, (".xml", ".rss", ".atom", ".rdf")):
            body = _read(path)
            seeds["feed"].append(body)
            urls.extend(_URL.findall(body)[:5])
        for path in _files(folder, (".json",)):
            body = _read(path)
            if _is_json_feed(body):
                seeds["jsonfeed"].append(body)
    for path in _files(data / "opml-feed-lists", (".opml", ".xml")):
        body = _read(path)
        seeds["opml"].append(body)
        urls.extend(_URL.findall(body)[:5])
    seeds["sitemap"].extend(_sitemaps(urls))
    reference = shared / "reference"
    seeds["record"].extend(_read(p) for p in _files(reference, (".md",)))
    seeds["record"].extend(_read(p) for p in _files(shared / "seeds", (".txt", ".md")))
    for name in ("article-extraction-scrapinghub", "article-extraction-trafilatura"):
        seeds["html"].extend(_read(p) for p in list(_files(data / name, (".html",)))[:150])
    seeds["urls"].extend(dict.fromkeys(urls))
    return seeds


def _is_json_feed(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and ("items" in data or "jsonfeed" in str(data.get("version")))


def write(seeds: Iterable[bytes], folder: Path) -> int:
    """Write each distinct seed to ``folder`` named by its SHA-1; how many were new."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for seed in list(dict.fromkeys(seeds))[:MAX_SEEDS]:
        path = folder / hashlib.sha1(seed, usedforsecurity=False).hexdigest()
        if not path.exists():
            path.write_bytes(seed)
            written += 1
    return written


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=here.parent.parent / "shared")
    parser.add_argument("--out", type=Path, default=here / "corpus")
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    shared = args.shared if args.shared.is_dir() else None
    if shared is None:
        print(f"{args.shared} not found: built-in seeds only")
    seeds = gather(shared)
    for target in args.targets:
        added = write(seeds[target], args.out / target)
        total = sum(1 for _ in (args.out / target).iterdir())
        print(f"{target}: {added} new seeds, {total} in {args.out / target}")


if __name__ == "__main__":
    main()
