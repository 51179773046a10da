"""The safety checks every request hop passes: scheme, and the SSRF guard.

The SSRF guard sits in the DNS resolver the connector uses, so the address that is checked is
the address that is connected to: there is no gap between resolving and connecting for a
rebinding DNS server to slip through. Literal IP addresses in URLs never reach a resolver, so
:func:`check_host` checks them before any connection is opened.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Mapping

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from topicwire.fetch.config import IPNetwork
from topicwire.fetch.errors import AddressRefused, SchemeRefused

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_scheme(url: str | URL) -> URL:
    """``url`` parsed; :class:`SchemeRefused` unless it is an absolute http(s) URL with a host."""
    try:
        parsed = url if isinstance(url, URL) else URL(url)
    except (ValueError, TypeError) as exc:
        raise SchemeRefused(f"refused: {url!s} is not a valid URL ({exc})") from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}://" if scheme else "a relative URL"
        raise SchemeRefused(f"refused: {shown} is not allowed, only http and https ({url!s})")
    host = parsed.raw_host
    if not host:
        raise SchemeRefused(f"refused: {url!s} has no host")
    if any(c.isspace() or not c.isprintable() for c in host):
        raise SchemeRefused(f"refused: {url!s} has an invalid host {host!r}")
    return parsed


def address_problem(addr: IPAddress) -> str | None:
    """Why ``addr`` is not a public address (``"a loopback address"``...), or ``None``."""
    if isinstance(addr, ipaddress.IPv6Address):
        mapped = addr.ipv4_mapped or addr.sixtofour
        if mapped is not None:
            return address_problem(mapped)
        if addr.teredo is not None:
            return address_problem(addr.teredo[1])
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    )
    for attribute, description in checks:
        if getattr(addr, attribute):
            return description
    if not addr.is_global:
        return "not a global address"
    return None


def check_address(address: str, networks: Iterable[IPNetwork]) -> None:
    """:class:`AddressRefused` if ``address`` (an IP) is not public and in no allowed network."""
    try:
        addr = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise AddressRefused(f"refused: {address!r} is not an IP address") from None
    problem = address_problem(addr)
    if problem is None:
        return
    candidates: list[IPAddress] = [addr]
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        candidates.append(addr.ipv4_mapped)
    for net in networks:
        if any(c.version == net.version and c in net for c in candidates):
            return
    raise AddressRefused(f"refused: {addr} is {problem}; allow it with fetch.allowed_networks")


def literal_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is one (``[::1]`` included), else ``None``."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def numeric_form(host: str) -> str | None:
    """The IPv4 address a host in a form other than dotted decimal stands for (``2130706433``,
    ``0177.0.0.1``, ``0x7f.0.0.2``, ``127.1``: what the C library reads as an address), else
    ``None``. No host name is all numbers, so these are always addresses in disguise."""
    if literal_ip(host) is not None:
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except (OSError, UnicodeError, ValueError):
        return None


def check_host(url: URL, networks: Iterable[IPNetwork]) -> None:
    """Refuse ``url`` now when its host is a literal IP that is not allowed, or an IPv4 address
    written in a non-standard form (decimal, octal, hex or short: different parsers read them
    differently, so they are refused whatever address they stand for).

    Host names are checked later, by :class:`GuardedResolver`, on the addresses they resolve to.
    """
    host = url.raw_host or ""
    if literal_ip(host) is not None:
        check_address(host, networks)
        return
    disguised = numeric_form(host)
    if disguised is not None:
        raise SchemeRefused(f"refused: {host} is the address {disguised} in a non-standard form")


class GuardedResolver(AbstractResolver):
    """A resolver that drops every address the SSRF guard refuses.

    When no address is left it raises :class:`AddressRefused`, naming the first refusal.
    """

    def __init__(
        self,
        networks: Iterable[IPNetwork],
        inner: AbstractResolver | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self._networks = tuple(networks)
        self._inner = inner if inner is not None else ThreadedResolver()
        self._overrides = {name.lower(): address for name, address in (overrides or {}).items()}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host`` that the guard allows (an override is checked too)."""
        override = self._overrides.get(host.lower())
        if override is not None:
            results: list[ResolveResult] = [_fixed(host, override, port)]
        else:
            results = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        first: AddressRefused | None = None
        for result in results:
            try:
                check_address(result["host"], self._networks)
            except AddressRefused as exc:
                log.debug("%s resolves to %s: %s", host, result["host"], exc)
                first = first or exc
                continue
            allowed.append(result)
        if not allowed:
            if first is None:
                raise AddressRefused(f"refused: {host} did not resolve to any address")
            raise AddressRefused(f"{first.message} (resolved from {host})")
        return allowed

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()


def _fixed(host: str, address: str, port: int) -> ResolveResult:
    """A resolver answer for a name mapped by hand (``fetch.host_overrides``)."""
    ip = ipaddress.ip_address(address)
    return {
        "hostname": host,
        "host": str(ip),
        "port": port,
        "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
        "proto": 0,
        "flags": socket.AI_NUMERICHOST,
    }
