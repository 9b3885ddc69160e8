"""Telegram adapter: /video, replies to photos and videos, albums, groups and forum topics,
live status edits with a Cancel button, and the finished video with an Again button.

`adapters.runtime` starts `TelegramAdapter(core)` when TELEGRAM_BOT_TOKEN is set.
"""

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.settings import TelegramSettings

__all__ = ["TelegramAdapter", "TelegramSettings"]
