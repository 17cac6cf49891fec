"""A platform's capacity: creating calls beyond it get a retryable 503 ``platform_busy``;
every refusal (outage or capacity) is counted in the control state."""

from __future__ import annotations

import httpx
import pytest

from activities.delivery import HttpDeliveryPlatform
from casefile.errors import PlatformUnavailable
from platforms.simulator import ManualClock
from tests.platforms.helpers import delivery_body, post


async def _deliveries(client: httpx.AsyncClient, keys: range) -> list[int]:
    return [
        (await post(client, "/vneid/deliveries", delivery_body(), key=f"k{i}")).status_code
        for i in keys
    ]


async def test_capacity_refuses_beyond_the_rate_then_refills(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    capacity = await client.put("/control/capacity/vneid", json={"per_second": 3})
    assert capacity.json() == {"platform": "vneid", "per_second": 3.0, "burst": 3.0}

    first_second = await _deliveries(client, range(5))
    busy = await post(client, "/vneid/deliveries", delivery_body(), key="k5")
    clock.advance(1)
    next_second = await _deliveries(client, range(6, 10))

    assert first_second == [202, 202, 202, 503, 503]
    assert busy.json() == {
        "error": "platform_busy",
        "message": "vneid is busy: over its capacity of 3 calls/s",
        "definitive": False,
    }
    assert busy.headers["Retry-After"] == "1"
    assert next_second == [202, 202, 202, 503]
    assert len((await client.get("/control/log")).json()["calls"]) == 6


async def test_capacity_limits_creating_calls_only_and_is_cleared(
    client: httpx.AsyncClient,
) -> None:
    await client.put("/control/capacity/vneid", json={"per_second": 1})
    accepted = await post(client, "/vneid/deliveries", delivery_body(), key="a")
    delivery_id = accepted.json()["delivery_id"]

    read = await client.get(f"/vneid/deliveries/{delivery_id}")
    other_platform = await post(client, "/egov/deliveries", delivery_body(), key="b")
    busy = await post(client, "/vneid/deliveries", delivery_body(), key="c")
    await client.delete("/control/capacity/vneid")
    after_clear = await post(client, "/vneid/deliveries", delivery_body(), key="c")

    assert (read.status_code, other_platform.status_code) == (200, 202)
    assert busy.status_code == 503
    assert after_clear.status_code == 202


async def test_refusals_are_counted_per_platform_and_error(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await client.put("/control/outages/vneid", json={"down_for_seconds": 60})
    await client.put("/control/capacity/egov", json={"per_second": 1})
    await _deliveries(client, range(4))
    for key in ("e1", "e2", "e3"):
        await post(client, "/egov/deliveries", delivery_body(), key=key)

    state = (await client.get("/control/state")).json()

    assert state["refusals"] == {"vneid": {"platform_down": 4}, "egov": {"platform_busy": 2}}
    assert state["capacities"] == {"egov": {"platform": "egov", "per_second": 1.0, "burst": 1.0}}


async def test_hoso_client_treats_busy_as_retryable(client: httpx.AsyncClient) -> None:
    """The 503 goes to the workflow's capped-backoff retry, not to the paper fallback."""
    await client.put("/control/capacity/vneid", json={"per_second": 1})
    await post(client, "/vneid/deliveries", delivery_body(), key="first")
    body = delivery_body()

    with pytest.raises(PlatformUnavailable, match="503"):
        await HttpDeliveryPlatform(client).deliver(
            account=body["account"],
            document_code=body["document_code"],
            title=body["title"],
            pdf_sha256=body["pdf_sha256"],
            idempotency_key="second",
        )
