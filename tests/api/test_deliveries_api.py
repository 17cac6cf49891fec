"""Delivering documents through the API (Joint Circular art. 9(4)): one DeliverDocument
process per recipient, started after issuing or by an officer, never both; paper with the
officer's receipt, electronic with the platform's receipt, the agency's open delivery tasks,
refusals of unknown parties and other agencies."""

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from casefile.doctypes import DocType
from casefile.models import Document
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.api.test_documents_api import _case, _countersigned, _issue
from tests.conftest import Database
from tests.helpers import assert_eventually
from workflows import deliver_document_workflow_id, document_delivery_request_id
from workflows.io import IssueDocumentResult
from workflows.issue_document import IssueDocumentWorkflow

ACCOUNT = "TK001090000001"
"""The simulator's seeded active account."""


async def _party(api: httpx.AsyncClient, headers: dict, case: str, **extra) -> str:
    body = {"role": "suspect", "full_name": "Đặng Quốc Khánh", "birth_year": 1990, **extra}
    response = await api.post(f"/api/v1/cases/{case}/parties", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["code"]


async def _summons(api: httpx.AsyncClient, headers: dict, **party) -> tuple[str, str, str]:
    case = await _case(api, headers)
    party_code = await _party(api, headers, case, **party)
    issued = await _issue(api, headers, case, DocType.SUMMONS, recipients=[party_code])
    assert issued.status_code == 201, issued.text
    document = issued.json()["code"]

    async def recorded() -> bool:
        detail = await api.get(f"/api/v1/documents/{document}", headers=headers)
        return [r["party_code"] for r in detail.json()["recipients"]] == [party_code]

    await assert_eventually(recorded, timeout=20)
    return case, party_code, document


async def _terminate(temporal: Client, workflow_ids: list[str]) -> None:
    for workflow_id in workflow_ids:
        try:
            await temporal.get_workflow_handle(workflow_id).terminate("test over")
        except RPCError:  # already completed
            pass


async def test_paper_delivery_awaits_the_receipt_lists_the_task_and_closes_it(
    api, as_user, temporal: Client
) -> None:
    case, party, document = await _summons(api, as_user())
    started = await api.post(
        f"/api/v1/documents/{document}/deliveries",
        json={},
        headers={**as_user(), "Idempotency-Key": "paper-1"},
    )
    assert started.status_code == 201, started.text
    assert [d["party_code"] for d in started.json()] == [party]
    workflow_id = started.json()[0]["workflow_id"]
    try:
        again = await api.post(
            f"/api/v1/documents/{document}/deliveries",
            json={},
            headers={**as_user(), "Idempotency-Key": "paper-1"},
        )
        assert again.json() == started.json()

        async def awaiting_receipt() -> list:
            found = (
                await api.get(f"/api/v1/documents/{document}/deliveries", headers=as_user())
            ).json()
            return [
                d for d in found if d["progress"] and d["progress"]["awaiting"] == "paper_receipt"
            ]

        listed = await assert_eventually(awaiting_receipt, timeout=30)
        assert len(listed) == 1 and listed[0]["workflow_id"] == workflow_id
        progress = listed[0]["progress"]
        assert (progress["route"], progress["status"]) == ("paper", "awaiting_paper_receipt")
        assert "art. 9(4)(b)" in progress["steps"][0]["ground"]
        assert listed[0]["party_code"] == party and listed[0]["document_code"] == document

        by_case = (await api.get(f"/api/v1/cases/{case}/deliveries", headers=as_user())).json()
        assert [d["workflow_id"] for d in by_case] == [workflow_id]

        tasks = (
            await api.get("/api/v1/delivery-tasks?status=open", headers=as_user("ptt.tuan"))
        ).json()
        mine = [t for t in tasks if t["workflow_id"] == workflow_id]
        assert len(mine) == 1, tasks
        assert (mine[0]["kind"], mine[0]["via"], mine[0]["party_code"]) == (
            "paper_delivery",
            "direct",
            party,
        )
        other = await api.get("/api/v1/delivery-tasks", headers=as_user("kiemsat.binh"))
        assert all(t["workflow_id"] != workflow_id for t in other.json())

        receipt = {"signed_at": "2026-12-04T09:00:00+07:00", "received_by": "Đặng Quốc Khánh"}
        stranger = await api.post(
            f"/api/v1/deliveries/{workflow_id}/paper-receipt",
            json=receipt,
            headers=as_user("kiemsat.binh"),
        )
        assert stranger.status_code == 404, stranger.text
        done = await api.post(
            f"/api/v1/deliveries/{workflow_id}/paper-receipt", json=receipt, headers=as_user()
        )
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["steps"][-1]["step"]) == (
            "delivered_paper",
            "paper_received",
        )
        second = await api.post(
            f"/api/v1/deliveries/{workflow_id}/paper-receipt", json=receipt, headers=as_user()
        )
        assert second.status_code == 409, second.text
        refusal = await api.post(
            f"/api/v1/deliveries/{workflow_id}/refusal",
            json={"reason": "late"},
            headers=as_user(),
        )
        assert refusal.status_code == 409

        closed = (
            await api.get("/api/v1/delivery-tasks?status=done", headers=as_user("ptt.tuan"))
        ).json()
        assert [t["outcome"] for t in closed if t["workflow_id"] == workflow_id] == ["received"]
        still_open = (await api.get("/api/v1/delivery-tasks", headers=as_user())).json()
        assert all(t["workflow_id"] != workflow_id for t in still_open)

        async def delivered() -> bool:
            found = (
                await api.get(f"/api/v1/documents/{document}/deliveries", headers=as_user())
            ).json()
            return found and found[0]["progress"]["status"] == "delivered_paper"

        await assert_eventually(delivered, timeout=20)
    finally:
        await _terminate(temporal, [workflow_id])


async def test_electronic_delivery_concludes_on_the_platform_receipt(
    stack, as_user, temporal: Client
) -> None:
    api, platforms, simulator = stack.hoso, stack.platforms, stack.simulator
    await platforms.put(f"/control/accounts/{ACCOUNT}", json={"delivered_after_seconds": 0})
    _, party, document = await _summons(api, as_user(), e_account=ACCOUNT)
    started = await api.post(
        f"/api/v1/documents/{document}/deliveries", json={"party_codes": [party]}, headers=as_user()
    )
    assert started.status_code == 201, started.text
    workflow_id = started.json()[0]["workflow_id"]
    try:

        async def delivered_electronic() -> list:
            await simulator.state.simulator.pump_webhooks()
            found = (
                await api.get(f"/api/v1/documents/{document}/deliveries", headers=as_user())
            ).json()
            return [
                d
                for d in found
                if d["progress"] and d["progress"]["status"] == "delivered_electronic"
            ]

        found = await assert_eventually(delivered_electronic, timeout=30)
        progress = found[0]["progress"]
        assert progress["route"] == "electronic" and progress["delivery_id"]
        assert [s["step"] for s in progress["steps"]][-1] == "electronic_delivered"
        not_paper = await api.post(
            f"/api/v1/deliveries/{workflow_id}/recipient-not-found",
            json={"note": "not at home"},
            headers=as_user(),
        )
        assert not_paper.status_code == 409
    finally:
        await _terminate(temporal, [workflow_id])


async def test_unknown_party_no_recipients_other_agency_and_foreign_ids_are_refused(
    api, as_user, settings: Settings
) -> None:
    case = await _case(api, as_user())
    await _party(api, as_user(), case)
    issued = await _issue(api, as_user(), case, DocType.SUMMONS)
    assert issued.status_code == 201, issued.text
    document = issued.json()["code"]
    unknown = await api.post(
        f"/api/v1/documents/{document}/deliveries",
        json={"party_codes": [f"{case}-P000099-00"]},
        headers=as_user(),
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "party_codes"
    nobody = await api.post(f"/api/v1/documents/{document}/deliveries", json={}, headers=as_user())
    assert nobody.status_code == 422 and nobody.json()["error"]["field"] == "party_codes"
    stranger = await api.post(
        f"/api/v1/documents/{document}/deliveries", json={}, headers=as_user("kiemsat.binh")
    )
    assert stranger.status_code == 404
    listed = await api.get(f"/api/v1/cases/{case}/deliveries", headers=as_user("kiemsat.binh"))
    assert listed.status_code == 404
    foreign = await api.post(
        "/api/v1/deliveries/deliver-document:another-queue:1:x:y/paper-receipt",
        json={"signed_at": "2026-12-04T09:00:00+07:00", "received_by": "X"},
        headers=as_user(),
    )
    missing = await api.post(
        f"/api/v1/deliveries/{deliver_document_workflow_id(settings.task_queue, 'n:o:ne')}/refusal",
        json={"reason": "no"},
        headers=as_user(),
    )
    assert foreign.status_code == 404 and missing.status_code == 404


async def test_detained_goes_through_the_facility_and_unknown_whereabouts_to_posting(
    api, as_user, temporal: Client
) -> None:
    case, _, document = await _summons(api, as_user())
    detained = await _party(api, as_user(), case, full_name="Lê Văn Tù", detained=True)
    away = await _party(api, as_user(), case, full_name="Vũ Văn Vắng", whereabouts_known=False)
    started = await api.post(
        f"/api/v1/documents/{document}/deliveries",
        json={"party_codes": [detained, away]},
        headers=as_user(),
    )
    assert started.status_code == 201, started.text
    ids = {d["party_code"]: d["workflow_id"] for d in started.json()}
    try:

        async def both_waiting() -> dict:
            found = (
                await api.get(f"/api/v1/documents/{document}/deliveries", headers=as_user())
            ).json()
            waiting = {d["party_code"]: d["progress"] for d in found if d["progress"]}
            ready = waiting.get(detained, {}).get("awaiting") == "paper_receipt" and (
                waiting.get(away, {}).get("awaiting") == "posting_period"
            )
            return waiting if ready else {}

        waiting = await assert_eventually(both_waiting, timeout=30)
        assert "TTGHN" in waiting[detained]["steps"][0]["detail"]
        assert waiting[away]["route"] == "posting" and waiting[away]["posting_record_document_code"]
        tasks = (await api.get("/api/v1/delivery-tasks", headers=as_user())).json()
        facility = [t for t in tasks if t["workflow_id"] == ids[detained]]
        assert [(t["via"], t["via_agency_code"]) for t in facility] == [
            ("detention_facility", "TTGHN")
        ]
        early = await api.post(
            f"/api/v1/deliveries/{ids[detained]}/recipient-contacted",
            json={"note": "came in"},
            headers=as_user(),
        )
        assert early.status_code == 409
        contacted = await api.post(
            f"/api/v1/deliveries/{ids[away]}/recipient-contacted",
            json={"note": "came to the agency"},
            headers=as_user(),
        )
        assert contacted.status_code == 200, contacted.text

        async def posted() -> bool:
            found = (
                await api.get(f"/api/v1/documents/{document}/deliveries", headers=as_user())
            ).json()
            return any(
                d["party_code"] == away and d["progress"]["status"] == "posted" for d in found
            )

        await assert_eventually(posted, timeout=20)
        refused = await api.post(
            f"/api/v1/deliveries/{ids[detained]}/refusal",
            json={"reason": "refused to sign"},
            headers=as_user(),
        )
        assert refused.status_code == 200 and refused.json()["status"] == "refused"
    finally:
        await _terminate(temporal, list(ids.values()))


def _delivery_id(settings: Settings, document: str, party: str) -> str:
    return deliver_document_workflow_id(
        settings.task_queue, document_delivery_request_id(document, party)
    )


async def _issued(temporal: Client, database: Database, document: str) -> IssueDocumentResult:
    """The result of the process that issued the document."""
    with database.sessions() as session:
        workflow_id = session.scalars(
            select(Document.workflow_id).where(Document.code == document)
        ).one()
    return await temporal.get_workflow_handle_for(IssueDocumentWorkflow.run, workflow_id).result()


async def _listed(api: httpx.AsyncClient, headers: dict, document: str) -> list[str]:
    found = await api.get(f"/api/v1/documents/{document}/deliveries", headers=headers)
    return [d["workflow_id"] for d in found.json()]


async def test_issuing_starts_the_delivery_and_the_endpoint_returns_the_same_one(
    api, as_user, temporal: Client, settings: Settings, database: Database
) -> None:
    """DESIGN "Issue a document: ... → one delivery per recipient": no POST needed; a POST
    afterwards finds that delivery instead of starting a second one."""
    _, party, document = await _summons(api, as_user())
    expected = _delivery_id(settings, document, party)
    try:
        assert (await _issued(temporal, database, document)).deliveries == [expected]

        async def listed() -> list[str]:
            return await _listed(api, as_user(), document)

        assert await assert_eventually(listed, timeout=30) == [expected]
        posted = await api.post(
            f"/api/v1/documents/{document}/deliveries", json={}, headers=as_user()
        )
        assert posted.status_code == 201, posted.text
        assert posted.json() == [{"party_code": party, "workflow_id": expected}]
        assert await _listed(api, as_user(), document) == [expected]  # still one
    finally:
        await _terminate(temporal, [expected])


async def test_delivery_an_officer_started_before_confirmation_is_the_one_issuing_keeps(
    api,
    as_user,
    temporal: Client,
    settings: Settings,
    database: Database,
    signing: SigningRuntime,
) -> None:
    """A statement record goes out only once countersigned; an officer who delivered it
    earlier by hand already holds its recipient's delivery: issuing starts no second one."""
    case = await _case(api, as_user())
    party = await _party(api, as_user(), case)
    issued = await _issue(api, as_user(), case, DocType.STATEMENT_RECORD, recipients=[party])
    assert issued.status_code == 201, issued.text
    document = issued.json()["code"]
    assert issued.json()["status"] == "awaiting_confirmation"
    expected = _delivery_id(settings, document, party)
    try:
        by_hand = await api.post(
            f"/api/v1/documents/{document}/deliveries",
            json={"party_codes": [party]},
            headers=as_user(),
        )
        assert by_hand.status_code == 201, by_hand.text
        assert [d["workflow_id"] for d in by_hand.json()] == [expected]
        accepted = await api.post(
            f"/api/v1/documents/{document}/countersignature?party_code={party}",
            content=await _countersigned(api, as_user(), signing, document),
            headers={**as_user(), "Content-Type": "application/pdf"},
        )
        assert accepted.status_code == 200, accepted.text
        result = await _issued(temporal, database, document)
        assert (result.status, result.deliveries) == ("filed", [expected])

        async def listed() -> list[str]:
            return await _listed(api, as_user(), document)

        assert await assert_eventually(listed, timeout=30) == [expected]
    finally:
        await _terminate(temporal, [expected])


async def test_issued_with_deliver_false_waits_for_the_officer(
    api, as_user, temporal: Client, settings: Settings, database: Database
) -> None:
    """Delivered by hand: nothing starts after issuing; the endpoint starts it when asked."""
    case = await _case(api, as_user())
    party = await _party(api, as_user(), case)
    issued = await _issue(api, as_user(), case, DocType.SUMMONS, recipients=[party], deliver=False)
    assert issued.status_code == 201, issued.text
    document = issued.json()["code"]
    expected = _delivery_id(settings, document, party)
    result = await _issued(temporal, database, document)
    assert (result.recipients, result.deliveries) == ([party], [])
    with pytest.raises(RPCError) as missing:
        await temporal.get_workflow_handle(expected).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND
    try:
        started = await api.post(
            f"/api/v1/documents/{document}/deliveries", json={}, headers=as_user()
        )
        assert started.status_code == 201, started.text
        assert [d["workflow_id"] for d in started.json()] == [expected]
    finally:
        await _terminate(temporal, [expected])
