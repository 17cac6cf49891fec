"""The national population database."""

from __future__ import annotations

import httpx


async def test_person_with_active_account_is_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/population/people/001090000001")

    assert response.status_code == 200
    assert response.json() == {
        "national_id": "001090000001",
        "full_name": "Nguyễn Văn An",
        "birth_year": 1990,
        "residence": "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội",
        "has_account": True,
        "account_id": "TK001090000001",
        "account_status": "active",
    }


async def test_person_without_account(client: httpx.AsyncClient) -> None:
    person = (await client.get("/population/people/001065000005")).json()

    assert (person["has_account"], person["account_id"], person["account_status"]) == (
        False,
        None,
        None,
    )


async def test_person_with_suspended_account(client: httpx.AsyncClient) -> None:
    person = (await client.get("/population/people/031078000004")).json()

    assert (person["has_account"], person["account_status"]) == (True, "suspended")


async def test_absent_person_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/population/people/099999999999")

    assert response.status_code == 404
    assert response.json()["error"] == "person_not_found"


async def test_malformed_national_id_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.get("/population/people/12345")).status_code == 422
