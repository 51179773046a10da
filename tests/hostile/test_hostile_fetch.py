"""Hostile publishers against ``fetch``: one bad source never stops the run, nor the good ones.

A loopback server on 127.0.0.3 plays every publisher (``hostile_fetch_cases`` lists the cases,
``hostile_fetch_servers`` serves them); each case is a host name of its own
(``<case>.hostile.test``, answered through ``fetch.host_overrides``), so each has its own
robots.txt and connection slots, as real sites do. Canaries on 127.0.0.1, 127.0.0.2 and ::1 wait
for requests that must never come: the site allows exactly 127.0.0.3/32, and the redirects to
loopback, private and link-local addresses (literal, decimal, octal, hex, short, IPv6, names) must
be refused before any connection. As a second net, any connection to an address other than
127.0.0.3 fails in this process and is listed: nothing reaches the network even if the guard broke.

One ``refresh`` reads every case at once beside two good feeds. Then, for each case: the run
returned normally; the good articles are stored; a bad source has ``last_error`` with a reason
that says what was wrong and ``error_count`` >= 1, and its fetch log says the same; input that is
odd but readable is read; the hangs ended together, in about one ``fetch.total_timeout``; the
process stayed under a memory bound. Right after, nothing is due (a failing source backs off); a
day later every source is read again (none dropped) and nothing is stored twice. The real command
runs some of the worst cases too, and prints reasons, never a traceback.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hostile.hostile_fetch_cases import (
    CASES,
    HOST,
    MAX_BYTES,
    MAX_PAGES,
    MEMORY_BOUND,
    PAGES,
    PARAGRAPH,
    TOTAL_TIMEOUT,
)
from hostile.hostile_fetch_servers import (
    Publisher,
    hostile_settings,
    loopback_only,
    make_site,
    peak_rss,
    rss_now,
    serve,
)
from topicwire.fetch import FetchConfig, Fetcher, FetchResult
from topicwire.fetch.client import HOST_TIMEOUTS
from topicwire.model import Source
from topicwire.refresh import RefreshReport, refresh
from topicwire.settings import SETTINGS_FILE_NAME, render_settings_file
from topicwire.site import Site, init_site, open_site
from topicwire.store import Store

# -- the runs ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile() -> Iterator[Publisher]:
    """The hostile publisher and the canaries (see ``hostile_fetch_servers``)."""
    with serve() as pub:
        yield pub


@pytest.fixture(scope="module")
def attempts() -> Iterator[list[Any]]:
    """While the module runs: connections anywhere but 127.0.0.3 fail and are listed; no DNS."""
    with loopback_only() as tried:
        yield tried


@dataclass(repr=False)
class Run:
    """One refresh of the site, and what the store held after it."""

    report: RefreshReport
    started_at: datetime
    seconds: float
    #: seconds until every source's fetch had ended (their body read, refused or timed out)
    sources_fetched: float
    #: the process's peak memory during the run, above what it held before
    memory: int
    sources: dict[str, Source]
    logs: dict[str, list[Any]]
    articles: list[Any]


def timed_refresh(site: Site, pub: Publisher, now: datetime | None = None) -> Run:
    before = rss_now()
    started_at = datetime.now(UTC)
    started = time.monotonic()
    fetched: list[float] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "sources" and done == total:
            fetched.append(time.monotonic() - started)

    with Store.open(site.database_url) as store:
        report = refresh(site, store, now=now, on_progress=progress)
        seconds, memory = time.monotonic() - started, peak_rss() - before
        sources = {name: store.get_source(pub.url(name)) for name in CASES}
        logs = {name: store.fetch_log(pub.url(name)) for name in CASES}
        articles = [s.article for s in store.iter_articles()]
    assert all(s is not None for s in sources.values()), "a source was dropped"
    found = {name: s for name, s in sources.items() if s is not None}
    return Run(
        report, started_at, seconds, fetched[0] if fetched else 0.0, memory, found, logs, articles
    )


@dataclass(repr=False)
class Runs:
    pub: Publisher
    first: Run
    #: right after the first: nothing is due (a failing source is slowed, not retried at once)
    again_now: Run
    #: a day later, when every source is due again
    next_day: Run
    attempts: list[Any]
    #: bytes the streaming cases had sent when the first run ended
    sent: dict[str, int]
    #: the requests the publisher had seen when the first run ended
    hits: list[tuple[str, str]]


@pytest.fixture(scope="module")
def runs(hostile: Publisher, attempts: list[Any], tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("hostile-fetch")
    # a warm-up on a site of its own, so the models the run loads are not counted as its memory
    warm = make_site(base / "warm", hostile)
    with Store.open(warm.database_url) as store:
        store.add_sources([Source(url=hostile.url("good-json"), kind="auto")])
    with Store.open(warm.database_url) as store:
        refresh(warm, store)
    site = make_site(base / "site", hostile)
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=hostile.url(name), kind="auto") for name in CASES])
    first = timed_refresh(site, hostile)
    sent, hits = dict(hostile.sent), list(hostile.hits)
    again_now = timed_refresh(site, hostile)
    next_day = timed_refresh(site, hostile, now=datetime.now(UTC) + timedelta(days=1, minutes=1))
    return Runs(hostile, first, again_now, next_day, attempts, sent, hits)


# -- the checks -----------------------------------------------------------------------------------


def stored_by_case(articles: list[Any]) -> dict[str, list[Any]]:
    """The stored articles by the case whose host they came from."""
    out: dict[str, list[Any]] = {}
    for article in articles:
        host = re.match(r"https?://([^/:]+)", article.original_url or "")
        out.setdefault(host.group(1).split(".")[0] if host else "?", []).append(article)
    return out


def bugs_of(report: RefreshReport, url: str) -> list[str]:
    host = url.split("/")[2].split(":")[0]
    return [trace for what, trace in report.bugs if host in what]


BAD = [c.name for c in CASES.values() if c.reason is not None]
TOLERATED = [c.name for c in CASES.values() if c.reason is None]


#: fetch.per_host_connections (default)
PER_HOST_CONNECTIONS = 4
#: fetch.min_interval_minutes (default), and the first step of the backoff
MIN_INTERVAL = timedelta(minutes=15)
#: the cases that hang (never answer, trickle, redirect slowly): each ends by a timeout
HANGING = [name for name, c in CASES.items() if c.reason and "timed out" in c.reason]


def test_the_run_completes_bounded_and_sends_nothing_elsewhere(runs: Runs) -> None:
    first = runs.first
    assert first.report.sources_ok + first.report.sources_failed == len(CASES)
    # the hangs run side by side, each ended by its own budget: the fetch of every source takes
    # about one fetch.total_timeout, not the sum of them, and the good sources never wait on them
    assert len(HANGING) >= 5
    assert 0 < first.sources_fetched < 3 * TOTAL_TIMEOUT < len(HANGING) * TOTAL_TIMEOUT
    assert first.memory < MEMORY_BOUND, f"{first.memory / 2**20:.0f} MB"
    assert runs.attempts == [], "a connection to an address the guard must refuse"
    assert runs.pub.canary_hits == [], "a canary was reached"
    hosts = {c.host for c in CASES.values()}
    strays = [what for what, _ in first.report.bugs if not any(h in what for h in hosts)]
    assert strays == [], strays


def test_good_sources_are_stored(runs: Runs) -> None:
    stored = stored_by_case(runs.first.articles)
    assert sorted(a.title for a in stored["good"]) == [
        "Lab report one on good",
        "Lab report two on good",
    ]
    assert [a.title for a in stored["good-json"]] == ["Lab report in JSON"]
    for article in stored["good"] + stored["good-json"]:
        assert article.text and PARAGRAPH in article.text
    for name in ("good", "good-json"):
        source = runs.first.sources[name]
        assert (source.last_error, source.error_count) == (None, 0)


@pytest.mark.parametrize("name", BAD)
def test_a_bad_source_fails_with_its_reason(runs: Runs, name: str) -> None:
    c = CASES[name]
    url = runs.pub.url(name)
    source = runs.first.sources[name]
    assert bugs_of(runs.first.report, url) == [], "hostile input must be refused, not crash"
    assert source.last_error and re.search(c.reason or "", source.last_error, re.I), (
        source.last_error
    )
    assert len(source.last_error) <= 500, "a reason is short, whatever the server sent"
    assert source.error_count >= 1
    # the first failure waits fetch.min_interval (the backoff's first step, 15 minutes, is less)
    assert source.next_check_at is not None
    wait = source.next_check_at - runs.first.started_at
    assert MIN_INTERVAL <= wait <= MIN_INTERVAL + timedelta(seconds=runs.first.seconds), wait
    errors = [e.error for e in runs.first.logs[name] if e.error]
    assert errors and re.search(c.reason or "", errors[0], re.I), errors
    assert any(url in failed for failed, _ in runs.first.report.failures)
    assert not stored_by_case(runs.first.articles).get(name)


@pytest.mark.parametrize("name", TOLERATED)
def test_input_that_can_be_read_is_read(runs: Runs, name: str) -> None:
    source = runs.first.sources[name]
    assert bugs_of(runs.first.report, runs.pub.url(name)) == []
    assert (source.last_error, source.error_count) == (None, 0), source.last_error
    own = [entry for entry in runs.first.logs[name] if entry.url == runs.pub.url(name)]
    assert own and all(entry.error is None for entry in own), own
    stored = stored_by_case(runs.first.articles).get(name, [])
    CHECKS[name](runs, stored)


def _one_article(runs: Runs, stored: list[Any]) -> None:
    assert len(stored) == 1, [a.title for a in stored]
    article = stored[0]
    assert article.text and PARAGRAPH in article.text
    for value in (article.title, article.text, article.excerpt or ""):
        value.encode("utf-8")  # no lone surrogate
        assert "\x00" not in value
        assert len(value) < 1_000_000


def _year_one(runs: Runs, stored: list[Any]) -> None:
    _one_article(runs, stored)
    published = stored[0].published_at
    assert published is None or published.year >= 1990, published


def _no_dtd_loaded(runs: Runs, stored: list[Any]) -> None:
    _one_article(runs, stored)
    assert runs.pub.canary_hits == []


def _capped(runs: Runs, stored: list[Any], name: str) -> None:
    assert 1 <= len(stored) <= MAX_PAGES
    pages = [path for label, path in runs.pub.hits if label == name and path.startswith("/a/")]
    assert len(pages) <= MAX_PAGES * 2, len(pages)  # two runs at most


def _pages(runs: Runs, stored: list[Any]) -> None:
    assert sorted(a.title for a in stored) == ["Lab report deep", "Lab report page fine"]
    log = {e.url.rsplit("/p/", 1)[1]: e for e in runs.first.logs["pages"] if "/p/" in e.url}
    for page, reason in PAGES.items():
        if reason is None:
            assert log[page].error is None
        else:
            assert log[page].error and re.search(reason, log[page].error, re.I), (page, log[page])


def _hanging_pages(runs: Runs, stored: list[Any]) -> None:
    """A host whose pages all hang costs the run one timeout, not one per page: once it has timed
    out again and again, its other pages are left for the next run, with the reason."""
    assert stored == []
    asked = [path for label, path in runs.hits if label == "hanging-pages" and "/a/" in path]
    # the first ones side by side; each of the first timeouts but the last that ends the row
    # frees a slot for one more page before the host counts as hanging (on a loaded machine the
    # first ones do not all time out at once)
    most = PER_HOST_CONNECTIONS + HOST_TIMEOUTS - 1
    assert len(asked) <= most, asked
    pages = [e for e in runs.first.logs["hanging-pages"] if "/a/" in e.url]
    assert len(pages) == MAX_PAGES and all(e.error and "timed out" in e.error for e in pages)
    skipped = [e for e in pages if e.error and e.error.startswith("skipped")]
    assert len(skipped) >= MAX_PAGES - most, [e.error for e in pages]


CHECKS: dict[str, Callable[[Runs, list[Any]], None]] = {
    "good": lambda runs, stored: None,
    "good-json": lambda runs, stored: None,
    "deep-xml": _one_article,
    "year-one": _year_one,
    "external-dtd": _no_dtd_loaded,
    "bad-utf8": _one_article,
    "lone-surrogate": _one_article,
    "nul-bytes": _one_article,
    "huge-title": _one_article,
    "many-items": lambda runs, stored: _capped(runs, stored, "many-items"),
    "many-json-items": lambda runs, stored: _capped(runs, stored, "many-json-items"),
    "robots-hang": _one_article,
    "pages": _pages,
    "hanging-pages": _hanging_pages,
}


def test_huge_bodies_are_not_read_past_the_cap(runs: Runs) -> None:
    # the 200 MB body is written lazily: the client hangs up soon after the cap
    for name in ("huge-streamed", "pages-huge"):
        assert MAX_BYTES <= runs.sent[name] < 5 * MAX_BYTES, (name, runs.sent[name])
    # a Content-Length over the cap is refused before the body is read
    assert runs.sent.get("huge-declared", 0) < 5 * MAX_BYTES


def test_a_second_run_stores_nothing_twice_and_failing_sources_back_off(runs: Runs) -> None:
    # right after the run nothing is due: the failing sources are slowed down, not retried
    again = runs.again_now.report
    assert (again.sources_ok, again.sources_failed, again.sources_not_modified) == (0, 0, 0)
    assert [a.url for a in runs.again_now.articles] == [a.url for a in runs.first.articles]
    # a day later every source is due: the failing ones are tried again (never dropped)
    later = runs.next_day
    done = later.report.sources_ok + later.report.sources_failed + later.report.sources_not_modified
    assert done == len(CASES)
    # the only new articles are the next pages of the 50,000-item feeds (the rest wait)
    before = {a.url for a in runs.first.articles}
    new = [a for a in later.articles if a.url not in before]
    assert {stored_by_case([a]).popitem()[0] for a in new} <= {"many-items", "many-json-items"}
    assert later.report.articles_new == len(new)
    keys = [a.url for a in later.articles]
    assert len(keys) == len(set(keys))
    for name in BAD:
        source = later.sources[name]
        assert source.error_count == 2, (name, source.error_count)
        # the second in a row waits up to twice as long (full jitter), never less than the first
        assert source.next_check_at is not None
        wait = source.next_check_at - later.started_at
        slack = timedelta(seconds=later.seconds)
        assert MIN_INTERVAL <= wait <= 2 * MIN_INTERVAL + slack, (name, wait)
    for name in TOLERATED:
        assert later.sources[name].error_count == 0


def test_total_timeout_bounds_a_chain_of_slow_redirects(
    hostile: Publisher, attempts: list[Any]
) -> None:
    """Five redirects that each answer after 0.6 s, with fetch.total_timeout 1.5 s: the fetch
    ends at 1.5 s, not 3.6 s, and says why (87330c3: it was one budget per hop)."""
    config = FetchConfig(
        allowed_networks=(f"{HOST}/32",),
        host_overrides=((CASES["slow-redirects"].host, HOST),),
        politeness_delay=0.0,
        read_timeout=1.0,
        total_timeout=1.5,
    )

    async def fetch() -> FetchResult:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(hostile.url("slow-redirects").replace("0.5", "0.6"))

    started = time.monotonic()
    result = asyncio.run(fetch())
    elapsed = time.monotonic() - started
    assert result.error_kind == "timeout"
    assert result.error and "more than 1.5 s in all, redirects included" in result.error
    assert "fetch.total_timeout" in result.error
    assert 1.4 < elapsed < 2.5, elapsed
    assert 1 <= len(result.redirects) <= 2


#: what the command is given: a good feed beside some of the worst
COMMAND_CASES = (
    "good",
    "gzip-bomb",
    "billion-laughs",
    "deep-json",
    "never-answers",
    "ssrf-to-loopback",
    "binary-html",
)


def test_the_command_reports_hostile_sources_without_a_traceback(
    hostile: Publisher, tmp_path: Path
) -> None:
    """``topicwire fetch`` as a user runs it: it ends normally, says why each bad source failed,
    prints no traceback, and the good feed is stored. (No net in this process: the only refused
    address it is sent to is the canary on 127.0.0.2, which must stay silent.)"""
    root = tmp_path / "site"
    init_site(root, topic="AI")
    settings = {"site.topic": "AI", **hostile_settings(hostile)}
    (root / SETTINGS_FILE_NAME).write_text(render_settings_file(settings), encoding="utf-8")
    site = open_site(root, env={})
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=hostile.url(name), kind="auto") for name in COMMAND_CASES])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPICWIRE_")}
    done = subprocess.run(
        [sys.executable, "-m", "topicwire", "fetch", "--site", str(root)],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output and "internal error" not in output, output
    for words in ("decompresses past", "declares XML entities", "nested", "timed out", "refused"):
        assert words in output, (words, output)
    assert hostile.canary_hits == []
    with Store.open(site.database_url) as store:
        titles = sorted(s.article.title for s in store.iter_articles())
        sources = {name: store.get_source(hostile.url(name)) for name in COMMAND_CASES}
    assert titles == ["Lab report one on good", "Lab report two on good"]
    for name, source in sources.items():
        assert source is not None
        reason = CASES[name].reason
        if reason is None:
            assert (source.last_error, source.error_count) == (None, 0)
        else:
            assert source.last_error and re.search(reason, source.last_error, re.I)
            assert source.error_count == 1
