"""A case file handed between two agencies' installations (Joint Circular art. 9(1)-(3),
15(1), 18(2)): inventory and handover record, only missing bytes sent, the receiver's
legality check, a person's acceptance or return with reasons, and the sender's read-only
copy."""

import pytest
from sqlalchemy import func, select

from casefile.audit import verify_chain
from casefile.codes import Stage
from casefile.models import AuditEvent, Case, Document, StatusOutboxEntry, Transfer
from casefile.signing.runtime import SigningRuntime
from tests.helpers import assert_eventually
from tests.transfers.conftest import Installation, Linked, case_in_stage

ITEMS = [
    {
        "description": "Xe máy Honda Wave biển số 29X1-123.45",
        "quantity": 1,
        "seal_status": "niêm phong nguyên vẹn, số niêm phong 015",
        "delivery_method": "giao trực tiếp tại kho vật chứng",
    }
]


async def _start(sender: Installation, case: str, username: str, kind: str, to: str) -> str:
    started = await sender.api.post(
        f"/api/v1/cases/{case}/transfers",
        json={"kind": kind, "to_agency_code": to, "physical_items": ITEMS},
        headers={**sender.headers(username), "Idempotency-Key": f"{case}-{kind}"},
    )
    assert started.status_code == 201, started.text
    return started.json()["transfer_id"]


async def _side(installation: Installation, username: str, transfer_id: str, state: str) -> dict:
    async def reached() -> dict | None:
        found = await installation.api.get(
            f"/api/v1/transfers/{transfer_id}", headers=installation.headers(username)
        )
        if found.status_code != 200:
            return None
        rows = [row for row in found.json() if row["state"] == state]
        return rows[0] if rows else None

    return await assert_eventually(reached, timeout=60)


async def test_investigation_conclusion_goes_to_the_procuracy_and_is_accepted(
    database_kind: str,
    linked: Linked,
) -> None:
    async with linked(kind=database_kind) as ((police, procuracy), tampers):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=3)
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")

        incoming = await _side(procuracy, "kiemsat.binh", transfer_id, "checked")
        report = incoming["check_report"]
        assert report["passed"], report
        readable = await procuracy.api.get(
            f"/api/v1/transfers/{transfer_id}/report", headers=procuracy.headers("kiemsat.binh")
        )
        assert "KẾT LUẬN: ĐẠT" in readable.text and "niêm phong nguyên vẹn" in readable.text
        elsewhere = await police.api.get(
            f"/api/v1/transfers/{transfer_id}/report", headers=police.headers("dtv.an")
        )
        assert elsewhere.status_code == 404  # the receiver's report, not the sender's
        assert report["documents_checked"] == 4  # three documents and the handover record
        assert report["signatures_checked"] >= 1  # the handover record's signature
        assert incoming["receipt"]["payload"]["inventory_sha256"] == incoming["inventory_sha256"]
        assert incoming["physical_items"][0]["seal_status"].startswith("niêm phong")
        assert sorted(tampers[("CSDTHN", "VKSHN")].uploads) == sorted(
            d["sha256"] for d in _inventory_documents(police, transfer_id)
        )
        outgoing = await _side(police, "dtv.an", transfer_id, "sent")
        assert outgoing["receipt"] == incoming["receipt"]  # the signed electronic receipt

        decided = await procuracy.api.post(
            f"/api/v1/transfers/{transfer_id}/decision",
            json={"decision": "accept"},
            headers=procuracy.headers("kiemsat.binh"),
        )
        assert decided.status_code == 200, decided.text
        accepted = await _side(police, "dtv.an", transfer_id, "accepted")
        assert "Trần Thị Bình" in accepted["decided_by"]

        with procuracy.session() as session:
            taken = session.scalars(select(Case).where(Case.code == case)).one()
            assert (taken.owner_agency.code, taken.stage) == ("VKSHN", Stage.PROSECUTION)
            codes = session.scalars(select(Document.code).where(Document.case_id == taken.id)).all()
            assert len(codes) == 4
        with police.session() as session:
            kept = session.scalars(select(Case).where(Case.code == case)).one()
            assert (kept.owner_agency.code, kept.stage) == ("VKSHN", Stage.PROSECUTION)
        # the sender keeps reading its copy, and can no longer change it
        read = await police.api.get(f"/api/v1/cases/{case}", headers=police.headers("dtv.an"))
        assert read.status_code == 200
        edit = await police.api.post(
            f"/api/v1/cases/{case}/parties",
            json={"role": "witness", "full_name": "Lê Văn Tám", "birth_year": 1980},
            headers=police.headers("dtv.an"),
        )
        assert edit.status_code == 403, edit.text
        # the prosecutor now works on the file in the procuracy's own installation
        there = await procuracy.api.get(
            f"/api/v1/cases/{case}", headers=procuracy.headers("kiemsat.binh")
        )
        assert there.status_code == 200 and there.json()["stage"] == "prosecution"
        for side in (police, procuracy):
            with side.session() as session:
                assert verify_chain(session)[1] is None
                statuses = session.scalar(
                    select(func.count()).where(StatusOutboxEntry.kind == "transfer")
                )
                assert statuses >= 1


def _inventory_documents(installation: Installation, transfer_id: str) -> list[dict]:
    from casefile.usecases.transfer_case_file import OUTGOING, get_transfer

    with installation.session() as session:
        return get_transfer(session, transfer_id, OUTGOING).inventory["documents"]


async def _decide(receiver: Installation, username: str, transfer_id: str, **body) -> dict:
    response = await receiver.api.post(
        f"/api/v1/transfers/{transfer_id}/decision", json=body, headers=receiver.headers(username)
    )
    answer = response.json()
    if response.status_code >= 400:
        return {"status": response.status_code, **answer["error"]}
    return {"status": response.status_code, **answer}


async def test_a_returned_file_stays_with_the_sender_with_the_reasons(
    database_kind: str,
    linked: Linked,
) -> None:
    async with linked(kind=database_kind) as ((police, procuracy), _):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an")
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")
        await _side(procuracy, "kiemsat.binh", transfer_id, "checked")
        no_reasons = await _decide(procuracy, "kiemsat.binh", transfer_id, decision="return")
        assert no_reasons["status"] == 409 and "reasons" in no_reasons["message"]
        not_authority = await _decide(procuracy, "admin", transfer_id, decision="accept")
        assert not_authority["status"] in (403, 404)
        reasons = "Thiếu biên bản lấy lời khai người làm chứng Lê Văn Tám"
        returned = await _decide(
            procuracy, "kiemsat.binh", transfer_id, decision="return", reasons=reasons
        )
        assert returned["status"] == 200 and returned["state"] == "returned"
        seen = await _side(police, "dtv.an", transfer_id, "returned")
        assert seen["reasons"] == reasons
        assert seen["decision"]["payload"]["decision"] == "returned"
        with police.session() as session:
            kept = session.scalars(select(Case).where(Case.code == case)).one()
            assert (kept.owner_agency.code, kept.stage) == ("CSDTHN", Stage.INVESTIGATION)
        with procuracy.session() as session:
            assert session.scalars(select(Case).where(Case.code == case)).first() is None
        again = await _decide(procuracy, "kiemsat.binh", transfer_id, decision="accept")
        assert again["status"] == 409


async def test_a_document_changed_in_transit_is_named_and_cannot_be_accepted(
    linked: Linked,
) -> None:
    async with linked() as ((police, procuracy), tampers):
        link = tampers[("CSDTHN", "VKSHN")]
        link.change_upload = lambda attempt: attempt == 1
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=3)
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")
        report = (await _side(procuracy, "kiemsat.binh", transfer_id, "checked"))["check_report"]
        assert not report["passed"]
        changed_sha = link.uploads[1]
        changed = [
            d["code"]
            for d in _inventory_documents(police, transfer_id)
            if d["sha256"] == changed_sha
        ]
        assert [(f["check"], f["document_code"]) for f in report["findings"]] == [
            ("hash", changed[0])
        ]
        readable = await procuracy.api.get(
            f"/api/v1/transfers/{transfer_id}/report", headers=procuracy.headers("kiemsat.binh")
        )
        assert readable.status_code == 200
        assert "KẾT LUẬN: KHÔNG ĐẠT — 1 vấn đề" in readable.text
        assert f"Tài liệu bị thay đổi (mã băm SHA-256 không khớp bảng kê) [{changed[0]}]" in (
            readable.text
        )
        refused = await _decide(procuracy, "kiemsat.binh", transfer_id, decision="accept")
        assert refused["status"] == 409 and changed[0] in refused["message"]
        returned = await _decide(
            procuracy,
            "kiemsat.binh",
            transfer_id,
            decision="return",
            reasons=f"Tài liệu {changed[0]} bị thay đổi khi chuyển",
        )
        assert returned["state"] == "returned"


async def test_a_gap_in_the_record_numbers_is_found(
    linked: Linked,
) -> None:
    from casefile.db import transaction
    from casefile.numbering import case_scope, next_numbers

    async with linked() as ((police, procuracy), _):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=2)
        with transaction(police.database.sessions) as session:
            case_id = session.scalars(select(Case.id).where(Case.code == case)).one()
            next_numbers(session, case_scope(case_id, "record"), 2)  # pages 3-4 never filed
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")
        report = (await _side(procuracy, "kiemsat.binh", transfer_id, "checked"))["check_report"]
        assert [f["detail"] for f in report["findings"]] == ["record numbers 3-4 missing"]


async def test_an_interrupted_transfer_resumes_without_resending_what_arrived(
    linked: Linked,
) -> None:
    async with linked() as ((police, procuracy), tampers):
        link = tampers[("CSDTHN", "VKSHN")]
        link.fail_upload = lambda attempt: attempt == 2  # the line drops at the third upload
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=4)
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")
        incoming = await _side(procuracy, "kiemsat.binh", transfer_id, "checked")
        assert incoming["check_report"]["passed"]
        expected = {d["sha256"] for d in _inventory_documents(police, transfer_id)}
        assert len(link.uploads) == len(expected) == 5  # each document's bytes sent once
        assert set(link.uploads) == expected


TRANSITIONS = [
    # kind, sender, its user, stage at the sender, receiver, who decides, stage on acceptance
    (
        "indictment",
        "VKSHN",
        "kiemsat.binh",
        Stage.PROSECUTION,
        "TAHN",
        "thamphan.cuong",
        Stage.TRIAL,
    ),
    (
        "return_for_investigation",
        "VKSHN",
        "kiemsat.binh",
        Stage.PROSECUTION,
        "CSDTHN",
        "ptt.tuan",
        Stage.INVESTIGATION,
    ),
    (
        "return_to_procuracy",
        "TAHN",
        "thamphan.cuong",
        Stage.TRIAL,
        "VKSHN",
        "kiemsat.binh",
        Stage.PROSECUTION,
    ),
    (
        "enforcement",
        "TAHN",
        "thamphan.cuong",
        Stage.TRIAL,
        "THAHSHN",
        "thads.lan",
        Stage.ENFORCEMENT,
    ),
    (
        "enforcement",
        "TAHN",
        "thamphan.cuong",
        Stage.TRIAL,
        "TTGHN",
        "giamthi.hung",
        Stage.ENFORCEMENT,
    ),
]


@pytest.mark.parametrize(
    ("kind", "sender", "sender_user", "stage", "receiver", "decider", "target"), TRANSITIONS
)
async def test_each_transition_end_to_end(
    kind: str,
    sender: str,
    sender_user: str,
    stage: Stage,
    receiver: str,
    decider: str,
    target: Stage,
    linked: Linked,
) -> None:
    async with linked([sender, receiver]) as ((sending, receiving), _):
        case = case_in_stage(sending, stage, username=sender_user)
        transfer_id = await _start(sending, case, sender_user, kind, receiver)
        incoming = await _side(receiving, decider, transfer_id, "checked")
        assert incoming["check_report"]["passed"], incoming["check_report"]
        accepted = await _decide(receiving, decider, transfer_id, decision="accept")
        assert accepted["status"] == 200, accepted
        await _side(sending, sender_user, transfer_id, "accepted")
        with receiving.session() as session:
            taken = session.scalars(select(Case).where(Case.code == case)).one()
            assert (taken.owner_agency.code, taken.stage) == (receiver, target)


async def test_a_move_the_procedure_lacks_is_refused_before_anything_starts(
    linked: Linked,
) -> None:
    async with linked() as ((police, _), _):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an")
        for body, field in (
            ({"kind": "indictment", "to_agency_code": "VKSHN"}, "kind"),
            ({"kind": "investigation_conclusion", "to_agency_code": "TAHN"}, "to_agency_code"),
            ({"kind": "investigation_conclusion", "to_agency_code": "CSDTHN"}, "to_agency_code"),
            ({"kind": "investigation_conclusion", "to_agency_code": "NOPE"}, "to_agency_code"),
        ):
            refused = await police.api.post(
                f"/api/v1/cases/{case}/transfers", json=body, headers=police.headers("dtv.an")
            )
            assert refused.status_code in (403, 404, 409, 422), refused.text
            assert refused.json()["error"]["field"] == field, (body, refused.text)
        empty = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=0)
        nothing = await police.api.post(
            f"/api/v1/cases/{empty}/transfers",
            json={"kind": "investigation_conclusion", "to_agency_code": "VKSHN"},
            headers=police.headers("dtv.an"),
        )
        assert nothing.status_code == 422 and nothing.json()["error"]["field"] == "code"
        with police.session() as session:
            assert session.scalar(select(func.count()).select_from(Transfer)) == 0


async def test_unconfirmed_transfers_warn_both_agencies_supervisors(
    linked: Linked,
) -> None:
    async with linked(transfer_confirmation_seconds=2) as ((police, procuracy), _):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an")
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")

        async def warned(side: Installation, username: str) -> list:
            listed = await side.api.get(
                "/api/v1/transfers?unconfirmed=true", headers=side.headers(username)
            )
            return [t for t in listed.json() if t["transfer_id"] == transfer_id]

        assert await assert_eventually(lambda: warned(police, "ptt.tuan"), timeout=60)
        assert await assert_eventually(lambda: warned(procuracy, "kiemsat.binh"), timeout=60)
        for side in (police, procuracy):
            with side.session() as session:
                actions = session.scalars(
                    select(AuditEvent.action).where(AuditEvent.object_code == transfer_id)
                ).all()
                assert actions.count("transfer.unconfirmed_warning") == 1
        # a decision still comes through after the warning, and clears the flag
        await _decide(procuracy, "kiemsat.binh", transfer_id, decision="accept")
        await _side(police, "dtv.an", transfer_id, "accepted")
        assert await warned(police, "ptt.tuan") == []


async def test_one_installation_serving_both_agencies(
    linked: Linked,
) -> None:
    """The embedded default: sender and receiver share one database; the same link and
    checks run, and the file's owner moves."""
    async with linked(["CSDTHN"]) as ((shared,), _):
        case = case_in_stage(shared, Stage.INVESTIGATION, username="dtv.an")
        transfer_id = await _start(shared, case, "dtv.an", "investigation_conclusion", "VKSHN")
        incoming = await _side(shared, "kiemsat.binh", transfer_id, "checked")
        assert incoming["direction"] == "incoming" and incoming["check_report"]["passed"]
        await _decide(shared, "kiemsat.binh", transfer_id, decision="accept")
        await _side(shared, "dtv.an", transfer_id, "accepted")
        with shared.session() as session:
            moved = session.scalars(select(Case).where(Case.code == case)).one()
            assert (moved.owner_agency.code, moved.stage) == ("VKSHN", Stage.PROSECUTION)


async def test_the_agency_link_refuses_unsigned_and_forged_requests(
    linked: Linked,
    signing: SigningRuntime,
) -> None:
    from casefile.agencylink import AgencySeals, canonical_json, sha256_hex

    async with linked() as ((police, procuracy), _):
        path = "/api/v1/agency-link/transfers"
        body = canonical_json({"inventory": {}, "signature": ""})
        unsigned = await procuracy.api.post(path, content=body)
        assert unsigned.status_code == 403
        seals = AgencySeals(signing.pki)
        forged = seals.sign_request("TAHN", "POST", path, sha256_hex(body))
        forged["X-Hoso-Agency"] = "CSDTHN"  # the court's seal, claiming to be the police
        assert (await procuracy.api.post(path, content=body, headers=forged)).status_code == 403
        stale = seals.sign_request("CSDTHN", "POST", path, sha256_hex(body))
        changed = await procuracy.api.post(path, content=body + b" ", headers=stale)
        assert changed.status_code == 403  # the body is not the one signed


async def test_a_file_goes_to_the_procuracy_and_comes_back_for_more_investigation(
    linked: Linked,
) -> None:
    """The police receive back the file they hold read-only: what they had is kept, what the
    procuracy added joins it with its numbers, and the police may change the file again."""
    async with linked() as ((police, procuracy), tampers):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=2)
        there = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")
        await _side(procuracy, "kiemsat.binh", there, "checked")
        await _decide(procuracy, "kiemsat.binh", there, decision="accept")
        await _side(police, "dtv.an", there, "accepted")

        back = await _start(procuracy, case, "kiemsat.binh", "return_for_investigation", "CSDTHN")
        incoming = await _side(police, "ptt.tuan", back, "checked")
        assert incoming["check_report"]["passed"], incoming["check_report"]
        # the police already hold every document but the procuracy's handover record
        assert len(tampers[("VKSHN", "CSDTHN")].uploads) == 1
        accepted = await _decide(police, "ptt.tuan", back, decision="accept")
        assert accepted["status"] == 200, accepted
        await _side(procuracy, "kiemsat.binh", back, "accepted")
        with police.session() as session:
            held = session.scalars(select(Case).where(Case.code == case)).one()
            assert (held.owner_agency.code, held.stage) == ("CSDTHN", Stage.INVESTIGATION)
            records = session.scalars(
                select(Document.first_record)
                .where(Document.case_id == held.id)
                .order_by(Document.first_record)
            ).all()
        assert records == list(range(1, len(records) + 1))  # 2 documents + 2 handover records
        again = await police.api.post(
            f"/api/v1/cases/{case}/parties",
            json={"role": "witness", "full_name": "Lê Văn Tám", "birth_year": 1980},
            headers=police.headers("dtv.an"),
        )
        assert again.status_code == 201, again.text
