"""What a staff member may see: a team member their own team, a coordinator every team
of their municipality. Everything the dashboard reads goes through these functions."""

from __future__ import annotations

from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.tables import Contact, Referral, StaffAccount, Team, Volunteer, volunteer_teams


def is_coordinator(account: StaffAccount) -> bool:
    return account.role == "coordinator"


def teams(session: Session, account: StaffAccount) -> List[Team]:
    if is_coordinator(account):
        return session.execute(
            select(Team).where(Team.municipality_id == account.municipality_id).order_by(Team.name)
        ).scalars().all()
    return [account.team] if account.team is not None else []


def team_ids(session: Session, account: StaffAccount) -> List[int]:
    return [team.id for team in teams(session, account)]


def referral(session: Session, account: StaffAccount, referral_id: int) -> Referral | None:
    """The referral, or None when it does not exist or belongs to another team (the same
    answer for both, so ids of other teams' requests reveal nothing)."""
    found = session.get(Referral, referral_id)
    if found is None or found.team_id not in team_ids(session, account):
        return None
    return found


def contacts(session: Session, account: StaffAccount) -> List[Contact]:
    return session.execute(
        select(Contact).where(Contact.team_id.in_(team_ids(session, account))).order_by(Contact.name)
    ).scalars().all()


def volunteers(session: Session, account: StaffAccount) -> List[Volunteer]:
    """Volunteers serving at least one of the visible teams."""
    serving = select(volunteer_teams.c.volunteer_id).where(
        volunteer_teams.c.team_id.in_(team_ids(session, account)))
    return session.execute(
        select(Volunteer).where(Volunteer.id.in_(serving)).order_by(Volunteer.name)
    ).scalars().all()


def person(session: Session, account: StaffAccount, kind: str, person_id: int):
    """A contact or volunteer this account may see (and a coordinator edit), else None."""
    pool = contacts(session, account) if kind == "contact" else volunteers(session, account)
    return next((p for p in pool if p.id == person_id), None)
