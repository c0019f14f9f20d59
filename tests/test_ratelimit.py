"""Per-user rate limiting on Telegram: a flood is cut off, others are not affected."""

from bot.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_limit_per_key_and_recovery_after_the_window():
    clock = Clock()
    limiter = RateLimiter(limit=3, seconds=60, clock=clock)
    assert [limiter.allow("a") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.allow("b")  # someone else is not slowed down
    clock.now = 61
    assert limiter.allow("a")


def test_the_person_is_told_once_per_flood():
    clock = Clock()
    limiter = RateLimiter(limit=1, seconds=60, clock=clock)
    limiter.allow("a")
    assert limiter.first_refusal("a") is True
    assert limiter.first_refusal("a") is False
    clock.now = 61
    assert limiter.first_refusal("a") is True
