"""Policies and notices (政策公告): markdown files an office edits.

The platform ships defaults in ``xinyong/notices/*.md``; a file of the same name in
``<data dir>/notices/`` replaces one, and any other file there adds one. A file's name (without ``.md``)
is its address: lowercase letters, digits and hyphens. Its title is the front matter's ``title`` or else
its first heading, its date the front matter's ``date`` (YYYY-MM-DD) or else the day the file was last
changed. Markdown is rendered with markdown-it-py with HTML switched off: a notice cannot carry a script.

A front matter block is the lines between a first line ``---`` and the next ``---``, each ``key: value``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from markdown_it import MarkdownIt
from pydantic import BaseModel

from xinyong.kit.errors import NotFound

#: The notices shipped with the platform.
SHIPPED = Path(__file__).resolve().parents[1] / "notices"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


class NoticeSummary(BaseModel):
    slug: str
    title: str
    date: dt.date


class NoticeOut(NoticeSummary):
    #: The body rendered as HTML (no raw HTML from the file: it is escaped).
    html: str


class NoticesOut(BaseModel):
    notices: list[NoticeSummary]


def _sources(data_dir: Path) -> dict[str, Path]:
    """slug -> file: the shipped ones, then the office's (which win)."""
    found: dict[str, Path] = {}
    for folder in (SHIPPED, data_dir / "notices"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                if SLUG.match(path.stem) and path.is_file():
                    found[path.stem] = path
    return found


def _split(text: str) -> tuple[dict[str, str], str]:
    """(front matter, body)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            meta = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep:
                    meta[key.strip().lower()] = value.strip().strip("\"'")
            return meta, "\n".join(lines[end + 1 :])
    return {}, text


def _date(value: str | None, path: Path) -> dt.date:
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.fromtimestamp(path.stat().st_mtime)


def _read(slug: str, path: Path) -> tuple[NoticeSummary, str]:
    meta, body = _split(path.read_text(encoding="utf-8", errors="replace"))
    heading = _HEADING.search(body)
    title = meta.get("title") or (heading.group(1) if heading else slug)
    return NoticeSummary(slug=slug, title=title, date=_date(meta.get("date"), path)), body


def list_notices(data_dir: Path) -> NoticesOut:
    """Every notice, newest first."""
    summaries = [_read(slug, path)[0] for slug, path in _sources(data_dir).items()]
    summaries.sort(key=lambda n: (n.date, n.slug), reverse=True)
    return NoticesOut(notices=summaries)


def get_notice(data_dir: Path, slug: str) -> NoticeOut:
    """One notice, rendered; ``NOTICE_NOT_FOUND`` (404) for a name that no file has."""
    path = _sources(data_dir).get(slug) if SLUG.match(slug) else None
    if path is None:
        raise NotFound("公告不存在", code="NOTICE_NOT_FOUND")
    summary, body = _read(slug, path)
    first = _HEADING.match(body.lstrip())
    if first and first.group(1) == summary.title:  # the page shows the title itself
        body = body.lstrip()[first.end() :]
    return NoticeOut(**summary.model_dump(), html=_MARKDOWN.render(body))
