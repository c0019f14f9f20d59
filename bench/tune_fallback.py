"""Chooses each language's fallback thresholds by cross-validation on its TRAINING data.

    .venv/bin/python bench/tune_fallback.py [--folds 5] [--keep 0.98]

The held-out files in tests/nlu/ are never looked at. Per language, 5-fold cross-validation
on nlu/<lang>/ with the fallback switched off collects, for every training example, the
top intent, its confidence and the margin to the second. Then, on a grid of
(threshold, ambiguity_threshold), it keeps the settings under which at least --keep of the
correct predictions still get through, and among those picks the one that stops the most
wrong predictions (they go to "please rephrase" instead of a wrong answer).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THRESHOLDS = [round(0.05 * k, 2) for k in range(0, 9)]
AMBIGUITIES = [0.0, 0.01, 0.02, 0.03, 0.05, 0.08]


def cross_validated_predictions(language: str, folds: int) -> list[tuple[bool, float, float]]:
    """(correct, top confidence, margin to the second) for every training example."""
    from bot.runtime import quiet_libraries

    quiet_libraries("WARNING")
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(ROOT / "nlu" / language))
    examples = data.intent_examples
    config = yaml.safe_load((ROOT / f"config-{language}.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            component["threshold"], component["ambiguity_threshold"] = 0.0, 0.0
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (scratch / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        for fold in range(folds):
            test = [e for i, e in enumerate(examples) if i % folds == fold]
            train = [e for i, e in enumerate(examples) if i % folds != fold]
            subset = TrainingData(training_examples=train, entity_synonyms=data.entity_synonyms,
                                  regex_features=data.regex_features, lookup_tables=data.lookup_tables)
            (scratch / "nlu.yml").write_text(RasaYAMLWriter().dumps(subset), encoding="utf-8")
            with contextlib.redirect_stdout(sys.stderr):
                model = train_nlu(config=str(scratch / "config.yml"), nlu_data=str(scratch / "nlu.yml"),
                                  output=str(scratch), fixed_model_name=f"fold{fold}")
                agent = Agent.load(model)
            import asyncio

            loop = asyncio.new_event_loop()
            for example in test:
                parsed = loop.run_until_complete(agent.parse_message(example.get("text")))
                ranking = parsed.get("intent_ranking") or [parsed["intent"]]
                top = ranking[0]
                second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
                results.append((top["name"] == example.get("intent"), top["confidence"], top["confidence"] - second))
            loop.close()
            print(f"{language}: fold {fold + 1}/{folds} done", file=sys.stderr)
    return results


def choose(results, keep: float):
    correct = [r for r in results if r[0]]
    wrong = [r for r in results if not r[0]]
    best = None
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            def passes(r):
                return r[1] >= threshold and r[2] >= ambiguity
            kept = sum(passes(r) for r in correct) / len(correct)
            stopped = sum(not passes(r) for r in wrong) / max(1, len(wrong))
            if kept >= keep and (best is None or stopped > best[3]):
                best = (threshold, ambiguity, kept, stopped)
    return best, len(correct) / len(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--keep", type=float, default=0.98, help="share of correct answers to let through")
    parser.add_argument("languages", nargs="*", default=["nl", "tr", "ar", "pap"])
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        all_results = dict(zip(args.languages, pool.map(cross_validated_predictions, args.languages,
                                                        [args.folds] * len(args.languages))))
    print("| language | CV accuracy without fallback | threshold | ambiguity | correct kept | wrong stopped |")
    print("|---|---|---|---|---|---|")
    for language, results in all_results.items():
        (threshold, ambiguity, kept, stopped), accuracy = choose(results, args.keep)
        print(f"| {language} | {accuracy:.3f} | {threshold} | {ambiguity} | {kept:.3f} | {stopped:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
