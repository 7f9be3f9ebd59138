"""Refuse requests to private, loopback, link-local and reserved addresses (SSRF).

A feed or a redirect can point anywhere, including at the crawler's own network (10.0.0.1, the
cloud metadata service at 169.254.169.254, a name that resolves into the intranet). The decision
is taken in ``process_request``, before any socket to the target is opened: literal IPs are
checked as they are, host names through the resolver the crawl was given (default: the system's
``getaddrinfo`` in a thread; tests pass one that never asks real DNS). Hosts listed in
``crawl.allow_private_hosts`` are let through (tests and the demo crawl 127.0.0.1).

Refused requests fail with ``Refused("ssrf")``, so the article's errback records them.

A name can resolve differently a moment later (DNS rebinding), so the middleware's answer is not
the last word: ``GuardedResolver``, installed as Twisted's resolver (``TWISTED_DNS_RESOLVER``),
resolves every name the downloader connects to through the same resolver and hands out only
allowed addresses, so the address a socket is opened to is always one that was checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from crawler.reasons import AddressRefused, Refused
from crawler.settings import CONFIG, RESOLVER

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

#: Host name -> its IP addresses as strings; raises OSError when the name does not resolve.
Resolver = Callable[[str], Sequence[str]]


def system_resolver(host: str) -> list[str]:
    """The addresses the operating system resolves ``host`` to (blocking: call it in a thread)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


def is_public(address: str) -> bool:
    """Whether ``address`` is a globally routable unicast address (IPv4-mapped IPv6 unwrapped)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class SsrfGuardMiddleware:
    """Downloader middleware: raise ``Refused("ssrf")`` for requests to non-public addresses."""

    def __init__(self, allowed: Iterable[str], resolver: Resolver) -> None:
        self.allowed = frozenset(host.lower() for host in allowed)
        self.resolver = resolver
        self._resolved: dict[str, Sequence[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        config = crawler.settings[CONFIG]
        return cls(config.crawl.allow_private_hosts, crawler.settings.get(RESOLVER) or system_resolver)

    async def process_request(self, request: Request) -> None:
        host = (urlparse_cached(request).hostname or "").lower()
        if host in self.allowed:
            return
        addresses = await self._addresses(host)
        refused = [address for address in addresses if not is_public(address) and address not in self.allowed]
        if refused:
            log.info("refused %s: %s resolves to %s", request.url, host, ", ".join(refused))
            raise Refused("ssrf", f"{host} is {refused[0]}, a non-public address")

    async def _addresses(self, host: str) -> Sequence[str]:
        literal = _literal(host)
        if literal is not None:
            return [literal]
        if host not in self._resolved:
            try:
                self._resolved[host] = await asyncio.to_thread(self.resolver, host)
            except OSError as exc:
                raise Refused("dns", f"{host} does not resolve: {exc}") from None
            if not self._resolved[host]:
                raise Refused("dns", f"{host} resolves to no address")
        return self._resolved[host]


@implementer(IResolverSimple)
class GuardedResolver:
    """Twisted's name resolver during a crawl: the crawl's resolver, public addresses only.

    Built by Scrapy from the ``CrawlerProcess`` settings (``from_crawler`` gets the process, which
    has them too). A name with no allowed address fails with ``AddressRefused``, which Scrapy
    reports as ``CannotResolveHostError`` caused by it (reason ``ssrf``).
    """

    def __init__(self, reactor: ReactorBase, allowed: Iterable[str], resolver: Resolver) -> None:
        self.reactor = reactor
        self.allowed = frozenset(host.lower() for host in allowed)
        self.resolver = resolver

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> GuardedResolver:
        settings = crawler.settings
        allowed = settings[CONFIG].crawl.allow_private_hosts
        return cls(reactor, allowed, settings.get(RESOLVER) or system_resolver)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 (Twisted's name)
        return deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.address, name)

    def address(self, name: str) -> str:
        """The address to connect to for ``name`` (IPv4 first, as Scrapy's own resolver).

        Twisted asks for literal IPs too, so they pass the same check here.
        """
        literal = _literal(name)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = list(self.resolver(name))
            except OSError as exc:
                raise DNSLookupError(f"{name}: {exc}") from None
        if name.lower() not in self.allowed:
            addresses = [address for address in addresses if is_public(address) or address in self.allowed]
        if not addresses:
            raise AddressRefused(f"{name} resolves to no public address")
        return next((address for address in addresses if ":" not in address), addresses[0])
