"""Shared fixtures: the real trained models (cached by input hash) and a ready bot.

Models are the ones `make train` builds from the repository's data; a test session that
finds them up to date trains nothing. Conversations go to a fresh SQLite file per session.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIJKBRUG = [sys.executable, "-m", "bot.cli"]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def test_env(tmp_path_factory) -> dict:
    """Environment for subprocesses: our own var/ folder, the repository's models."""
    var = tmp_path_factory.mktemp("var")
    env = dict(os.environ)
    env.update(
        WIJKBRUG_VAR=str(var),
        TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
        PYTHONUNBUFFERED="1",
    )
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.pop("WIJKBRUG_NOW", None)
    return env


@pytest.fixture(scope="session")
def model_paths(project_root) -> dict:
    from bot import settings
    from bot.training import ensure_models

    return ensure_models(project_root, settings.load().models_dir)


@pytest.fixture(scope="session")
def event_loop_session():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def bot(model_paths, tmp_path_factory, event_loop_session):
    """One in-process bot for the whole session (loading models takes seconds)."""
    from bot import settings
    from bot.runtime import load_bot

    db = tmp_path_factory.mktemp("bot") / "conversations.db"
    os.environ["TRACKER_STORE_URL"] = f"sqlite:///{db}"
    try:
        return load_bot(settings.load(), in_process_actions=True)
    finally:
        os.environ.pop("TRACKER_STORE_URL", None)


@pytest.fixture
def say(bot, event_loop_session, request):
    """say(text, sender=None) -> Turn, through the whole in-process bot."""

    def _say(text: str, sender: str | None = None, metadata: dict | None = None):
        sender = sender or f"test-{request.node.name}"
        return event_loop_session.run_until_complete(bot.turn(sender, text, metadata))

    return _say


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def wijkbrug_server(args: list[str], env: dict, log: Path, health_url: str):
    """`wijkbrug run` or `serve` in its own process group until the block ends (Ctrl-C, then kill)."""
    from bot.processes import wait_for_http

    if args[0] == "run" and "DASHBOARD_PORT" not in env:  # run starts the dashboard too
        env = dict(env, DASHBOARD_PORT=str(free_port()))
    process = subprocess.Popen([*WIJKBRUG, *args], env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_http(health_url, process, seconds=240)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def wijkbrug_cli(env: dict, *args: str) -> str:
    """Runs a `wijkbrug` command; returns its output (and fails the test on an error)."""
    result = subprocess.run([*WIJKBRUG, *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def rest_conversation(env: dict, sender: str) -> str:
    """The conversation id a REST client's own `sender` opens on the server of `env`."""
    from bot import conversations, server_key

    return conversations.rest_conversation(server_key.derive(Path(env["WIJKBRUG_VAR"]), "rest"), sender)


@pytest.fixture(scope="module")
def telegram():
    """A local fake of the Telegram Bot API over HTTP, for one test module."""
    from tests.fake_telegram import FakeTelegram

    fake = FakeTelegram().start()
    yield fake
    fake.stop()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- our database ------------------------------------------------------------------------
# Every test of the store runs on SQLite, and also on PostgreSQL when
# WIJKBRUG_TEST_POSTGRES names a server (.ci/run sets it to the machine's local one).
# Each backend gets a fresh database, migrated once; each test starts from empty tables.

def _backends():
    backends = ["sqlite"]
    if os.environ.get("WIJKBRUG_TEST_POSTGRES"):
        backends.append("postgresql")
    return backends


@pytest.fixture(scope="session", params=_backends())
def migrated_database(request, tmp_path_factory):
    from bot.store.database import engine_for, migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'wijkbrug.db'}"
        migrate(url)
        yield url
        return
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(os.environ["WIJKBRUG_TEST_POSTGRES"])
    name = f"wijkbrug_test_{uuid.uuid4().hex[:10]}"
    # pool_pre_ping: tests/test_production.py restarts PostgreSQL in the middle of the session.
    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True, pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(server.set(database=name))
    migrate(url)
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database(migrated_database):
    """An empty, migrated database (SQLite and, when configured, PostgreSQL)."""
    from sqlalchemy import delete

    from bot.store.database import session_scope
    from bot.store.tables import metadata

    with session_scope(migrated_database) as session:
        for table in reversed(metadata.sorted_tables):
            session.execute(delete(table))
    return migrated_database


@pytest.fixture
def demo_directory(database):
    """The sample directory of Utrecht and Rotterdam, loaded into the empty database."""
    from bot.directory import importer
    from bot.store.database import session_scope

    with session_scope(database) as session:
        importer.load(session, importer.parse(ROOT / "data" / "demo" / "directory.yml"))
    return database
