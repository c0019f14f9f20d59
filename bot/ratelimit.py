"""Per-user rate limiting: at most `limit` messages per `seconds` per key (a Telegram chat).

A person in distress may send many messages quickly, and that is fine; this stops floods
(a stuck client, abuse) from taking the bot's time from everyone else.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable, Deque, Dict, Hashable


class RateLimiter:
    def __init__(self, limit: int = 20, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._seen: Dict[Hashable, Deque[float]] = defaultdict(deque)

    def allow(self, key: Hashable) -> bool:
        now = self.clock()
        seen = self._seen[key]
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True

    def first_refusal(self, key: Hashable) -> bool:
        """True once per flood, so the person is told once, not on every message."""
        marker = ("told", key)
        told = self._seen[marker]
        now = self.clock()
        while told and told[0] <= now - self.seconds:
            told.popleft()
        if told:
            return False
        told.append(now)
        return True
