"""PURE: which URLs a webhook may be sent to (server-side request forgery).

Only http and https, no credentials in the URL, and every address the host name resolves to must be public:
loopback, private, link-local, unique-local, multicast, unspecified and other reserved addresses are refused
unless the admin allowed private addresses for that endpoint. Checked when an endpoint is registered and again
at each delivery — the name may resolve elsewhere by then — and the delivery connects to the address checked.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from feedback_app.core.refusals import N_, Refusal

Resolve = Callable[[str, int], list[str]]
SCHEMES = {"http": 80, "https": 443}


class UnsafeURL(Refusal):
    """A URL no webhook may be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str          # as written (the Host header and TLS name), brackets removed from an IPv6 literal
    port: int
    path: str          # path and query, "/" at least
    addresses: tuple[str, ...]  # every address the host resolved to, all allowed


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an http(s) URL; UnsafeURL when it is none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(N_("not a valid URL"), detail=str(error)) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeURL(N_("only http:// and https:// URLs are allowed"))
    if not parts.hostname:
        raise UnsafeURL(N_("the URL has no host name"))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(N_("the URL must not carry a user name or password (use the secret)"))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or SCHEMES[scheme], path


def refusal(address: str) -> str | None:
    """Why an address is no place for a webhook, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a zone ("fe80::1%eth0") names a link: link-local
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7"):
        return "unique-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def check(url: str, allow_private: bool, resolve: Resolve) -> Target:
    """The URL's target with every address it resolves to; UnsafeURL when any is refused or none is found."""
    scheme, host, port, path = parse(url)
    try:
        addresses = tuple(dict.fromkeys(resolve(host, port)))
    except OSError as error:
        raise UnsafeURL(N_("the host name %(host)s does not resolve"), host=host, detail=str(error)) from None
    if not addresses:
        raise UnsafeURL(N_("the host name %(host)s does not resolve"), host=host)
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason:
                raise UnsafeURL(N_("%(host)s resolves to %(address)s, a %(reason)s address: refused unless private "
                                   "addresses are allowed for this endpoint"), host=host, address=address, reason=reason)
    return Target(scheme, host, port, path, addresses)


def resolve_by_dns(host: str, port: int) -> list[str]:
    """Every address of `host` (an IP literal is itself), through the system's resolver."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
