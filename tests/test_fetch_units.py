"""Unit tests of the fetch stage's pure parts: charset, schedule, guard, config, body, robots."""

# ruff: noqa: RUF001  (charset samples are meant to hold non-ASCII text)

from __future__ import annotations

import asyncio
import codecs
import random
import socket
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from hypothesis import given
from hypothesis import strategies as st

from topicwire.errors import ConfigError, TopicwireError
from topicwire.fetch import (
    AddressRefused,
    FetchConfig,
    FetchError,
    SchemeRefused,
    check_address,
    check_scheme,
    decode,
    next_check,
    parse_retry_after,
)
from topicwire.fetch.body import BodyLimits, Decompressor
from topicwire.fetch.guard import GuardedResolver
from topicwire.fetch.robots import parse_robots
from topicwire.fetch.schedule import backoff, cache_lifetime

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FRENCH = (
    "Hier soir, au café « Chez Léon », la crème brûlée était déjà épuisée à 21 h. Le "
    "propriétaire, très naïf, a expliqué que la façade serait rénovée l’été prochain pour "
    "12 000 €. « C’est un rêve qui se réalise », a-t-il ajouté — sans préciser où il "
    "trouverait l’argent."
)
RUSSIAN = (
    "Вчера вечером в городе прошёл сильный дождь. Синоптики обещают, что погода улучшится "
    "к выходным, а температура поднимется до двадцати градусов."
)
POLISH = (
    "Wczoraj w Warszawie odbyło się spotkanie mieszkańców. Burmistrz powiedział, że budowa "
    "nowej linii tramwajowej zacznie się już w przyszłym roku. Źródła podają, że koszt "
    "wyniesie ćwierć miliarda złotych."
)


# --- charset ---------------------------------------------------------------------------------


def test_bom_wins_over_everything() -> None:
    body = codecs.BOM_UTF8 + '<?xml version="1.0" encoding="iso-8859-1"?><a>é</a>'.encode()
    text, encoding = decode(body, "text/xml; charset=windows-1251")
    assert encoding == "utf-8-sig" and text.endswith("<a>é</a>")
    utf16 = "<a>é</a>".encode("utf-16")
    assert decode(utf16, "text/xml; charset=utf-8") == ("<a>é</a>", "utf-16")


def test_header_before_xml_declaration_and_meta() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><a>Привет</a>'.encode("cp1251")
    assert decode(body, "application/xml; charset=windows-1251") == (
        body.decode("cp1251"),
        "cp1251",
    )


def test_header_that_does_not_decode_is_skipped() -> None:
    body = FRENCH.encode("cp1252")
    assert decode(body, "text/html; charset=utf-8") == (FRENCH, "cp1252")


def test_unknown_header_charset_is_skipped() -> None:
    body = b'<meta charset="koi8-r"><p>' + RUSSIAN.encode("koi8-r")
    text, encoding = decode(body, "text/html; charset=x-no-such-thing")
    assert encoding == "koi8-r" and RUSSIAN in text


def test_xml_declaration_before_meta() -> None:
    body = b'<?xml version="1.0" encoding="windows-1251"?><meta charset="koi8-r"/>'
    body += RUSSIAN.encode("cp1251")
    assert decode(body, "application/rss+xml")[1] == "cp1251"


def test_http_equiv_meta() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
    body = head.encode() + POLISH.encode("iso-8859-2")
    text, encoding = decode(body, "text/html")
    assert encoding == "iso8859-2" and text.endswith(POLISH)


def test_latin1_label_means_windows_1252() -> None:
    body = "“smart quotes” – 5 €".encode("cp1252")
    assert decode(body, "text/plain; charset=ISO-8859-1") == ("“smart quotes” – 5 €", "cp1252")


def test_declared_utf16_in_ascii_document_means_utf8() -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?><a>é</a>'.encode()
    assert decode(body, None) == ('<?xml version="1.0" encoding="UTF-16"?><a>é</a>', "utf-8")


@pytest.mark.parametrize(
    ("text", "codec"),
    [(FRENCH, "cp1252"), (RUSSIAN, "cp1251"), (RUSSIAN, "koi8-r"), (POLISH, "cp1250")],
)
def test_detection_without_any_declaration(text: str, codec: str) -> None:
    decoded, _ = decode(text.encode(codec), None)
    assert decoded == text


def test_valid_utf8_without_declaration_and_empty_body() -> None:
    assert decode("naïve ☃".encode(), None) == ("naïve ☃", "utf-8")
    assert decode(b"", "text/html") == ("", "utf-8")


@given(st.binary(max_size=300), st.sampled_from([None, "text/html; charset=utf-8", "text/xml"]))
def test_decode_never_fails(body: bytes, content_type: str | None) -> None:
    text, encoding = decode(body, content_type)
    assert isinstance(text, str) and codecs.lookup(encoding)


# --- schedule --------------------------------------------------------------------------------


@dataclass
class Result:
    """The parts of a FetchResult next_check reads."""

    error_kind: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None


CFG = FetchConfig()


def test_success_without_hints_uses_default_interval() -> None:
    assert next_check(Result(), 0, CFG, NOW) == NOW + CFG.default_interval


def test_success_uses_longest_hint_clamped() -> None:
    cached = Result(headers={"cache-control": "public, max-age=7200"})
    assert next_check(cached, 0, CFG, NOW) == NOW + timedelta(hours=2)
    assert next_check(cached, 0, CFG, NOW, ttl_minutes=180) == NOW + timedelta(hours=3)
    short = Result(headers={"cache-control": "max-age=10"})
    assert next_check(short, 0, CFG, NOW) == NOW + CFG.min_interval
    long = Result(headers={"cache-control": "max-age=99999999"})
    assert next_check(long, 0, CFG, NOW) == NOW + CFG.max_interval


def test_expires_relative_to_date_header() -> None:
    headers = {"expires": "Sun, 01 Mar 2026 15:00:00 GMT", "date": "Sun, 01 Mar 2026 12:00:00 GMT"}
    assert cache_lifetime(headers, NOW) == timedelta(hours=3)
    assert next_check(Result(headers=headers), 0, CFG, NOW) == NOW + timedelta(hours=3)
    assert cache_lifetime({"expires": "0"}, NOW) is None
    assert cache_lifetime({"cache-control": "no-cache, max-age=600"}, NOW) is None


def test_backoff_grows_with_full_jitter_and_cap() -> None:
    rng = random.Random(7)
    ceilings = []
    for n in range(1, 12):
        ceilings.append(min(CFG.backoff_base * 2 ** (n - 1), CFG.max_interval))
        delay = backoff(n, CFG, rng)
        assert timedelta(0) <= delay <= ceilings[-1]
    assert ceilings[-1] == CFG.max_interval
    assert backoff(3, CFG, random.Random(1)) == CFG.backoff_base * 4 * random.Random(1).random()


def test_errors_back_off_and_are_never_dropped() -> None:
    failed = Result(error_kind="connection")
    rng = random.Random(42)
    expected = NOW + min(
        max(CFG.backoff_base * 8 * random.Random(42).random(), CFG.min_interval), CFG.max_interval
    )
    assert next_check(failed, 4, CFG, NOW, rng=rng) == expected
    for n in (1, 5, 50, 10_000):
        when = next_check(failed, n, CFG, NOW, rng=random.Random(n))
        assert NOW + CFG.min_interval <= when <= NOW + CFG.max_interval


def test_parse_failure_counts_as_error_even_without_error_kind() -> None:
    rng = random.Random(3)
    assert next_check(Result(), 6, CFG, NOW, rng=rng) != NOW + CFG.default_interval


def test_retry_after_respected_and_clamped() -> None:
    limited = Result(error_kind="http-status", retry_after=3 * 3600)
    assert next_check(limited, 1, CFG, NOW, rng=random.Random(0)) == NOW + timedelta(hours=3)
    forever = Result(error_kind="http-status", retry_after=90 * 86400)
    assert next_check(forever, 1, CFG, NOW) == NOW + CFG.max_interval


def test_parse_retry_after() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Sun, 01 Mar 2026 12:10:00 GMT", NOW) == 600
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


@given(
    st.integers(min_value=0, max_value=10_000),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e9)),
    st.booleans(),
    st.integers(min_value=0, max_value=2**31),
)
def test_next_check_always_within_bounds(
    errors: int, retry_after: float | None, failed: bool, seed: int
) -> None:
    result = Result(error_kind="timeout" if failed else None, retry_after=retry_after)
    when = next_check(result, errors, CFG, NOW, rng=random.Random(seed))
    assert NOW + CFG.min_interval <= when <= NOW + CFG.max_interval


# --- guard -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.2", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.0.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("100.64.0.1", "not a global address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fd12:3456::1", "a private address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:192.168.1.1", "a private address"),
    ],
)
def test_non_public_addresses_refused(address: str, problem: str) -> None:
    with pytest.raises(AddressRefused, match=problem) as info:
        check_address(address, ())
    assert info.value.kind == "ssrf"
    assert "allow it with fetch.allowed_networks" in str(info.value)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    check_address(address, ())


def test_allowed_networks() -> None:
    nets = FetchConfig(allowed_networks=("127.0.0.1/32", "10.0.0.0/8")).networks
    check_address("127.0.0.1", nets)
    check_address("::ffff:127.0.0.1", nets)
    check_address("10.200.0.1", nets)
    with pytest.raises(AddressRefused, match=r"127\.0\.0\.2 is a loopback address"):
        check_address("127.0.0.2", nets)
    with pytest.raises(AddressRefused):
        check_address("::1", nets)


def test_check_scheme() -> None:
    assert str(check_scheme("HTTPS://Example.org/a")) == "https://example.org/a"
    for bad in ("file:///etc/passwd", "ftp://x.org/", "gopher://x.org", "data:,hi", "//x.org/"):
        with pytest.raises(SchemeRefused):
            check_scheme(bad)
    with pytest.raises(SchemeRefused, match="no host"):
        check_scheme("http:///path")


class FakeResolver(AbstractResolver):
    """Answers every name with fixed addresses (a rebinding DNS server, say)."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=a, port=port, family=family, proto=0, flags=0)
            for a in self.addresses
        ]

    async def close(self) -> None:
        return None


def test_guarded_resolver_filters_and_refuses() -> None:
    mixed = GuardedResolver((), FakeResolver("10.0.0.5", "93.184.215.14"))
    assert [r["host"] for r in asyncio.run(mixed.resolve("news.example", 80))] == ["93.184.215.14"]
    private = GuardedResolver((), FakeResolver("169.254.169.254"))
    with pytest.raises(AddressRefused, match=r"link-local.*resolved from metadata\.example"):
        asyncio.run(private.resolve("metadata.example", 80))


# --- config, errors, body, robots ------------------------------------------------------------


def test_config_defaults_and_validation() -> None:
    cfg = FetchConfig()
    assert cfg.max_bytes == 10 * 1024 * 1024 and cfg.respect_robots and cfg.networks == ()
    assert cfg.user_agent.startswith("topicwire/")
    with pytest.raises(ConfigError, match="allowed_networks"):
        FetchConfig(allowed_networks=("not-a-net",))
    with pytest.raises(ConfigError):
        FetchConfig(min_interval=timedelta(hours=48))
    with pytest.raises(ConfigError):
        FetchConfig(read_timeout=0)


def test_fetch_error_is_a_topicwire_error() -> None:
    assert issubclass(FetchError, TopicwireError)
    assert FetchError("timeout", "slow").kind == "timeout"


LIMITS = BodyLimits(10_000_000, 10_000_000, 100.0)


def test_raw_and_zlib_deflate() -> None:
    data = b"hello deflate " * 50
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_body = raw.compress(data) + raw.flush()
    for body in (zlib.compress(data), raw_body):
        decoder = Decompressor("deflate", LIMITS)
        assert decoder.feed(body[:5]) + decoder.feed(body[5:]) + decoder.finish() == data


def test_decompressor_stops_at_size_cap() -> None:
    body = zlib.compress(bytes(5_000_000))
    decoder = Decompressor("deflate", BodyLimits(10_000_000, 1_000_000, 1e9))
    with pytest.raises(FetchError) as info:
        decoder.feed(body)
    assert info.value.kind == "decompression-bomb"
    assert decoder.produced <= 1_000_001


def test_robots_rules() -> None:
    rules = parse_robots(200, b"User-agent: *\nDisallow: /private/\n", "https://x.org")
    assert rules.can_fetch("topicwire/0.1", "https://x.org/feed")
    assert not rules.can_fetch("topicwire/0.1", "https://x.org/private/a")
    named = parse_robots(200, b"User-agent: topicwire\nDisallow: /\n", "https://x.org")
    assert not named.can_fetch("topicwire/0.1 (+https://github.com/topicwire)", "https://x.org/")
    for status in (404, 403, 500, None):
        assert parse_robots(status, b"", "https://x.org").can_fetch("a", "https://x.org/private/")


def test_host_overrides_answer_without_dns_and_are_still_guarded() -> None:
    """fetch.host_overrides maps a name to an address; the guard still checks that address."""
    import ipaddress

    from topicwire.fetch.errors import AddressRefused

    allowed = [ipaddress.ip_network("127.0.0.1/32")]
    overrides = {"News.Example": "127.0.0.1", "evil.example": "10.0.0.7"}

    async def scenario() -> None:
        resolver = GuardedResolver(allowed, overrides=overrides)
        (answer,) = await resolver.resolve("news.example", 8080)
        assert (answer["host"], answer["port"]) == ("127.0.0.1", 8080)
        assert answer["hostname"] == "news.example"
        with pytest.raises(AddressRefused, match=r"10\.0\.0\.7 is a private address"):
            await resolver.resolve("evil.example", 80)
        await resolver.close()

    asyncio.run(scenario())
    with pytest.raises(ConfigError, match="not an IP address"):
        FetchConfig(host_overrides=(("news.example", "not-an-ip"),))
