"""Fixtures of the hostile suites: the hostile publisher, fetched and published once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile.crash_harness import Launcher, Publisher, StoreState, new_site, read_store, serve_feeds
from hostile.hostile_publisher import Published, fetch_and_publish, serve_publisher


@pytest.fixture(scope="package")
def publisher() -> Iterator[str]:
    """The hostile publisher's base URL (a server on 127.0.0.1)."""
    with serve_publisher() as base:
        yield base


@pytest.fixture(scope="package")
def published(publisher: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    """A site that fetched the hostile feeds and published every article they led to."""
    with fetch_and_publish(publisher, tmp_path_factory.mktemp("hostile-outputs") / "site") as done:
        yield done


# -- the crash-safety suites (test_crash_fetch.py, test_crash_publish.py) --------------------------


@pytest.fixture(scope="package")
def crash_feeds() -> Iterator[Publisher]:
    """Three RSS feeds of 35 articles each on 127.0.0.1, with validators."""
    with serve_feeds() as feeds:
        yield feeds


@pytest.fixture(scope="package")
def topicwire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    """Runs ``topicwire`` commands that a named step can kill."""
    launcher = Launcher(tmp_path_factory.mktemp("crash-runs"))
    try:
        yield launcher
    finally:
        launcher.close()


@pytest.fixture(scope="package")
def crash_template(
    topicwire: Launcher, crash_feeds: Publisher, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A new site with the three feeds added and nothing fetched (copied by each test)."""
    root = tmp_path_factory.mktemp("crash-template") / "site"
    topicwire("init", root, "--topic", "AI")
    topicwire("sources", "add", "--site", root, *crash_feeds.feeds())
    return root


@pytest.fixture(scope="package")
def crash_baseline(
    topicwire: Launcher, crash_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, StoreState]:
    """One uninterrupted fetch of a new site: what every interrupted one must end up with."""
    site = new_site(crash_template, tmp_path_factory.mktemp("crash-baseline"))
    topicwire("fetch", "--site", site)
    return site, read_store(site)
