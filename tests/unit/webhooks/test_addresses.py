"""Server-side request forgery: only http(s), and only public addresses unless private ones are allowed."""
from __future__ import annotations

import pytest

from webhooks.addresses import UnsafeURL, check, parse, refusal, resolve_by_dns


def resolves_to(*addresses):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1/hook", "loopback"),
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10:8080/hook", "private"),
    ("http://172.16.5.4/hook", "private"),
    ("http://[::1]/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fd12:3456::1]/hook", "unique-local"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
])
def test_literal_addresses_outside_the_internet_are_refused(url, reason):
    with pytest.raises(UnsafeURL, match=f"a {reason} address"):
        check(url, False, resolve_by_dns)


def test_they_are_allowed_when_the_endpoint_allows_private_addresses():
    target = check("http://127.0.0.1:8123/in?x=1", True, resolve_by_dns)
    assert (target.scheme, target.host, target.port, target.path, target.addresses) == (
        "http", "127.0.0.1", 8123, "/in?x=1", ("127.0.0.1",))


def test_a_name_resolving_to_loopback_is_refused():
    with pytest.raises(UnsafeURL, match="localhost resolves to .*loopback"):
        check("http://localhost/hook", False, resolve_by_dns)


def test_every_address_of_a_name_is_checked():
    with pytest.raises(UnsafeURL, match="10.0.0.5, a private address"):
        check("https://hooks.example.com/x", False, resolves_to("93.184.216.34", "10.0.0.5"))
    target = check("https://hooks.example.com/x", False, resolves_to("93.184.216.34"))
    assert target.addresses == ("93.184.216.34",) and target.port == 443


@pytest.mark.parametrize("url, message", [
    ("ftp://example.com/x", "only http:// and https://"),
    ("file:///etc/passwd", "only http:// and https://"),
    ("gopher://example.com", "only http:// and https://"),
    ("example.com/hook", "only http:// and https://"),
    ("https://", "no host name"),
    ("https://user:pw@example.com/", "user name or password"),
    ("https://example.com:99999/", "not a valid URL"),
])
def test_urls_that_are_not_plain_http_are_refused(url, message):
    with pytest.raises(UnsafeURL, match=message):
        parse(url)


def test_a_name_that_does_not_resolve():
    def fails(host, port):
        raise OSError("Name or service not known")
    with pytest.raises(UnsafeURL, match="does not resolve"):
        check("https://nowhere.invalid/", False, fails)


def test_public_addresses_pass():
    assert refusal("93.184.216.34") is None and refusal("2606:2800:220:1:248:1893:25c8:1946") is None
    assert refusal("100.64.0.1") == "reserved"  # shared address space (carrier NAT): not the internet either
