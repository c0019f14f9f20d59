"""Weekly windows as coordinators write them: "ma-vr 09:00-17:00", "za,zo 10:00-16:00".

Days are Dutch or English two-letter abbreviations (ma di wo do vr za zo / mo tu we th fr
sa su). A window may run past midnight ("vr 22:00-02:00"): it is split at midnight.
"""

from __future__ import annotations

import re
from typing import List, NamedTuple

DAYS = {
    "ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6,
    "mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6,
}
_WINDOW = re.compile(r"^\s*([a-z,\- ]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class Window(NamedTuple):
    weekday: int
    start_minute: int
    end_minute: int


def _days(text: str) -> List[int]:
    days: List[int] = []
    for part in text.replace(" ", "").split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            if first not in DAYS or last not in DAYS:
                raise ValueError(f"unknown day in {part!r}")
            day = DAYS[first]
            while True:
                days.append(day)
                if day == DAYS[last]:
                    break
                day = (day + 1) % 7
        elif part in DAYS:
            days.append(DAYS[part])
        else:
            raise ValueError(f"unknown day {part!r}")
    return days


def parse_window(text: str) -> List[Window]:
    """One written window -> weekly windows (two when it runs past midnight)."""
    match = _WINDOW.match(str(text).lower())
    if not match:
        raise ValueError(f"{text!r} is not a window like 'ma-vr 09:00-17:00'")
    days_text, h1, m1, h2, m2 = match.groups()
    start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
    if int(m1) > 59 or int(m2) > 59 or start >= 1440 or end > 1440:
        raise ValueError(f"{text!r}: not a time of day")
    if start == end:
        raise ValueError(f"{text!r}: the window is empty")
    windows: List[Window] = []
    for day in _days(days_text):
        if end > start:
            windows.append(Window(day, start, end))
        else:  # past midnight
            windows.append(Window(day, start, 1440))
            if end > 0:
                windows.append(Window((day + 1) % 7, 0, end))
    return windows


def format_window(window: Window) -> str:
    names = ["ma", "di", "wo", "do", "vr", "za", "zo"]
    return (
        f"{names[window.weekday]} {window.start_minute // 60:02d}:{window.start_minute % 60:02d}"
        f"-{window.end_minute // 60:02d}:{window.end_minute % 60:02d}"
    )
