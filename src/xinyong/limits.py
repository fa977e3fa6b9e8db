"""Requests that cannot exhaust the server nor reach the database with what it cannot store: the caller is
identified and authorised before a byte of the body is read, every route has a body limit enforced while
the body streams in, and text that is no text (NUL, a lone surrogate) is refused at the door.

``RequestGuard`` is ASGI middleware (wired in ``xinyong.app``). A path or query string holding NUL
(``%00``) is refused (422: PostgreSQL cannot store it, and no identifier, name or date contains it). For
a request that carries a body it

1. finds the route and the scope its ``authorize`` names, and checks the caller (token or session) holds
   it, as ``authorize`` will: the public's 28 MB JSON body or 200 MB upload to a guarded route is
   answered 401 before it is received, a caller without the scope 403;
2. refuses a body whose declared length (``Content-Length``) exceeds the route's limit (413);
3. counts the bytes as they arrive and stops at the limit (413), whatever the length header said;
4. reads a JSON body whole (it is parsed whole anyway) and refuses one that nests deeper than
   ``MAX_JSON_DEPTH``, holds more values than the route allows, or carries NUL (``"\\u0000"``) or a lone
   UTF-16 surrogate (``"\\ud800"``), which no text can contain and which would fail when stored (422);
   a form (``application/x-www-form-urlencoded``) likewise is read whole and refused if it holds NUL.
   Uploads (multipart) stream through: their files are checked by collection's readers.

``authorize`` still runs in the route as before; this guard only makes its answer come first.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.config import Settings
from xinyong.ingest.api import MAX_UPLOAD_BYTES
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError, InvalidInput, Unauthenticated
from xinyong.security.auth import (
    RateLimited,
    RateLimiter,
    ScopeMissing,
    authenticate,
    client_address,
    route_scopes,
)
from xinyong.security.roles import Scope as AuthScope
from xinyong.web import error_response, get_session

KIB = 1024
MIB = 1024 * KIB
#: Most records one JSON batch (``POST /api/v1/records:batch``) or one resubmission may carry.
MAX_BATCH_RECORDS = 10_000
#: Room for one record of a JSON batch: a penalty decision with some 600 Chinese characters of facts and
#: reasons, written as ``\\uXXXX`` escapes (6 bytes a character) as many JSON libraries do by default.
RECORD_BYTES = 4 * KIB
#: Values (keys and elements) one record may bring, counted as the JSON's ``,`` and ``:``: a catalog item
#: has at most a few dozen fields, so a body of 10,000 records never needs a million. The count bounds
#: the memory a parsed body takes, which its size alone does not (``[0,0,0,...]``).
RECORD_VALUES = 100
#: Every other body: a form, an authorisation, a correction of one record, a revocation.
DEFAULT_BODY_BYTES = 64 * KIB
#: An upload's multipart envelope around the file: boundaries, part headers, the item code.
MULTIPART_ENVELOPE = 64 * KIB
#: Deepest nesting a JSON body may have. A record is flat (field: value); a batch is three levels.
MAX_JSON_DEPTH = 32


@dataclass(frozen=True)
class BodyLimit:
    """How much body a route accepts, and what to tell a caller who sends more."""

    max_bytes: int
    #: Most values (``,`` and ``:`` in the JSON text) a JSON body may hold; None: bounded by its size.
    max_values: int | None = None
    advice: str = ""


BATCH_LIMIT = BodyLimit(
    MAX_BATCH_RECORDS * RECORD_BYTES + DEFAULT_BODY_BYTES,
    MAX_BATCH_RECORDS * RECORD_VALUES,
    f"每次最多报送 {MAX_BATCH_RECORDS} 条记录，请分批提交",
)
UPLOAD_LIMIT = BodyLimit(
    MAX_UPLOAD_BYTES + MULTIPART_ENVELOPE,
    advice="请拆分文件后上传，或在服务器上用 xinyong ingest 导入",
)
DEFAULT_LIMIT = BodyLimit(DEFAULT_BODY_BYTES)
#: A catalog file: the shipped catalog is about 50 KB of YAML; a province's may be many times that.
CATALOG_BYTES = 2 * MIB
CATALOG_LIMIT = BodyLimit(CATALOG_BYTES + MULTIPART_ENVELOPE, advice="目录文件不应超过 2 MB")
#: A batch screening (自动比对): up to a million identifiers, as a file or a JSON list (an identifier is
#: at most a few dozen bytes: 64 MB holds a million of them with room).
SCREENING_BATCH_BYTES = 64 * MIB
SCREENING_BATCH_LIMIT = BodyLimit(
    SCREENING_BATCH_BYTES + MULTIPART_ENVELOPE,
    1_000_100,
    "一次最多核查 1000000 个主体（文件不超过 64 MB），请拆分后提交",
)
#: Routes that take more than ``DEFAULT_LIMIT``: (method, path template) -> limit.
ROUTE_LIMITS: dict[tuple[str, str], BodyLimit] = {
    ("POST", "/api/v1/records:batch"): BATCH_LIMIT,
    ("POST", "/api/v1/ingest/batches/{batch_id}/resubmit"): BATCH_LIMIT,
    ("POST", "/api/v1/ingest/batches"): UPLOAD_LIMIT,
    # the pages' twins of those: the upload without the script, fixing rejected rows in the page
    ("POST", "/console/collection/upload"): UPLOAD_LIMIT,
    ("POST", "/console/batches/{batch_id}/rejected"): BATCH_LIMIT,
    ("POST", "/console/catalog"): CATALOG_LIMIT,
    ("POST", "/api/v1/admin/catalog/check"): CATALOG_LIMIT,
    ("POST", "/api/v1/admin/catalog/versions"): CATALOG_LIMIT,
    ("POST", "/api/v1/screening/batches"): SCREENING_BATCH_LIMIT,
    ("POST", "/console/screening/batches"): SCREENING_BATCH_LIMIT,
}


@dataclass(frozen=True)
class ApiRoute:
    """One method of one route of the app, routers included: its path template, the scope its
    ``authorize`` names (None for the framework's and the health checks' routes) and its body limit."""

    method: str
    path: str
    scope: AuthScope | None
    limit: BodyLimit
    pattern: re.Pattern[str]
    in_schema: bool

    def matches(self, scope: Scope) -> bool:
        return scope["method"] == self.method and self.pattern.match(scope["path"]) is not None


def route_table(routes: Sequence[BaseRoute]) -> list[ApiRoute]:
    """Every API route of ``routes`` (FastAPI's own flattening of included routers)."""
    table = []
    for context in iter_route_contexts(routes):
        dependant = getattr(context, "dependant", None)
        if context.path is None or context.path_format is None or dependant is None:
            continue  # mounts (the docs' assets) and plain routes (the OpenAPI document)
        needed = next(route_scopes(dependant), None)
        pattern, _, _ = compile_path(context.path)
        for method in sorted(context.methods or ()):
            limit = ROUTE_LIMITS.get((method, context.path_format), DEFAULT_LIMIT)
            in_schema = bool(getattr(context, "include_in_schema", True))
            table.append(ApiRoute(method, context.path_format, needed, limit, pattern, in_schema))
    return table


def size_text(n: int) -> str:
    return f"{n / MIB:.0f} MB" if n >= MIB else f"{n // KIB} KB"


class BodyTooLarge(DomainError):
    code = "REQUEST_TOO_LARGE"
    status = 413
    message = "请求内容过大"

    def __init__(self, limit: BodyLimit) -> None:
        advice = f"：{limit.advice}" if limit.advice else ""
        super().__init__(
            f"请求内容超过 {size_text(limit.max_bytes)} 的上限{advice}",
            details={"limit_bytes": limit.max_bytes},
        )


class JsonRefused(InvalidInput):
    """A JSON body the platform will not parse or store: too deep, too many values, not text."""


class TextRefused(InvalidInput):
    """A request whose text holds NUL or a lone surrogate: nothing the platform stores contains either."""

    code = "REQUEST_TEXT_INVALID"

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}中含有{what}，不是有效的文本：请检查数据的编码后重新提交")


NUL = "空字符（NUL，\\u0000）"
SURROGATE = "不成对的 UTF-16 代理项（如 \\ud800）"


# A JSON string (escapes included), and the ways a lone surrogate arrives: as UTF-8 bytes of U+D800-DFFF
# (which Python's json decoder lets through) or as a \uD8xx-\uDFxx escape not paired high-then-low.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_INNERMOST = re.compile(rb"\[\]|\{\}")
_BRACKETS_ONLY = bytes(range(256)).translate(None, b"[]{}")
_RAW_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD]([89a-fA-F])[0-9a-fA-F]{2}")
_ESCAPED_NUL = re.compile(rb"\\u0000")
_HIGH = b"89abAB"


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether ``body`` nests arrays and objects deeper than ``max_depth``: strings are blanked, all but
    brackets dropped, then one innermost level removed per pass (each pass is one C-speed scan)."""
    brackets = _JSON_STRING.sub(b'""', body).translate(None, _BRACKETS_ONLY)
    for _ in range(max_depth):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def _is_escape(body: bytes, at: int) -> bool:
    """Whether the backslash at ``at`` starts an escape (an even number of backslashes before it)."""
    start = at
    while start > 0 and body[start - 1] == 0x5C:
        start -= 1
    return (at - start) % 2 == 0


def has_lone_surrogate(body: bytes) -> bool:
    """Whether the JSON text ``body`` carries a UTF-16 surrogate that is not half of a pair."""
    if _RAW_SURROGATE.search(body):
        return True
    paired_low_at = -1
    for match in _ESCAPED_SURROGATE.finditer(body):
        if not _is_escape(body, match.start()):
            continue  # "\\ud800": an escaped backslash and the letters ud800
        if match.group(1) in _HIGH:
            low = _ESCAPED_SURROGATE.match(body, match.end())
            if low is None or low.group(1) in _HIGH:
                return True
            paired_low_at = match.end()
        elif match.start() != paired_low_at:
            return True
    return False


def has_nul(body: bytes) -> bool:
    """Whether the JSON text ``body`` carries NUL, raw or as ``\\u0000``."""
    return b"\x00" in body or any(_is_escape(body, m.start()) for m in _ESCAPED_NUL.finditer(body))


def check_json(body: bytes, limit: BodyLimit) -> None:
    """Refuse a JSON body that is too deep, holds too many values, or carries NUL or a lone surrogate."""
    if limit.max_values is not None and body.count(b",") + body.count(b":") > limit.max_values:
        raise BodyTooLarge(limit)
    if json_depth_exceeds(body, MAX_JSON_DEPTH):
        raise JsonRefused(
            f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层：记录的字段值应为文本、数字、日期或布尔值",
            code="JSON_TOO_DEEP",
        )
    if has_nul(body):
        raise TextRefused("JSON ", NUL)
    if has_lone_surrogate(body):
        raise TextRefused("JSON ", SURROGATE)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


def _carries_body(scope: Scope) -> bool:
    declared = _declared_length(scope)
    return bool(declared) or _header(scope, b"transfer-encoding") is not None


def _media_type(scope: Scope) -> str:
    return (_header(scope, b"content-type") or "").split(";")[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


FORM = "application/x-www-form-urlencoded"


def check_address(scope: Scope) -> None:
    """Refuse a path or query string that holds NUL."""
    if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
        raise TextRefused("请求地址", NUL)


def check_form(body: bytes) -> None:
    if b"%00" in body or b"\x00" in body:
        raise TextRefused("表单", NUL)


class RequestGuard:
    """The middleware; see the module's docstring."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._routes: list[ApiRoute] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not _carries_body(scope):
            try:
                check_address(scope)
            except DomainError as exc:
                await self._answer(request, exc, receive, send)
                return
            await self.app(scope, receive, send)
            return
        route = self._route(scope)
        limit = route.limit if route is not None else DEFAULT_LIMIT
        try:
            await self._admit(request, route, limit)
            check_address(scope)
            media = _media_type(scope)
            if _is_json(media) or media == FORM:
                body = await _read_all(receive, limit)
                if _is_json(media):
                    check_json(body, limit)
                else:
                    check_form(body)
                receive = _replay(body, receive)
        except DomainError as exc:
            await self._answer(request, exc, receive, send)
            return
        await self._stream(request, receive, send, limit)

    def _route(self, scope: Scope) -> ApiRoute | None:
        if self._routes is None:  # routers are included after the middleware is added
            self._routes = route_table(self.api.routes)
        # None: no route (404) or not this method (405), answered without reading the body
        return next((route for route in self._routes if route.matches(scope)), None)

    async def _admit(self, request: Request, route: ApiRoute | None, limit: BodyLimit) -> None:
        if route is not None and route.scope is not None:
            await run_in_threadpool(_authorise, request, route.scope)
        declared = _declared_length(request.scope)
        if declared is not None and declared > limit.max_bytes:
            raise BodyTooLarge(limit)

    async def _answer(self, request: Request, exc: DomainError, receive: Receive, send: Send) -> None:
        settings: Settings = request.app.state.settings
        response = error_response(request, exc, settings)
        await response(request.scope, receive, send)

    async def _stream(self, request: Request, receive: Receive, send: Send, limit: BodyLimit) -> None:
        """Run the route with a body that stops at the limit. The route's own answer to a body cut short
        (FastAPI says 400) is replaced by the 413."""
        received = 0
        cut = started = False

        async def counted() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    cut = True
                    raise BodyTooLarge(limit)
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if cut and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(request.scope, counted, answer)
        except Exception:
            if not cut:
                raise
        if cut and not started:
            await self._answer(request, BodyTooLarge(limit), receive, send)


def _authorise(request: Request, needed: AuthScope) -> None:
    """Identify the caller as ``authorize`` does, in a transaction of its own, and check the scope. A call
    refused here never reaches ``authorize``, so it is charged to the public's quota here, as ``authorize``
    charges a refused token and an anonymous call (429 once the quota is spent)."""
    settings: Settings = request.app.state.settings
    clock: Clock = request.app.state.clock
    with contextlib.contextmanager(get_session)(request) as session:
        try:
            principal = authenticate(request, session, settings, clock)
        except Unauthenticated:
            _charge(request)
            raise
        if needed not in principal.scopes:
            if principal.is_anonymous:
                _charge(request)
                raise Unauthenticated()
            raise ScopeMissing(details={"scope": needed.value})


def _charge(request: Request) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.allow(client_address(request)):
        raise RateLimited()


async def _read_all(receive: Receive, limit: BodyLimit) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit.max_bytes:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then hands over to the server's (which waits for
    the client to disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive
