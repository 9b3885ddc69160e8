"""The console adapter: the bot in a terminal, for demos, development and pipes.

    /video a paper boat on a stormy sea
    /video --ratio portrait a lighthouse in a storm --seed 42   (options before or after)
    /video --image photo.jpg make the clouds move
    /video --image first.jpg --end-image last.jpg a day turning into night
    /video --video clip.mp4 make it look like a watercolour
    /act --image face.jpg --video performance.mp4 --body

When input ends (a pipe, Ctrl-D) it waits for the jobs it started, prints their results
and exits.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from adapters.console.files import read_file
from adapters.terminal import for_terminal
from bot import texts
from bot.bootstrap import Core
from bot.chat import ChatAddress
from bot.commands import read
from bot.events import EventKind, JobEvent
from bot.media import sniff_video
from bot.models import Job, Media, UserRef
from bot.service import Incoming

FILE_OPTIONS = {
    "--image": "images",
    "--end-image": "images",
    "--video": "video",
    "--character": "character",
}


@dataclass(frozen=True, slots=True)
class ConsoleChat:
    """The console answers in its own terminal: nothing to remember but that."""

    def to_json(self) -> dict[str, Any]:
        return {"console": True}

    def same_place(self, other: ChatAddress) -> bool:
        return False  # no buttons to press

    def group_key(self) -> str | None:
        return None  # one person at a terminal


class ConsoleAdapter:
    name = "console"
    keep_files = True
    acks_notices = False

    def __init__(self, core: Core, *, stdin: TextIO | None = None, stdout: TextIO | None = None):
        self.core = core
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.user = UserRef("console", _username())
        self.locale = texts.norm_locale(os.environ.get("LANG"))
        self.done = asyncio.Event()
        self._jobs: list[str] = []
        self._results: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.core.engine.subscribe("console", self)
        self._task = asyncio.create_task(self._serve())

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _print(self, text: str) -> None:
        """Replies quote what users typed: escapes in it are shown, never obeyed."""
        print(for_terminal(text, keep_lines=True), file=self.out, flush=True)

    async def _serve(self) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def reader() -> None:  # a daemon thread: a blocked read never holds up exit
            for line in self.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=reader, name="console-stdin", daemon=True).start()
        if self.stdin.isatty():
            self._print(f"videobot console — you are {self.user}. Type /help, Ctrl-D to quit.")
        while (line := await lines.get()) is not None:
            await self._line(line.strip())
        # Jobs resumed after a restart belong to this console too: wait for them as well.
        resumed = [
            j.id for j in await self.core.store.active_jobs() if j.user.platform == "console"
        ]
        self._jobs += [j for j in resumed if j not in self._jobs]
        if self._jobs:
            self._print(f"Waiting for {len(self._jobs)} job(s) to finish…")
            await self.core.engine.wait(self._jobs)
            if len(self._jobs) > 1:
                self._print("Results:")
                for job_id in self._jobs:
                    self._print(self._results.get(job_id, f"[{job_id[:8]}] did not finish"))
        self.done.set()

    async def _line(self, line: str) -> None:
        if not line:
            return
        if not line.startswith("/"):
            self._print("Type /video followed by what you want to see, or /help.")
            return
        try:
            text, files = _take_files(line)
            msg = Incoming(self.user, read(text), self.locale, chat=ConsoleChat())
            for option, path in files:
                data = await read_file(path, FILE_OPTIONS[option], self.locale)
                media = Media(data, sniff_video(data) or "image/*", Path(path).name)
                if FILE_OPTIONS[option] == "images":
                    msg.images.append(media)
                elif FILE_OPTIONS[option] == "video":
                    msg.video = media
                else:
                    msg.character = media
        except (OSError, ValueError) as exc:
            self._print(f"⚠️ {exc}")
            return
        reply = await self.core.service.handle(msg)
        self._print(reply.text)
        if reply.job is not None:
            self._jobs.append(reply.job.id)

    # engine sink

    async def on_event(self, event: JobEvent) -> None:
        tag = f"[{event.job.short_id}]"
        if event.kind in (EventKind.DELIVERING, EventKind.FINISHED):
            return  # the result line says it all in a terminal
        if event.kind is EventKind.FAILED:
            self._results[event.job.id] = f"{tag} {event.text}"
        if event.kind is EventKind.PROGRESS and event.progress is not None:
            step = str(round(event.progress * 10))  # print every tenth
            if self._shown.get(event.job.id) == step:
                return
            self._shown[event.job.id] = step
        self._print(f"{tag} {event.text}")

    async def tell(self, user: UserRef, text: str) -> None:
        self._print(text)  # the operator at the terminal is the one to know

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        result = f"[{job.short_id}] ✅ video: {await asyncio.to_thread(video.resolve)}"
        self._results[job.id] = result
        can = self.core.service.result_buttons(job, self.keep_files)
        hints = {"extend": "⏩ /extend", "upscale": "⤴ /upscale"}
        more = "".join(f"\n{hints[a]} {job.short_id}" for a in can if a in hints)
        self._print(f"{caption}\n{result}{more}")


def _username() -> str:
    try:
        return getpass.getuser() or "local"
    except Exception:
        return "local"


def _take_files(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Split `--image PATH`-style options (console only) out of a command line."""
    words, files, rest = line.split(), [], []
    i = 0
    while i < len(words):
        option, _, inline = words[i].partition("=")
        if option in FILE_OPTIONS:
            path = inline or (words[i + 1] if i + 1 < len(words) else "")
            if not path:
                raise ValueError(f"{option} needs a file path, e.g. {option} photo.jpg")
            files.append((option, path))
            i += 1 if inline else 2
            continue
        rest.append(words[i])
        i += 1
    return " ".join(rest), files
