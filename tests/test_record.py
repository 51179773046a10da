"""The record codec: byte-exact on the seed, lossless on the reference site, strict on errors."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topicwire import yamlout
from topicwire.errors import RecordError
from topicwire.model import Article, Image, Provider, RelatedItem
from topicwire.record import dump_record, parse_record, read_record, split_record, write_record


def _front(text: str) -> object:
    return yaml.safe_load(split_record(text)[0])


def test_seed_is_byte_identical(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    article = parse_record(text, path=seed_path)
    assert article.title == "Amazon to cut jobs at Alexa unit to sharpen focus on generative AI"
    assert article.provider is not None and article.provider.domain == "computerworld.com"
    assert [r.provider.name for r in article.related if r.provider] == [
        "TechRepublic",
        "Forbes",
        "Lifehacker",
        "Euromoney",
    ]
    assert dump_record(article) == text


def test_reference_records_round_trip(reference_records: list[Path]) -> None:
    assert len(reference_records) == 42
    for path in reference_records:
        original = path.read_text(encoding="utf-8")
        article = read_record(path)
        written = dump_record(article)
        assert _front(written) == _front(original), path.name
        assert dump_record(parse_record(written)) == written, f"not idempotent: {path.name}"


def test_reference_partial_records_fail_clearly(shared: Path) -> None:
    partial = sorted((shared / "reference/everyday-ai/_partial/_news").glob("*.md"))
    assert len(partial) == 2
    for path in partial:
        with pytest.raises(RecordError, match="never closed") as info:
            read_record(path)
        assert info.value.path == str(path)
        assert info.value.line is not None and info.value.line > 100


def test_layout_groups_and_quoting() -> None:
    article = Article(
        category="news",
        title='Say "hi": C:\\path # not a comment',
        published_at=datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC),
        web_url="https://example.com/a?b=1&c=2",
        type="article",
        quality=40,
        heat=-1,
        published=True,
        provider=Provider(name="yes", domain="example.com"),
        topics=["AI", "AI Ethics"],
        images=[Image(url="https://example.com/i.jpg", width=10, height=20, is_cached=False)],
        secured="abc;def",
        extra={"tags": ["a", "b"], "sourceUrl": None},
        body="Body text.\n",
    )
    assert dump_record(article) == (
        "---\n"
        "category: news\n"
        'title: "Say \\"hi\\": C:\\\\path # not a comment"\n'
        "publishedDateTime: 2024-02-03T04:05:06Z\n"
        'webUrl: "https://example.com/a?b=1&c=2"\n'
        "type: article\n"
        "quality: 40\n"
        "heat: -1\n"
        "published: true\n"
        "sourceUrl: null\n"
        "\n"
        "provider:\n"
        '  name: "yes"\n'  # bare yes would read back as a boolean
        "  domain: example.com\n"
        "\n"
        "topics:\n"
        "  - AI\n"
        "  - AI Ethics\n"
        "\n"
        "images:\n"
        '  - url: "https://example.com/i.jpg"\n'
        "    width: 10\n"
        "    height: 20\n"
        "    isCached: false\n"
        "\n"
        "tags:\n"
        '  - "a"\n'
        '  - "b"\n'
        "\n"
        'secured: "abc;def"\n'
        "---\n"
        "\n"
        "Body text.\n"
    )


def test_dates_are_written_in_utc() -> None:
    record = '---\ntitle: "t"\npublishedDateTime: 2023-11-20T20:25:00+02:00\n---\n\n'
    article = parse_record(record)
    assert article.published_at == datetime(2023, 11, 20, 18, 25, tzinfo=UTC)
    assert "publishedDateTime: 2023-11-20T18:25:00Z\n" in dump_record(article)


def test_dates_match_strftime_in_every_year() -> None:
    """The fast date formatting gives strftime's text, the year always in four digits (glibc's
    %Y writes year 609 as "609", which YAML would read back as a string)."""
    from datetime import timedelta, timezone

    from topicwire.yamlout import format_datetime

    zone = timezone(timedelta(hours=-5, minutes=-30))
    values = [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 5, tzinfo=UTC),
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(2023, 11, 20, 18, 25),  # naive: taken as UTC
        datetime(2023, 11, 20, 18, 25, 0, 120000, tzinfo=zone),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    for value in values:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        fraction = f".{utc.microsecond:06d}".rstrip("0") if utc.microsecond else ""
        expected = f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S") + fraction + "Z"
        assert format_datetime(value) == expected
        assert format_datetime(value) == expected  # again, from the cache


def test_only_backslash_and_quote_need_escapes_in_printable_text() -> None:
    """``quote`` skips its escaping for printable text without ``"`` or backslashes."""
    from topicwire.yamlout import _NEEDS_ESCAPE, quote

    for code in range(0x110000):
        char = chr(code)
        if char.isprintable() and char not in '"\\':
            assert _NEEDS_ESCAPE.search(char) is None, hex(code)
    assert quote('a "b" \\ c\u2028\x00') == '"a \\"b\\" \\\\ c\\L\\0"'


def test_bare_strings_follow_their_key_paths() -> None:
    """Identifiers are bare only at their own paths; the same text elsewhere is quoted."""
    provider = Provider(name="Wire", domain="wire.example", images=[Image(url="u", title="Wire")])
    article = Article(
        category="news",
        title="Wire",
        type="article",
        provider=provider,
        topics=["AI", "null", "- x"],
        related=[RelatedItem(title="Wire", type="article", provider=provider)],
        extra={"xnested": {"name": "Wire", "type": "article", "list": [["Wire"], []]}},
    )
    front = split_record(dump_record(article))[0]
    assert front.splitlines() == [
        "category: news",
        'title: "Wire"',
        "type: article",
        "",
        "provider:",
        "  name: Wire",
        "  domain: wire.example",
        "  images:",
        '    - url: "u"',
        '      title: "Wire"',
        "",
        "topics:",
        "  - AI",
        '  - "null"',
        '  - "- x"',
        "",
        "related:",
        '  - title: "Wire"',
        "    type: article",
        "    provider:",
        "      name: Wire",
        "      domain: wire.example",
        "      images:",
        '        - url: "u"',
        '          title: "Wire"',
        "",
        "xnested:",
        '  name: "Wire"',
        '  type: "article"',
        "  list:",
        '    - - "Wire"',
        "    - []",
    ]
    assert parse_record(dump_record(article)) == article


def test_write_record_is_atomic_and_readable(tmp_path: Path) -> None:
    article = Article(title="Ünïcode ✓ 🚀", body="text\n")
    target = tmp_path / "_news" / "2024-01-01-x.md"
    write_record(article, target)
    assert read_record(target) == article
    assert [p.name for p in target.parent.iterdir()] == ["2024-01-01-x.md"]


# --------------------------------------------------------------------------- malformed input

MALFORMED = [
    ("hello\n", 1, "no front matter"),
    ('---\ntitle: "x"\n', 2, "never closed"),
    ('---\ntitle: "x\ncategory: news\n---\n', 4, "starts on line 2"),
    ("---\ntitle: x\n  foo: : bar\n---\n", 3, "invalid YAML"),
    ('---\ntitle: "x"\nquality: high\n---\n', 3, "'quality': input should be a valid integer"),
    ('---\ntitle: "x"\nimages:\n  - url: "u"\n    width: wide\n---\n', 5, "'images.0.width'"),
    ("---\ncategory: news\n---\n", 2, "'title' is required"),
    ("---\n- a\n---\n", 2, "must be a mapping"),
    ("---\ntitle: a\ntitle: b\n---\n", 3, "duplicate key 'title'"),
    ("---\ntitle: a\npublished: maybe\n---\n", 3, "'published': input should be a valid boolean"),
    ("---\ntitle: a\ntopics: AI\n---\n", 3, "'topics': input should be a valid list"),
]


@pytest.mark.parametrize(("text", "line", "problem"), MALFORMED)
def test_malformed_record_names_file_line_and_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError) as info:
        read_record(path)
    error = info.value
    assert error.path == str(path)
    assert error.line == line
    assert problem in error.problem
    assert str(error).startswith(f"{path}:{line}: ")


def test_not_utf8_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes('---\ntitle: "caf\xe9"\n---\n'.encode("latin-1"))
    with pytest.raises(RecordError, match="not UTF-8"):
        read_record(path)


# --------------------------------------------------------------------------- property

_tricky = st.sampled_from(['"', "'", ":", ": ", "\\", "#", " #", "\n", "\t", " ", "🚀", "é", "-"])
_text = st.lists(st.one_of(st.text(max_size=8), _tricky), max_size=6).map("".join)
_word = st.text(alphabet=string.ascii_letters + string.digits + " .-_&'", max_size=20)
_opt_text = st.none() | _text
_dates = st.none() | st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_ints = st.none() | st.integers(min_value=-(2**31), max_value=2**31)
_images = st.lists(
    st.builds(
        Image,
        url=_text,
        width=_ints,
        height=_ints,
        is_cached=st.none() | st.booleans(),
        title=_opt_text,
        attribution=_opt_text,
    ),
    max_size=2,
)
_providers = st.none() | st.builds(
    Provider, name=st.none() | _word | _text, domain=st.none() | _word, images=_images
)
_extra_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.from_regex(r"[a-z][a-zA-Z_]{0,8}", fullmatch=True), inner, max_size=3)
    ),
    max_leaves=6,
)
_extra = st.dictionaries(
    st.from_regex(r"x[a-zA-Z_]{0,8}", fullmatch=True), _extra_values, max_size=3
)
_related = st.lists(
    st.builds(
        RelatedItem,
        title=_text,
        excerpt=_opt_text,
        published_at=_dates,
        web_url=_opt_text,
        type=st.none() | _word,
        provider=_providers,
        quality=_ints,
        images=_images,
        extra=_extra,
    ),
    max_size=3,
)
articles = st.builds(
    Article,
    category=st.none() | _word,
    title=_text,
    excerpt=_opt_text,
    published_at=_dates,
    updated_at=_dates,
    original_url=_opt_text,
    web_url=_opt_text,
    type=st.none() | _word,
    quality=_ints,
    heat=_ints,
    published=st.none() | st.booleans(),
    locale=st.none() | _word,
    provider=_providers,
    topics=st.lists(_word | _text, max_size=3),
    images=_images,
    related=_related,
    secured=_opt_text,
    extra=_extra,
    body=_text,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_any_article_round_trips(article: Article) -> None:
    written = dump_record(article)
    assert parse_record(written) == article
    assert dump_record(parse_record(written)) == written


def test_reference_file_names_come_from_titles(reference_records: list[Path]) -> None:
    """The reference site names records YYYY-MM-DD-<slug of title>; our slug agrees on all."""
    from topicwire.text import slugify

    for path in reference_records:
        assert slugify(read_record(path).title, max_length=200) == path.stem[11:], path.name


def test_the_plain_string_shortcut_agrees_with_the_yaml_parser() -> None:
    """Simple words are judged bare without parsing: the shortcut must give the parser's
    answer, booleans and null in any case included."""
    rng = random.Random(5)
    alphabet = "aAyYnNoOeEsSfFlLtTuUrR09 ._-"
    samples = {
        w
        for base in (
            "yes",
            "no",
            "true",
            "false",
            "on",
            "off",
            "null",
            "y",
            "n",
            "nan",
            "inf",
            "e.g.",
            "gpt-4.5",
            "a -b",
            "x_y",
            "Off-line",
            "TRUE1",
        )
        for w in (base, base.upper(), base.capitalize(), base.title())
    }
    samples |= {
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(4000)
    }
    for text in sorted(samples):
        if yamlout._SIMPLE_PLAIN.fullmatch(text) and text == text.strip():
            parsed = (
                yaml.safe_load(f"k: {text}\n") == {"k": text}
                and yaml.safe_load(f"- {text}\n") == [text]
                and yaml.safe_load(f"{text}: 0\n") == {text: 0}
            )
            assert yamlout.plain_ok(text) is bool(parsed), text
