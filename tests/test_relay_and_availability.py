"""The relay's rules, /beschikbaar's parsing and on-call matching, on a real database
(SQLite, and PostgreSQL when WIJKBRUG_TEST_POSTGRES is set)."""

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from bot.clock import parse_iso
from bot.handoff import availability, matching, referrals, relay
from bot.handoff.referrals import NotAllowed
from bot.store.database import engine_for, session_scope
from bot.store.tables import Referral, Relay, Volunteer, metadata
from tests.test_referrals import FRIDAY_EVENING, create, volunteer_id

SATURDAY_MORNING = parse_iso("2026-11-28T08:00")  # nobody in Feijenoord has a window then


def accepted(url, contact_by="chat", conversation="tg-4242"):
    outcome, referral_id = create(url, postcode="3072 AB", contact_by=contact_by, conversation=conversation,
                                  phone="0612345678" if contact_by == "phone" else None, window="now")
    with session_scope(url) as session:
        found = session.get(Referral, referral_id)
        person = (found.assignee_kind, found.assignee_id)
        session.get(matching.Volunteer if person[0] == "volunteer" else matching.Contact, person[1]).telegram_chat_id = "9001"
        referrals.accept(session, referral_id, person, FRIDAY_EVENING)
    return referral_id, person


def test_relay_only_for_the_accepted_person_and_a_telegram_chat(demo_directory):
    referral_id, person = accepted(demo_directory)
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        relay.start(session, referral_id, ("volunteer", person[1] + 1), FRIDAY_EVENING)
    with session_scope(demo_directory) as session:
        opened = relay.start(session, referral_id, person, FRIDAY_EVENING)
        assert (opened.resident_chat, opened.person_chat) == ("4242", "9001")
        assert session.get(Referral, referral_id).status == "contacted"
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        relay.start(session, referral_id, person, FRIDAY_EVENING)  # one open relay per chat
    phone_id, phone_person = accepted(demo_directory, contact_by="phone", conversation="tg-4343")
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        relay.start(session, phone_id, phone_person, FRIDAY_EVENING)  # wants a call
    web_id, web_person = accepted(demo_directory, conversation="web-1")
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        relay.start(session, web_id, web_person, FRIDAY_EVENING)  # not on Telegram (yet)


def test_cancel_ends_the_relay_and_forget_erases_it(demo_directory):
    referral_id, person = accepted(demo_directory)
    with session_scope(demo_directory) as session:
        relay.start(session, referral_id, person, FRIDAY_EVENING)
    with session_scope(demo_directory) as session:
        referrals.cancel(session, "tg-4242", FRIDAY_EVENING)
    with session_scope(demo_directory) as session:
        assert relay.open_for_resident(session, "4242") is None
        assert session.execute(select(Relay.ended_by)).scalar_one() == "cancelled"
        referrals.forget(session, "tg-4242")
    with session_scope(demo_directory) as session:
        assert session.execute(select(Relay)).first() is None


def test_feedback_only_from_the_resident_of_the_request(demo_directory):
    referral_id, _person = accepted(demo_directory)
    with session_scope(demo_directory) as session:
        assert not relay.feedback(session, referral_id, "5555", "good", FRIDAY_EVENING)
        assert not relay.feedback(session, referral_id, "4242", "excellent", FRIDAY_EVENING)
        assert relay.feedback(session, referral_id, "4242", "bad", FRIDAY_EVENING)
        assert session.get(Referral, referral_id).history[-1].note == "niet goed"


def test_a_web_chat_request_moves_to_telegram_once(demo_directory):
    _outcome, referral_id = create(demo_directory, postcode="3072 AB", conversation="web-7")
    with session_scope(demo_directory) as session:
        code = relay.create_link_code(session, session.get(Referral, referral_id))
        stored = session.get(Referral, referral_id).link_code_hash
    assert code.startswith("r_") and code not in stored  # only a hash is kept
    with session_scope(demo_directory) as session:
        moved = relay.redeem_link_code(session, code, 31337, FRIDAY_EVENING)
        assert (moved.conversation, moved.channel) == ("tg-31337", "telegram")
        assert relay.redeem_link_code(session, code, 4, FRIDAY_EVENING) is None


@pytest.mark.parametrize("typed, until", [
    ("tot 22:00", "2026-11-27T22:00"), ("22.30", "2026-11-27T22:30"), ("23:30'a kadar", "2026-11-27T23:30"),
    ("حتى 23:15", "2026-11-27T23:15"), ("te 23:00", "2026-11-27T23:00"),
    ("tot 08:00", "2026-11-28T08:00"),  # already past today: tomorrow morning
])
def test_until_a_time(typed, until):
    assert availability.until_moment(typed, FRIDAY_EVENING) == parse_iso(until)


@pytest.mark.parametrize("typed", ["soms", "tot 25:00", "ma-xx 18:00-22:00", ""])
def test_not_understood(typed):
    with pytest.raises(availability.NotUnderstood):
        if availability.until_moment(typed, FRIDAY_EVENING) is None:
            availability.weekly_windows(typed)


def test_on_call_makes_a_volunteer_a_match_outside_their_windows(demo_directory):
    emre = ("volunteer", volunteer_id(demo_directory, "v-emre-kaya"))
    end = SATURDAY_MORNING + timedelta(hours=2)
    with session_scope(demo_directory) as session:
        chosen = matching.choose(session, language="tr", team_id=_team(session, emre), preference="volunteer",
                                 start=SATURDAY_MORNING, end=end).chosen
        assert chosen is None
        assert availability.apply(session, emre, "tot 10:00", SATURDAY_MORNING) == "on_call"
    with session_scope(demo_directory) as session:
        chosen = matching.choose(session, language="tr", team_id=_team(session, emre), preference="volunteer",
                                 start=SATURDAY_MORNING, end=end).chosen
        assert (chosen.kind, chosen.id, chosen.available_from) == (*emre, SATURDAY_MORNING)
        assert availability.apply(session, emre, "uit", SATURDAY_MORNING) == "off"
        assert availability.apply(session, emre, "za 09:00-12:00", SATURDAY_MORNING) == "weekly"
        weekly, until = availability.describe(session, emre, SATURDAY_MORNING)
        assert (weekly, until) == (["za 09:00-12:00"], None)


def _team(session, person):
    return session.get(Volunteer, person[1]).teams[0].id


def test_migrations_match_the_tables(migrated_database):
    """The Alembic migrations build exactly the tables bot/store/tables.py describes."""
    with engine_for(migrated_database).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
