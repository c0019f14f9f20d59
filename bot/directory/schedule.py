"""Weekly windows against real moments, in Europe/Amsterdam, DST included.

A window "ma 19:00-22:00" means 19:00 to 22:00 on the wall clock of each Monday, also in
the week the clocks change; each is turned into real (UTC-comparable) moments per date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator, Tuple

from bot.clock import AMSTERDAM

Interval = Tuple[datetime, datetime]


def _local(day: date, minute: int) -> datetime:
    """A wall-clock minute of a local date, as a UTC moment.

    In UTC because Python compares and subtracts two times of the same zone by their wall
    clocks, which is an hour off across a DST change.
    """
    if minute >= 1440:
        local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=AMSTERDAM)
    else:
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=AMSTERDAM)
    return local.astimezone(timezone.utc)


def intervals(windows: Iterable, start: datetime, end: datetime) -> Iterator[Interval]:
    """The real intervals (UTC) of weekly windows that touch [start, end), in time order."""
    windows = list(windows)
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    first = start.astimezone(AMSTERDAM).date() - timedelta(days=1)
    last = end.astimezone(AMSTERDAM).date()
    found = []
    day = first
    while day <= last:
        for w in windows:
            if w.weekday == day.weekday():
                opens, closes = _local(day, w.start_minute), _local(day, w.end_minute)
                if opens < end and closes > start:
                    found.append((opens, closes))
        day += timedelta(days=1)
    return iter(sorted(found))


def is_open(windows: Iterable, moment: datetime) -> bool:
    return any(True for _ in intervals(windows, moment, moment + timedelta(seconds=1)))


def first_moment(windows: Iterable, start: datetime, end: datetime) -> datetime | None:
    """The first moment in [start, end) inside a window, or None."""
    for opens, _closes in intervals(windows, start, end):
        return max(opens, start)
    return None


def on_call_moment(on_call: Tuple[datetime | None, datetime | None], start: datetime, end: datetime) -> datetime | None:
    """The first moment in [start, end) of a one-off on-call interval (from, until), or None."""
    opens, closes = on_call
    if opens is not None and closes is not None and opens < end and closes > start:
        return max(opens, start)
    return None


def first_free(windows: Iterable, on_call: Tuple[datetime | None, datetime | None],
               start: datetime, end: datetime) -> datetime | None:
    """Like first_moment, with a one-off on-call interval (from, until) on top of the windows."""
    moments = (first_moment(windows, start, end), on_call_moment(on_call, start, end))
    return min((m for m in moments if m is not None), default=None)


def next_opening(windows: Iterable, moment: datetime, horizon_days: int = 14) -> datetime | None:
    """When the windows open next after `moment` (now, when open now)."""
    return first_moment(windows, moment, moment + timedelta(days=horizon_days))
