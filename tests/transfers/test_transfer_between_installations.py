"""A case file handed between two agencies' installations (Joint Circular art. 9(1)-(3),
15(1), 18(2)): inventory and handover record, only missing bytes sent, the receiver's
legality check, a person's acceptance or return with reasons, and the sender's read-only
copy."""

from pathlib import Path

from sqlalchemy import func, select
from temporalio.client import Client

from casefile.audit import verify_chain
from casefile.codes import Stage
from casefile.models import Case, Document, StatusOutboxEntry
from casefile.signing.runtime import SigningRuntime
from tests.helpers import assert_eventually
from tests.transfers.conftest import Installation, case_in_stage, installations

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
    database_kind: str, temporal: Client, signing: SigningRuntime, tmp_path: Path
) -> None:
    async with installations(
        ["CSDTHN", "VKSHN"],
        kind=database_kind,
        folder=tmp_path,
        temporal=temporal,
        signing=signing,
    ) as ((police, procuracy), tampers):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an", documents=3)
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")

        incoming = await _side(procuracy, "kiemsat.binh", transfer_id, "checked")
        report = incoming["check_report"]
        assert report["passed"], report
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
