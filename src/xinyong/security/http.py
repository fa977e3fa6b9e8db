"""HTTP policies of the security core for every response: nothing personal is kept in a cache.

A response is personal when it answers a caller who identified themselves (a session cookie or an
``Authorization`` header: the page shows their name, the JSON their data), or when it is one of the
account's own pages (``/me``, ``/login``) or the JSON API. Such a response carries
``Cache-Control: no-store``, so neither the browser (its back button, a shared computer) nor a proxy keeps a
copy. Public pages fetched anonymously stay cacheable.

``create_app`` wires it with ``install_http_policies(app)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from xinyong.security.auth import SESSION_COOKIE

NO_STORE = "no-store"
#: Paths whose answers are personal whoever asks.
PERSONAL_PAGES = ("/me", "/login")
PERSONAL_PREFIXES = ("/me/", "/login/", "/api/")


def is_personal(request: Request) -> bool:
    """Whether the answer to ``request`` is personal (see the module's docstring)."""
    path = request.url.path
    if path in PERSONAL_PAGES or path.startswith(PERSONAL_PREFIXES):
        return True
    return SESSION_COOKIE in request.cookies or "authorization" in request.headers


def install_http_policies(app: FastAPI) -> None:
    """Add the middleware (once: a second call changes nothing)."""
    if getattr(app.state, "http_policies", False):
        return
    app.state.http_policies = True

    @app.middleware("http")
    async def _no_store(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if is_personal(request):
            response.headers["Cache-Control"] = NO_STORE
        return response
