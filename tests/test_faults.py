"""Faults: the action server stops, Redis (the lock store) goes away. The resident gets
a kind message in their language instead of silence, their message is kept, and the bot
answers normally again as soon as the part is back, without a restart.

(A process killed between saving a request and sending its notification:
tests/test_referrals.py; a conversation surviving a restart: tests/test_telegram_restart.py;
a worker killed while the other goes on: tests/test_production.py.)
"""

import json
import os
import signal
import subprocess
import time
import urllib.request

from bot import i18n
from bot.processes import wait_for_http
from bot.runtime import SORRY
from tests.conftest import WIJKBRUG, free_port, rest_conversation, wijkbrug_server

MONDAY_MORNING = "2026-11-23T10:00"


def say(url, sender, message):
    request = urllib.request.Request(url + "/webhooks/rest/webhook", method="POST",
                                     data=json.dumps({"sender": sender, "message": message}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        assert reply.status == 200
        return [m.get("text", "") for m in json.loads(reply.read())]


def sorry(language):
    return i18n.gettext(language, SORRY)


def start_actions(env, port):
    process = subprocess.Popen([*WIJKBRUG, "actions", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_http(f"http://127.0.0.1:{port}/health", process, seconds=120)
    return process


def start_redis(port):
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() != "PONG":
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.1)
    return process


def test_the_action_server_stops_and_comes_back(test_env, model_paths, tmp_path):
    var, port, action_port = tmp_path / "var", free_port(), free_port()
    env = dict(test_env, WIJKBRUG_VAR=str(var), TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
               ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook", ACTION_SERVER_PORT=str(action_port),
               WIJKBRUG_NOW=MONDAY_MORNING)  # the action server's clock too
    actions = start_actions(env, action_port)
    try:
        with wijkbrug_server(["serve", "--port", str(port)], env, tmp_path / "serve.log",
                             f"http://127.0.0.1:{port}/health"):
            url = f"http://127.0.0.1:{port}"
            assert say(url, "fault-1", "merhaba")[0].startswith("Merhaba")  # action_greet, on the action server
            os.killpg(actions.pid, signal.SIGKILL)
            actions.wait()
            during = say(url, "fault-1", "merhaba")
            assert sorry("tr") in " ".join(during)  # in Turkish, not silence
            actions = start_actions(env, action_port)
            assert say(url, "fault-1", "merhaba")[0].startswith("Merhaba")  # back, no restart of the bot
            exported = subprocess.run([*WIJKBRUG, "resident-export", rest_conversation(env, "fault-1")], env=env, capture_output=True,
                                      text=True, timeout=120)
            said = [m["text"] for m in json.loads(exported.stdout)["conversation"] if m["from"] == "resident"]
            assert said == ["merhaba"] * 3  # the message during the outage is kept too
    finally:
        if actions.poll() is None:
            os.killpg(actions.pid, signal.SIGKILL)


def test_redis_goes_away_and_comes_back(test_env, model_paths, tmp_path, telegram):
    from tests.fake_telegram import exchange

    var, port, redis_port = tmp_path / "var", free_port(), free_port()
    redis = start_redis(redis_port)
    env = dict(test_env, WIJKBRUG_VAR=str(var), TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
               LOCK_STORE_URL=f"redis://127.0.0.1:{redis_port}/0", TELEGRAM_BOT_TOKEN=telegram.token,
               TELEGRAM_BASE_URL=telegram.base_url, WIJKBRUG_NOW=MONDAY_MORNING)
    try:
        with wijkbrug_server(["serve", "--in-process-actions", "--port", str(port)], env,
                             tmp_path / "serve.log", f"http://127.0.0.1:{port}/health"):
            url = f"http://127.0.0.1:{port}"
            assert say(url, "fault-2", "bon dia")[0].startswith("Halo!")
            [hello] = exchange(telegram, 7301, telegram.user_says, "merhaba")
            assert hello["text"].startswith("Merhaba")
            redis.kill()
            redis.wait()
            assert say(url, "fault-2", "bon dia") == [sorry("pap")]  # the REST endpoint says so
            told = exchange(telegram, 7301, telegram.user_says, "merhaba")
            assert sorry("tr") in told[-1]["text"]  # and so does Telegram
            redis = start_redis(redis_port)
            assert say(url, "fault-2", "bon dia")[0].startswith("Halo!")
            assert exchange(telegram, 7301, telegram.user_says, "merhaba")[0]["text"].startswith("Merhaba")
    finally:
        redis.kill()
        redis.wait()


