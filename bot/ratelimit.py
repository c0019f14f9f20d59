"""Rate limiting for every channel: at most `limit` messages per `seconds` per key (a
Telegram chat, a REST conversation, a client address).

A person in distress may send many messages quickly, and that is fine; this stops floods
(a stuck client, abuse) from taking the bot's time from everyone else. Keys whose window has
passed are swept out, so a flood of new keys (random senders) cannot grow memory for ever.
Each process counts for itself: with two workers a key gets at most twice the limit.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Callable, Deque, Dict, Hashable

from bot import LANGUAGES, i18n
from bot.i18n import _

SLOW_DOWN = _("U stuurt veel berichten tegelijk. Wacht even, dan lees ik weer mee.")


def slow_down(language: str | None = None) -> str:
    """What someone who is held back hears: in their language, or in all four."""
    languages = [language] if language in LANGUAGES else LANGUAGES
    return "\n\n".join(i18n.for_display(code, i18n.gettext(code, SLOW_DOWN)) for code in languages)


class RateLimiter:
    def __init__(self, limit: int = 20, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 sweep_every: int = 10_000) -> None:
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._seen: Dict[Hashable, Deque[float]] = {}
        self._told: Dict[Hashable, float] = {}
        self._calls, self._sweep_every = 0, sweep_every

    def _recent(self, key: Hashable, now: float) -> Deque[float]:
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        return seen

    def allow(self, key: Hashable) -> bool:
        now = self.clock()
        self._calls += 1
        if self._calls % self._sweep_every == 0:
            self.sweep(now)
        seen = self._recent(key, now)
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True

    def retry_after(self, key: Hashable) -> int:
        """Whole seconds until `key` may send again (0: now)."""
        now = self.clock()
        seen = self._recent(key, now)
        if len(seen) < self.limit:
            return 0
        return max(1, math.ceil(seen[0] + self.seconds - now))

    def first_refusal(self, key: Hashable) -> bool:
        """True once per flood, so the person is told once, not on every message."""
        now = self.clock()
        told = self._told.get(key)
        if told is not None and told > now - self.seconds:
            return False
        self._told[key] = now
        return True

    def sweep(self, now: float | None = None) -> None:
        """Forgets keys that sent nothing within the window."""
        now = self.clock() if now is None else now
        for key in [k for k, seen in self._seen.items() if not seen or seen[-1] <= now - self.seconds]:
            del self._seen[key]
        for key in [k for k, at in self._told.items() if at <= now - self.seconds]:
            del self._told[key]

    def __len__(self) -> int:
        return len(self._seen)
