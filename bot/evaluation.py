"""`wijkbrug eval-nlu`: intent and language-id accuracy on a Rasa NLU YAML file.

Each example is parsed on its own, as the first message of a fresh conversation (no sticky
language), through the same language identifier and per-language NLU models the bot uses.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import LANGUAGES
from bot.router import choose_language
from bot.vocabulary import guard, training_vocabulary

FALLBACK_INTENT = "nlu_fallback"


@dataclass
class Prediction:
    text: str
    intent: str
    predicted_intent: str | None
    confidence: float
    language: str | None
    milliseconds: float = field(default=0.0, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "predicted_intent": self.predicted_intent,
            "confidence": round(self.confidence, 4),
            "language": self.language,
        }


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file, entity annotations removed."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


class NluEvaluator:
    """Loads the language identifier and the NLU models it needs, once."""

    def __init__(self, model_paths: dict[str, Path], languages: list[str]) -> None:
        from rasa.core.agent import Agent

        from bot.langid import LanguageIdentifier

        self.identifier = LanguageIdentifier.load(model_paths["langid"])
        self.agents = {lang: Agent.load(str(model_paths[f"nlu-{lang}"])) for lang in languages}
        root = Path(__file__).resolve().parent.parent
        self.vocabularies = {lang: training_vocabulary(root / "nlu" / lang, lang) for lang in languages}
        self.loop = asyncio.new_event_loop()

    def predict(self, text: str, language: str | None) -> Prediction:
        """language=None identifies it, as the router does for a first message."""
        started = time.perf_counter()
        if language is None:
            language = choose_language(self.identifier.identify(text), None, None)
        parsed = self.loop.run_until_complete(self.agents[language].parse_message(text))
        parsed = guard(parsed, text, language, self.vocabularies[language])  # as the router does
        intent = parsed.get("intent") or {}
        return Prediction(
            text=text,
            intent="",
            predicted_intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            language=language,
            milliseconds=(time.perf_counter() - started) * 1000,
        )

    def evaluate(
        self, examples: list[tuple[str, str]], language: str | None, expect: str | None
    ) -> dict[str, Any]:
        predictions = []
        for text, intent in examples:
            prediction = self.predict(text, language)
            prediction.intent = intent
            predictions.append(prediction)
        return summarise(predictions, expect if language is None else None)


def intent_scores(truth: list[str], guessed: list[str]) -> tuple[float, float]:
    """(accuracy, macro-F1) over the true intents; a fallback counts as a miss, not a class."""
    from sklearn.metrics import f1_score

    if not truth:
        return 0.0, 0.0
    accuracy = sum(t == g for t, g in zip(truth, guessed)) / len(truth)
    labels = sorted(set(truth))
    macro_f1 = float(f1_score(truth, guessed, labels=labels, average="macro", zero_division=0))
    return accuracy, macro_f1


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summarise(predictions: list[Prediction], expect_language: str | None) -> dict[str, Any]:
    truth = [p.intent for p in predictions]
    guessed = [p.predicted_intent or FALLBACK_INTENT for p in predictions]
    n = len(predictions)
    accuracy, macro_f1 = intent_scores(truth, guessed)
    summary: dict[str, Any] = {
        "n": n,
        "intent_accuracy": round(accuracy, 4),
        "intent_macro_f1": round(macro_f1, 4),
        "fallback_rate": round(guessed.count(FALLBACK_INTENT) / n, 4) if n else 0.0,
    }
    if expect_language:
        hits = [p.language == expect_language for p in predictions]
        summary["language_accuracy"] = round(sum(hits) / n, 4) if n else 0.0
        long = [h for h, p in zip(hits, predictions) if len(p.text.split()) >= 3]
        summary["language_accuracy_3plus_words"] = round(sum(long) / len(long), 4) if long else None
    times = [p.milliseconds for p in predictions]
    if times:
        summary["parse_ms_p50"] = round(percentile(times, 0.5), 2)
        summary["parse_ms_p95"] = round(percentile(times, 0.95), 2)
    summary["per_intent_f1"] = per_intent_f1(truth, guessed, sorted(set(truth)))
    summary["predictions"] = [p.as_dict() for p in predictions]
    return summary


def per_intent_f1(truth: list[str], guessed: list[str], labels: list[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    scores = f1_score(truth, guessed, labels=labels, average=None, zero_division=0)
    return {label: round(float(score), 4) for label, score in zip(labels, scores)}


def table(summary: dict[str, Any]) -> str:
    """A human-readable report: summary figures, then F1 per intent, then the misses."""
    lines = [
        f"examples           {summary['n']}",
        f"intent accuracy    {summary['intent_accuracy']:.3f}",
        f"intent macro-F1    {summary['intent_macro_f1']:.3f}",
        f"fallback rate      {summary['fallback_rate']:.3f}",
    ]
    if "language_accuracy" in summary:
        lines.append(f"language accuracy  {summary['language_accuracy']:.3f}")
        if summary.get("language_accuracy_3plus_words") is not None:
            lines.append(f"  (3+ words)       {summary['language_accuracy_3plus_words']:.3f}")
    if "parse_ms_p50" in summary:
        lines.append(f"parse ms p50/p95   {summary['parse_ms_p50']:.1f} / {summary['parse_ms_p95']:.1f}")
    lines += ["", f"{'intent':<24} F1"]
    lines += [f"{name:<24} {score:.2f}" for name, score in summary["per_intent_f1"].items()]
    misses = [p for p in summary["predictions"] if p["intent"] != p["predicted_intent"]]
    if misses:
        lines += ["", "misses (text -> predicted, expected):"]
        lines += [
            f"  {p['text']!r} -> {p['predicted_intent']} ({p['confidence']:.2f}), {p['intent']}"
            f" [{p['language']}]"
            for p in misses
        ]
    return "\n".join(lines)


def languages_for(lang: str) -> list[str]:
    return list(LANGUAGES) if lang == "auto" else [lang]
