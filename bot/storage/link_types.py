"""What the store answers to linking and unlinking accounts (see `Store.link_users`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What a /link or /unlink did: a text key (link_done, link_bad_code, link_same,
    link_already, link_busy, unlink_done, unlink_none), the account's primary user, and
    the bonus credits moved to it."""

    key: str
    account: str = ""
    moved: int = 0
