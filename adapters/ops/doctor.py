"""`videobot doctor`: is this installation able to run? One table, non-zero exit on a failure.

Checks, in order:

- config: every setting parses; each malformed or missing one is named (a malformed one falls
  back to its default so the remaining checks still run);
- database: the SQLite file is writable (or can be created), or the PostgreSQL server answers
  and takes writes; either way, its schema is current;
- job leases: the processes driving jobs (id host:pid:random, jobs held, last renewal), when
  the database passed;
- data dir: the folder for downloads and renders is writable, with free space;
- kept results: how many delivered videos are kept, and the space they use;
- one row per vendor in VIDEO_VENDORS: the key is set and, where the vendor offers a cheap
  authenticated call, accepted; "not checked" where it offers none;
- telegram (`getMe`) and discord (`GET /users/@me`), when their tokens are set.

Nothing here prints a secret: rows name the variable to fix, never its value, and every row
passes through the redactor that knows each configured secret (a vendor may echo its key).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

import httpx

from adapters.ops.checks import FAIL, OK, Check, print_report
from adapters.ops.lease_check import lease_check
from adapters.ops.local_checks import (
    config_checks,
    data_dir_check,
    database_check,
    load_settings,
    results_check,
)
from adapters.ops.remote_checks import TIMEOUT, discord_check, telegram_check, vendor_check
from bot.config import Settings
from bot.logs import configure_logging


def add_parser(sub: Any) -> None:
    sub.add_parser(
        "doctor",
        help="check configuration, database, vendor keys and chat tokens",
        description="Check the configuration, the database, each vendor's key (where the "
        "vendor has a cheap authenticated call) and the chat tokens. Prints a table; exits "
        "with 1 when a check failed.",
    )


def main(out: TextIO | None = None) -> int:
    """`videobot doctor`: run every check, print the table, 1 if anything failed."""
    out = out or sys.stdout
    settings, checks = load_settings()
    configure_logging("WARNING", settings.log_format, settings.secrets())
    checks += asyncio.run(run_checks(settings))
    print_report(checks, out)
    return 1 if any(c.status == FAIL for c in checks) else 0


async def run_checks(settings: Settings) -> list[Check]:
    """Every check after the settings loaded; the network ones run concurrently."""
    checks = config_checks(settings)
    database = await asyncio.to_thread(database_check, settings)
    checks.append(database)
    if database.status == OK:  # current schema: reading it migrates nothing
        checks.append(await lease_check(settings))
    checks.append(await asyncio.to_thread(data_dir_check, settings))
    checks.append(await asyncio.to_thread(results_check, settings))
    timeout = httpx.Timeout(TIMEOUT, connect=min(5.0, TIMEOUT))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http:
        network = await asyncio.gather(
            *(vendor_check(settings, v, http) for v in settings.video_vendors),
            telegram_check(settings, http),
            discord_check(settings, http),
        )
    return checks + list(network)
