"""`wijkbrug eval-nlu`: the JSON contract other tools rely on, and the table."""

import json
import subprocess
import sys

import pytest

EXAMPLES = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - merhaba, iyi akşamlar
    - selamlar herkese
- intent: emergency
  examples: |
    - yangın var evde acil
- intent: find_wijkteam
  examples: |
    - benim wijkteam nerede, postcode [3531 AB](postcode)
"""


@pytest.fixture(scope="module")
def nlu_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("eval") / "tr-sample.yml"
    path.write_text(EXAMPLES, encoding="utf-8")
    return path


def eval_nlu(*args, env=None):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "eval-nlu", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_json_contract_with_language_auto(nlu_file, test_env, model_paths):
    summary = json.loads(eval_nlu(nlu_file, "--lang", "auto", "--expect-lang", "tr", "--json", env=test_env))
    assert summary["n"] == 4
    for key in ("intent_accuracy", "intent_macro_f1", "language_accuracy"):
        assert 0.0 <= summary[key] <= 1.0
    assert len(summary["predictions"]) == 4
    first = summary["predictions"][0]
    assert set(first) == {"text", "intent", "predicted_intent", "confidence", "language"}
    assert first["text"] == "merhaba, iyi akşamlar" and first["intent"] == "greet"
    # the annotation is stripped from the text the model sees
    assert summary["predictions"][3]["text"] == "benim wijkteam nerede, postcode 3531 AB"
    assert summary["language_accuracy"] == 1.0


def test_table_without_json(nlu_file, test_env, model_paths):
    table = eval_nlu(nlu_file, "--lang", "tr", env=test_env)
    assert "intent macro-F1" in table and "greet" in table


def test_bad_arguments_are_clear_errors(nlu_file, test_env):
    for args, message in (
        ([nlu_file, "--lang", "fr"], "--lang must be auto or one of"),
        (["/no/such/file.yml", "--lang", "nl"], "no such file"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "eval-nlu", *map(str, args)],
            capture_output=True, text=True, env=test_env,
        )
        assert result.returncode != 0 and message in result.stderr
