"""A Telegram bot process for the leader test (tests/test_telegram_leader.py): the real
core and adapter on a PostgreSQL database, long polling the Bot API emulator of the test
process. Prints LEADING or FOLLOWING once started, then waits to be killed.

    python -m tests.telegram_child WORK_DIR DATABASE_URL TELEGRAM_API_URL
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from adapters.telegram import TelegramAdapter, TelegramSettings
from tests.botapi_emulator import TOKEN
from tests.helpers import make_core


async def main(work: Path, database_url: str, api_url: str) -> None:
    core = await make_core(
        work, database_url=database_url, telegram_bot_token=TOKEN, telegram_api_url=api_url
    )
    adapter = TelegramAdapter(core, TelegramSettings(_env_file=None), poll_timeout=1)
    await adapter.start()
    await core.start()
    leading = adapter.leadership is not None and adapter.leadership.leading
    print("LEADING" if leading else "FOLLOWING", flush=True)
    await asyncio.Event().wait()  # until SIGKILL


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
