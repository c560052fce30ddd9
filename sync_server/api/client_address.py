"""The client's address: the direct peer, unless the peer is a trusted proxy.

``X-Forwarded-For`` and ``Forwarded`` are believed only when the request comes
straight from an address in ``settings.trusted_proxies`` (``--trusted-proxy``,
an address or a network). The chain is then read from the right: the first hop
that is not itself a trusted proxy is the client (hops further left were written
by the client and prove nothing).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from fastapi import Request

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Net = ipaddress.IPv4Network | ipaddress.IPv6Network
_FOR = re.compile(r'(?i)(?:^|[;,\s])for\s*=\s*("[^"]*"|[^;,\s]+)')


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[Net, ...]:
    return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)


def _ip(text: str) -> IP | None:
    s = text.strip().strip('"')
    if s.startswith("["):  # [v6] or [v6]:port
        s = s[1 : s.find("]")] if "]" in s else s[1:]
    elif s.count(":") == 1:  # v4:port
        s = s.split(":")[0]
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        return None


def is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in n for n in _networks(trusted))


def forwarded_hops(request: Request) -> list[str]:
    fwd = request.headers.get("forwarded")
    if fwd:
        return [m.group(1) for m in _FOR.finditer(fwd)]
    xff = request.headers.get("x-forwarded-for", "")
    return [h.strip() for h in xff.split(",") if h.strip()]


def client_address(request: Request, trusted: tuple[str, ...]) -> str:
    peer = request.client.host if request.client else "?"
    if not trusted or not is_trusted(peer, trusted):
        return peer
    for hop in reversed(forwarded_hops(request)):
        ip = _ip(hop)
        if ip is None:  # unreadable: the proxy's own peer is all we know
            return peer
        if not any(ip in n for n in _networks(trusted)):
            return str(ip)
    return peer
