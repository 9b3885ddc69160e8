"""/settings for admins, as a part of VideoService: the changeable settings with their
effective values, a change or a reset (each in effect at once in every process and written
to the audit log), and the audit log's recent entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot import texts
from bot.command_types import SettingsCommand
from bot.replies import Incoming, Reply
from bot.settings_keys import SettingRefused, find
from bot.settings_live import LiveSettings, SettingView
from bot.storage.base import Store

AUDIT_DAYS = 7
AUDIT_LINES = 15  # a chat message, not the whole log: `videobot audit` has it all


class SettingsCommands:
    """Mixed into VideoService, which provides the store, the clock and the live settings."""

    store: Store
    clock: Callable[[], float]
    live: LiveSettings

    async def _settings(self, msg: Incoming, cmd: SettingsCommand, locale: str) -> Reply:
        if cmd.audit:
            return await self._audit(locale)
        try:
            if not cmd.key:
                await self.live.refresh()
                lines = [_line(v, locale) for v in self.live.views()]
                head, usage = texts.t(locale, "settings_list"), texts.t(locale, "settings_usage")
                return Reply("\n".join([head, *lines, usage]))
            if not cmd.reset and not cmd.value:
                key = find(self.live.keys, cmd.key)
                await self.live.refresh()
                return Reply(next(_line(v, locale) for v in self.live.views() if v.env == key.env))
            view, before = await self.live.change(
                cmd.key, None if cmd.reset else cmd.value, str(msg.user), msg.user.platform,
                self.clock(),
            )  # fmt: skip
        except SettingRefused as exc:
            return Reply(texts.t(locale, "settings_refused", problem=str(exc)), error=True)
        empty = texts.t(locale, "settings_empty")
        done = "settings_reset_ok" if cmd.reset else "settings_set_ok"
        after = view.value or empty
        return Reply(texts.t(locale, done, name=view.env, before=before or empty, after=after))

    async def _audit(self, locale: str) -> Reply:
        entries = await self.store.audit_log(self.clock() - AUDIT_DAYS * 86400, limit=AUDIT_LINES)
        if not entries:
            return Reply(texts.t(locale, "audit_none"))
        lines = [texts.t(locale, "audit_header")]
        for e in entries:
            at = datetime.fromtimestamp(e.at, UTC).strftime("%m-%d %H:%M")
            values = {"before": e.before or "-", "after": e.after or "-", "target": e.target}
            line = texts.t(locale, "audit_line", at=at, actor=e.actor, action=e.action, **values)
            lines.append(line)
        return Reply("\n".join(lines))


def _line(view: SettingView, locale: str) -> str:
    source = texts.t(locale, f"settings_{view.source}")
    value = view.value or texts.t(locale, "settings_empty")
    return texts.t(locale, "settings_line", name=view.env, value=value, source=source)
