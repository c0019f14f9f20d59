"""Tables. Service data follows the HSDS idea: ISO 639 language codes, weekly schedules.

Times of day are local Europe/Amsterdam wall-clock minutes (0-1440) on a weekday (0 is
Monday), as a coordinator thinks of them ("Tuesday 19:00-22:00"); moments are stored as
UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Stable constraint names, so Alembic migrations (batch mode on SQLite) can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)


class UTCDateTime(DateTime):
    """Stored without a zone (SQLite has none), always meant and returned as UTC."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=False)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None else None


class Municipality(Base):
    __tablename__ = "municipalities"
    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    phone = Column(String(40), nullable=False)  # the general number, e.g. "14 030"
    teams = relationship("Team", back_populates="municipality")


class Team(Base):
    __tablename__ = "teams"
    id = Column(Integer, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)
    municipality_id = Column(ForeignKey("municipalities.id"), nullable=False)
    name = Column(String(120), nullable=False)
    address = Column(String(200), nullable=False)
    phone = Column(String(40), nullable=False)
    municipality = relationship("Municipality", back_populates="teams")
    postcode_ranges = relationship("PostcodeRange", cascade="all, delete-orphan")
    opening_hours = relationship(
        "Schedule", primaryjoin="Schedule.team_id == Team.id", cascade="all, delete-orphan"
    )
    contacts = relationship("Contact", back_populates="team")


class PostcodeRange(Base):
    """The four-digit postcode areas a team serves, first to last inclusive."""

    __tablename__ = "postcode_ranges"
    id = Column(Integer, primary_key=True)
    team_id = Column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    first = Column(Integer, nullable=False)
    last = Column(Integer, nullable=False)
    __table_args__ = (CheckConstraint("first <= last", name="ordered"),)


class Organisation(Base):
    """A migrant organisation, mosque, church or community centre volunteers come from."""

    __tablename__ = "organisations"
    id = Column(Integer, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)
    name = Column(String(160), nullable=False)
    kind = Column(String(40), nullable=False)


volunteer_teams = Table(
    "volunteer_teams",
    metadata,
    Column("volunteer_id", ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Contact(Base):
    """A named wijkteam professional."""

    __tablename__ = "contacts"
    id = Column(Integer, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)
    team_id = Column(ForeignKey("teams.id"), nullable=False, index=True)
    name = Column(String(120), nullable=False)
    languages = Column(String(60), nullable=False)  # ISO 639 codes, space separated
    active = Column(Boolean, nullable=False, default=True)
    telegram_chat_id = Column(String(40))
    # "/beschikbaar tot 22:00": free now, on top of the weekly windows, until then.
    on_call_from = Column(UTCDateTime())
    on_call_until = Column(UTCDateTime())
    team = relationship("Team", back_populates="contacts")
    availability = relationship(
        "Schedule", primaryjoin="Schedule.contact_id == Contact.id", cascade="all, delete-orphan"
    )


class Volunteer(Base):
    __tablename__ = "volunteers"
    id = Column(Integer, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False)
    languages = Column(String(60), nullable=False)  # ISO 639 codes, space separated
    max_open_handoffs = Column(Integer, nullable=False, default=3)
    active = Column(Boolean, nullable=False, default=True)
    telegram_chat_id = Column(String(40))
    on_call_from = Column(UTCDateTime())
    on_call_until = Column(UTCDateTime())
    organisation = relationship("Organisation")
    teams = relationship("Team", secondary=volunteer_teams)
    availability = relationship(
        "Schedule", primaryjoin="Schedule.volunteer_id == Volunteer.id", cascade="all, delete-orphan"
    )


# The two kinds of person a referral can be offered to, by the name stored in referrals.
PERSON_MODELS = {"volunteer": Volunteer, "contact": Contact}


class Schedule(Base):
    """One weekly window (HSDS schedule): weekday, from and until local minutes."""

    __tablename__ = "schedules"
    id = Column(Integer, primary_key=True)
    team_id = Column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    contact_id = Column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    volunteer_id = Column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    weekday = Column(Integer, nullable=False)
    start_minute = Column(Integer, nullable=False)
    end_minute = Column(Integer, nullable=False)
    __table_args__ = (
        CheckConstraint("weekday between 0 and 6", name="weekday"),
        CheckConstraint("0 <= start_minute and start_minute < end_minute and end_minute <= 1440", name="minutes"),
    )


class Referral(Base):
    """A resident's consented request for a person. Only what they agreed to share."""

    __tablename__ = "referrals"
    id = Column(Integer, primary_key=True)
    conversation = Column(String(200), nullable=False, index=True)  # the sender id
    channel = Column(String(20), nullable=False)  # how the resident talks to the bot
    language = Column(String(8), nullable=False)
    topic = Column(Text, nullable=False)  # in the resident's own words
    category = Column(String(40))  # money, parenting, ... when the bot knew it
    preference = Column(String(20), nullable=False)  # volunteer | professional
    contact_by = Column(String(20), nullable=False)  # chat | phone
    phone = Column(String(40))
    window_name = Column(String(20), nullable=False)  # now, tonight, ... as chosen
    window_start = Column(UTCDateTime(), nullable=False)
    window_end = Column(UTCDateTime(), nullable=False)
    consent_at = Column(UTCDateTime(), nullable=False)
    team_id = Column(ForeignKey("teams.id"))
    status = Column(String(20), nullable=False, index=True)
    assignee_kind = Column(String(20))  # volunteer | contact
    assignee_id = Column(Integer)
    offer_expires_at = Column(UTCDateTime())
    created_at = Column(UTCDateTime(), nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False)
    ended_at = Column(UTCDateTime())
    # A web chat resident who chose Telegram: hash of the one-time code of the t.me link.
    link_code_hash = Column(String(64), unique=True)
    team = relationship("Team")
    history = relationship(
        "ReferralEvent", order_by="ReferralEvent.id", cascade="all, delete-orphan",
        back_populates="referral",
    )


class ReferralEvent(Base):
    """Every status change of a referral, with who did it and why."""

    __tablename__ = "referral_events"
    id = Column(Integer, primary_key=True)
    referral_id = Column(ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UTCDateTime(), nullable=False)
    status = Column(String(20), nullable=False)
    person_kind = Column(String(20))
    person_id = Column(Integer)
    note = Column(Text, nullable=False, default="")
    referral = relationship("Referral", back_populates="history")


class OutboxMessage(Base):
    """A notification saved in the same transaction as the change it tells about.

    The deliverer sends it afterwards and marks it delivered, so a crash in between loses
    nothing; the key makes a second save of the same notification a no-op.
    """

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    key = Column(String(120), nullable=False)
    referral_id = Column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    recipient_kind = Column(String(20), nullable=False)  # volunteer | contact | resident
    recipient_id = Column(String(200), nullable=False)
    kind = Column(String(40), nullable=False)
    payload = Column(JSON, nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime(), nullable=False)
    delivered_at = Column(UTCDateTime(), index=True)
    last_error = Column(String(200))
    external_ref = Column(String(80))  # e.g. "chat_id:message_id" of the Telegram message sent
    __table_args__ = (UniqueConstraint("key"),)


class Invite(Base):
    """A one-time code a coordinator gives a volunteer or contact to link their Telegram.

    Only a hash is kept; the code itself is shown once, to the coordinator.
    """

    __tablename__ = "invites"
    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False)
    volunteer_id = Column(ForeignKey("volunteers.id", ondelete="CASCADE"))
    contact_id = Column(ForeignKey("contacts.id", ondelete="CASCADE"))
    created_at = Column(UTCDateTime(), nullable=False)
    expires_at = Column(UTCDateTime(), nullable=False)
    used_at = Column(UTCDateTime())
    __table_args__ = (UniqueConstraint("code_hash"),)


class Relay(Base):
    """A conversation passed through the bot between a resident and the accepted person.

    Open while ended_at is empty; neither side sees the other's Telegram account.
    """

    __tablename__ = "relays"
    id = Column(Integer, primary_key=True)
    referral_id = Column(ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False, index=True)
    resident_chat = Column(String(40), nullable=False, index=True)
    person_kind = Column(String(20), nullable=False)
    person_id = Column(Integer, nullable=False)
    person_chat = Column(String(40), nullable=False, index=True)
    started_at = Column(UTCDateTime(), nullable=False)
    ended_at = Column(UTCDateTime())
    ended_by = Column(String(20))  # resident | person | cancelled


class StaffAccount(Base):
    """A person who logs in to the dashboard: a team member or a coordinator.

    A team member sees only their own team; a coordinator sees every team of their
    municipality and manages volunteers and contacts. When the person is also a wijkteam
    contact in the directory, `contact_id` links the two, so "I take it" can assign a
    request to them.
    """

    __tablename__ = "staff_accounts"
    id = Column(Integer, primary_key=True)
    username = Column(String(60), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    password_hash = Column(String(200), nullable=False)  # argon2id, never the password
    role = Column(String(20), nullable=False)  # member | coordinator
    municipality_id = Column(ForeignKey("municipalities.id"), nullable=False)
    team_id = Column(ForeignKey("teams.id"))  # required for a team member
    contact_id = Column(ForeignKey("contacts.id", ondelete="SET NULL"))
    language = Column(String(8), nullable=False, default="nl")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime(), nullable=False)
    municipality = relationship("Municipality")
    team = relationship("Team")
    contact = relationship("Contact")
    __table_args__ = (CheckConstraint("role in ('member', 'coordinator')", name="role"),)


class StaffSession(Base):
    """A logged-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_sessions"
    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    staff_id = Column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)
    last_seen_at = Column(UTCDateTime(), nullable=False)
    expires_at = Column(UTCDateTime(), nullable=False)


class LoginFailure(Base):
    """A failed login, by a hash of the username or of the address, for rate limiting."""

    __tablename__ = "login_failures"
    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, index=True)
    at = Column(UTCDateTime(), nullable=False)
