"""Settings changed at run time, in effect at once in every process sharing the database.

The database holds the changed values (`Store.put_setting`); the environment's stay the
defaults. Each process keeps the settings objects it was started with and writes the
effective values into them, so every part that reads `settings.max_jobs_per_user` (the
queue, the quota, the adapters' allowed chats, ...) reads the effective value without
knowing where it came from. Before each command the process reads the database's settings
version (one indexed row) and reloads only when it changed, so a change made by another
process, or by `videobot settings set`, applies to the next command; a slow watch applies
it when no command comes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.config import EnvSettings, Settings
from bot.settings_keys import SettingKey, SettingRefused, find, shown
from bot.storage.errors import StoreUnavailable
from bot.storage.settings_types import AuditEntry, SettingsStore
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.settings")

WATCH_SECONDS = 5.0  # how often a process with no commands looks for a change


@dataclass(frozen=True, slots=True)
class SettingView:
    """A setting's effective value, as text, and where it comes from."""

    env: str
    value: str
    source: Literal["database", "environment"]


class LiveSettings:
    """The effective values of `keys`: the database's over the environment's (see the
    module's doc). `follow` adds a settings object to keep up to date."""

    def __init__(
        self, store: SettingsStore, keys: Sequence[SettingKey], targets: Iterable[Any] = ()
    ) -> None:
        self.store = store
        self.keys = tuple(keys)
        self.targets: list[EnvSettings] = []
        self.env: dict[str, Any] = {}  # the environment's value of each key (its default)
        self.stored: dict[str, Any] = {}  # the database's values, checked
        self.version = -1  # the database's settings version last read
        self.hooks: list[Callable[[], None]] = []  # run after values changed
        self._reading = asyncio.Lock()  # one read of the database's values at a time
        self._reads = 0  # reads begun
        self._fresh = 0  # the latest finished read, by the number it began with
        for target in targets:
            self.follow(target)

    def follow(self, target: EnvSettings, keys: Sequence[SettingKey] = ()) -> None:
        """Keep `target`'s fields of the changeable keys (and of `keys`, added to them) at
        their effective values; the values it holds now are the defaults."""
        added = tuple(k for k in keys if k not in self.keys)
        if added:
            self.keys += added
            self.version = -1  # their stored values are read at the next refresh
        for key in self.keys:
            if isinstance(target, key.model) and key.env not in self.env:
                self.env[key.env] = getattr(target, key.field)
        self.targets.append(target)
        self._apply()

    def on_change(self, hook: Callable[[], None]) -> None:
        self.hooks.append(hook)
        hook()

    def default(self, key: SettingKey) -> Any:
        """The environment's value of `key` (read now when no followed object has it)."""
        if key.env not in self.env:
            try:
                self.env[key.env] = getattr(key.model(), key.field)
            except Exception:  # another variable of that class is malformed
                self.env[key.env] = key.model.model_fields[key.field].get_default(
                    call_default_factory=True
                )
        return self.env[key.env]

    def value(self, key: SettingKey) -> Any:
        return self.stored[key.env] if key.env in self.stored else self.default(key)

    def views(self) -> list[SettingView]:
        """Every changeable key with its effective value and its source."""
        return [
            SettingView(
                k.env, shown(self.value(k)), "database" if k.env in self.stored else "environment"
            )
            for k in self.keys
        ]

    async def refresh(self) -> None:
        """Load the database's values when another change was made since the last look;
        never raises (a database that does not answer leaves the values as they are).

        Commands arriving together share reads: each returns once a read that started
        after it arrived has finished (so it sees every change committed before it came),
        which a burst of commands gets from at most two reads, not one each."""
        arrived = self._reads
        async with self._reading:
            if self._fresh > arrived:  # a read begun after this call came has finished
                return
            self._reads += 1
            started = self._reads
            await self._load()
            self._fresh = started

    async def _load(self) -> None:
        try:
            version = await self.store.settings_version()
            if version == self.version:
                return
            stored = await self.store.stored_settings()
        except StoreUnavailable as exc:
            log.warning("settings not reloaded: database %s", exc)
            return
        checked: dict[str, Any] = {}
        for name, text in stored.items():
            key = next((k for k in self.keys if k.env == name), None)
            if key is None:
                continue  # a key this build does not change (a newer build's)
            try:
                checked[name] = key.check(text)
            except SettingRefused as exc:
                log.warning("stored setting ignored, the environment's applies: %s", exc)
        self.version, self.stored = version, checked
        self._apply()

    async def watch(self, every: float = WATCH_SECONDS) -> None:
        """Refresh every `every` seconds until cancelled (for changes no command brings)."""
        while True:
            await asyncio.sleep(every)
            await self.refresh()

    async def change(
        self, name: str, text: str | None, actor: str, source: str, now: float
    ) -> tuple[SettingView, str]:
        """Set `name` to `text` (None: back to the environment's value) in the database,
        with its audit entry; (the setting as it now is, its value before). SettingRefused
        for an unknown name or a bad value, with nothing stored."""
        key = find(self.keys, name)
        value = None if text is None else key.check(text)
        await self.refresh()
        before = shown(self.value(key))
        after = shown(self.default(key) if value is None else value)
        stored = None if value is None else shown(value)
        action = "setting_reset" if value is None else "setting"
        entry = AuditEntry(now, actor, source, action, key.env, before, after)
        await self.store.put_setting(key.env, stored, entry)
        await self.refresh()
        view = next(v for v in self.views() if v.env == key.env)
        return view, before

    def _apply(self) -> None:
        for target in self.targets:
            for key in (k for k in self.keys if isinstance(target, k.model)):
                value = self.value(key)
                if getattr(target, key.field) != value:
                    setattr(target, key.field, value)
        for hook in self.hooks:
            hook()


def vendor_order(settings: Settings, vendors: list[VendorClient]) -> Callable[[], None]:
    """A hook that keeps `vendors` (the list new jobs are planned on) in VIDEO_VENDORS'
    order. Only the vendors this process started with can be used: one named that is not
    running needs its key in the environment and a restart (`videobot doctor` checks it);
    one left out takes no new jobs, and finishes those it has."""
    running = list(vendors)

    def apply() -> None:
        by_id = {v.id: v for v in running}
        chosen = [by_id[v] for v in settings.video_vendors if v in by_id]
        missing = [v for v in settings.video_vendors if v not in by_id]
        if missing:
            log.warning("VIDEO_VENDORS names %s, not started here: restart to use them", missing)
        if not chosen:
            log.warning("VIDEO_VENDORS names none of the running vendors; keeping them all")
            chosen = running
        if chosen != vendors:
            vendors[:] = chosen

    return apply
