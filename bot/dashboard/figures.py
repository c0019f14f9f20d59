"""Reach figures: whom the bridge reaches, when, and how fast a person gets in touch.

Computed from referrals and their history (referral_events) in the teams a staff member
may see, for requests made in a period. Times are Amsterdam wall-clock time.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Dict, List, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import AMSTERDAM
from bot.store.tables import Referral, ReferralEvent, aware, utc

TAKEN = ("accepted", "assigned")


@dataclass
class Figures:
    start: date
    end: date  # inclusive
    total: int = 0
    by_language: Dict[str, int] = field(default_factory=dict)
    by_topic: Dict[str, int] = field(default_factory=dict)
    by_status: Dict[str, int] = field(default_factory=dict)
    evening: int = 0  # Monday-Friday from 17:00
    weekend: int = 0  # Saturday and Sunday
    outside_office: int = 0  # evening, night, early morning or weekend
    hours_to_contact: List[float] = field(default_factory=list)
    offers: Dict[str, int] = field(default_factory=dict)  # accepted, declined, expired
    per_week: List[Tuple[str, int]] = field(default_factory=list)

    def share(self, part: int) -> float:
        return part / self.total if self.total else 0.0

    @property
    def contact_median_hours(self) -> float | None:
        return statistics.median(self.hours_to_contact) if self.hours_to_contact else None

    @property
    def contact_p90_hours(self) -> float | None:
        if not self.hours_to_contact:
            return None
        ordered = sorted(self.hours_to_contact)
        return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def bounds(start: date, end: date) -> Tuple[datetime, datetime]:
    """The period's first and first-after moments, Amsterdam midnight, as stored (UTC)."""
    since = utc(datetime.combine(start, datetime.min.time(), AMSTERDAM))
    until = utc(datetime.combine(end + timedelta(days=1), datetime.min.time(), AMSTERDAM))
    return since, until


def compute(session: Session, team_ids: List[int], start: date, end: date) -> Figures:
    """Figures for requests made from `start` to `end` (both days included)."""
    since, until = bounds(start, end)
    referrals = session.execute(
        select(Referral).where(Referral.team_id.in_(team_ids), Referral.created_at >= since,
                               Referral.created_at < until)
    ).scalars().all()
    figures = Figures(start=start, end=end, total=len(referrals))
    if not referrals:
        figures.per_week = _weeks(start, end, Counter())
        return figures
    events = session.execute(
        select(ReferralEvent.referral_id, ReferralEvent.status, ReferralEvent.at)
        .where(ReferralEvent.referral_id.in_([r.id for r in referrals]))
        .order_by(ReferralEvent.id)
    ).all()
    first_contact: Dict[int, datetime] = {}
    offers: Counter = Counter()
    for referral_id, status, at in events:
        if status == "contacted" and referral_id not in first_contact:
            first_contact[referral_id] = aware(at)
        if status in TAKEN:
            offers["accepted"] += 1
        elif status in ("declined", "expired"):
            offers[status] += 1
    languages, topics, statuses, weeks = Counter(), Counter(), Counter(), Counter()
    for referral in referrals:
        made = aware(referral.created_at).astimezone(AMSTERDAM)
        languages[referral.language] += 1
        topics[referral.category or ""] += 1
        statuses[referral.status] += 1
        weeks[week_label(made.date())] += 1
        if made.weekday() >= 5:
            figures.weekend += 1
        elif made.hour >= 17:
            figures.evening += 1
        if made.weekday() >= 5 or not 9 <= made.hour < 17:
            figures.outside_office += 1
        if referral.id in first_contact:
            waited = first_contact[referral.id] - aware(referral.consent_at)
            figures.hours_to_contact.append(waited.total_seconds() / 3600)
    figures.by_language = dict(languages.most_common())
    figures.by_topic = dict(topics.most_common())
    figures.by_status = dict(statuses.most_common())
    figures.offers = {kind: offers[kind] for kind in ("accepted", "declined", "expired")}
    figures.per_week = _weeks(start, end, weeks)
    return figures


def _weeks(start: date, end: date, counts: Counter) -> List[Tuple[str, int]]:
    """Every ISO week of the period in order, weeks without requests as 0."""
    labels, day = [], start
    while day <= end:
        label = week_label(day)
        if label not in labels:
            labels.append(label)
        day += timedelta(days=1)
    return [(label, counts.get(label, 0)) for label in labels]
