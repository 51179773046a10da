"""The hostile site in a real browser: no payload runs in any page Chromium opens.

The site of ``conftest.published`` (feeds and pages with script payloads in every field, fetched
and published) is served on 127.0.0.1 and every HTML page is opened in Debian's headless
Chromium. Each payload calls ``alert``: a payload that ran leaves an alert open, and the page
is checked for one. The page is also asked for the scripts, event handlers and ``javascript:``
links its DOM holds after loading, as a browser built it (not as a parser of ours reads it).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from hostile.hostile_publisher import Published
from test_browser import CHROMEDRIVER, CHROMIUM, require_browser

#: what the DOM holds that could run: script elements, on* attributes, script URLs
ACTIVE = """
const found = [];
for (const el of document.querySelectorAll('*')) {
  if (el.tagName === 'SCRIPT' || el.tagName === 'IFRAME' || el.tagName === 'OBJECT'
      || el.tagName === 'EMBED') { found.push(el.tagName); }
  for (const attr of el.attributes) {
    const value = attr.value.replace(/[\\x00-\\x20]+/g, '').toLowerCase();
    if (attr.name.startsWith('on')) { found.push(el.tagName + '@' + attr.name); }
    if (/^(javascript|vbscript|data):/.test(value)
        && ['href', 'src', 'action', 'formaction', 'srcset', 'poster'].includes(attr.name)) {
      found.push(el.tagName + '@' + attr.name + '=' + value.slice(0, 40));
    }
  }
}
return found;
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def site_url(published: Published) -> Iterator[str]:
    require_browser()
    handler = functools.partial(_QuietHandler, directory=str(published.out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def chrome() -> Iterator[webdriver.Chrome]:
    require_browser()
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(argument)
    options.binary_location = str(CHROMIUM)
    # an alert a payload opens stays open, so that the test sees it
    options.set_capability("unhandledPromptBehavior", "ignore")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def _alert_text(driver: webdriver.Chrome) -> str | None:
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return None
    text = alert.text
    alert.dismiss()
    return text


def test_no_payload_runs_in_any_page(
    published: Published, site_url: str, chrome: webdriver.Chrome
) -> None:
    pages = sorted(
        path.relative_to(published.out).as_posix() for path in published.out.rglob("*.html")
    )
    article_pages = [p for p in pages if p.startswith("news/")]
    assert len(article_pages) >= 5, pages  # the payload-carrying articles have pages
    ran: list[tuple[str, str]] = []
    active: list[tuple[str, list[str]]] = []
    for page in pages:
        chrome.get(f"{site_url}/{page}")
        alert = _alert_text(chrome)
        if alert is not None:
            ran.append((page, alert))
            continue
        found = chrome.execute_script(ACTIVE)
        if found:
            active.append((page, found))
        # what the page shows of the payloads is text: the title of every article page holds one
    assert not ran, ran
    assert not active, active
    chrome.get(f"{site_url}/{article_pages[0]}")
    shown = chrome.execute_script("return document.body.innerText")
    assert "<script>" in shown or "alert(" in shown, "the payloads should be shown as text"
