"""FastAPI factory: mounts each domain's API router and page router, and the one error handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong import __version__, schema
from xinyong.catalog.api import router as catalog_router
from xinyong.config import Settings, cipher_from_settings, get_settings
from xinyong.console.admin import views as console_admin
from xinyong.console.audit import views as console_audit
from xinyong.console.collection import views as console_collection
from xinyong.console.feedback import views as console_feedback
from xinyong.console.lists import catalog_views as console_list_catalog
from xinyong.console.lists import views as console_lists
from xinyong.console.screening import batch_views as console_screening_batches
from xinyong.console.screening import views as console_screening
from xinyong.db import make_engine, session_factory
from xinyong.files.api import router as files_router
from xinyong.ingest.api import router as ingest_router
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.errors import DomainError
from xinyong.kit.pydantic_zh import message_zh
from xinyong.limits import RequestGuard
from xinyong.lists import api as lists_api
from xinyong.openapi import install_openapi
from xinyong.portal import lists_views as portal_lists
from xinyong.portal.views import router as portal_router
from xinyong.security.api import router as security_router
from xinyong.security.auth import RateLimiter
from xinyong.security.http import install_http_policies
from xinyong.space import lists_views as space_lists
from xinyong.space import views as space
from xinyong.subjects.api import router as subjects_router
from xinyong.web import error_response
from xinyong.workdays.api import router as workdays_router

log = logging.getLogger("xinyong")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Pages load nothing from elsewhere.
CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'"
)
#: The API docs (Swagger UI, ReDoc) are served from the package itself (fastapi-offline), so they work
#: on a closed government network too; their pages need an inline start-up script and ReDoc a worker.
DOCS_PREFIXES = ("/docs", "/redoc")
DOCS_ASSETS = "/docs/assets"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; form-action 'self'"
)


HSTS = "max-age=31536000; includeSubDomains"


def security_headers(path: str, settings: Settings) -> dict[str, str]:
    """The headers every response carries: set by the middleware, and by the 500 handler, which runs
    outside the middleware stack."""
    headers = dict(SECURITY_HEADERS)
    headers["Content-Security-Policy"] = DOCS_CSP if path.startswith(DOCS_PREFIXES) else CSP
    if path.startswith("/api"):
        headers["Cache-Control"] = "no-store"
    if settings.environment == "production":
        headers["Strict-Transport-Security"] = HSTS
    return headers


#: Starlette's own errors (no route, wrong method, ...) in the API's {code, message} shape, in Chinese.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "请求格式不正确"),
    404: ("NOT_FOUND", "请求的地址不存在"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    413: ("REQUEST_TOO_LARGE", "请求内容过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持该请求内容类型"),
}


def _install_error_handlers(app: FastAPI, settings: Settings) -> None:
    """The one error handler: DomainErrors (and Starlette's and pydantic's errors, turned into them) as
    ``{code, message}`` JSON for the API, a page otherwise; anything unexpected as a 500 without details."""

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Runs outside the middleware stack, so it sets the security headers itself.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        body = {"code": "INTERNAL", "message": "服务器内部错误，请稍后重试；如持续出现请联系平台管理员"}
        return JSONResponse(body, status_code=500, headers=security_headers(request.url.path, settings))

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        return error_response(request, exc, settings)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, message = HTTP_ERRORS.get(exc.status_code, (f"HTTP_{exc.status_code}", "请求无法处理"))
        err = DomainError(message, code=code, status=exc.status_code)
        response = await _domain_error(request, err)
        for name, value in (exc.headers or {}).items():  # e.g. Allow on a 405
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems: list[dict[str, Any]] = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": message_zh(e), "type": e["type"]}
            for e in exc.errors()
        ]
        err = DomainError("请求参数不符合要求，请按 details 中的说明修改", code="REQUEST_INVALID", status=422)
        err.details = {"errors": problems}
        return await _domain_error(request, err)


def _install_health(app: FastAPI, engine: Engine) -> None:
    @app.get("/healthz", tags=["运维"], summary="存活检查")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["运维"], summary="就绪检查：数据库可连接且结构为最新版本")
    def readyz() -> JSONResponse:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            current = schema.current_revision(engine)
        except Exception:  # any database failure means not ready; the details go to the log only
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "reason": "数据库不可用"}, status_code=503)
        if current not in schema.heads():
            body = {
                "status": "migrate",
                "reason": "数据库结构不是最新版本，请运行 xinyong init",
                "current": current,
            }
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ready", "revision": current})


ROUTERS = (
    subjects_router,
    security_router,
    files_router,
    ingest_router,
    catalog_router,
    workdays_router,
    console_collection.api,
    console_admin.api,
    console_audit.api,
    space.api,
    lists_api.api,
    console_lists.api,
    console_list_catalog.api,
    console_screening.api,
    console_screening_batches.api,
    console_feedback.api,
    portal_lists.api,
    space_lists.api,
    portal_router,
    portal_lists.router,
    lists_api.router,
    console_lists.router,
    console_list_catalog.router,
    console_screening.router,
    console_screening_batches.router,
    console_feedback.router,
    space_lists.router,
    console_collection.router,
    console_admin.router,
    console_audit.router,
    space.router,
)
#: The pages' stylesheet and scripts (src/xinyong/static), served by the app itself: no build step.
STATIC_URL = "/static"
STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, clock: Clock | None = None
) -> FastAPI:
    settings = settings or get_settings()
    settings.check_production()
    engine = engine or make_engine(settings.effective_database_url)
    app = FastAPIOffline(
        static_url=DOCS_ASSETS,
        title="xinyong 公共信用信息平台 API",
        version=__version__,
        description="信用信息归集、公示、查询、联合奖惩与信用修复。所有错误以 {code, message} 返回。"
        "部门系统用 API 令牌调用：点击 Authorize，填入令牌（xy_ 开头，不带 Bearer 前缀）。",
        swagger_ui_parameters={"persistAuthorization": True},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.clock = clock or SystemClock()
    app.state.cipher = cipher_from_settings(settings)
    app.state.rate_limiter = RateLimiter(settings.public_rate_limit, 60.0)
    app.state.login_limiter = RateLimiter(settings.login_rate_limit, 60.0)

    # The guard sits inside the security headers (its 401s and 413s carry them too) and outside the
    # routes, so the caller is checked and the body limited before any route reads the body.
    app.add_middleware(RequestGuard, api=app)

    @app.middleware("http")
    async def _security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in security_headers(request.url.path, settings).items():
            response.headers.setdefault(name, value)
        return response

    install_http_policies(app)  # Cache-Control: no-store on personal answers
    _install_error_handlers(app, settings)
    _install_health(app, engine)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    install_openapi(app)
    return app
