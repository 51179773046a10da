"""The static HTML site renderer (topicwire.publish.html) on the hand-made snapshot."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2
import lxml.html
import pytest
from lxml.html import HtmlElement

from publish_fixtures import HOSTILE_EXCERPT, HOSTILE_TITLE, NOW, make_snapshot
from topicwire.model import Image
from topicwire.publish.html import heat_chart_svg, heat_summary, render_site, safe_url
from topicwire.publish.snapshot import Snapshot
from topicwire.publish.templating import bytecode_cache

SOURCES = [
    ("https://wire.example/feed.xml", "Wire Service feed"),
    ("https://ledger.example/rss", None),
    ("javascript:alert(9)", "A hostile source"),
]
SVG = "{http://www.w3.org/2000/svg}"


def render(snapshot: Snapshot | None = None) -> dict[str, bytes]:
    return render_site(snapshot or make_snapshot(), sources=SOURCES)


def parse(data: bytes) -> HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def pages(out: dict[str, bytes]) -> dict[str, HtmlElement]:
    return {path: parse(data) for path, data in out.items() if path.endswith(".html")}


def slug_of(snapshot: Snapshot, article_id: int) -> str:
    return snapshot.articles[article_id].slug


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    return render()


@pytest.fixture(scope="module")
def docs(site: dict[str, bytes]) -> dict[str, HtmlElement]:
    return pages(site)


# -- the tree ----------------------------------------------------------------------------------


def test_expected_pages_exist(site: dict[str, bytes]) -> None:
    snapshot = make_snapshot()
    expected = {
        "index.html",
        "about/index.html",
        "static/site.css",
        "static/favicon.svg",
        "topics/ai/index.html",
        "topics/ai/page/2/index.html",  # 4 published AI articles, page_size 2
        "topics/robot-learning/index.html",
        "topics/ai-policy/index.html",
        "stories/10/index.html",
        "stories/20/index.html",
        *(f"news/{slug_of(snapshot, i)}/index.html" for i in (1, 3, 4, 5)),
    }
    assert set(site) == expected
    assert all(isinstance(data, bytes) and data for data in site.values())


def test_unpublished_and_coverage_only_articles_get_no_page(site: dict[str, bytes]) -> None:
    snapshot = make_snapshot()
    copy_slug = snapshot.coverage[2].slug
    assert f"news/{copy_slug}/index.html" not in site
    # story 30 has no article in the snapshot: no page
    assert "stories/30/index.html" not in site


def test_include_unpublished_gives_pages_to_every_snapshot_article() -> None:
    snapshot = make_snapshot(include_unpublished=True)
    out = render(snapshot)
    for item in snapshot.articles.values():
        assert f"news/{item.slug}/index.html" in out
    story = parse(out["stories/30/index.html"])
    # empty history: a message and no chart
    assert story.findall(f".//{SVG}svg") == [] and story.findall(".//svg") == []
    assert "No heat history yet." in text(story)


def test_stylesheet_is_shipped_and_linked_once(
    site: dict[str, bytes], docs: dict[str, HtmlElement]
) -> None:
    css = site["static/site.css"].decode()
    assert ":focus-visible" in css and "max-width" in css and "@media (min-width" in css
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    for path, doc in docs.items():
        links = doc.xpath("//link[@rel='stylesheet']")
        assert [link.get("href") for link in links] == ["/static/site.css"], path
        assert doc.xpath("//style") == [], path


# -- safety --------------------------------------------------------------------------------------


def test_no_script_no_handlers_no_javascript_urls_anywhere(docs: dict[str, HtmlElement]) -> None:
    for path, doc in docs.items():
        assert doc.xpath("//script") == [], path
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (path, element.tag, name)
                if name in ("href", "src"):
                    lowered = value.strip().lower()
                    assert not lowered.startswith(("javascript:", "data:", "vbscript:")), path


def test_hostile_strings_are_shown_as_text(
    site: dict[str, bytes], docs: dict[str, HtmlElement]
) -> None:
    snapshot = make_snapshot()
    shown_in = [
        "index.html",
        "stories/20/index.html",
        "topics/ai/index.html",
        "topics/ai-policy/index.html",
        f"news/{slug_of(snapshot, 5)}/index.html",
    ]
    for path in shown_in:
        raw = site[path].decode()
        assert "&lt;script&gt;" in raw, path
        assert "<script" not in raw, path
        assert HOSTILE_TITLE in docs[path].text_content(), path
    article = docs[f"news/{slug_of(snapshot, 5)}/index.html"]
    assert text(article.xpath("//h1")[0]) == " ".join(HOSTILE_TITLE.split())
    assert HOSTILE_EXCERPT in article.text_content()
    assert article.xpath("//a[@onclick]") == [] and article.xpath("//b") == []
    # the excerpt on the topic card is escaped too
    assert HOSTILE_EXCERPT in docs["topics/ai-policy/index.html"].text_content()


def test_safe_url_only_lets_http_and_site_paths_through() -> None:
    assert safe_url("https://a.example/x?y=1") == "https://a.example/x?y=1"
    assert safe_url("http://a.example") == "http://a.example"
    assert safe_url("/cache/images/1.jpg") == "/cache/images/1.jpg"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil", ""):
        assert safe_url(bad) is None, bad
    assert safe_url(None) is None


def test_hostile_outlet_url_is_not_linked() -> None:
    snapshot = make_snapshot()
    article = snapshot.articles[4].article.model_copy(update={"web_url": "javascript:alert(5)"})
    articles = dict(snapshot.articles)
    articles[4] = dataclasses.replace(snapshot.articles[4], article=article)
    out = render(dataclasses.replace(snapshot, articles=articles))
    for path, doc in pages(out).items():
        for href in doc.xpath("//@href"):
            assert not href.lower().startswith("javascript:"), path
    page = parse(out[f"news/{slug_of(snapshot, 4)}/index.html"])
    assert page.xpath("//a[contains(@class, 'button')]") == []


# -- accessibility -------------------------------------------------------------------------------


def test_every_page_has_lang_landmarks_skip_link_and_one_h1(docs: dict[str, HtmlElement]) -> None:
    for path, doc in docs.items():
        assert doc.get("lang") == "en-US", path
        for landmark in ("header", "nav", "main", "footer"):
            assert doc.xpath(f"//{landmark}"), (path, landmark)
        main = doc.xpath("//main")[0]
        assert main.get("id") == "main"
        skip = doc.xpath("//body/a")[0]
        assert skip.get("href") == "#main" and "skip" in text(skip).lower(), path
        assert len(doc.xpath("//h1")) == 1, path
        assert doc.xpath("//title") and doc.xpath("//meta[@name='viewport']"), path


def test_headings_do_not_skip_levels(docs: dict[str, HtmlElement]) -> None:
    for path, doc in docs.items():
        levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels and levels[0] == 1, path
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (path, levels)


def test_every_img_has_alt_and_decorative_ones_are_presentation(
    docs: dict[str, HtmlElement],
) -> None:
    seen = 0
    for path, doc in docs.items():
        for img in doc.xpath("//img"):
            seen += 1
            assert img.get("alt") is not None, (path, img.get("src"))
            if img.get("alt") == "":
                assert img.get("role") == "presentation", (path, img.get("src"))
    assert seen > 0


def test_external_links_have_noopener(docs: dict[str, HtmlElement]) -> None:
    external = 0
    for path, doc in docs.items():
        for link in doc.xpath("//a[@href]"):
            if link.get("href").startswith(("http://", "https://")):
                external += 1
                assert "noopener" in (link.get("rel") or "").split(), (path, link.get("href"))
                assert link.get("target") is None
    assert external > 0


def test_internal_links_use_the_base_url() -> None:
    snapshot = make_snapshot(base_url="https://news.example")
    out = render(snapshot)
    home = parse(out["index.html"])
    assert home.xpath("//link[@rel='stylesheet']/@href") == ["https://news.example/static/site.css"]
    assert home.xpath("//link[@rel='canonical']/@href") == ["https://news.example/"]
    story_links = home.xpath("//h2/a/@href")
    assert story_links == ["https://news.example/stories/20/", "https://news.example/stories/10/"]
    for path, doc in pages(out).items():
        for link in doc.xpath("//a[@href]"):
            href = link.get("href")
            if href.startswith("https://news.example/"):
                assert "noopener" not in link.get("rel", ""), (path, href)
            elif href.startswith("http"):
                assert "noopener" in link.get("rel", ""), (path, href)
            else:
                assert href.startswith("#"), (path, href)  # only the skip link is relative


# -- home ----------------------------------------------------------------------------------------


def test_home_lists_stories_hottest_first_with_coverage(docs: dict[str, HtmlElement]) -> None:
    home = docs["index.html"]
    stories = home.xpath("//main//article[contains(@class, 'story')]")
    titles = [text(s.xpath(".//h2")[0]) for s in stories]
    assert titles == ["EU agrees AI audit rules", "Harbor unveils a simulation-trained arm"]
    heats = [text(s.xpath(".//*[@class='heat']")[0]) for s in stories]
    assert heats == ["Heat 62", "Heat 21"]
    harbor = stories[1]
    items = harbor.xpath(".//li[contains(@class, 'coverage-item')]")
    assert len(items) == 3
    providers = [text(i.xpath(".//*[@class='source']")[0]) for i in items]
    assert providers == ["Wire Service", "The Ledger", "Beam Tech"]
    original = harbor.xpath(".//li[contains(@class, 'is-original')]")
    assert len(original) == 1 and "Original report" in text(original[0])
    assert "Wire Service" in text(original[0])
    assert "Syndicated copy" in text(items[1])
    # the copy has no page of its own: it links out to the outlet
    assert items[1].xpath(".//a/@href") == ["https://ledger.example/story/2"]


def test_home_is_light(site: dict[str, bytes]) -> None:
    assert len(site["index.html"]) < 100_000


def test_home_stays_light_with_many_stories() -> None:
    snapshot = make_snapshot()
    story = snapshot.stories[20]
    many = {
        n: dataclasses.replace(story, id=n, heat=n % 100, article_ids=(4, 5) * 20)
        for n in range(100, 160)
    }
    out = render(dataclasses.replace(snapshot, stories={**snapshot.stories, **many}))
    home = parse(out["index.html"])
    assert len(home.xpath("//main//article[contains(@class, 'story')]")) == 20
    assert len(out["index.html"]) < 100_000


# -- story page ----------------------------------------------------------------------------------


def test_story_page_groups_by_provider_and_marks_original_and_copy(
    docs: dict[str, HtmlElement],
) -> None:
    story = docs["stories/10/index.html"]
    assert text(story.xpath("//h1")[0]) == "Harbor unveils a simulation-trained arm"
    groups = story.xpath("//section[contains(@class, 'provider-group')]")
    assert [text(g.xpath("./h3")[0]) for g in groups] == [
        "Wire Service",
        "The Ledger",
        "Beam Tech",
    ]
    assert "Original report" in text(groups[0])
    assert "Syndicated copy" in text(groups[1])
    assert "Original report" not in text(groups[1]) + text(groups[2])
    assert "Syndicated copy" not in text(groups[0]) + text(groups[2])


def test_story_page_has_an_accessible_chart_with_one_point_per_hour(
    docs: dict[str, HtmlElement],
) -> None:
    snapshot = make_snapshot()
    for story_id in (10, 20):
        doc = docs[f"stories/{story_id}/index.html"]
        svgs = doc.xpath("//svg")
        assert len(svgs) == 1
        svg = svgs[0]
        assert svg.get("role") == "img"
        assert len(svg.xpath(".//circle")) == len(snapshot.stories[story_id].history)
        title = svg.xpath("./title")[0]
        desc = svg.xpath("./desc")[0]
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert text(svg.xpath("..//figcaption")[0]) == heat_summary(
            snapshot.stories[story_id].history
        )
    assert "peaked at 62 at 12:00 UTC" in text(docs["stories/20/index.html"])


# -- the heat chart on its own -------------------------------------------------------------------


def history(values: list[int], start: datetime = NOW) -> list[tuple[datetime, int]]:
    return [(start + timedelta(hours=h), v) for h, v in enumerate(values)]


def test_heat_chart_points_axes_and_text() -> None:
    svg = lxml.html.fragment_fromstring(heat_chart_svg(history([10, 40, 25]), width=300))
    assert svg.get("viewbox") == "0 0 300 220"
    circles = svg.xpath(".//circle")
    assert len(circles) == 3
    xs = [float(c.get("cx")) for c in circles]
    ys = [float(c.get("cy")) for c in circles]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert ys[1] < ys[2] < ys[0]  # higher heat is drawn higher
    labels = [text(t) for t in svg.xpath(".//text")]
    assert {"0", "50", "100", "15:00", "16:00", "17:00"} <= set(labels)
    desc = text(svg.xpath(".//desc")[0])
    assert "peaked at 40 at 16:00 UTC" in desc and "3 hourly points" in desc


def test_heat_chart_is_sorted_and_handles_edge_cases() -> None:
    unordered = list(reversed(history([5, 60, 20])))
    assert heat_chart_svg(unordered) == heat_chart_svg(history([5, 60, 20]))
    assert heat_chart_svg([]) == ""
    assert heat_summary([]) == "No heat history yet."
    single = lxml.html.fragment_fromstring(heat_chart_svg(history([33])))
    assert len(single.xpath(".//circle")) == 1
    assert "1 hourly point " in text(single.xpath(".//desc")[0])
    # a long history keeps the x axis readable
    long = lxml.html.fragment_fromstring(heat_chart_svg(history(list(range(48)))))
    assert len(long.xpath(".//circle")) == 48
    assert len([t for t in long.xpath(".//text") if ":" in text(t)]) <= 8


# -- topic and article pages ---------------------------------------------------------------------


def test_topic_page_cards_newest_first_with_subtopics_and_pages(
    docs: dict[str, HtmlElement],
) -> None:
    ai = docs["topics/ai/index.html"]
    cards = ai.xpath("//article[contains(@class, 'card')]")
    titles = [text(c.xpath(".//h3")[0]) for c in cards]
    assert titles == [" ".join(HOSTILE_TITLE.split()), "EU agrees AI audit rules"]
    assert [text(a) for a in ai.xpath("//ul[@class='chips']//a")] == ["Robot Learning", "AI Policy"]
    assert ai.xpath("//a[@rel='next']/@href") == ["/topics/ai/page/2/"]
    second = docs["topics/ai/page/2/index.html"]
    assert [text(c.xpath(".//h3")[0]) for c in second.xpath("//article")] == [
        "Why Harbor's arm matters",
        "Harbor unveils a simulation-trained arm",
    ]
    assert second.xpath("//a[@rel='prev']/@href") == ["/topics/ai/"]
    child = docs["topics/robot-learning/index.html"]
    assert child.xpath("//nav[@aria-label='Breadcrumb']/a/@href") == ["/topics/ai/"]


def test_cards_show_cached_image_and_provider_logo(docs: dict[str, HtmlElement]) -> None:
    card = docs["topics/ai-policy/index.html"].xpath("//article[contains(@class, 'card')]")[1]
    image = card.xpath(".//img[contains(@class, 'card-image')]")[0]
    assert image.get("src") == "/cache/images/4.jpg"
    assert (image.get("width"), image.get("height")) == ("1200", "675")
    assert image.get("loading") == "lazy" and image.get("alt") == "Picture 4"
    logo = card.xpath(".//img[contains(@class, 'logo')]")[0]
    assert logo.get("src") == "/images/logos/beam.example.png"
    assert logo.get("alt") == "" and logo.get("role") == "presentation"


def test_uncached_images_are_not_shown() -> None:
    snapshot = make_snapshot()
    uncached = Image(url="https://beam.example/big.jpg", width=10, height=10, is_cached=False)
    article = snapshot.articles[4].article.model_copy(update={"images": [uncached]})
    articles = {**snapshot.articles, 4: dataclasses.replace(snapshot.articles[4], article=article)}
    out = render(dataclasses.replace(snapshot, articles=articles))
    for doc in pages(out).values():
        assert "https://beam.example/big.jpg" not in doc.xpath("//img/@src")


def test_article_page(docs: dict[str, HtmlElement]) -> None:
    snapshot = make_snapshot()
    doc = docs[f"news/{slug_of(snapshot, 1)}/index.html"]
    main = doc.xpath("//main")[0]
    assert text(main.xpath(".//h1")[0]) == "Harbor unveils a simulation-trained arm"
    assert "Wire Service" in text(main) and "Original report" in text(main)
    assert main.xpath(".//time/@datetime")[0] == "2026-11-19T09:00:00Z"
    assert main.xpath(".//img[contains(@class, 'logo')]/@src") == ["/images/logos/wire.example.png"]
    assert main.xpath(".//img[contains(@class, 'article-image')]/@alt") == ["Picture 1"]
    assert "Summary 1 of" in text(main)
    out_link = main.xpath(".//a[contains(@class, 'button')]")[0]
    assert out_link.get("href") == "https://wire.example/story/1"
    assert "noopener" in out_link.get("rel")
    assert main.xpath(".//a[.='AI']/@href") == ["/topics/ai/"]
    assert main.xpath(".//a[.='Robot Learning']/@href") == ["/topics/robot-learning/"]
    # the related item is on this site: linked to its page
    related = main.xpath(".//ul[@class='related']//a")
    assert [(text(a), a.get("href")) for a in related] == [
        ("Why Harbor's arm matters", f"/news/{slug_of(snapshot, 3)}/")
    ]
    assert main.xpath(".//a[@href='/stories/10/']")


def test_copy_article_page_links_to_its_original() -> None:
    snapshot = make_snapshot(include_unpublished=True)
    doc = parse(render(snapshot)[f"news/{slug_of(snapshot, 2)}/index.html"])
    note = doc.xpath("//p[@class='copy-note']")[0]
    assert "syndicated copy" in text(note).lower()
    assert note.xpath(".//a/@href") == [f"/news/{slug_of(snapshot, 1)}/"]


def test_about_page_lists_sources(docs: dict[str, HtmlElement]) -> None:
    about = docs["about/index.html"]
    items = about.xpath("//ul[@class='sources']/li")
    assert len(items) == 3
    links = {text(a): a.get("href") for a in about.xpath("//ul[@class='sources']//a")}
    assert links == {
        "Wire Service feed": "https://wire.example/feed.xml",
        "https://ledger.example/rss": "https://ledger.example/rss",
    }
    # the unsafe source URL is listed as text, not linked
    assert any("A hostile source" in text(li) and not li.xpath(".//a") for li in items)


# -- determinism ---------------------------------------------------------------------------------


def test_output_is_deterministic(site: dict[str, bytes]) -> None:
    again = render()
    assert list(again) == list(site)
    assert again == site


def test_only_the_home_page_shows_the_publish_time(site: dict[str, bytes]) -> None:
    """A later publish of the same content changes the home page's clock and nothing else, so
    an incremental publish rewrites one file."""
    later = dataclasses.replace(
        make_snapshot(), generated_at=datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    )
    out = render(later)
    assert set(out) == set(site)
    changed = {path for path in out if out[path] != site[path]}
    assert changed == {"index.html"}
    for path in changed:
        restored = out[path].replace(b"2030-01-02", b"2026-11-20").replace(b"03:04", b"15:00")
        assert restored == site[path], path


def test_a_chart_longer_than_a_day_labels_its_days() -> None:
    start = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)
    history = [(start + timedelta(hours=h), 50 - h) for h in range(30)]
    svg = heat_chart_svg(history)
    assert "19 Nov 22:00" in svg and "21 Nov 03:00" in svg
    short = heat_chart_svg(history[:5])
    assert "22:00" in short and "Nov" not in short


def test_compiled_templates_are_cached_apart_for_environments_with_other_options(
    tmp_path: Path,
) -> None:
    """Jinja's bytecode cache keys a template by name and source only: an environment that
    autoescapes and one that does not must never share compiled code (the newsletter's plain
    text once came out HTML-escaped that way)."""
    (tmp_path / "page.j2").write_text("{{ value }}\n", encoding="utf-8")

    def render(autoescape: bool) -> str:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(tmp_path),
            autoescape=autoescape,
            bytecode_cache=bytecode_cache(f"test autoescape={autoescape}"),
        )
        return env.get_template("page.j2").render(value="<b>&")

    for _ in range(2):  # the second round loads each from the cache
        assert render(True) == "&lt;b&gt;&amp;"
        assert render(False) == "<b>&"
