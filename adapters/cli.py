"""The `videobot` command line."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from pydantic import ValidationError

from adapters.ops import admin, audit, database, doctor, refund_payment, spend, vendors
from adapters.ops import settings as settings_cli
from bot import __version__
from bot.bootstrap import ConfigError
from bot.config import Settings
from bot.logs import configure_logging
from bot.settings_keys import problems
from bot.storage.errors import StoreUnavailable

DESCRIPTION = """\
videobot turns a chat message into an AI video.

Settings come from the environment and from .env (see .env.example). With no
TELEGRAM_BOT_TOKEN and no DISCORD_BOT_TOKEN, `videobot run` starts a console
bot on the built-in `local` vendor, which renders real videos offline:

    echo '/video a paper boat on a stormy sea' | videobot run
"""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SystemExit(f"videobot: bad configuration: {problems(exc)}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="videobot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"videobot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "run",
        help="run the bot (Telegram and/or Discord when their tokens are set, else the console)",
        description="Run every adapter whose token is configured; with none, the console.",
    )
    doctor.add_parser(sub)
    admin.add_parsers(sub)
    spend.add_parsers(sub)
    refund_payment.add_parser(sub)
    settings_cli.add_parser(sub)
    audit.add_parser(sub)
    vendors.add_parsers(sub)
    database.add_parsers(sub)
    return parser


def cmd_run(settings: Settings) -> int:
    from adapters.instance import AlreadyRunning, single_instance
    from adapters.runtime import run_loop, serve

    console = not settings.telegram_bot_token and not settings.discord_bot_token
    level = settings.log_level
    if console and "log_level" not in settings.model_fields_set:
        level = "WARNING"  # keep the terminal for the conversation
    configure_logging(level, settings.log_format, settings.secrets())
    try:
        # SQLite admits one bot per file; PostgreSQL takes several processes, so no lock.
        with single_instance(settings.sqlite_path) if settings.uses_sqlite else nullcontext():
            run_loop(serve(settings))
    except (ConfigError, AlreadyRunning) as exc:
        print(f"videobot: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"videobot: database {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    if command == "doctor":  # reports malformed settings itself, one row each
        return doctor.main()
    settings = load_settings()
    if command == "run":
        return cmd_run(settings)
    if command in database.COMMANDS:
        configure_logging("WARNING", settings.log_format, settings.secrets())
        return database.run(settings, args)
    if command == refund_payment.COMMAND:
        configure_logging("WARNING", settings.log_format, settings.secrets())
        return refund_payment.run(settings, args)
    if command in (settings_cli.COMMAND, audit.COMMAND):
        configure_logging("WARNING", settings.log_format, settings.secrets())
        try:
            if command == audit.COMMAND:
                return audit.run(settings, args)
            return settings_cli.run(settings, args)
        except StoreUnavailable as exc:
            print(f"videobot {command}: database {exc}", file=sys.stderr)
            return 1
    if command in (*admin.COMMANDS, *spend.COMMANDS, *vendors.COMMANDS):
        configure_logging("WARNING", settings.log_format, settings.secrets())
        try:
            if command in spend.COMMANDS:
                return spend.run(settings, args)
            if command in vendors.COMMANDS:
                return vendors.run(settings, args)
            return admin.run(settings, args)
        except StoreUnavailable as exc:
            print(f"videobot {command}: database {exc}", file=sys.stderr)
            return 1
    parser.error(f"unknown command {command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
