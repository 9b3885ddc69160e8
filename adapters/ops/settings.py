"""`videobot settings get|set|reset`: the settings admins may change at run time, from the
command line, against the bot's database. A change is checked as the environment's value
would be, stored with its audit entry, and in effect at once in every running bot that
shares the database (each reads the settings version before its next command)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any, TextIO

from adapters.ops.audit import SOURCE, cli_actor
from adapters.ops.table import print_table
from adapters.settings_keys import all_keys
from adapters.terminal import for_terminal
from bot.config import Settings
from bot.settings_keys import SettingRefused, find
from bot.settings_live import LiveSettings
from bot.storage import Store, open_store

COMMAND = "settings"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        COMMAND,
        help="show or change the settings admins may change without a restart",
        description="get: every changeable setting with its effective value and whether it "
        "comes from the database or the environment. set KEY VALUE: store a value (checked as "
        "the environment's would be), in effect at once in every bot on this database. "
        "reset KEY: forget the stored value, so the environment's applies again. Changes are "
        "written to the audit log (videobot audit).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    get = actions.add_parser("get", help="the effective values (all, or KEY's)")
    get.add_argument("key", metavar="KEY", nargs="?")
    put = actions.add_parser("set", help="store a value for KEY")
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE")
    reset = actions.add_parser("reset", help="back to the environment's value")
    reset.add_argument("key", metavar="KEY")


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        asyncio.run(_run(settings, args, out))
    except SettingRefused as exc:
        print(f"videobot settings: {for_terminal(str(exc))}", file=sys.stderr)
        return 1
    return 0


async def _run(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    keys = all_keys()
    chosen = find(keys, args.key) if args.key else None
    store: Store = await open_store(settings.database_url)
    try:
        live = LiveSettings(store, keys, [settings])
        await live.refresh()
        if args.action == "get":
            views = [v for v in live.views() if chosen is None or v.env == chosen.env]
            rows = [[v.env, v.value or "(empty)", v.source] for v in views]
            print_table(["KEY", "VALUE", "FROM"], rows, out, empty="no settings")
            return
        value = args.value if args.action == "set" else None
        view, before = await live.change(args.key, value, cli_actor(), SOURCE, time.time())
        done = "set" if value is not None else "reset to the environment's value"
        print(f"{view.env} {done}: {before or '(empty)'} -> {view.value or '(empty)'}", file=out)
    finally:
        await store.close()
