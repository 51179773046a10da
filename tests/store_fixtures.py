"""Database backends for tests: a SQLite file, or a throwaway schema in the local PostgreSQL.

Import from test modules (``from store_fixtures import ...``); also article builders and
Hypothesis strategies for articles. PostgreSQL is expected at
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` (override with
``$TOPICWIRE_TEST_POSTGRESQL_URL``). When it is not reachable, tests that need it fail in CI
(``CI=true``) and skip elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from topicwire.model import Article, Image, Provider, RelatedItem

POSTGRESQL_URL = os.environ.get(
    "TOPICWIRE_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def sqlite_url(folder: Path) -> str:
    """The URL of a SQLite database file in ``folder``."""
    return f"sqlite:///{folder / 'topicwire.db'}"


@cache
def postgresql_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests (``None`` when it can); asked once per run."""
    engine = create_engine(POSTGRESQL_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        where = make_url(POSTGRESQL_URL)
        return (
            f"PostgreSQL at {where.host}:{where.port or 5432} is not reachable: "
            f"{reason[0] if reason else type(exc).__name__}"
        )
    finally:
        engine.dispose()
    return None


def require_postgresql() -> None:
    """Fail (in CI) or skip (elsewhere) the current test when PostgreSQL is not reachable."""
    problem = postgresql_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(problem)
    pytest.skip(problem)


@contextmanager
def postgresql_schema() -> Iterator[str]:
    """A URL whose connections work in a fresh schema of their own (Alembic's version table
    included), dropped with everything in it afterwards."""
    require_postgresql()
    schema = f"tw_{uuid.uuid4().hex}"
    admin = create_engine(POSTGRESQL_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(POSTGRESQL_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def backend_url(backend: str, folder: Path) -> Iterator[str]:
    """A database URL for ``backend`` (``"sqlite"`` or ``"postgresql"``), empty and private."""
    if backend == "sqlite":
        yield sqlite_url(folder)
    elif backend == "postgresql":
        with postgresql_schema() as url:
            yield url
    else:  # pragma: no cover - a typo in a parametrization
        raise ValueError(f"unknown backend {backend!r}")


# -- articles to store ------------------------------------------------------------------------

T0 = datetime(2023, 11, 20, 18, 25, tzinfo=UTC)


def rich_article(n: int = 1, **changes: Any) -> Article:
    """An article using every field, nested extras, non-ASCII text and emoji."""
    fields: dict[str, Any] = {
        "category": "news",
        "title": f"Amazon to cut jobs at Alexa unit — «{n}» 🚀",
        "excerpt": "Amazon\u2019s Alexa division is set to suffer another round of job cuts.",
        "published_at": T0 + timedelta(hours=n, microseconds=123456),
        "updated_at": datetime(2023, 11, 21, 1, 2, 3, tzinfo=timezone(timedelta(hours=5))),
        "original_url": f"https://www.computerworld.com/article/{n}.html?utm_source=rss&id={n}",
        "web_url": f"https://www.computerworld.com/article/{n}.html",
        "amp_web_url": f"https://amp.example.com/{n}",
        "cdn_amp_web_url": f"https://cdn.example.com/amp/{n}",
        "type": "article",
        "quality": 17,
        "heat": -1,
        "published": False,
        "locale": "en-US",
        "provider": Provider(
            name="Computerworld",
            domain="computerworld.com",
            images=[Image(url="https://cw.example/logo.png", width=64, height=64)],
            extra={"twitter": "@cw", "since": date(1967, 6, 1)},
        ),
        "topics": ["AI", "Generative AI", "Ünïcode 主题"],
        "images": [
            Image(
                url="https://img.example.com/a.jpg",
                width=1400,
                height=788,
                is_cached=True,
                title="Alexa 🔊",
                attribution="© Someone",
                extra={"focal": {"x": 0.5, "y": 0.25}, "zeta": None, "alpha": [1, "two"]},
            ),
            Image(url="https://img.example.com/b.png"),
        ],
        "related": [
            RelatedItem(
                title="Amazon Launches New Generative AI Training Courses for Free",
                excerpt="The 'AI Ready' initiative offers online classes.",
                published_at=T0 + timedelta(hours=3, minutes=24),
                web_url="https://www.techrepublic.com/article/amazon-free-ai-skills/",
                type="article",
                provider=Provider(name="TechRepublic", domain="techrepublic.com"),
                quality=67,
                images=[
                    Image(
                        url="https://www.techrepublic.com/x.jpeg",
                        width=1400,
                        height=788,
                        is_cached=True,
                        extra={"note": "nested ✓"},
                    )
                ],
                extra={"seenAt": datetime(2023, 11, 21, tzinfo=UTC), "score": 0.75},
            ),
            RelatedItem(title="Bare related item"),
        ],
        "secured": "q83vEjRWeJA=;AAECAwQFBgcICQoLDA0ODw==",
        "body": "First paragraph — with “quotes”.\n\n* a list\n\tTabbed\r\nCRLF line 😀\n",
        "extra": {
            "zz_last_key_first": True,
            "author": "Jane Doé",
            "tags": ["a", "b"],
            "nested": {"b": 2, "a": 1, "$dollar": "kept", "deeper": {"z": [], "y": {}}},
            "when": date(2023, 11, 20),
            "at": datetime(2023, 11, 20, 18, 25),
            "ratio": 1.5,
            "big": 2**70,
            "nothing": None,
        },
    }
    fields.update(changes)
    return Article.model_validate(fields)


def minimal_article(url: str = "https://example.com/minimal", **changes: Any) -> Article:
    """An article with only a title and a web URL (plus ``changes``)."""
    return Article.model_validate({"title": "Minimal", "web_url": url, **changes})


# -- Hypothesis strategies (text without NUL or lone surrogates, which no database stores)

_safe_chars = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_text = st.text(_safe_chars, max_size=20)
_opt_text = st.none() | _text
_opt_int = st.none() | st.integers(-1, 100)
_opt_bool = st.none() | st.booleans()
_moments = st.none() | st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | _text
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC))
)
extra_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


def _extras(model: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    reserved = set(model.known_keys()) | set(model.model_fields) | {"extra"}
    return st.dictionaries(_text.filter(lambda key: key not in reserved), extra_values, max_size=3)


_images = st.builds(
    Image,
    url=_text,
    width=_opt_int,
    height=_opt_int,
    is_cached=_opt_bool,
    title=_opt_text,
    attribution=_opt_text,
    extra=_extras(Image),
)
_providers = st.builds(
    Provider,
    name=_opt_text,
    domain=st.none() | st.sampled_from(["example.com", "exämple.org", "news.test"]),
    images=st.lists(_images, max_size=2),
    description=_opt_text,
    weight=st.none() | st.floats(allow_nan=False),
    extra=_extras(Provider),
)
_urls = st.sampled_from(
    ["https://example.com/", "https://Example.com/x?utm_source=a", "http://news.test/é?id=1"]
) | _text.map(lambda path: f"https://example.com/{path}")
_related = st.builds(
    RelatedItem,
    title=_text,
    excerpt=_opt_text,
    published_at=_moments,
    updated_at=_moments,
    web_url=st.none() | _urls,
    original_url=_opt_text,
    type=_opt_text,
    provider=st.none() | _providers,
    quality=_opt_int,
    heat=_opt_int,
    images=st.lists(_images, max_size=2),
    extra=_extras(RelatedItem),
)
article_strategy = st.builds(
    Article,
    category=_opt_text,
    title=_text,
    excerpt=_opt_text,
    published_at=_moments,
    updated_at=_moments,
    original_url=_opt_text,
    web_url=_urls,
    amp_web_url=_opt_text,
    cdn_amp_web_url=_opt_text,
    type=_opt_text,
    quality=_opt_int,
    heat=_opt_int,
    published=_opt_bool,
    locale=_opt_text,
    provider=st.none() | _providers,
    topics=st.lists(_text, max_size=3),
    images=st.lists(_images, max_size=3),
    related=st.lists(_related, max_size=2),
    secured=_opt_text,
    body=st.text(_safe_chars, max_size=60),
    extra=_extras(Article),
)
