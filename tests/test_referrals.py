"""Matching and the referral lifecycle on a real database (SQLite, and PostgreSQL when set)."""

import asyncio
import dataclasses
import json
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import settings as settings_module
from bot.clock import parse_iso
from bot.handoff import matching, outbox, referrals
from bot.handoff.referrals import HandoffRequest, NotAllowed
from bot.handoff.windows import resident_window
from bot.store.database import session_scope
from bot.store.tables import OutboxMessage, Referral, ReferralEvent, Team, Volunteer

FRIDAY_EVENING = parse_iso("2026-11-27T21:30")
SETTINGS = dataclasses.replace(settings_module.load(), offer_minutes=30, escalate_minutes=120)


def request(**changes):
    values = dict(conversation="resident-1", channel="rest", language="tr", topic="kira borcum var",
                  category="money", preference="volunteer", contact_by="chat", phone=None,
                  window="tonight", postcode="3531 AB")
    values.update(changes)
    return HandoffRequest(**values)


def create(url, now=FRIDAY_EVENING, **changes):
    with session_scope(url) as session:
        outcome = referrals.create(session, request(**changes), now, SETTINGS)
        return outcome, (outcome.referral.id if outcome.referral else None)


def referral(url, referral_id):
    with session_scope(url) as session:
        found = session.get(Referral, referral_id)
        return found, [(e.status, e.person_kind, e.person_id) for e in found.history]


def volunteer_id(url, code):
    with session_scope(url) as session:
        return session.execute(select(Volunteer.id).where(Volunteer.code == code)).scalar_one()


def outbox_rows(url, **where):
    with session_scope(url) as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        return [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]


# --- windows and matching ---------------------------------------------------------------

def test_resident_windows_never_start_in_the_past():
    start, end = resident_window("tonight", FRIDAY_EVENING)
    assert (start, end) == (FRIDAY_EVENING, parse_iso("2026-11-27T22:00"))
    late = parse_iso("2026-11-27T22:30")
    assert resident_window("tonight", late)[0] == parse_iso("2026-11-28T18:00")
    assert resident_window("weekend", FRIDAY_EVENING) == (parse_iso("2026-11-28T10:00"), parse_iso("2026-11-29T18:00"))
    sunday_night = parse_iso("2026-11-29T20:00")
    assert resident_window("weekend", sunday_night)[0] == parse_iso("2026-12-05T10:00")


def test_match_speaks_the_language_serves_the_team_and_is_free_in_the_window(demo_directory):
    with session_scope(demo_directory) as session:
        team = session.execute(select(Team).where(Team.code == "utrecht-west")).scalar_one()
        start, end = resident_window("tonight", FRIDAY_EVENING)
        turkish = matching.choose(session, language="tr", team_id=team.id, preference="volunteer", start=start, end=end)
        assert turkish.chosen.name == "Ayşe Demir"
        assert "spreekt tr" in turkish.explanation
        papiamento = matching.choose(session, language="pap", team_id=team.id, preference="volunteer", start=start, end=end)
        assert papiamento.chosen.name == "Shurendy Martina"
        # Saturday morning: Ayşe (za 10-14) is free, nobody speaks Turkish at 23:30.
        midnight = matching.choose(session, language="tr", team_id=team.id, preference="volunteer",
                                   start=parse_iso("2026-11-27T23:30"), end=parse_iso("2026-11-28T01:30"))
        assert midnight.chosen is None
        professional = matching.choose(session, language="tr", team_id=team.id, preference="professional",
                                       start=parse_iso("2026-11-30T09:00"), end=parse_iso("2026-11-30T17:00"))
        assert professional.chosen.name == "Hatice Öztürk"


def test_match_prefers_fewest_open_handoffs_and_respects_the_maximum(demo_directory):
    thursday = parse_iso("2026-11-26T19:00")  # four Dutch speakers serve Lombok tonight
    with session_scope(demo_directory) as session:
        for volunteer in session.query(Volunteer).all():
            volunteer.max_open_handoffs = 1
    names = [create(demo_directory, now=thursday, conversation=f"r{i}", language="nl", postcode="3531")[0]
             .variables.get("name") for i in range(5)]
    assert len(set(names[:4])) == 4, names  # each gets one before anyone gets a second
    assert names[4] is None  # everyone is at the maximum: the team's queue


# --- lifecycle --------------------------------------------------------------------------

def test_consent_offers_to_a_named_person_with_only_the_consented_summary(demo_directory):
    outcome, rid = create(demo_directory, contact_by="phone", phone="06 12345678")
    assert outcome.response == "utter_handoff_offered"
    assert outcome.variables["name"] == "Ayşe"
    assert "Lombok" in outcome.variables["organisation"]
    assert "21:30" in outcome.variables["available"]  # free right now, in the window
    found, history = referral(demo_directory, rid)
    ayse = volunteer_id(demo_directory, "v-ayse-demir")
    assert (found.status, found.assignee_kind, found.assignee_id) == ("offered", "volunteer", ayse)
    assert [h[0] for h in history] == ["requested", "offered"]
    [offer] = outbox_rows(demo_directory, kind="offer")
    assert offer.recipient_id == str(ayse)
    assert set(offer.payload) == {"referral", "language", "topic", "window", "window_start", "window_end",
                                  "contact_by", "phone", "expires_at"}
    assert offer.payload["topic"] == "kira borcum var" and offer.payload["phone"] == "06 12345678"


def test_accept_contacted_close_and_the_resident_is_told(demo_directory):
    _, rid = create(demo_directory)
    ayse = ("volunteer", volunteer_id(demo_directory, "v-ayse-demir"))
    later = FRIDAY_EVENING + timedelta(minutes=5)
    with session_scope(demo_directory) as session:
        referrals.accept(session, rid, ayse, later)
    with session_scope(demo_directory) as session:
        news = outbox.pull_for_resident(session, "resident-1", later)
    assert [n["kind"] for n in news] == ["utter_handoff_accepted"]
    assert news[0]["payload"]["variables"]["name"] == "Ayşe"
    with session_scope(demo_directory) as session:
        referrals.mark_contacted(session, rid, ayse, later)
        referrals.close(session, rid, ayse, later, "geholpen met de huurachterstand")
    found, history = referral(demo_directory, rid)
    assert found.status == "closed" and found.ended_at is not None
    assert [h[0] for h in history] == ["requested", "offered", "accepted", "contacted", "closed"]


def test_only_the_person_it_is_offered_to_can_accept(demo_directory):
    _, rid = create(demo_directory)
    other = ("volunteer", volunteer_id(demo_directory, "v-kees-de-vries"))
    with session_scope(demo_directory) as session, pytest.raises(NotAllowed):
        referrals.accept(session, rid, other, FRIDAY_EVENING)


def test_two_simultaneous_accepts_exactly_one_wins(demo_directory):
    _, rid = create(demo_directory)
    ayse = ("volunteer", volunteer_id(demo_directory, "v-ayse-demir"))
    barrier, results = threading.Barrier(2), []

    def tap():
        barrier.wait()
        try:
            with session_scope(demo_directory) as session:
                referrals.accept(session, rid, ayse, FRIDAY_EVENING)
            results.append("won")
        except NotAllowed:
            results.append("lost")
        except Exception as e:  # SQLite may refuse the second writer while the first writes
            results.append(type(e).__name__)

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == 1, results
    _, history = referral(demo_directory, rid)
    assert [h[0] for h in history].count("accepted") == 1
    assert len(outbox_rows(demo_directory, kind="utter_handoff_accepted")) == 1


def test_decline_goes_to_the_next_match_and_the_resident_hears_the_new_name(demo_directory):
    _, rid = create(demo_directory, language="nl", postcode="3531")
    first = referral(demo_directory, rid)[0]
    with session_scope(demo_directory) as session:
        referrals.decline(session, rid, (first.assignee_kind, first.assignee_id), FRIDAY_EVENING, SETTINGS)
    second, history = referral(demo_directory, rid)
    assert second.status == "offered" and second.assignee_id != first.assignee_id
    assert [h[0] for h in history] == ["requested", "offered", "declined", "offered"]
    with session_scope(demo_directory) as session:
        news = outbox.pull_for_resident(session, "resident-1", FRIDAY_EVENING)
    assert [n["kind"] for n in news] == ["utter_handoff_reoffered"]


def test_unanswered_offer_expires_and_goes_on_then_escalates_to_the_team(demo_directory):
    _, rid = create(demo_directory, language="nl", postcode="3531", window="weekend")
    with session_scope(demo_directory) as session:
        assert referrals.expire_offers(session, FRIDAY_EVENING + timedelta(minutes=31), SETTINGS) == 1
    after_expiry, history = referral(demo_directory, rid)
    assert [h[0] for h in history][-2:] == ["expired", "offered"]
    with session_scope(demo_directory) as session:
        referrals.expire_offers(session, FRIDAY_EVENING + timedelta(minutes=125), SETTINGS)
    escalated, history = referral(demo_directory, rid)
    assert escalated.assignee_kind == "contact"
    assert escalated.status == "offered"


def test_no_match_is_told_honestly_and_queued_for_the_team(demo_directory):
    outcome, rid = create(demo_directory, now=parse_iso("2026-11-27T23:30"), window="now")
    assert outcome.response == "utter_handoff_queued"
    assert outcome.variables["team"].startswith("Buurtteam West")
    assert "09:00" in outcome.variables["when"]  # Monday morning
    found, _ = referral(demo_directory, rid)
    assert found.status == "requested" and found.assignee_id is None
    assert outbox_rows(demo_directory, kind="queued")[0].recipient_kind == "team"


def test_unserved_postcode_creates_nothing(demo_directory):
    outcome, rid = create(demo_directory, postcode="1012 AB")
    assert outcome.response == "utter_handoff_no_team" and rid is None


def test_cancel_tells_the_assignee_and_ends_it(demo_directory):
    _, rid = create(demo_directory)
    with session_scope(demo_directory) as session:
        assert referrals.cancel(session, "resident-1", FRIDAY_EVENING).id == rid
    found, _ = referral(demo_directory, rid)
    assert found.status == "cancelled"
    assert outbox_rows(demo_directory, kind="cancelled")[0].recipient_kind == "volunteer"
    with session_scope(demo_directory) as session:
        assert referrals.cancel(session, "resident-1", FRIDAY_EVENING) is None


def test_forget_erases_the_residents_referrals_only(demo_directory):
    create(demo_directory)
    create(demo_directory, conversation="someone-else")
    with session_scope(demo_directory) as session:
        assert referrals.forget(session, "resident-1") == 1
    with session_scope(demo_directory) as session:
        left = session.execute(select(Referral.conversation)).scalars().all()
        assert left == ["someone-else"]
        assert session.query(ReferralEvent).count() == 2
        assert all(m.payload.get("topic") != "x" for m in session.query(OutboxMessage).all())


def test_purge_removes_only_referrals_that_ended_before_the_retention(demo_directory):
    _, old = create(demo_directory, conversation="old")
    _, recent = create(demo_directory, conversation="recent")
    _, open_one = create(demo_directory, conversation="open")
    with session_scope(demo_directory) as session:
        referrals.cancel(session, "old", FRIDAY_EVENING - timedelta(days=100))
        referrals.cancel(session, "recent", FRIDAY_EVENING - timedelta(days=10))
    with session_scope(demo_directory) as session:
        assert referrals.purge(session, FRIDAY_EVENING, retention_days=90) == 1
    with session_scope(demo_directory) as session:
        assert sorted(session.execute(select(Referral.conversation)).scalars()) == ["open", "recent"]


def test_housekeeping_purges_on_its_own_once_an_hour(demo_directory, tmp_path):
    from bot.handoff import service

    settings = dataclasses.replace(SETTINGS, database_url=demo_directory, retention_days=90, var_dir=tmp_path)
    _, old = create(demo_directory, conversation="old")
    with session_scope(demo_directory) as session:
        referrals.cancel(session, "old", FRIDAY_EVENING - timedelta(days=100))
    service._last_purge.pop(demo_directory, None)
    asyncio.run(service.housekeeping(settings, outbox.FileDelivery(tmp_path / "n.jsonl"), FRIDAY_EVENING))
    with session_scope(demo_directory) as session:
        assert session.get(Referral, old) is None  # no command needed: the running bot purged it
    _, older = create(demo_directory, conversation="older")
    with session_scope(demo_directory) as session:
        referrals.cancel(session, "older", FRIDAY_EVENING - timedelta(days=200))
    assert service.purge_if_due(settings, FRIDAY_EVENING + timedelta(minutes=30)) == 0  # not yet due
    assert service.purge_if_due(settings, FRIDAY_EVENING + timedelta(minutes=61)) == 1


# --- outbox -----------------------------------------------------------------------------

class Flaky:
    def __init__(self, failures):
        self.failures, self.sent = failures, []

    async def send(self, notification):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("down")
        self.sent.append(notification)


def test_failed_delivery_is_retried_with_backoff_and_delivered_once(demo_directory):
    create(demo_directory)
    delivery = Flaky(failures=1)
    assert asyncio.run(outbox.deliver_due(demo_directory, delivery, FRIDAY_EVENING)) == 0
    [offer] = outbox_rows(demo_directory, kind="offer")
    assert offer.attempts == 1 and offer.last_error == "ConnectionError"
    assert asyncio.run(outbox.deliver_due(demo_directory, delivery, FRIDAY_EVENING + timedelta(seconds=10))) == 0
    assert asyncio.run(outbox.deliver_due(demo_directory, delivery, FRIDAY_EVENING + timedelta(seconds=31))) == 1
    assert asyncio.run(outbox.deliver_due(demo_directory, delivery, FRIDAY_EVENING + timedelta(minutes=5))) == 0
    assert [n["kind"] for n in delivery.sent] == ["offer"]


CRASH = """
import os, sys
from bot.clock import parse_iso
from bot.handoff import referrals
from bot.store.database import session_scope
from tests.test_referrals import SETTINGS, request
with session_scope(sys.argv[1]) as session:
    referrals.create(session, request(), parse_iso("2026-11-27T21:30"), SETTINGS)
os._exit(9)  # the process dies before any notification is sent
"""


def test_a_crash_after_saving_loses_no_notification(demo_directory, project_root, tmp_path):
    died = subprocess.run([sys.executable, "-c", CRASH, demo_directory], cwd=project_root,
                          capture_output=True, text=True, timeout=120)
    assert died.returncode == 9, died.stderr[-2000:]
    delivered = tmp_path / "notifications.jsonl"
    after_restart = outbox.FileDelivery(delivered)
    assert asyncio.run(outbox.deliver_due(demo_directory, after_restart, FRIDAY_EVENING)) == 1
    assert asyncio.run(outbox.deliver_due(demo_directory, after_restart, FRIDAY_EVENING)) == 0
    [line] = delivered.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["kind"] == "offer"
    assert "kira borcum" not in line and "resident-1" not in line  # no words, no conversation id


def test_matching_across_the_spring_dst_change(demo_directory):
    """Saturday 27 March 2027 evening; clocks go forward that night. Mehmet's Sunday
    12:00-17:00 is still 12:00 on the wall clock, 10:00 UTC instead of 11:00."""
    saturday = parse_iso("2027-03-27T20:00")
    with session_scope(demo_directory) as session:
        team = session.execute(select(Team).where(Team.code == "utrecht-zuid")).scalar_one()
        start, end = resident_window("weekend", saturday)
        match = matching.choose(session, language="tr", team_id=team.id, preference="volunteer", start=start, end=end)
    assert match.chosen.name == "Mehmet Yılmaz"
    assert match.chosen.available_from == parse_iso("2027-03-28T12:00")
    assert match.chosen.available_from.timestamp() == parse_iso("2027-03-28T10:00+00:00").timestamp()


def test_resident_news_stays_until_it_is_marked_shown(demo_directory):
    _, rid = create(demo_directory)
    ayse = ("volunteer", volunteer_id(demo_directory, "v-ayse-demir"))
    with session_scope(demo_directory) as session:
        referrals.accept(session, rid, ayse, FRIDAY_EVENING)
    with session_scope(demo_directory) as session:
        first = outbox.pending_for_resident(session, "resident-1")
    with session_scope(demo_directory) as session:  # a turn that failed marks nothing
        assert [n["id"] for n in outbox.pending_for_resident(session, "resident-1")] == [n["id"] for n in first]
        outbox.mark_delivered(session, [n["id"] for n in first], FRIDAY_EVENING)
    with session_scope(demo_directory) as session:
        assert outbox.pending_for_resident(session, "resident-1") == []
