"""Render a page: the template, the layout's context, and the caller's navigation."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from xinyong.config import Settings
from xinyong.security.auth import CSRF_FIELD, Principal
from xinyong.ui.nav import nav_for
from xinyong.web import templates


def render(
    request: Request, template: str, principal: Principal, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` with ``context`` plus what base.html needs: settings, the caller, the CSRF field's
    name and the navigation for the caller's roles."""
    settings: Settings = request.app.state.settings
    base = {
        "settings": settings,
        "principal": principal,
        "csrf_field": CSRF_FIELD,
        "nav": nav_for(principal, request.url.path),
    }
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status)
