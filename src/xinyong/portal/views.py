"""Public portal pages (信用门户)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.models import CatalogItemRow, CatalogVersion, CreditRecord, Department, Subject
from xinyong.web import get_session, get_settings_dep, templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, session: Session = Depends(get_session), settings: Settings = Depends(get_settings_dep)
) -> HTMLResponse:
    current = session.scalar(select(CatalogVersion).where(CatalogVersion.is_current.is_(True)))
    counts = {
        "subjects": session.scalar(select(func.count()).select_from(Subject)) or 0,
        "records": session.scalar(select(func.count()).select_from(CreditRecord)) or 0,
        "departments": session.scalar(select(func.count()).select_from(Department)) or 0,
        "catalog_items": session.scalar(
            select(func.count()).select_from(CatalogItemRow).where(CatalogItemRow.version_id == current.id)
        )
        if current
        else 0,
    }
    return templates.TemplateResponse(
        request, "home.html", {"settings": settings, "counts": counts, "catalog": current}
    )
