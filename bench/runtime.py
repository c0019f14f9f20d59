"""Cold start, memory and latency of the whole in-process bot.

    .venv/bin/python bench/runtime.py [--turns 400]

Loads the bot as `wijkbrug chat` does (four NLU models, language identifier, dialogue
model, in-process actions, SQLite tracker store in a scratch folder), then measures:
- cold start: seconds to load everything (models already trained);
- RSS after loading (all four language models and the dialogue model together);
- NLU parse including language identification, p50/p95, over the held-out examples;
- a full turn (language id + NLU + dialogue + actions + NLG + tracker store), p50/p95,
  each held-out example sent as a message of its own conversation;
- the same inside whole conversations: the four scripted conversations of
  tests/test_conversations.py (greeting, problem, handoff form with its validation
  actions, a crisis in the middle, consent, language switch), --repeats times each.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400, help="messages to time (default 400)")
    parser.add_argument(
        "--repeats", type=int, default=10, help="times each scripted conversation runs (default 10)"
    )
    args = parser.parse_args()

    from bot import LANGUAGES, settings
    from bot.evaluation import load_examples, percentile
    from bot.runtime import load_bot, quiet_libraries

    quiet_libraries("WARNING")
    scratch = tempfile.mkdtemp()
    os.environ["TRACKER_STORE_URL"] = f"sqlite:///{scratch}/bench.db"
    os.environ["WIJKBRUG_NOW"] = "2026-11-24T20:00"
    before = rss_mb()
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        bot = load_bot(settings.load(), in_process_actions=True)
    cold_start = time.perf_counter() - started
    loaded_rss = rss_mb()

    messages = [
        text for lang in LANGUAGES for text, _ in load_examples(ROOT / "tests" / "nlu" / f"{lang}.yml")
    ][: args.turns]
    loop = asyncio.new_event_loop()
    router = bot.agent.processor.http_interpreter
    from rasa.core.channels.channel import UserMessage

    parse_ms, turn_ms = [], []
    for number, text in enumerate(messages):
        t0 = time.perf_counter()
        loop.run_until_complete(router.parse(UserMessage(text, sender_id=f"parse-{number}")))
        parse_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        loop.run_until_complete(bot.handle(f"rest-bench-{number}", text))
        turn_ms.append((time.perf_counter() - t0) * 1000)

    from tests.test_conversations import SCRIPTS, lines_of

    conversation_ms = []
    for repeat in range(args.repeats):
        for language in SCRIPTS:
            for line in lines_of(language):
                t0 = time.perf_counter()
                # The scripts answer "in this chat": a Telegram conversation (the web chat
                # offers a call or a move to Telegram instead).
                loop.run_until_complete(bot.handle(f"tg-bench-{language}-{repeat}", line, channel="telegram"))
                conversation_ms.append((time.perf_counter() - t0) * 1000)

    print(f"cold start (load all models)   {cold_start:.1f} s")
    print(f"RSS after load                 {loaded_rss:.0f} MB (interpreter before load {before:.0f} MB)")
    print(f"RSS after {len(messages)} turns           {rss_mb():.0f} MB")
    print(
        f"NLU parse incl. language id    p50 {percentile(parse_ms, 0.5):.1f} ms, "
        f"p95 {percentile(parse_ms, 0.95):.1f} ms  (n={len(parse_ms)})"
    )
    print(
        f"full turn                      p50 {percentile(turn_ms, 0.5):.1f} ms, "
        f"p95 {percentile(turn_ms, 0.95):.1f} ms  (n={len(turn_ms)})"
    )
    print(
        f"turn inside a conversation     p50 {percentile(conversation_ms, 0.5):.1f} ms, "
        f"p95 {percentile(conversation_ms, 0.95):.1f} ms  (n={len(conversation_ms)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
