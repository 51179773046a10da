"""How long ``topicwire sources import`` takes on a large OPML list.

Writes an OPML file of ``--feeds`` outlines (in nested category folders, as exported lists are),
creates a site in a temporary folder and runs ``topicwire sources import`` on it as a user does,
then runs it a second time (every feed already known). Prints the seconds of each run and how many
sources the store holds. Nothing reaches the network.

Usage: ``python bench/opml_import.py [--feeds 150000] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_opml(path: Path, feeds: int) -> None:
    """An OPML list of ``feeds`` outlines, 500 to a category folder, folders two levels deep."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', "<head>"]
    lines += ["<title>Bench</title>", "</head>", "<body>"]
    for start in range(0, feeds, 500):
        group = start // 500
        lines.append(f'<outline text="Group {group // 10}">')
        lines.append(f'<outline text="Folder {group}">')
        for number in range(start, min(start + 500, feeds)):
            lines.append(
                f'<outline type="rss" text="Feed {number}" '
                f'xmlUrl="https://feeds{number % 97}.example.com/feed/{number}.xml"/>'
            )
        lines += ["</outline>", "</outline>"]
    lines += ["</body>", "</opml>"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def topicwire(*args: str | Path) -> float:
    """Run one topicwire command; its wall time in seconds (a failure stops the bench)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "topicwire", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"topicwire {' '.join(map(str, args))} failed:\n{result.stderr}{result.stdout}")
    return elapsed


def count_sources(site: Path) -> int:
    from topicwire.site import open_site
    from topicwire.store import Store

    with Store.open(open_site(site).database_url) as store:
        return len(store.list_sources())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=150_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="topicwire-opml-bench-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        opml = work / "feeds.opml"
        write_opml(opml, args.feeds)
        site = work / "site"
        shutil.rmtree(site, ignore_errors=True)
        topicwire("init", site, "--topic", "AI")
        first = topicwire("sources", "import", "--site", site, opml)
        again = topicwire("sources", "import", "--site", site, opml)
        stored = count_sources(site)
        print(
            f"{args.feeds} feeds: first import {first:.1f} s, again {again:.1f} s; {stored} stored"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
