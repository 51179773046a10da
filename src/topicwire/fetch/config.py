"""How the fetcher behaves: one frozen dataclass with documented defaults.

Site settings are mapped onto :class:`FetchConfig` by the caller; this module knows nothing of
``settings.py``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import timedelta

from topicwire.errors import ConfigError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_USER_AGENT = "topicwire/0.1 (+https://github.com/topicwire)"
MB = 1024 * 1024


@dataclass(frozen=True)
class FetchConfig:
    """Every knob of :class:`topicwire.fetch.Fetcher` and :func:`topicwire.fetch.next_check`.

    Times in seconds are floats; scheduling intervals are :class:`~datetime.timedelta`.
    """

    #: ``User-Agent`` header sent with every request (robots.txt is matched against it too).
    user_agent: str = DEFAULT_USER_AGENT
    #: Seconds to open the TCP (and TLS) connection.
    connect_timeout: float = 10.0
    #: Seconds allowed between two reads of the socket.
    read_timeout: float = 30.0
    #: Seconds the fetch of one URL may spend working, over all its redirect hops (connecting,
    #: waiting, reading) and the robots.txt request it waits on; time queued for a connection
    #: slot or the politeness delay is not counted.
    total_timeout: float = 60.0
    #: Largest body accepted, as sent on the wire (compressed).
    max_bytes: int = 10 * MB
    #: Largest body accepted after decompression.
    max_decompressed_bytes: int = 10 * MB
    #: Largest decompressed/compressed size ratio accepted once the body passes 1 MB.
    max_decompression_ratio: float = 100.0
    #: Redirects followed before giving up (each hop is checked like the first request).
    max_redirects: int = 5
    #: Open connections across all hosts.
    max_connections: int = 50
    #: Open connections to one host.
    per_host_connections: int = 4
    #: Seconds between the starts of two requests to one host (0 turns it off).
    politeness_delay: float = 1.0
    #: Obey robots.txt.
    respect_robots: bool = True
    #: Networks (CIDR strings such as ``"127.0.0.1/32"``) the SSRF guard lets through even though
    #: they are loopback, private, link-local or reserved.
    allowed_networks: tuple[str, ...] = ()
    #: Host names answered without DNS, as ``(name, address)`` pairs (like curl's ``--resolve``);
    #: the guard still checks the address, so a private one must also be in ``allowed_networks``.
    host_overrides: tuple[tuple[str, str], ...] = ()
    #: Never check a source more often than this.
    min_interval: timedelta = timedelta(minutes=15)
    #: Never wait longer than this between two checks, even for a failing source.
    max_interval: timedelta = timedelta(hours=24)
    #: Interval when the server and the feed give no hint.
    default_interval: timedelta = timedelta(minutes=60)
    #: First backoff step after an error; doubles with each further error (full jitter).
    backoff_base: timedelta = timedelta(minutes=15)
    #: ``allowed_networks`` parsed; computed, not passed.
    networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the values and parse ``allowed_networks``; :class:`ConfigError` if wrong."""
        try:
            nets = tuple(ipaddress.ip_network(n, strict=False) for n in self.allowed_networks)
        except ValueError as exc:
            raise ConfigError(f"fetch.allowed_networks: {exc}") from None
        object.__setattr__(self, "networks", nets)
        for name, address in self.host_overrides:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ConfigError(
                    f"fetch.host_overrides: {name}={address}: not an IP address"
                ) from None
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"fetch.{name}: must be positive")
        for name in ("max_bytes", "max_decompressed_bytes", "max_connections"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"fetch.{name}: must be positive")
        if self.per_host_connections <= 0:
            raise ConfigError("fetch.per_host_connections: must be positive")
        if self.max_redirects < 0 or self.politeness_delay < 0:
            raise ConfigError("fetch.max_redirects and fetch.politeness_delay: must be >= 0")
        if self.max_decompression_ratio <= 1:
            raise ConfigError("fetch.max_decompression_ratio: must be > 1")
        if not timedelta(0) < self.min_interval <= self.max_interval:
            raise ConfigError("fetch.min_interval must be positive and <= fetch.max_interval")
        if self.backoff_base <= timedelta(0):
            raise ConfigError("fetch.backoff_base: must be positive")
