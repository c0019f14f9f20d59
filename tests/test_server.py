"""`wijkbrug run` (what `make run` starts): web chat page and REST endpoint over HTTP,
with the action server as a separate process."""

import json
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from bot import i18n
from tests.conftest import WIJKBRUG, free_port, rest_conversation, wijkbrug_server


@pytest.fixture(scope="module")
def server(test_env, model_paths, tmp_path_factory, telegram):
    port, action_port, dashboard_port = free_port(), free_port(), free_port()
    log = tmp_path_factory.mktemp("run") / "run.log"
    env = dict(
        test_env,
        WIJKBRUG_PORT=str(port),
        ACTION_SERVER_PORT=str(action_port),
        DASHBOARD_PORT=str(dashboard_port),
        # The most our code logs: still no personal data (test_no_personal_data_reaches_the_logs).
        WIJKBRUG_LOG_LEVEL="DEBUG",
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_BASE_URL=telegram.base_url,
        # The tests are a proxy that names its clients, so each limit test has addresses of
        # its own; limits per hour, so a slow machine cannot let a window pass mid-test.
        TRUSTED_PROXIES="127.0.0.1",
        REST_LIMIT_CONVERSATION="12/3600",
        REST_LIMIT_ADDRESS="30/3600",
    )
    env.pop("ACTION_SERVER_URL", None)
    with wijkbrug_server(["run", "--now", "2026-11-24T10:00"], env, log,
                         f"http://127.0.0.1:{port}/health") as process:
        yield {
            "url": f"http://127.0.0.1:{port}",
            "process": process,
            "action_port": action_port,
            "dashboard_port": dashboard_port,
            "log": log,
            "env": env,
        }


def post(url, body, raw=None, address=None):
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if address:
        headers["X-Forwarded-For"] = address
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as reply:
        return reply.status, json.loads(reply.read())


def test_web_chat_page_is_served(server):
    with urllib.request.urlopen(server["url"] + "/", timeout=10) as reply:
        page = reply.read().decode()
    assert "<title>Chat met het wijkteam</title>" in page
    with urllib.request.urlopen(server["url"] + "/webchat/webchat.js", timeout=10) as reply:
        assert "/webhooks/rest/webhook" in reply.read().decode()


def test_rest_endpoint_answers_a_greeting(server):
    status, messages = post(
        server["url"] + "/webhooks/rest/webhook", {"sender": "rest-1", "message": "hoi"}
    )
    assert status == 200
    assert messages[0]["recipient_id"] == "rest-1"
    assert messages[0]["text"].startswith("Hallo! Ik ben de chatbot van het wijkteam.")
    assert messages[0]["buttons"][0]["payload"] == "/what_is_wijkteam"


def test_rest_endpoint_answers_in_turkish_through_the_action_server(server):
    status, messages = post(
        server["url"] + "/webhooks/rest/webhook",
        {"sender": "rest-2", "message": "merhaba", "metadata": {"source": "test"}},
    )
    assert status == 200 and messages[0]["text"].startswith("Merhaba!")


def test_rest_endpoint_rejects_malformed_requests_clearly(server):
    url = server["url"] + "/webhooks/rest/webhook"
    for body in (b"not json", json.dumps({"message": "hoi"}).encode(), b"[1, 2]"):
        with pytest.raises(urllib.error.HTTPError) as error:
            post(url, None, raw=body)
        assert error.value.code == 400
        assert "sender" in error.value.read().decode()


PRIVATE = {"sender": "privacy-resident-7f3a", "topic": "mijn huisbaas dreigt met ontruiming",
           "phone": "0687654321", "postcode": "3072 AB"}


@pytest.fixture(scope="module")
def private_conversation(server):
    """A handoff with a topic, postcode and phone number, and a crisis message."""
    url = server["url"] + "/webhooks/rest/webhook"
    for message in ("goedenavond", "ik wil met een vrijwilliger praten", PRIVATE["topic"], PRIVATE["postcode"],
                    '/inform{"handoff_window": "tomorrow"}', '/inform{"handoff_channel": "phone"}',
                    PRIVATE["phone"], "/affirm", "mijn man slaat mij"):
        post(url, {"sender": PRIVATE["sender"], "message": message})
    return PRIVATE


def test_no_personal_data_reaches_the_logs(server, private_conversation, test_env):
    from tests.conftest import wijkbrug_cli

    conversation = rest_conversation(server["env"], PRIVATE["sender"])
    referral = [r for r in json.loads(wijkbrug_cli(test_env, "referrals", "--json"))
                if r["conversation"] == conversation]
    assert referral and referral[0]["topic"] == PRIVATE["topic"]  # the handoff really happened
    logs = server["log"].read_text()  # the server, the action server and the dashboard
    jsonl = Path(test_env["WIJKBRUG_VAR"]) / "notifications.jsonl"
    notifications = jsonl.read_text() if jsonl.exists() else ""
    for secret in (PRIVATE["sender"], conversation, PRIVATE["topic"], "ontruiming", PRIVATE["phone"], "06 87654321",
                   "87654321", "mijn man slaat mij"):
        assert secret not in logs, secret
        assert secret not in notifications, secret


def test_a_resident_can_get_everything_kept_about_them(server, private_conversation, test_env, tmp_path):
    from tests.conftest import wijkbrug_cli

    exported = json.loads(wijkbrug_cli(test_env, "resident-export", rest_conversation(server["env"], PRIVATE["sender"])))
    said = [line["text"] for line in exported["conversation"] if line["from"] == "resident"]
    assert PRIVATE["topic"] in said and PRIVATE["phone"] in said
    assert any(line["from"] == "bot" and "112" in line["text"] for line in exported["conversation"])
    [request] = exported["requests"]
    assert request["topic"] == PRIVATE["topic"] and request["history"][0]["status"] == "requested"
    nobody = subprocess.run([*WIJKBRUG, "resident-export", "nobody-like-this"], env=test_env,
                            capture_output=True, text=True, timeout=120)
    assert nobody.returncode == 1 and json.loads(nobody.stdout)["conversation"] == []


def test_telegram_resident_is_answered_with_inline_buttons(server, telegram):
    from bot.telegram_channel import WELCOME

    telegram.user_says(4242, "/start")
    (welcome,) = telegram.wait_for("sendMessage", chat_id=4242)
    for language in ("nl", "tr", "ar", "pap"):  # a short welcome in all four languages
        assert i18n.gettext(language, WELCOME) in welcome["text"]
    keyboard = welcome["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Nederlands", "Türkçe", "العربية", "Papiamentu"]
    assert keyboard[1][0]["callback_data"] == '/choose_language{"language": "tr"}'

    telegram.user_says(4343, "merhaba, iyi akşamlar")
    (reply,) = telegram.wait_for("sendMessage", chat_id=4343)
    assert reply["text"].startswith("Merhaba!")

    telegram.user_taps(4343, "/what_is_wijkteam")
    telegram.wait_for("answerCallbackQuery")
    _, answer = telegram.wait_for("sendMessage", chat_id=4343, count=2)
    assert answer["text"] == i18n.gettext("tr", "Het wijkteam is een team van de gemeente bij u in de buurt. Er werken hulpverleners die u helpen met geld, opvoeding, wonen, gezondheid, eenzaamheid en zorg voor een familielid. De hulp is gratis.")


def test_telegram_taal_command_switches_language(server, telegram):
    telegram.user_says(4444, "/taal pap")
    (reply,) = telegram.wait_for("sendMessage", chat_id=4444)
    assert reply["text"] == i18n.gettext("pap", "Goed, vanaf nu praat ik Nederlands met u.")
    telegram.user_says(4444, "/dil")
    _, choice = telegram.wait_for("sendMessage", chat_id=4444, count=2)
    titles = [row[0]["text"] for row in choice["reply_markup"]["inline_keyboard"]]
    assert titles == ["Nederlands", "Türkçe", "العربية", "Papiamentu"]


# --- a resident's conversation belongs to its channel and session (issue 19) ---------------

def web_token(server, address="198.51.100.20"):
    request = urllib.request.Request(server["url"] + "/webchat/conversation", data=b"", method="POST",
                                     headers={"X-Forwarded-For": address})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.headers["Cache-Control"] == "no-store"
        return json.loads(reply.read())["sender"]


def rest_error(url, body, address, raw=None):
    with pytest.raises(urllib.error.HTTPError) as error:
        post(url, body, raw=raw, address=address)
    return error.value.code, error.value.headers, json.loads(error.value.read())


def test_a_web_chat_conversation_opens_only_with_the_token_the_server_signed(server):
    url = server["url"] + "/webhooks/rest/webhook"
    address = "198.51.100.20"
    token = web_token(server, address)
    assert token != web_token(server, address)  # a new one each time
    post(url, {"sender": token, "message": "ik wil met een vrijwilliger praten"}, address=address)
    _, [asked] = post(url, {"sender": token, "message": "ik heb schulden, mijn man weet het niet"}, address=address)
    assert "postcode" in asked["text"].lower()  # the form goes on in this conversation
    # The stored id (as `wijkbrug referrals` shows it) opens nothing: it is a new REST conversation.
    stored = "web-" + token.split(".")[1]
    _, answers = post(url, {"sender": stored, "message": "3531"}, address=address)
    from bot.content_review import domain_responses

    next_question = domain_responses()["utter_ask_handoff_window"]  # what the real conversation asks now
    assert all(a["text"] != next_question and "schulden" not in a["text"] for a in answers), answers
    _, [then] = post(url, {"sender": token, "message": "3531"}, address=address)
    assert then["text"] == next_question  # the token's own conversation still goes on
    # A token with another signature, or a made-up one, is refused outright.
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "w1.abc.def", "w1.only"):
        code, _, body = rest_error(url, {"sender": forged, "message": "hoe staat het met mijn aanvraag?"}, address)
        assert code == 401 and "/webchat/conversation" in body["error"]


def test_rest_never_reaches_a_telegram_conversation(server, telegram):
    """A Telegram chat id is no secret. REST's "tg-<id>" is a REST conversation of its own."""
    telegram.user_says(4747, "merhaba, borçlarım için yardım istiyorum")
    telegram.wait_for("sendMessage", chat_id=4747)
    url = server["url"] + "/webhooks/rest/webhook"
    _, answers = post(url, {"sender": "tg-4747", "message": "hoi"}, address="198.51.100.21")
    assert answers[0]["text"].startswith("Hallo!")  # Dutch, a fresh conversation: not the Turkish one
    from bot import conversations

    assert not conversations.owns("rest", "tg-4747") and not conversations.owns("telegram", "web-x")


def test_rest_requests_are_bounded(server):
    url = server["url"] + "/webhooks/rest/webhook"
    address = "198.51.100.22"
    too_big = json.dumps({"sender": "big", "message": "a" * 40_000}).encode()
    code, _, body = rest_error(url, None, address, raw=too_big)
    assert code == 413 and "32768" in body["error"]
    deep = ('{"sender": "deep", "message": "hoi", "metadata": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}").encode()
    code, _, body = rest_error(url, None, address, raw=deep)
    assert code == 400 and "nested" in body["error"]
    for metadata in ({"a": {"b": {"c": {"d": {"e": 1}}}}}, {"note": "x" * 3000}, ["not", "an", "object"]):
        code, _, body = rest_error(url, {"sender": "meta", "message": "hoi", "metadata": metadata}, address)
        assert code == 400 and "metadata" in body["error"]
    # Far beyond what the server takes at all: refused before it is read.
    request = urllib.request.Request(url, data=b"x" * (2 * 1024 * 1024), headers={"X-Forwarded-For": address})
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("a 2 MB body was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 413
    except urllib.error.URLError:
        pass  # the server answered 413 and closed while the client was still sending
    status, _ = post(url, {"sender": "meta", "message": "hoi", "metadata": {"language": "tr"}}, address=address)
    assert status == 200


def test_one_conversation_or_one_address_cannot_flood_the_bot(server):
    url = server["url"] + "/webhooks/rest/webhook"
    codes = []
    for _ in range(13):  # REST_LIMIT_CONVERSATION is 12 an hour here
        try:
            codes.append(post(url, {"sender": "flood", "message": "hoi"}, address="198.51.100.23")[0])
        except urllib.error.HTTPError as error:
            codes.append(error.code)
            assert 0 < int(error.headers["Retry-After"]) <= 3600
            [notice] = json.loads(error.read())
            assert notice["recipient_id"] == "flood" and notice["text"].startswith("U stuurt veel berichten")
    assert codes == [200] * 12 + [429]
    # Another conversation from the same address is still answered.
    assert post(url, {"sender": "calm", "message": "hoi"}, address="198.51.100.23")[0] == 200
    # One address with ever new senders: REST_LIMIT_ADDRESS is 30 an hour here.
    codes = []
    for i in range(31):
        try:
            codes.append(post(url, {"sender": f"many-{i}", "message": "hoi"}, address="198.51.100.24")[0])
        except urllib.error.HTTPError as error:
            codes.append(error.code)
    assert codes == [200] * 30 + [429]
    assert post(url, {"sender": "elsewhere", "message": "hoi"}, address="198.51.100.25")[0] == 200


def test_static_files_and_odd_paths(server):
    for path in ("/webchat/webchat.js", "/webchat/webchat.css", "/webchat/widget.js"):
        with urllib.request.urlopen(server["url"] + path, timeout=10) as reply:
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/webchat/%00", "/webchat/..%2Fserver.py", "/webchat/%2e%2e/settings.py", "/%00", "/webchat/nope.js"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server["url"] + path, timeout=10)
        assert error.value.code == 404, path
        assert json.loads(error.value.read()) == {"error": "not found"}
    with urllib.request.urlopen(server["url"] + "/", timeout=10) as reply:
        policy = reply.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "*" not in policy  # no site may frame it unless listed


def test_run_starts_the_dashboard_with_a_first_login_shown_once(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server['dashboard_port']}/login", timeout=10) as reply:
        assert reply.status == 200
        assert "Inloggen" in reply.read().decode()
    shown = [line for line in server["log"].read_text().splitlines() if line.startswith("dashboard login")]
    assert len(shown) == 1 and "coordinator / " in shown[0]


def test_ctrl_c_stops_the_server_and_the_action_server(server):
    process = server["process"]
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    output = server["log"].read_text()
    assert "wijkbrug is ready: web chat at http://127.0.0.1:" in output
    for port in (server["action_port"], server["dashboard_port"]):
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
