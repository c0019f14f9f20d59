"""Held-out NLU figures per language: wijkbrug's pipelines against stock Rasa.

    .venv/bin/python bench/nlu_vs_stock.py            # prints the table, updates docs/benchmarks.md

"Stock" is the config `rasa init` writes (an empty pipeline, which Rasa fills with its
default pipeline: DIET with 2 transformer layers, ResponseSelector, FallbackClassifier
0.3), trained per language on the same nlu/<lang>/ data. Both are evaluated on
tests/nlu/<lang>.yml, which no model is trained on. Stock models are cached in
bench/.cache by a hash of their inputs; training them takes a long time on 2 cores.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import LANGUAGES, settings  # noqa: E402
from bot.evaluation import NluEvaluator, load_examples  # noqa: E402
from bot.training import ensure_models  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- nlu-vs-stock:begin -->", "<!-- nlu-vs-stock:end -->"


def rasa_init_template() -> Path:
    """The config `rasa init` writes, as installed with Rasa."""
    import rasa.cli

    return Path(rasa.cli.__file__).parent / "initial_project" / "config.yml"


def stock_config() -> Path:
    """A copy of that config to train from (Rasa rewrites the file it trains from)."""
    copy = CACHE / "rasa-init-config.yml"
    if not copy.exists():
        copy.write_bytes(rasa_init_template().read_bytes())
    return copy


def stock_model_path(language: str) -> Path:
    import rasa

    digest = hashlib.sha256(f"stock rasa=={rasa.__version__}".encode())
    digest.update(rasa_init_template().read_bytes())
    for path in sorted((ROOT / "nlu" / language).glob("*.yml")):
        digest.update(path.name.encode() + path.read_bytes())
    return CACHE / f"stock-{language}-{digest.hexdigest()[:16]}.tar.gz"


def train_stock(language: str) -> float:
    from bot.runtime import quiet_libraries

    quiet_libraries("WARNING")
    from rasa.model_training import train_nlu

    started = time.monotonic()
    target = stock_model_path(language)
    with contextlib.redirect_stdout(sys.stderr):
        train_nlu(
            config=str(stock_config()),
            nlu_data=str(ROOT / "nlu" / language),
            output=str(target.parent),
            fixed_model_name=target.name.removesuffix(".tar.gz"),
        )
    return time.monotonic() - started


def main() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    missing = [lang for lang in LANGUAGES if not stock_model_path(lang).exists()]
    stock_seconds: dict[str, float] = {}
    if missing:
        print(f"training stock Rasa NLU for {', '.join(missing)} (slow)", file=sys.stderr)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            for language, seconds in zip(missing, pool.map(train_stock, missing)):
                stock_seconds[language] = seconds
                print(f"stock {language}: {seconds:.0f} s", file=sys.stderr)

    ours = ensure_models(ROOT, settings.load().models_dir)
    stock_paths = {f"nlu-{lang}": stock_model_path(lang) for lang in LANGUAGES}
    stock_paths["langid"] = ours["langid"]
    with contextlib.redirect_stdout(sys.stderr):
        evaluate_ours = NluEvaluator(ours, list(LANGUAGES))
        evaluate_stock = NluEvaluator(stock_paths, list(LANGUAGES))

    rows = []
    for language in LANGUAGES:
        examples = load_examples(ROOT / "tests" / "nlu" / f"{language}.yml")
        with contextlib.redirect_stdout(sys.stderr):
            mine = evaluate_ours.evaluate(examples, language, None)
            routed = evaluate_ours.evaluate(examples, None, language)
            theirs = evaluate_stock.evaluate(examples, language, None)
        rows.append(
            f"| {language} | {len(examples)} "
            f"| {mine['intent_accuracy']:.3f} | {mine['intent_macro_f1']:.3f} "
            f"| {routed['intent_macro_f1']:.3f} "
            f"| {routed['language_accuracy']:.3f} | {routed['language_accuracy_3plus_words']:.3f} "
            f"| {theirs['intent_accuracy']:.3f} | {theirs['intent_macro_f1']:.3f} |"
        )
    table = "\n".join(
        [
            "| language | n | ours: intent accuracy | ours: macro-F1 | ours, language auto-detected: macro-F1 "
            "| language-id accuracy | language-id, 3+ words | stock Rasa: intent accuracy | stock Rasa: macro-F1 |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    if stock_seconds:
        print("stock training seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in stock_seconds.items()))
    update_doc(table)
    return 0


def update_doc(table: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
