"""Deliveries to e-transaction accounts and the webhooks that report them."""

from __future__ import annotations

import json

import httpx

from platforms.simulator import ManualClock, Simulator, derive_platform_secret, verify_signature
from tests.platforms.conftest import MASTER_SECRET, WebhookReceiver
from tests.platforms.helpers import (
    ACTIVE,
    INACTIVE,
    NEVER_OPENS,
    SUSPENDED,
    delivery_body,
    post,
)


async def _run_for(simulator: Simulator, clock: ManualClock, seconds: int) -> None:
    for _ in range(seconds):
        clock.advance(1)
        await simulator.pump_webhooks()


async def test_delivery_to_unknown_account_is_definitive_404(client: httpx.AsyncClient) -> None:
    response = await post(client, "/vneid/deliveries", delivery_body("TK999999999999"), key="k")

    assert response.status_code == 404
    assert response.json()["definitive"] is True
    assert (await client.get("/control/log")).json()["calls"] == []


async def test_delivery_pdf_base64_must_match_sha256(client: httpx.AsyncClient) -> None:
    body = delivery_body(pdf_url=None, pdf_base64="JVBERi0xLjcK")

    response = await post(client, "/vneid/deliveries", body, key="k")

    assert response.status_code == 422
    assert "pdf_sha256" in response.text


async def test_active_account_reports_delivered_opened_confirmed_signed(
    client: httpx.AsyncClient,
    simulator: Simulator,
    clock: ManualClock,
    receiver: WebhookReceiver,
) -> None:
    accepted = await post(client, "/vneid/deliveries", delivery_body(), key="wf-7/deliver")
    delivery_id = accepted.json()["delivery_id"]

    await _run_for(simulator, clock, 7)

    assert accepted.status_code == 202
    secret = derive_platform_secret(MASTER_SECRET, "vneid")
    payloads = []
    for webhook in receiver.received:
        assert webhook.platform == "vneid"
        assert verify_signature(secret, webhook.body, webhook.headers["x-hoso-signature"])
        assert not verify_signature(b"other", webhook.body, webhook.headers["x-hoso-signature"])
        payload = json.loads(webhook.body)
        assert webhook.headers["x-hoso-event-id"] == payload["event_id"]
        assert webhook.headers["x-hoso-timestamp"].isdigit()
        payloads.append(payload)
    assert [p["event_type"] for p in payloads] == ["delivered", "opened", "confirmed"]
    assert len({p["event_id"] for p in payloads}) == 3
    assert {p["delivery_id"] for p in payloads} == {delivery_id}
    assert payloads[0]["idempotency_key"] == "wf-7/deliver"
    assert payloads[0]["occurred_at"].startswith("2026-03-02T08:00:01")
    status = (await client.get(f"/vneid/deliveries/{delivery_id}")).json()
    assert status["status"] == "confirmed"
    assert status["accessible"] is True
    assert [e["webhook"]["state"] for e in status["events"]] == ["sent"] * 3


async def test_status_follows_the_clock_before_any_webhook(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    delivery_id = (await post(client, "/egov/deliveries", delivery_body(), key="k")).json()[
        "delivery_id"
    ]
    before = (await client.get(f"/egov/deliveries/{delivery_id}")).json()
    clock.advance(3.5)
    after = (await client.get(f"/egov/deliveries/{delivery_id}")).json()

    assert (before["status"], before["accessible"]) == ("accepted", False)
    assert (after["status"], after["accessible"]) == ("opened", True)
    assert [e["webhook"]["state"] for e in after["events"]] == ["pending", "pending"]


async def test_suspended_and_inactive_accounts_never_report(
    client: httpx.AsyncClient,
    simulator: Simulator,
    clock: ManualClock,
    receiver: WebhookReceiver,
) -> None:
    ids = []
    for account in (SUSPENDED, INACTIVE):
        response = await post(client, "/vneid/deliveries", delivery_body(account), key=account)
        assert response.status_code == 202
        ids.append(response.json()["delivery_id"])

    await _run_for(simulator, clock, 30)
    clock.advance(86_400 * 10)
    await simulator.pump_webhooks()

    assert receiver.received == []
    for delivery_id in ids:
        status = (await client.get(f"/vneid/deliveries/{delivery_id}")).json()
        assert (status["status"], status["events"]) == ("accepted", [])


async def test_account_that_never_opens_reports_only_delivered(
    client: httpx.AsyncClient,
    simulator: Simulator,
    clock: ManualClock,
    receiver: WebhookReceiver,
) -> None:
    await post(client, "/vneid/deliveries", delivery_body(NEVER_OPENS), key="k")

    await _run_for(simulator, clock, 60)

    assert [json.loads(w.body)["event_type"] for w in receiver.received] == ["delivered"]


async def test_refused_webhook_is_retried_with_backoff_same_event_id(
    client: httpx.AsyncClient,
    simulator: Simulator,
    clock: ManualClock,
    receiver: WebhookReceiver,
) -> None:
    await client.put(f"/control/accounts/{ACTIVE}", json={"never_open": True})
    receiver.fail_next = 2
    await post(client, "/vneid/deliveries", delivery_body(), key="k")

    clock.advance(1)
    await simulator.pump_webhooks()  # refused; next attempt in 1 s
    await simulator.pump_webhooks()  # not due yet
    clock.advance(1)
    await simulator.pump_webhooks()  # refused; next attempt in 2 s
    clock.advance(1)
    await simulator.pump_webhooks()  # not due yet
    events_before = (await client.get("/control/webhooks")).json()["events"]
    clock.advance(1)
    await simulator.pump_webhooks()  # taken

    assert receiver.refused == 2
    assert events_before[0]["webhook"]["attempts"] == 2
    assert events_before[0]["webhook"]["last_error"] == "HTTP 500"
    (webhook,) = receiver.received
    payload = json.loads(webhook.body)
    assert payload["event_id"] == events_before[0]["event_id"]
    assert payload["attempt"] == 3


async def test_webhooks_wait_for_a_webhook_url(
    make_app, clock: ManualClock, receiver: WebhookReceiver
) -> None:
    app = make_app(webhook_url=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        await post(client, "/vneid/deliveries", delivery_body(), key="k")
        clock.advance(10)
        assert await app.state.simulator.pump_webhooks() == 0
        state = (await client.get("/control/state")).json()

    assert state["webhooks"] == {"pending": 3, "sent": 0}
    assert receiver.received == []


async def test_ndc_notification_posts_via_linked_platforms(
    client: httpx.AsyncClient,
    simulator: Simulator,
    clock: ManualClock,
    receiver: WebhookReceiver,
) -> None:
    body = {
        "national_id": "001090000001",
        "document_code": "CSDTHN-2026-000001-03-D0002-19",
        "title": "Thông báo triệu tập",
        "text": "Yêu cầu ông Nguyễn Văn An có mặt tại Cơ quan điều tra.",
        "agency": "Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội",
    }
    response = await post(client, "/ndc/notifications", body, key="n-1")
    no_account = await post(
        client, "/ndc/notifications", {**body, "national_id": "001065000005"}, key="n-2"
    )
    await _run_for(simulator, clock, 2)

    assert response.status_code == 202
    notification = response.json()
    assert notification["linked_platforms"] == ["vneid", "egov"]
    assert notification["day"] == "2026-03-02"
    assert notification["evidence"]["stage"] == "posted"
    assert no_account.status_code == 404
    assert no_account.json()["error"] == "no_linked_account"
    (webhook,) = receiver.received
    assert webhook.platform == "ndc"
    secret = derive_platform_secret(MASTER_SECRET, "ndc")
    assert verify_signature(secret, webhook.body, webhook.headers["x-hoso-signature"])
    assert json.loads(webhook.body)["notification_id"] == notification["notification_id"]
