"""Which team serves a postcode, and when it is open."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory import schedule
from bot.store.tables import PostcodeRange, Team


def team_for_postcode(session: Session, postcode: str | None) -> Team | None:
    """The team for "3531 AB" / "3531"; None for a malformed or unserved postcode."""
    digits = (postcode or "").strip()[:4]
    if len(digits) != 4 or not digits.isdigit():
        return None
    area = int(digits)
    return session.execute(
        select(Team).join(PostcodeRange).where(PostcodeRange.first <= area, PostcodeRange.last >= area)
    ).scalars().first()


def is_open(team: Team, moment: datetime) -> bool:
    return schedule.is_open(team.opening_hours, moment)


def closes_at(team: Team, moment: datetime) -> datetime | None:
    """When the team closes, if it is open at `moment`; else None."""
    for _opens, closes in schedule.intervals(team.opening_hours, moment, moment + timedelta(seconds=1)):
        return closes
    return None


def next_opening(team: Team, moment: datetime) -> datetime | None:
    return schedule.next_opening(team.opening_hours, moment)
