"""Regression guard: held-out NLU quality per language must not fall below its floor.

Floors sit a little under the figures measured with `wijkbrug eval-nlu` (see
docs/benchmarks.md), so a change that makes the bot understand residents worse fails CI.
The held-out files tests/nlu/<lang>.yml are never trained on.
"""

import contextlib
import sys
from pathlib import Path

import pytest

from bot import LANGUAGES
from bot.evaluation import NluEvaluator, load_examples

HELD_OUT = Path(__file__).resolve().parent / "nlu"
MACRO_F1_FLOOR = {"nl": 0.93, "tr": 0.89, "ar": 0.89, "pap": 0.88}
LANGUAGE_ID_FLOOR_3PLUS_WORDS = 0.97


@pytest.fixture(scope="module")
def evaluator(model_paths):
    with contextlib.redirect_stdout(sys.stderr):
        return NluEvaluator(model_paths, list(LANGUAGES))


@pytest.mark.parametrize("language", LANGUAGES)
def test_intent_macro_f1_floor(evaluator, language):
    summary = evaluator.evaluate(load_examples(HELD_OUT / f"{language}.yml"), language, None)
    assert summary["n"] >= 33 * 8
    assert summary["intent_macro_f1"] >= MACRO_F1_FLOOR[language], summary["per_intent_f1"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_identification_floor(evaluator, language):
    summary = evaluator.evaluate(load_examples(HELD_OUT / f"{language}.yml"), None, language)
    assert summary["language_accuracy_3plus_words"] >= LANGUAGE_ID_FLOOR_3PLUS_WORDS
