"""The production shape: two bot workers on one port, conversations in PostgreSQL, a
Redis lock per conversation, so messages of one resident arriving at both workers at the
same moment are handled one after the other and none is lost.

Needs the local PostgreSQL and Redis (.ci/run sets WIJKBRUG_TEST_POSTGRES and
WIJKBRUG_TEST_REDIS when they answer); skipped, with the reason shown, without them.
"""

import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import WIJKBRUG, free_port, rest_conversation, wijkbrug_server

POSTGRES, REDIS = os.environ.get("WIJKBRUG_TEST_POSTGRES"), os.environ.get("WIJKBRUG_TEST_REDIS")
needs_services = pytest.mark.skipif(not (POSTGRES and REDIS), reason="needs WIJKBRUG_TEST_POSTGRES and WIJKBRUG_TEST_REDIS")


@pytest.fixture(scope="module")
def database():
    """A database name that does not exist yet: the bot creates it itself."""
    server = make_url(POSTGRES)
    name = f"wijkbrug_prod_{uuid.uuid4().hex[:8]}"
    yield str(server.set(database=name))
    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def workers(test_env, model_paths, database, tmp_path_factory):
    var = tmp_path_factory.mktemp("prod")
    port = free_port()
    env = dict(test_env, WIJKBRUG_VAR=str(var), DATABASE_URL=database, TRACKER_STORE_URL=database,
               LOCK_STORE_URL=REDIS, WIJKBRUG_NOW="2026-11-27T21:30",
               # These tests send as fast as they are answered, from one address.
               REST_LIMIT_CONVERSATION="100000/60", REST_LIMIT_ADDRESS="100000/60")
    with wijkbrug_server(["serve", "--workers", "2", "--in-process-actions", "--port", str(port)], env,
                         var / "serve.log", f"http://127.0.0.1:{port}/health") as process:
        yield {"url": f"http://127.0.0.1:{port}", "process": process, "database": database,
               "conversation": lambda sender: rest_conversation(env, sender)}


def say(url, sender, message):
    request = urllib.request.Request(url + "/webhooks/rest/webhook", method="POST",
                                     data=json.dumps({"sender": sender, "message": message}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(child) for child in f.read().split()]


@needs_services
def test_two_workers_serve_one_conversation_without_losing_a_message(workers):
    assert len(children(workers["process"].pid)) == 2  # two worker processes behind one port
    messages = ["merhaba", "wijkteam nedir?", "ücretli mi?", "çocuklarımı alırlar mı?", "gizlilik nasıl?",
                "teşekkürler", "akşam açık mısınız?", "merhaba tekrar"]
    senders = [f"prod-{n}" for n in range(2)]
    jobs = [(sender, message) for _round in range(3) for message in messages for sender in senders]
    with ThreadPoolExecutor(max_workers=16) as pool:  # all at once: both workers get each resident
        answers = list(pool.map(lambda job: say(workers["url"], *job), jobs))
    assert all(answer and answer[0].get("text") for answer in answers)
    engine = create_engine(workers["database"], future=True)
    with engine.connect() as connection:
        for sender in senders:
            user_texts = connection.execute(text(
                "SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id"),
                {"sender": workers["conversation"](sender)}).scalars().all()
            assert sorted(json.loads(d)["text"] for d in user_texts) == sorted(messages * 3)  # none lost
            listens = connection.execute(text(
                "SELECT count(*) FROM events WHERE sender_id = :sender AND action_name = 'action_listen'"),
                {"sender": workers["conversation"](sender)}).scalar_one()
            assert listens >= 3 * len(messages)  # every message got its whole turn
    engine.dispose()


def test_several_workers_are_refused_without_a_lock_store(test_env):
    env = dict(test_env)
    env.pop("LOCK_STORE_URL", None)
    result = subprocess.run([*WIJKBRUG, "serve", "--workers", "2"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "LOCK_STORE_URL" in result.stderr


def test_lock_store_url_is_read_into_a_redis_mutex():
    from rasa.core.lock_store import InMemoryLockStore

    from bot.lock_store import RedisMutexLockStore
    from bot.runtime import lock_store_for

    assert isinstance(lock_store_for(None), InMemoryLockStore)
    store = lock_store_for("redis://:secret@redis.internal:6380/3")
    assert isinstance(store, RedisMutexLockStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("redis.internal", 6380, 3, "secret")
    with pytest.raises(ValueError):
        lock_store_for("http://localhost:6379")


@needs_services
def test_the_lock_lets_one_holder_in_at_a_time():
    """Many holders of one conversation's lock from two stores (as two workers): never two
    inside at once; other conversations are not held up."""
    import asyncio

    from bot.lock_store import RedisMutexLockStore

    async def run():
        stores = [RedisMutexLockStore(REDIS), RedisMutexLockStore(REDIS)]
        inside, most, order = [0], [0], []

        async def hold(store, name, number):
            async with store.lock(name, lock_lifetime=10):
                inside[0] += name == "same"
                most[0] = max(most[0], inside[0])
                await asyncio.sleep(0.005)
                inside[0] -= name == "same"
                order.append((name, number))

        await asyncio.gather(*(hold(stores[n % 2], "same", n) for n in range(30)),
                             hold(stores[0], "other", 99))
        for store in stores:
            await store.red.close()
        return most[0], order

    most, order = asyncio.run(run())
    assert most == 1 and len(order) == 31
    assert order.index(("other", 99)) < 25  # not queued behind the 30 of the other conversation


@needs_services
def test_a_worker_killed_mid_conversation_the_other_goes_on(workers):
    """kill -9 one of the two workers in the middle of a handoff form: the resident goes on
    with the other worker, from where they were (the conversation is in PostgreSQL)."""
    url, sender = workers["url"], "prod-killed"
    for message in ("goedenavond", "ik wil met een vrijwilliger praten", "ik krijg steeds aanmaningen"):
        assert say(url, sender, message)[0]["text"]
    victim = children(workers["process"].pid)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while victim in children(workers["process"].pid):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    answers = [say(url, sender, message) for message in (
        "3072 AB", '/inform{"handoff_window": "tomorrow"}', '/inform{"handoff_channel": "phone"}',
        "0612340000", "/affirm")]
    assert all(answer and answer[0].get("text") for answer in answers)
    engine = create_engine(workers["database"], future=True)
    with engine.connect() as connection:
        topic = connection.execute(text("SELECT topic FROM referrals WHERE conversation = :s"),
                                   {"s": workers["conversation"](sender)}).scalar_one()
    engine.dispose()
    assert topic == "ik krijg steeds aanmaningen"  # the form kept what was said before the kill


def restart_postgresql():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True, timeout=120)


@needs_services
@pytest.mark.skipif(not os.path.isdir("/etc/postgresql") or os.geteuid() != 0,
                    reason="restarts the machine's own PostgreSQL cluster (Debian's pg_ctlcluster, as root)")
def test_postgresql_restarts_under_a_running_bot(workers):
    """The database goes away for a moment: what was saved stays, a message in the gap gets
    the kind message at worst, and the bot answers again by itself (no restart of ours)."""
    url, sender = workers["url"], "prod-pg-restart"
    for message in ("goedenavond", "ik wil met een vrijwilliger praten", "ik heb hulp nodig met brieven",
                    "3072 AB", '/inform{"handoff_window": "tomorrow"}', '/inform{"handoff_channel": "phone"}',
                    "0612341111", "/affirm"):
        assert say(url, sender, message)[0]["text"]
    restart_postgresql()
    replies = [say(url, sender, "dank je wel") for _ in range(3)]  # the first may meet a dead connection
    assert all(reply and reply[0]["text"] for reply in replies)  # never silence
    assert "er ging iets mis" not in replies[-1][0]["text"]  # recovered by itself
    engine = create_engine(workers["database"], future=True)
    with engine.connect() as connection:
        conversation = workers["conversation"](sender)
        saved = connection.execute(text("SELECT count(*) FROM referrals WHERE conversation = :s"),
                                   {"s": conversation}).scalar_one()
        offers = connection.execute(text(
            "SELECT count(*) FROM outbox o JOIN referrals r ON r.id = o.referral_id "
            "WHERE r.conversation = :s AND o.recipient_kind <> 'resident'"), {"s": conversation}).scalar_one()
    engine.dispose()
    assert saved == 1 and offers >= 1  # the request and its notification survived
