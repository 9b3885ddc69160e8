"""Where an adapter answers a job: a record each adapter defines, opaque to the core.

The core stores an address as the JSON its `to_json` gives and hands back what it read
as a `StoredChat`; the adapter that wrote it reads it again with its own record type. So
the core never reads a platform's keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class ChatAddress(Protocol):
    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, stored with the job."""
        ...

    def same_place(self, other: ChatAddress) -> bool:
        """Whether `other` names the same chat or channel as this address (an Again
        button pressed where the job was posted)."""
        ...

    def group_key(self) -> str | None:
        """The group this address is in, as a key unique across platforms (e.g.
        `telegram:-1001234`), whose group budget pays for jobs asked here; None in a
        private chat."""
        ...


@dataclass(frozen=True, slots=True)
class StoredChat:
    """An address as the store read it back, for its adapter to read."""

    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)

    def same_place(self, other: ChatAddress) -> bool:
        return False  # only an adapter's own record knows what its keys mean

    def group_key(self) -> str | None:
        return None  # jobs are started from an adapter's own record, never a stored one
