"""A local emulator of the Discord REST API the bot calls, and builders of gateway payloads.

discord.py runs unchanged: tests point `discord.http.Route.BASE` at this server (which also
moves the interaction webhooks), log in with a fake token, and inject gateway events through
`bot._connection.parse_interaction_create` / `parse_message_create`.

    GET    /users/@me, /oauth2/applications/@me           login
    PUT    /applications/{app}[/guilds/{g}]/commands      tree.sync()
    POST   /interactions/{id}/{token}/callback            defer (5), message (4), modal (9)
    GET|PATCH|DELETE /webhooks/{app}/{token}/messages/{id|@original}
    POST   /webhooks/{app}/{token}                        followups (JSON or multipart)
    POST   /channels/{c}/messages, GET|PATCH|DELETE /channels/{c}/messages/{m}
    GET    /cdn/{name}                                    attachment and embed bytes
    GET    /gateway/ (WebSocket)                          IDENTIFY -> READY (discord_gateway.py)

Replies carry `Content-Type: application/json` exactly (discord.py compares the whole header).
Interaction tokens can be expired (401, code 50027) and any route can be made to fail once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord
import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket

from tests.discord_entitlements import EntitlementsMixin
from tests.discord_gateway import GatewayMixin

APP_ID = 1100000000000000001
BOT_ID = APP_ID
GUILD_ID = 1200000000000000001
MESSAGE_MAX = 2000  # characters of content Discord takes in one message
CHANNEL_ID = 1300000000000000001
DM_CHANNEL_ID = 1300000000000000099
USER_ID = 1400000000000000001
OTHER_ID = 1400000000000000002
ADMIN_ID = 1400000000000000003
API = "/api/v10"


@dataclass
class Call:
    """One request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    json: Any = None  # the JSON body, or the multipart payload_json
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, bytes

    @property
    def body(self) -> dict[str, Any]:
        return self.json if isinstance(self.json, dict) else {}

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "")

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.body.get("components") or [])

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for row in self.components for c in row.get("components", [])]


@dataclass
class Upload:
    """An attachment a user sends: becomes a resolved attachment served from /cdn."""

    filename: str
    data: bytes
    content_type: str | None
    size: int | None = None  # what Discord declares; defaults to len(data)


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]


def iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts or time.time(), UTC).isoformat()


class FakeDiscord(EntitlementsMixin, GatewayMixin):
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.cdn: dict[str, tuple[bytes, str]] = {}
        self.faults: list[Fault] = []
        self.expired: set[str] = set()
        self.tokens: dict[str, dict[str, Any]] = {}  # interaction token -> where it came from
        self.base_url = ""
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self._entitlements_init(APP_ID)
        self._gateway_init(self.user(BOT_ID, "videobot", bot=True), APP_ID)

    # lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return self.base_url + API

    # test controls

    def snowflake(self) -> int:
        return discord.utils.time_snowflake(datetime.now(UTC)) + next(self._seq)

    def fail_next(self, method: str, path_regex: str, status: int, code: int = 0) -> None:
        body = {"message": f"fake {status}", "code": code}
        self.faults.append(Fault(method, re.compile(path_regex), status, body))

    def expire(self, token: str) -> None:
        self.expired.add(token)

    def find(self, method: str, path_regex: str) -> list[Call]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)]

    async def wait_for(
        self,
        method: str,
        path_regex: str,
        check: Callable[[Call], bool] = lambda _c: True,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[Call]:
        """The matching calls, once at least `count` were made."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.find(method, path_regex) if check(c)]
            if len(found) >= count:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                seen = "\n".join(f"  {c.method} {c.path} {c.content[:80]!r}" for c in self.calls)
                raise AssertionError(f"no {count}x {method} {path_regex}; calls:\n{seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.2))

    # payload builders

    def user(
        self, user_id: int = USER_ID, name: str = "alice", bot: bool = False
    ) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def member(self, user_id: int, permissions: int) -> dict[str, Any]:
        return {
            "user": self.user(user_id, f"user{user_id % 100}"),
            "roles": [],
            "joined_at": iso(),
            "deaf": False,
            "mute": False,
            "nick": None,
            "flags": 0,
            "permissions": str(permissions),
        }

    def channel(self, channel_id: int, guild_id: int | None, user_id: int) -> dict[str, Any]:
        if guild_id is None:
            return {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.user(user_id)],
            }
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def attachment(self, upload: Upload) -> dict[str, Any]:
        att_id = self.snowflake()
        name = f"{att_id}-{upload.filename}"
        self.cdn[name] = (upload.data, upload.content_type or "application/octet-stream")
        payload: dict[str, Any] = {
            "id": str(att_id),
            "filename": upload.filename,
            "size": upload.size if upload.size is not None else len(upload.data),
            "url": f"{self.base_url}/cdn/{name}",
            "proxy_url": f"{self.base_url}/cdn/{name}",
        }
        if upload.content_type:
            payload["content_type"] = upload.content_type
        return payload

    def embed_image(self, data: bytes, content_type: str = "image/png") -> dict[str, Any]:
        name = f"embed-{self.snowflake()}"
        self.cdn[name] = (data, content_type)
        url = f"{self.base_url}/cdn/{name}"
        return {"type": "rich", "title": "a picture", "image": {"url": url, "proxy_url": url}}

    def message(
        self,
        content: str,
        *,
        author_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
        guild_id: int | None = GUILD_ID,
        uploads: tuple[Upload, ...] = (),
        embeds: tuple[dict[str, Any], ...] = (),
        reply_to: dict[str, Any] | None = None,
        store: bool = True,
    ) -> dict[str, Any]:
        """A MESSAGE_CREATE payload (and a stored message the bot can fetch)."""
        msg_id = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(msg_id),
            "channel_id": str(channel_id),
            "author": self.user(author_id, f"user{author_id % 100}", bot=author_id == BOT_ID),
            "content": content,
            "timestamp": iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [self.attachment(u) for u in uploads],
            "embeds": list(embeds),
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
        if reply_to is not None:
            payload["type"] = 19
            payload["message_reference"] = {
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                **({"guild_id": str(guild_id)} if guild_id else {}),
            }
            payload["referenced_message"] = reply_to
        if store:
            self.messages[msg_id] = payload
        return payload

    def _interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        locale: str,
        size_limit: int,
        permissions: int,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        iid = self.snowflake()
        token = f"interaction-token-{iid}"
        if channel_id is None:
            channel_id = CHANNEL_ID if guild_id is not None else DM_CHANNEL_ID
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(APP_ID),
            "type": itype,
            "token": token,
            "version": 1,
            "attachment_size_limit": size_limit,
            "data": data,
            "channel": self.channel(channel_id, guild_id, user_id),
            "channel_id": str(channel_id),
            "locale": locale,
            "app_permissions": str(discord.Permissions.all().value),
            "entitlements": [],
            "context": 0 if guild_id is not None else 1,
            "authorizing_integration_owners": {"0": str(guild_id)}
            if guild_id is not None
            else {"1": str(user_id)},
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
            payload["member"] = self.member(user_id, permissions)
        else:
            payload["user"] = self.user(user_id)
        if message is not None:
            payload["message"] = message
        self.tokens[token] = {"id": iid, "channel_id": channel_id, "guild_id": guild_id}
        return payload

    def slash(
        self,
        name: str,
        *,
        user_id: int = USER_ID,
        guild_id: int | None = GUILD_ID,
        channel_id: int | None = None,
        locale: str = "en-US",
        size_limit: int = 10 * 1024 * 1024,
        permissions: int = 0,
        **options: Any,
    ) -> dict[str, Any]:
        """An APPLICATION_COMMAND interaction; Upload values become attachment options."""
        opts: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {}
        for key, value in options.items():
            if value is None:
                continue
            if isinstance(value, Upload):
                att = self.attachment(value)
                resolved.setdefault("attachments", {})[att["id"]] = att
                opts.append({"name": key, "type": 11, "value": att["id"]})
            elif isinstance(value, bool):
                opts.append({"name": key, "type": 5, "value": value})
            elif isinstance(value, int):
                opts.append({"name": key, "type": 4, "value": value})
            else:
                opts.append({"name": key, "type": 3, "value": str(value)})
        data = {"id": str(self.snowflake()), "name": name, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        return self._interaction(
            2, data, user_id=user_id, guild_id=guild_id, channel_id=channel_id, locale=locale,
            size_limit=size_limit, permissions=permissions,
        )  # fmt: skip

    def context_menu(
        self, name: str, target: dict[str, Any], *, user_id: int = USER_ID, locale: str = "en-US"
    ) -> dict[str, Any]:
        data = {
            "id": str(self.snowflake()),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        guild = int(target["guild_id"]) if target.get("guild_id") else None
        return self._interaction(
            2, data, user_id=user_id, guild_id=guild, channel_id=int(target["channel_id"]),
            locale=locale, size_limit=10 * 1024 * 1024, permissions=0,
        )  # fmt: skip

    def modal_submit(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user_id: int = USER_ID,
        guild_id: int | None = GUILD_ID,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        data = {"custom_id": custom_id, "components": rows}
        return self._interaction(
            5, data, user_id=user_id, guild_id=guild_id, channel_id=None, locale=locale,
            size_limit=10 * 1024 * 1024, permissions=0,
        )  # fmt: skip

    def click(
        self,
        message_id: int,
        custom_id: str,
        *,
        user_id: int = USER_ID,
        guild_id: int | None = GUILD_ID,
        locale: str = "en-US",
        values: list[str] | None = None,
    ) -> dict[str, Any]:
        """A button press on a message the bot sent (so its components are known here), or
        a choice in its select menu (`values`)."""
        message = self.messages[message_id]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2}
        if values is not None:
            data = {"custom_id": custom_id, "component_type": 3, "values": values}
        return self._interaction(
            3, data, user_id=user_id, guild_id=guild_id,
            channel_id=int(message["channel_id"]), locale=locale,
            size_limit=10 * 1024 * 1024, permissions=0, message=message,
        )  # fmt: skip

    # the server

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        call = await self._record(request)
        try:
            for fault in self.faults:
                if fault.method == call.method and fault.pattern.search(call.path):
                    self.faults.remove(fault)
                    return self._json(fault.body, fault.status)
            for method, pattern, handler in self._routes():
                match = re.fullmatch(pattern, call.path)
                if match and call.method in method.split("|"):
                    return await handler(call, **match.groupdict())
            return self._json({"message": "404: Not Found", "code": 0}, 404)
        finally:
            self._changed.set()

    async def _record(self, request: web.Request) -> Call:
        path = request.path
        if path.startswith(API):
            path = path[len(API) :]
        call = Call(request.method, path, dict(request.query))
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    call.json = json.loads(data)
                else:
                    ctype = part.headers.get("Content-Type", "")
                    call.files.append((part.filename or "", ctype, bytes(data)))
        elif request.can_read_body:
            raw = await request.read()
            call.json = json.loads(raw) if raw else None
        self.calls.append(call)
        return call

    def _routes(self) -> list[tuple[str, str, Callable[..., Awaitable[web.StreamResponse]]]]:
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._app),
            ("PUT", r"/applications/\d+/commands", self._commands),
            ("PUT", r"/applications/\d+/guilds/\d+/commands", self._commands),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            (
                "GET|PATCH|DELETE",
                r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._webhook_message,
            ),
            ("POST", r"/webhooks/\d+/(?P<token>[^/]+)", self._followup),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._create),
            (
                "GET|PATCH|DELETE",
                r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)",
                self._channel_message,
            ),
            ("GET", r"/cdn/(?P<name>.+)", self._cdn),
            *self.entitlement_routes(),
        ]

    @staticmethod
    def _json(body: Any, status: int = 200) -> web.Response:
        if status == 204:
            return web.Response(status=204)
        return web.Response(
            status=status,
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )

    async def _me(self, call: Call) -> web.Response:
        return self._json(self.user(BOT_ID, "videobot", bot=True))

    async def _app(self, call: Call) -> web.Response:
        return self._json(
            {
                "id": str(APP_ID),
                "name": "videobot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.user(ADMIN_ID, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _commands(self, call: Call) -> web.Response:
        commands = []
        for cmd in call.json or []:
            commands.append(
                {
                    **cmd,
                    "id": str(self.snowflake()),
                    "application_id": str(APP_ID),
                    "version": str(self.snowflake()),
                    "type": cmd.get("type", 1),
                    "description": cmd.get("description", ""),
                }
            )
        return self._json(commands)

    def _store(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[tuple[str, str, bytes]],
        *,
        flags: int = 0,
        webhook: bool = False,
    ) -> dict[str, Any]:
        msg_id = self.snowflake()
        attachments = []
        for filename, ctype, data in files:
            name = f"{msg_id}-{filename}"
            self.cdn[name] = (data, ctype)
            attachments.append(
                {
                    "id": str(self.snowflake()),
                    "filename": filename,
                    "size": len(data),
                    "url": f"{self.base_url}/cdn/{name}",
                    "proxy_url": f"{self.base_url}/cdn/{name}",
                    "content_type": ctype,
                }
            )
        message = self.message("", author_id=BOT_ID, channel_id=channel_id, store=False)
        message.update(
            id=str(msg_id),
            content=body.get("content") or "",
            components=body.get("components") or [],
            attachments=attachments,
            flags=flags | int(body.get("flags") or 0),
        )
        if webhook:
            message["webhook_id"] = str(APP_ID)
            message["application_id"] = str(APP_ID)
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        self.messages[msg_id] = message
        return message

    def _too_long(self, body: dict[str, Any]) -> web.Response | None:
        """Discord's 400 for message content over 2000 characters."""
        if len(str(body.get("content") or "")) <= MESSAGE_MAX:
            return None
        error = {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
        body = {"message": "Invalid Form Body", "code": 50035}
        return self._json({**body, "errors": {"content": {"_errors": [error]}}}, 400)

    async def _callback(self, call: Call, iid: str, token: str) -> web.Response:
        body = call.json or {}
        if (refused := self._too_long(body.get("data") or {})) is not None:
            return refused
        kind = int(body.get("type", 0))
        origin = self.tokens.get(token, {"channel_id": CHANNEL_ID})
        info: dict[str, Any] = {"id": iid, "type": 2}
        result: dict[str, Any] = {"interaction": info}
        if kind in (4, 5):
            data = body.get("data") or {}
            message = self._store(int(origin["channel_id"]), data, [], webhook=True)
            if kind == 5:
                message["flags"] = int(message["flags"]) | 128  # loading
            origin["original"] = int(message["id"])
            info.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(int(data.get("flags") or 0) & 64),
            )
            result["resource"] = {"type": kind, "message": message}
        return self._json(result)

    def _expired(self, token: str) -> web.Response | None:
        if token in self.expired:
            return self._json({"message": "Invalid Webhook Token", "code": 50027}, 401)
        return None

    async def _webhook_message(self, call: Call, token: str, mid: str) -> web.Response:
        if (refused := self._expired(token)) is not None:
            return refused
        origin = self.tokens.get(token, {})
        msg_id = int(origin.get("original", 0)) if mid == "@original" else int(mid)
        message = self.messages.get(msg_id)
        if message is None:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        if call.method == "DELETE":
            del self.messages[msg_id]
            return self._json(None, 204)
        if call.method == "PATCH":
            self._apply_edit(message, call)
        return self._json(message)

    def _apply_edit(self, message: dict[str, Any], call: Call) -> None:
        body = call.json or {}
        for key in ("content", "components"):
            if key in body:
                message[key] = body[key] or ([] if key == "components" else "")
        message["flags"] = int(message.get("flags", 0)) & ~128
        message["edited_timestamp"] = iso()

    async def _followup(self, call: Call, token: str) -> web.Response:
        if (refused := self._expired(token) or self._too_long(call.json or {})) is not None:
            return refused
        origin = self.tokens.get(token, {"channel_id": CHANNEL_ID})
        message = self._store(int(origin["channel_id"]), call.json or {}, call.files, webhook=True)
        return self._json(message)

    async def _create(self, call: Call, cid: str) -> web.Response:
        if (refused := self._too_long(call.json or {})) is not None:
            return refused
        return self._json(self._store(int(cid), call.json or {}, call.files))

    async def _channel_message(self, call: Call, cid: str, mid: str) -> web.Response:
        message = self.messages.get(int(mid))
        if message is None:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        if call.method == "DELETE":
            del self.messages[int(mid)]
            return self._json(None, 204)
        if call.method == "PATCH":
            self._apply_edit(message, call)
        return self._json(message)

    async def _cdn(self, call: Call, name: str) -> web.Response:
        if name not in self.cdn:
            return web.Response(status=404)
        data, ctype = self.cdn[name]
        return web.Response(body=data, headers={"Content-Type": ctype})


class Harness:
    """A real core (SQLite, engine, vendors) behind the real adapter, talking to FakeDiscord.

    `offset` moves the adapter's clock (interaction token age); ERROR log records from
    discord.py or the bot fail the test at exit unless `expect_errors` is set.
    """

    def __init__(
        self,
        tmp_path: Any,
        vendors: list[Any] | None = None,
        *,
        settings: Any = None,
        gateway: bool = False,
        **core_overrides: Any,
    ) -> None:
        self.tmp_path = tmp_path
        self.gateway = gateway  # connect to the fake's gateway
        self.vendors = vendors
        self.settings = settings
        self.core_overrides = core_overrides
        self.offset = 0.0
        self.errors: list[logging.LogRecord] = []
        self.expect_errors = False
        self.fake = FakeDiscord()
        self._base = ""
        self._gateway: yarl.URL | None = None
        self._handler = _Collector(self.errors)

    def clock(self) -> float:
        return time.time() + self.offset

    async def __aenter__(self) -> Harness:
        from adapters.discord import DiscordAdapter, DiscordSettings
        from tests.helpers import make_core

        logging.getLogger().addHandler(self._handler)
        await self.fake.start()
        self._base = discord.http.Route.BASE
        discord.http.Route.BASE = self.fake.api_base
        self._gateway = DiscordWebSocket.DEFAULT_GATEWAY
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.fake.gateway_url)
        overrides = {"discord_bot_token": "fake-token", **self.core_overrides}
        self.core = await make_core(self.tmp_path, vendors=self.vendors, **overrides)
        settings = self.settings or DiscordSettings(_env_file=None)
        self.adapter = DiscordAdapter(
            self.core,
            settings,
            gateway=self.gateway,
            clock=self.clock,
            progress_interval=0.05,
            media_hosts=frozenset({"127.0.0.1"}),
        )
        await self.adapter.start()
        await self.core.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.core.engine.stop()
            await self.adapter.stop()
            await self.core.aclose()
        finally:
            discord.http.Route.BASE = self._base
            DiscordWebSocket.DEFAULT_GATEWAY = self._gateway
            await self.fake.stop()
            logging.getLogger().removeHandler(self._handler)
        if not self.expect_errors and exc[0] is None:
            assert not self.errors, [r.getMessage() for r in self.errors]

    @property
    def bot(self) -> Any:
        return self.adapter.bot

    def interact(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.bot._connection.parse_interaction_create(payload)
        return payload

    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.bot._connection.parse_message_create(payload)
        return payload

    async def job(self, user_id: int = USER_ID, timeout: float = 10.0) -> Any:
        """The user's newest job, once there is one."""
        from bot.models import UserRef

        user = UserRef("discord", str(user_id))
        deadline = time.monotonic() + timeout
        while True:
            jobs = await self.core.store.user_jobs(user, limit=1)
            if jobs:
                return jobs[0]
            if time.monotonic() > deadline:
                raise AssertionError("no job was started")
            await asyncio.sleep(0.02)

    async def settled(self, job_id: str, timeout: float = 15.0) -> Any:
        """The job once it is delivered, failed or cancelled, and its status edits are made."""
        deadline = time.monotonic() + timeout
        while True:
            job = await self.core.store.get_job(job_id)
            if job is not None and job.state.terminal:
                await self.core.engine.wait([job_id])
                await asyncio.sleep(0.1)  # the FINISHED/FAILED event follows the settle
                await self.adapter.sink.idle()
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} did not finish: {job}")
            await asyncio.sleep(0.02)


class _Collector(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("discord", "videobot")):
            self.into.append(record)
