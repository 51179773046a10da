"""The harness of the crash-safety suites: a publisher of feeds, a launcher of ``topicwire``
commands that can be killed at a named step, and what the store holds after a run.

A loopback server publishes three RSS feeds of 35 articles each (ETag and Last-Modified, 304 to
a matching conditional request): 105 articles, more than one batch of the fetch flow
(``refresh.BATCH_SIZE``). Each run is the command line in a process of its own, killed at an
exact point by a named step (``TOPICWIRE_TEST_KILL_AT``, see ``topicwire.steps``), never by a
timer. The fixtures that use these live in ``conftest.py``; the tests in ``test_crash_fetch.py``
and ``test_crash_publish.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from aiohttp import web

from topicwire.score.heat import UNCLUSTERED
from topicwire.urls import canonical_key

FEEDS = 3
PER_FEED = 35
TOTAL = FEEDS * PER_FEED
#: when the articles were published (recent, so every one is inside the stories' window)
START = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
LAST_MODIFIED = format_datetime(START, usegmt=True)

# -- the publisher --------------------------------------------------------------------------------

SUBJECTS = (
    "The research lab",
    "A startup in Lyon",
    "The university team",
    "Regulators in Brussels",
    "The chip maker",
    "An open-source group",
    "The hospital network",
    "A robotics firm",
)
VERBS = ("released", "evaluated", "trained", "audited", "deployed", "benchmarked", "described")
OBJECTS = (
    "a language model",
    "a vision system",
    "a speech recogniser",
    "a protein folding tool",
    "a translation service",
    "a coding assistant",
    "a fraud detector",
    "a weather forecaster",
)
DETAILS = (
    "after months of testing on public data",
    "under a licence that allows research use",
    "for clinics in three countries",
    "in twelve languages at once",
    "with a safety report of forty pages",
    "at a press briefing on Tuesday morning",
    "on hardware that costs less than a car",
)


def _title(feed: int, item: int) -> str:
    pick = random.Random(f"title {feed} {item}")
    return (
        f"{pick.choice(SUBJECTS)} {pick.choice(VERBS)} {pick.choice(OBJECTS)}: report {feed}.{item}"
    )


def _paragraphs(feed: int, item: int) -> list[str]:
    """Three short paragraphs of real sentences, different for every article (short: the
    embedding of every article is most of a fetch's work)."""
    pick = random.Random(f"text {feed} {item}")
    return [
        f"{pick.choice(SUBJECTS)} {pick.choice(VERBS)} {pick.choice(OBJECTS)} "
        f"{pick.choice(DETAILS)}, and {pick.randint(2, 990)} people tested the AI system."
        for _ in range(3)
    ]


def _published(feed: int, item: int) -> datetime:
    return START - timedelta(minutes=7 * (feed * PER_FEED + item))


def article_page(feed: int, item: int) -> str:
    title = escape(_title(feed, item))
    body = "".join(f"<p>{escape(p)}</p>" for p in _paragraphs(feed, item))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{_published(feed, item).isoformat()}">'
        f'<meta property="og:site_name" content="Loopback Gazette {feed}"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def article_url(base: str, feed: int, item: int) -> str:
    return f"{base}/a/{feed}/{item}"


def feed_url(base: str, feed: int) -> str:
    return f"{base}/feed/{feed}.xml"


def rss(base: str, feed: int) -> str:
    items = "".join(
        f"<item><title>{escape(_title(feed, item))}</title>"
        f"<link>{article_url(base, feed, item)}</link>"
        f"<guid>{article_url(base, feed, item)}</guid>"
        f"<pubDate>{format_datetime(_published(feed, item), usegmt=True)}</pubDate>"
        f"<description>{escape(_paragraphs(feed, item)[0])}</description></item>"
        for item in range(PER_FEED)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Loopback Gazette {feed}</title><link>{base}/</link>"
        f"<description>Feed {feed}</description>{items}</channel></rss>"
    )


@dataclass
class Publisher:
    """The loopback server: its base URL, what it was asked, and a gate on the feeds."""

    base: str
    #: (feed, status) of every feed request answered
    answered: list[tuple[int, int]] = field(default_factory=list)
    #: feed requests received (counted before the gate)
    arrived: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    #: feeds are answered only while this is set (the concurrency test holds them)
    gate: threading.Event = field(default_factory=threading.Event)

    def feeds(self) -> list[str]:
        return [feed_url(self.base, feed) for feed in range(FEEDS)]

    def keys(self, feed: int) -> set[str]:
        """The canonical keys of the articles ``feed`` lists."""
        return {canonical_key(article_url(self.base, feed, item)) for item in range(PER_FEED)}


@contextmanager
def serve_feeds() -> Iterator[Publisher]:
    """The feeds and their pages on 127.0.0.1 (a free port) while the block runs."""
    state = Publisher(base="")
    state.gate.set()

    async def feed(request: web.Request) -> web.Response:
        number = int(request.match_info["feed"])
        state.arrived.release()
        for _ in range(1200):  # at most a minute
            if state.gate.is_set():
                break
            await asyncio.sleep(0.05)
        etag = f'"feed-{number}-v1"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            state.answered.append((number, 304))
            return web.Response(status=304, headers=headers)
        state.answered.append((number, 200))
        base = f"http://{request.host}"
        return web.Response(
            text=rss(base, number), content_type="application/rss+xml", headers=headers
        )

    async def page(request: web.Request) -> web.Response:
        feed_number, item = int(request.match_info["feed"]), int(request.match_info["item"])
        if feed_number >= FEEDS + 1 or item >= PER_FEED:
            raise web.HTTPNotFound()
        return web.Response(text=article_page(feed_number, item), content_type="text/html")

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")

    app = web.Application()
    app.router.add_get("/feed/{feed:\\d+}.xml", feed)
    app.router.add_get("/a/{feed:\\d+}/{item:\\d+}", page)
    app.router.add_get("/robots.txt", robots)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(tcp.start())
    state.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield state
    state.gate.set()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.run_until_complete(runner.cleanup())
    loop.close()


# -- running topicwire ----------------------------------------------------------------------------

#: A launcher: a Python process that imports the command line and the embedding libraries once
#: (about 5 s of CPU per ``fetch`` otherwise), then forks one child per command. A child sets its
#: environment and arguments and runs ``topicwire.cli.main()``, exactly what
#: ``python -m topicwire`` runs; its exit status, a SIGKILL's included, is reported back. OpenBLAS
#: gets one thread, so the launcher forks with no thread but its own.
LAUNCHER = r"""
import json, os, signal, sys, traceback
import topicwire.enrich.embed  # (sets the Hugging Face libraries offline first)
import sentence_transformers, topicwire.cli, topicwire.refresh, topicwire.publish.build
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            signal.alarm(300)  # a command that hangs dies (SIGALRM), and the test says so
            os.environ.clear()
            os.environ.update(request["env"])
            for fd, path, flags in (
                (0, os.devnull, os.O_RDONLY),
                (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            ):
                os.dup2(os.open(path, flags, 0o644), fd)
            sys.argv = ["topicwire", *request["args"]]
            try:
                topicwire.cli.main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""


def command_env(kill_at: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPICWIRE_")}
    env.update(
        COLUMNS="200",
        OPENBLAS_NUM_THREADS="1",
        TOPICWIRE_FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
        TOPICWIRE_FETCH_POLITENESS_DELAY="0",
        # the concurrency test holds the feeds for a few seconds
        TOPICWIRE_FETCH_TOTAL_TIMEOUT="60",
        TOPICWIRE_FETCH_READ_TIMEOUT="60",
    )
    if kill_at is not None:
        env["TOPICWIRE_TEST_KILL_AT"] = kill_at
    return env


class Launcher:
    """Runs ``topicwire`` commands, one at a time, as children of :data:`LAUNCHER`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = 0
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=command_env(),
            text=True,
        )

    def __call__(
        self, *args: str | Path, kill_at: str | None = None, ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``topicwire ARGS``; with ``kill_at``, it must die there (SIGKILL)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.runs += 1
        out, err = self.folder / f"{self.runs}.out", self.folder / f"{self.runs}.err"
        argv = [str(arg) for arg in args]
        request = {
            "args": argv,
            "env": command_env(kill_at),
            "stdout": str(out),
            "stderr": str(err),
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the launcher died"
        result = subprocess.CompletedProcess(
            ["topicwire", *argv], json.loads(line)["returncode"], out.read_text(), err.read_text()
        )
        if kill_at is not None:
            assert result.returncode == -signal.SIGKILL, (
                f"not killed at {kill_at}: exit {result.returncode}\n{result.stderr}{result.stdout}"
            )
        elif ok:
            assert result.returncode == 0, result.stderr + result.stdout
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def new_site(template: Path, where: Path) -> Path:
    site = where / "site"
    shutil.copytree(template, site, symlinks=True)
    return site


# -- what the store holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceState:
    etag: str | None
    last_modified: str | None
    next_check_at: str | None
    last_status: int | None
    error_count: int


@dataclass
class StoreState:
    #: canonical key -> (heat, story id), one per row
    articles: dict[str, tuple[int | None, int | None]]
    rows: int
    sources: dict[str, SourceState]
    integrity: str

    def due(self, url: str, now: datetime) -> bool:
        when = self.sources[url].next_check_at
        return when is None or datetime.fromisoformat(when).replace(tzinfo=UTC) <= now


def read_store(site: Path) -> StoreState:
    """The store as the last run left it, read through a read-only connection."""
    database = site / "topicwire.db"
    assert database.is_file(), f"no database at {database}"
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        rows = connection.execute("SELECT url_key, heat, story_id FROM articles").fetchall()
        sources = {
            url: SourceState(etag, modified, when, status, errors)
            for url, etag, modified, when, status, errors in connection.execute(
                "SELECT url, etag, last_modified, next_check_at, last_status, error_count "
                "FROM sources"
            )
        }
    finally:
        connection.close()
    articles = {key: (heat, story) for key, heat, story in rows}
    return StoreState(articles, len(rows), sources, integrity)


def check_sources_owe_nothing(publisher: Publisher, state: StoreState) -> None:
    """A source whose state advanced (validators kept, or not due before its next check) has
    every article its feed lists stored: otherwise a plain fetch would never read them."""
    now = datetime.now(UTC)
    for feed, url in enumerate(publisher.feeds()):
        source = state.sources[url]
        advanced = bool(source.etag or source.last_modified) or not state.due(url, now)
        missing = publisher.keys(feed) - state.articles.keys()
        if advanced:
            assert not missing, (
                f"{url} advanced ({source}) with {len(missing)} of its articles not stored"
            )


def check_complete(publisher: Publisher, state: StoreState, baseline: StoreState) -> None:
    """Exactly the baseline's articles, each once, all clustered, the database sound."""
    assert state.integrity == "ok"
    assert state.rows == len(state.articles), "a canonical URL is stored twice"
    assert state.rows == baseline.rows
    assert state.articles.keys() == baseline.articles.keys()
    unclustered = [k for k, (heat, story) in state.articles.items() if story is None]
    assert not unclustered, f"{len(unclustered)} articles in no story, e.g. {unclustered[:3]}"
    cold = [k for k, (heat, _story) in state.articles.items() if heat in (None, UNCLUSTERED)]
    assert not cold, f"{len(cold)} articles still marked unclustered, e.g. {cold[:3]}"
    for url in publisher.feeds():
        source = state.sources[url]
        assert source.etag and source.last_modified, f"{url}: validators not saved ({source})"
        assert source.error_count == 0, source
    check_sources_owe_nothing(publisher, state)
