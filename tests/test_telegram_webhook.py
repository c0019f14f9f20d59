"""Webhook mode: Telegram posts updates to /telegram/webhook with our secret in a header.

A call without the right secret is refused (403) and reaches no handler; the right one is
answered like a polled update. Runs `wijkbrug serve` against the local fake Bot API.
"""

import json
import time
import urllib.error
import urllib.request

import pytest

from bot import i18n
from bot.telegram_channel import WELCOME
from tests.conftest import free_port, wijkbrug_server

SECRET = "s3cret-for-tests_only"


@pytest.fixture(scope="module")
def webhook_server(test_env, model_paths, tmp_path_factory, telegram):
    port = free_port()
    var = tmp_path_factory.mktemp("webhook-var")
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    env = dict(test_env, WIJKBRUG_PORT=str(port), WIJKBRUG_VAR=str(var),
               TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
               TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_BASE_URL=telegram.base_url,
               TELEGRAM_WEBHOOK_URL=url, TELEGRAM_WEBHOOK_SECRET=SECRET)
    with wijkbrug_server(["serve", "--in-process-actions"], env, var / "serve.log",
                         f"http://127.0.0.1:{port}/health"):
        yield telegram, url


def start_update(update_id, chat_id):
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": "/start",
        "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "is_bot": False, "first_name": "R"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


def post(url, body, secret):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_webhook_is_registered_with_the_secret(webhook_server):
    telegram, url = webhook_server
    [registered] = telegram.wait_for("setWebhook")
    assert registered["url"] == url and registered["secret_token"] == SECRET
    assert not any(method == "getUpdates" for method, _ in telegram.calls)  # no polling


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x"])
def test_a_call_with_a_wrong_secret_is_refused(webhook_server, secret):
    telegram, url = webhook_server
    chat = 9100 + len(secret or "")
    assert post(url, start_update(100 + chat, chat), secret) == 403
    time.sleep(1)
    assert telegram.sent_to(chat) == []


def test_a_call_with_the_secret_is_answered(webhook_server):
    telegram, url = webhook_server
    assert post(url, start_update(7, 9200), SECRET) == 200
    [welcome] = telegram.wait_for("sendMessage", chat_id=9200)
    assert i18n.gettext("tr", WELCOME) in welcome["text"]


def test_a_body_that_is_not_a_telegram_update_gets_400_and_the_next_one_works(webhook_server):
    """Found by fuzzing (tests/test_fuzz.py): this update used to give a 500."""
    telegram, url = webhook_server
    broken = {"update_id": 8, "message": {"message_id": 1, "date": 0, "chat": {"id": 9300, "type": "private"},
                                          "from": {"id": 1, "is_bot": False, "first_name": ""}, "entities": [None]}}
    assert post(url, broken, SECRET) == 400
    assert post(url, start_update(9, 9301), SECRET) == 200
    assert telegram.wait_for("sendMessage", chat_id=9301)
