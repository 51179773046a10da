"""Crash safety of ``topicwire fetch``: killed with SIGKILL at named steps, then run again.

After a kill and a plain ``fetch`` again (not ``--all``: the original bug was that a plain fetch
then found nothing due), or ``fetch --all`` (which got 304 for every feed), the store must hold
exactly what an uninterrupted run stored: the same canonical URLs, each once, every article
clustered, ``PRAGMA integrity_check`` ok; and right after the kill, a source may have its
validators or a next check in the future only when every article its feed lists is stored.
Two fetches at once on one site: the second refuses with a message naming the first. The
harness (feeds on loopback, the launcher) is ``crash_harness.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hostile.crash_harness import (
    FEEDS,
    TOTAL,
    Launcher,
    Publisher,
    StoreState,
    check_complete,
    check_sources_owe_nothing,
    command_env,
    new_site,
    read_store,
)
from topicwire.refresh import BATCH_SIZE
from topicwire.score.heat import UNCLUSTERED


def test_an_uninterrupted_fetch_stores_every_article(
    crash_feeds: Publisher, crash_baseline: tuple[Path, StoreState]
) -> None:
    _site, state = crash_baseline
    expected = set().union(*(crash_feeds.keys(feed) for feed in range(FEEDS)))
    assert state.articles.keys() == expected
    assert state.rows == TOTAL > BATCH_SIZE  # more than one batch
    check_complete(crash_feeds, state, state)


# -- a fetch killed, then run again ---------------------------------------------------------------

#: where the first run dies, the articles it stored by then, and the command run after it
FETCH_KILLS = [
    # the first feed read, nothing else: every source must be read again
    ("fetch.source-read", 0, "fetch"),
    # mid first batch, nothing stored: the original bug's moment, then its exact second command
    ("fetch.page:60", 0, "fetch --all"),
    # mid second batch: the first batch (the first two feeds) stored, the third feed's not all
    (f"fetch.page:{BATCH_SIZE + 3}", BATCH_SIZE, "fetch"),
    # right after the first batch's transaction
    ("fetch.batch-stored:1", BATCH_SIZE, "fetch"),
    # every article stored, the stories stage not run: the next run must cluster them
    ("fetch.articles-stored", TOTAL, "fetch"),
    # the stories stage committed, the site's neighbour index not saved
    ("stories.committed", TOTAL, "fetch"),
    # all done but the process did not end cleanly
    ("fetch.stories-saved", TOTAL, "fetch"),
]


@pytest.mark.parametrize(("kill_at", "stored", "again"), FETCH_KILLS)
def test_a_killed_fetch_loses_nothing_and_stores_nothing_twice(
    topicwire: Launcher,
    crash_feeds: Publisher,
    crash_template: Path,
    crash_baseline: tuple[Path, StoreState],
    tmp_path: Path,
    kill_at: str,
    stored: int,
    again: str,
) -> None:
    site = new_site(crash_template, tmp_path)
    topicwire("fetch", "--site", site, kill_at=kill_at)
    killed = read_store(site)
    assert killed.integrity == "ok"
    assert killed.rows == len(killed.articles) == stored  # (the kill came where it was meant to)
    if kill_at == "fetch.articles-stored":
        assert all(heat == UNCLUSTERED for heat, _story in killed.articles.values())
    elif kill_at == "stories.committed":
        assert all(story is not None for _heat, story in killed.articles.values())
    check_sources_owe_nothing(crash_feeds, killed)

    asked = len(crash_feeds.answered)
    topicwire(*again.split(), "--site", site)
    answers = crash_feeds.answered[asked:]
    # a feed asked again is read whole: no validators were kept for articles not stored
    assert all(status == 200 for _feed, status in answers), answers
    if again == "fetch --all":  # (the original bug: 304 for every feed)
        assert sorted(answers) == [(feed, 200) for feed in range(FEEDS)]
    check_complete(crash_feeds, read_store(site), crash_baseline[1])


# -- two fetches at once --------------------------------------------------------------------------


def test_a_second_fetch_on_the_same_site_refuses_and_stores_nothing(
    crash_feeds: Publisher,
    crash_template: Path,
    crash_baseline: tuple[Path, StoreState],
    tmp_path: Path,
) -> None:
    """The real command twice, as separate processes: the first holds the site's fetch lock
    while the server holds its feeds; the second must refuse at once, naming the first."""
    site = new_site(crash_template, tmp_path)
    command = [sys.executable, "-m", "topicwire", "fetch", "--site", str(site)]
    while crash_feeds.arrived.acquire(blocking=False):
        pass  # (requests counted by earlier tests)
    crash_feeds.gate.clear()
    try:
        first = subprocess.Popen(
            command, env=command_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            # the first run asked for a feed: it holds the lock, and waits for the gate
            assert crash_feeds.arrived.acquire(timeout=60), "the first fetch never asked for a feed"
            second = subprocess.run(
                command, env=command_env(), capture_output=True, text=True, timeout=60
            )
        finally:
            crash_feeds.gate.set()
        out, _err = first.communicate(timeout=180)
    finally:
        crash_feeds.gate.set()
    assert first.returncode == 0, out
    assert second.returncode == 1, second.stderr + second.stdout
    message = " ".join(second.stderr.split())  # (the console may wrap it)
    assert "error: another `topicwire fetch` is running on this site" in message
    assert f"pid {first.pid}" in message
    assert "Traceback" not in second.stderr + second.stdout
    check_complete(crash_feeds, read_store(site), crash_baseline[1])
