"""The small demo's list entries: made through the lifecycle, the demo company account's subject kept off
the lists, one entry ready to be decided (its objection period over), both databases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import demo
from xinyong.lists import service
from xinyong.models import ListEntryEvent, Subject, SubjectKind
from xinyong.models.lists import EntryState, ListEntry, ListKind
from xinyong.security.repository import first_legal_person


def test_the_small_demo_lists_a_few_subjects_through_the_lifecycle(session: Session) -> None:
    demo.load_demo(session, subjects=30, seed=7)
    entries = session.scalars(select(ListEntry).order_by(ListEntry.id)).all()
    assert [(e.list_kind, e.state) for e in entries] == [
        (ListKind.black, EntryState.published),
        (ListKind.red, EntryState.published),
        (ListKind.black, EntryState.notified),
        (ListKind.black, EntryState.proposed),
    ]
    own = first_legal_person(session)
    assert own is not None and own.id not in {e.subject_id for e in entries}
    assert all(session.get_one(Subject, e.subject_id).kind is SubjectKind.legal_person for e in entries)
    ready = entries[2]
    assert ready.objection_due is not None and ready.objection_due < demo.DEMO_TODAY
    events = session.scalars(select(ListEntryEvent.to_state).where(ListEntryEvent.entry_id == entries[0].id))
    assert list(events) == ["proposed", "notified", "decided", "published"]
    black = service.public_list(session, ListKind.black, today=demo.DEMO_TODAY, q=None, limit=10, offset=0)
    assert [e.number for e in black.items] == [entries[0].number]
    # a second run adds none
    demo.load_demo(session, subjects=0, seed=7)
    assert len(session.scalars(select(ListEntry.id)).all()) == 4
