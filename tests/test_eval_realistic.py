"""`wijkbrug eval-realistic`: the whole bot on residents' messages and conversations. Checked
here on a small file of our own (the real set is tests/realistic/, written by another hand):
what each figure counts, and that a conversation answers whichever question comes next."""

import json
import subprocess

import yaml

from tests.conftest import WIJKBRUG

SMALL = {
    "language": "nl",
    "messages": [
        {"text": "ik heb schulden en de huur is te laat", "intent": "problem_money", "crisis": False},
        {"text": "mijn man slaat mij", "intent": "domestic_violence", "crisis": True},
        {"text": "wat is het wijkteam eigenlijk", "intent": "what_is_wijkteam", "crisis": False},
    ],
    "conversations": [
        {"id": "nl-now", "who": "types 'nu meteen' when asked when", "opening": ["ik wil met een vrijwilliger praten"],
         "answers": {"topic": "huurachterstand", "postcode": "3072 AB", "preference": "maakt niet uit",
                     "window": "nu meteen", "channel": "bel me maar", "phone": "06-12 34 56 78", "consent": "ja"},
         "consents": True},
        {"id": "nl-no", "who": "says no at the end", "opening": ["ik heb schulden"], "accept_offer": "ja graag",
         "answers": {"topic": "schulden", "postcode": "3531", "preference": "vrijwilliger", "window": "vanavond",
                     "channel": "hier in de chat", "consent": "nee toch maar niet"},
         "consents": False},
    ],
}


def test_eval_realistic_counts_what_residents_get(test_env, model_paths, tmp_path):
    path = tmp_path / "nl.yml"
    path.write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    result = subprocess.run([*WIJKBRUG, "eval-realistic", str(path), "--json"], capture_output=True, text=True,
                            env=test_env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    summary = report["summary"]
    assert summary["messages"] == 3 and summary["crisis_messages"] == 1
    assert summary["crisis_recall"] == 1.0 and summary["false_crisis"] == 0
    assert summary["on_topic"] == round(sum(m["predicted_intent"] == m["intent"] for m in report["messages"]) / 3, 4)
    now, no = report["conversations"]
    assert now["outcome"] == "submitted" and now["referral"] and not now["repeated"]
    assert now["asked"][-1] == "handoff_consent" and "handoff_preference" not in now["asked"]  # asked for a volunteer
    assert no["reached_consent"] and not no["referral"] and no["success"]  # "no" leaves nothing behind
    assert summary["referrals"] == "1/1" and summary["successful"] == 2 and summary["repeated"] == 0
