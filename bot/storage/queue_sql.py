"""The shared queue's SQL both backends use (see queue_types.py), in SQLite's words."""

from __future__ import annotations

from bot.storage.rows import JOB_COLUMNS

CANDIDATES_LIMIT = 200  # waiting jobs looked at per claim, in turn order
# Jobs holding a vendor slot: granted (QUEUED with a vendor), being sent, or at the vendor.
POOLS = (
    "SELECT pool, COUNT(*) FROM jobs WHERE vendor = ? AND settled IS NULL "
    "AND state IN ('queued', 'submitting', 'running') GROUP BY pool"
)
# Jobs holding a user slot, for MAX_JOBS_PER_USER (delivering ones too, as in memory).
USERS = (
    "SELECT user, COUNT(*) FROM jobs WHERE user IN ({users}) AND settled IS NULL "
    "AND (state IN ('submitting', 'running', 'delivering') "
    "OR (state = 'queued' AND vendor IS NOT NULL)) GROUP BY user"
)
WAITING = (
    f"SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'queued' AND settled IS NULL "
    "AND vendor IS NULL AND owner IS NULL AND deadline_at > ? AND {lists_vendor} "
    "ORDER BY COALESCE((SELECT at FROM queue_turns t WHERE t.user = jobs.user), 0), "
    "created_at, id LIMIT ?"
)
GRANT = (
    "UPDATE jobs SET vendor = ?, pool = ?, owner = ?, lease_until = ? WHERE id = ? "
    "AND state = 'queued' AND settled IS NULL AND vendor IS NULL AND owner IS NULL"
)
TURN = (
    "INSERT INTO queue_turns (user, at) VALUES (?, ?) "
    "ON CONFLICT (user) DO UPDATE SET at = excluded.at"
)
