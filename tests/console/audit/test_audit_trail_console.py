"""The auditor's audit trail page and its JSON twins (issue 11 item 4): the trail filtered and paged with
a true total, and the checks of ``xinyong audit verify`` showing which entries are intact and which not."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from secworld import RecordingClient, World, bearer, client, world  # noqa: F401


def _total(body: str) -> int:
    found = re.search(r'<b class="pager-total">(\d+)</b>', body)
    assert found is not None, body
    return int(found.group(1))


def _verdicts(body: str) -> dict[int, str]:
    return {int(n): kind for n, kind in re.findall(r'<tr id="entry-(\d+)" data-verdict="(\w+)">', body)}


def test_the_trail_is_filtered_and_paged_with_a_true_total(world: World, client: RecordingClient) -> None:
    auditor = bearer(world, "auditor")
    everything = client.get("/api/v1/audit/events", headers=auditor).json()
    n = everything["total"]
    assert n == len(everything["entries"]) > 20
    assert [e["id"] for e in everything["entries"]] == sorted(
        (e["id"] for e in everything["entries"]), reverse=True
    )
    page = client.get("/console/audit-trail", headers=auditor)
    assert page.status_code == 200, page.text
    assert _total(page.text) == n and page.text.count('<tr id="entry-') == 20
    assert "2026-03-16 10:00:00" in page.text  # the world's 02:00 UTC, shown in China time
    second = client.get("/console/audit-trail", params={"page": "2"}, headers=auditor)
    assert second.text.count('<tr id="entry-') == n - 20
    users = client.get(
        "/console/audit-trail", params={"entity": "user", "actor": "", "since": ""}, headers=auditor
    )
    api_users = client.get("/api/v1/audit/events", params={"entity": "user"}, headers=auditor).json()
    assert _total(users.text) == api_users["total"] == 9
    assert _total(client.get("/console/audit-trail", params={"actor": "t"}, headers=auditor).text) == 9
    # one object's entries: ids are whatever the database's sequences gave (PostgreSQL does not roll
    # them back between tests), so the object and its entry are taken from the API's answer
    (user_entry, *_) = api_users["entries"]
    one = client.get(
        "/console/audit-trail",
        params={"entity": "user", "entity_id": str(user_entry["entity_id"])},
        headers=auditor,
    )
    assert _total(one.text) == 1 and f'<tr id="entry-{user_entry["id"]}"' in one.text
    # the world's clock wrote its entries on 2026-03-16 (China time); the catalog import has its own time
    day = client.get(
        "/api/v1/audit/events", params={"since": "2026-03-16", "until": "2026-03-16"}, headers=auditor
    )
    assert 20 < day.json()["total"] < n + 1
    assert (
        client.get("/api/v1/audit/events", params={"until": "2026-03-15"}, headers=auditor).json()["total"]
        == 0
    )
    upto = client.get("/console/audit-trail", params={"upto": "5"}, headers=auditor)
    assert _total(upto.text) == 5
    wrong = client.get("/console/audit-trail", params={"upto": "x"}, headers=auditor)
    assert wrong.status_code == 422 and "条目编号" in wrong.text


def test_an_untouched_trail_verifies(world: World, client: RecordingClient) -> None:
    auditor = bearer(world, "auditor")
    report = client.get("/api/v1/audit/verification", headers=auditor).json()
    assert report["ok"] is True and report["problems"] == [] and report["broken_at"] is None
    assert report["records"] == len(world.records)
    page = client.get("/console/audit-trail", params={"verify": "1"}, headers=auditor)
    assert "审计日志完整" in page.text
    assert set(_verdicts(page.text).values()) == {"ok"}


def test_a_tampered_entry_shows_as_broken(world: World, session: Session, client: RecordingClient) -> None:
    session.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE id = 20"))
    session.commit()
    auditor = bearer(world, "auditor")
    report = client.get("/api/v1/audit/verification", headers=auditor).json()
    assert report["ok"] is False and report["broken_at"] == 20 and report["audit_entries"] == 19
    assert report["problems"][0]["code"] == "AUDIT_ENTRY_ALTERED" and report["problems"][0]["entry_id"] == 20
    page = client.get("/console/audit-trail", params={"verify": "1", "upto": "25"}, headers=auditor)
    assert "审计日志已被篡改" in page.text and "审计链在第 20 条断开" in page.text
    verdicts = _verdicts(page.text)
    assert verdicts[20] == "bad" and verdicts[19] == verdicts[6] == "ok"
    assert {verdicts[k] for k in range(21, 26)} == {"warn"}  # after the break nothing is proven
    assert '<a href="/console/audit-trail?upto=20&amp;verify=1">第 20 条</a>' in page.text
    # without verify=1 the page lists the trail only (verification reads everything)
    assert "审计日志已被篡改" not in client.get("/console/audit-trail", headers=auditor).text


def test_a_record_edited_in_sql_names_the_entry_that_sealed_it(
    world: World, session: Session, client: RecordingClient
) -> None:
    record = world.records["a_private"]
    session.execute(text("UPDATE credit_records SET decision_no = 'X' WHERE id = :id"), {"id": record.id})
    session.commit()
    report = client.get("/api/v1/audit/verification", headers=bearer(world, "auditor")).json()
    altered = [p for p in report["problems"] if p["code"] == "RECORD_ALTERED"]
    assert report["ok"] is False and report["broken_at"] is None and len(altered) == 1
    sealing = altered[0]["entry_id"]
    page = client.get(
        "/console/audit-trail", params={"verify": "1", "upto": sealing}, headers=bearer(world, "auditor")
    )
    assert _verdicts(page.text)[sealing] == "bad"
    assert f"信用记录 {record.id} 的当前内容" in page.text


def test_only_the_auditor_reads_the_trail(world: World, client: RecordingClient) -> None:
    for who in ("admin", "operator_a", "company"):
        assert client.get("/console/audit-trail", headers=bearer(world, who)).status_code == 403
        assert client.get("/api/v1/audit/verification", headers=bearer(world, who)).status_code == 403
