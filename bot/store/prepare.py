"""Makes the database ready: newest schema, and the sample directory when it is empty."""

from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager
from typing import Iterator

from bot.settings import Settings
from bot.store.database import create_database_if_missing, migrate, session_scope
from bot.store.tables import Team

logger = logging.getLogger(__name__)


@contextmanager
def _one_at_a_time(settings: Settings) -> Iterator[None]:
    """Processes started together (bot, tests) migrate and load the sample data once."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.var_dir / "prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare(settings: Settings) -> None:
    with _one_at_a_time(settings):
        if create_database_if_missing(settings.database_url):
            logger.info("created the database named in DATABASE_URL")
        migrate(settings.database_url)
        with session_scope(settings.database_url) as session:
            if session.query(Team).count():
                return
            from bot.directory import importer

            demo = settings.project_root / "data" / "demo" / "directory.yml"
            counts = importer.load(session, importer.parse(demo))
    logger.info("empty directory: loaded the sample data of %s (%s)", demo.name,
                ", ".join(f"{n} {k}" for k, n in counts.items()))
