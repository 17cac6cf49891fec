"""Portal notices, newspaper issues and broadcasts follow the legal calendar."""

from __future__ import annotations

from datetime import date

import httpx

from platforms.simulator import ManualClock
from tests.platforms.helpers import post

DAY = 86_400


async def test_newspaper_consecutive_days_land_in_consecutive_issues(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    issues = []
    for day in range(3):
        response = await post(
            client, "/newspaper/publications", {"text": "Thông báo tìm người"}, key=f"d{day}"
        )
        assert response.status_code == 201
        issues.append(response.json())
        clock.advance(DAY)

    numbers = [issue["issue_number"] for issue in issues]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert [issue["issue_date"] for issue in issues] == ["2026-03-03", "2026-03-04", "2026-03-05"]
    assert issues[0]["published_at"] == "2026-03-03T05:00:00+07:00"
    assert issues[0]["evidence"]["facts"]["issue_number"] == numbers[0]
    listed = (await client.get(f"/newspaper/issues/{numbers[1]}")).json()
    assert [p["publication_id"] for p in listed["publications"]] == [issues[1]["publication_id"]]


async def test_newspaper_same_day_shares_an_issue_and_fills_pages(
    client: httpx.AsyncClient,
) -> None:
    responses = [
        (await post(client, "/newspaper/publications", {"text": f"Tin {i}"}, key=str(i))).json()
        for i in range(7)
    ]

    assert len({r["issue_number"] for r in responses}) == 1
    assert [r["page"] for r in responses] == [8] * 6 + [9]


async def test_portal_notice_is_published_for_its_day(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    today = await post(
        client, "/portal/notices", {"title": "Thông báo", "body": "Nội dung"}, key="a"
    )
    tomorrow = await post(
        client,
        "/portal/notices",
        {"title": "Thông báo", "body": "Nội dung", "date": "2026-03-03"},
        key="b",
    )
    past = await post(
        client,
        "/portal/notices",
        {"title": "Thông báo", "body": "Nội dung", "date": "2026-03-01"},
        key="c",
    )

    assert today.status_code == tomorrow.status_code == 201
    assert today.json()["day"] == "2026-03-02"
    assert today.json()["posted_at"] == "2026-03-02T08:00:00+07:00"
    assert tomorrow.json()["posted_at"] == "2026-03-03T00:00:00+07:00"
    assert today.json()["visible_until"] == "2026-03-02T23:59:59+07:00"
    assert past.status_code == 422
    assert past.json()["error"] == "date_in_past"
    listed = (await client.get("/portal/notices", params={"day": "2026-03-03"})).json()
    assert [n["notice_id"] for n in listed["notices"]] == [tomorrow.json()["notice_id"]]


async def test_broadcasts_take_the_next_slot(client: httpx.AsyncClient, clock: ManualClock) -> None:
    radio = await post(client, "/radio/broadcasts", {"text": "Thông báo"}, key="r")
    clock.advance(12 * 3600)  # 20:00 legal time: the day's TV slots have passed
    tv = await post(client, "/tv/broadcasts", {"text": "Thông báo"}, key="t")

    assert radio.status_code == tv.status_code == 201
    assert radio.json()["broadcast_at"] == "2026-03-02T12:00:00+07:00"
    assert radio.json()["channel"] == "VOV1"
    assert tv.json()["broadcast_at"] == "2026-03-03T06:30:00+07:00"
    assert tv.json()["broadcast_day"] == "2026-03-03"
    radio_id = radio.json()["broadcast_id"]
    assert (await client.get(f"/radio/broadcasts/{radio_id}")).json()["status"] == "broadcast"
    tv_id = tv.json()["broadcast_id"]
    assert (await client.get(f"/tv/broadcasts/{tv_id}")).json()["status"] == "scheduled"


async def test_accelerated_day_moves_issues_every_day_seconds(make_app, clock: ManualClock) -> None:
    app = make_app(day_seconds=60)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        first = await post(client, "/newspaper/publications", {"text": "Tin"}, key="1")
        clock.advance(60)
        second = await post(client, "/newspaper/publications", {"text": "Tin"}, key="2")
        state = (await client.get("/control/state")).json()

    assert second.json()["issue_number"] == first.json()["issue_number"] + 1
    assert state["legal_day"] == "2026-03-03"
    assert state["legal_now"] == "2026-03-03T08:00:00+07:00"
    assert state["day_seconds"] == 60


async def test_calendar_survives_restart(make_app, clock: ManualClock) -> None:
    make_app(day_seconds=60)
    clock.advance(90)
    simulator = make_app(day_seconds=60).state.simulator

    assert simulator.today() == date(2026, 3, 3)
