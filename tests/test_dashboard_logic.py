"""The dashboard's rules on a real database (SQLite, and PostgreSQL when set): passwords,
sessions, the login rate limit, what each role sees, the team's follow-up, reach figures."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.dashboard import auth, figures, scope, staff
from bot.handoff import referrals
from bot.handoff.referrals import NotAllowed
from bot.store.database import session_scope
from bot.store.tables import Contact, OutboxMessage, Referral, StaffAccount, StaffSession, Team
from tests.test_referrals import FRIDAY_EVENING, SETTINGS, create, referral, volunteer_id

PASSWORD = "lang-genoeg-wachtwoord"


def add_account(url, username, role="member", team="utrecht-west", contact=None, municipality="utrecht"):
    with session_scope(url) as session:
        return staff.create(session, username=username, name=username.title(), role=role, password=PASSWORD,
                            municipality=municipality, team=team, contact=contact, language="nl",
                            now=FRIDAY_EVENING).id


def contact_id(url, code):
    with session_scope(url) as session:
        return session.execute(select(Contact.id).where(Contact.code == code)).scalar_one()


# --- accounts, passwords, sessions ------------------------------------------------------

def test_password_is_stored_as_an_argon2_hash_and_checked(demo_directory):
    add_account(demo_directory, "sanne")
    with session_scope(demo_directory) as session:
        account = auth.find_account(session, "Sanne")
        assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
        assert auth.check_password(session, "sanne", PASSWORD).username == "sanne"
        assert auth.check_password(session, "sanne", PASSWORD + "x") is None
        assert auth.check_password(session, "nobody", PASSWORD) is None


def test_account_rules_are_enforced(demo_directory):
    with pytest.raises(staff.AccountError, match="needs --team"):
        add_account(demo_directory, "noteam", team=None)
    with pytest.raises(staff.AccountError, match="not in"):
        add_account(demo_directory, "wrongcity", team="rotterdam-centrum")
    with pytest.raises(staff.AccountError, match="at least"):
        with session_scope(demo_directory) as session:
            staff.create(session, username="short", name="S", role="member", password="kort",
                         municipality="utrecht", team="utrecht-west", contact=None, language="nl",
                         now=FRIDAY_EVENING)
    add_account(demo_directory, "sanne")
    with pytest.raises(staff.AccountError, match="taken"):
        add_account(demo_directory, "SANNE")


def test_session_ends_after_logout_idle_time_password_change_and_deactivation(demo_directory):
    add_account(demo_directory, "sanne")
    with session_scope(demo_directory) as session:
        token = auth.start_session(session, auth.find_account(session, "sanne"), FRIDAY_EVENING)
    with session_scope(demo_directory) as session:
        assert auth.current(session, token, FRIDAY_EVENING + timedelta(minutes=30)) is not None
        assert auth.current(session, "forged-token", FRIDAY_EVENING) is None
    with session_scope(demo_directory) as session:  # two idle hours later: gone
        assert auth.current(session, token, FRIDAY_EVENING + timedelta(minutes=30 + 121)) is None
    with session_scope(demo_directory) as session:  # and unused ones are deleted at the next login
        auth.start_session(session, auth.find_account(session, "sanne"), FRIDAY_EVENING)
        auth.purge_expired(session, FRIDAY_EVENING + timedelta(hours=13))
        assert session.execute(select(StaffSession)).first() is None
    for end in (lambda s, t: auth.end_session(s, t), lambda s, t: staff.set_password(s, "sanne", PASSWORD + "2"),
                lambda s, t: staff.deactivate(s, "sanne")):
        with session_scope(demo_directory) as session:
            token = auth.start_session(session, auth.find_account(session, "sanne"), FRIDAY_EVENING)
        with session_scope(demo_directory) as session:
            end(session, token)
        with session_scope(demo_directory) as session:
            assert auth.current(session, token, FRIDAY_EVENING) is None


def test_login_rate_limit_per_username_and_per_address(demo_directory):
    now = FRIDAY_EVENING

    def attempt(username, address, at):
        """A failed attempt as auth.attempt_login counts it: claimed first, then checked."""
        with session_scope(demo_directory) as session:
            auth.claim_attempt(session, username, address, at)
        with session_scope(demo_directory) as session:
            return auth.seconds_locked(session, username, address, at)

    for second in range(auth.MAX_FAILURES_PER_USER):
        assert attempt("sanne", "10.0.0.1", now + timedelta(seconds=second)) == 0
    wait = attempt("sanne", "10.0.0.2", now + timedelta(minutes=1))
    assert 13 * 60 < wait <= 15 * 60  # locked for this username from any address
    assert attempt("other", "10.0.0.3", now) == 0
    assert attempt("sanne", "10.0.0.2", now + timedelta(minutes=16)) == 0
    for i in range(auth.MAX_FAILURES_PER_ADDRESS):  # one address trying many usernames
        assert attempt(f"user{i}", "10.0.0.9", now) == 0
    assert attempt("fresh-name", "10.0.0.9", now) > 0
    assert attempt("fresh-name", "10.0.0.8", now) == 0


def test_parallel_logins_get_no_more_tries_than_the_limit(demo_directory):
    """Thirty wrong passwords at the same moment: five are checked, the rest are locked."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda i: auth.attempt_login(
            demo_directory, "sanne", f"wrong-{i}", f"10.1.0.{i}", FRIDAY_EVENING)[0], range(30)))
    # Never more tries than the limit; attempts at the very same moment may count each
    # other and lock one another out a little early (the safe side).
    assert outcomes.count("bad") <= auth.MAX_FAILURES_PER_USER, outcomes
    assert outcomes.count("bad") + outcomes.count("locked") == 30
    with ThreadPoolExecutor(max_workers=10) as pool:  # one address, many usernames
        outcomes = list(pool.map(lambda i: auth.attempt_login(
            demo_directory, f"user{i}", "wrong-password", "10.2.0.1", FRIDAY_EVENING)[0], range(30)))
    assert outcomes.count("bad") <= auth.MAX_FAILURES_PER_ADDRESS, outcomes


# --- who sees what ----------------------------------------------------------------------

def test_a_member_sees_only_their_team_a_coordinator_their_municipality(demo_directory):
    member = add_account(demo_directory, "sanne")
    coordinator = add_account(demo_directory, "coord", role="coordinator", team=None)
    _, west = create(demo_directory)  # 3531: Utrecht West
    _, east = create(demo_directory, conversation="resident-2", postcode="3581")  # Utrecht Oost
    _, rotterdam = create(demo_directory, conversation="resident-3", postcode="3011")
    with session_scope(demo_directory) as session:
        member, coordinator = session.get(StaffAccount, member), session.get(StaffAccount, coordinator)
        assert scope.referral(session, member, west) is not None
        assert scope.referral(session, member, east) is None
        assert scope.referral(session, coordinator, east) is not None
        assert scope.referral(session, coordinator, rotterdam) is None
        assert scope.referral(session, coordinator, 999999) is None
        utrecht = {t.id for t in session.execute(select(Team).where(Team.code.like("utrecht%"))).scalars()}
        assert set(scope.team_ids(session, coordinator)) == utrecht
        assert {c.team_id for c in scope.contacts(session, member)} == {member.team_id}


# --- the team's follow-up -----------------------------------------------------------------

def test_a_team_member_takes_a_request_offered_to_a_volunteer(demo_directory):
    hatice = contact_id(demo_directory, "u-west-hatice")
    account = add_account(demo_directory, "hatice", contact="u-west-hatice")
    _, rid = create(demo_directory)  # offered to Ayşe
    ayse = volunteer_id(demo_directory, "v-ayse-demir")
    later = FRIDAY_EVENING + timedelta(minutes=3)
    with session_scope(demo_directory) as session:
        referrals.assign(session, rid, ("contact", hatice), later, (account, "Hatice"))
    found, history = referral(demo_directory, rid)
    assert (found.status, found.assignee_kind, found.assignee_id) == ("accepted", "contact", hatice)
    assert history[-1] == ("assigned", "contact", hatice)
    with session_scope(demo_directory) as session:
        kinds = [(m.kind, m.recipient_kind, m.recipient_id) for m in session.execute(
            select(OutboxMessage).where(OutboxMessage.referral_id == rid)).scalars()]
    assert ("offer_withdrawn", "volunteer", str(ayse)) in kinds  # Ayşe's offer message changes
    assert ("utter_handoff_accepted", "resident", "resident-1") in kinds  # the resident hears the name
    assert not [k for k in kinds if k[0] == "assigned"]  # she took it herself: no message to herself
    # Ayşe's accept now comes too late; the volunteer cannot take it back from the team.
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        referrals.accept(session, rid, ("volunteer", ayse), later)
    with session_scope(demo_directory) as session:
        referrals.contacted_by_team(session, rid, account, later, "gebeld, afspraak dinsdag")
        referrals.close_by_team(session, rid, account, later, "doorverwezen naar schuldhulp")
    found, history = referral(demo_directory, rid)
    assert found.status == "closed" and found.ended_at is not None
    assert history[-2:] == [("contacted", "staff", account), ("closed", "staff", account)]
    with session_scope(demo_directory) as session:
        assert session.get(Referral, rid).history[-1].note == "doorverwezen naar schuldhulp"


def test_assigning_to_a_colleague_sends_them_the_request_and_an_ended_one_cannot_be_assigned(demo_directory):
    account = add_account(demo_directory, "hatice", contact="u-west-hatice")
    sanne = contact_id(demo_directory, "u-west-sanne")
    _, rid = create(demo_directory, contact_by="phone", phone="06 12345678")
    with session_scope(demo_directory) as session:
        referrals.assign(session, rid, ("contact", sanne), FRIDAY_EVENING, (account, "Hatice"))
    with session_scope(demo_directory) as session:
        [sent] = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "assigned")).scalars().all()
        assert (sent.recipient_kind, sent.recipient_id) == ("contact", str(sanne))
        assert sent.payload["by"] == "Hatice" and sent.payload["phone"] == "06 12345678"
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        referrals.assign(session, rid, ("contact", sanne), FRIDAY_EVENING, (account, "Hatice"))
    with session_scope(demo_directory) as session:
        referrals.close_by_team(session, rid, account, FRIDAY_EVENING)
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        referrals.close_by_team(session, rid, account, FRIDAY_EVENING)
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        referrals.contacted_by_team(session, rid, account, FRIDAY_EVENING)


def test_closing_an_offered_request_withdraws_the_offer(demo_directory):
    account = add_account(demo_directory, "hatice")
    _, rid = create(demo_directory)
    with session_scope(demo_directory) as session:
        referrals.close_by_team(session, rid, account, FRIDAY_EVENING, "dubbele aanvraag")
        withdrawn = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "offer_withdrawn")).scalars().all()
    assert len(withdrawn) == 1
    found, _history = referral(demo_directory, rid)
    assert found.status == "closed" and found.offer_expires_at is None


# --- reach figures ------------------------------------------------------------------------

def test_reach_figures_count_languages_topics_hours_and_time_to_contact(demo_directory):
    account = add_account(demo_directory, "hatice", contact="u-west-hatice")
    hatice = contact_id(demo_directory, "u-west-hatice")
    friday_evening = FRIDAY_EVENING  # Friday 21:30: evening
    saturday = FRIDAY_EVENING + timedelta(hours=14)  # Saturday 11:30: weekend
    monday = FRIDAY_EVENING + timedelta(days=2, hours=14)  # Monday 11:30: office hours
    _, a = create(demo_directory, now=friday_evening)
    _, b = create(demo_directory, now=saturday, conversation="r2", language="ar", category="parenting")
    _, c = create(demo_directory, now=monday, conversation="r3", language="ar", category=None)
    with session_scope(demo_directory) as session:  # a: taken and contacted 90 minutes after consent
        referrals.assign(session, a, ("contact", hatice), friday_evening + timedelta(minutes=10), (account, "H"))
        referrals.contacted_by_team(session, a, account, friday_evening + timedelta(minutes=90))
    _, d = create(demo_directory, now=friday_evening + timedelta(minutes=1), conversation="r4")
    with session_scope(demo_directory) as session:  # d: offered to Ayşe, nobody answers in time
        assert session.get(Referral, d).status == "offered"
        assert referrals.expire_offers(session, friday_evening + timedelta(minutes=45), SETTINGS) == 1
    with session_scope(demo_directory) as session:
        team = session.get(StaffAccount, account).team_id
        found = figures.compute(session, [team], date(2026, 11, 23), date(2026, 12, 6))
        nothing = figures.compute(session, [team], date(2026, 10, 1), date(2026, 10, 31))
    assert found.total == 4
    assert found.by_language == {"ar": 2, "tr": 2}
    assert found.by_topic == {"money": 2, "parenting": 1, "": 1}
    assert (found.evening, found.weekend, found.outside_office) == (2, 1, 3)
    assert found.hours_to_contact == [1.5] and found.contact_median_hours == 1.5
    assert found.offers["accepted"] == 1 and found.offers["expired"] == 1
    assert found.per_week == [("2026-W48", 3), ("2026-W49", 1)]
    assert found.share(found.outside_office) == 0.75
    assert nothing.total == 0 and [n for _w, n in nothing.per_week] == [0] * len(nothing.per_week)
