"""What the store raises when its database cannot be used at all."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The database cannot be opened, migrated or trusted; the message names the file and
    the problem in one line, for the operator."""
