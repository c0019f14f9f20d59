"""Train one NLU config on one language's data and score it on held-out examples.

    .venv/bin/python bench/nlu_config.py CONFIG LANG [--data nlu/LANG] [--test tests/nlu/LANG.yml]

Used to choose the pipeline (docs/benchmarks.md, "Choosing the classifier"): prints the
training time, and accuracy / macro-F1 both with the FallbackClassifier's decision
(nlu_fallback counts as a miss) and by the best-ranked real intent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("lang")
    parser.add_argument("--data", help="NLU data folder (default nlu/LANG)")
    parser.add_argument("--test", help="held-out file (default tests/nlu/LANG.yml)")
    args = parser.parse_args()

    from bot.runtime import quiet_libraries

    quiet_libraries("ERROR")
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    from bot.evaluation import intent_scores, load_examples

    data = args.data or str(ROOT / "nlu" / args.lang)
    test = Path(args.test or ROOT / "tests" / "nlu" / f"{args.lang}.yml")
    with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(sys.stderr):
        started = time.monotonic()
        model = train_nlu(config=args.config, nlu_data=data, output=scratch, fixed_model_name="m")
        seconds = time.monotonic() - started
        agent = Agent.load(model)
        loop = asyncio.new_event_loop()
        truth, decided, best = [], [], []
        for text, intent in load_examples(test):
            parsed = loop.run_until_complete(agent.parse_message(text))
            ranking = [r for r in parsed["intent_ranking"] if r["name"] != "nlu_fallback"]
            truth.append(intent)
            decided.append(parsed["intent"]["name"])
            best.append(ranking[0]["name"] if ranking else "nlu_fallback")

    def score(predicted: list[str]) -> str:
        accuracy, macro_f1 = intent_scores(truth, predicted)
        return f"accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}"

    print(f"{Path(args.config).name} {args.lang}: trained in {seconds:.0f} s")
    print(f"  with fallback: {score(decided)}")
    print(f"  best intent:   {score(best)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
