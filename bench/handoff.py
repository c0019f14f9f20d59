"""Handoff speed: matching over many volunteers, and consent to notification.

    .venv/bin/python bench/handoff.py [--volunteers 1000] [--conversations 40] [--database URL]

1. Matching: a scratch database (SQLite unless --database) with the sample directory plus
   N generated volunteers who all serve one team, with random languages and weekly
   availability; `matching.choose` timed 200 times for random languages and windows.
2. Consent to notification: the whole in-process bot (as `wijkbrug chat` runs it) takes
   scripted residents through the handoff form; for each consent message, the time from
   handing the message to the bot until the offer reaches the delivery interface.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def bench_matching(url: str, volunteers: int, runs: int) -> list[float]:
    from bot.clock import parse_iso
    from bot.directory import importer
    from bot.handoff import matching
    from bot.handoff.windows import WINDOW_NAMES, resident_window
    from bot.store.database import migrate, session_scope
    from bot.store.tables import Organisation, Schedule, Team, Volunteer

    migrate(url)
    rng = random.Random(7)
    with session_scope(url) as session:
        importer.load(session, importer.parse(ROOT / "data" / "demo" / "directory.yml"))
        team = session.query(Team).filter_by(code="rotterdam-charlois").one()
        organisation = session.query(Organisation).first()
        for number in range(volunteers):
            languages = rng.sample(["nl", "tr", "ar", "pap"], k=rng.randint(1, 3))
            day = rng.randint(0, 6)
            start = rng.choice([9, 13, 17, 18, 19]) * 60
            session.add(Volunteer(
                code=f"bench-{number}", name=f"Bench Volunteer {number}", organisation=organisation,
                languages=" ".join(languages), max_open_handoffs=3, active=True, teams=[team],
                availability=[Schedule(weekday=(day + k) % 7, start_minute=start, end_minute=start + 180)
                              for k in range(3)],
            ))
        team_id = team.id
    now = parse_iso("2026-11-27T19:30")
    timings = []
    with session_scope(url) as session:
        for _ in range(runs):
            start, end = resident_window(rng.choice(WINDOW_NAMES), now)
            t0 = time.perf_counter()
            matching.choose(session, language=rng.choice(["nl", "tr", "ar", "pap"]), team_id=team_id,
                            preference="volunteer", start=start, end=end)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


class StopwatchDelivery:
    """Records when each notification is handed to the delivery interface."""

    def __init__(self) -> None:
        self.handed: dict[int, float] = {}

    async def send(self, notification) -> None:
        self.handed[notification["referral"]] = time.perf_counter()


def bench_consent(conversations: int) -> list[float]:
    from bot.runtime import load_bot, quiet_libraries
    from tests.test_conversations import SCRIPTS

    quiet_libraries("WARNING")
    with contextlib.redirect_stdout(sys.stderr):
        bot = load_bot(in_process_actions=True)
    bot.delivery = StopwatchDelivery()
    loop = asyncio.new_event_loop()
    timings = []
    languages = list(SCRIPTS)
    for number in range(conversations):
        language = languages[number % len(languages)]
        greet, problem, yes, topic, _crisis, _window, consent, *_rest, postcode = SCRIPTS[language]
        sender = f"tg-{800_000 + number}"  # a Telegram conversation, as the channel requires
        for line in [greet, problem, yes, topic, postcode, "/request_volunteer",
                     '/inform{"handoff_window": "now"}', '/inform{"handoff_channel": "chat"}']:
            # On Telegram: the web chat would not offer "in this chat" (it offers a call or Telegram).
            loop.run_until_complete(bot.handle(sender, line, channel="telegram"))
        before = set(bot.delivery.handed)
        t0 = time.perf_counter()
        loop.run_until_complete(bot.handle(sender, consent, channel="telegram"))
        new = set(bot.delivery.handed) - before
        for referral in new:
            timings.append((bot.delivery.handed[referral] - t0) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=1000)
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--database", help="SQLAlchemy URL of an EMPTY scratch database (default: SQLite)")
    args = parser.parse_args()

    from bot.evaluation import percentile

    scratch = tempfile.mkdtemp()
    os.environ["WIJKBRUG_VAR"] = scratch
    os.environ["WIJKBRUG_NOW"] = "2026-11-27T19:30"  # a Friday evening: volunteers are free
    url = args.database or f"sqlite:///{scratch}/matching.db"
    matching_ms = bench_matching(url, args.volunteers, 200)
    print(f"matching over {args.volunteers} volunteers of one team   p50 {percentile(matching_ms, 0.5):.1f} ms, "
          f"p95 {percentile(matching_ms, 0.95):.1f} ms  (n={len(matching_ms)}, {url.split(':')[0]})")
    consent_ms = bench_consent(args.conversations)
    print(f"consent -> notification handed to delivery      p50 {percentile(consent_ms, 0.5):.0f} ms, "
          f"p95 {percentile(consent_ms, 0.95):.0f} ms  (n={len(consent_ms)} of {args.conversations} consents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
