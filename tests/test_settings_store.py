"""Stored settings and the audit log in the store, on every backend: a change is stored with
its audit entry and raises the version every process checks; forgetting a setting leaves
the environment's; the log reads back newest first, by actor and by time."""

from __future__ import annotations

import asyncio

from bot.storage import Store
from bot.storage.settings_types import AuditEntry
from tests.postgres import BACKENDS


def entry(at: float, actor: str = "telegram:1", target: str = "MAX_JOBS_PER_USER") -> AuditEntry:
    return AuditEntry(at, actor, actor.split(":")[0], "setting", target, "2", "3")


@BACKENDS
async def test_a_setting_is_stored_with_its_audit_entry_and_a_new_version(store: Store) -> None:
    assert await store.settings_version() == 0
    assert await store.stored_settings() == {}
    version = await store.put_setting("MAX_JOBS_PER_USER", "3", entry(100.0))
    assert version == 1 == await store.settings_version()
    assert await store.stored_settings() == {"MAX_JOBS_PER_USER": "3"}
    await store.put_setting("MAX_JOBS_PER_USER", "4", entry(101.0))
    assert await store.stored_settings() == {"MAX_JOBS_PER_USER": "4"}
    assert await store.put_setting("MAX_JOBS_PER_USER", None, entry(102.0)) == 3
    assert await store.stored_settings() == {}
    log = await store.audit_log(0)
    assert [e.at for e in log] == [102.0, 101.0, 100.0]
    assert log[0] == AuditEntry(
        102.0, "telegram:1", "telegram", "setting", "MAX_JOBS_PER_USER", "2", "3", id=log[0].id
    )


@BACKENDS
async def test_concurrent_changes_each_get_a_version(store: Store) -> None:
    versions = await asyncio.gather(
        *(store.put_setting("QUOTA_CREDITS_PER_DAY", str(n), entry(n)) for n in range(10))
    )
    assert sorted(versions) == list(range(1, 11))
    assert await store.settings_version() == 10


@BACKENDS
async def test_the_audit_log_filters_by_time_and_actor(store: Store) -> None:
    await store.record_audit(entry(10.0, "cli:alice", "job1"))
    await store.record_audit(entry(20.0, "telegram:7", "job2"))
    await store.record_audit(entry(30.0, "cli:alice", "job3"))
    assert [e.target for e in await store.audit_log(15.0)] == ["job3", "job2"]
    assert [e.target for e in await store.audit_log(0, actor="cli:alice")] == ["job3", "job1"]
    assert [e.target for e in await store.audit_log(0, limit=1)] == ["job3"]
    assert await store.settings_version() == 0  # the log alone changes no setting
