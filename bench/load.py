"""Load: simulated residents in all four languages, through the REST endpoint and through
Telegram (webhook posts into our server, answers to a local fake Bot API), with handoffs,
against the production shape (`wijkbrug run --workers 2`, PostgreSQL, Redis lock).

    .venv/bin/python bench/load.py [--seconds 120] [--residents 6] [--postgres URL] [--redis URL]

Each simulated resident goes through a whole conversation (greeting, a problem, yes, the
handoff form in their own words with a crisis message in the middle, consent, a question
after), then starts again as a new resident; half of them on Telegram. Reported: messages
per second, latency p50/p95/p99 (REST: request to answer; Telegram: webhook post to its
answer, which our server gives once the bot's messages went to the fake Bot API), errors, the peak memory of all our processes.
Afterwards the database is checked: every message sent is in its conversation exactly
once, and every consent made exactly one request whose offer was delivered once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_telegram import FakeTelegram  # noqa: E402  (the same fake the tests use)

NOW = "2026-11-27T19:30"  # a Friday evening: volunteers are on
SECRET = "load-test-secret"
# language: greeting, problem, yes, own words, postcode, crisis, window, consent, question afterwards
SCRIPTS = {
    "nl": ("goedenavond", "ik heb schulden en kan de huur niet betalen", "ja graag", "ik krijg steeds aanmaningen",
           "3531ab", "mijn man slaat mij", "vanavond", "ja", "wat kost het?"),
    "tr": ("iyi akşamlar", "borçlarım var kirayı ödeyemiyorum", "evet lütfen", "sürekli ödeme ihtarı geliyor",
           "3072 AB", "kocam beni dövüyor", "bu akşam", "evet", "ücretli mi?"),
    "ar": ("السلام عليكم", "عندي ديون وما قدرتش نخلص الكراء", "نعم من فضلك", "كتجيني رسائل ديال الخلاص بزاف",
           "3073", "راجلي كيضربني", "الليلة", "نعم", "واش خاصني نخلص؟"),
    "pap": ("bon nochi", "mi tin debe i mi no por paga hür", "si, por fabor", "mi ta haña karta di aanmaning tur ratu",
            "3081", "mi kasá ta dal mi", "awe anochi", "si", "kuantu e ta kosta?"),
}


def lines(language: str, on_telegram: bool) -> list[str]:
    greet, problem, yes, words, postcode, crisis, window, consent, question = SCRIPTS[language]
    how = ['/inform{"handoff_channel": "chat"}'] if on_telegram else ['/inform{"handoff_channel": "phone"}', "0612345678"]
    return [greet, problem, yes, words, postcode, crisis, "/request_volunteer", window, *how, consent, question]


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.sent: dict[str, int] = {}  # conversation -> messages sent
        self.consented: set[str] = set()

    def record(self, conversation: str, started: float, error: str | None = None) -> None:
        with self.lock:
            self.sent[conversation] = self.sent.get(conversation, 0) + 1
            if error:
                self.errors.append(error)
            else:
                self.latencies.append((time.perf_counter() - started) * 1000)


def post(url: str, body: dict, headers: dict | None = None, timeout: float = 30):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return reply.status, reply.read()


def rest_resident(base: str, sender: str, script: list[str], results: Results, stop: threading.Event,
                  conversation: str) -> None:
    """`sender` is what the client sends; `conversation` the id the server keeps it under."""
    for number, text in enumerate(script):
        if stop.is_set():
            return
        started = time.perf_counter()
        try:
            status, body = post(base + "/webhooks/rest/webhook", {"sender": sender, "message": text})
            answer = json.loads(body)
            error = None if status == 200 and answer and answer[0].get("text") else f"REST empty answer ({status})"
        except (urllib.error.URLError, OSError, ValueError) as failure:
            error = f"REST {type(failure).__name__}"
        results.record(conversation, started, error)
        if number == len(script) - 2 and not error:
            with results.lock:
                results.consented.add(conversation)


def telegram_resident(base: str, fake: FakeTelegram, chat: int, script: list[str], results: Results,
                      stop: threading.Event, update_ids) -> None:
    conversation = f"tg-{chat}"
    for number, text in enumerate(script):
        if stop.is_set():
            return
        before = len(fake.sent_to(chat))
        tap = text.startswith("/") and not text.startswith("/start")
        update = ({"callback_query": {"id": str(next(update_ids)), "from": {"id": chat, "is_bot": False, "first_name": "R"},
                                      "chat_instance": "1", "data": text,
                                      "message": {"message_id": 1, "date": int(time.time()),
                                                  "chat": {"id": chat, "type": "private"}, "text": "..."}}}
                  if tap else
                  {"message": {"message_id": next(update_ids), "date": int(time.time()),
                               "chat": {"id": chat, "type": "private", "first_name": "R"},
                               "from": {"id": chat, "is_bot": False, "first_name": "R"}, "text": text}})
        started = time.perf_counter()
        error = None
        try:
            status, _body = post(base + "/telegram/webhook", {"update_id": next(update_ids), **update},
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            if status != 200:
                error = f"webhook {status}"
        except (urllib.error.URLError, OSError) as failure:
            error = f"webhook {type(failure).__name__}"
        # The webhook answers once the update is handled: the turn's messages are all sent.
        if error is None and len(fake.sent_to(chat)) == before:
            error = "Telegram: no answer"
        results.record(conversation, started, error)
        if number == len(script) - 2 and not error:
            with results.lock:
                results.consented.add(conversation)


def memory_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            pass
    return total / 1024


def check_database(url: str, results: Results) -> list[str]:
    from sqlalchemy import create_engine, text

    problems = []
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        stored = dict(connection.execute(text(
            "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' GROUP BY sender_id")).all())
        requests = dict(connection.execute(text(
            "SELECT conversation, count(*) FROM referrals GROUP BY conversation")).all())
        offers = connection.execute(text(
            "SELECT count(*), count(delivered_at), coalesce(max(attempts), 0) FROM outbox WHERE kind = 'offer'")).one()
    engine.dispose()
    for conversation, sent in results.sent.items():
        if stored.get(conversation, 0) != sent:
            problems.append(f"{conversation}: {sent} sent, {stored.get(conversation, 0)} stored")
    for conversation in results.consented:
        if requests.get(conversation, 0) != 1:
            problems.append(f"{conversation}: consent made {requests.get(conversation, 0)} requests")
    extra = set(requests) - results.consented
    if extra:
        problems.append(f"requests without a counted consent: {sorted(extra)[:5]}")
    if offers[0] != offers[1]:
        problems.append(f"offers not delivered: {offers[0] - offers[1]} of {offers[0]}")
    return problems, len(results.consented), offers


def main() -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot import conversations, server_key
    from bot.evaluation import percentile
    from bot.processes import wait_for_http

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--residents", type=int, default=6, help="simulated residents at the same time")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its name is printed)")
    args = parser.parse_args()

    server_url = make_url(args.postgres)
    name = f"wijkbrug_load_{uuid.uuid4().hex[:8]}"
    database = str(server_url.set(database=name))
    fake = FakeTelegram().start()
    port, actions, dashboard = 5605, 5655, 5606
    var = Path(f"/tmp/{name}")
    env = dict(os.environ, WIJKBRUG_VAR=str(var), DATABASE_URL=database, TRACKER_STORE_URL=database,
               LOCK_STORE_URL=args.redis, WIJKBRUG_NOW=NOW, WIJKBRUG_PORT=str(port), ACTION_SERVER_PORT=str(actions),
               DASHBOARD_PORT=str(dashboard), TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url,
               TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook", TELEGRAM_WEBHOOK_SECRET=SECRET,
               WIJKBRUG_LOG_LEVEL="WARNING",
               # One client address plays every resident, each sending as fast as it is answered.
               REST_LIMIT_CONVERSATION="1000000/60", REST_LIMIT_ADDRESS="1000000/60")
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--workers", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(f"/tmp/{name}.log", "w"), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    rest_key = server_key.derive(var, "rest")  # the server's own, made in var/ at its start
    results, stop = Results(), threading.Event()
    peak = [0.0]
    try:
        wait_for_http(base + "/health", server, seconds=300)
        time.sleep(3)  # both workers up and their webhooks set
        counter, chats, update_ids = itertools.count(), itertools.count(900_000), itertools.count(1)
        rng = random.Random(5)

        def resident_loop() -> None:
            while not stop.is_set():
                number = next(counter)
                language = list(SCRIPTS)[number % 4]
                if rng.random() < 0.5:
                    telegram_resident(base, fake, next(chats), lines(language, True), results, stop, update_ids)
                else:
                    sender = f"load-{number}"
                    rest_resident(base, sender, lines(language, False), results, stop,
                                  conversations.rest_conversation(rest_key, sender))

        threads = [threading.Thread(target=resident_loop, daemon=True) for _ in range(args.residents)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while time.perf_counter() - started < args.seconds:
            time.sleep(1)
            peak[0] = max(peak[0], memory_mb(server.pid))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.perf_counter() - started
        time.sleep(25)  # housekeeping delivers anything a turn did not
        problems, consents, offers = check_database(database, results)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        fake.stop()
        if args.keep:
            print(f"kept: {database}")
        else:
            admin = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    count = len(results.latencies) + len(results.errors)
    print(f"{count} messages in {elapsed:.0f} s: {count / elapsed:.1f} messages/s, {args.residents} residents at once, "
          f"{len(results.sent)} conversations ({sum(1 for c in results.sent if c.startswith('tg-'))} on Telegram)")
    print(f"latency p50 {percentile(results.latencies, .5):.0f} ms, p95 {percentile(results.latencies, .95):.0f} ms, "
          f"p99 {percentile(results.latencies, .99):.0f} ms")
    print(f"errors: {len(results.errors)} {sorted(set(results.errors))[:5]}")
    print(f"peak memory of all processes (2 workers, action server, dashboard, parent): {peak[0]:.0f} MB")
    print(f"consents {consents}, offers saved {offers[0]}, delivered {offers[1]}, most attempts {offers[2]}")
    print("database check: " + ("every message stored once, one request per consent, every offer delivered"
                                if not problems else f"{len(problems)} problems: {problems[:5]}"))
    for problem in problems[5:40] if os.environ.get("LOAD_ALL_PROBLEMS") else []:
        print("  ", problem)
    return 0 if not problems and not results.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
