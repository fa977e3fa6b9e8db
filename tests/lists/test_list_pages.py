"""The 红黑名单 pages on both databases: the console's proposal form and step buttons, the public lists, the
subject's own entries with the objection form; and the objects a caller with the scope may not touch."""

from __future__ import annotations

import datetime as dt
import re

from xinyong.lists import service
from xinyong.models.lists import ListEntry

from secworld import PASSWORD, RecordingClient, World, client, world  # noqa: F401

DUE = dt.date(2026, 3, 23)
FORM = {
    "scope": "SX-001",
    "doc_kind": "penalty_decision",
    "doc_no": "盐市监罚〔2026〕18号",
    "doc_date": "2026-03-02",
    "doc_issuer": "亭湖区市场监督管理局",
    "reason": "生产销售不符合食品安全标准的食品，情节严重",
}


def login(client: RecordingClient, username: str) -> str:
    """Log in through the form; the session's CSRF token. Later calls come from the platform's pages."""
    client.cookies.clear()
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    client.headers["Sec-Fetch-Site"] = "same-origin"
    home: str = client.get("/").text
    return home.split('name="csrf_token" value="')[1].split('"')[0]


def post(client: RecordingClient, csrf: str, url: str, **data: object) -> tuple[int, str]:
    response = client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)
    return response.status_code, response.headers.get("location", response.text)


def test_propose_notify_decide_publish_through_the_pages(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    csrf = login(client, "clerk_a")
    page = client.get("/console/lists")
    assert page.status_code == 200 and 'id="propose-form"' in page.text
    # without the document's number: the form again, with why
    status, text = post(
        client, csrf, "/console/lists", **{**FORM, "doc_no": "", "subject": world.company.uscc}
    )
    assert status == 422 and "法律文书" in text and "盐市监罚" not in text.split("propose-form")[0][-200:]
    status, text = post(client, csrf, "/console/lists", **FORM, subject=world.company.name, leniency=["x"])
    assert status == 422 and "从轻情形" in text
    status, text = post(
        client, csrf, "/console/lists", **FORM, subject=world.company.name, leniency=["minor"] * 4
    )
    assert status == 422
    status, where = post(client, csrf, "/console/lists", **FORM, subject=world.company.name)
    assert status == 303 and where.endswith("?done=proposed"), where
    entry_id = int(re.findall(r"/console/lists/(\d+)", where)[0])
    detail = client.get(where).text
    assert 'id="notify"' in detail and 'id="decide"' not in detail and 'id="publish"' not in detail
    assert post(client, csrf, f"/console/lists/{entry_id}/notify")[0] == 303
    # too early: the page says so
    status, text = post(client, csrf, f"/console/lists/{entry_id}/decide")
    assert status == 409 and "异议期限" in text
    world.clock.set(dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9)))
    assert post(client, csrf, f"/console/lists/{entry_id}/decide")[0] == 303
    assert 'id="decision-text"' in client.get(f"/console/lists/{entry_id}").text
    # the reviewer cannot publish (the scope is the credit office's)
    assert post(client, csrf, f"/console/lists/{entry_id}/publish")[0] == 403
    csrf = login(client, "admin")
    assert 'id="publish"' in client.get(f"/console/lists/{entry_id}").text
    assert post(client, csrf, f"/console/lists/{entry_id}/publish")[0] == 303
    number = world.session.get_one(ListEntry, entry_id).number
    client.cookies.clear()
    listed = client.get("/lists", params={"kind": "black", "q": "示范商贸"}).text
    assert f'href="/lists/{number}"' in listed
    assert (
        "没有" not in client.get(f"/lists/{number}").text and client.get("/lists?kind=red").status_code == 200
    )
    assert [
        e.number for e in service.public_entries_of(world.session, world.company.id, world.clock.today())
    ] == [number]


def test_the_subject_sees_its_entry_and_objects(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    csrf = login(client, "clerk_a")
    where = post(client, csrf, "/console/lists", **FORM, subject=world.company.uscc or "")[1]
    entry_id = int(re.findall(r"/console/lists/(\d+)", where)[0])
    csrf = login(client, "company")
    assert 'id="no-own-entries"' in client.get("/space/lists").text  # not yet told
    csrf = login(client, "clerk_a")
    post(client, csrf, f"/console/lists/{entry_id}/notify")
    csrf = login(client, "person")
    assert post(client, csrf, f"/space/lists/{entry_id}/objection", reason="不是我")[0] == 404
    csrf = login(client, "company")
    page = client.get("/space/lists").text
    assert f'id="own-entry-{entry_id}"' in page and "陈述、申辩、提出异议" in page
    assert post(client, csrf, f"/space/lists/{entry_id}/objection", reason="")[0] == 422
    assert post(client, csrf, f"/space/lists/{entry_id}/objection", reason="处罚决定正在复议")[0] == 303
    assert "处理中" in client.get("/space/lists").text
    csrf = login(client, "clerk_b")
    assert client.get(f"/console/lists/{entry_id}").status_code == 404
    assert 'id="objection-' not in client.get("/console/lists").text
    csrf = login(client, "clerk_a")
    listing = client.get("/console/lists").text
    objection_id = int(re.findall(r'id="objection-(\d+)"', listing)[0])
    url = f"/console/lists/objections/{objection_id}/decision"
    status, where = post(client, csrf, url, outcome="upheld", answer="经核实，异议成立", back=entry_id)
    assert status == 303 and where == f"/console/lists/{entry_id}?done=answered"
    assert "已移出" in client.get(where).text
