"""Participants and counsel read and copy documents of the file through their account (Joint
Circular art. 15(2)): a summons issued and delivered through the real processes, the copy's
watermark, the log and the counts; shares, counsel links and the 404 for everything else."""

import hashlib
import uuid

import httpx
from temporalio.client import Client

from casefile.blobstore import FileBlobStore
from casefile.codes import Role, SecrecyLevel
from casefile.db import transaction
from casefile.doctypes import DocType
from casefile.models import User
from casefile.repositories.users import token_digest
from casefile.signing.pades import format_vn_time
from casefile.signing.runtime import SigningRuntime
from casefile.signing.validation import Verdict, validate_pdf
from tests import factories
from tests.api.test_deliveries_api import _terminate
from tests.api.test_documents_api import _case, _issue
from tests.casefile.test_read_as_participant import _chain_intact, _events, _pdftotext
from tests.conftest import Database
from tests.helpers import assert_eventually

BICH_ID, BICH_ACCOUNT = "079085000002", "TK079085000002"
"""The demo participant ds.bich: a person of the simulator's population database."""
COUNSEL_ID = "001080000010"
"""The demo defence counsel ls.hai."""


def _stranger(database: Database) -> dict[str, str]:
    """A participant's account of some other case (plain database set-up)."""
    token = uuid.uuid4().hex
    with transaction(database.sessions) as session:
        session.add(
            User(
                username="ds.giang",
                full_name="Vũ Thị Giang",
                agency_id=factories.user(session, "dtv.an").agency_id,
                roles=[Role.PARTICIPANT.value],
                clearance=SecrecyLevel.UNCLASSIFIED,
                national_id="036099000006",
                token_sha256=token_digest(token),
            )
        )
    return {"Authorization": f"Bearer {token}"}


async def _delivered_summons(stack, as_user) -> tuple[str, str, str, str]:
    """A summons to ds.bich, issued, signed and delivered electronically."""
    api, platforms, simulator = stack.hoso, stack.platforms, stack.simulator
    await platforms.put(f"/control/accounts/{BICH_ACCOUNT}", json={"delivered_after_seconds": 0})
    case = await _case(api, as_user())
    added = await api.post(
        f"/api/v1/cases/{case}/parties",
        json={"role": "accused", "national_id": BICH_ID},
        headers=as_user(),
    )
    assert added.status_code == 201, added.text
    party = added.json()["code"]
    issued = await _issue(api, as_user(), case, DocType.SUMMONS, recipients=[party])
    assert issued.status_code == 201, issued.text
    document = issued.json()["code"]

    async def recorded() -> bool:
        detail = await api.get(f"/api/v1/documents/{document}", headers=as_user())
        return [r["party_code"] for r in detail.json()["recipients"]] == [party]

    await assert_eventually(recorded, timeout=20)
    before = await api.get(f"/api/v1/participant/documents/{document}", headers=as_user("ds.bich"))
    assert before.status_code == 404, before.text  # not delivered yet: invisible
    started = await api.post(
        f"/api/v1/documents/{document}/deliveries", json={"party_codes": [party]}, headers=as_user()
    )
    assert started.status_code == 201, started.text
    workflow_id = started.json()[0]["workflow_id"]

    async def delivered() -> bool:
        await simulator.state.simulator.pump_webhooks()
        found = (
            await api.get(f"/api/v1/documents/{document}/deliveries", headers=as_user())
        ).json()
        statuses = [d["progress"]["status"] for d in found if d["progress"]]
        return statuses == ["delivered_electronic"]

    await assert_eventually(delivered, timeout=30)
    return case, party, document, workflow_id


async def test_delivered_document_is_read_viewed_copied_and_downloaded_with_log_and_counts(
    stack, as_user, database: Database, temporal: Client, signing: SigningRuntime, blobs
) -> None:
    api = stack.hoso
    case, party, document, workflow_id = await _delivered_summons(stack, as_user)
    try:
        me = as_user("ds.bich")
        cases = (await api.get("/api/v1/participant/cases", headers=me)).json()
        (mine,) = [c for c in cases if c["code"] == case]
        assert [s["party_code"] for s in mine["standings"]] == [party]
        assert [d["code"] for d in mine["documents"]] == [document]

        original = (await api.get(f"/api/v1/documents/{document}/pdf", headers=as_user())).content
        stored_sha = hashlib.sha256(original).hexdigest()
        view = await api.get(f"/api/v1/participant/documents/{document}/content", headers=me)
        assert view.status_code == 200 and view.content == original
        assert view.headers["content-disposition"].startswith("inline")
        download = await api.get(f"/api/v1/participant/documents/{document}/download", headers=me)
        assert download.content == original
        assert download.headers["content-disposition"].startswith("attachment")
        copy = await api.get(f"/api/v1/participant/documents/{document}/copy", headers=me)
        assert copy.status_code == 200, copy.text
        assert copy.headers["content-type"] == "application/pdf"

        # the copy: the signed original as its first revision, the watermark on every page
        assert copy.content.startswith(original) and len(copy.content) > len(original)
        (copied,) = _events(database, "document.participant_copied", document)
        text = _pdftotext(copy.content)
        page_count = (
            await api.get(f"/api/v1/participant/documents/{document}", headers=me)
        ).json()["page_count"]
        stamp = f"BẢN SAO do Trần Thị Bích (bị can) sao lúc {format_vn_time(copied.occurred_at)}"
        assert text.count(stamp) == page_count, text
        assert stored_sha in text
        assert hashlib.sha256(copy.content).hexdigest() in copied.details
        first_revision = await validate_pdf(copy.content[: len(original)], signing.policy)
        assert first_revision.verdict is Verdict.VALID, first_revision.to_dict()
        as_copy = await validate_pdf(copy.content, signing.policy)
        assert as_copy.verdict is not Verdict.VALID  # a copy never passes for the original
        assert all(s.intact for s in as_copy.signatures)

        # the stored original is untouched and still validates
        assert hashlib.sha256(blobs.get(stored_sha)).hexdigest() == stored_sha
        validation = await api.get(f"/api/v1/documents/{document}/validation", headers=as_user())
        assert validation.json()["verdict"] == "valid", validation.json()

        detail = (await api.get(f"/api/v1/participant/documents/{document}", headers=me)).json()
        assert detail["my_access"] == {"views": 1, "copies": 1, "downloads": 1}
        assert detail["through"]["capacity"] == "party"
        await api.get(f"/api/v1/participant/documents/{document}/content", headers=me)
        detail = (await api.get(f"/api/v1/participant/documents/{document}", headers=me)).json()
        assert detail["my_access"]["views"] == 2

        for action, expected in (
            ("document.participant_viewed", 2),
            ("document.participant_downloaded", 1),
            ("document.participant_copied", 1),
            ("document.participant_read", 3),
        ):
            events = _events(database, action, document)
            assert len(events) == expected, action
            assert {e.actor for e in events} == {"ds.bich"}

        # counsel sees nothing until an officer links them, then what the party sees
        counsel = as_user("ls.hai")
        refused = await api.get(f"/api/v1/participant/documents/{document}", headers=counsel)
        assert refused.status_code == 404
        linked = await api.post(
            f"/api/v1/cases/{case}/parties/{party}/counsel",
            json={"national_id": COUNSEL_ID, "capacity": "defence_counsel"},
            headers=as_user(),
        )
        assert linked.status_code == 201, linked.text
        assert (linked.json()["counsel_username"], linked.json()["linked_by"]) == (
            "ls.hai",
            "dtv.an",
        )
        theirs = (await api.get("/api/v1/participant/cases", headers=counsel)).json()
        assert [d["code"] for c in theirs for d in c["documents"]] == [document]
        counsel_copy = await api.get(
            f"/api/v1/participant/documents/{document}/copy", headers=counsel
        )
        assert "BẢN SAO do Ngô Thanh Hải (người bào chữa của bị can Trần Thị Bích)" in _pdftotext(
            counsel_copy.content
        )

        # another case's participant: refused like a document that does not exist
        stranger = _stranger(database)
        other = await api.get(f"/api/v1/participant/documents/{document}", headers=stranger)
        assert other.status_code == 404
        assert other.json()["error"] == {
            "code": "not_found",
            "message": f"no document {document}",
            "field": "code",
        }
        other_case = await api.get(f"/api/v1/participant/cases/{case}", headers=stranger)
        assert other_case.status_code == 404

        summary = await api.get(f"/api/v1/cases/{case}/participant-access", headers=as_user())
        assert summary.status_code == 200, summary.text
        rows = {
            (r["object_code"], r["username"], r["kind"]): r["count"]
            for r in summary.json()["counts"]
        }
        assert rows == {
            (document, "ds.bich", "view"): 2,
            (document, "ds.bich", "copy"): 1,
            (document, "ds.bich", "download"): 1,
            (document, "ls.hai", "copy"): 1,
        }
        refusals = {
            (r["object_code"], r["username"]): r["count"] for r in summary.json()["refused"]
        }
        assert refusals == {
            (document, "ds.bich"): 1,  # before delivery
            (document, "ls.hai"): 1,
            (document, "ds.giang"): 1,
            (case, "ds.giang"): 1,
        }
        other_agency = await api.get(
            f"/api/v1/cases/{case}/participant-access", headers=as_user("kiemsat.binh")
        )
        assert other_agency.status_code == 404
        _chain_intact(database)
    finally:
        await _terminate(temporal, [workflow_id])


async def test_shared_document_is_visible_until_unshared_and_bad_input_is_named(
    api: httpx.AsyncClient, as_user, database: Database, blobs: FileBlobStore
) -> None:
    with transaction(database.sessions) as session:
        case = factories.create_case(session)
        party = factories.add_party(session, case, full_name="Trần Thị Bích")
        party.national_id = BICH_ID
        document = factories.add_document(session, case, blobs)
        case_code, party_code, code = case.code, party.code, document.code
    me = as_user("ds.bich")
    assert (await api.get(f"/api/v1/participant/documents/{code}", headers=me)).status_code == 404

    shared = await api.post(
        f"/api/v1/documents/{code}/shares", json={"party_code": party_code}, headers=as_user()
    )
    assert shared.status_code == 201, shared.text
    assert (shared.json()["shared_by"], shared.json()["active"]) == ("dtv.an", True)
    seen = await api.get(f"/api/v1/participant/documents/{code}", headers=me)
    assert seen.status_code == 200 and seen.json()["title"] == "Đơn trình báo"
    listed = (await api.get(f"/api/v1/participant/cases/{case_code}", headers=me)).json()
    assert [d["code"] for d in listed["documents"]] == [code]

    by_prosecutor = await api.post(
        f"/api/v1/documents/{code}/shares",
        json={"party_code": party_code},
        headers=as_user("kiemsat.binh"),
    )
    assert by_prosecutor.status_code == 404
    by_participant = await api.delete(f"/api/v1/documents/{code}/shares/{party_code}", headers=me)
    assert by_participant.status_code == 404

    unshared = await api.delete(f"/api/v1/documents/{code}/shares/{party_code}", headers=as_user())
    assert unshared.status_code == 200 and unshared.json()["active"] is False
    assert (await api.get(f"/api/v1/participant/documents/{code}", headers=me)).status_code == 404
    again = await api.delete(f"/api/v1/documents/{code}/shares/{party_code}", headers=as_user())
    assert again.status_code == 404 and again.json()["error"]["field"] == "party_code"
    history = (await api.get(f"/api/v1/documents/{code}/shares", headers=as_user())).json()
    assert [(h["active"], h["unshared_by"]) for h in history] == [(False, "dtv.an")]

    bad_party = await api.post(
        f"/api/v1/documents/{code}/shares",
        json={"party_code": party_code[:-2] + "00"},
        headers=as_user(),
    )
    assert bad_party.status_code == 422 and bad_party.json()["error"]["field"] == "party_code"
    bad_id = await api.post(
        f"/api/v1/cases/{case_code}/parties/{party_code}/counsel",
        json={"national_id": "12345"},
        headers=as_user(),
    )
    assert bad_id.status_code == 422 and bad_id.json()["error"]["field"] == "national_id"
    nobody = await api.post(
        f"/api/v1/cases/{case_code}/parties/{party_code}/counsel",
        json={"national_id": "001999999999"},
        headers=as_user(),
    )
    assert nobody.status_code == 404 and nobody.json()["error"]["field"] == "national_id"
    mistyped = await api.get(f"/api/v1/participant/documents/{code[:-2]}00", headers=me)
    assert mistyped.status_code == 422 and mistyped.json()["error"]["field"] == "code"
    officer = await api.get(f"/api/v1/participant/documents/{code}", headers=as_user())
    assert officer.status_code == 403

    assert len(_events(database, "document.shared", code)) == 1
    assert len(_events(database, "document.unshared", code)) == 1
    assert len(_events(database, "document.participant_refused", code)) == 2
    _chain_intact(database)
