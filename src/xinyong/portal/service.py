"""What the portal's pages show: the home page's figures and the catalog in force."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.catalog.service import current_version
from xinyong.kit.errors import NotFound
from xinyong.portal import repository
from xinyong.portal.schemas import CatalogSummary, Counts, HomePage


def home_page(session: Session) -> HomePage:
    """How many subjects, records, departments and catalog items the platform holds, and which catalog
    version is in force (None before one is imported)."""
    try:
        current = current_version(session)
    except NotFound:
        current = None
    counts = Counts(
        subjects=repository.count_subjects(session),
        records=repository.count_records(session),
        departments=repository.count_departments(session),
        catalog_items=repository.count_catalog_items(session, current.id) if current else 0,
    )
    catalog = (
        CatalogSummary(
            title=current.title,
            version=current.version,
            issued_by=current.issued_by,
            effective_date=current.effective_date,
        )
        if current
        else None
    )
    return HomePage(counts=counts, catalog=catalog)
