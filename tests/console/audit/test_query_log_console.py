"""The auditor's query-log page and its CSV download (issue 11 item 4): filters, a true total over the
pages, and a download that masks personal data and cannot run in a spreadsheet."""

from __future__ import annotations

import contextlib
import csv
import io
import re

import pytest
from sqlalchemy.orm import Session

from xinyong.console.audit import service
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of
from xinyong.security.schemas import LogFilter

from secworld import PERSON_RIC, RecordingClient, World, bearer, client, unmasked_rics, world  # noqa: F401

BASIS = "《江苏省社会信用条例》第三十条"
#: A legal basis as a careless clerk might write it: a citizen ID, a mobile number and a formula.
LEAKY_BASIS = f'=HYPERLINK("http://x","办理 {PERSON_RIC} 13812345678 的审批")'


def _clerk(world: World, name: str = "clerk_a") -> Principal:
    dept = world.depts["a"]
    return Principal(
        username=name,
        scopes=scopes_of([Role.dept_reviewer]),
        roles=frozenset({Role.dept_reviewer}),
        department_id=dept.id,
    )


def _read(session: Session, world: World, purpose: str | None, basis: str | None = BASIS, **kw: str) -> None:
    assert world.company is not None
    with contextlib.suppress(querylog.PurposeRequired):
        querylog.guarded_read(
            session,
            _clerk(world, **kw),
            subject_id=world.company.id,
            target="subject_file",
            why=Stated(purpose, basis),
            clock=world.clock,
        )


def _seed(session: Session, world: World) -> None:
    for _ in range(23):
        _read(session, world, "日常监管")
    _read(session, world, "行政审批", LEAKY_BASIS, name="clerk_b")
    _read(session, world, None)  # refused: no purpose
    session.commit()


def _rows(text: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr><td class="num">(\d+)</td>', text)]


def test_the_page_pages_with_a_true_total(world: World, session: Session, client: RecordingClient) -> None:
    _seed(session, world)
    auditor = bearer(world, "auditor")
    first = client.get(
        "/console/query-log", params={"username": "clerk_a", "allowed": "yes"}, headers=auditor
    )
    assert first.status_code == 200, first.text
    assert '<b class="pager-total">23</b>' in first.text
    assert len(_rows(first.text)) == 20 and "第 1 / 2 页" in first.text
    second = client.get(
        "/console/query-log", params={"username": "clerk_a", "allowed": "yes", "page": "2"}, headers=auditor
    )
    assert len(_rows(second.text)) == 3
    assert not set(_rows(first.text)) & set(_rows(second.text))
    # the page and its JSON twin agree
    twin = client.get(
        "/api/v1/audit/query-log", params={"username": "clerk_a", "allowed": True}, headers=auditor
    )
    assert twin.json()["total"] == 23


def test_filters_narrow_the_page(world: World, session: Session, client: RecordingClient) -> None:
    _seed(session, world)
    auditor = bearer(world, "auditor")

    def total(**params: str) -> int:
        page = client.get("/console/query-log", params=params, headers=auditor)
        assert page.status_code == 200, page.text
        found = re.search(r'<b class="pager-total">(\d+)</b>', page.text)
        assert found is not None
        return int(found.group(1))

    assert world.company is not None
    assert total() == 25
    assert total(purpose="行政审批") == 1
    assert total(allowed="no") == 1
    assert total(subject_id=str(world.company.id)) == 25
    assert total(department_id=str(world.depts["a"].id)) == 25
    assert total(department_id=str(world.depts["b"].id)) == 0
    assert total(since="2026-03-16", until="2026-03-16") == 25
    assert total(since="2026-03-17") == 0
    # an empty form field is "any"; a wrong one is refused in Chinese, never a 500
    assert total(subject_id="", purpose="", since="") == 25
    wrong = client.get("/console/query-log", params={"since": "16/03/2026"}, headers=auditor)
    assert wrong.status_code == 422 and "起始日期应为日期" in wrong.text


def test_the_csv_masks_personal_data_and_neutralises_formulas(
    world: World, session: Session, client: RecordingClient
) -> None:
    _seed(session, world)
    auditor = bearer(world, "auditor")
    for url in ("/console/query-log.csv", "/api/v1/audit/query-log.csv"):
        response = client.get(url, params={"username": "clerk_b"}, headers=auditor)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith("\ufeff".encode())  # Excel reads the Chinese
        text = response.content.decode("utf-8-sig")
        assert unmasked_rics(text) == []
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == ["编号", "时间", "查询账户"] and len(rows) == 2
        basis = rows[1][6]
        assert basis.startswith("'=HYPERLINK(")  # inert: the spreadsheet shows it as text
        assert "3209**********" in basis and "138****5678" in basis
        assert rows[1][5] == "行政审批" and rows[1][8] == "已查询"


def test_the_csv_holds_every_match_not_one_page(
    world: World, session: Session, client: RecordingClient
) -> None:
    _seed(session, world)
    response = client.get("/console/query-log.csv", headers=bearer(world, "auditor"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 25
    assert "已拒绝" in {r[8] for r in rows[1:]}


def test_a_download_larger_than_the_limit_is_refused_not_cut(world: World, session: Session) -> None:
    _seed(session, world)
    with pytest.raises(service.ExportTooLarge) as caught:
        service.query_log_csv(session, LogFilter(), max_rows=24)
    assert caught.value.status == 422 and "25 条" in caught.value.message
    assert service.query_log_csv(session, LogFilter(allowed=False), max_rows=1).count(b"\r\n") == 2


def test_only_the_auditor_reads_the_query_log(world: World, client: RecordingClient) -> None:
    for who in ("admin", "clerk_a", "company"):
        assert client.get("/console/query-log", headers=bearer(world, who)).status_code == 403
        assert client.get("/api/v1/audit/query-log.csv", headers=bearer(world, who)).status_code == 403
