"""What only PostgreSQL has: its own migrations (applied once by processes starting
together, refused when newer than the build), a password in DATABASE_URL that never shows,
`videobot migrate`, `doctor`'s database row and `run` without SQLite's file lock."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from pathlib import Path

import asyncpg
import pytest

from adapters.cli import main
from adapters.ops import local_checks
from adapters.ops.checks import FAIL, OK, WARN
from bot.config import Settings
from bot.logs import configure_logging
from bot.storage import StoreUnavailable, open_store
from bot.storage.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from bot.storage.postgres.migrations import MIGRATIONS
from tests.postgres import database

PASSWORD = "Sup3r-s3cret-pw"


def with_password(url: str, password: str = PASSWORD) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{password}@", 1)


def test_each_sqlite_migration_has_its_postgresql_twin() -> None:
    """A migration added to one backend only fails here until the other has it too."""
    assert len(MIGRATIONS) == len(SQLITE_MIGRATIONS)


async def test_processes_starting_together_migrate_once(fresh_postgres_url: str) -> None:
    stores = await asyncio.gather(*(open_store(fresh_postgres_url) for _ in range(4)))
    try:
        assert {await s.schema_version() for s in stores} == {len(MIGRATIONS)}
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    db = await asyncpg.connect(fresh_postgres_url)
    try:
        assert await db.fetch("SELECT version FROM schema_version") == [(len(MIGRATIONS),)]
        await db.execute("UPDATE schema_version SET version = version + 1")
    finally:
        await db.close()
    with pytest.raises(StoreUnavailable) as caught:
        await open_store(fresh_postgres_url)
    assert str(caught.value) == (
        f"{fresh_postgres_url}: schema v{len(MIGRATIONS) + 1} is newer than this build's "
        f"v{len(MIGRATIONS)}; upgrade videobot"
    )


async def test_the_password_never_shows_in_errors_or_logs(
    fresh_postgres_url: str, restore_logging: None
) -> None:
    missing = with_password(database(fresh_postgres_url, "no_such_database"))
    with pytest.raises(StoreUnavailable) as caught:
        await open_store(missing)
    assert PASSWORD not in str(caught.value) and "postgres:***@" in str(caught.value)
    assert "no_such_database" in str(caught.value)
    closed_port = with_password("postgresql://postgres@127.0.0.1:9/videobot")
    with pytest.raises(StoreUnavailable) as caught:
        await open_store(closed_port)
    assert PASSWORD not in str(caught.value) and "cannot connect" in str(caught.value)
    with pytest.raises(StoreUnavailable, match="malformed") as caught:
        await open_store(with_password("postgresql://postgres@127.0.0.1:5432/x?sslmode=maybe"))
    assert PASSWORD not in str(caught.value)

    settings = Settings(_env_file=None, database_url=missing)  # type: ignore[call-arg]
    out = io.StringIO()
    configure_logging("INFO", "text", settings.secrets(), stream=out)
    logging.getLogger("test").warning("connecting to %s", missing)
    assert PASSWORD not in out.getvalue()


def test_database_urls_and_the_data_folder() -> None:
    def settings(url: str, **kw: object) -> Settings:
        return Settings(_env_file=None, database_url=url, **kw)  # type: ignore[arg-type]

    pg = settings("postgres://bot:pw%40x@db.internal:5432/videobot?sslmode=require")
    assert not pg.uses_sqlite and pg.work_dir == Path("data")
    assert "pw@x" in pg.secrets() and "pw%40x" in pg.secrets()
    assert settings("postgresql://db/videobot", data_dir="/srv/v").work_dir == Path("/srv/v")
    assert settings("sqlite:////var/lib/v/videobot.db").work_dir == Path("/var/lib/v")
    for malformed in ("postgresql://", "postgresql://u:pw@db:port/x"):
        with pytest.raises(ValueError, match="postgresql://user:password@host"):
            settings(malformed)


async def test_a_lost_connection_is_one_line_then_the_pool_reconnects(
    fresh_postgres_url: str,
) -> None:
    store = await open_store(with_password(fresh_postgres_url))
    admin = await asyncpg.connect(fresh_postgres_url)
    try:
        await asyncio.gather(*(store.list_jobs() for _ in range(5)))  # several in the pool
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        failures = []
        for _ in range(12):  # each dead connection fails its call once, then is replaced
            try:
                assert await store.list_jobs() == []
            except StoreUnavailable as exc:
                failures.append(str(exc))
        assert len(failures) <= 5
        assert all(PASSWORD not in f and "\n" not in f and ":***@" in f for f in failures)
        assert await store.list_jobs() == []
    finally:
        await admin.close()
        await store.close()


async def test_migrate_command_on_either_backend(
    fresh_postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_env: None,
) -> None:
    url = with_password(fresh_postgres_url)
    monkeypatch.setenv("DATABASE_URL", url)
    assert await asyncio.to_thread(main, ["migrate"]) == 0
    out = capsys.readouterr().out
    assert f"schema v{len(MIGRATIONS)} (current)" in out and PASSWORD not in out
    store = await open_store(url)
    assert await store.schema_version() == len(MIGRATIONS)
    await store.close()

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")
    assert await asyncio.to_thread(main, ["migrate"]) == 0
    assert f"schema v{len(SQLITE_MIGRATIONS)} (current)" in capsys.readouterr().out


async def test_admin_commands_work_on_postgresql(
    fresh_postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_env: None,
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_postgres_url)
    assert await asyncio.to_thread(main, ["grant", "telegram:7", "4", "--note", "thanks"]) == 0
    assert await asyncio.to_thread(main, ["users"]) == 0
    assert await asyncio.to_thread(main, ["export-ledger"]) == 0
    out = capsys.readouterr().out
    assert "telegram:7" in out and "grant,4,thanks" in out


async def test_doctor_checks_the_connection_and_the_schema(fresh_postgres_url: str) -> None:
    def check(url: str) -> local_checks.Check:
        return local_checks.database_check(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]

    url = with_password(fresh_postgres_url)
    fresh = await asyncio.to_thread(check, url)
    assert fresh.status == WARN and "schema v0" in fresh.detail
    store = await open_store(url)
    await store.close()
    ready = await asyncio.to_thread(check, url)
    assert ready.status == OK and "(current)" in ready.detail and "0 jobs" in ready.detail
    down = await asyncio.to_thread(check, with_password("postgresql://postgres@127.0.0.1:9/x"))
    assert down.status == FAIL and PASSWORD not in down.detail and ":***@" in down.detail


async def test_run_on_postgresql_takes_no_sqlite_lock_and_serves(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    """Two console bots on one PostgreSQL database both run (on SQLite the second would
    refuse); each answers its own /quota and exits at the end of its input."""
    env = {
        "DATABASE_URL": fresh_postgres_url,
        "DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }

    async def bot() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters", "run",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=env, cwd=tmp_path,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(b"/quota\n"), 60)
        return process.returncode or 0, out.decode()

    results = await asyncio.gather(bot(), bot())
    for code, out in results:
        assert code == 0, out
        assert "credits left today" in out and "already running" not in out
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("**/*.db")))  # no SQLite
