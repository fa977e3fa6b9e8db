"""Paging for list pages: which rows a page shows, and the links to its neighbours."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

#: Rows on one page of a list, unless the page asks for fewer.
PAGE_SIZE = 20


@dataclass(frozen=True)
class Pager:
    """One page of ``total`` rows: ``limit`` rows from ``offset``; links keep the page's other query
    parameters (``params``) and change only ``page``."""

    total: int
    limit: int
    offset: int
    path: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def prev_url(self) -> str | None:
        return self._url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self._url(self.page + 1) if self.offset + self.limit < self.total else None

    def _url(self, page: int) -> str:
        query = [(k, v) for k, v in self.params if k != "page"] + [("page", str(page))]
        return f"{self.path}?{urlencode(query)}"


def offset_of(page: int, limit: int = PAGE_SIZE) -> int:
    """The first row of 1-based ``page``."""
    return (max(page, 1) - 1) * limit
