"""A participant confirms by OTP, on-screen signature image or fingerprint record; each is
bound to the exact PDF shown, sealed, and a changed record fails validation."""

import base64
import hashlib
import re
import struct
import zlib

from sqlalchemy import select, text

from casefile.doctypes import DocType
from casefile.models import OutboxMessage
from tests.api.test_documents_api import VICTIM, _case, _issue
from tests.conftest import Database

TECHNICAL = {"device": "Máy tính bảng phòng hỏi cung số 2", "user_agent": "hoso-test/1.0"}


async def _awaiting(api, as_user) -> tuple[dict, str]:
    code = await _case(api, as_user())
    party = await api.post(
        f"/api/v1/cases/{code}/parties",
        json={**VICTIM, "e_account": "vneid:046185004321"},
        headers=as_user(),
    )
    document = (await _issue(api, as_user(), code, DocType.STATEMENT_RECORD)).json()
    assert document["status"] == "awaiting_confirmation"
    return document, party.json()["code"]


def _otp_sent(database: Database, document_code: str) -> str:
    with database.sessions() as session:
        body = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.related_code == document_code)
            .order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r": (\d{6})\.", body).group(1)


def _png(width: int = 40, height: int = 20) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def test_otp_confirmation_wrong_code_costs_an_attempt_right_code_files(
    api, as_user, database: Database
) -> None:
    document, party = await _awaiting(api, as_user)
    challenge = await api.post(
        f"/api/v1/documents/{document['code']}/confirmation-challenges",
        json={"party_code": party, "channel": "vneid"},
        headers=as_user(),
    )
    assert challenge.status_code == 201, challenge.text
    challenge_id = challenge.json()["challenge_id"]
    assert challenge.json()["attempts_left"] == 5
    code = _otp_sent(database, document["code"])
    with database.sessions() as session:
        stored = session.execute(text("SELECT data FROM otp_challenges")).scalar_one()
    assert code not in stored

    submit = {
        "party_code": party,
        "form": "otp",
        "shown_pdf_sha256": document["sha256"],
        **TECHNICAL,
    }
    wrong = "000000" if code != "000000" else "111111"
    refused = await api.post(
        f"/api/v1/documents/{document['code']}/confirmations",
        json={**submit, "otp": {"challenge_id": challenge_id, "code": wrong}},
        headers=as_user(),
    )
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "code"
    with database.sessions() as session:
        stored = session.execute(text("SELECT data FROM otp_challenges")).scalar_one()
    assert '"attempts_left":4' in stored

    accepted = await api.post(
        f"/api/v1/documents/{document['code']}/confirmations",
        json={**submit, "otp": {"challenge_id": challenge_id, "code": code}},
        headers=as_user(),
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {
        "party_code": party,
        "form": "otp",
        "document_sha256": document["sha256"],
    }
    detail = (await api.get(f"/api/v1/documents/{document['code']}", headers=as_user())).json()
    assert detail["status"] == "filed"
    assert [c["form"] for c in detail["confirmations"]] == ["otp"]
    validation = (
        await api.get(f"/api/v1/documents/{document['code']}/validation", headers=as_user())
    ).json()
    assert validation["verdict"] == "valid"
    assert [c["verdict"] for c in validation["confirmations"]] == ["valid"]


async def test_signature_image_confirmation_then_changed_record_fails_validation(
    api, as_user, database: Database
) -> None:
    document, party = await _awaiting(api, as_user)
    png = _png()
    accepted = await api.post(
        f"/api/v1/documents/{document['code']}/confirmations",
        json={
            "party_code": party,
            "form": "signature_image",
            "shown_pdf_sha256": document["sha256"],
            **TECHNICAL,
            "signature_image_png": base64.b64encode(png).decode(),
        },
        headers=as_user(),
    )
    assert accepted.status_code == 200, accepted.text
    with database.engine.begin() as connection:
        record = connection.execute(text("SELECT record FROM document_confirmations")).scalar_one()
        assert hashlib.sha256(png).hexdigest() in record
        changed = record.replace("Máy tính bảng", "Điện thoại")
        connection.execute(text("UPDATE document_confirmations SET record = :r"), {"r": changed})
    validation = (
        await api.get(f"/api/v1/documents/{document['code']}/validation", headers=as_user())
    ).json()
    assert validation["verdict"] == "invalid"
    assert validation["confirmations"][0]["reason"] == "record_changed"
    report = await api.get(
        f"/api/v1/documents/{document['code']}/validation?format=text", headers=as_user()
    )
    assert "KHÔNG HỢP LỆ (record_changed)" in report.text


async def test_fingerprint_below_threshold_is_422_naming_the_field(api, as_user) -> None:
    document, party = await _awaiting(api, as_user)
    response = await api.post(
        f"/api/v1/documents/{document['code']}/confirmations",
        json={
            "party_code": party,
            "form": "fingerprint",
            "shown_pdf_sha256": document["sha256"],
            **TECHNICAL,
            "fingerprint": {
                "device_model": "SecuGen Hamster Pro 20",
                "device_serial": "H58220100123",
                "finger": "right_index",
                "template_sha256": "ab" * 32,
                "match_score": 0.41,
                "threshold": 0.8,
            },
        },
        headers=as_user(),
    )
    assert response.status_code == 422
    assert "evidence" in response.json()["error"]["field"]


async def test_confirmation_of_other_bytes_than_filed_is_409(api, as_user) -> None:
    document, party = await _awaiting(api, as_user)
    response = await api.post(
        f"/api/v1/documents/{document['code']}/confirmations",
        json={
            "party_code": party,
            "form": "signature_image",
            "shown_pdf_sha256": "0" * 64,
            **TECHNICAL,
            "signature_image_png": base64.b64encode(_png()).decode(),
        },
        headers=as_user(),
    )
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "shown_pdf_sha256"
