"""What the store raises when its database cannot be used at all, and how a database is
named in what it raises (never with its password)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")  # DATABASE_URLs naming PostgreSQL


class StoreUnavailable(Exception):
    """The database cannot be opened, migrated or trusted; the message names the file and
    the problem in one line, for the operator."""


class CopyRefused(Exception):
    """`copy-db` made no copy (a target not empty, a source it cannot read, a mismatch)."""


def display_url(url: str) -> str:
    """`url` as it may be shown: the password replaced by `***`, the rest kept."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "(a malformed DATABASE_URL)"
    if password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
