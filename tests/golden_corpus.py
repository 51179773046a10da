"""A small invented corpus for the end-to-end publish tests (import it from test modules).

Three outlets, three stories: the Kestrel-7 open model release (three reports and a syndicated
copy of the first), the Norrland AI audit law (two reports) and a lone piece on a kitchen robot.
Every date is fixed around :data:`NOW`, the site's base URL is fixed, so a publish of this corpus
gives the same bytes on every run.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from topicwire.model import Article, Image, Provider, Source
from topicwire.settings import render_settings_file
from topicwire.site import Site, init_site, open_site
from topicwire.store import Store

NOW = datetime(2026, 5, 14, 18, 0, tzinfo=UTC)
DAY = datetime(2026, 5, 14, tzinfo=UTC)
BASE_URL = "https://news.topicwire.example/"
TITLE = "Golden Wire"
SETTINGS = {
    "site.base_url": BASE_URL,
    "site.title": TITLE,
    "publish.page_size": 3,
    "publish.rule_min_quality": 30,
}

#: (domain, outlet name)
NORTHWIRE = ("northwire.example", "Northwire")
LEDGER = ("ledgerdaily.example", "Ledger Daily")
CIRCUIT = ("circuitpost.example", "Circuit Post")
SYNDICATE = ("syndicate.example", "Syndicate Times")
OUTLETS = (NORTHWIRE, LEDGER, CIRCUIT)

#: the image of the first report, held in the site's image cache
IMAGE_URL = "https://northwire.example/img/kestrel-7.jpg"
IMAGE_BYTES = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes to link \xff\xd9"

KESTREL_1 = (
    NORTHWIRE,
    "Aurelia Labs releases Kestrel-7, an open language model for laptops",
    "Aurelia Labs released Kestrel-7 on Thursday, an open language model small enough to run "
    "on a laptop without a graphics card. The Lisbon company said the model has seven billion "
    "parameters and was trained on 3.1 trillion tokens of licensed text. Chief scientist Ines "
    "Carvalho said Kestrel-7 answers questions in Portuguese, Spanish and English and can be "
    "used commercially under an Apache licence. Aurelia published the weights, the training "
    "recipe and an evaluation suite of 40 tasks. Early testers said it summarises documents "
    "nearly as well as models twice its size.",
)
KESTREL_2 = (
    LEDGER,
    "Kestrel-7: Aurelia bets on small open models",
    "Aurelia Labs is betting that small open models will win over businesses that cannot send "
    "data to the cloud. Its new Kestrel-7, released in Lisbon on Thursday, has seven billion "
    "parameters and runs on an ordinary laptop, the company said. Ines Carvalho, Aurelia's "
    "chief scientist, said the Apache licence lets banks and hospitals deploy it on their own "
    "machines. Investors valued Aurelia at 900 million euros in March. Analysts said the "
    "release puts pressure on rivals that keep their weights closed.",
)
KESTREL_3 = (
    CIRCUIT,
    "Hands-on with Kestrel-7, Aurelia's laptop-sized language model",
    "We ran Aurelia Labs' Kestrel-7 on a three-year-old laptop on Thursday, hours after the "
    "Lisbon company released the open model. The seven-billion-parameter model loaded in 40 "
    "seconds and answered questions in Portuguese and English at about 12 words a second. "
    "Aurelia says Kestrel-7 was trained on 3.1 trillion tokens of licensed text. Chief "
    "scientist Ines Carvalho told us a larger Kestrel-13 is planned for the autumn. The "
    "weights are available under an Apache licence.",
)
#: a syndicated copy of KESTREL_1: a new headline and a republishing line
KESTREL_COPY = (
    SYNDICATE,
    "Lisbon start-up's Kestrel-7 model runs on any laptop",
    KESTREL_1[2] + "\nThis story first appeared on Northwire and is republished with permission.",
)
AUDIT_1 = (
    LEDGER,
    "Norrland parliament passes AI audit law for public agencies",
    "Norrland's parliament passed a law on Wednesday requiring every public agency to audit "
    "the AI systems it uses before they make decisions about citizens. The law, approved by "
    "112 votes to 41, gives agencies 18 months to register their systems with a new AI "
    "inspectorate in Umeva. Digital minister Sara Lindholm said audits will check accuracy, "
    "bias and whether people can appeal automated decisions. Agencies that fail an audit must "
    "suspend the system until it is fixed.",
)
AUDIT_2 = (
    NORTHWIRE,
    "What Norrland's AI audit law means for public agencies",
    "Public agencies in Norrland have 18 months to audit their AI systems under a law passed "
    "by parliament on Wednesday by 112 votes to 41. Minister Sara Lindholm said the new AI "
    "inspectorate in Umeva will hire 60 auditors this year. The audits cover accuracy, bias "
    "and the right of citizens to appeal an automated decision. Civil rights groups welcomed "
    "the law but said private companies should face the same rules.",
)
ROBOT = (
    CIRCUIT,
    "A kitchen robot that learned to fold dumplings by watching videos",
    "Researchers at the Tamsin Institute taught a two-armed kitchen robot to fold dumplings by "
    "showing it 300 hours of cooking videos. The robot, called Pip, folded 9 of 10 dumplings "
    "correctly in tests this month, the team said. Project lead Oren Vasquez said the same "
    "method could teach robots to sort laundry or pack groceries. Pip uses a vision model that "
    "turns video into hand movements without any human labelling.",
)
#: the article added by the incremental test: a fourth Kestrel report
KESTREL_4 = (
    NORTHWIRE,
    "Kestrel-7 downloads pass one million in two days",
    "Aurelia Labs said on Saturday that its open Kestrel-7 language model was downloaded more "
    "than one million times in the two days after its release in Lisbon. Chief scientist Ines "
    "Carvalho said most downloads came from developers in Brazil, Spain and Portugal. The "
    "seven-billion-parameter model runs on a laptop and is licensed under Apache terms. "
    "Aurelia plans to publish Kestrel-13 in the autumn.",
)

JAILBREAK = (
    LEDGER,
    "",
    "Security researchers in Porto said on Thursday they had found a way to make Aurelia Labs' "
    "Kestrel-7 model ignore its safety instructions with a crafted prompt of 200 characters. "
    "The team reported the flaw to Aurelia before publishing it. Ines Carvalho said a fixed "
    "release of the open model would follow within a week.",
)
#: markup a hostile feed sends in a title and an excerpt
HOSTILE_TITLE = "Kestrel-7 jailbreak <script>alert(1)</script> <img src=x onerror=alert(2)>"
HOSTILE_EXCERPT = (
    'Read <a href="javascript:alert(3)" onclick="x">this</a> before Aurelia patches '
    "<script>alert(1)</script> the Kestrel-7 model."
)


def news(
    story: tuple[tuple[str, str], str, str], at: datetime, *, slug: str, **changes: Any
) -> Article:
    """An article of ``story`` published at ``at`` (its URL ends in ``slug``)."""
    (domain, name), title, body = story
    fields: dict[str, Any] = {
        "category": "news",
        "title": title,
        "excerpt": body.split(". ")[0] + ".",
        "text": body,
        "published_at": at,
        "original_url": f"https://{domain}/feed/{slug}?utm_source=rss",
        "web_url": f"https://{domain}/news/{slug}",
        "type": "article",
        "locale": "en-US",
        "provider": Provider(name=name, domain=domain),
        "topics": ["AI"],
    }
    fields.update(changes)
    return Article.model_validate(fields)


def corpus() -> list[Article]:
    """The seven articles, in the order they are stored."""
    image = Image(url=IMAGE_URL, width=1200, height=675, is_cached=True, title="The Kestrel-7 demo")
    return [
        news(KESTREL_1, DAY + timedelta(hours=9), slug="kestrel-7", images=[image]),
        news(KESTREL_2, DAY + timedelta(hours=10, minutes=30), slug="kestrel-bet"),
        news(KESTREL_3, DAY + timedelta(hours=13), slug="kestrel-hands-on"),
        news(KESTREL_COPY, DAY + timedelta(hours=11), slug="kestrel-laptop"),
        news(AUDIT_1, DAY - timedelta(hours=8), slug="norrland-audit-law"),
        news(AUDIT_2, DAY - timedelta(hours=5), slug="norrland-audit-explained"),
        news(ROBOT, DAY + timedelta(hours=7), slug="dumpling-robot"),
    ]


def later_article() -> Article:
    """One more Kestrel report, for the incremental publish."""
    return news(KESTREL_4, DAY + timedelta(hours=16), slug="kestrel-million")


def hostile_article() -> Article:
    """A Kestrel report whose title and excerpt carry markup."""
    return news(
        JAILBREAK,
        DAY + timedelta(hours=15),
        slug="kestrel-jailbreak",
        title=HOSTILE_TITLE,
        excerpt=HOSTILE_EXCERPT,
    )


def make_site(root: Path) -> Site:
    """A new site at ``root`` (topic AI) with the fixed settings, its image cache holding
    :data:`IMAGE_BYTES` for :data:`IMAGE_URL`."""
    site = init_site(root, topic="AI", title=TITLE)
    values = {"site.topic": "AI", **SETTINGS}
    site.settings_file.write_text(render_settings_file(values), encoding="utf-8")
    site = open_site(root, env={})
    digest = hashlib.sha256(IMAGE_URL.encode("utf-8")).hexdigest()
    folder = site.images_dir / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.jpg").write_bytes(IMAGE_BYTES)
    return site


def fill_store(site: Site, store: Store, articles: list[Article]) -> list[int]:
    """Topics, providers (with logos), sources and ``articles`` into ``store``; the row ids."""
    store.upsert_topics(site.topics())
    store.upsert_providers(
        Provider(
            name=name,
            domain=domain,
            images=[Image(url=f"https://{domain}/logo.png", width=64, height=64)],
        )
        for domain, name in OUTLETS
    )
    store.add_sources(
        Source(url=f"https://{domain}/feed.xml", title=name, kind="auto")
        for domain, name in OUTLETS
    )
    return list(store.upsert_articles(articles).ids)
