"""The client's address for rate limits, trusting X-Forwarded-For only from our own proxies.

Anyone can send an X-Forwarded-For header. It is read only when the request comes straight
from an address in TRUSTED_PROXIES (e.g. "127.0.0.1, 10.0.0.0/8"), and then from the right:
each trusted proxy appends the address it saw, so the first untrusted address from the
right is the client. Addresses a client wrote further left are never believed.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str) -> tuple[Network, ...]:
    """"127.0.0.1, 10.0.0.0/8" -> networks; a clear error for anything else."""
    networks = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SystemExit(f"TRUSTED_PROXIES: not an address or network: {part!r}") from None
    return tuple(networks)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    if not trusted or not forwarded_for or not _trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not _trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # garbage where an address should be: the last proxy's peer
                return peer
    return peer


def of_request(request, trusted: Sequence[Network]) -> str:
    """For a Sanic request: its direct peer, or the client behind our trusted proxies."""
    return client_address(request.ip, request.headers.get("x-forwarded-for"), trusted)
