"""触发—响应—反馈: when an entry is published, every implementing department whose measures apply gets a task;
it reports back; open, overdue and rates per department are queryable.

``open_tasks`` and ``close_tasks`` are what the list lifecycle (xinyong.lists) calls on publish and exit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock
from xinyong.models import FeedbackTask, ListEntry


def open_tasks(session: Session, entry: ListEntry, *, actor: str, clock: Clock) -> list[FeedbackTask]:
    """Create the tasks of a just-published entry (one per measure and implementing department)."""
    raise NotImplementedError


def close_tasks(session: Session, entry: ListEntry, *, actor: str, clock: Clock, reason: str) -> int:
    """Close the open tasks of an entry that exited or was suspended for good; returns how many."""
    raise NotImplementedError
