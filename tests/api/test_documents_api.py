"""Issuing documents through the API, a real worker and the demo PKI: signed, numbered,
stamped, filed, validated; refusals and bad fields; the participant's countersignature."""

import httpx
import pytest
from sqlalchemy import func, select

from casefile.blobstore import FileBlobStore
from casefile.doctypes import DocType
from casefile.filecodes import ExtensionKind, parse_extended_code
from casefile.models import AuditEvent, Document
from casefile.signing.pades import countersign_document
from casefile.signing.pki import PKCS12_PASSPHRASE
from casefile.signing.runtime import SigningRuntime
from casefile.signing.signers import SoftwareSigner
from tests.casefile.test_rendering import SAMPLES
from tests.conftest import Database
from tests.helpers import assert_eventually

VICTIM = {
    "role": "victim",
    "full_name": "Nguyễn Thị Hường",
    "birth_year": 1985,
    "residence": "phường Phú Hội, thành phố Huế",
    "national_id": "046185004321",
}


async def _case(api: httpx.AsyncClient, headers: dict) -> str:
    response = await api.post(
        "/api/v1/cases",
        json={"agency_code": "CSDTHN", "title": "Vụ trộm cắp tài sản", "offence": "Điều 173"},
        headers=headers,
    )
    return response.json()["code"]


async def _party(api: httpx.AsyncClient, headers: dict, code: str) -> str:
    response = await api.post(f"/api/v1/cases/{code}/parties", json=VICTIM, headers=headers)
    return response.json()["code"]


async def _issue(api, headers, code, doc_type: DocType, **extra) -> httpx.Response:
    body = {"doc_type": doc_type.value, "fields": SAMPLES[doc_type], **extra}
    return await api.post(f"/api/v1/cases/{code}/documents", json=body, headers=headers)


async def _countersigned(
    api: httpx.AsyncClient, headers: dict, signing: SigningRuntime, document: str
) -> bytes:
    """The filed PDF countersigned by the demo participant in its reserved field."""
    filed = await api.get(f"/api/v1/documents/{document}/pdf", headers=headers)
    participant = SoftwareSigner.from_pkcs12(
        signing.pki.pkcs12_path("participant-1"), passphrase=PKCS12_PASSPHRASE
    )
    return await countersign_document(
        filed.content, participant, signing.env, field_name="ChuKyDuongSu"
    )


async def test_issue_summons_is_signed_numbered_stamped_and_filed(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    victim = await _party(api, as_user(), code)
    # delivered by hand: the inventory below holds the summons alone, no paper copy of a
    # delivery (the deliveries started after issuing: tests/api/test_deliveries_api.py)
    response = await _issue(
        api, as_user(), code, DocType.SUMMONS, recipients=[victim], deliver=False
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert parse_extended_code(document["code"], ExtensionKind.DOCUMENT).number == 1
    assert document["procedural_number"].startswith("1/")
    assert (document["first_record"], document["status"]) == (1, "filed")
    assert [s["kind"] for s in document["signatures"]] == ["official", "register_stamp"]

    async def recipients() -> list[str]:
        detail = await api.get(f"/api/v1/documents/{document['code']}", headers=as_user())
        return [r["party_code"] for r in detail.json()["recipients"]]

    assert await assert_eventually(recipients) == [victim]

    pdf = await api.get(f"/api/v1/documents/{document['code']}/pdf", headers=as_user())
    assert pdf.headers["content-type"] == "application/pdf"
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == document["sha256"]

    validation = await api.get(
        f"/api/v1/documents/{document['code']}/validation", headers=as_user()
    )
    body = validation.json()
    assert body["verdict"] == "valid", body
    assert body["inventory_match"] is True
    fields = {s["field_name"]: s for s in body["signatures"]}
    assert fields["ChuKyBanHanh"]["signer_name"] == "Nguyễn Văn An"
    report = await api.get(
        f"/api/v1/documents/{document['code']}/validation?format=text", headers=as_user()
    )
    assert "HỢP LỆ" in report.text
    xml = await api.get(
        f"/api/v1/documents/{document['code']}/validation?format=xml", headers=as_user()
    )
    assert xml.headers["content-type"].startswith("application/xml")

    inventory = (await api.get(f"/api/v1/cases/{code}/inventory", headers=as_user())).json()
    assert [d["sha256"] for d in inventory["documents"]] == [document["sha256"]]
    with database.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_code == document["code"])
        ).all()
    assert actions[0] == "document.issued"
    assert {
        "document.recipients_recorded",
        "document.downloaded",
        "document.validated",
        "document.read",
    } <= set(actions)


async def test_issue_by_person_without_authority_is_403_and_logged(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    response = await _issue(api, as_user(), code, DocType.INVESTIGATION_CONCLUSION)
    assert response.status_code == 403
    assert "roles that issue investigation_conclusion" in response.json()["error"]["message"]
    with database.sessions() as session:
        refused = session.scalar(
            select(func.count()).where(AuditEvent.action == "document.issue_refused")
        )
        assert refused == 1
        assert session.scalar(select(func.count()).select_from(Document)) == 0


async def test_issue_missing_field_is_422_naming_it(api, as_user) -> None:
    code = await _case(api, as_user())
    fields = {k: v for k, v in SAMPLES[DocType.SUMMONS].items() if k != "appear_place"}
    response = await api.post(
        f"/api/v1/cases/{code}/documents",
        json={"doc_type": "summons", "fields": fields},
        headers=as_user(),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "fields.appear_place"


async def test_issue_with_revoked_certificate_fails_and_files_nothing(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    response = await _issue(api, as_user("dtv.dung"), code, DocType.SUMMONS)
    assert response.status_code >= 400
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


async def test_statement_record_awaits_and_takes_participant_countersignature(
    api, as_user, signing: SigningRuntime, blobs: FileBlobStore
) -> None:
    code = await _case(api, as_user())
    victim = await _party(api, as_user(), code)
    response = await _issue(api, as_user(), code, DocType.STATEMENT_RECORD)
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["status"] == "awaiting_confirmation"
    countersigned = await _countersigned(api, as_user(), signing, document["code"])
    accepted = await api.post(
        f"/api/v1/documents/{document['code']}/countersignature?party_code={victim}",
        content=countersigned,
        headers={**as_user(), "Content-Type": "application/pdf"},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["form"] == "public_certificate"
    after = (await api.get(f"/api/v1/documents/{document['code']}", headers=as_user())).json()
    assert after["status"] == "filed"
    assert [s["kind"] for s in after["signatures"]][-1] == "countersignature"
    validation = await api.get(
        f"/api/v1/documents/{document['code']}/validation", headers=as_user()
    )
    assert validation.json()["verdict"] == "valid"

    again = await api.post(
        f"/api/v1/documents/{document['code']}/countersignature?party_code={victim}",
        content=countersigned,
        headers={**as_user(), "Content-Type": "application/pdf"},
    )
    assert again.status_code == 409


@pytest.mark.parametrize("tamper", ["flip", "append"])
async def test_countersignature_that_is_not_valid_is_refused(
    api, as_user, signing: SigningRuntime, tamper: str
) -> None:
    code = await _case(api, as_user())
    victim = await _party(api, as_user(), code)
    document = (await _issue(api, as_user(), code, DocType.STATEMENT_RECORD)).json()
    filed = await api.get(f"/api/v1/documents/{document['code']}/pdf", headers=as_user())
    participant = SoftwareSigner.from_pkcs12(
        signing.pki.pkcs12_path("participant-1"), passphrase=PKCS12_PASSPHRASE
    )
    countersigned = bytearray(
        await countersign_document(
            filed.content, participant, signing.env, field_name="ChuKyDuongSu"
        )
    )
    if tamper == "flip":
        countersigned[len(filed.content) + 40] ^= 0x01
    else:
        countersigned = bytearray(filed.content + b"\n% not a signature\n")
    refused = await api.post(
        f"/api/v1/documents/{document['code']}/countersignature?party_code={victim}",
        content=bytes(countersigned),
        headers={**as_user(), "Content-Type": "application/pdf"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "pdf"
