"""Whole conversations through `wijkbrug chat --json`, one per language, in parallel.

Each resident: greets after office hours, tells a money problem, accepts the offer of a
person, fills the handoff form in their own words, writes a crisis message in the middle
of the form (answered at once, then the form goes on), gives consent, and then switches
language. Every answer is checked against the catalog text of the expected language.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot import i18n
from bot.content_review import domain_responses

FRIDAY_EVENING = "2026-11-27T21:30"
CHANNEL_CHAT = '/inform{"handoff_channel": "chat"}'

# language: (greeting, money problem, yes, topic in own words, crisis, window typed,
#            yes, switch request, switched-to language, question in that language, postcode)
SCRIPTS = {
    "nl": ("goedenavond", "ik heb schulden en kan de huur niet betalen", "ja graag",
           "ik krijg steeds aanmaningen", "mijn man slaat mij", "morgenavond", "ja",
           "kunnen we in het turks praten?", "tr", "ücretli mi?", "3531ab"),
    "tr": ("iyi akşamlar", "borçlarım var kirayı ödeyemiyorum", "evet lütfen",
           "sürekli ödeme ihtarı geliyor", "kocam beni dövüyor", "bu akşam", "evet",
           "hollandaca konuşabilir miyiz", "nl", "wat kost het?", "3072 AB"),
    "ar": ("السلام عليكم", "عندي ديون وما قدرتش نخلص الكراء", "نعم من فضلك",
           "كتجيني رسائل ديال الخلاص بزاف", "راجلي كيضربني", "الليلة", "نعم",
           "تكلم معي باللغة الهولندية من فضلك", "nl", "wat kost het?", "3073"),
    "pap": ("bon nochi", "mi tin debe i mi no por paga hür", "si, por fabor",
            "mi ta haña karta di aanmaning tur ratu", "mi kasá ta dal mi", "awe anochi", "si",
            "bo por kambia pa hulandes?", "nl", "wat kost het?", "3081"),
}
WINDOWS = {"nl": "tomorrow_evening", "tr": "tonight", "ar": "tonight", "pap": "tonight"}
# On that Friday evening (data/demo/directory.yml): who gets the request. Nobody who speaks
# Dutch serves Lombok on Saturday evening, so the Dutch request waits in the team's queue.
ASSIGNEE = {"nl": None, "tr": "Emre", "ar": "Mohamed", "pap": "Giovanni"}
DUTCH = domain_responses()


def shown(language, response):
    return i18n.for_display(language, i18n.gettext(language, DUTCH[response]))


def chat(env, lines, sender):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--json", "--sender", sender, "--now", FRIDAY_EVENING],
        input="".join(line + "\n" for line in lines),
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def lines_of(language):
    greet, problem, yes, topic, crisis, window, consent, switch, _, question, postcode = SCRIPTS[language]
    return [greet, problem, yes, topic, postcode, crisis, "/request_volunteer", window, CHANNEL_CHAT,
            consent, switch, question]


@pytest.fixture(scope="module")
def conversations(test_env, model_paths):
    with ThreadPoolExecutor(max_workers=len(SCRIPTS)) as pool:
        futures = {lang: pool.submit(chat, test_env, lines_of(lang), f"e2e-{lang}") for lang in SCRIPTS}
        return {lang: future.result() for lang, future in futures.items()}


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_conversation_in_each_language(conversations, language):
    turns = conversations[language]
    assert len(turns) == 12
    greet, problem, offer, topic, postcode, crisis, preference, window, channel, consent, switch, after = turns

    assert [t["language"] for t in turns[:10]] == [language] * 10
    assert greet["actions"] == ["action_greet"]
    assert greet["bot"] == [shown(language, "utter_greet_after_hours")]

    assert problem["actions"] == ["utter_problem_money", "utter_offer_person"]
    assert problem["bot"] == [shown(language, "utter_problem_money"), shown(language, "utter_offer_person")]

    assert offer["actions"] == ["handoff_form"]
    assert offer["bot"] == [shown(language, "utter_ask_handoff_topic")]
    assert topic["bot"] == [shown(language, "utter_ask_postcode")]
    assert postcode["bot"] == [shown(language, "utter_ask_handoff_preference")]

    # The crisis is answered first, with Veilig Thuis, then the same question again.
    assert crisis["intent"] == "domestic_violence"
    assert crisis["actions"] == ["utter_domestic_violence", "handoff_form"]
    assert crisis["bot"] == [shown(language, "utter_domestic_violence"), shown(language, "utter_ask_handoff_preference")]
    assert "0800-2000" in crisis["bot"][0]

    assert preference["bot"] == [shown(language, "utter_ask_handoff_window")]
    assert window["bot"] == [shown(language, "utter_ask_handoff_channel")], "typed window not understood"

    summary = channel["bot"][0]
    assert SCRIPTS[language][3] in summary  # the topic in the resident's own words
    window_name = {"tonight": "Vanavond", "tomorrow_evening": "Morgenavond"}[WINDOWS[language]]
    assert i18n.gettext(language, window_name) in summary
    assert [b["payload"] for b in channel["buttons"]] == ["/affirm", "/deny"]

    assert consent["actions"] == ["handoff_form", "action_submit_handoff"]
    [told] = consent["bot"]
    if ASSIGNEE[language]:
        assert told.count(ASSIGNEE[language]) >= 2, told  # the first name, more than once
    else:
        assert "030 000 0104" in told  # the team's own phone number, honestly queued

    new_language, question = SCRIPTS[language][8], SCRIPTS[language][9]
    assert switch["intent"] == "choose_language"
    assert switch["language"] == new_language
    assert switch["bot"] == [shown(new_language, "utter_language_switched")]
    assert after["language"] == new_language
    assert after["bot"] == [shown(new_language, "utter_cost")], question


def test_arabic_answers_are_right_to_left_with_isolated_numbers(conversations):
    crisis = conversations["ar"][5]["bot"][0]
    assert crisis.startswith(i18n.RLM)
    assert f"{i18n.LRI}0800-2000{i18n.PDI}" in crisis


@pytest.fixture(scope="module")
def way_out(test_env, model_paths):
    return chat(
        test_env,
        ["hoi", "ik wil een vrijwilliger", "stop", "qwzx vbnk plmr", "zxqw plmk", "ja",
         "schulden", "wis mijn gegevens", "ja"],
        sender="e2e-way-out",
    )


def test_stop_ends_the_form_and_passes_nothing_on(way_out):
    assert way_out[1]["actions"] == ["handoff_form"]
    assert way_out[2]["intent"] == "cancel_request"
    assert way_out[2]["bot"] == [shown("nl", "utter_handoff_cancelled")]


def test_two_misunderstandings_in_a_row_offer_a_person(way_out):
    first, second, yes = way_out[3], way_out[4], way_out[5]
    assert first["bot"] == [shown("nl", "utter_ask_rephrase_topics")]
    assert len(first["buttons"]) == 3
    assert second["bot"] == [shown("nl", "utter_ask_rephrase_person")]
    assert yes["actions"] == ["handoff_form"]


def test_forget_me_in_the_middle_of_the_form_erases_the_conversation(way_out, conversations, test_env):
    import sqlite3

    ask, confirmed = way_out[7], way_out[8]
    assert ask["actions"] == ["action_deactivate_loop", "action_cancel_handoff", "utter_ask_forget_me"]
    assert confirmed["bot"] == [shown("nl", "utter_forgotten")]
    database = test_env["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        left = db.execute("select count(*) from events where sender_id = ?", ("e2e-way-out",)).fetchone()[0]
        others = db.execute("select count(*) from events where sender_id = 'e2e-nl'").fetchone()[0]
    assert left == 0
    assert others > 0


def wijkbrug(env, *args):
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_referrals_json_has_the_contract_fields(conversations, test_env):
    rows = json.loads(wijkbrug(test_env, "referrals", "--json"))
    mine = {r["conversation"]: r for r in rows if r["conversation"].startswith("e2e-")}
    assert set(mine) >= {"e2e-nl", "e2e-tr", "e2e-ar", "e2e-pap"}
    for row in mine.values():
        assert set(row) >= {"id", "created_at", "conversation", "language", "topic", "status", "team",
                            "window_start", "window_end", "assignee"}
    assert mine["e2e-tr"]["assignee"] == {"kind": "volunteer", "id": mine["e2e-tr"]["assignee"]["id"],
                                          "name": "Emre Kaya", "languages": ["tr", "nl"]}
    assert mine["e2e-tr"]["topic"] == SCRIPTS["tr"][3]
    assert mine["e2e-nl"]["assignee"] is None and mine["e2e-nl"]["status"] == "requested"
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True)  # newest first


def test_when_the_volunteer_accepts_the_resident_hears_it_next(conversations, test_env):
    rows = json.loads(wijkbrug(test_env, "referrals", "--json"))
    referral = next(r for r in rows if r["conversation"] == "e2e-pap")
    wijkbrug(test_env, "referral", "accept", str(referral["id"]), "--by", "volunteer:v-giovanni-rosaria",
             "--now", FRIDAY_EVENING)
    [turn] = chat(test_env, ["danki"], "e2e-pap")
    assert "Giovanni" in turn["bot"][0]  # the news first, in Papiamentu
    assert turn["bot"][0] != turn["bot"][-1]
    [again] = chat(test_env, ["danki"], "e2e-pap")
    assert not any("Giovanni" in text for text in again["bot"])  # told once
    status = json.loads(wijkbrug(test_env, "referrals", "--json", "--status", "accepted"))
    assert [r["id"] for r in status if r["conversation"] == "e2e-pap"] == [referral["id"]]


def test_forget_me_erases_the_residents_referral_too(conversations, test_env):
    before = json.loads(wijkbrug(test_env, "referrals", "--json"))
    assert any(r["conversation"] == "e2e-ar" for r in before)
    turns = chat(test_env, ["امسح بياناتي من فضلك", "نعم"], "e2e-ar")
    assert turns[0]["intent"] == "forget_me"
    assert turns[1]["bot"] == [shown("ar", "utter_forgotten")]
    after = json.loads(wijkbrug(test_env, "referrals", "--json"))
    assert not any(r["conversation"] == "e2e-ar" for r in after)
    assert len(after) == len(before) - 1
