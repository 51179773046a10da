"""Fixtures of the hostile suites: the hostile publisher, fetched and published once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hostile_publisher import Published, fetch_and_publish, serve_publisher


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
