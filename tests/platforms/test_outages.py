"""Outages set through the control endpoint: down, rejection, random errors."""

from __future__ import annotations

import random

import httpx

from platforms.simulator import ManualClock
from tests.platforms.helpers import delivery_body, post


async def test_platform_down_answers_503_then_recovers(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    outage = await client.put("/control/outages/vneid", json={"down_for_seconds": 120})
    assert outage.json()["down"] is True

    down = await post(client, "/vneid/deliveries", delivery_body(), key="k")
    clock.advance(121)
    recovered = await post(client, "/vneid/deliveries", delivery_body(), key="k")

    assert down.status_code == 503
    assert down.headers["Retry-After"] == "120"
    assert down.json()["definitive"] is False
    assert recovered.status_code == 202
    assert len((await client.get("/control/log")).json()["calls"]) == 1


async def test_outage_of_one_platform_leaves_others_up(client: httpx.AsyncClient) -> None:
    await client.put("/control/outages/vneid", json={"down_for_seconds": 60})

    response = await post(client, "/egov/deliveries", delivery_body(), key="k")

    assert response.status_code == 202


async def test_definitive_rejection_is_422_and_cleared_by_delete(
    client: httpx.AsyncClient,
) -> None:
    await client.put(
        "/control/outages/tv", json={"reject": True, "reject_reason": "Nội dung không hợp lệ"}
    )
    rejected = await post(client, "/tv/broadcasts", {"text": "Thông báo"}, key="b")
    await client.delete("/control/outages/tv")
    accepted = await post(client, "/tv/broadcasts", {"text": "Thông báo"}, key="b")

    assert rejected.status_code == 422
    assert rejected.json() == {
        "error": "rejected",
        "message": "Nội dung không hợp lệ",
        "definitive": True,
    }
    assert accepted.status_code == 201


async def test_error_rate_follows_the_seeded_random(client: httpx.AsyncClient) -> None:
    await client.put("/control/outages/population", json={"error_rate": 0.5, "seed": 7})

    statuses = [
        (await client.get("/population/people/001090000001")).status_code for _ in range(20)
    ]

    rng = random.Random(7)
    assert statuses == [500 if rng.random() < 0.5 else 200 for _ in range(20)]
    assert 0 < statuses.count(500) < 20


async def test_control_state_lists_outages(client: httpx.AsyncClient) -> None:
    await client.put("/control/outages/radio", json={"latency_ms": 5, "error_rate": 0.1})

    state = (await client.get("/control/state")).json()

    assert state["outages"]["radio"]["latency_ms"] == 5
    assert state["legal_day"] == "2026-03-02"
