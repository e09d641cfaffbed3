"""A Bot API server on localhost, so the Telegram channel is tested without the network."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from http import HTTPStatus
from itertools import islice
from typing import Any, Self, TypeVar

from aiohttp import ClientError, ClientSession, ClientTimeout, MultipartReader, web
from aiohttp.hdrs import CONTENT_TYPE

from tests.fakes.telegram_methods import CANONICAL, BotApi
from tests.fakes.telegram_state import TOKEN, ApiError, Call, Json, UploadedFile
from tests.fakes.telegram_wire import SECRET_HEADER, decode, read_params, read_parts

__all__ = ["SECRET_HEADER", "TOKEN", "ApiError", "Call", "FakeTelegram", "UploadedFile"]

T = TypeVar("T")
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_KEEP: Any = object()
DOWNLOAD = "downloadFile"
"""Not a Bot API method: the name under which file downloads are recorded and faulted."""


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"


def _reply(body: Json, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


class FakeTelegram(BotApi):
    """Telegram for tests: the bot talks HTTP to it, tests act as users and inspect it."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        now: Callable[[], float | datetime] = time.time,
        bot_username: str = "hotline_test_bot",
        port: int = 0,
        webhook_attempts: int = 3,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        super().__init__(token, now=now, bot_username=bot_username)
        self.port, self.base_url = port, ""
        self.webhook_attempts, self.webhook_retry_delay = webhook_attempts, webhook_retry_delay
        self.calls: list[Call] = []
        self.injected: list[tuple[str, int]] = []
        self.webhook_deliveries: list[tuple[int, int]] = []
        self._by_method: defaultdict[str, list[Call]] = defaultdict(list)
        self._faults: dict[str, deque[list[Any]]] = {}
        self._slow: dict[str, deque[list[Any]]] = {}
        self._wake = asyncio.Event()
        self._poll_generation, self._closing = 0, False
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=60 * 1024**2)  # Telegram takes 50 MB documents
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._client = ClientSession()
        self._worker = asyncio.create_task(self._deliver_forever())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing = True
        self._changed()
        if self._worker:
            self._worker.cancel()
            with suppress(asyncio.CancelledError):
                await self._worker
        if self._client:
            await self._client.close()
        if self._runner:
            await self._runner.cleanup()

    # Inspection and fault injection
    def calls_of(self, method: str) -> list[Json]:
        """Parameters of every call of that method, oldest first."""
        return [call.params for call in self._by_method.get(method, [])]

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int = 429,
        retry_after: int = 2,
        description: str | None = None,
    ) -> None:
        """Answer the next `times` calls of method ("*": any) with an error, e.g. 429 or 500."""
        flood = status == HTTPStatus.TOO_MANY_REQUESTS
        if description is None:
            reason = f"Too Many Requests: retry after {retry_after}"
            description = reason if flood else _phrase(status)
        error = ApiError(status, description, retry_after if flood else None)
        self._faults.setdefault(method, deque()).append([times, error])

    def slow_next(self, method: str, times: int = 1, delay: float = 1.5) -> None:
        """Hold the next `times` calls of method ("*": any) for delay real seconds."""
        self._slow.setdefault(method, deque()).append([times, delay])

    @staticmethod
    def _take(table: dict[str, deque[list[Any]]], name: str) -> Any:
        for key in (name, "*"):
            if queue := table.get(key):
                entry = queue[0]
                entry[0] -= 1
                if entry[0] <= 0:
                    queue.popleft()
                return entry[1]
        return None

    # Waiting without sleeps
    def _changed(self) -> None:
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()

    async def _changes(self, within: float | None) -> None:
        wake = self._wake
        with suppress(TimeoutError):
            async with asyncio.timeout(within):
                await wake.wait()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10) -> T:  # noqa: ASYNC109
        """Wait until predicate() is truthy (checked on every call or update); return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (value := predicate()):
            if (left := deadline - loop.time()) <= 0:
                recent = [(c.method, c.params) for c in self.calls[-5:]]
                raise AssertionError(f"condition not met within {timeout}s; last calls: {recent}")
            await self._changes(left)
        return value

    async def wait_for_messages(
        self,
        chat_id: int,
        n: int,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> list[Json]:
        """Wait until the chat shows at least n bot messages; return them."""
        try:
            await self.wait_for(lambda: len(self.sent(chat_id)) >= n, timeout)
        except AssertionError:
            shown = self.texts(chat_id)
            raise AssertionError(f"chat {chat_id}: wanted {n} bot messages, has {shown}") from None
        return self.sent(chat_id)

    # HTTP
    def _record(self, name: str, params: Json) -> None:
        call = Call(name, params, time.monotonic())
        self.calls.append(call)
        self._by_method[name].append(call)
        self._changed()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized").payload(), 401)
        method = request.match_info["method"]
        name = CANONICAL.get(method.lower(), method)
        params = await read_params(request)
        self._record(name, params)
        try:
            if (delay := self._take(self._slow, name)) is not None:
                await asyncio.sleep(delay)
            if (fault := self._take(self._faults, name)) is not None:
                self.injected.append((name, fault.status))
                return _reply(fault.payload(), fault.status)
            if name == "getUpdates":
                return _reply({"ok": True, "result": await self._get_updates(params)})
            return _reply({"ok": True, "result": self.dispatch(name, params)})
        except ApiError as error:
            return _reply(error.payload(), error.status)
        finally:
            self._changed()

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A file a user sent, by the path getFile gave; faults apply as "downloadFile"."""
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized").payload(), 401)
        path = request.match_info["path"]
        self._record(DOWNLOAD, {"file_path": path})
        try:
            if (delay := self._take(self._slow, DOWNLOAD)) is not None:
                await asyncio.sleep(delay)
            if (fault := self._take(self._faults, DOWNLOAD)) is not None:
                self.injected.append((DOWNLOAD, fault.status))
                return _reply(fault.payload(), fault.status)
            if (found := self.file_at(path)) is None:
                return _reply(ApiError(404, "Not Found").payload(), 404)
            self.downloads.append(path)
            return web.Response(body=found.data, content_type="application/octet-stream")
        finally:
            self._changed()

    async def _get_updates(self, params: Json) -> list[Json]:
        if self.webhook:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        self._set_allowed(params)
        while offset > 0 and self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()  # confirmed
        while offset < 0 and len(self.updates) > -offset:
            self.updates.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed()  # an older long poll, if any, ends with 409 like on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while not self.updates and not self._closing and (left := deadline - loop.time()) > 0:
            await self._changes(left)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLL)
            if self.webhook:
                raise ApiError(409, CONFLICT_WEBHOOK)
        return list(islice(self.updates, max(1, min(limit, 100))))

    # Webhook
    async def post_update(self, update: Json, secret: str | None = _KEEP, url: str = "") -> int:
        """POST an update to the webhook like Telegram; the status, or 0 if unreachable."""
        target = url or (self.webhook or {}).get("url")
        if not target or self._client is None:
            raise AssertionError("no webhook set (and no url given), or the fake is not running")
        token = (self.webhook or {}).get("secret_token") if secret is _KEEP else secret
        headers = {CONTENT_TYPE: "application/json", **({SECRET_HEADER: token} if token else {})}
        try:
            async with self._client.post(
                target, data=json.dumps(update), headers=headers, timeout=ClientTimeout(total=30)
            ) as response:
                status = response.status
                if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
                    await self._run_reply(response)
        except (ClientError, TimeoutError):
            status = 0
        self.webhook_deliveries.append((update.get("update_id", 0), status))
        self._changed()
        return status

    async def _run_reply(self, response: Any) -> None:
        """Run a method the webhook answered with, as Telegram does (errors are ignored)."""
        raw: Json = {}
        files: dict[str, UploadedFile] = {}
        if response.content_type == "multipart/form-data":
            await read_parts(MultipartReader(response.headers, response.content), raw, files)
        elif response.content_type == "application/json":
            body = await response.json()
            raw = body if isinstance(body, dict) else {}
        params = decode(raw, files)
        if isinstance(method := params.pop("method", None), str):
            name = CANONICAL.get(method.lower(), method)
            self._record(name, params)
            with suppress(ApiError):
                self.dispatch(name, params)

    async def _deliver_forever(self) -> None:
        """Push queued updates to the webhook in order, one at a time, with a few retries."""
        while True:
            if self.webhook is None or not self.updates:
                await self._changes(None)
                continue
            update, status = self.updates[0], 0
            for attempt in range(self.webhook_attempts):
                if attempt:
                    await asyncio.sleep(self.webhook_retry_delay * 2 ** (attempt - 1))
                if self.webhook is None:
                    break
                status = await self.post_update(update)
                if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
                    break
            if self.webhook is None:
                continue  # switched back to polling: getUpdates gets the update
            if not HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
                reason = f"{status} {_phrase(status)}" if status else "Connection refused"
                self.webhook_error = (self._ts(), f"Wrong response from the webhook: {reason}")
            if self.updates and self.updates[0] is update:
                self.updates.popleft()
            self._changed()
