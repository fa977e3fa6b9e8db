"""JSON routes for the catalog (公共信用信息目录): public, since the catalog itself is published."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.catalog import service
from xinyong.security.auth import authorize
from xinyong.security.roles import Scope
from xinyong.web import get_session

router = APIRouter(prefix="/api/v1/catalog", tags=["信用信息目录"])


class CatalogItemOut(BaseModel):
    code: str
    name: str
    category: str
    openness: str
    source_department_kind: str
    legal_basis: str
    spec: dict[str, Any]


class CatalogOut(BaseModel):
    version: str
    title: str
    issued_by: str
    items: list[CatalogItemOut]


@router.get("", dependencies=[Depends(authorize(Scope.public_read))], summary="当前版本的公共信用信息目录")
def current_catalog(session: Session = Depends(get_session, scope="function")) -> CatalogOut:
    version = service.current_version(session)
    return CatalogOut(
        version=version.version,
        title=version.title,
        issued_by=version.issued_by,
        items=[
            CatalogItemOut(
                code=row.code,
                name=row.name,
                category=row.category,
                openness=row.openness,
                source_department_kind=row.source_department_kind,
                legal_basis=row.legal_basis,
                spec=row.spec,
            )
            for row in service.current_items(session)
        ],
    )
