"""The composition root: settings -> core -> adapters, run until a signal or the console ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

from adapters.base import Adapter
from bot.bootstrap import Core, build_core, build_vendors
from bot.config import Settings

log = logging.getLogger("videobot")
T = TypeVar("T")


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to the end on uvloop where it is installed, else on asyncio's own loop.

    Why: with thousands of jobs in flight the event loop's own work (epoll, timers, socket
    reads and writes) is a large share of the bot's CPU, and uvloop does it in C.
    """
    try:
        import uvloop
    except ImportError:  # Windows has no uvloop
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def chat_adapters(core: Core) -> list[Adapter]:
    """Every chat adapter whose token is configured; the console when there is none."""
    settings = core.settings
    adapters: list[Adapter] = []
    if settings.telegram_bot_token:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(core))
    if settings.discord_bot_token:
        from adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(core))
    if not adapters:
        from adapters.console import ConsoleAdapter

        adapters.append(ConsoleAdapter(core))
    return adapters


async def serve(settings: Settings) -> None:
    """Run the bot until SIGINT/SIGTERM, or until an adapter is done (console input ended)."""
    ops = None
    vendors = build_vendors(settings)
    if settings.metrics_port is not None:
        from adapters.ops.metrics import Metrics, OpsServer

        metrics = Metrics(process=settings.videobot_process_id)  # default host:pid
        ops = OpsServer(settings.metrics_host, settings.metrics_port, metrics)
        vendors = ops.metrics.instrument(vendors)  # the engine gets the timed clients
    core = await build_core(settings, vendors=vendors)
    adapters = chat_adapters(core)
    callbacks = None
    if settings.callback_base_url:  # vendors call back there; a callback wakes the poller
        from adapters.callbacks import CallbackServer

        callbacks = CallbackServer(core.engine, settings.callback_listen)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows' loops have no signal handlers; Ctrl+C still ends run_loop there.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if settings.prompt_blocklist is not None and hasattr(signal, "SIGHUP"):
        screen = core.service.screen  # edit the file, then `kill -HUP`
        loop.add_signal_handler(
            signal.SIGHUP, lambda: core.engine.spawn(screen.reload_soon(), "blocklist-reload")
        )
    try:
        if ops is not None:
            await ops.start(core)
        for adapter in adapters:
            await adapter.start()
        if callbacks is not None:
            await callbacks.start()
        await core.start()
        if ops is not None:
            ops.ready = True
        log.info(
            "serving with %s on vendors %s",
            ", ".join(a.name for a in adapters),
            ", ".join(settings.video_vendors),
        )
        waiters: list[asyncio.Task[object]] = [asyncio.create_task(stop.wait())]
        waiters += [asyncio.create_task(a.done.wait()) for a in adapters]
        waiters.append(asyncio.create_task(core.watch_store()))
        waiters.append(asyncio.create_task(core.watch_balances()))  # runs until cancelled
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()  # the store's watch raises StoreUnavailable: stop, non-zero
    finally:
        for adapter in reversed(adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping %s failed", adapter.name)
        if ops is not None:
            await ops.stop()
        if callbacks is not None:
            await callbacks.stop()
        await core.aclose()
