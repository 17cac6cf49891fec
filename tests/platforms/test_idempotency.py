"""A retried call never delivers or publishes twice."""

from __future__ import annotations

import httpx

from tests.platforms.helpers import delivery_body, post


async def test_delivery_same_key_twice_delivers_once(client: httpx.AsyncClient) -> None:
    first = await post(client, "/vneid/deliveries", delivery_body(), key="wf-1/act-1")
    second = await post(client, "/vneid/deliveries", delivery_body(), key="wf-1/act-1")

    assert first.status_code == second.status_code == 202
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    log = (await client.get("/control/log", params={"platform": "vneid"})).json()["calls"]
    assert [(c["operation"], c["subject_id"], c["replays"]) for c in log] == [
        ("deliveries.create", first.json()["delivery_id"], 1)
    ]


async def test_delivery_same_key_other_body_conflicts(client: httpx.AsyncClient) -> None:
    await post(client, "/vneid/deliveries", delivery_body(), key="k")

    response = await post(client, "/vneid/deliveries", delivery_body(title="Khác"), key="k")

    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert len((await client.get("/control/log")).json()["calls"]) == 1


async def test_same_key_on_another_platform_is_another_call(client: httpx.AsyncClient) -> None:
    await post(client, "/vneid/deliveries", delivery_body(), key="k")
    response = await post(client, "/egov/deliveries", delivery_body(), key="k")

    assert response.status_code == 202
    assert len((await client.get("/control/log")).json()["calls"]) == 2


async def test_mutation_without_idempotency_key_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/newspaper/publications", json={"text": "Thông báo"})

    assert response.status_code == 422
    assert "Idempotency-Key" in response.text


async def test_lost_reply_retried_with_same_key_publishes_once(client: httpx.AsyncClient) -> None:
    await client.put("/control/outages/newspaper", json={"lost_reply_rate": 1.0})
    lost = await post(client, "/newspaper/publications", {"text": "Thông báo"}, key="p-1")
    await client.delete("/control/outages/newspaper")

    retried = await post(client, "/newspaper/publications", {"text": "Thông báo"}, key="p-1")

    assert lost.status_code == 500
    assert lost.json()["error"] == "reply_lost"
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    log = (await client.get("/control/log", params={"platform": "newspaper"})).json()["calls"]
    assert len(log) == 1
    assert log[0]["subject_id"] == retried.json()["publication_id"]
