"""Shared test fixtures: where the read-only project material (../shared) lives."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from store_fixtures import BACKENDS, backend_url
from topicwire.demo.run import DemoRun, run_demo
from topicwire.store import Store

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """``$TOPICWIRE_SHARED`` or the ``shared/`` folder beside the checkout, if present."""
    candidate = Path(os.environ.get("TOPICWIRE_SHARED", ROOT.parent / "shared"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder; missing is a failure in CI and a skip elsewhere."""
    found = shared_dir()
    if found is None:
        message = "../shared (seeds and reference records) is not beside this checkout"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def seed_path(shared: Path) -> Path:
    return shared / "seeds" / "001_edbdb9da751878ee.txt"


@pytest.fixture(scope="session")
def reference_records(shared: Path) -> list[Path]:
    """Every complete news record of the reference site (the two partial copies left out)."""
    base = shared / "reference" / "everyday-ai"
    files = sorted((base / "_news").glob("*.md")) + sorted(
        (base / "_archive" / "_news").glob("*.md")
    )
    assert files, f"no reference records under {base}"
    return files


def run(
    *args: str | Path, cwd: Path | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPICWIRE_")}
    env["COLUMNS"] = "200"
    result = subprocess.run(
        [sys.executable, "-m", "topicwire", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site"
    run("init", path, "--topic", "AI")
    return path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo built once per test session (fetch, stories, publish): read it, never change it."""
    return run_demo(tmp_path_factory.mktemp("demo") / "site")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (PostgreSQL: a schema of its own, dropped after)."""
    with backend_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """The store of ``store_url``, migrated, closed after the test."""
    with Store.open(store_url) as opened:
        yield opened
