"""The resident's "when can we reach you" as real moments (Europe/Amsterdam)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Tuple

from bot.clock import AMSTERDAM

WINDOW_NAMES = ("now", "today", "daytime", "tonight", "tomorrow", "tomorrow_evening", "weekend")
EVENING = (time(18, 0), time(22, 0))
DAYTIME = (time(9, 0), time(17, 0))
NOW_HOURS = 2


def _at(day, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=AMSTERDAM)


def resident_window(name: str, now: datetime) -> Tuple[datetime, datetime]:
    """[start, end) of a named window, never starting in the past."""
    now = now.astimezone(AMSTERDAM)
    today, tomorrow = now.date(), now.date() + timedelta(days=1)
    if name == "now":
        return now, now + timedelta(hours=NOW_HOURS)
    if name == "today":  # the rest of today, until the evening ends
        if now < _at(today, EVENING[1]) - timedelta(hours=1):
            return now, _at(today, EVENING[1])
        return _at(tomorrow, DAYTIME[0]), _at(tomorrow, DAYTIME[1])  # too late for today
    if name == "daytime":  # office hours on the next weekday that still has some left
        day = today
        while day.weekday() >= 5 or (day == today and now >= _at(today, DAYTIME[1]) - timedelta(hours=1)):
            day += timedelta(days=1)
        return max(now, _at(day, DAYTIME[0])), _at(day, DAYTIME[1])
    if name == "tonight":
        if now < _at(today, EVENING[1]):
            return max(now, _at(today, EVENING[0])), _at(today, EVENING[1])
        return _at(tomorrow, EVENING[0]), _at(tomorrow, EVENING[1])  # too late for tonight
    if name == "tomorrow":
        return _at(tomorrow, DAYTIME[0]), _at(tomorrow, DAYTIME[1])
    if name == "tomorrow_evening":
        return _at(tomorrow, EVENING[0]), _at(tomorrow, EVENING[1])
    if name == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:  # Sunday: this weekend is nearly over
            saturday = today - timedelta(days=1)
        start, end = _at(saturday, time(10, 0)), _at(saturday + timedelta(days=1), time(18, 0))
        if now >= end:
            start, end = start + timedelta(days=7), end + timedelta(days=7)
        return max(now, start), end
    raise ValueError(f"unknown window {name!r}")
