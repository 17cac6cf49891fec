"""The REST API for case files, on SQLite and PostgreSQL, through real Temporal."""

import httpx
from sqlalchemy import select

from casefile.audit import verify_chain
from casefile.filecodes import parse_case_code, parse_extended_code
from casefile.models import AuditEvent
from tests.conftest import Database

NEW_CASE = {
    "agency_code": "CSDTHN",
    "title": "Vụ trộm cắp tài sản tại phường Hàng Bạc",
    "offence": "Điều 173 BLHS",
    "summary": "Ngày 01/12/2026, tại số 5 phố Hàng Bạc, xảy ra vụ mất trộm xe máy.",
}
PARTY = {
    "role": "suspect",
    "full_name": "Đặng Quốc Khánh",
    "birth_year": 1990,
    "residence": "phường Phú Hội, tỉnh Thừa Thiên Huế",
    "national_id": "046090001234",
    "e_account": "vneid:046090001234",
}


async def _open(api: httpx.AsyncClient, headers: dict, **changes: object) -> httpx.Response:
    return await api.post("/api/v1/cases", json={**NEW_CASE, **changes}, headers=headers)


async def test_open_case_returns_201_with_a_valid_code(api, as_user, database: Database) -> None:
    response = await _open(api, as_user())
    assert response.status_code == 201, response.text
    body = response.json()
    parse_case_code(body["code"])
    assert body["code"].startswith("CSDTHN-2026-")
    assert body["stage"] == "intake"
    assert response.headers["Location"] == f"/api/v1/cases/{body['code']}"
    with database.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_code == body["code"])
        ).all()
    assert actions == ["case.opened"]


async def test_open_case_same_idempotency_key_returns_the_same_case(api, as_user) -> None:
    headers = {**as_user(), "Idempotency-Key": "phieu-tiep-nhan-0001"}
    first = await _open(api, headers)
    second = await _open(api, headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["code"] == second.json()["code"]
    listed = (await api.get("/api/v1/cases", headers=as_user())).json()
    assert listed["total"] == 1


async def test_open_case_without_token_is_401(api) -> None:
    response = await api.post("/api/v1/cases", json=NEW_CASE)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_open_case_for_another_agency_is_403_and_leaves_nothing(api, as_user) -> None:
    response = await _open(api, as_user(), agency_code="VKSHN")
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "agency_code"
    assert (await api.get("/api/v1/cases", headers=as_user())).json()["total"] == 0


async def test_open_case_malformed_field_is_422_naming_it(api, as_user) -> None:
    response = await _open(api, as_user(), title="")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "title"
    assert error["code"] == "invalid_input"


async def test_read_case_unknown_code_is_404_and_mistyped_code_is_422(api, as_user) -> None:
    code = (await _open(api, as_user())).json()["code"]
    serial = int(code.split("-")[2]) + 50
    from casefile.filecodes import CaseCode

    unknown = str(CaseCode.issue(agency="CSDTHN", year=2026, serial=serial))
    assert (await api.get(f"/api/v1/cases/{unknown}", headers=as_user())).status_code == 404
    mistyped = code[:-1] + str((int(code[-1]) + 1) % 10)
    response = await api.get(f"/api/v1/cases/{mistyped}", headers=as_user())
    assert response.status_code == 422
    assert "check digits do not match" in response.json()["error"]["message"]


async def test_read_case_writes_an_audit_event(api, as_user, database: Database) -> None:
    code = (await _open(api, as_user())).json()["code"]
    response = await api.get(f"/api/v1/cases/{code}", headers=as_user("ptt.tuan"))
    assert response.status_code == 200
    assert response.json()["title"] == NEW_CASE["title"]
    with database.sessions() as session:
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.read")).all()
        assert [(e.actor, e.object_code) for e in reads] == [("ptt.tuan", code)]
        assert verify_chain(session)[1] is None


async def test_case_of_another_agency_is_invisible(api, as_user) -> None:
    code = (await _open(api, as_user())).json()["code"]
    response = await api.get(f"/api/v1/cases/{code}", headers=as_user("kiemsat.binh"))
    assert response.status_code == 404
    listed = (await api.get("/api/v1/cases", headers=as_user("kiemsat.binh"))).json()
    assert listed["items"] == []


async def test_list_cases_filters_and_paginates(api, as_user) -> None:
    for n in range(3):
        await _open(api, as_user(), title=f"Vụ cố ý gây thương tích số {n}", offence="Điều 134")
    await _open(api, as_user(), title="Vụ lừa đảo chiếm đoạt tài sản", offence="Điều 174")
    page = (await api.get("/api/v1/cases?q=thương tích&limit=2", headers=as_user())).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = await api.get("/api/v1/cases?q=thương tích&limit=2&offset=2", headers=as_user())
    assert len(rest.json()["items"]) == 1
    bad = await api.get("/api/v1/cases?limit=0", headers=as_user())
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "limit"
    staged = await api.get("/api/v1/cases?stage=trial", headers=as_user())
    assert staged.json()["total"] == 0


async def test_add_party_returns_a_party_code_under_the_case(api, as_user) -> None:
    code = (await _open(api, as_user())).json()["code"]
    response = await api.post(f"/api/v1/cases/{code}/parties", json=PARTY, headers=as_user())
    assert response.status_code == 201, response.text
    party_code = response.json()["code"]
    assert parse_extended_code(party_code).case == parse_case_code(code)
    detail = (await api.get(f"/api/v1/cases/{code}", headers=as_user())).json()
    assert [p["full_name"] for p in detail["parties"]] == ["Đặng Quốc Khánh"]


async def test_add_party_malformed_national_id_is_422_naming_it(api, as_user) -> None:
    code = (await _open(api, as_user())).json()["code"]
    response = await api.post(
        f"/api/v1/cases/{code}/parties", json={**PARTY, "national_id": "12345"}, headers=as_user()
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "national_id"


async def test_inventory_lists_records_codes_and_hashes(
    api, as_user, database: Database, blobs
) -> None:
    code = (await _open(api, as_user())).json()["code"]
    from casefile.db import transaction
    from casefile.repositories.cases import get_case_by_code
    from tests.factories import add_document

    with transaction(database.sessions) as session:
        case = get_case_by_code(session=session, code=code)
        first = add_document(session, case, blobs, pages=3)
        second = add_document(session, case, blobs, pages=1)
    response = await api.get(f"/api/v1/cases/{code}/inventory", headers=as_user())
    assert response.status_code == 200
    body = response.json()
    assert body["record_count"] == 4
    assert [
        (d["code"], d["first_record"], d["last_record"], d["sha256"]) for d in body["documents"]
    ] == [
        (first.code, 1, 3, first.sha256),
        (second.code, 4, 4, second.sha256),
    ]


async def test_stage_move_allowed_and_illegal_refused(api, as_user) -> None:
    code = (await _open(api, as_user())).json()["code"]
    illegal = await api.post(
        f"/api/v1/cases/{code}/stage", json={"target": "trial", "reason": "thử"}, headers=as_user()
    )
    assert illegal.status_code == 409
    assert "cannot move to trial" in illegal.json()["error"]["message"]
    moved = await api.post(
        f"/api/v1/cases/{code}/stage",
        json={"target": "investigation", "reason": "Quyết định khởi tố số 12/QĐ-CSĐT"},
        headers=as_user(),
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "investigation"


async def test_health_reports_database_and_temporal(api) -> None:
    response = await api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "temporal": "ok"}


async def test_openapi_lists_the_case_endpoints(api) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{code}",
        "/api/v1/cases/{code}/parties",
        "/api/v1/cases/{code}/inventory",
        "/api/v1/health",
    } <= set(paths)
