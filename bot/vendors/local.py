"""The `local` vendor: renders a real short mp4 on this machine, with no key and no network.

It is the default, so a newcomer sees a real video made offline, and it exercises the same
engine path as a paid vendor (submit, poll with progress, result, delivery). It renders a
slow pan and zoom over the photo, a cross-fade between first and last frame, a restyle of a
source video, or a title card of the prompt, with the ffmpeg that imageio-ffmpeg ships; an
upscale is its own earlier render (a file the platform kept) at twice the size.
Each task lives in its own folder, so a restart finds finished renders and redoes the rest.
"""

from __future__ import annotations

import asyncio
import colorsys
import hashlib
import json
import logging
import shutil
import textwrap
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from PIL import Image, ImageDraw, ImageFont

from bot.errors import BadRequest, NotFound
from bot.models import Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.base import ASPECTS, Capabilities, ModelSpec, VendorClient

log = logging.getLogger("videobot.vendors.local")

SIZES = {
    "16:9": (640, 360),
    "9:16": (360, 640),
    "1:1": (480, 480),
    "4:3": (640, 480),
    "3:4": (480, 640),
    "21:9": (840, 360),
}
FPS = 24
_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def title_card(prompt: str, size: tuple[int, int]) -> Image.Image:
    """A gradient card with the prompt on it; the colours follow the prompt's hash."""
    width, height = size
    hue = int(hashlib.sha256(prompt.encode()).hexdigest()[:4], 16) / 0xFFFF
    top = tuple(round(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.45))
    bottom = tuple(round(c * 255) for c in colorsys.hsv_to_rgb((hue + 0.15) % 1, 0.7, 0.15))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        f = y / max(1, height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * f) for a, b in zip(top, bottom, strict=True)),
        )
    font_size = max(14, width // 18)
    font: Any = None
    for path in _FONTS:
        if Path(path).exists():
            font = ImageFont.truetype(path, font_size)
            break
    if font is None:
        font = ImageFont.load_default(size=font_size)
    wrapped = "\n".join(textwrap.wrap(prompt, width=max(10, int(width / (font_size * 0.8))))[:6])
    box = draw.multiline_textbbox((0, 0), wrapped, font=font, align="center")
    x = int(width - (box[2] - box[0])) // 2
    y = int(height - (box[3] - box[1])) // 2
    draw.multiline_text((x + 2, y + 2), wrapped, font=font, fill=(0, 0, 0), align="center")
    draw.multiline_text((x, y), wrapped, font=font, fill=(255, 255, 255), align="center")
    return image


def _fit(w: int, h: int) -> str:
    return f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1"


def render_command(task_dir: Path, spec: dict[str, Any], out: Path) -> list[str]:
    """The ffmpeg command line for one task."""
    w, h = SIZES.get(spec["ratio"], SIZES["16:9"])
    duration = int(spec["duration"])
    frames = duration * FPS
    exe = ffmpeg_exe()
    head = [exe, "-y", "-loglevel", "error", "-nostats", "-progress", "pipe:1"]
    tail = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-an", str(out)]  # fmt: skip
    mode = Mode(spec["mode"])
    if mode is Mode.UPSCALE:
        return [*head, "-i", str(task_dir / "video"),
                "-vf", "scale=iw*2:ih*2:flags=lanczos,setsar=1", *tail]  # fmt: skip
    if mode is Mode.VIDEO:
        style = "hue=h=35:s=1.4,eq=contrast=1.15:saturation=1.2"
        return [*head, "-i", str(task_dir / "video"), "-t", str(duration),
                "-vf", f"{_fit(w, h)},{style},fps={FPS}", *tail]  # fmt: skip
    if mode is Mode.FIRST_LAST:
        fade = f"xfade=transition=fade:duration={duration - 1}:offset=0.5"
        graph = (
            f"[0]{_fit(w, h)},fps={FPS}[a];[1]{_fit(w, h)},fps={FPS}[b];[a][b]{fade},format=yuv420p"
        )
        return [*head, "-loop", "1", "-t", str(duration), "-i", str(task_dir / "first_frame"),
                "-loop", "1", "-t", str(duration), "-i", str(task_dir / "last_frame"),
                "-filter_complex", graph, "-t", str(duration), *tail]  # fmt: skip
    source = task_dir / ("first_frame" if mode is Mode.IMAGE else "card.png")
    zoom = (
        f"{_fit(w * 2, h * 2)},zoompan=z='min(zoom+0.0012,1.3)':d={frames}"
        f":x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s={w}x{h}:fps={FPS}"
    )
    return [*head, "-i", str(source), "-vf", zoom, "-frames:v", str(frames), *tail]


class LocalVendor(VendorClient):
    """Renders on this machine; see the module docstring."""

    id = "local"
    default_base_url = "http://localhost"
    needs_key = False
    supports_cancel = True
    poll_interval = 0.5
    local_results = True
    upscaler = "local_upscale"  # twice the size, with ffmpeg's lanczos scaler
    capabilities = Capabilities(
        models=(
            ModelSpec(
                name="local",
                modes=frozenset({Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST, Mode.VIDEO}),
                ratios=ASPECTS,
                durations=(5, 10),
                prompt_max=2000,
                utf16_prompt=False,
            ),
        ),
        max_image_bytes=5_000_000,
        max_video_bytes=50_000_000,
        max_image_side=2048,
    )

    def __init__(self, *, work_dir: Path, concurrency: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work_dir = Path(work_dir)
        self._slots = asyncio.Semaphore(concurrency)
        self._renders: dict[str, asyncio.Task[None]] = {}
        self._progress: dict[str, float] = {}
        self._errors: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return "local"

    def upscales(self, source: str) -> bool:
        """Only files on this machine (a render the platform kept): it downloads nothing."""
        return source.startswith("file://")

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        task_id = uuid.uuid4().hex
        task_dir = self.work_dir / task_id
        spec = {
            "prompt": req.prompt,
            "mode": req.mode.value,
            "ratio": req.ratio,
            "duration": req.duration,
        }
        await asyncio.to_thread(self._prepare, task_dir, spec, req)
        self._start(task_id)
        return task_id

    def _prepare(self, task_dir: Path, spec: dict[str, Any], req: VideoRequest) -> None:
        task_dir.mkdir(parents=True, exist_ok=True)
        if req.mode is Mode.UPSCALE:
            source = Path(url2pathname(urlparse(req.source_url or "").path))
            try:
                shutil.copyfile(source, task_dir / "video")
            except OSError as exc:  # gone since the job was planned: nothing was created
                shutil.rmtree(task_dir, ignore_errors=True)
                raise BadRequest(f"the video to upscale is gone: {exc}", vendor=self.id) from exc
        for role in ("first_frame", "last_frame", "video"):
            media = getattr(req, role)
            if media is not None:
                (task_dir / role).write_bytes(media.data)
        if req.mode is Mode.TEXT:
            w, h = SIZES.get(req.ratio, SIZES["16:9"])
            title_card(req.prompt, (w * 2, h * 2)).save(task_dir / "card.png")
        (task_dir / "spec.json").write_text(json.dumps(spec))

    def _start(self, task_id: str) -> None:
        self._progress[task_id] = 0.0
        self._renders[task_id] = asyncio.create_task(self._render(task_id))

    async def _render(self, task_id: str) -> None:
        task_dir = self.work_dir / task_id
        spec = json.loads((task_dir / "spec.json").read_text())
        tmp, out = task_dir / "render.mp4", task_dir / "out.mp4"
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                *render_command(task_dir, spec, tmp),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            total = float(spec["duration"]) * 1_000_000
            assert proc.stdout is not None and proc.stderr is not None
            try:
                async for line in proc.stdout:
                    key, _, value = line.decode(errors="replace").strip().partition("=")
                    if key == "out_time_us" and value.lstrip("-").isdigit():
                        self._progress[task_id] = max(0.0, min(0.99, int(value) / total))
                err = await proc.stderr.read()
                code = await proc.wait()
            except asyncio.CancelledError:
                proc.kill()
                await proc.wait()
                raise
        if code != 0:
            self._errors[task_id] = err.decode(errors="replace")[-300:] or f"ffmpeg exited {code}"
            log.error("local render %s failed: %s", task_id, self._errors[task_id])
            return
        tmp.replace(out)

    async def poll(self, task_id: str) -> TaskState:
        task_dir = self.work_dir / task_id
        out = task_dir / "out.mp4"
        if task_id in self._errors:
            return TaskState(
                TaskStatus.FAILED, failure=self._errors[task_id], failure_code="RENDER"
            )
        if out.exists():
            return TaskState(
                TaskStatus.SUCCEEDED, progress=1.0, video_urls=[out.resolve().as_uri()]
            )
        if task_id not in self._renders:
            if not (task_dir / "spec.json").exists():
                raise NotFound("no such local task", status=404, vendor=self.id)
            self._start(task_id)  # the process restarted mid-render: render again
        return TaskState(TaskStatus.RUNNING, progress=self._progress.get(task_id, 0.0))

    async def cancel(self, task_id: str) -> bool:
        render = self._renders.pop(task_id, None)
        if render is not None:
            render.cancel()
        await asyncio.to_thread(shutil.rmtree, self.work_dir / task_id, True)
        return True

    async def aclose(self) -> None:
        for render in self._renders.values():
            render.cancel()
        await asyncio.gather(*self._renders.values(), return_exceptions=True)
        await super().aclose()
