"""What inspecting a database finds, in one line for `videobot doctor`, for either backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class StoreHealth:
    status: Literal["ok", "warn", "fail"]
    detail: str  # one line naming the database


def version_health(where: str, version: int, current: int, detail: str) -> StoreHealth:
    """The database's schema `version` against this build's `current`, for either backend."""
    if version > current:
        return StoreHealth(
            "fail",
            f"{where}: schema v{version} is newer than this build's v{current}; upgrade videobot",
        )
    if version < current:
        return StoreHealth(
            "warn",
            f"{where}: schema v{version}, this build needs v{current}; migrated at the next start",
        )
    return StoreHealth("ok", f"{where}: {detail}, schema v{version} (current)")
