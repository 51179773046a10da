"""The published demo site in a real browser: Debian's Chromium, driven through chromedriver.

The demo is built with the real pipeline (corpus fetched from 127.0.0.1, stories, publisher),
``out/`` is served the way ``topicwire serve --static`` serves it, and a headless Chromium walks
home -> topic -> article -> story and back. Every page must have a ``<main>``, no console
errors, no failed requests, and images with an ``alt`` that really loaded. The walk saves
``home.png``, ``topic.png`` and ``story.png`` in ``build/screenshots/`` (ignored by git), or in
the folder ``TOPICWIRE_SCREENSHOTS`` names: ``TOPICWIRE_SCREENSHOTS=docs/screenshots`` refreshes
the images in README.md.

Chromium and chromedriver are expected at ``/usr/bin`` (Debian's ``chromium`` and
``chromium-driver``; ``.ci/run`` installs them). When they are missing the test fails in CI
(``CI=true``) and is skipped elsewhere.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from topicwire.demo.run import DemoRun

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / os.environ.get("TOPICWIRE_SCREENSHOTS", "build/screenshots")
WAIT_SECONDS = 15.0
SITE_TITLE = "topicwire demo"
HARBOR = "Harbor Robotics unveils warehouse arm trained in simulation"


def browser_problem() -> str | None:
    """Why the browser test cannot run here (``None`` when it can)."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        return (
            f"{' and '.join(missing)} not found: install Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver) to run the browser test"
        )
    return None


def require_browser() -> None:
    """Fail (in CI) or skip (elsewhere) the current test when Chromium is not installed."""
    problem = browser_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(problem)
    pytest.skip(problem)


class _RecordingHandler(SimpleHTTPRequestHandler):
    """Serves ``out/`` like ``topicwire serve --static`` and notes every (path, status)."""

    def __init__(self, *args: Any, requests: list[tuple[str, int]], **kwargs: Any) -> None:
        self.requests = requests
        super().__init__(*args, **kwargs)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.requests.append((self.path, int(code)))

    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class Served:
    """The published site on 127.0.0.1 and the requests the browser made to it."""

    base: str
    requests: list[tuple[str, int]] = field(default_factory=list)

    def failed(self) -> list[tuple[str, int]]:
        """Requests answered with an error."""
        return [(path, code) for path, code in self.requests if code >= 400]


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    require_browser()  # before the demo: a skip should not cost half a minute
    demo: DemoRun = request.getfixturevalue("demo_run")
    out = demo.site.out_dir
    requests: list[tuple[str, int]] = []
    handler = functools.partial(_RecordingHandler, directory=str(out), requests=requests)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(base=f"http://127.0.0.1:{server.server_address[1]}", requests=requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    require_browser()
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


def wait_for(driver: webdriver.Chrome, script: str, what: str) -> None:
    """Wait until the JavaScript expression ``script`` is true in the page."""
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: bool(d.execute_script(f"return Boolean({script});")), message=what
    )


def wait_for_path(driver: webdriver.Chrome, served: Served, path: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: (
            d.current_url == served.base + path
            and d.execute_script("return document.readyState === 'complete';")
        ),
        message=f"page {path} did not load (at {driver.current_url})",
    )


IMAGES_SCRIPT = """
return Array.from(document.images).map((img) => ({
  src: img.currentSrc || img.src,
  hasAlt: img.hasAttribute("alt"),
  local: new URL(img.src, location.href).origin === location.origin,
  complete: img.complete,
  naturalWidth: img.naturalWidth,
}));
"""


def browser_log(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The console entries since the last call (Chromium hands each entry out once)."""
    entries: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return entries


def check_page(driver: webdriver.Chrome, served: Served, screenshot: str | None = None) -> None:
    """What every page must have: <main>, a stylesheet, images with alt text that loaded, no
    console errors, no failed requests; then the screenshot, taken from the top of the page."""
    where = driver.current_url
    assert len(driver.find_elements(By.TAG_NAME, "main")) == 1, f"{where}: no single <main>"
    assert driver.execute_script("return document.styleSheets.length;") >= 1, where
    # lazy images load only near the viewport: bring each into view, then wait for all of them
    for image in driver.find_elements(By.TAG_NAME, "img"):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", image)
    wait_for(
        driver,
        "Array.from(document.images).every((img) => img.complete)",
        f"{where}: images still loading",
    )
    for image in driver.execute_script(IMAGES_SCRIPT):
        assert image["hasAlt"], f"{where}: <img src={image['src']}> has no alt attribute"
        if image["local"]:
            assert image["naturalWidth"] > 0, f"{where}: {image['src']} did not load"
    driver.execute_script("window.scrollTo(0, 0);")
    severe = [entry for entry in browser_log(driver) if entry.get("level") == "SEVERE"]
    assert severe == [], f"{where}: console errors {severe}"
    assert served.failed() == [], f"{where}: failed requests {served.failed()}"
    if screenshot is not None:
        save_screenshot(driver, SCREENSHOTS / screenshot)


def save_screenshot(driver: webdriver.Chrome, path: Path) -> None:
    """The viewport (1280 wide) as a small PNG: 256 colours are plenty for a text page."""
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    assert shot.width == 1280, f"screenshot is {shot.width} px wide"
    path.parent.mkdir(parents=True, exist_ok=True)
    shot.quantize(colors=256).save(path, format="PNG", optimize=True)


def text_of(elements: list[WebElement]) -> list[str]:
    return [element.text.strip() for element in elements]


def click(driver: webdriver.Chrome, element: WebElement) -> None:
    """Scroll the element into view and click it like a reader would."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def test_home_topic_article_story_and_back(driver: webdriver.Chrome, served: Served) -> None:
    # home: the hot stories, each with its original report marked
    driver.get(served.base + "/")
    wait_for_path(driver, served, "/")
    assert driver.title == f"Hot stories · {SITE_TITLE}"
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == "Hot stories"
    stories = driver.find_elements(By.CSS_SELECTOR, "main article.story")
    assert len(stories) >= 3
    assert HARBOR in text_of(driver.find_elements(By.CSS_SELECTOR, "article.story h2 a"))
    for story in stories:
        badges = story.find_elements(By.CSS_SELECTOR, ".coverage-item.is-original .badge-original")
        assert text_of(badges) == ["Original report"], story.text
    current = driver.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"] a[aria-current="page"]')
    assert current.text == "Hot stories"
    check_page(driver, served, "home.png")

    # the topic, through the main navigation
    click(
        driver, driver.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"] a[href="/topics/ai/"]')
    )
    wait_for_path(driver, served, "/topics/ai/")
    assert driver.title == f"AI · {SITE_TITLE}"
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == "AI"
    current = driver.find_element(By.CSS_SELECTOR, 'nav[aria-label="Main"] a[aria-current="page"]')
    assert current.text == "AI"
    cards = driver.find_elements(By.CSS_SELECTOR, "main .cards article.card")
    assert len(cards) >= 5
    for card in cards:
        assert card.find_element(By.CSS_SELECTOR, ".card-title a").text.strip()
        assert card.find_element(By.CSS_SELECTOR, ".excerpt").text.strip()
    assert sum(len(card.find_elements(By.CSS_SELECTOR, "img.card-image")) for card in cards) >= 3
    subtopics = text_of(driver.find_elements(By.CSS_SELECTOR, "main ul.chips a"))
    assert "Robot Learning" in subtopics
    check_page(driver, served, "topic.png")

    # an article from the topic: topic pages link articles, the article links its story
    click(driver, driver.find_element(By.LINK_TEXT, HARBOR))
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.current_url.startswith(served.base + "/news/"), message="no article page"
    )
    article_path = driver.current_url.removeprefix(served.base)
    wait_for_path(driver, served, article_path)
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == HARBOR
    badge = driver.find_element(By.CSS_SELECTOR, "main .meta .badge-original")
    assert badge.text == "Original report"
    lead = driver.find_element(By.CSS_SELECTOR, "main figure.lead-image img")
    assert lead.get_attribute("alt")
    check_page(driver, served)

    # the story: the original report marked, the heat chart drawn
    story_link = driver.find_element(By.CSS_SELECTOR, 'main a[href^="/stories/"]')
    story_path = story_link.get_attribute("href") or ""
    click(driver, story_link)
    story_path = story_path.removeprefix(served.base)
    wait_for_path(driver, served, story_path)
    assert driver.title == f"{HARBOR} · {SITE_TITLE}"
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == HARBOR
    note = driver.find_element(By.CSS_SELECTOR, "main .original-note")
    assert note.find_element(By.CSS_SELECTOR, ".badge-original").text == "Original report"
    assert note.find_element(By.CSS_SELECTOR, "a").get_attribute("href") == (
        served.base + article_path
    )
    originals = driver.find_elements(By.CSS_SELECTOR, "main .coverage-item.is-original")
    assert len(originals) == 1 and "Original report" in originals[0].text
    chart = driver.find_element(By.CSS_SELECTOR, "main figure.chart svg.heat-chart")
    assert chart.is_displayed()
    assert chart.size["width"] > 100 and chart.size["height"] > 50
    assert len(chart.find_elements(By.CSS_SELECTOR, "circle")) >= 2
    assert chart.find_elements(By.CSS_SELECTOR, "polyline")
    assert driver.find_element(By.CSS_SELECTOR, "main figure.chart figcaption").text.startswith(
        "Heat peaked at"
    )
    check_page(driver, served, "story.png")

    # back through the history: article, topic, home
    for path in (article_path, "/topics/ai/", "/"):
        driver.back()
        wait_for_path(driver, served, path)
    assert driver.current_url == served.base + "/"
    assert driver.title == f"Hot stories · {SITE_TITLE}"
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == "Hot stories"
    check_page(driver, served)
