"""`wijkbrug run` (what `make run` starts): web chat page and REST endpoint over HTTP,
with the action server as a separate process."""

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import free_port, wait_for_http


@pytest.fixture(scope="module")
def server(test_env, model_paths):
    port, action_port = free_port(), free_port()
    env = dict(test_env, WIJKBRUG_PORT=str(port), ACTION_SERVER_PORT=str(action_port))
    env.pop("ACTION_SERVER_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--now", "2026-11-24T10:00"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        yield {"url": f"http://127.0.0.1:{port}", "process": process, "action_port": action_port}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def post(url, body, raw=None):
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return reply.status, json.loads(reply.read())


def test_web_chat_page_is_served(server):
    with urllib.request.urlopen(server["url"] + "/", timeout=10) as reply:
        page = reply.read().decode()
    assert "<title>Wijkteam chat</title>" in page
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


def test_ctrl_c_stops_the_server_and_the_action_server(server):
    process = server["process"]
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    output = process.stdout.read()
    assert "wijkbrug is ready: web chat at http://127.0.0.1:" in output
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{server['action_port']}/health", timeout=2)
