"""The relay, /beschikbaar, the web chat's move to Telegram, expiry, and residents on
Telegram in Dutch, Arabic and Papiamento: `wijkbrug run` against the local fake Bot API.

The server's clock is read from a file (WIJKBRUG_NOW=@FILE), so a test can let half an
hour pass and see an unanswered offer expire.
"""

import json
import re
import sqlite3
import time
import urllib.request

import pytest

from bot import i18n
from bot.content_review import domain_responses
from bot.telegram_relay import (
    ENDED_FOR_PERSON,
    ENDED_FOR_RESIDENT,
    FROM_RESIDENT,
    SAFETY_SHOWN,
    STARTED_FOR_RESIDENT,
    THANKS,
)
from bot.telegram_volunteers import (
    AVAILABILITY_NOT_UNDERSTOOD,
    EXPIRED,
    ON_CALL_OFF,
    ON_CALL_SET,
    WEEKLY_SET,
)
from tests.conftest import free_port, wijkbrug_server
from tests.conftest import wijkbrug_cli as wijkbrug
from tests.fake_telegram import exchange

FRIDAY_EVENING = "2026-11-27T19:30"  # Emre (Turkish, Feijenoord) is free from 18:00
VOLUNTEER, RESIDENT, WEB_RESIDENT_ON_TELEGRAM, LATE_RESIDENT = 7001, 7101, 7102, 7103
RESIDENT_NAME = "Ayşe Yılmaz"  # the resident's Telegram name: the volunteer must never see it
DUTCH = domain_responses()


def text(language, message, **values):
    shown = i18n.gettext(language, message)
    for key, value in values.items():
        shown = shown.replace("{" + key + "}", str(value))
    return i18n.for_display(language, shown)


@pytest.fixture(scope="module")
def clock_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("clock") / "now"
    path.write_text(FRIDAY_EVENING)
    return path


@pytest.fixture(scope="module")
def env(test_env, tmp_path_factory, telegram, clock_file):
    var = tmp_path_factory.mktemp("relay-var")
    return dict(test_env, WIJKBRUG_VAR=str(var), TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
                DATABASE_URL=f"sqlite:///{var / 'wijkbrug.db'}", TELEGRAM_BOT_TOKEN=telegram.token,
                TELEGRAM_BASE_URL=telegram.base_url, TELEGRAM_BOT_USERNAME="wijkbrug_test_bot",
                WIJKBRUG_NOW=f"@{clock_file}", WIJKBRUG_HOUSEKEEPING_SECONDS="0.5")


@pytest.fixture(scope="module")
def server(env, model_paths, tmp_path_factory):
    port, action_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("relay-run") / "run.log"
    run_env = dict(env, WIJKBRUG_PORT=str(port), ACTION_SERVER_PORT=str(action_port))
    run_env.pop("ACTION_SERVER_URL", None)
    with wijkbrug_server(["run"], run_env, log, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def volunteer(server, env, telegram):
    code = re.search(r"/start (\w+)", wijkbrug(env, "invite", "v-emre-kaya")).group(1)
    exchange(telegram, VOLUNTEER, telegram.user_says, f"/start {code}")
    return VOLUNTEER


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def next_to(telegram, chat, before):
    """The first message to `chat` after the first `before` ones, waiting for it."""
    wait_until(lambda: len(telegram.sent_to(chat)) > before)
    return telegram.sent_to(chat)[before]


def referral(env, referral_id):
    return next(r for r in json.loads(wijkbrug(env, "referrals", "--json")) if r["id"] == referral_id)


def offer_for_telegram_resident(telegram, chat, topic):
    """A Turkish resident on Telegram fills the form (contact in this chat) and consents;
    returns the offer the volunteer receives."""
    says = lambda *a: telegram.user_says(*a, first_name=RESIDENT_NAME)  # noqa: E731
    exchange(telegram, chat, says, "iyi akşamlar")
    exchange(telegram, chat, says, "gönüllü biriyle konuşmak istiyorum")
    exchange(telegram, chat, says, topic)
    exchange(telegram, chat, says, "3072 AB")
    exchange(telegram, chat, telegram.user_taps, '/inform{"handoff_window": "now"}')
    exchange(telegram, chat, telegram.user_taps, '/inform{"handoff_channel": "chat"}')
    before = len(telegram.sent_to(VOLUNTEER))
    exchange(telegram, chat, telegram.user_taps, "/affirm")
    return next_to(telegram, VOLUNTEER, before)


def tracker_event_types(env, sender):
    path = env["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("select type_name from events where sender_id = ? order by id", (sender,))]


def test_relay_passes_text_both_ways_without_revealing_the_resident(volunteer, telegram, env):
    offer = offer_for_telegram_resident(telegram, RESIDENT, "kira borcum birikti")
    accept = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    referral_id = int(accept.split(":")[2])
    resident_before = len(telegram.sent_to(RESIDENT))
    [accepted] = exchange(telegram, VOLUNTEER, telegram.user_taps, accept)
    assert "Emre" in next_to(telegram, RESIDENT, resident_before)["text"]  # the news of the accept
    buttons = [row[0]["callback_data"] for row in accepted["reply_markup"]["inline_keyboard"]]
    assert buttons[0] == f"relay:start:{referral_id}"  # the resident chose "in this chat"

    resident_before = len(telegram.sent_to(RESIDENT))
    exchange(telegram, VOLUNTEER, telegram.user_taps, f"relay:start:{referral_id}")
    wait_until(lambda: any(m["text"] == text("tr", STARTED_FOR_RESIDENT, name="Emre")
                           for m in telegram.sent_to(RESIDENT)[resident_before:]))
    assert tracker_event_types(env, f"tg-{RESIDENT}")[-1] == "pause"  # Rasa's ConversationPaused

    # Resident -> volunteer, under a request number; the bot's own dialogue stays quiet.
    resident_before = len(telegram.sent_to(RESIDENT))
    [passed] = exchange(telegram, VOLUNTEER, lambda c, t: telegram.user_says(RESIDENT, t, first_name=RESIDENT_NAME),
                        "merhaba, kirayı bu ay ödeyemedim")
    assert passed["text"] == f"{text('tr', FROM_RESIDENT, id=referral_id)}\nmerhaba, kirayı bu ay ödeyemedim"
    # Volunteer -> resident, under the volunteer's first name.
    [reply] = exchange(telegram, RESIDENT, lambda c, t: telegram.user_says(VOLUNTEER, t),
                       "Merhaba, ben Emre. Yarın birlikte bakalım.")
    assert reply["text"] == "Emre: Merhaba, ben Emre. Yarın birlikte bakalım."
    assert len(telegram.sent_to(RESIDENT)) == resident_before + 1  # only what Emre wrote

    # A message of Telegram's full length still arrives whole: the label goes separately.
    long_text = "kira " * 819  # 4095 characters
    label, passed_long = exchange(telegram, VOLUNTEER, lambda c, t: telegram.user_says(RESIDENT, t), long_text,
                                  replies=2)
    assert (label["text"], passed_long["text"]) == (text("tr", FROM_RESIDENT, id=referral_id), long_text)

    # A crisis message still gets the bot's answer at once, and Emre is told.
    volunteer_before = len(telegram.sent_to(VOLUNTEER))
    answers = exchange(telegram, RESIDENT, lambda c, t: telegram.user_says(c, t, first_name=RESIDENT_NAME),
                       "kocam beni dövüyor")
    assert answers[0]["text"] == text("tr", DUTCH["utter_domestic_violence"])
    wait_until(lambda: any(m["text"] == text("tr", SAFETY_SHOWN) for m in telegram.sent_to(VOLUNTEER)[volunteer_before:]))
    seen_by_volunteer = " ".join(m["text"] for m in telegram.sent_to(VOLUNTEER))
    assert "Ayşe" not in seen_by_volunteer and "Yılmaz" not in seen_by_volunteer and str(RESIDENT) not in seen_by_volunteer

    # A button or /taal would reach the paused dialogue: a reminder instead of silence.
    [reminder] = exchange(telegram, RESIDENT, telegram.user_taps, "/help_topics")
    assert reminder["text"] == text("tr", STARTED_FOR_RESIDENT, name="Emre")

    # The resident ends it (/bitir is /einde in Turkish): both told, "how did it go?".
    volunteer_before = len(telegram.sent_to(VOLUNTEER))
    [ended] = exchange(telegram, RESIDENT, telegram.user_says, "/bitir")
    assert ended["text"] == text("tr", ENDED_FOR_RESIDENT, name="Emre")
    assert next_to(telegram, VOLUNTEER, volunteer_before)["text"] == text("tr", ENDED_FOR_PERSON, id=referral_id)
    assert tracker_event_types(env, f"tg-{RESIDENT}")[-1] == "resume"
    [thanks] = exchange(telegram, RESIDENT, telegram.user_taps, f"relay:good:{referral_id}")
    assert thanks["text"] == text("tr", THANKS)

    # Back with the bot: the next message is answered by the dialogue, not passed on.
    volunteer_before = len(telegram.sent_to(VOLUNTEER))
    exchange(telegram, RESIDENT, telegram.user_says, "ücretli mi?")
    assert len(telegram.sent_to(VOLUNTEER)) == volunteer_before
    history = [h["status"] for h in referral(env, referral_id)["history"]]
    assert history[-4:] == ["contacted", "relay_started", "relay_ended", "feedback"]
    exchange(telegram, VOLUNTEER, telegram.user_taps, f"ref:close:{referral_id}")


def test_availability_from_telegram(volunteer, telegram, env):
    def emre():
        return next(v for v in json.loads(wijkbrug(env, "volunteers", "--json")) if v["code"] == "v-emre-kaya")

    [set_now] = exchange(telegram, VOLUNTEER, telegram.user_says, "/musait 23:30'a kadar")
    assert set_now["text"].startswith(text("tr", ON_CALL_SET, until="")[:10])
    assert emre()["on_call_until"] == "2026-11-27T22:30:00+00:00"
    [weekly] = exchange(telegram, VOLUNTEER, telegram.user_says, "/beschikbaar ma-vr 18:00-22:00; za 10:00-14:00")
    windows = "ma 18:00-22:00, di 18:00-22:00, wo 18:00-22:00, do 18:00-22:00, vr 18:00-22:00, za 10:00-14:00"
    assert weekly["text"] == text("tr", WEEKLY_SET, weekly=windows)
    assert emre()["availability"] == windows.split(", ")
    [off] = exchange(telegram, VOLUNTEER, telegram.user_says, "/beschikbaar uit")
    assert off["text"] == text("tr", ON_CALL_OFF) and emre()["on_call_until"] is None
    [wrong] = exchange(telegram, VOLUNTEER, telegram.user_says, "/beschikbaar soms")
    assert wrong["text"] == text("tr", AVAILABILITY_NOT_UNDERSTOOD)
    assert emre()["availability"] == windows.split(", ")  # unchanged by what it did not understand


def rest(server, sender, message):
    request = urllib.request.Request(f"{server}/webhooks/rest/webhook", method="POST",
                                     data=json.dumps({"sender": sender, "message": message}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def web_chat_token(server):
    """What the web chat page asks for first: a conversation token the server signed."""
    request = urllib.request.Request(f"{server}/webchat/conversation", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["sender"]


def test_web_chat_resident_moves_to_telegram(server, volunteer, telegram, env):
    sender = web_chat_token(server)
    conversation = "web-" + sender.split(".")[1]
    for message in ("iyi akşamlar", "gönüllü biriyle konuşmak istiyorum", "faturalarımı ödeyemiyorum", "3072 AB",
                    '/inform{"handoff_window": "now"}'):
        asked = rest(server, sender, message)
    payloads = [b["payload"] for m in asked for b in m.get("buttons", [])]
    assert payloads == ['/inform{"handoff_channel": "phone"}', '/inform{"handoff_channel": "telegram"}']
    rest(server, sender, '/inform{"handoff_channel": "telegram"}')
    told = " ".join(m.get("text", "") for m in rest(server, sender, "/affirm"))
    code = re.search(r"https://t\.me/wijkbrug_test_bot\?start=(r_[\w-]+)", told).group(1)
    referral_id = next(r["id"] for r in json.loads(wijkbrug(env, "referrals", "--json")) if r["conversation"] == conversation)

    [linked] = exchange(telegram, WEB_RESIDENT_ON_TELEGRAM, telegram.user_says, f"/start {code}")
    assert linked["text"] == text("tr", DUTCH["utter_handoff_telegram_linked"], id=referral_id)
    moved = referral(env, referral_id)
    assert (moved["conversation"], moved["channel"], moved["contact_by"]) == (
        f"tg-{WEB_RESIDENT_ON_TELEGRAM}", "telegram", "chat")
    [again] = exchange(telegram, WEB_RESIDENT_ON_TELEGRAM + 1, telegram.user_says, f"/start {code}")
    assert i18n.gettext("tr", DUTCH["utter_handoff_telegram_link_invalid"]) in again["text"]  # one time only


def test_a_request_closed_during_a_relay_gives_the_resident_the_bot_back(volunteer, telegram, env):
    chat = LATE_RESIDENT + 10
    offer = offer_for_telegram_resident(telegram, chat, "çocuğumun okulu ile sorun var")
    referral_id = int(offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2])
    before = len(telegram.sent_to(chat))
    exchange(telegram, VOLUNTEER, telegram.user_taps, f"offer:accept:{referral_id}")
    assert "Emre" in next_to(telegram, chat, before)["text"]  # the news of the accept, pushed
    before = len(telegram.sent_to(chat))
    exchange(telegram, VOLUNTEER, telegram.user_taps, f"relay:start:{referral_id}")
    wait_until(lambda: any(m["text"] == text("tr", STARTED_FOR_RESIDENT, name="Emre")
                           for m in telegram.sent_to(chat)[before:]))
    exchange(telegram, VOLUNTEER, telegram.user_taps, f"ref:close:{referral_id}")  # no /einde first
    [answer] = exchange(telegram, chat, telegram.user_says, "kocam beni dövüyor")
    assert answer["text"] == text("tr", DUTCH["utter_domestic_violence"])  # the dialogue, not silence
    assert tracker_event_types(env, f"tg-{chat}")[-1] != "pause"


def test_an_unanswered_offer_expires_and_its_message_changes(volunteer, telegram, env, clock_file):
    offer = offer_for_telegram_resident(telegram, LATE_RESIDENT, "elektrik faturası çok yüksek")
    referral_id = int(offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2])
    resident_before = len(telegram.sent_to(LATE_RESIDENT))
    clock_file.write_text("2026-11-27T20:05")  # 35 minutes later: the 30-minute offer ran out
    wait_until(lambda: any(m.get("message_id") and int(m["message_id"]) == offer["sent_message_id"]
                           for m in telegram.sent_to(VOLUNTEER)
                           if m.get("text") == text("tr", EXPIRED, id=referral_id)))
    assert "Ebru" in next_to(telegram, LATE_RESIDENT, resident_before)["text"]  # the next person, told at once
    assert [h["status"] for h in referral(env, referral_id)["history"]][-2:] == ["expired", "offered"]


@pytest.mark.parametrize("language, chat, greeting, crisis", [
    ("nl", 7201, "goedenavond", "mijn man slaat mij"),
    ("ar", 7202, "السلام عليكم", "راجلي كيضربني"),
    ("pap", 7203, "bon nochi", "mi kasá ta dal mi"),
])
def test_residents_on_telegram_in_their_language(server, telegram, language, chat, greeting, crisis):
    catalogue = {text(language, dutch) for dutch in DUTCH.values()}
    [hello] = exchange(telegram, chat, telegram.user_says, greeting)
    assert hello["text"] in catalogue, hello["text"]
    # The crisis answer, then the offer of a person: wait for both, or the offer would be
    # taken for the answer to /taal below (it did once on a busy machine).
    answer, offer = exchange(telegram, chat, telegram.user_says, crisis, replies=2)
    assert answer["text"] == text(language, DUTCH["utter_domestic_violence"])
    assert offer["text"] == text(language, DUTCH["utter_offer_person"])
    if language == "ar":
        assert answer["text"][0] not in "0123456789" and any("\u0600" <= ch <= "\u06ff" for ch in answer["text"])
    # /taal: the language buttons, as an inline keyboard with the Rasa payloads.
    menu = exchange(telegram, chat, telegram.user_says, "/taal")
    payloads = [row[0]["callback_data"] for m in menu for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])]
    assert {f'/choose_language{{"language": "{code}"}}' for code in ("nl", "tr", "ar", "pap")} <= set(payloads), menu

