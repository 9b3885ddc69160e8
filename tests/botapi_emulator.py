"""A Telegram Bot API emulator on 127.0.0.1 for end-to-end tests of the Telegram adapter.

It speaks the wire protocol python-telegram-bot uses: every method is a POST to
`/bot<token>/<method>` (form-encoded, or multipart with files; every value a string, complex
values as JSON), and files are downloaded from `/file/bot<token>/<file_path>` (the token's
`:` arrives URL-quoted). Tests push updates (served by `getUpdates` long polls), then assert
on the recorded calls:

    tg = await BotAPIEmulator().start()           # TELEGRAM_API_URL = tg.root_url
    tg.push_message(tg.make_message("/video a cat"))
    (call,) = await tg.wait_for("sendVideo")
    call.files["video"].data[4:8] == b"ftyp"

Several bot processes on one emulator: each points TELEGRAM_API_URL at `tg.via("a")`
(the root with a `/via-a` prefix) and every call records which one made it (`Call.via`);
`tg.polls` holds the getUpdates calls.

Messages are always built with every required field (message_id, date, chat), since one
malformed update makes PTB's updater re-poll forever. Faults: `fail_next(method, ...)`
answers the next call(s) of a method with a Telegram error, e.g. 429 with retry_after.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.botapi_members import MembersMixin
from tests.botapi_payments import StarsMixin

TOKEN = "123456789:AAH-test_TOKEN_0123456789abcdefghijKLM"
BOT_ID = 123456789
BOT_USERNAME = "VideoTestBot"
CLOUD_GETFILE_LIMIT = 20 * 1000 * 1000
_INT = re.compile(r"-?\d{1,19}")
_TEXT_FIELDS = {"text", "caption", "url", "secret_token", "callback_query_id", "file_id"}


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    at: float = 0.0
    answered: int = 200  # the HTTP status the emulator answered with
    via: str = ""  # which bot process made it (see BotAPIEmulator.via)
    result: Any = None  # what it answered (the sent Message for send* methods)

    @property
    def ok(self) -> bool:
        return self.answered == 200

    @property
    def reply_to(self) -> int | None:
        reply = self.params.get("reply_parameters")
        return reply.get("message_id") if isinstance(reply, dict) else None

    @property
    def buttons(self) -> list[str]:
        markup = self.params.get("reply_markup")
        if not isinstance(markup, dict):
            return []
        return [b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row]


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None


def _decode(key: str, value: str) -> Any:
    if key in _TEXT_FIELDS:
        return value
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if value in ("true", "false"):
        return value == "true"
    if _INT.fullmatch(value):
        return int(value)
    return value


class BotAPIEmulator(StarsMixin, MembersMixin):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        username: str = BOT_USERNAME,
        getfile_limit: int | None = CLOUD_GETFILE_LIMIT,
    ) -> None:
        self.token = token
        self.username = username
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Video Bot",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.getfile_limit = getfile_limit
        self.calls: list[Call] = []
        self.paths: list[str] = []  # every request path, raw, for leak checks
        self.faults: dict[str, list[Fault]] = {}
        self.files: dict[str, bytes] = {}  # file_id -> bytes
        self.file_paths: dict[str, str] = {}  # file_path -> file_id
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.root_url = ""
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.offsets: list[int] = []  # every getUpdates offset: what the bot has confirmed
        self.polls: list[Call] = []  # every getUpdates call
        self.allowed_updates: list[str] | None = None
        self._stars_init()
        self._members_init()

    # lifecycle

    async def start(self) -> BotAPIEmulator:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root_url = f"http://127.0.0.1:{port}"
        return self

    def via(self, name: str) -> str:
        """TELEGRAM_API_URL for the bot process `name`: its calls record `via=name`."""
        return f"{self.root_url}/via-{name}"

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # building updates

    def user(self, uid: int = 1001, *, language: str = "en", name: str = "Ann") -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": name, "language_code": language}

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def group_chat(self, chat_id: int = -1001234, *, forum: bool = False) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": "Test group"}
        if forum:
            chat["is_forum"] = True
        return chat

    def make_message(
        self,
        text: str | None = None,
        *,
        user: dict[str, Any] | None = None,
        chat: dict[str, Any] | None = None,
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
        thread_id: int | None = None,
        **media: Any,
    ) -> dict[str, Any]:
        """A complete Message dict; media as photo=..., document=..., video=..., etc."""
        user = user or self.user()
        chat = chat or self.private_chat(user)
        self.chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if text is not None:
            message["text"] = text
        if caption is not None:
            message["caption"] = caption
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        message.update(media)
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def push_update(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def next_update(self) -> dict[str, Any] | None:
        """The oldest update not yet delivered, for a driver playing Telegram's webhook
        delivery (bench/chaos_processes.py); `drop_update` once a webhook took it."""
        return self._updates[0] if self._updates else None

    def drop_update(self, update: dict[str, Any]) -> None:
        self._updates = [u for u in self._updates if u is not update]

    def push_message(self, message: dict[str, Any]) -> dict[str, Any]:
        self.push_update({"message": message})
        return message

    def press(self, data: str, *, user: dict[str, Any], message: dict[str, Any]) -> str:
        """A user presses an inline button with `data` under `message`."""
        query_id = f"cq{next(self._callback_ids)}"
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": "ci-1",
                    "data": data,
                }
            }
        )
        return query_id

    # files

    def add_file(self, data: bytes, suffix: str = "jpg") -> dict[str, Any]:
        n = next(self._file_ids)
        file_id = f"file{n}"
        self.files[file_id] = data
        self.file_paths[f"docs/file_{n}.{suffix}"] = file_id
        return {"file_id": file_id, "file_unique_id": f"u{n}", "file_size": len(data)}

    def photo(self, data: bytes, width: int = 64, height: int = 48) -> list[dict[str, Any]]:
        """PhotoSize list as Telegram sends it: a thumbnail first, the full size last."""
        thumb = self.add_file(data[: max(1, len(data) // 4)])
        full = self.add_file(data)
        return [
            {**thumb, "width": width // 4, "height": height // 4},
            {**full, "width": width, "height": height},
        ]

    def video(self, data: bytes, *, width: int = 64, height: int = 64) -> dict[str, Any]:
        return {
            **self.add_file(data, "mp4"),
            "width": width,
            "height": height,
            "duration": 1,
            "mime_type": "video/mp4",
        }

    def document(self, data: bytes, mime: str, name: str) -> dict[str, Any]:
        info = self.add_file(data, name.rsplit(".", 1)[-1])
        return {**info, "mime_type": mime, "file_name": name}

    # assertions

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_texts(self) -> list[str]:
        out = [c.params.get("text", "") for c in self.calls if c.method == "sendMessage" and c.ok]
        return [str(t) for t in out]

    async def wait_for(
        self, method: str, count: int = 1, *, where: Any = None, timeout: float = 15.0
    ) -> list[Call]:
        """The first `count` successful calls of `method` matching `where(call)`."""

        def found() -> list[Call]:
            return [
                c for c in self.calls if c.method == method and c.ok and (where is None or where(c))
            ]

        async def wait() -> list[Call]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(found()) >= count)
            return found()[:count]

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            seen = [(c.method, c.answered, c.params.get("text")) for c in self.calls]
            raise AssertionError(f"no {count}x {method} within {timeout}s; calls: {seen}") from None

    async def wait_for_poll(self, via: str, timeout: float = 15.0) -> Call:
        """The first getUpdates made by the bot process `via`."""

        def found() -> list[Call]:
            return [p for p in self.polls if p.via == via]

        async def wait() -> Call:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(found()))
            return found()[0]

        return await asyncio.wait_for(wait(), timeout)

    def fail_next(
        self,
        method: str,
        status: int = 400,
        description: str = "Bad Request: simulated",
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        fault = Fault(status, description, retry_after, migrate_to_chat_id)
        self.faults.setdefault(method, []).extend([fault] * times)

    def flood(self, method: str, seconds: int = 1, times: int = 1) -> None:
        self.fail_next(
            method, 429, f"Too Many Requests: retry after {seconds}", retry_after=seconds,
            times=times,
        )  # fmt: skip

    # plumbing

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.raw_path)
        path = unquote(request.path)
        prefix = re.match(r"/via-(\w+)(?=/)", path)
        via = prefix[1] if prefix else ""
        path = path[prefix.end() :] if prefix else path
        if request.method == "GET" and path.startswith("/file/bot"):
            return self._download(path.removeprefix("/file/bot"))
        match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", path)
        if request.method != "POST" or match is None:
            return self._error(404, "Not Found")
        if match["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = match["method"]
        params: dict[str, Any] = {}
        files: dict[str, Upload] = {}
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    params[key] = _decode(key, str(value))
        call = Call(method, params, files, time.monotonic(), via=via)
        fault = self._take_fault(method)
        if fault is not None:
            call.answered = fault.status
            response = self._fault(fault)
        else:
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                call.answered = 404
                response = self._error(404, "Not Found: method not found")
            else:
                result = handler(call)
                if isinstance(result, web.Response):
                    call.answered = result.status
                    response = result
                else:
                    call.result = result
                    response = web.json_response({"ok": True, "result": result})
        if method != "getUpdates":
            self.calls.append(call)
            await self._notify()
        else:
            self.polls.append(call)
            await self._notify()
            response = await self._get_updates(params)
        return response

    def _take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        return queue.pop(0) if queue else None

    def _error(self, code: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    def _fault(self, fault: Fault) -> web.Response:
        params: dict[str, Any] = {}
        if fault.retry_after is not None:
            params["retry_after"] = fault.retry_after
        if fault.migrate_to_chat_id is not None:
            params["migrate_to_chat_id"] = fault.migrate_to_chat_id
        return self._error(fault.status, fault.description, **params)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self.offsets.append(offset)
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        # Telegram drops the kinds of update a bot did not ask for.
        allowed = self.allowed_updates
        self._updates = [
            u
            for u in self._updates
            if u["update_id"] >= offset
            and (allowed is None or set(u) - {"update_id"} <= set(allowed))
        ]
        if not self._updates and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
        return web.json_response({"ok": True, "result": list(self._updates[:100])})

    def _download(self, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return web.Response(status=401)
        file_id = self.file_paths.get(file_path)
        if file_id is None:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        return self.chats.get(int(chat_id), {"id": int(chat_id), "type": "private"})

    def _new_message(self, call: Call, **content: Any) -> dict[str, Any]:
        chat = self._chat(call.params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **content,
        }
        thread = call.params.get("message_thread_id")
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        if isinstance(call.params.get("reply_markup"), dict):
            message["reply_markup"] = call.params["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    # methods

    def _m_getMe(self, call: Call) -> Any:
        return self.bot_user

    def _m_deleteWebhook(self, call: Call) -> Any:
        return True

    def _m_setWebhook(self, call: Call) -> Any:
        return True

    def _m_setMyCommands(self, call: Call) -> Any:
        return True

    def _m_sendChatAction(self, call: Call) -> Any:
        return True

    def _m_answerCallbackQuery(self, call: Call) -> Any:
        return True

    def _m_deleteMessage(self, call: Call) -> Any:
        return True

    def _m_sendMessage(self, call: Call) -> Any:
        if "text" not in call.params or not str(call.params["text"]).strip():
            return self._error(400, "Bad Request: message text is empty")
        return self._new_message(call, text=call.params["text"])

    def _m_editMessageText(self, call: Call) -> Any:
        key = (int(call.params["chat_id"]), int(call.params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return self._error(400, "Bad Request: message to edit not found")
        markup = call.params.get("reply_markup")
        if message.get("text") == call.params["text"] and message.get("reply_markup") == markup:
            return self._error(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup",
            )
        message["text"] = call.params["text"]
        message.pop("reply_markup", None)
        if isinstance(markup, dict):
            message["reply_markup"] = markup
        return message

    def _m_sendVideo(self, call: Call) -> Any:
        upload = call.files.get("video")
        if upload is None:
            return self._error(400, "Bad Request: there is no video in the request")
        video = {**self.video(upload.data), "file_name": upload.filename}
        content: dict[str, Any] = {"video": video}
        if "caption" in call.params:
            content["caption"] = call.params["caption"]
        return self._new_message(call, **content)

    def _m_getFile(self, call: Call) -> Any:
        file_id = str(call.params.get("file_id", ""))
        data = self.files.get(file_id)
        if data is None:
            return self._error(400, "Bad Request: invalid file_id")
        if self.getfile_limit is not None and len(data) > self.getfile_limit:
            return self._error(400, "Bad Request: file is too big")
        path = next(p for p, f in self.file_paths.items() if f == file_id)
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(data),
            "file_path": path,
        }
