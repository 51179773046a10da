"""Publish speed: topicwire's ``publish_site`` against Jekyll and Hugo on the same records.

    .venv/bin/python bench/publish.py                       # 2,000 then 20,000 (~15-20 min)
    .venv/bin/python bench/publish.py --sizes 2000 --profile
    .venv/bin/python bench/publish.py --tools topicwire,hugo --work /tmp/pub

For each size N the bench invents N articles (varied titles, the AI root plus 2-3 of six
subtopics, 20 providers, dates over 30 days, one story per 3-5 articles, written through the
stories stage's own writer; no embedder), stores them in a fresh site's SQLite store in batches,
then times, with ``time.perf_counter`` around the call:

- topicwire: ``publish_site`` into a fresh ``out/`` (full), again with nothing changed, and
  after 100 new articles (incremental), in this process;
- topicwire (command): the same three as a user runs them, ``topicwire publish`` in a new
  process each time (interpreter start, imports and exit included, as in the peers' times),
  the incremental one after another 100 new articles (with nothing changed and after them it
  publishes at the clock's time, not the bench's fixed one);
- Jekyll 4 and Hugo (Debian packages, installed with apt-get when missing and running as root):
  the same records (``render_records``: ``_news/*.md``) in a minimal site with one page per
  record and paged JSON listings per topic (20 a page, at most ``publish.max_pages`` pages, plus
  one "hot" page), built from scratch (full) and again after the same 100 records are added
  (Hugo has no incremental build outside its server; Jekyll's ``--incremental`` does not track
  the listings' dependency on the whole collection, so both rebuild: that is what a site owner
  runs). Jekyll runs with and without a small plugin that makes its de-duplication of site files
  use an identity set instead of ``Array#include?`` (quadratic in the number of files). Jekyll
  without the plugin is skipped at a size where the 2,000-record run predicts more than
  ``--budget`` seconds.

The full builds run ``--repeat`` rounds (default 3): each round builds with every tool once,
the order turned by one from round to round, and the table shows each tool's median and range
(the slow Jekyll builds run in the first round only). Nothing is deleted while builds are
timed: outputs to be replaced are renamed aside and deleted at the end (see :class:`Discards`
for why that matters on this machine's disk).

Everything runs in one process, tools one after the other, on whatever else the machine is
doing: wall times on a shared machine swing, so compare ratios taken in the same run (the
round-by-round ratios are printed too). Prints a table (size, tool, full, incremental, ratio),
topicwire's phases, the home page's weight and requests, optionally a cProfile summary, then
ONE JSON line of headline numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import topicwire
from topicwire.model import Article, Image, Provider, Topic
from topicwire.publish.build import (
    KEEP,
    article_images,
    publish_site,
    render_records,
    site_images,
    site_snapshot,
)
from topicwire.publish.feeds import render_feeds
from topicwire.publish.html import render_site
from topicwire.publish.jsonapi import render_json_api
from topicwire.publish.newsletter import render_newsletter
from topicwire.publish.writer import read_manifest, write_tree
from topicwire.site import Site, init_site
from topicwire.store import Store
from topicwire.store.stories import StoryState
from topicwire.taxonomy import dump_topic

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ROOT = "AI"
SUBTOPICS = (
    "Generative AI",
    "Robotics",
    "AI Policy",
    "Machine Learning",
    "Computer Vision",
    "AI Chips",
)
BATCH = 500
TOOLS = ("topicwire", "hugo", "jekyll-plugin", "jekyll")

# -- invented articles --------------------------------------------------------------------------

_COMPANIES = [
    "OpenAI",
    "Anthropic",
    "Google",
    "Meta",
    "Microsoft",
    "Nvidia",
    "AMD",
    "Intel",
    "Apple",
    "Amazon",
    "Mistral",
    "Cohere",
    "Baidu",
    "Tencent",
    "Samsung",
    "IBM",
    "Boston-Dynamics",
    "DeepL",
    "Hugging-Face",
    "Stability",
]
_VERBS = [
    "unveils",
    "launches",
    "delays",
    "trains",
    "open-sources",
    "audits",
    "acquires",
    "sues",
    "ships",
    "benchmarks",
    "retires",
    "doubles",
    "cuts",
    "licenses",
]
_THINGS = [
    "a reasoning model",
    "a robot arm",
    "new inference chips",
    "an AI safety board",
    "a vision transformer",
    "a code assistant",
    "its training data",
    "a humanoid prototype",
    "a chip fab deal",
    "an image generator",
    "a speech model",
    "an EU compliance plan",
    "a data centre",
    "a model for radiology",
]
_TAILS = [
    "amid regulatory scrutiny",
    "after a year of tests",
    "for enterprise customers",
    "in Europe first",
    "as rivals catch up",
    "with an open licence",
    "at a developer conference",
    "despite GPU shortages",
    "to cut costs",
    "under pressure from investors",
]
_WORDS = [
    "model",
    "data",
    "training",
    "inference",
    "chip",
    "policy",
    "robot",
    "vision",
    "benchmark",
    "accuracy",
    "latency",
    "cost",
    "researchers",
    "engineers",
    "regulators",
    "users",
    "release",
    "paper",
    "results",
    "dataset",
    "compute",
    "cluster",
    "open",
    "weights",
    "safety",
    "evaluation",
    "deployment",
    "customers",
    "market",
    "revenue",
    "partnership",
]


def providers() -> list[Provider]:
    """20 invented outlets, each with a logo."""
    names = [
        "Wire Daily",
        "Tech Ledger",
        "Beam News",
        "Circuit Times",
        "Model Weekly",
        "The Gradient Post",
        "Silicon Herald",
        "Robot Report",
        "Policy Brief",
        "Vision Journal",
        "Chip Chronicle",
        "Data Desk",
        "Inference Today",
        "Open Lab News",
        "Neural Notes",
        "Compute Courier",
        "Agent Gazette",
        "Tensor Tribune",
        "Cluster Current",
        "Byte Bulletin",
    ]
    out = []
    for name in names:
        domain = re.sub(r"[^a-z]+", "", name.lower()) + ".example"
        logo = Image(url=f"https://{domain}/logo.png", width=64, height=64)
        out.append(Provider(name=name, domain=domain, images=[logo]))
    return out


PROVIDERS = providers()


def invent(n: int, rng: random.Random, newest: datetime, days: float) -> Article:
    """Article number ``n``, published within ``days`` before ``newest``."""
    provider = PROVIDERS[rng.randrange(len(PROVIDERS))]
    title = (
        f"{rng.choice(_COMPANIES).replace('-', ' ')} {rng.choice(_VERBS).replace('-', ' ')} "
        f"{rng.choice(_THINGS)} {rng.choice(_TAILS)} (#{n})"
    )
    excerpt = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(25, 40))).capitalize() + "."
    body = "\n\n".join(
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 70))).capitalize() + "."
        for _ in range(3)
    )
    published_at = newest - timedelta(seconds=rng.uniform(0, days * 86400))
    images = []
    if rng.random() < 0.7:
        images.append(
            Image(url=f"https://img.{provider.domain}/{n}.jpg", width=1200, height=675, title=title)
        )
    return Article(
        category="news",
        title=title,
        excerpt=excerpt,
        published_at=published_at,
        updated_at=published_at + timedelta(minutes=rng.randint(0, 120)),
        original_url=f"https://{provider.domain}/{published_at:%Y/%m}/story-{n}?utm_source=rss",
        web_url=f"https://{provider.domain}/{published_at:%Y/%m}/story-{n}",
        type="article",
        quality=rng.randint(30, 95),
        heat=rng.randint(0, 100),
        published=True,
        locale="en-US",
        provider=provider,
        topics=[ROOT, *rng.sample(SUBTOPICS, rng.randint(2, 3))],
        images=images,
        body=body,
    )


def make_site(folder: Path) -> Site:
    """A new site with the AI root and six subtopics."""
    site = init_site(folder, topic=ROOT, title="Bench AI News")
    for i, name in enumerate(SUBTOPICS, start=1):
        data = {
            "taxonomy": "topic",
            "_id": re.sub(r"[^a-z]+", "-", name.lower()).strip("-"),
            "name": name,
            "parent": ROOT,
            "description": f"News about {name}.",
            "keywords": [name.lower()],
        }
        topic = Topic.from_data(data)
        (site.topics_dir / f"{i:02d}-{topic.id}.yaml").write_text(
            dump_topic(topic), encoding="utf-8"
        )
    return site


def add_articles(
    store: Store, rng: random.Random, first: int, count: int, newest: datetime, days: float
) -> None:
    """Store ``count`` new articles numbered from ``first``, in batches, with their stories."""
    for start in range(first, first + count, BATCH):
        batch = [
            invent(n, rng, newest, days) for n in range(start, min(start + BATCH, first + count))
        ]
        ids = store.upsert_articles(batch).ids
        with store.story_writer() as writer:
            i = 0
            while i < len(batch):
                size = rng.randint(3, 5)
                members = list(zip(ids[i : i + size], batch[i : i + size], strict=True))
                i += size
                story_id = writer.create_story(members[0][1].title)
                writer.place({article_id: story_id for article_id, _ in members})
                dates = sorted(a.published_at for _, a in members if a.published_at)
                heat = max(a.heat or 0 for _, a in members)
                writer.save_story(
                    StoryState(
                        id=story_id,
                        title=members[0][1].title,
                        original_article_id=members[0][0],
                        heat=heat,
                        first_published_at=dates[0],
                        last_published_at=dates[-1],
                        article_count=len(members),
                        provider_count=len({a.provider.domain for _, a in members if a.provider}),
                        history=[(dates[0] + timedelta(hours=h), heat - 3 * h) for h in range(6)],
                    )
                )


# -- topicwire ------------------------------------------------------------------------------------


@dataclass
class Run:
    """One tool at one size."""

    size: int
    tool: str
    #: the median of the full builds (``fulls``: each round's time, in round order)
    full: float | None = None
    incremental: float | None = None
    unchanged: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    fulls: list[float] = field(default_factory=list)

    def add_full(self, seconds: float) -> None:
        self.fulls.append(seconds)
        self.full = statistics.median(self.fulls)

    def spread(self) -> str:
        """The full builds' range, "" for a single one."""
        if len(self.fulls) < 2:
            return ""
        return f"{min(self.fulls):.2f}-{max(self.fulls):.2f}"


def settle() -> None:
    """Let the disk finish what earlier steps left (writeback): every timed build, any tool's,
    starts from a quiet disk. (Deleted files are not waited for: nothing is deleted while
    builds are timed, see :class:`Discards`.)"""
    os.sync()
    time.sleep(1.0)


class Discards:
    """Where the bench puts what it would delete: moved aside (one rename) into ``folder``
    and deleted only when every build has been timed.

    This machine's root file system is ext4 without a journal, and there ext4 will not hand
    out an inode freed in the last minute (six while its inode-table block is dirty): each
    new file or folder first steps over every recently deleted inode of its block group
    (``recently_deleted`` in the kernel's ``fs/ext4/ialloc.c``, seen with ``perf``). Measured
    here, 5,000 new folders with a file each took 0.51 s on a quiet disk, 1.06 s a second
    after 20,000 inodes were deleted, 1.9-2.5 s a minute later with more creations in
    between, and 0.67 s after the same 20,000 were only renamed aside. Deleting one tool's
    output before the next build made whichever tool came next pay for it, and the tool with
    the most files pay most."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def discard(self, path: Path) -> None:
        """Move ``path`` (a file or folder; nothing if missing) out of the way."""
        if not path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path.rename(self.folder / f"{self.count:04d}-{path.name}")

    def empty(self) -> None:
        """Delete everything discarded (after the last timed build)."""
        shutil.rmtree(self.folder, ignore_errors=True)


#: set by :func:`main` for the whole run (a folder beside the sites)
DISCARDS: Discards | None = None


def discard(path: Path) -> None:
    """Put ``path`` out of the way without deleting it while builds are timed."""
    if DISCARDS is None:
        shutil.rmtree(path, ignore_errors=True)
    else:
        DISCARDS.discard(path)


def timed(action: Callable[[], object]) -> float:
    settle()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def phases(site: Site, store: Store, now: datetime) -> dict[str, float]:
    """``publish_site`` step by step (same calls, same order), seconds per step."""
    out: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now_ = time.perf_counter()
        out[name] = now_ - mark
        mark = now_

    snapshot = site_snapshot(site, store, now=now)
    sources = [(s.url, s.title) for s in store.list_sources()]
    step("snapshot (index, stories, histories)")
    snapshot.prefetch([*snapshot.articles, *snapshot.coverage])
    step("articles (store -> objects)")
    shown, images = site_images(snapshot, site.images_dir)
    for item in shown.articles.values():
        images.update(article_images(item, site.images_dir))
    step("site_images (model copies)")
    files: dict[str, bytes | Path] = {}
    files.update(render_records(snapshot))
    step("records (_news/*.md)")
    files.update(render_json_api(snapshot))
    step("JSON API")
    files.update(render_site(shown, sources=sources))
    step("HTML (Jinja2)")
    files.update(render_feeds(snapshot))
    step("feeds")
    files.update(render_newsletter(snapshot, now.date()))
    step("newsletter")
    files.update(images)
    discard(site.out_dir)
    write_tree(site.out_dir, files, keep=KEEP)
    step("write_tree (fresh out/)")
    out["files"] = float(len(files))
    return out


def profile(site: Site, store: Store, now: datetime, top: int = 15) -> str:
    """cProfile of a full publish into a fresh ``out/``: the ``top`` entries by cumulative time."""
    discard(site.out_dir)
    profiler = cProfile.Profile()
    profiler.enable()
    publish_site(site, store, now=now)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(top)
    text.write("\n-- by own time --\n")
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def command_timer(site: Site) -> Callable[[], float]:
    """A timer of ``topicwire publish --site SITE`` run as a user runs it: a new process each
    time (interpreter start, imports and exit included, as in the peers' times)."""
    executable = Path(sys.executable).with_name("topicwire")
    command = [str(executable)] if executable.is_file() else [sys.executable, "-m", "topicwire"]
    command += ["publish", "--site", str(site.root)]
    # as an installed package is: byte-compiled (where PYTHONDONTWRITEBYTECODE is set, as on
    # this workplace's machines, every run would otherwise compile topicwire from source)
    package = Path(topicwire.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)

    def timed_command() -> float:
        settle()
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
        return seconds

    return timed_command


def home_page(out: Path) -> dict[str, Any]:
    """Weight of ``out/index.html`` with its local non-image subresources, and its requests."""
    html = (out / "index.html").read_text(encoding="utf-8")
    refs: list[tuple[str, str]] = []
    for tag, attr in (("link", "href"), ("img", "src"), ("script", "src")):
        for found in re.finditer(rf"<{tag}\b[^>]*>", html, re.IGNORECASE):
            value = re.search(rf"""\b{attr}\s*=\s*["']([^"']*)["']""", found.group(0))
            rel = re.search(r"""\brel\s*=\s*["']([^"']*)["']""", found.group(0))
            if value is None:
                continue
            if tag == "link" and rel and rel.group(1).lower() in {"canonical", "alternate"}:
                continue  # not fetched by the browser
            refs.append((tag, value.group(1)))
    local = [r for r in refs if not re.match(r"(https?:)?//", r[1])]
    external = [r for r in refs if r not in local]
    weight = len(html.encode("utf-8"))
    for tag, url in local:
        if tag == "img" or re.search(r"\.(svg|png|ico|jpe?g|gif|webp|avif)$", url.split("?")[0]):
            continue  # images (the favicon too) are not part of the weight
        path = out / url.split("?")[0].split("#")[0].lstrip("/")
        if path.is_file():
            weight += path.stat().st_size
    return {
        "html_bytes": len(html.encode("utf-8")),
        "weight_without_images": weight,
        "requests_local": len(local),
        "requests_external": len(external),
        "requests_external_unique": len({u for _, u in external}),
        "by_tag": {t: sum(1 for r in refs if r[0] == t) for t in ("link", "img", "script")},
        "external": sorted({u for _, u in external})[:10],
    }


# -- peers -----------------------------------------------------------------------------------------


def ensure_tools(wanted: Iterable[str]) -> None:
    """Install the Debian packages ``jekyll`` and ``hugo`` when a wanted peer is missing."""
    need = []
    if any(t.startswith("jekyll") for t in wanted) and not shutil.which("jekyll"):
        need.append("jekyll")
    if "hugo" in wanted and not shutil.which("hugo"):
        need.append("hugo")
    if not need:
        return
    if os.geteuid() != 0:
        sys.exit(f"missing {', '.join(need)}: install with apt-get (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", *need], check=True, env=env)


def version(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0]


JEKYLL_CONFIG = """\
title: Bench AI News
collections:
  news:
    output: true
    permalink: /news/:name/
defaults:
  - scope: {path: "", type: news}
    values: {layout: news}
exclude: [plugins-dedup]
"""

JEKYLL_LAYOUT = """\
<!doctype html>
<html lang="{{ page.locale | default: 'en' }}">
<head><meta charset="utf-8"><title>{{ page.title | escape }} - {{ site.title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main><article>
<h1><a href="{{ page.webUrl | escape }}">{{ page.title | escape }}</a></h1>
<p>{{ page.provider.name | escape }} -
<time datetime="{{ page.publishedDateTime | date_to_xmlschema }}">
{{ page.publishedDateTime | date: "%-d %B %Y, %H:%M" }}</time> - heat {{ page.heat }}</p>
{% if page.images.size > 0 %}<img src="{{ page.images[0].url | escape }}" alt=""
 width="{{ page.images[0].width }}" height="{{ page.images[0].height }}">{% endif %}
<p>{{ page.excerpt | escape }}</p>
{{ content }}
<ul>{% for t in page.topics %}<li>{{ t | escape }}</li>{% endfor %}</ul>
</article></main>
</body></html>
"""

JEKYLL_ITEM = (
    '{"path": {{ a.url | jsonify }}, "title": {{ a.title | jsonify }}, '
    '"type": {{ a.type | jsonify }}, "heat": {{ a.heat | jsonify }}, '
    '"sourceUrl": {{ a.originalUrl | jsonify }}, "webUrl": {{ a.webUrl | jsonify }}, '
    '"excerpt": {{ a.excerpt | jsonify }}, '
    '"publishedDateTime": {{ a.publishedDateTime | date: "%Y-%m-%dT%H:%M:%SZ" | jsonify }}, '
    '"updatedDateTime": {{ a.updatedDateTime | date: "%Y-%m-%dT%H:%M:%SZ" | jsonify }}, '
    '"provider": {"domain": {{ a.provider.domain | jsonify }}, '
    '"images": {{ a.provider.images | jsonify }}, "name": {{ a.provider.name | jsonify }}}, '
    '"images": {{ a.images | jsonify }}, "locale": {{ a.locale | jsonify }}, '
    '"categories": [{{ a.category | jsonify }}], "topics": {{ a.topics | jsonify }}}'
)

JEKYLL_LISTING = """\
---
layout: null
permalink: {permalink}
topic: {topic}
number: {number}
next: {next}
---
{{%- assign items = site.news | where: "topics", page.topic {select} -%}}
{{%- assign skip = page.number | minus: 1 | times: {size} -%}}
{{"title": {{{{ page.topic | jsonify }}}}, "path": {{{{ page.url | jsonify }}}}, \
"page": {{{{ page.number }}}}, "value": [
{{%- for a in items limit: {size} offset: skip -%}}
{item}{{% unless forloop.last %}},{{% endunless %}}
{{%- endfor -%}}
], "nextPage": {{{{ page.next | jsonify }}}}}}
"""

# Jekyll 4.3's Site#each_site_file skips files already yielded with Array#include?, which
# compares documents with <=> (path, then date): quadratic in the number of files.
JEKYLL_DEDUP_PLUGIN = """\
# frozen_string_literal: true

require "set"

module Jekyll
  class Site
    def each_site_file
      seen = Set.new.compare_by_identity
      %w(pages static_files_to_write docs_to_write).each do |type|
        send(type).each { |item| yield item if seen.add?(item) }
      end
    end
  end
end
"""

HUGO_CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
title = "Bench AI News"
disableKinds = ["home", "section", "taxonomy", "RSS", "sitemap", "robotsTXT", "404"]
paginate = {size}
ignoreErrors = ["error-disable-taxonomy"]

[taxonomies]
  topic = "topics"

[frontmatter]
  date = ["publishedDateTime", ":filename"]
  publishDate = ["publishedDateTime"]
  lastmod = ["updatedDateTime"]

[outputFormats.hot]
  mediaType = "application/json"
  baseName = "hot"
  isPlainText = true

[outputs]
  term = ["JSON", "hot"]
  page = ["HTML"]
"""

HUGO_SINGLE = """\
<!doctype html>
<html lang="{{ .Params.locale | default "en" }}">
<head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main><article>
<h1><a href="{{ .Params.webUrl }}">{{ .Title }}</a></h1>
<p>{{ .Params.provider.name }} -
<time datetime="{{ .Date.UTC.Format "2006-01-02T15:04:05Z" }}">
{{ .Date.UTC.Format "2 January 2006, 15:04" }}</time> - heat {{ .Params.heat }}</p>
{{ with index .Params.images 0 }}<img src="{{ .url }}" alt=""
 width="{{ .width }}" height="{{ .height }}">{{ end }}
<p>{{ .Params.excerpt }}</p>
{{ .Content }}
<ul>{{ range .Params.topics }}<li>{{ . }}</li>{{ end }}</ul>
</article></main>
</body></html>
"""

HUGO_ITEM = """\
{{- define "item" -}}
{"path": {{ .RelPermalink | jsonify }}, "title": {{ .Title | jsonify }}, \
"type": {{ .Params.type | jsonify }}, "heat": {{ .Params.heat | jsonify }}, \
"sourceUrl": {{ .Params.originalUrl | jsonify }}, "webUrl": {{ .Params.webUrl | jsonify }}, \
"excerpt": {{ .Params.excerpt | jsonify }}, \
"publishedDateTime": {{ .Date.UTC.Format "2006-01-02T15:04:05Z" | jsonify }}, \
"updatedDateTime": {{ .Lastmod.UTC.Format "2006-01-02T15:04:05Z" | jsonify }}, \
"provider": {"domain": {{ .Params.provider.domain | jsonify }}, \
"images": {{ .Params.provider.images | jsonify }}, \
"name": {{ .Params.provider.name | jsonify }}}, \
"images": {{ .Params.images | default slice | jsonify }}, \
"locale": {{ .Params.locale | jsonify }}, \
"categories": [{{ .Params.category | jsonify }}], "topics": {{ .Params.topics | jsonify }}}
{{- end -}}
"""

HUGO_TERM = """\
{{- $pager := .Paginate (first {limit} .Pages.ByDate.Reverse) -}}
{"title": {{ .Title | jsonify }}, "path": {{ $pager.URL | jsonify }}, \
"page": {{ $pager.PageNumber }}, "value": [
{{- range $i, $p := $pager.Pages }}{{ if $i }},{{ end }}
{{ partial "item.json" $p }}{{ end }}
], "nextPage": {{ if $pager.HasNext }}{{ $pager.Next.URL | jsonify }}{{ else }}null{{ end }}}
"""

HUGO_HOT = """\
{{- $hot := sort (where .Pages "Params.heat" "ge" {minimum}) "Params.heat" "desc" -}}
{"title": {{ .Title | jsonify }}, "path": {{ .RelPermalink | jsonify }}, "page": 1, "value": [
{{- range $i, $p := first {size} $hot }}{{ if $i }},{{ end }}
{{ partial "item.json" $p }}{{ end }}
], "nextPage": null}
"""


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def peer_sites(
    root: Path, records: dict[str, bytes], topics: list[Topic], size: int, pages: int, hot: int
) -> tuple[Path, Path]:
    """Write (or bring up to date) the Jekyll and Hugo sources; their folders."""
    jekyll, hugo = root / "jekyll", root / "hugo"
    files: dict[Path, bytes] = {
        jekyll / "_config.yml": JEKYLL_CONFIG.encode(),
        jekyll / "_layouts" / "news.html": JEKYLL_LAYOUT.encode(),
        jekyll / "plugins-dedup" / "dedup.rb": JEKYLL_DEDUP_PLUGIN.encode(),
        hugo / "config.toml": HUGO_CONFIG.format(size=size).encode(),
        hugo / "layouts" / "_default" / "single.html": HUGO_SINGLE.encode(),
        hugo / "layouts" / "partials" / "item.json": HUGO_ITEM.replace(
            '{{- define "item" -}}\n', ""
        )
        .replace("{{- end -}}\n", "")
        .encode(),
        hugo / "layouts" / "_default" / "term.json": HUGO_TERM.replace(
            "{limit}", str(size * pages)
        ).encode(),
        hugo / "layouts" / "_default" / "term.hot.json": HUGO_HOT.replace("{minimum}", str(hot))
        .replace("{size}", str(size))
        .encode(),
    }
    for topic in topics:
        for number in range(1, pages + 1):
            base = f"/api/news/{topic.id}/"
            nxt = json.dumps(f"{base}page/{number + 1}/" if number < pages else None)
            files[jekyll / "api" / topic.id / f"page-{number}.json"] = JEKYLL_LISTING.format(
                permalink=f"{base}page/{number}/index.json",
                topic=json.dumps(topic.name),
                number=number,
                next=nxt,
                select='| sort: "publishedDateTime" | reverse',
                size=size,
                item=JEKYLL_ITEM,
            ).encode()
        files[jekyll / "api" / topic.id / "hot.json"] = JEKYLL_LISTING.format(
            permalink=f"/api/news/{topic.id}/hot/index.json",
            topic=json.dumps(topic.name),
            number=1,
            next="null",
            select=f'| where_exp: "a", "a.heat >= {hot}" | sort: "heat" | reverse',
            size=size,
            item=JEKYLL_ITEM,
        ).encode()
    for record, data in records.items():
        name = record.removeprefix("_news/")
        files[jekyll / "_news" / name] = data
        files[hugo / "content" / "news" / name] = data
    for target, data in files.items():
        write_if_changed(target, data)
    return jekyll, hugo


def build_jekyll(source: Path, *, plugin: bool, fresh: bool) -> float:
    dest = source.parent / ("jekyll-out-plugin" if plugin else "jekyll-out")
    cache = source / ".jekyll-cache"
    if fresh:
        discard(dest)
        discard(cache)
    command = ["jekyll", "build", "--unpublished", "-q", "-s", str(source), "-d", str(dest)]
    command += ["--plugins", str(source / ("plugins-dedup" if plugin else "_plugins"))]
    return run_build(command, source)


def build_hugo(source: Path, *, fresh: bool) -> float:
    dest = source / "public"
    if fresh:
        discard(dest)
        discard(source / "resources")
    return run_build(["hugo", "-D", "--quiet", "-s", str(source), "-d", str(dest)], source)


def run_build(command: list[str], cwd: Path) -> float:
    settle()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return seconds


def count_files(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern))


# -- one size ------------------------------------------------------------------------------------


def bench_size(
    size: int, args: argparse.Namespace, plain_jekyll_estimate: float | None
) -> tuple[list[Run], dict[str, Any]]:
    rng = random.Random(args.seed + size)
    work = Path(args.work) / f"n{size}"
    discard(work)
    work.mkdir(parents=True)
    site = make_site(work / "site")
    store = Store.open(site.database_url)
    info: dict[str, Any] = {}
    started = time.perf_counter()
    add_articles(store, rng, 0, size, NOW - timedelta(hours=1), 30)
    info["store_seconds"] = time.perf_counter() - started
    print(f"[{size}] stored {size} articles in {info['store_seconds']:.1f} s", flush=True)

    snapshot = site_snapshot(site, store, now=NOW)
    records = render_records(snapshot)
    topics = list(snapshot.topics)
    page_size, max_pages = snapshot.page_size, snapshot.max_pages
    minimum_heat = snapshot.minimum_heat
    del snapshot
    jekyll, hugo = peer_sites(work, records, topics, page_size, max_pages, minimum_heat)

    # full builds: every tool once a round, the order turned by one each round (no tool always
    # builds first, or right after the same one); the slow Jekyll builds only in the first round
    tw = Run(size, "topicwire")
    command = Run(size, "topicwire (command)")
    timed_command = command_timer(site) if "topicwire" in args.tools else None
    jobs: list[tuple[Run, Callable[[], float], bool]] = []  # (run, build, every round)
    if timed_command is not None:

        def in_process() -> float:
            discard(site.out_dir)
            return timed(lambda: publish_site(site, store, now=NOW))

        def as_command() -> float:
            discard(site.out_dir)
            return timed_command()

        jobs += [(tw, in_process, True), (command, as_command, True)]
    peers: list[Run] = []
    if "hugo" in args.tools:
        run = Run(size, "hugo")
        jobs.append((run, lambda: build_hugo(hugo, fresh=True), True))
        peers.append(run)
    if "jekyll-plugin" in args.tools:
        run = Run(size, "jekyll+dedup plugin")
        jobs.append((run, lambda: build_jekyll(jekyll, plugin=True, fresh=True), False))
        peers.append(run)
    if "jekyll" in args.tools:
        run = Run(size, "jekyll (no plugin)")
        if plain_jekyll_estimate is not None and plain_jekyll_estimate > args.budget:
            run.note = f"skipped: predicted {plain_jekyll_estimate:.0f} s > budget {args.budget} s"
        else:
            jobs.append((run, lambda: build_jekyll(jekyll, plugin=False, fresh=True), False))
        peers.append(run)
    for round_ in range(args.repeat):
        turn = round_ % len(jobs) if jobs else 0
        for run, build, every in jobs[turn:] + jobs[:turn]:
            if round_ == 0 or every:
                run.add_full(build())
                print(
                    f"[{size}] round {round_ + 1}: {run.tool} full {run.fulls[-1]:.2f} s",
                    flush=True,
                )
    tw.extra["files"] = len(read_manifest(site.out_dir)) if timed_command else None
    command.extra["files"] = tw.extra["files"]
    for run in peers:
        if run.fulls:
            run.extra["files"] = count_files(peer_output(run, jekyll, hugo), "**/*.*")

    if timed_command is not None:
        # the in-process publish at NOW again (untimed: the last full build may have been the
        # command's, at the clock's time), then timed with nothing changed
        discard(site.out_dir)
        publish_site(site, store, now=NOW)
        tw.unchanged = timed(lambda: publish_site(site, store, now=NOW))
        info["home"] = home_page(site.out_dir)

    # 100 new articles: the newest of the site
    add_articles(store, rng, size, args.incremental, NOW + timedelta(minutes=9), 1 / 24)
    later = NOW + timedelta(minutes=10)
    if timed_command is not None:
        tw.incremental = timed(lambda: publish_site(site, store, now=later))
        print(f"[{size}] topicwire after +{args.incremental}: {tw.incremental:.2f} s", flush=True)
    new_records = render_records(site_snapshot(site, store, now=later))
    peer_sites(work, new_records, topics, page_size, max_pages, minimum_heat)
    for run in peers:
        if not run.fulls:
            continue
        if run.tool == "hugo":
            run.incremental = build_hugo(hugo, fresh=False)
        else:
            run.incremental = build_jekyll(jekyll, plugin="plugin" in run.tool, fresh=False)
        print(f"[{size}] {run.tool} after +{args.incremental}: {run.incremental:.2f} s", flush=True)
    runs = [tw, command, *peers] if timed_command is not None else peers
    if timed_command is not None:
        # the command: once untimed (out/ is the in-process publish's, at NOW; the command
        # publishes at the clock's time), then with nothing changed, then after 100 more
        timed_command()
        command.unchanged = timed_command()
        add_articles(
            store,
            rng,
            size + args.incremental,
            args.incremental,
            later + timedelta(minutes=9),
            1 / 24,
        )
        command.incremental = timed_command()
        print(
            f"[{size}] topicwire command: unchanged {command.unchanged:.2f} s, "
            f"after +{args.incremental} more: {command.incremental:.2f} s",
            flush=True,
        )
    info["rounds"] = {run.tool: run.fulls for run in runs if run.fulls}
    info["tw_store"] = store
    info["tw_site"] = site
    return runs, info


def peer_output(run: Run, jekyll: Path, hugo: Path) -> Path:
    """Where a peer's build writes."""
    if run.tool == "hugo":
        return hugo / "public"
    return jekyll.parent / ("jekyll-out-plugin" if "plugin" in run.tool else "jekyll-out")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--incremental", type=int, default=100, help="articles added")
    parser.add_argument("--budget", type=float, default=600, help="max seconds of one build")
    parser.add_argument("--profile", action="store_true", help="cProfile a full publish")
    parser.add_argument("--phases", action="store_true", help="time publish_site step by step")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=3, help="full builds per tool (Jekyll: one), alternating"
    )
    parser.add_argument("--work", default="", help="folder for the sites (default: a temp dir)")
    args = parser.parse_args(argv)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(args.tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; choose from {TOOLS}")
    ensure_tools(args.tools)
    temp = None
    if not args.work:
        temp = tempfile.TemporaryDirectory(prefix="tw-publish-bench-")
        args.work = temp.name
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, work in {args.work}")
    global DISCARDS
    DISCARDS = Discards(Path(args.work) / "discarded")
    for tool, command in (("jekyll", ["jekyll", "--version"]), ("hugo", ["hugo", "version"])):
        if any(t.startswith(tool) for t in args.tools):
            print(f"{tool}: {version(command)}")

    all_runs: list[Run] = []
    headline: dict[str, Any] = {}
    estimate: float | None = None
    previous: dict[str, Run] = {}
    previous_size = 0
    for size in sorted(int(s) for s in args.sizes.split(",")):
        if previous_size and "jekyll" in previous and "jekyll+dedup plugin" in previous:
            plain = previous["jekyll"].full
            fixed = previous["jekyll+dedup plugin"].full
            if plain is not None and fixed is not None:
                scale = size / previous_size
                estimate = max(plain - fixed, 0) * scale**2 + fixed * scale
        runs, info = bench_size(size, args, estimate)
        site, store = info.pop("tw_site"), info.pop("tw_store")
        if "topicwire" in args.tools:
            if args.phases:
                info["phases"] = phases(site, store, NOW + timedelta(minutes=10))
            if args.profile:
                info["profile"] = profile(site, store, NOW + timedelta(minutes=10))
        store.close()
        all_runs.extend(runs)
        previous = {("jekyll" if r.tool.startswith("jekyll (") else r.tool): r for r in runs}
        previous_size = size
        report_size(size, runs, info)
        headline[str(size)] = {
            r.tool: {
                "full": r.full,
                "fulls": r.fulls,
                "incremental": r.incremental,
                "unchanged": r.unchanged,
            }
            for r in runs
        } | {"home": info.get("home")}
    print_table(all_runs)
    print(json.dumps(headline, sort_keys=True, default=str))
    DISCARDS.empty()  # (every build is timed: deleting now slows nothing measured)
    if temp is not None:
        temp.cleanup()
    return 0


def report_size(size: int, runs: list[Run], info: dict[str, Any]) -> None:
    print(f"\n== {size} articles (stored in {info['store_seconds']:.1f} s)")
    for run in runs:
        files = run.extra.get("files")
        print(f"  {run.tool}: {files} output files {run.note}")
    if "home" in info:
        print(f"  home page: {json.dumps(info['home'])}")
    rounds = info.get("rounds", {})
    if len(rounds.get("hugo", ())) > 1:
        for mine in ("topicwire", "topicwire (command)"):
            if mine in rounds:
                paired = [h / t for h, t in zip(rounds["hugo"], rounds[mine], strict=False)]
                shown = ", ".join(f"{r:.2f}x" for r in paired)
                print(f"  hugo / {mine}, full, round by round: {shown}")
    if "phases" in info:
        total = sum(v for k, v in info["phases"].items() if k != "files")
        print(f"  topicwire phases ({total:.2f} s, {info['phases']['files']:.0f} files):")
        for name, seconds in info["phases"].items():
            if name != "files":
                print(f"    {name:32s} {seconds:7.2f} s  {seconds / total:5.1%}")
    if "profile" in info:
        print(info["profile"])


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_table(runs: list[Run]) -> None:
    base = {r.size: r for r in runs if r.tool == "topicwire"}
    commands = {r.size: r for r in runs if r.tool == "topicwire (command)"}
    print(
        "\n| size | tool | full s (median) | full range | incremental s | no change s "
        "| full vs topicwire | incr. vs topicwire | full vs command | incr. vs command |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        tw = base.get(run.size)
        cmd = commands.get(run.size)

        def ratio(mine: float | None, theirs: float | None) -> str:
            if mine is None or theirs is None or theirs == 0:
                return "-"
            return f"{mine / theirs:.2f}x"

        print(
            f"| {run.size:,} | {run.tool} | {fmt(run.full)} | {run.spread() or '-'} | "
            f"{fmt(run.incremental)} | "
            f"{fmt(run.unchanged)} | {ratio(run.full, tw.full if tw else None)} | "
            f"{ratio(run.incremental, tw.incremental if tw else None)} | "
            f"{ratio(run.full, cmd.full if cmd else None)} | "
            f"{ratio(run.incremental, cmd.incremental if cmd else None)} |"
            + (f" {run.note}" if run.note else "")
        )


if __name__ == "__main__":
    sys.exit(main())
