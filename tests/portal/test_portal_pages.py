"""The public portal's pages: home (cached figures, latest 双公示), search, a subject's tabs, a record,
the catalog and the notices, each answering as its JSON twin does (404 for persons and unpublished
records), on both databases."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from xinyong.files.service import latest_public
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models.subjects import SubjectKind
from xinyong.portal.service import SummaryCache
from xinyong.subjects.service import register_organisation

from conftest import Database
from secworld import (
    COUNTY_A,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    make_client,
    uscc,
    world,  # noqa: F401
)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_shows_cached_figures_and_the_latest_publications(world: World, client: RecordingClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert 'id="count-subjects">2<' in home.text and 'id="count-records">4<' in home.text
    # The figures come from the app's cache: a new subject shows once the cache has expired.
    register_organisation(
        world.session, kind=SubjectKind.legal_person, name="盐城市新到有限公司",
        uscc=uscc("MA1XYW34", COUNTY_A), actor="test", clock=world.clock, region_code=COUNTY_A,
    )  # fmt: skip
    world.session.commit()
    assert 'id="count-subjects">2<' in client.get("/").text
    cache = client.app.state.portal_summary  # type: ignore[attr-defined]
    assert isinstance(cache, SummaryCache)
    cache.ttl = 0
    assert 'id="count-subjects">3<' in client.get("/").text
    # Nothing was decided in the 30 days before 2026-03-16.
    assert "暂无新公示的信息" in home.text


def test_the_latest_publications_are_public_ones(world: World, session: Session) -> None:
    latest = latest_public(session, ["penalty"], today=dt.date(2026, 1, 20), days=30, limit=8)
    assert [(r.record_id, r.source_department) for r in latest] == [
        (world.records["a_public"].id, "亭湖区市场监督管理局")
    ]
    assert latest_public(session, ["licence"], today=dt.date(2026, 1, 20), days=30, limit=8) == []
    assert latest_public(session, ["penalty"], today=dt.date(2026, 2, 5), days=30, limit=8) == []


def test_summary_cache_counts_once_per_period(world: World, session: Session) -> None:
    now = [0.0]
    cache = SummaryCache(ttl=60, now=lambda: now[0])
    counts, catalog = cache.get(session)
    assert counts.subjects == 2 and catalog is not None and counts.catalog_items > 10
    register_organisation(
        session, kind=SubjectKind.legal_person, name="盐城市新到有限公司", uscc=uscc("MA1XYW34", COUNTY_A),
        actor="test", clock=world.clock, region_code=COUNTY_A,
    )  # fmt: skip
    now[0] = 59.0
    assert cache.get(session)[0].subjects == 2
    now[0] = 60.0
    assert cache.get(session)[0].subjects == 3


def test_search_page(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    for q in ("鹽城市示範商貿", "示范", "範"):  # traditional script; two characters; one
        page = client.get("/search", params={"q": q})
        assert page.status_code == 200 and f'href="/subjects/{world.company.id}"' in page.text, q
        assert '共 <b class="pager-total">1</b> 条' in page.text
    direct = client.get("/search", params={"q": world.company.uscc}, follow_redirects=False)
    assert (direct.status_code, direct.headers["location"]) == (303, f"/subjects/{world.company.id}")
    assert "请输入" in client.get("/search").text
    none = client.get("/search", params={"q": "王某明"})
    assert none.status_code == 200 and 'id="no-results"' in none.text
    assert client.get("/search", params={"q": "盐城", "page": 0}).status_code == 422


def test_subject_page_tabs_and_404s(world: World, client: RecordingClient) -> None:
    assert world.company is not None and world.person is not None
    basic = client.get(f"/subjects/{world.company.id}")
    assert basic.status_code == 200 and "盐城市示范商贸有限公司" in basic.text
    assert 'data-tab="basic"\n' in basic.text or 'data-tab="basic"' in basic.text
    assert "行政处罚（1）" in _text(basic.text) and 'id="file-empty"' in basic.text
    penalty = client.get(f"/subjects/{world.company.id}", params={"tab": "penalty"})
    assert f'href="/records/{world.records["a_public"].id}"' in penalty.text
    assert f'/records/{world.records["a_private"].id}"' not in penalty.text
    assert "2026-01-05 至 2027-01-05" in _text(penalty.text)
    assert client.get(f"/subjects/{world.company.id}", params={"tab": "nope"}).status_code == 422
    for missing in (world.person.id, 999999):
        page = client.get(f"/subjects/{missing}")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_record_page(world: World, client: RecordingClient) -> None:
    r = world.records
    page = client.get(f"/records/{r['a_public'].id}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "亭湖区市场监督管理局" in text and "2027-01-05" in text and "处罚类别" in text
    for key in ("a_private", "b_private", "person_qual"):
        assert client.get(f"/records/{r[key].id}").status_code == 404, key
    assert client.get("/records/999999").status_code == 404


def test_catalog_page(world: World, client: RecordingClient) -> None:
    page = client.get("/catalog")
    assert page.status_code == 200
    text = _text(page.text)
    assert "行政处罚信息" in text and "一般：公示，最短 3 个月可申请信用修复，最长 12 个月" in text
    assert "轻微：不予公示" in text and "按“处罚类别”确定" in text


def test_notices_shipped_and_overridden(
    world: World,
    database: Database,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    office = tmp_path / "notices"
    office.mkdir()
    (office / "privacy.md").write_text(
        "---\ndate: 2026-02-01\n---\n# 个人信息保护（本地版）\n\n<script>alert(1)</script>\n",
        encoding="utf-8",
    )
    (office / "open-day.md").write_text(
        "---\ntitle: 信用开放日\ndate: 2026-03-01\n---\n正文\n", encoding="utf-8"
    )
    (office / "Bad Name.md").write_text("# 不是公告\n", encoding="utf-8")
    with make_client(
        database, sessions, FixedClock(dt.datetime(2026, 3, 16)), cipher, data_dir=tmp_path
    ) as c:
        listed = c.get("/api/v1/notices").json()["notices"]
        assert [n["slug"] for n in listed][:3] == ["open-day", "privacy", "credit-repair"]
        assert "Bad Name" not in str(listed)
        page = c.get("/notices/privacy")
        assert page.status_code == 200 and "个人信息保护（本地版）" in page.text
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
        shipped = c.get("/api/v1/notices/publicity-periods").json()
        assert shipped["title"].startswith("行政许可和行政处罚信息公示") and "<table>" in shipped["html"]
        assert c.get("/notices").status_code == 200
        for path in ("/notices/999999", "/api/v1/notices/nothing-here"):
            assert c.get(path).status_code == 404, path
        assert c.get("/api/v1/notices/..%2Fetc").status_code in (404, 422)


def test_pages_send_no_full_citizen_id(world: World, client: RecordingClient) -> None:
    """The person's ID and phone are quoted in the public penalty's text: the record page masks them (the
    client fixture fails the test on any leak to the public)."""
    assert isinstance(client, TestClient)
    assert client.get(f"/records/{world.records['a_public'].id}").status_code == 200


def test_every_role_gets_404_for_an_id_that_does_not_exist(world: World, client: RecordingClient) -> None:
    for user in [None, *world.tokens]:
        headers = bearer(world, user) if user else {}
        for path in (
            "/subjects/999999",
            "/records/999999",
            "/notices/999999",
            "/api/v1/public/records/999999",
        ):
            assert client.get(path, headers=headers).status_code == 404, (user, path)
