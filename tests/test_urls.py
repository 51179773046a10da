"""canonical_key: the identity of an article's URL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.urls import canonical_key, is_tracking_param


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("HTTPS://Example.COM/a", "https://example.com/a"),
        ("https://Example.com/a?utm_source=x#frag", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com?x=1", "https://example.com/?x=1"),
        ("https://example.com/A/B/", "https://example.com/A/B/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        (
            "https://example.com/a?id=7&utm_medium=rss&fbclid=x&UTM_Campaign=y&page=2",
            "https://example.com/a?id=7&page=2",
        ),
        (
            "https://example.com/a?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&igshid=6",
            "https://example.com/a",
        ),
        ("https://example.com/a?yclid=1&_hsenc=2&_hsmi=3&ref_src=twsrc", "https://example.com/a"),
        ("https://example.com/a?ref=home", "https://example.com/a?ref=home"),
        ("https://example.com/a?x=1&&y=2&", "https://example.com/a?x=1&y=2"),
        ("https://example.com/a?q=a%20b&flag", "https://example.com/a?q=a%20b&flag"),
        ("https://User:Pw@Example.com/a", "https://User:Pw@example.com/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"),
        ("https://exämple.com/é", "https://exämple.com/é"),
    ],
)
def test_canonical_key(url: str, key: str) -> None:
    assert canonical_key(url) == key


def test_same_article_same_key() -> None:
    assert canonical_key("https://Example.com/a?utm_source=x#frag") == canonical_key(
        "https://example.com/a"
    )


def test_different_paths_stay_different() -> None:
    assert canonical_key("https://example.com/a") != canonical_key("https://example.com/a/")
    assert canonical_key("https://example.com/a") != canonical_key("https://example.com/A")
    assert canonical_key("http://example.com/a") != canonical_key("https://example.com/a")


def test_tracking_params() -> None:
    assert is_tracking_param("utm_source")
    assert is_tracking_param("UTM_TERM")
    assert is_tracking_param("fbclid")
    assert not is_tracking_param("utm")
    assert not is_tracking_param("id")


def test_unparseable_url_raises_value_error() -> None:
    with pytest.raises(ValueError):
        canonical_key("http://[::1/a")


_pieces = st.sampled_from(
    [
        "http", "HTTPS", ":", "//", "/", "?", "#", "&", "=", "@", "[", "]", ":80", ":443",
        "utm_source", "fbclid", "Example.COM", "a", "%20", " ", "\t", ".", "é", "x=1",
    ]
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(_pieces, max_size=12).map("".join) | st.text(max_size=40))
def test_canonical_key_is_idempotent(url: str) -> None:
    try:
        key = canonical_key(url)
    except ValueError:
        return
    assert canonical_key(key) == key


@given(
    host=st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,10}\.[a-zA-Z]{2,5}", fullmatch=True),
    path=st.from_regex(r"(/[a-zA-Z0-9._-]{0,8}){0,4}", fullmatch=True),
    params=st.lists(
        st.from_regex(r"[a-z]{1,5}=[a-z0-9]{0,5}", fullmatch=True).filter(
            lambda param: not is_tracking_param(param.partition("=")[0])
        ),
        max_size=4,
    ),
    tracking=st.lists(st.sampled_from(["utm_source=x", "fbclid=1", "gclid=2"]), max_size=3),
)
def test_tracking_and_case_do_not_change_the_key(
    host: str, path: str, params: list[str], tracking: list[str]
) -> None:
    plain = f"https://{host.lower()}{path or '/'}" + ("?" + "&".join(params) if params else "")
    noisy = f"HTTPS://{host}:443{path}?" + "&".join(tracking + params) + "#section"
    assert canonical_key(noisy) == canonical_key(plain) == plain
