"""Choosing the named person for a referral.

Rules: the person speaks the resident's language, serves the resident's team, is
available in the resident's window and has room for another handoff; among those, the one
with the fewest open handoffs, then the earliest available, then the longest registered
(lowest id). The explanation is stored in the referral's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Dict, List, Tuple

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, selectinload

from bot.clock import AMSTERDAM
from bot.directory import schedule
from bot.directory.windows import Window
from bot.store.tables import (
    Contact,
    Organisation,
    Referral,
    Schedule,
    Volunteer,
    aware,
    volunteer_teams,
)

OPEN_STATUSES = ("offered", "accepted", "contacted")


@dataclass(frozen=True)
class Candidate:
    kind: str  # volunteer | contact
    id: int
    name: str
    organisation: str
    languages: Tuple[str, ...]
    open_handoffs: int
    available_from: datetime

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True)
class Match:
    chosen: Candidate | None
    explanation: str


def open_handoffs(session: Session, kind: str) -> Dict[int, int]:
    rows = session.execute(
        select(Referral.assignee_id, func.count())
        .where(Referral.assignee_kind == kind, Referral.status.in_(OPEN_STATUSES))
        .group_by(Referral.assignee_id)
    )
    return dict(rows.all())


def on_call(record) -> Tuple[datetime | None, datetime | None]:
    """A volunteer's or contact's "free now until" interval, as aware UTC moments."""
    return aware(record.on_call_from), aware(record.on_call_until)


def _windows_by_person(session: Session, column, ids: List[int], start: datetime, end: datetime) -> Dict[int, list]:
    """Weekly windows of many people at once, only of the weekdays the window touches."""
    days = {(start.astimezone(AMSTERDAM) + timedelta(days=k)).weekday()
            for k in range(-1, (end - start).days + 2)}
    found: Dict[int, list] = {}
    rows = session.execute(
        select(column, Schedule.weekday, Schedule.start_minute, Schedule.end_minute)
        .where(column.in_(ids), Schedule.weekday.in_(days))
    )
    for row in rows:  # a row has .weekday, .start_minute, .end_minute like a Window
        found.setdefault(row[0], []).append(row)
    return found


def volunteer_candidates(
    session: Session, language: str, team_id: int, start: datetime, end: datetime,
    exclude: Collection[Tuple[str, int]] = (),
) -> List[Candidate]:
    """Plain rows, not ORM objects, and the language filtered in SQL: fast for many volunteers."""
    busy = open_handoffs(session, "volunteer")
    speaks = (literal(" ") + Volunteer.languages + literal(" ")).like(f"% {language} %")
    rows = session.execute(
        select(Volunteer.id, Volunteer.name, Organisation.name, Volunteer.languages, Volunteer.max_open_handoffs,
               Volunteer.on_call_from, Volunteer.on_call_until)
        .join(volunteer_teams, volunteer_teams.c.volunteer_id == Volunteer.id)
        .join(Organisation, Organisation.id == Volunteer.organisation_id)
        .where(volunteer_teams.c.team_id == team_id, Volunteer.active.is_(True), speaks)
    ).all()
    rows = [r for r in rows if ("volunteer", r[0]) not in exclude and busy.get(r[0], 0) < r[4]]
    windows = _windows_by_person(session, Schedule.volunteer_id, [r[0] for r in rows], start, end)
    found = []
    first_free: Dict[tuple, datetime | None] = {}  # many people share the same windows
    for pid, name, organisation, languages, _maximum, on_call_from, on_call_until in rows:
        key = tuple(sorted(tuple(w[1:]) for w in windows.get(pid, [])))
        if key not in first_free:
            first_free[key] = schedule.first_moment([Window(*w) for w in key], start, end)
        extra = schedule.on_call_moment((aware(on_call_from), aware(on_call_until)), start, end)
        available = min((m for m in (first_free[key], extra) if m is not None), default=None)
        if available is not None:
            found.append(Candidate("volunteer", pid, name, organisation, tuple(languages.split()),
                                   busy.get(pid, 0), available))
    return found


def contact_candidates(
    session: Session, language: str | None, team_id: int, start: datetime, end: datetime,
    exclude: Collection[Tuple[str, int]] = (),
) -> List[Candidate]:
    """The team's professionals; language None means any (escalation)."""
    busy = open_handoffs(session, "contact")
    contacts = session.execute(
        select(Contact)
        .where(Contact.team_id == team_id, Contact.active.is_(True))
        .options(selectinload(Contact.availability), selectinload(Contact.team))
    ).scalars()
    found = []
    for c in contacts:
        if (language and language not in c.languages.split()) or ("contact", c.id) in exclude:
            continue
        available = schedule.first_free(c.availability, on_call(c), start, end)
        if available is not None:
            found.append(Candidate("contact", c.id, c.name, c.team.name,
                                   tuple(c.languages.split()), busy.get(c.id, 0), available))
    return found


def best(candidates: List[Candidate]) -> Candidate | None:
    return min(candidates, key=lambda c: (c.open_handoffs, c.available_from, c.id), default=None)


def choose(
    session: Session, *, language: str, team_id: int, preference: str, start: datetime,
    end: datetime, exclude: Collection[Tuple[str, int]] = (),
) -> Match:
    if preference == "professional":
        candidates = contact_candidates(session, language, team_id, start, end, exclude)
        who = "medewerker van het team"
    else:
        candidates = volunteer_candidates(session, language, team_id, start, end, exclude)
        who = "vrijwilliger voor dit team"
    chosen = best(candidates)
    if chosen is None:
        return Match(None, f"geen {who} die {language} spreekt, in het gekozen moment kan en plek"
                           f" heeft ({len(exclude)} al gevraagd)")
    free = chosen.available_from.astimezone(AMSTERDAM).strftime("%d-%m %H:%M")
    return Match(
        chosen,
        f"{chosen.name} gekozen uit {len(candidates)} kandidaat/kandidaten: spreekt {language}, "
        f"kan vanaf {free}, {chosen.open_handoffs} open aanvra(a)g(en)",
    )
