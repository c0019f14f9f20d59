"""Volunteers and residents on Telegram, through `wijkbrug run` and a local fake Bot API.

A volunteer links their account with an invite code; a resident on Telegram goes through
the handoff form in Turkish; the offer reaches the volunteer with Accept / Decline; the
accept reaches the resident at once. An unknown account cannot accept; a decline goes on
to the next person; non-text messages get a kind answer and are not kept. Someone on the
REST endpoint who knows a Telegram resident's chat id reaches nothing of theirs.
"""

import json
import re
import time
import urllib.request

import pytest

from bot import i18n, settings
from bot.telegram_volunteers import ACCEPTED, LINKED, NOT_LINKED
from tests.conftest import free_port, wijkbrug_server
from tests.conftest import wijkbrug_cli as wijkbrug
from tests.fake_telegram import exchange

FRIDAY_EVENING = "2026-11-27T19:30"  # Emre (Turkish, Feijenoord) is free from 18:00
VOLUNTEER, STRANGER, RESIDENT, SECOND_RESIDENT, OTHER = 5001, 5002, 6001, 6002, 6003


@pytest.fixture(scope="module")
def env(test_env, tmp_path_factory, telegram):
    var = tmp_path_factory.mktemp("telegram-var")
    return dict(test_env, WIJKBRUG_VAR=str(var), TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
                DATABASE_URL=f"sqlite:///{var / 'wijkbrug.db'}", TELEGRAM_BOT_TOKEN=telegram.token,
                TELEGRAM_BASE_URL=telegram.base_url, WIJKBRUG_NOW=FRIDAY_EVENING)


@pytest.fixture(scope="module")
def server(env, model_paths, tmp_path_factory):
    port, action_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("tg-run") / "run.log"
    run_env = dict(env, WIJKBRUG_PORT=str(port), ACTION_SERVER_PORT=str(action_port))
    run_env.pop("ACTION_SERVER_URL", None)
    with wijkbrug_server(["run", "--now", FRIDAY_EVENING], run_env, log, f"http://127.0.0.1:{port}/health"):
        yield {"log": log, "url": f"http://127.0.0.1:{port}"}


def tr(text, **values):
    shown = i18n.gettext("tr", text)
    for key, value in values.items():
        shown = shown.replace("{" + key + "}", str(value))
    return shown


def through_the_form(telegram, chat, topic):
    says = telegram.user_says
    exchange(telegram, chat, says, "iyi akşamlar")
    exchange(telegram, chat, says, "gönüllü biriyle konuşmak istiyorum")  # request_volunteer
    exchange(telegram, chat, says, topic)
    exchange(telegram, chat, says, "3072 AB")
    exchange(telegram, chat, telegram.user_taps, '/inform{"handoff_window": "now"}')
    consent_question = exchange(telegram, chat, telegram.user_taps, '/inform{"handoff_channel": "phone"}')
    exchange(telegram, chat, says, "0612345678")
    return consent_question


@pytest.fixture(scope="module")
def linked(server, env, telegram):
    printed = wijkbrug(env, "invite", "v-emre-kaya")
    code = re.search(r"/start (\w+)", printed).group(1)
    [welcome] = exchange(telegram, VOLUNTEER, telegram.user_says, f"/start {code}")
    return code, welcome


def test_invite_links_the_volunteer_once(linked, telegram):
    code, welcome = linked
    assert welcome["text"] == tr(LINKED, name="Emre")  # Emre's first language is Turkish
    [again] = exchange(telegram, STRANGER, telegram.user_says, f"/start {code}")
    assert "Emre" not in again["text"]  # a used code links nobody


def test_offer_accept_and_the_resident_hears_it(linked, telegram, env):
    through_the_form(telegram, RESIDENT, "kira borcum birikti")
    before = len(telegram.sent_to(VOLUNTEER))
    [told] = exchange(telegram, RESIDENT, telegram.user_taps, "/affirm")
    assert "Emre" in told["text"]
    deadline = time.monotonic() + 30
    while len(telegram.sent_to(VOLUNTEER)) == before:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    offer = telegram.sent_to(VOLUNTEER)[before]
    assert "kira borcum birikti" in offer["text"] and "06 12345678" in offer["text"]
    assert "iyi akşamlar" not in offer["text"]  # the summary, not the transcript
    accept = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    referral_id = int(accept.split(":")[2])

    # Someone who is not linked cannot take it.
    telegram.user_taps(STRANGER, accept)
    answer = telegram.wait_for("answerCallbackQuery", count=1)[0]
    deadline = time.monotonic() + 30
    while not any(c[0] == "answerCallbackQuery" and c[1].get("text") == tr(NOT_LINKED) or
                  c[0] == "answerCallbackQuery" and c[1].get("text") == i18n.gettext("nl", NOT_LINKED)
                  for c in telegram.calls):
        assert time.monotonic() < deadline, answer
        time.sleep(0.05)
    rows = json.loads(wijkbrug(env, "referrals", "--json"))
    assert next(r for r in rows if r["id"] == referral_id)["status"] == "offered"

    news_before = len(telegram.sent_to(RESIDENT))
    [edited] = exchange(telegram, VOLUNTEER, telegram.user_taps, accept, offer.get("message_id", 1))
    assert edited["text"].startswith(tr(ACCEPTED, id=referral_id, window="")[:20])
    buttons = [b[0]["callback_data"] for b in edited["reply_markup"]["inline_keyboard"]]
    assert buttons == [f"ref:contacted:{referral_id}", f"ref:close:{referral_id}"]
    deadline = time.monotonic() + 30
    while len(telegram.sent_to(RESIDENT)) == news_before:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "Emre" in telegram.sent_to(RESIDENT)[news_before]["text"]  # pushed, not waiting for a message
    rows = json.loads(wijkbrug(env, "referrals", "--json"))
    assert next(r for r in rows if r["id"] == referral_id)["status"] == "accepted"

    [mine] = exchange(telegram, VOLUNTEER, telegram.user_says, "/mijn")
    assert f"#{referral_id}" in mine["text"]


def test_decline_goes_on_and_the_resident_hears_the_new_name(linked, telegram, env):
    through_the_form(telegram, SECOND_RESIDENT, "faturalarımı ödeyemiyorum")
    before = len(telegram.sent_to(VOLUNTEER))
    exchange(telegram, SECOND_RESIDENT, telegram.user_taps, "/affirm")
    deadline = time.monotonic() + 30
    while len(telegram.sent_to(VOLUNTEER)) == before:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    offer = telegram.sent_to(VOLUNTEER)[before]
    decline = offer["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    news_before = len(telegram.sent_to(SECOND_RESIDENT))
    exchange(telegram, VOLUNTEER, telegram.user_taps, decline)
    deadline = time.monotonic() + 30
    while len(telegram.sent_to(SECOND_RESIDENT)) == news_before:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    news = telegram.sent_to(SECOND_RESIDENT)[news_before]["text"]
    assert "Ebru" in news  # nobody else speaks Turkish for Feijenoord: the team's contact
    referral_id = int(decline.split(":")[2])
    row = next(r for r in json.loads(wijkbrug(env, "referrals", "--json")) if r["id"] == referral_id)
    assert [h["status"] for h in row["history"]] == ["requested", "offered", "declined", "offered"]
    assert row["assignee"]["name"] == "Ebru Yıldız"


@pytest.mark.parametrize("kind, response, replies", [
    ("voice", "utter_voice_note", 2), ("photo", "utter_media_received", 1),
    ("sticker", "utter_media_received", 1), ("document", "utter_media_received", 1),
    ("location", "utter_location_not_stored", 2), ("contact", "utter_location_not_stored", 2),
])
def test_non_text_messages_get_a_kind_answer(server, telegram, kind, response, replies):
    from bot.content_review import domain_responses

    chat = OTHER + len(kind) * 10
    exchange(telegram, chat, telegram.user_says, "merhaba")  # Turkish from the first message
    replies = exchange(telegram, chat, telegram.user_sends, kind, replies=replies)
    texts = [r["text"] for r in replies]
    expected = i18n.gettext("tr", domain_responses()[response])
    assert expected in texts, texts


def next_message_to(telegram, chat, before):
    deadline = time.monotonic() + 30
    while len(telegram.sent_to(chat)) == before:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return telegram.sent_to(chat)[before]


def test_the_dashboard_taking_or_assigning_a_request_reaches_the_volunteer_on_telegram(linked, telegram, env):
    """What the dashboard's "take" and "assign" buttons do (bot.handoff.referrals.assign),
    as the volunteer sees it: their open offer changes in place; a request given to them
    arrives with the follow-up buttons."""
    from bot.clock import parse_iso
    from bot.dashboard import staff
    from bot.handoff import referrals
    from bot.store.database import session_scope
    from bot.store.tables import Contact, Volunteer
    from bot.telegram_volunteers import ASSIGNED, WITHDRAWN

    now = parse_iso(FRIDAY_EVENING)
    with session_scope(env["DATABASE_URL"]) as session:
        ebru = staff.create(session, username="ebru", name="Ebru", role="member", password="lang-genoeg-wachtwoord",
                            municipality="rotterdam", team="rotterdam-feijenoord", contact="r-fei-ebru",
                            language="nl", now=now)
        who = (ebru.id, ebru.name)
        ebru_contact = ("contact", session.query(Contact).filter_by(code="r-fei-ebru").one().id)
        emre = ("volunteer", session.query(Volunteer).filter_by(code="v-emre-kaya").one().id)

    # 1. Offered to Emre, then Ebru takes it herself: Emre's offer message is edited.
    through_the_form(telegram, 6101, "elektrik faturası çok yüksek")
    before = len(telegram.sent_to(VOLUNTEER))
    exchange(telegram, 6101, telegram.user_taps, "/affirm")
    offer = next_message_to(telegram, VOLUNTEER, before)
    referral_id = int(offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2])
    with session_scope(env["DATABASE_URL"]) as session:
        referrals.assign(session, referral_id, ebru_contact, now, who)
    edited = next_message_to(telegram, VOLUNTEER, before + 1)
    assert int(edited["message_id"]) == offer["sent_message_id"] and edited["text"] == tr(WITHDRAWN, id=referral_id)
    wait_until(lambda: any("Ebru" in m["text"] for m in telegram.sent_to(6101)))  # the resident hears her name

    # 2. Ebru gives a request to Emre: it arrives with the consented summary and the buttons.
    through_the_form(telegram, 6102, "okul mektubunu anlamıyorum")
    before = len(telegram.sent_to(VOLUNTEER))
    exchange(telegram, 6102, telegram.user_taps, "/affirm")
    offer = next_message_to(telegram, VOLUNTEER, before)
    second = int(offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2])
    with session_scope(env["DATABASE_URL"]) as session:
        referrals.decline(session, second, emre, now, settings.load())  # goes to Ebru, the contact
        referrals.assign(session, second, emre, now, who)
    wait_until(lambda: [m for m in telegram.sent_to(VOLUNTEER)[before + 1:] if "okul mektubunu" in m["text"]])
    given = [m for m in telegram.sent_to(VOLUNTEER)[before + 1:] if "okul mektubunu" in m["text"]]
    assert given[0]["text"].startswith(tr(ASSIGNED, by="Ebru", id=second, language_name="Türkçe").split("\n")[0])
    assert "06 12345678" in given[0]["text"]
    buttons = [row[0]["callback_data"] for row in given[0]["reply_markup"]["inline_keyboard"]]
    assert buttons == [f"ref:contacted:{second}", f"ref:close:{second}"]


def wait_until(found, seconds=30):
    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline
        time.sleep(0.05)


ATTACKED = 6201


def test_nobody_on_rest_can_act_as_a_telegram_resident(linked, telegram, env, server):
    """Issue 19, end to end. A Telegram chat id is no secret (it shows in groups and
    forwards). An attacker posts to the REST endpoint as "tg-<id>" at every step of a
    resident's handoff: the form, the status, cancel, forget me, and the good news."""
    url = server["url"] + "/webhooks/rest/webhook"
    victim = f"tg-{ATTACKED}"

    def attacker(text):
        request = urllib.request.Request(url, data=json.dumps({"sender": victim, "message": text}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as reply:
            return " ".join(m.get("text", "") for m in json.loads(reply.read()))

    def request_of_victim():
        return [r for r in json.loads(wijkbrug(env, "referrals", "--json")) if r["conversation"] == victim]

    # 1. The victim is at the consent question: the attacker asks it again, and says yes.
    through_the_form(telegram, ATTACKED, "kira borcum var, kocam bilmiyor")
    seen = attacker("hè? wat bedoel je") + attacker("/affirm")
    for private in ("kira borcum", "kocam", "06 12345678", "0612345678", "3072"):
        assert private not in seen
    assert request_of_victim() == []  # the attacker's yes made no request in the victim's name

    # 2. The victim consents: the request is theirs and goes to Emre.
    before = len(telegram.sent_to(VOLUNTEER))
    [told] = exchange(telegram, ATTACKED, telegram.user_taps, "/affirm")
    assert "Emre" in told["text"]
    offer = next_message_to(telegram, VOLUNTEER, before)
    [made] = request_of_victim()

    # 3. Status, cancel, forget me: none of it reaches the victim's request.
    seen = " ".join(attacker(text) for text in ("hoe staat het met mijn aanvraag?",
                                                 "ik hoef niet meer gebeld te worden", "vergeet mij", "ja"))
    assert "Emre" not in seen and "Stichting" not in seen
    [still] = request_of_victim()
    assert still["id"] == made["id"] and still["status"] == "offered"

    # 4. Emre accepts: the news goes to the victim's Telegram, the attacker's next message gets none of it.
    news_before = len(telegram.sent_to(ATTACKED))
    accept = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    exchange(telegram, VOLUNTEER, telegram.user_taps, accept, offer.get("message_id", 1))
    assert "Emre" not in attacker("hallo")
    assert "Emre" in next_message_to(telegram, ATTACKED, news_before)["text"]
    [accepted] = request_of_victim()
    assert accepted["status"] == "accepted"
