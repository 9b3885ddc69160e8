"""The leases' SQL both backends share (see lease_types.py)."""

from __future__ import annotations

from bot.models import ACTIVE_STATES

ACTIVE = tuple(s.value for s in ACTIVE_STATES)
# Migration: who drives each job in flight, and until when (no index on either: the lease is
# renewed often, and an indexed column would make every renewal a full row update); for the
# queue several processes share, the vendor pool a job was granted and each user's last turn.
LEASE_COLUMNS = """
    ALTER TABLE jobs ADD COLUMN owner TEXT;
    ALTER TABLE jobs ADD COLUMN lease_until REAL;
    ALTER TABLE jobs ADD COLUMN pool TEXT;
    CREATE TABLE queue_turns (
        user TEXT PRIMARY KEY,
        at REAL NOT NULL
    );
"""
HOLDERS = (
    "SELECT owner, COUNT(*), MAX(lease_until) FROM jobs "
    f"WHERE owner IS NOT NULL AND settled IS NULL AND state IN {ACTIVE!r} "
    "GROUP BY owner ORDER BY owner"
)
# A waiting job given up goes back to the shared line: the vendor it was granted is not held.
RELEASE = (
    "UPDATE jobs SET owner = NULL, lease_until = NULL, "
    "vendor = CASE WHEN state = 'queued' THEN NULL ELSE vendor END, "
    "pool = CASE WHEN state = 'queued' THEN NULL ELSE pool END "
    "WHERE owner = ? AND settled IS NULL"
)
