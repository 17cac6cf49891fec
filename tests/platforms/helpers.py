"""Small helpers shared by the simulator tests."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

ACTIVE = "TK001090000001"  # Nguyễn Văn An: delivered after 1 s, opened after 3 s, confirmed 6 s
NEVER_OPENS = "TK079085000002"
SUSPENDED = "TK031078000004"
INACTIVE = "TK036099000006"

PDF = b"%PDF-1.7\n% a document of the case file\n"
PDF_SHA256 = hashlib.sha256(PDF).hexdigest()


def delivery_body(account: str = ACTIVE, **overrides: Any) -> dict[str, Any]:
    body = {
        "account": account,
        "document_code": "CSDTHN-2026-000001-03-D0001-57",
        "title": "Quyết định khởi tố bị can",
        "pdf_sha256": PDF_SHA256,
        "pdf_url": "http://hoso.test/api/v1/documents/D0001/pdf",
    }
    body.update(overrides)
    return body


async def post(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], *, key: str
) -> httpx.Response:
    return await client.post(path, json=body, headers={"Idempotency-Key": key})
