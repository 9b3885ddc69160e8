"""What the store keeps for settings changed at run time and for the audit log, and the part
of the `Store` interface that reads and writes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One operator action: who did what to which target, the value before and after, and
    from where (`source`: telegram, discord, console or cli). `id` is the store's, set when
    read back."""

    at: float
    actor: str  # telegram:123, cli:alice
    source: str
    action: str  # setting, setting_reset, grant, ban, unban, refund, refund_payment, ...
    target: str  # the setting, user, job, payment or chat it concerns
    before: str = ""
    after: str = ""
    note: str = ""
    id: int = 0


class SettingsStore(Protocol):
    async def record_audit(self, entry: AuditEntry) -> None:
        """Append `entry` to the audit log."""
        ...

    async def audit_log(
        self, since: float, actor: str | None = None, limit: int = 1000
    ) -> list[AuditEntry]:
        """Audit entries from `since` on (only `actor`'s when given), newest first."""
        ...

    async def settings_version(self) -> int:
        """A number every stored settings change raises: cheap, read before each command."""
        ...

    async def stored_settings(self) -> dict[str, str]:
        """The settings stored in the database, by their environment name, as text."""
        ...

    async def put_setting(self, name: str, value: str | None, entry: AuditEntry) -> int:
        """Store `value` for `name` (None: forget it, so the environment's applies), raise
        the settings version and append `entry` to the audit log, in one transaction;
        returns the new version."""
        ...
