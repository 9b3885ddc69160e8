"""The PostgreSQL store, through asyncpg: chosen with DATABASE_URL=postgresql://… (or
postgres://…) for a database server the operator already runs."""

from bot.storage.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
