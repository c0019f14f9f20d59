"""End to end through `wijkbrug chat --json`: real models, real dialogue, real actions."""

import json
import subprocess
import sys

import pytest

from bot import i18n

GREETING = (
    "Hallo! Ik ben de chatbot van het wijkteam. Ik beantwoord uw vragen en breng u in "
    "contact met iemand die uw taal spreekt. Waar kan ik u mee helpen?"
)
EVENING_GREETING = (
    "Goedenavond! Het kantoor van het wijkteam is nu dicht, maar ik ben er wel. Ik "
    "beantwoord uw vragen en zoek iemand die uw taal spreekt. Waar kan ik u mee helpen?"
)
SWITCHED = "Goed, vanaf nu praat ik Nederlands met u."
TUESDAY_MORNING = "2026-11-24T10:00"
TUESDAY_EVENING = "2026-11-24T21:30"


def shown(language, dutch):
    return i18n.for_display(language, i18n.gettext(language, dutch))


def chat(env, lines, sender, now=TUESDAY_MORNING):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--json", "--sender", sender, "--now", now],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(turns) == len([line for line in lines if line.strip()])
    return turns


@pytest.fixture(scope="module")
def first_run(test_env, model_paths):
    return chat(
        test_env,
        ["hallo, goedenavond", "", '/choose_language{"language": "pap"}', "bo ta un robot?"],
        sender="e2e-1",
    )


def test_every_line_is_one_json_object_with_the_contract_keys(first_run):
    for turn in first_run:
        assert set(turn) >= {"user", "language", "intent", "confidence", "bot", "buttons", "actions"}


def test_a_greeting_in_dutch_is_answered_in_dutch(first_run):
    greeting = first_run[0]
    assert greeting["user"] == "hallo, goedenavond"
    assert greeting["language"] == "nl"
    assert greeting["intent"] == "greet"
    assert greeting["actions"] == ["action_greet"]  # a custom action, run in-process
    assert greeting["bot"] == [GREETING]
    assert {"title": "Wat is het wijkteam?", "payload": "/what_is_wijkteam"} in greeting["buttons"]


def test_a_button_payload_switches_the_language(first_run):
    switch = first_run[1]
    assert switch["intent"] == "choose_language" and switch["confidence"] == 1.0
    assert switch["language"] == "pap"
    assert switch["bot"] == [shown("pap", SWITCHED)]
    robot = first_run[2]
    assert robot["language"] == "pap" and robot["intent"] == "bot_challenge"


def test_the_same_sender_keeps_its_conversation_across_runs(first_run, test_env):
    # "ok" alone says nothing about the language: the conversation stays in Papiamentu.
    (again,) = chat(test_env, ["ok"], sender="e2e-1")
    assert again["language"] == "pap"


def test_after_hours_the_bot_says_the_office_is_closed(test_env, model_paths):
    (turn,) = chat(test_env, ["merhaba iyi akşamlar"], sender="e2e-evening", now=TUESDAY_EVENING)
    assert turn["language"] == "tr"
    assert turn["bot"] == [shown("tr", EVENING_GREETING)]
