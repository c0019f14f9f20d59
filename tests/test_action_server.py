"""The custom action server (rasa_sdk) answers over HTTP, as `make run` uses it, and only to
callers that carry the bot's shared secret."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import server_key
from bot.processes import wait_for_http
from bot.store.database import session_scope
from bot.store.prepare import prepare
from bot.store.tables import Referral
from tests.conftest import free_port, stop


@pytest.fixture(scope="module")
def env(test_env, tmp_path_factory):
    """Its own var/ folder and database, prepared (with the sample directory) as `make run` does."""
    from bot import settings

    var = tmp_path_factory.mktemp("actions-var")
    env = dict(test_env, WIJKBRUG_VAR=str(var), DATABASE_URL=f"sqlite:///{var / 'wijkbrug.db'}",
               WIJKBRUG_NOW="2026-11-28T20:00")  # a Saturday evening
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", env["DATABASE_URL"])
        patch.setenv("WIJKBRUG_VAR", str(var))
        prepare(settings.load())
    return env


@pytest.fixture(scope="module")
def action_server(env):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "actions", "--port", str(port)], env=env
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process, seconds=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def token(env):
    """What the bot sends: derived from the secret in the var/ folder both processes share."""
    return server_key.action_server_token(Path(env["WIJKBRUG_VAR"]))


@pytest.fixture
def post(token):
    def _post(url, body, authorization=f"Bearer {token}"):
        headers = {"Content-Type": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())

    return _post


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


def test_lists_our_actions(action_server, token):
    request = urllib.request.Request(f"{action_server}/actions", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        names = {a["name"] for a in json.loads(reply.read())}
    assert {"action_greet", "action_choose_language"} <= names


def test_greet_after_hours_over_http(action_server, post):
    result = post(f"{action_server}/webhook", action_call("action_greet"))
    assert result["responses"][0]["response"] == "utter_greet_after_hours"


def test_choose_language_confirms_a_named_language(action_server, post):
    latest = {"intent": {"name": "choose_language"}, "entities": [], "language_requested": "tr"}
    result = post(f"{action_server}/webhook", action_call("action_choose_language", latest))
    assert result["responses"][0]["response"] == "utter_language_switched"


def test_unknown_action_is_a_404(action_server, post):
    with pytest.raises(urllib.error.HTTPError) as error:
        post(f"{action_server}/webhook", action_call("action_does_not_exist"))
    assert error.value.code == 404


def test_a_hand_made_tracker_without_the_token_runs_no_action(action_server, post, env):
    """The attack: a consented handoff form posted straight to the action server, with any
    sender and any phone number. Without the bot's token: 401, and no referral is made;
    the same call with the token does make one (so the check above could have failed)."""
    call = action_call("action_submit_handoff")
    call["tracker"]["slots"].update(
        handoff_consent=True, handoff_topic="schulden", handoff_preference="volunteer", handoff_channel="phone",
        handoff_phone="0612345678", handoff_window="now", postcode="3531")

    def referrals():
        with session_scope(env["DATABASE_URL"]) as session:
            return session.execute(select(func.count()).select_from(Referral)).scalar()

    for authorization in (None, "Bearer wrong", "Bearer ", "Basic abc"):
        with pytest.raises(urllib.error.HTTPError) as error:
            post(action_server + "/webhook", call, authorization=authorization)
        assert error.value.code == 401
        headers = {"Authorization": authorization} if authorization else {}
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(urllib.request.Request(action_server + "/actions", headers=headers), timeout=10)
        assert error.value.code == 401
    assert referrals() == 0
    with urllib.request.urlopen(f"{action_server}/health", timeout=10) as reply:
        assert reply.status == 200  # what supervisors poll stays open
    post(action_server + "/webhook", call)  # the bot itself
    assert referrals() == 1
