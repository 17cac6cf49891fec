"""The common database of art. 18(4) over HTTP: what it refuses, who may publish, each event
kept once, and alerts to the other agencies party to the case."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from casefile.filecodes import CaseCode, ExtensionKind
from statusdb.models import Alert, StatusRecord
from tests.statusdb.conftest import Agencies

CASE = CaseCode.issue(agency="CSDTHN", year=2026, serial=17)
DOCUMENT = str(CASE.extend(ExtensionKind.DOCUMENT, 3))
PARTY = str(CASE.extend(ExtensionKind.PARTY, 1))


def event(**changes: Any) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "agency_code": "CSDTHN",
        "case_code": str(CASE),
        "kind": "case",
        "status": "opened",
        "occurred_at": "2026-12-04T09:00:00+07:00",
        **changes,
    }


def count(statusdb: Agencies, model: type) -> int:
    with statusdb.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


async def test_publish_status_change_kept_with_its_identifiers(statusdb: Agencies) -> None:
    published = event(kind="delivery", status="posted", subject_code=DOCUMENT, party_code=PARTY)

    response = await statusdb.publish("CSDTHN", published)

    assert response.status_code == 201, response.text
    assert response.json() == {"event_id": published["event_id"], "duplicate": False, "alerted": []}
    statuses = await statusdb.request("CSDTHN", "GET", f"/api/v1/cases/{CASE}/statuses")
    (kept,) = statuses.json()["statuses"]
    assert kept["status"] == "posted" and kept["party_code"] == PARTY
    assert kept["occurred_at"].startswith("2026-12-04T02:00:00")  # UTC


async def test_publish_extra_field_refused_naming_it(statusdb: Agencies) -> None:
    response = await statusdb.publish("CSDTHN", event(party_name="Nguyễn Văn An"))

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "party_name"
    assert "Extra inputs are not permitted" in response.json()["error"]["message"]
    assert count(statusdb, StatusRecord) == 0


async def test_publish_name_in_a_code_field_refused_naming_it(statusdb: Agencies) -> None:
    for field, value in [
        ("case_code", "Nguyễn Văn An"),
        ("subject_code", "Quyết định khởi tố vụ án"),
        ("party_code", "001090000001"),  # a national ID where a party code belongs
        ("status", "Nguyen Van An"),
        ("agency_code", "Công an Hà Nội"),
    ]:
        delivery = event(kind="delivery", status="posted", subject_code=DOCUMENT, party_code=PARTY)
        response = await statusdb.publish("CSDTHN", {**delivery, field: value})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"]["field"] == field
    assert count(statusdb, StatusRecord) == 0


async def test_publish_mistyped_code_or_foreign_status_refused(statusdb: Agencies) -> None:
    mistyped = str(CASE)[:-2] + ("00" if not str(CASE).endswith("00") else "01")
    response = await statusdb.publish("CSDTHN", event(case_code=mistyped))
    assert response.status_code == 422
    assert "check digits" in response.json()["error"]["message"]

    response = await statusdb.publish("CSDTHN", event(kind="transfer", status="opened"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "status"

    other_case = str(CaseCode.issue(agency="CSDTHN", year=2026, serial=18))
    response = await statusdb.publish(
        "CSDTHN",
        event(case_code=other_case, kind="document", status="registered", subject_code=DOCUMENT),
    )
    assert response.status_code == 422
    assert "does not extend case_code" in response.json()["error"]["message"]


async def test_publish_bad_signature_refused(statusdb: Agencies) -> None:
    response = await statusdb.publish("CSDTHN", event(), key=b"not the agency's key")

    assert response.status_code == 403
    assert response.json()["error"]["field"] == "X-Hoso-Signature"
    assert count(statusdb, StatusRecord) == 0


async def test_publish_stale_timestamp_refused(statusdb: Agencies) -> None:
    response = await statusdb.publish(
        "CSDTHN", event(), now=datetime.now(UTC) - timedelta(minutes=10)
    )

    assert response.status_code == 403
    assert response.json()["error"]["field"] == "X-Hoso-Timestamp"


async def test_publish_for_another_agency_refused(statusdb: Agencies) -> None:
    response = await statusdb.publish("VKSHN", event(agency_code="CSDTHN"))

    assert response.status_code == 403
    assert response.json()["error"]["field"] == "agency_code"


async def test_replayed_request_changes_nothing(statusdb: Agencies) -> None:
    published = event()
    first = await statusdb.publish("CSDTHN", published)
    transfer = event(kind="transfer", status="sent", counterpart_agency_code="VKSHN")
    await statusdb.publish("CSDTHN", transfer)
    replayed = await statusdb.client.post(
        "/api/v1/events", content=first.request.content, headers=first.request.headers
    )
    await statusdb.publish("CSDTHN", transfer)

    assert replayed.status_code == 200
    assert replayed.json()["duplicate"] is True
    assert count(statusdb, StatusRecord) == 2
    assert count(statusdb, Alert) == 1  # VKSHN, once, for the transfer


async def test_same_event_id_with_other_values_is_a_conflict(statusdb: Agencies) -> None:
    published = event()
    await statusdb.publish("CSDTHN", published)

    response = await statusdb.publish(
        "CSDTHN", {**published, "kind": "stage", "status": "investigation"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["field"] == "event_id"


async def test_status_change_alerts_every_other_party_agency(statusdb: Agencies) -> None:
    await statusdb.publish("CSDTHN", event())
    assert await statusdb.alerts("VKSHN") == []  # not party yet

    sent = await statusdb.publish(
        "CSDTHN", event(kind="transfer", status="sent", counterpart_agency_code="VKSHN")
    )
    assert sent.json()["alerted"] == ["VKSHN"]
    accepted = await statusdb.publish(
        "VKSHN",
        event(
            agency_code="VKSHN",
            kind="transfer",
            status="accepted",
            counterpart_agency_code="CSDTHN",
        ),
    )
    assert accepted.json()["alerted"] == ["CSDTHN"]
    await statusdb.publish("VKSHN", event(agency_code="VKSHN", kind="stage", status="prosecution"))

    to_procuracy = await statusdb.alerts("VKSHN")
    to_police = await statusdb.alerts("CSDTHN")
    assert [a["status"]["status"] for a in to_procuracy] == ["sent"]
    assert [a["status"]["status"] for a in to_police] == ["accepted", "prosecution"]
    assert await statusdb.alerts("TAHN") == []
    outsider = await statusdb.request("TAHN", "GET", f"/api/v1/cases/{CASE}/statuses")
    assert outsider.status_code == 404


async def test_acknowledged_alert_leaves_the_pending_list(statusdb: Agencies) -> None:
    await statusdb.publish(
        "CSDTHN", event(kind="transfer", status="sent", counterpart_agency_code="VKSHN")
    )
    await statusdb.publish("CSDTHN", event(kind="stage", status="prosecution"))
    first, second = await statusdb.alerts("VKSHN")

    path = f"/api/v1/alerts/{first['id']}/acknowledgement"
    acknowledged = await statusdb.request("VKSHN", "POST", path)
    again = await statusdb.request("VKSHN", "POST", path)
    not_theirs = await statusdb.request("TAHN", "POST", path)

    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert again.json()["acknowledged_at"] == acknowledged.json()["acknowledged_at"]
    assert not_theirs.status_code == 404
    assert [a["id"] for a in await statusdb.alerts("VKSHN")] == [second["id"]]
    everything = await statusdb.alerts("VKSHN", "?pending=false")
    assert [a["id"] for a in everything] == [first["id"], second["id"]]
