"""Stored catalog versions (公共信用信息目录). Records reference an item of a stored version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.models.base import Base


class CatalogVersion(Base):
    __tablename__ = "catalog_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    issued_by: Mapped[str] = mapped_column(String(200))
    effective_date: Mapped[dt.date]
    #: sha256 of the canonical YAML; importing the same content twice is a no-op.
    digest: Mapped[str] = mapped_column(String(64))
    #: The exact text imported, so any version can be exported again as it was.
    source_text: Mapped[str] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    imported_by: Mapped[str] = mapped_column(String(100))

    items: Mapped[list[CatalogItemRow]] = relationship(back_populates="version", lazy="raise")


class CatalogItemRow(Base):
    __tablename__ = "catalog_items"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    openness: Mapped[str] = mapped_column(String(30))
    source_department_kind: Mapped[str] = mapped_column(String(60))
    legal_basis: Mapped[str] = mapped_column(Text)
    #: The whole item as validated by catalog.schema.CatalogItem (fields, rules, subject types).
    spec: Mapped[dict[str, Any]]

    version: Mapped[CatalogVersion] = relationship(back_populates="items", lazy="raise")
