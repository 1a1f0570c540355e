"""The key a client's rate limits and quotas are kept under: its address, normalized.

An IPv6 user is usually given a whole /64 (RFC 6177 recommends at least that per site), so keying by the
full address would hand one person 2^64 buckets: IPv6 addresses are keyed by their /64. Every spelling of
an address (``2001:DB8::1``, ``2001:0db8:0:0::1``, ``[2001:db8::1]``, ``fe80::1%eth0``) maps to one key,
and an IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, what a dual-stack socket reports) to its IPv4
address. Anything that is not an address (Starlette's ``testclient``, a misconfigured proxy's garbage)
shares one key, so it cannot mint buckets.
"""

from __future__ import annotations

import ipaddress

IPV6_PREFIX = 64
UNKNOWN = "unknown"


def client_key(host: str | None) -> str:
    """``"192.0.2.1"`` → itself; ``"2001:db8::1"`` → ``"2001:db8::/64"``; anything else → ``"unknown"``."""
    if not host:
        return UNKNOWN
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) names the interface, not the host
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)
