"""A referral's life: requested -> offered -> accepted -> contacted -> closed.

Offers can be declined or expire (history entries); the next match is then asked, and
when nobody accepts within the escalation time the team's own contact gets it. Without
any match the referral waits in its team's queue (status requested, no assignee).
Cancelled ends it from any open state. Every change writes a history entry and, in the
same transaction, the notifications it causes (bot.handoff.outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Tuple

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from bot import i18n
from bot.directory import lookup, schedule
from bot.handoff import matching, outbox
from bot.handoff.windows import resident_window
from bot.settings import Settings
from bot.store.tables import (
    PERSON_MODELS,
    Contact,
    OutboxMessage,
    Referral,
    ReferralEvent,
    Relay,
    StaffAccount,
    Volunteer,
    aware,
    utc,
)

OPEN = ("requested", "offered", "accepted", "contacted")
ENDED = ("closed", "cancelled")


class NotAllowed(Exception):
    """The change does not fit the referral's state or the person (e.g. already taken)."""


@dataclass(frozen=True)
class HandoffRequest:
    conversation: str
    channel: str
    language: str
    topic: str
    category: str | None
    preference: str  # volunteer | professional
    contact_by: str  # chat | phone
    phone: str | None
    window: str
    postcode: str


@dataclass(frozen=True)
class Outcome:
    referral: Referral | None
    response: str  # what the resident is told (a domain response)
    variables: dict


def _history(session: Session, referral: Referral, status: str, now: datetime, note: str,
             person: Tuple[str, int] | None = None) -> None:
    session.add(ReferralEvent(
        referral_id=referral.id, at=utc(now), status=status, note=note,
        person_kind=person[0] if person else None, person_id=person[1] if person else None,
    ))


def _asked(session: Session, referral: Referral) -> set:
    rows = session.execute(
        select(ReferralEvent.person_kind, ReferralEvent.person_id)
        .where(ReferralEvent.referral_id == referral.id, ReferralEvent.status == "offered")
    )
    return {(kind, pid) for kind, pid in rows.all()}


def _offer_summary(referral: Referral) -> dict:
    """Only what the resident consented to share."""
    return {
        "referral": referral.id, "language": referral.language, "topic": referral.topic,
        "window": referral.window_name, "window_start": aware(referral.window_start).isoformat(),
        "window_end": aware(referral.window_end).isoformat(), "contact_by": referral.contact_by,
        "phone": referral.phone if referral.contact_by == "phone" else None,
        "expires_at": aware(referral.offer_expires_at).isoformat() if referral.offer_expires_at else None,
    }


def _tell_resident(session: Session, referral: Referral, response: str, variables: dict, now: datetime, key: str) -> None:
    outbox.enqueue(
        session, key=f"referral-{referral.id}-resident-{key}", referral_id=referral.id,
        recipient_kind="resident", recipient_id=referral.conversation, kind=response,
        payload={"response": response, "language": referral.language, "channel": referral.channel,
                 "variables": variables},
        now=now,
    )


def _offer(session: Session, referral: Referral, candidate: matching.Candidate, now: datetime,
           settings: Settings, note: str) -> None:
    referral.status = "offered"
    referral.assignee_kind, referral.assignee_id = candidate.kind, candidate.id
    referral.offer_expires_at = utc(now + timedelta(minutes=settings.offer_minutes))
    referral.updated_at = utc(now)
    _history(session, referral, "offered", now, note, (candidate.kind, candidate.id))
    session.flush()
    attempt = len(_asked(session, referral))
    outbox.enqueue(
        session, key=f"referral-{referral.id}-offer-{attempt}", referral_id=referral.id,
        recipient_kind=candidate.kind, recipient_id=str(candidate.id), kind="offer",
        payload=_offer_summary(referral), now=now,
    )


def _queue(session: Session, referral: Referral, now: datetime, note: str) -> None:
    referral.status = "requested"
    referral.assignee_kind = referral.assignee_id = referral.offer_expires_at = None
    referral.updated_at = utc(now)
    _history(session, referral, "requested", now, f"in de wachtrij van het team: {note}")
    session.flush()
    # Counted in the database: `referral.history` may have been loaded before this entry.
    step = session.execute(
        select(func.count()).select_from(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
    ).scalar_one()
    outbox.enqueue(
        session, key=f"referral-{referral.id}-queued-{step}", referral_id=referral.id,
        recipient_kind="team", recipient_id=str(referral.team_id), kind="queued",
        payload=_offer_summary(referral), now=now,
    )


def _queued_message(referral: Referral, now: datetime) -> Tuple[str, dict]:
    team = referral.team
    opening = lookup.next_opening(team, now)
    when = i18n.format_moment(opening, referral.language, now) if opening else ""
    return "utter_handoff_queued", {"team": team.name, "team_phone": team.phone, "when": when,
                                    "language_name": i18n.ENDONYMS.get(referral.language, referral.language)}


def _offered_message(referral: Referral, candidate: matching.Candidate, now: datetime) -> Tuple[str, dict]:
    return "utter_handoff_offered", {
        "name": candidate.first_name,
        "organisation": candidate.organisation,
        "available": i18n.format_moment(candidate.available_from, referral.language, now),
        "answer_by": i18n.format_moment(aware(referral.offer_expires_at), referral.language, now),
    }


def create(session: Session, request: HandoffRequest, now: datetime, settings: Settings) -> Outcome:
    """The resident consented: save the referral, offer it to the best match, say what happens."""
    team = lookup.team_for_postcode(session, request.postcode)
    if team is None:
        return Outcome(None, "utter_handoff_no_team", {"postcode": request.postcode})
    start, end = resident_window(request.window, now)
    referral = Referral(
        conversation=request.conversation, channel=request.channel, language=request.language,
        topic=request.topic, category=request.category, preference=request.preference,
        contact_by=request.contact_by, phone=request.phone if request.contact_by == "phone" else None,
        window_name=request.window, window_start=utc(start), window_end=utc(end),
        consent_at=utc(now), team=team, status="requested", created_at=utc(now), updated_at=utc(now),
    )
    session.add(referral)
    session.flush()
    _history(session, referral, "requested", now, "toestemming gegeven in de chat")
    match = matching.choose(session, language=request.language, team_id=team.id,
                            preference=request.preference, start=start, end=end)
    if match.chosen is None:
        _queue(session, referral, now, match.explanation)
        response, variables = _queued_message(referral, now)
    else:
        _offer(session, referral, match.chosen, now, settings, match.explanation)
        response, variables = _offered_message(referral, match.chosen, now)
    return Outcome(referral, response, variables)


def _locked(session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotAllowed(f"no referral {referral_id}")
    return referral


def accept(session: Session, referral_id: int, person: Tuple[str, int], now: datetime) -> Referral:
    """The person it is offered to takes it. Exactly one of two simultaneous accepts wins."""
    kind, pid = person
    referral = _claim(
        session, referral_id, now, "this request is not (or no longer) offered to you",
        (Referral.status == "offered", Referral.assignee_kind == kind, Referral.assignee_id == pid), {},
    )
    _history(session, referral, "accepted", now, "aangenomen", person)
    _tell_accepted(session, referral, person, now)
    return referral


def _claim(session: Session, referral_id: int, now: datetime, refusal: str, conditions: tuple,
           values: dict) -> Referral:
    """Makes the referral accepted in one conditional UPDATE, so of two people (or a person
    and the team) acting at the same moment exactly one wins; the other gets NotAllowed."""
    won = session.execute(
        update(Referral)
        .where(Referral.id == referral_id, *conditions)
        .values(status="accepted", offer_expires_at=None, updated_at=utc(now), **values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not won:
        raise NotAllowed(refusal)
    referral = _locked(session, referral_id)
    session.refresh(referral)
    return referral


def _tell_accepted(session: Session, referral: Referral, person: Tuple[str, int], now: datetime) -> None:
    """The resident hears who has their request and when they can get in touch."""
    name, organisation = person_name(session, person)
    available = first_free(session, referral, person, now)
    _tell_resident(session, referral, "utter_handoff_accepted", {
        "name": name.split()[0], "organisation": organisation,
        "available": i18n.format_moment(available, referral.language, now) if available else "",
    }, now, f"accepted-{person[0]}-{person[1]}")


def decline(session: Session, referral_id: int, person: Tuple[str, int], now: datetime, settings: Settings) -> Referral:
    referral = _locked(session, referral_id)
    if referral.status != "offered" or (referral.assignee_kind, referral.assignee_id) != person:
        raise NotAllowed("this request is not (or no longer) offered to you")
    _history(session, referral, "declined", now, "afgeslagen", person)
    _next(session, referral, now, settings)
    return referral


def expire_offers(session: Session, now: datetime, settings: Settings) -> int:
    """Offers nobody answered in time go to the next person; returns how many expired."""
    # Several workers run this at once: each takes the rows no other has locked
    # (PostgreSQL; SQLite has one writer at a time anyway and ignores the clause).
    expired = session.execute(
        select(Referral).where(Referral.status == "offered", Referral.offer_expires_at <= utc(now))
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for referral in expired:
        person = (referral.assignee_kind, referral.assignee_id)
        _history(session, referral, "expired", now, "geen antwoord op tijd", person)
        attempt = len(_asked(session, referral))
        outbox.enqueue(
            session, key=f"referral-{referral.id}-expired-{attempt}", referral_id=referral.id,
            recipient_kind=person[0], recipient_id=str(person[1]), kind="offer_expired",
            payload={"referral": referral.id}, now=now,
        )
        _next(session, referral, now, settings)
    return len(expired)


def _next(session: Session, referral: Referral, now: datetime, settings: Settings) -> None:
    """After a decline or expiry: the next match, or the team's contact after the escalation time."""
    session.flush()
    asked = _asked(session, referral)
    start = max(now, aware(referral.window_start))
    end = max(aware(referral.window_end), start + timedelta(hours=2))
    escalate = now - aware(referral.consent_at) >= timedelta(minutes=settings.escalate_minutes)
    match = None
    if not escalate:
        match = matching.choose(session, language=referral.language, team_id=referral.team_id,
                                preference=referral.preference, start=start, end=end, exclude=asked)
    if match is not None and match.chosen is not None:
        _offer(session, referral, match.chosen, now, settings, match.explanation)
        response, variables = _offered_message(referral, match.chosen, now)
        _tell_resident(session, referral, "utter_handoff_reoffered", variables, now, f"offer-{len(asked) + 1}")
        return
    # Escalation: a contact of the team, any language, free now or soon (an interpreter can join).
    horizon = now + timedelta(days=7)
    contacts = [c for c in matching.contact_candidates(session, None, referral.team_id, now, horizon)
                if (c.kind, c.id) not in asked]
    speaking = [c for c in contacts if referral.language in c.languages]
    contact = matching.best(speaking) or matching.best(contacts)
    reason = "niemand nam de aanvraag op tijd aan" if escalate else (match.explanation if match else "")
    if contact is not None:
        _offer(session, referral, contact, now, settings, f"doorgezet naar het team: {reason}")
        response, variables = _offered_message(referral, contact, now)
        _tell_resident(session, referral, "utter_handoff_reoffered", variables, now, f"offer-{len(asked) + 1}")
    else:
        _queue(session, referral, now, reason)
        response, variables = _queued_message(referral, now)
        _tell_resident(session, referral, response, variables, now, f"queued-{len(asked)}")


def first_free(session: Session, referral: Referral, person: Tuple[str, int], now: datetime) -> datetime | None:
    record = session.get(PERSON_MODELS[person[0]], person[1])
    start = max(now, aware(referral.window_start))
    end = max(aware(referral.window_end), start + timedelta(days=7))
    return schedule.first_free(record.availability, matching.on_call(record), start, end)


def person_name(session: Session, person: Tuple[str, int]) -> Tuple[str, str]:
    kind, pid = person
    if kind == "volunteer":
        volunteer = session.get(Volunteer, pid)
        return volunteer.name, volunteer.organisation.name
    contact = session.get(Contact, pid)
    return contact.name, contact.team.name


def _by_assignee(session: Session, referral_id: int, person: Tuple[str, int], allowed: tuple) -> Referral:
    referral = _locked(session, referral_id)
    if (referral.assignee_kind, referral.assignee_id) != person or referral.status not in allowed:
        raise NotAllowed("only the person who accepted it can do this now")
    return referral


def mark_contacted(session: Session, referral_id: int, person: Tuple[str, int], now: datetime) -> Referral:
    referral = _by_assignee(session, referral_id, person, ("accepted",))
    _contacted(session, referral, now, "contact gehad met de bewoner", person)
    return referral


def _contacted(session: Session, referral: Referral, now: datetime, note: str, person: Tuple[str, int]) -> None:
    referral.status, referral.updated_at = "contacted", utc(now)
    _history(session, referral, "contacted", now, note, person)


def close(session: Session, referral_id: int, person: Tuple[str, int], now: datetime, note: str = "") -> Referral:
    referral = _by_assignee(session, referral_id, person, ("accepted", "contacted"))
    _end(session, referral, "closed", now, note or "afgerond", person)
    return referral


def _end(session: Session, referral: Referral, status: str, now: datetime, note: str,
         person: Tuple[str, int] | None) -> None:
    """closed or cancelled: no offer stays open, and an open relay ends with it."""
    referral.status, referral.updated_at, referral.ended_at = status, utc(now), utc(now)
    referral.offer_expires_at = None
    _history(session, referral, status, now, note, person)
    _end_relays(session, referral, now, status)


def _end_relays(session: Session, referral: Referral, now: datetime, why: str) -> None:
    """A request that ends takes its open conversation through the bot with it."""
    session.execute(update(Relay).where(Relay.referral_id == referral.id, Relay.ended_at.is_(None))
                    .values(ended_at=utc(now), ended_by=why).execution_options(synchronize_session=False))


def open_for(session: Session, person: Tuple[str, int]) -> list[Referral]:
    """A person's referrals that are offered to them or that they are working on."""
    return session.execute(
        select(Referral).where(Referral.assignee_kind == person[0], Referral.assignee_id == person[1],
                               Referral.status.in_(("offered", "accepted", "contacted")))
        .order_by(Referral.id)
    ).scalars().all()


def latest_open(session: Session, conversation: str) -> Referral | None:
    return session.execute(
        select(Referral).where(Referral.conversation == conversation, Referral.status.in_(OPEN))
        .order_by(Referral.id.desc()).limit(1)
    ).scalar_one_or_none()


def cancel(session: Session, conversation: str, now: datetime) -> Referral | None:
    """The resident no longer needs it; the person it was with is told."""
    referral = latest_open(session, conversation)
    if referral is None:
        return None
    person = (referral.assignee_kind, referral.assignee_id) if referral.assignee_id else None
    _end(session, referral, "cancelled", now, "ingetrokken door de bewoner", person)
    if person:
        outbox.enqueue(
            session, key=f"referral-{referral.id}-cancelled", referral_id=referral.id,
            recipient_kind=person[0], recipient_id=str(person[1]), kind="cancelled",
            payload={"referral": referral.id}, now=now,
        )
    return referral


def _delete(session: Session, which) -> int:
    """Deletes the referrals `which` selects, with their history and notifications."""
    ids = session.execute(select(Referral.id).where(which)).scalars().all()
    if ids:
        session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)))
        session.execute(delete(Relay).where(Relay.referral_id.in_(ids)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.referral_id.in_(ids)))
        session.execute(delete(Referral).where(Referral.id.in_(ids)))
    return len(ids)


def forget(session: Session, conversation: str) -> int:
    """Erases a resident's referrals (their history and notifications go with them)."""
    return _delete(session, Referral.conversation == conversation)


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Deletes referrals that ended more than `retention_days` ago."""
    cutoff = utc(now - timedelta(days=retention_days))
    return _delete(session, and_(Referral.status.in_(ENDED), Referral.ended_at < cutoff))


# --- the wijkteam's own follow-up, from the dashboard ----------------------------------
# A staff member acts for the team: the history records them as ("staff", id).

def assign(session: Session, referral_id: int, person: Tuple[str, int], now: datetime,
           staff: Tuple[int, str], note: str = "") -> Referral:
    """The team gives a request nobody has taken yet to a person (the staff member's own
    contact record, a colleague or a volunteer). It counts as accepted for them; whoever it
    was offered to is told it went elsewhere, the person (unless it is the staff member
    themselves) gets it on Telegram, the resident hears the name."""
    kind, pid = person
    if session.get(PERSON_MODELS[kind], pid) is None:
        raise NotAllowed(f"no {kind} {pid}")
    before = _locked(session, referral_id)
    previous = (before.assignee_kind, before.assignee_id) if before.status == "offered" else None
    referral = _claim(session, referral_id, now, "this request has already been taken or has ended",
                      (Referral.status.in_(("requested", "offered")),), {"assignee_kind": kind, "assignee_id": pid})
    staff_id, staff_name = staff
    _history(session, referral, "assigned", now, note or f"toegewezen door {staff_name}", person)
    if previous and previous != person:
        _withdraw(session, referral, previous, now)
    if person != _own_contact(session, staff_id):
        outbox.enqueue(
            session, key=f"referral-{referral.id}-assigned-{kind}-{pid}", referral_id=referral.id,
            recipient_kind=kind, recipient_id=str(pid), kind="assigned",
            payload={**_offer_summary(referral), "by": staff_name}, now=now,
        )
    _tell_accepted(session, referral, person, now)
    return referral


def _own_contact(session: Session, staff_id: int) -> Tuple[str, int] | None:
    account = session.get(StaffAccount, staff_id)
    return ("contact", account.contact_id) if account and account.contact_id else None


def _withdraw(session: Session, referral: Referral, person: Tuple[str, int], now: datetime) -> None:
    """The person it was offered to no longer needs to answer (their offer message changes)."""
    attempt = len(_asked(session, referral))
    outbox.enqueue(
        session, key=f"referral-{referral.id}-withdrawn-{attempt}", referral_id=referral.id,
        recipient_kind=person[0], recipient_id=str(person[1]), kind="offer_withdrawn",
        payload={"referral": referral.id}, now=now,
    )


def contacted_by_team(session: Session, referral_id: int, staff_id: int, now: datetime, note: str = "") -> Referral:
    referral = _locked(session, referral_id)
    if referral.status != "accepted":
        raise NotAllowed("only an accepted request can be marked as contacted")
    _contacted(session, referral, now, note or "contact gehad (wijkteam)", ("staff", staff_id))
    return referral


def close_by_team(session: Session, referral_id: int, staff_id: int, now: datetime, note: str = "") -> Referral:
    """The team ends a request in any open state; an open offer is withdrawn."""
    referral = _locked(session, referral_id)
    if referral.status not in OPEN:
        raise NotAllowed("this request has already ended")
    if referral.status == "offered":
        _withdraw(session, referral, (referral.assignee_kind, referral.assignee_id), now)
    _end(session, referral, "closed", now, note or "afgerond (wijkteam)", ("staff", staff_id))
    return referral
