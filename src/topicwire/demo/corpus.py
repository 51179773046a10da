"""The demo corpus: invented providers and invented stories, written for topicwire's demo.

Nothing here is real news. Each provider has a feed and article pages; the demo server renders
them as deliberately messy HTML (see :mod:`topicwire.demo.server`), the way the web hands pages to
an aggregator: tracking parameters, inline links without spaces, figures with captions, comment
forms, share bars, a mojibake title, a syndicated copy of one story, broken pages and a slow one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from topicwire.model import Topic


@dataclass(frozen=True)
class DemoProvider:
    """An invented outlet: its host name, its look, and the kind of feed it publishes."""

    host: str
    name: str
    feed_kind: str  # "rss", "atom", "jsonfeed" or "broken"
    style: str  # which page template the server uses


@dataclass(frozen=True)
class DemoArticle:
    """One invented article page. ``paragraphs`` may hold ``<a>`` markup, as pages do."""

    provider: str  # host
    slug: str
    title: str
    published: str  # ISO 8601, UTC
    paragraphs: tuple[str, ...]
    author: str = "Staff"
    image: str | None = None
    caption: str | None = None
    canonical_of: str | None = None  # "host/slug" of the original, for a syndicated copy
    behaviour: str = "ok"  # "ok", "slow", "error-500", "missing" (listed in the feed, 404)
    tags: tuple[str, ...] = field(default=())


PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider("wirepoint.example", "Wirepoint News Service", "rss", "wire"),
    DemoProvider("circuitledger.example", "The Circuit Ledger", "rss", "wordpress"),
    DemoProvider("northbeam.example", "Northbeam Tech", "atom", "magazine"),
    DemoProvider("signalnoise.example", "Signal & Noise Weekly", "jsonfeed", "minimal"),
    DemoProvider("brokenfeed.example", "Broken Feed Daily", "broken", "minimal"),
)

_HARBOR = (
    "Harbor Robotics on Tuesday showed a warehouse picking arm whose grasping policy was trained "
    "almost entirely in simulation, a step the company says cuts the time needed to teach a new "
    "item from weeks to an afternoon.",
    "The Oslo-based start-up said the arm picked 1,140 mixed items an hour in a three-week trial "
    "at a parcel depot, dropping fewer than one item in 400. Engineers trained the policy on "
    "2.3 million simulated grasps before fine-tuning it on 900 real ones.",
    '"Simulation does the heavy lifting, and the real world only has to correct it," chief '
    "executive Ingrid Vale told reporters at the company's test hall.",
    "Harbor plans to ship the first 50 arms to logistics customers in the spring and is raising "
    "a second funding round, according to two people familiar with the talks.",
)

ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        provider="wirepoint.example",
        slug="harbor-robotics-simulation-trained-arm",
        title="Harbor Robotics unveils warehouse arm trained in simulation",
        published="2026-11-17T08:05:00Z",
        author="Mari Lund",
        paragraphs=_HARBOR,
        image="/media/harbor-arm.jpg",
        caption="A Harbor Robotics arm sorting parcels during the depot trial.",
        tags=("robotics", "AI"),
    ),
    DemoArticle(
        provider="circuitledger.example",
        slug="wire-harbor-robotics-arm",
        title="Harbor Robotics unveils warehouse arm trained in simulation",
        published="2026-11-17T09:40:00Z",
        author="Wirepoint News Service",
        paragraphs=_HARBOR,
        canonical_of="wirepoint.example/harbor-robotics-simulation-trained-arm",
        tags=("robotics",),
    ),
    DemoArticle(
        provider="northbeam.example",
        slug="harbor-robotics-sim-to-real-analysis",
        title="Why Harbor's simulation-first robot arm matters for warehouses",
        published="2026-11-17T15:30:00Z",
        author="Theo Marsh",
        paragraphs=(
            "Teaching robots to grasp has long been the slow, expensive part of warehouse "
            "automation. Harbor Robotics' new arm, shown this week, suggests that training in "
            "simulation is finally good enough to carry most of that load.",
            "The company's own figures, 1,140 picks an hour with one drop in 400, are in line "
            'with the best human-taught systems. What is different is the cost: <a href="https://'
            'wirepoint.example/harbor-robotics-simulation-trained-arm">Wirepoint reported</a> that '
            "only 900 real grasps were needed after the simulated ones.",
            "Analysts cautioned that depot trials flatter any system. Irregular items such as "
            "bagged clothing and crushed boxes remain hard, and Harbor has not yet published "
            "results for them.",
        ),
        image="/media/northbeam-harbor.jpg",
        caption="Simulated grasps are rendered by the thousand before any real arm moves.",
        tags=("robotics",),
    ),
    DemoArticle(
        provider="northbeam.example",
        slug="eu-audit-rules-high-risk-ai",
        title="EU lawmakers agree on audit rules for high-risk AI systems",
        published="2026-11-18T11:00:00Z",
        author="Anaïs Roux",
        paragraphs=(
            "Negotiators from the European Parliament and member states agreed late on Wednesday "
            "on how high-risk AI systems must be audited before they are sold, settling one of "
            "the last open questions of the bloc's AI rulebook.",
            "Under the deal, providers of systems used in hiring, credit scoring and critical "
            "infrastructure must commission an independent audit every two years and publish a "
            "summary of its findings. Fines for skipping an audit reach 3 percent of global "
            "turnover.",
            "Industry groups said the timeline was tight. Consumer organisations welcomed the "
            "publication requirement but said summaries alone would not let the public check "
            "the auditors' work.",
        ),
        image="/media/eu-parliament.jpg",
        caption="The agreement still needs a formal vote in the Parliament.",
        tags=("regulation", "AI Ethics"),
    ),
    DemoArticle(
        provider="signalnoise.example",
        slug="eu-ai-audit-deal-explained",
        title="The EU's AI audit deal, explained",
        published="2026-11-18T16:45:00Z",
        author="Priya Das",
        paragraphs=(
            "Europe's lawmakers have settled how high-risk AI systems will be checked. Here is "
            "what the agreement requires, and what it leaves out.",
            "Audits every two years apply to systems that decide who is hired, who gets credit "
            "and how power grids are run. Summaries of each audit must be public; the full "
            "reports go only to national regulators.",
            "The deal leaves general-purpose models to a separate code of practice, which "
            "critics call the largest gap in the rules.",
        ),
        tags=("regulation",),
    ),
    DemoArticle(
        provider="circuitledger.example",
        slug="lumen-lab-open-model-coding-benchmark",
        title="Lumen Lab's open-weights model tops a coding benchmark",
        published="2026-11-19T10:20:00Z",
        author="Jon Okafor",
        paragraphs=(
            "Lumen Lab released a 34-billion-parameter model with open weights on Thursday that "
            "scored 71.2 percent on the CodeTrial benchmark, ahead of every other openly "
            "available model the benchmark's maintainers have tested.",
            "The model is licensed for commercial use and runs on a single data-centre GPU when "
            "quantised to four bits. Lumen said it trained the model on 4.1 trillion tokens, "
            "about a fifth of them source code.",
            'Independent researchers said the result needs checking. "Benchmarks leak into '
            'training data more often than labs admit," said Dana Whitfield of the Open '
            "Evaluation Collective.",
        ),
        image="/media/lumen-chart.png",
        caption="Source: Lumen Lab",
        tags=("models",),
    ),
    DemoArticle(
        provider="signalnoise.example",
        slug="lumen-model-first-look",
        # Deliberate mojibake: UTF-8 read as Windows-1252 somewhere upstream.
        title="Lumen Lab\u00e2\u20ac\u2122s new open model: a first look",
        published="2026-11-19T14:00:00Z",
        author="Priya Das",
        paragraphs=(
            "We spent a day with Lumen Lab's new open-weights model. It writes tidy Python, "
            "explains its changes well, and still stumbles on long refactors.",
            "On our own small test of twenty bug fixes it solved fourteen, against eleven for "
            'the previous open leader. The<a href="https://circuitledger.example/'
            'lumen-lab-open-model-coding-benchmark">benchmark result</a>looks plausible, if '
            "generous.",
            "Running it locally took a workstation with 48 GB of GPU memory; the four-bit "
            "version fit in 24 GB with a small loss in quality.",
        ),
        tags=("models",),
    ),
    DemoArticle(
        provider="circuitledger.example",
        slug="hospital-network-ai-triage-pilot",
        title="Hospital network pilots an AI triage assistant in emergency rooms",
        published="2026-11-20T07:15:00Z",
        author="Jon Okafor",
        paragraphs=(
            "Three emergency departments in the Westmere hospital network began testing an AI "
            "assistant this week that suggests a triage category for each arriving patient. "
            "Nurses make the final call.",
            "During a six-month shadow trial, the assistant's suggestions matched the senior "
            "nurse's decision in 87 percent of 12,400 cases, the network said. Where they "
            "differed, the assistant more often erred toward urgency.",
            "Patient groups asked for the disagreement cases to be published. The network said "
            "an independent review would report in the summer.",
        ),
        image="/media/triage.jpg",
        caption="A triage desk at one of the pilot hospitals.",
        tags=("healthcare",),
    ),
    DemoArticle(
        provider="northbeam.example",
        slug="veritas-silicon-delays-accelerator",
        title="Veritas Silicon delays its AI accelerator to 2027",
        published="2026-11-20T13:50:00Z",
        author="Theo Marsh",
        paragraphs=(
            "Chipmaker Veritas Silicon pushed the launch of its first AI accelerator back by "
            "six months, to the second quarter of 2027, citing problems with the packaging of "
            "its high-bandwidth memory.",
            "The company told investors the chip itself performed to plan. Its shares fell "
            "9 percent in after-hours trading.",
            "Two cloud providers that had announced plans to offer the accelerator said they "
            "would wait for volume shipments.",
        ),
        tags=("hardware",),
    ),
    DemoArticle(
        provider="wirepoint.example",
        slug="port-authority-drone-survey",
        title="Port authority hires drone firm to survey sea walls",
        published="2026-11-20T09:00:00Z",
        paragraphs=("This page is slow on purpose: the demo fetcher gives up on it.",),
        behaviour="slow",
    ),
    DemoArticle(
        provider="wirepoint.example",
        slug="quarterly-results-roundup",
        title="Quarterly results roundup",
        published="2026-11-20T10:00:00Z",
        paragraphs=("The server fails on this page on purpose.",),
        behaviour="error-500",
    ),
    DemoArticle(
        provider="signalnoise.example",
        slug="withdrawn-story",
        title="A withdrawn story",
        published="2026-11-20T12:00:00Z",
        paragraphs=("Listed in the feed, gone from the site.",),
        behaviour="missing",
    ),
)


def provider(host: str) -> DemoProvider:
    """The provider served under ``host``."""
    for item in PROVIDERS:
        if item.host == host:
            return item
    raise KeyError(host)


def shifted(now: datetime) -> tuple[DemoArticle, ...]:
    """The corpus moved by whole hours so that its newest article appeared 1-2 hours before
    ``now``: the demo's stories are then as hot as such stories would be today."""
    newest = max(datetime.fromisoformat(a.published) for a in ARTICLES)
    hours = (now.astimezone(UTC) - newest) // timedelta(hours=1) - 1
    offset = timedelta(hours=hours)

    def move(article: DemoArticle) -> DemoArticle:
        when = datetime.fromisoformat(article.published) + offset
        return replace(article, published=when.strftime("%Y-%m-%dT%H:%M:%SZ"))

    return tuple(move(article) for article in ARTICLES)


def articles_of(host: str, articles: Sequence[DemoArticle] = ()) -> list[DemoArticle]:
    """The articles ``host`` lists in its feed (of ``articles``, default the corpus as
    written), newest first."""
    return sorted(
        (article for article in (articles or ARTICLES) if article.provider == host),
        key=lambda article: article.published,
        reverse=True,
    )


def demo_topics() -> list[Topic]:
    """The demo site's taxonomy: an AI root and five subtopics, written for the demo."""

    def topic(id_: str, name: str, parent: str | None, description: str, *keywords: str) -> Topic:
        return Topic.from_data(
            {
                "taxonomy": "topic",
                "_id": id_,
                "name": name,
                **({"parent": parent} if parent else {}),
                "description": description,
                "keywords": list(keywords),
                "hashtags": ["#" + name.replace(" ", "")],
            }
        )

    return [
        topic(
            "ai",
            "AI",
            None,
            "Artificial intelligence: models, machine learning, robots that learn, and the rules "
            "and chips around them.",
            "artificial intelligence",
            "ai",
            "machine learning",
            "neural network",
            "open-weights model",
            "language model",
        ),
        topic(
            "robot-learning",
            "Robot Learning",
            "AI",
            "Robots that learn to see, grasp and move, trained in simulation or from data.",
            "robot arm",
            "grasping policy",
            "simulated grasps",
            "trained in simulation",
            "simulation-first",
        ),
        topic(
            "ai-regulation",
            "AI Regulation",
            "AI",
            "Laws, audits and rules for AI systems.",
            "ai act",
            "audit",
            "regulator",
            "high-risk ai",
            "rulebook",
        ),
        topic(
            "ai-models",
            "AI Models",
            "AI",
            "New models, their weights, licences and benchmark results.",
            "open-weights",
            "benchmark",
            "parameters",
            "fine-tuning",
            "tokens",
        ),
        topic(
            "ai-hardware",
            "AI Hardware",
            "AI",
            "Accelerators, GPUs and the memory and packaging behind them.",
            "accelerator",
            "gpu",
            "chipmaker",
            "high-bandwidth memory",
        ),
        topic(
            "ai-healthcare",
            "AI in Healthcare",
            "AI",
            "AI in hospitals, diagnosis and triage.",
            "hospital",
            "triage",
            "patients",
            "diagnosis",
        ),
    ]
