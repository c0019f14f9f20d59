"""The custom action server (rasa_sdk) answers over HTTP, as `make run` uses it."""

import json
import subprocess
import sys
import urllib.request

import pytest

from bot.processes import wait_for_http
from tests.conftest import free_port, stop


@pytest.fixture(scope="module")
def action_server(test_env):
    port = free_port()
    env = dict(test_env, WIJKBRUG_NOW="2026-11-28T20:00")  # a Saturday evening
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "actions", "--port", str(port)], env=env
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process, seconds=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def action_call(name, latest_message=None):
    return {
        "next_action": name,
        "sender_id": "http-test",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "http-test",
            "slots": {"language": "tr"},
            "latest_message": latest_message or {"intent": {"name": "greet"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_lists_our_actions(action_server):
    with urllib.request.urlopen(f"{action_server}/actions", timeout=10) as reply:
        names = {a["name"] for a in json.loads(reply.read())}
    assert {"action_greet", "action_choose_language"} <= names


def test_greet_after_hours_over_http(action_server):
    result = post(f"{action_server}/webhook", action_call("action_greet"))
    assert result["responses"][0]["response"] == "utter_greet_after_hours"


def test_choose_language_confirms_a_named_language(action_server):
    latest = {"intent": {"name": "choose_language"}, "entities": [], "language_requested": "tr"}
    result = post(f"{action_server}/webhook", action_call("action_choose_language", latest))
    assert result["responses"][0]["response"] == "utter_language_switched"


def test_unknown_action_is_a_404(action_server):
    with pytest.raises(urllib.error.HTTPError) as error:
        post(f"{action_server}/webhook", action_call("action_does_not_exist"))
    assert error.value.code == 404
