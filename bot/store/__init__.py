"""Our own data (SQLAlchemy): the directory of teams and people, referrals, the outbox.

Rasa keeps the conversations in its tracker store; everything else lives here, in the
database of DATABASE_URL (SQLite by default, PostgreSQL in production), created and
upgraded by Alembic migrations (bot/store/migrations).
"""
