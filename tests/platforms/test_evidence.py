"""Evidence a court accepts: a PDF printout or confirmation and its JSON record."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from platforms.simulator import ManualClock
from tests.platforms.helpers import delivery_body, post


def _assert_pdf_matches(pdf: httpx.Response, record: dict) -> None:
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == record["pdf_sha256"]
    assert len(pdf.content) == record["pdf_size"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/newspaper/publications", {"text": "Thông báo truy nã", "title": "Truy nã"}),
        ("/portal/notices", {"title": "Thông báo", "body": "Ông Đặng Văn Hùng"}),
        ("/radio/broadcasts", {"text": "Thông báo"}),
        ("/tv/broadcasts", {"text": "Thông báo"}),
    ],
)
async def test_publication_evidence_pdf_matches_its_record(
    client: httpx.AsyncClient, path: str, body: dict
) -> None:
    created = (await post(client, path, body, key="e")).json()
    record = created["evidence"]

    pdf = await client.get(record["pdf_url"].removeprefix("http://sim.test"))
    again = await client.get(f"{created['url']}/evidence.pdf")
    fetched = (await client.get(created["evidence_url"])).json()

    _assert_pdf_matches(pdf, record)
    assert again.content == pdf.content
    assert fetched == record
    assert record["facts"]["url"] == created["url"]


async def test_delivery_evidence_per_stage(client: httpx.AsyncClient, clock: ManualClock) -> None:
    delivery = (await post(client, "/vneid/deliveries", delivery_body(), key="k")).json()
    base = f"/vneid/deliveries/{delivery['delivery_id']}"

    accepted = (await client.get(f"{base}/evidence")).json()
    not_yet = await client.get(f"{base}/evidence", params={"stage": "delivered"})
    clock.advance(1)
    delivered = (await client.get(f"{base}/evidence")).json()
    delivered_pdf = await client.get(f"{base}/evidence.pdf", params={"stage": "delivered"})

    assert accepted["stage"] == "accepted"
    assert not_yet.status_code == 404
    assert delivered["stage"] == "delivered"
    assert delivered["facts"]["delivered_at"] == "2026-03-02T08:00:01+07:00"
    assert delivered["facts"]["pdf_sha256"] == delivery["pdf_sha256"]
    _assert_pdf_matches(delivered_pdf, delivered)
    assert delivered_pdf.headers["X-Evidence-Sha256"] == delivered["pdf_sha256"]
