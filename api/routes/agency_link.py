"""The agency link: what another agency's installation calls to hand a case file over.

Every request is signed with the calling agency's electronic seal (casefile.agencylink);
each is idempotent, so a sender that lost an answer simply repeats it. A transfer arrives in
four calls: the sealed inventory (answered with the hashes whose bytes are missing here),
the missing documents' bytes one by one, the submission (answered with this agency's signed
electronic receipt, art. 9(1)), and later, towards the sender, the receiver's signed decision.

Legal basis: Joint Circular art. 9(1)-(3), 15(1), 18(2).
"""

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from api.deps import BlobsDep, SessionFactoryDep, SettingsDep, TemporalClientDep
from api.processes import start_once
from api.routes.transfers import transfer_policy
from casefile.agencylink import UNSIGNED_BODY, AgencySeals, canonical_json, sha256_hex
from casefile.db import transaction
from casefile.errors import Conflict, InvalidInput, NotFound, NotPermitted
from casefile.status import TransferStatus, record_transfer_status
from casefile.transfers import Inventory, TransferState
from casefile.usecases import transfer_case_file as usecase
from workflows import receive_case_file_workflow_id
from workflows.receive_case_file import ReceiveCaseFileWorkflow
from workflows.transfer_case_file import TransferCaseFileWorkflow
from workflows.transfer_io import ReceiveInput, ReceiverDecision

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agency-link", tags=["agency-link"])


def _seals(request: Request) -> AgencySeals:
    return AgencySeals(request.app.state.signing.pki)


async def _signed_by(request: Request, *, body_signed: bool = True) -> tuple[str, bytes]:
    """The calling agency (its seal verified) and the raw body."""
    body = await request.body()
    digest = sha256_hex(body) if body_signed else UNSIGNED_BODY
    agency = _seals(request).verify_request(
        request.headers, request.method, request.url.path, digest
    )
    return agency, body


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        raise InvalidInput("the body is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidInput("the body is not a JSON object")
    return value


@router.post("/transfers")
async def receive_inventory(
    request: Request, sessions: SessionFactoryDep, settings: SettingsDep, blobs: BlobsDep
) -> dict[str, Any]:
    """Take a sender's sealed inventory; answer with the hashes still missing here."""
    agency, body = await _signed_by(request)
    message = _json(body)
    payload, signature = message.get("inventory"), message.get("signature")
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise InvalidInput("the body carries an inventory and its signature", field="inventory")
    try:
        inventory = Inventory.model_validate(payload)
    except ValidationError as exc:
        raise InvalidInput(f"the inventory is malformed: {exc.errors()[0]['msg']}") from None
    if inventory.from_agency_code != agency:
        raise NotPermitted(f"{agency} cannot send for {inventory.from_agency_code}")
    if inventory.to_agency_code in settings.peers:
        raise NotFound(f"agency {inventory.to_agency_code} is not served here", field="to")
    _seals(request).verify(agency, canonical_json(payload), signature)

    def record() -> dict[str, Any]:
        with transaction(sessions) as session:
            transfer, missing = usecase.receive_inventory(
                session,
                inventory=inventory,
                payload=payload,
                signature=signature,
                workflow_id=receive_case_file_workflow_id(
                    settings.task_queue, inventory.transfer_id
                ),
                blobs=blobs,
                at=datetime.now(UTC),
            )
            return {"transfer_id": transfer.transfer_id, "missing": missing}

    return await run_in_threadpool(record)


@router.put("/transfers/{transfer_id}/blobs/{sha256}")
async def receive_blob(
    transfer_id: str, sha256: str, request: Request, sessions: SessionFactoryDep, blobs: BlobsDep
) -> dict[str, str]:
    """One document's bytes, kept under their own hash for the legality check."""
    agency, body = await _signed_by(request, body_signed=False)

    def store() -> str:
        with transaction(sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.INCOMING)
            if transfer.from_agency_code != agency:
                raise NotPermitted(f"transfer {transfer_id} is not from {agency}")
            if transfer.receipt is not None:
                raise Conflict(f"transfer {transfer_id} was already submitted")
            return usecase.store_received_blob(
                session,
                transfer=transfer,
                expected_sha256=sha256,
                data=body,
                blobs=blobs,
                at=datetime.now(UTC),
            )

    return {"received_sha256": await run_in_threadpool(store)}


@router.post("/transfers/{transfer_id}/submit")
async def submit(
    transfer_id: str,
    request: Request,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    blobs: BlobsDep,
    temporal: TemporalClientDep,
) -> dict[str, Any]:
    """Everything arrived: sign the electronic receipt and start the legality check."""
    agency, _ = await _signed_by(request)
    seals = _seals(request)

    def receipt() -> tuple[dict[str, Any], ReceiveInput]:
        with transaction(sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.INCOMING)
            if transfer.from_agency_code != agency:
                raise NotPermitted(f"transfer {transfer_id} is not from {agency}")
            missing = usecase.missing_blobs(session, transfer, blobs)
            if missing:
                raise Conflict(f"{len(missing)} documents' bytes have not arrived", field="blobs")
            if transfer.receipt is None:
                now = datetime.now(UTC)
                payload = {
                    "transfer_id": transfer_id,
                    "inventory_sha256": transfer.inventory_sha256,
                    "received_at": now.isoformat(),
                    "agency_code": transfer.to_agency_code,
                    "documents": len(transfer.inventory["documents"]),
                }
                transfer.receipt = {
                    "payload": payload,
                    "signature": seals.sign(transfer.to_agency_code, canonical_json(payload)),
                }
                transfer.received_at = now
                transfer.state = TransferState.SENT.value
                usecase.log_transfer(
                    session,
                    "system",
                    transfer.to_agency_code,
                    "transfer.received",
                    transfer_id,
                    transfer.case_code,
                    side=usecase.INCOMING,
                )
                record_transfer_status(
                    session,
                    case_code=transfer.case_code,
                    status=TransferStatus.RECEIVED,
                    agency_code=transfer.to_agency_code,
                    counterpart_agency_code=transfer.from_agency_code,
                    occurred_at=now,
                )
            start = ReceiveInput(
                transfer_id=transfer_id,
                case_code=transfer.case_code,
                to_agency_code=transfer.to_agency_code,
                policy=transfer_policy(settings),
            )
            return transfer.receipt, start

    signed_receipt, start = await run_in_threadpool(receipt)
    await start_once(
        temporal,
        ReceiveCaseFileWorkflow.run,
        start,
        workflow_id=receive_case_file_workflow_id(settings.task_queue, transfer_id),
        task_queue=settings.task_queue,
    )
    return signed_receipt


@router.post("/transfers/{transfer_id}/decision", status_code=202)
async def decision(
    transfer_id: str, request: Request, sessions: SessionFactoryDep, temporal: TemporalClientDep
) -> dict[str, str]:
    """The receiver's signed decision reaches the sender's process (checked there too)."""
    agency, body = await _signed_by(request)
    try:
        decided = ReceiverDecision.model_validate(_json(body))
    except ValidationError:
        raise InvalidInput("the body carries a decision payload and its signature") from None
    _seals(request).verify(agency, canonical_json(decided.payload), decided.signature)

    def workflow_id() -> str:
        with transaction(sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.OUTGOING)
            if transfer.to_agency_code != agency:
                raise NotPermitted(f"transfer {transfer_id} did not go to {agency}")
            return transfer.workflow_id

    handle = temporal.get_workflow_handle(await run_in_threadpool(workflow_id))
    await handle.signal(TransferCaseFileWorkflow.receiver_decided, decided)
    return {"transfer_id": transfer_id, "status": "delivered"}
