"""Hand a case file to another agency and take one over (Joint Circular art. 9(1)-(3), 15(1)).

Sender: :func:`start_outgoing` (checks, the outgoing row, the handover record's fields) →
:func:`seal_inventory` (snapshot of every document with its hash and signatures, sealed) →
:func:`record_outcome` (the receiver's signed decision: on acceptance the file's owner and
stage move and the sender keeps a read-only copy).

Receiver: :func:`receive_inventory` (the incoming row, which bytes are still missing) →
:func:`store_received_blob` → the legality check (activities/transfer.py) →
:func:`decide_incoming` (a person with authority accepts, importing the file, or returns it
with reasons).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.agencylink import AgencySeals, canonical_json, sha256_hex
from casefile.audit import record_event
from casefile.codes import AgencyKind, DocumentStatus, Role, Stage
from casefile.errors import Conflict, InvalidInput, NotFound, NotPermitted
from casefile.models import (
    Agency,
    Case,
    Counter,
    Document,
    DocumentSignature,
    Party,
    Transfer,
    TransferBlob,
    User,
)
from casefile.numbering import case_scope, continue_after
from casefile.repositories.cases import get_agency_by_code, get_case_by_code
from casefile.stages import check_transition
from casefile.status import TransferStatus, record_transfer_status
from casefile.transfers import (
    RULES,
    Inventory,
    InventoryEntry,
    InventoryParty,
    SignatureFact,
    TransferKind,
    TransferState,
    check_transfer,
)

__all__ = [
    "OUTGOING",
    "INCOMING",
    "DECIDING_ROLES",
    "get_transfer",
    "log_transfer",
    "check_transfer_request",
    "start_outgoing",
    "handover_fields",
    "seal_inventory",
    "receive_inventory",
    "missing_blobs",
    "store_received_blob",
    "decide_incoming",
    "record_outcome",
]

OUTGOING, INCOMING = "outgoing", "incoming"
SENDING_ROLES = frozenset({Role.HEAD, Role.INVESTIGATOR, Role.PROSECUTOR, Role.JUDGE, Role.CLERK})
DECIDING_ROLES = frozenset({Role.HEAD, Role.PROSECUTOR, Role.JUDGE})
"""Who may accept or return a file for the receiving agency (a person with authority)."""
OPEN_STATES = (TransferState.PREPARING, TransferState.SENT, TransferState.CHECKED)


def find_transfer(session: Session, transfer_id: str, direction: str) -> Transfer | None:
    return session.scalars(
        select(Transfer).where(Transfer.transfer_id == transfer_id, Transfer.direction == direction)
    ).one_or_none()


def get_transfer(session: Session, transfer_id: str, direction: str) -> Transfer:
    found = find_transfer(session, transfer_id, direction)
    if found is None:
        raise NotFound(f"no {direction} transfer {transfer_id}", field="transfer_id")
    return found


def log_transfer(
    session: Session,
    actor: str,
    agency: str,
    action: str,
    transfer_id: str,
    case_code: str,
    **details: Any,
) -> None:
    """An audit event about a transfer (art. 4(4): every transfer is in the audit chain)."""
    record_event(
        session,
        actor=actor,
        agency=agency,
        action=action,
        object_type="transfer",
        object_code=transfer_id,
        details={"case": case_code, **details},
    )


# --- sender -------------------------------------------------------------------------------


def check_transfer_request(
    session: Session, *, actor: User, case_code: str, kind: TransferKind, to_agency_code: str
) -> tuple[Case, Agency]:
    """Everything that must hold before a transfer starts, each refusal naming its field:
    the officer may change the case, the receiver exists and the procedure has the move,
    the file holds documents, and it is not already on its way."""
    case = get_case_by_code(session=session, code=case_code, for_update=True)
    check_can_edit_case(actor, case)
    if not actor.has_role(*SENDING_ROLES):
        raise NotPermitted(f"{actor.username} has no role that may hand over a case file")
    try:
        receiver = get_agency_by_code(session=session, code=to_agency_code)
    except NotFound:
        raise NotFound(f"no agency {to_agency_code}", field="to_agency_code") from None
    check_transfer(
        kind,
        sender=AgencyKind(case.owner_agency.kind),
        receiver=AgencyKind(receiver.kind),
        stage=Stage(case.stage),
        same_agency=receiver.id == case.owner_agency_id,
    )
    if session.scalar(select(Document.id).where(Document.case_id == case.id).limit(1)) is None:
        raise InvalidInput(f"case {case.code} has no document to hand over", field="code")
    pending = session.scalars(
        select(Transfer).where(
            Transfer.case_code == case.code,
            Transfer.direction == OUTGOING,
            Transfer.state.in_(OPEN_STATES),
        )
    ).first()
    if pending is not None:
        raise Conflict(
            f"case {case.code} is already being transferred ({pending.transfer_id})",
            field="code",
        )
    return case, receiver


def start_outgoing(
    session: Session,
    *,
    actor: User,
    transfer_id: str,
    case_code: str,
    kind: TransferKind,
    to_agency_code: str,
    physical_items: list[dict[str, Any]],
    workflow_id: str,
    at: datetime,
) -> Transfer:
    """Check the move and record it; a repeated call returns the row of the first."""
    existing = find_transfer(session, transfer_id, OUTGOING)
    if existing is not None:
        return existing
    case, receiver = check_transfer_request(
        session, actor=actor, case_code=case_code, kind=kind, to_agency_code=to_agency_code
    )
    transfer = Transfer(
        transfer_id=transfer_id,
        direction=OUTGOING,
        case_code=case.code,
        kind=kind.value,
        from_agency_code=case.owner_agency.code,
        to_agency_code=receiver.code,
        state=TransferState.PREPARING.value,
        workflow_id=workflow_id,
        physical_items=[
            {**item, "handed_over_by": actor.full_name, "recorded_at": at.isoformat()}
            for item in physical_items
        ],
        started_by=actor.username,
        started_at=at,
    )
    session.add(transfer)
    session.flush()
    log_transfer(
        session,
        actor.username,
        actor.agency.code,
        "transfer.started",
        transfer.transfer_id,
        transfer.case_code,
        kind=transfer.kind,
        to=receiver.code,
        physical_items=len(physical_items),
    )
    return transfer


def handover_fields(session: Session, transfer: Transfer, actor: User) -> dict[str, Any]:
    """The handover record (biên bản giao nhận): every document with its record numbers
    and hash, and the physical items with their seals (art. 9(2))."""
    case = get_case_by_code(session=session, code=transfer.case_code)
    receiver = get_agency_by_code(session=session, code=transfer.to_agency_code)
    items = [
        {
            "description": f"{d.title} ({d.code})",
            "record_numbers": (
                str(d.first_record)
                if d.first_record == d.last_record
                else f"{d.first_record}-{d.last_record}"
            ),
            "pages": d.page_count,
            "sha256": d.sha256,
        }
        for d in _documents(session, case)
    ]
    evidence = "\n".join(
        f"{item['description']} (số lượng {item['quantity']}; niêm phong: "
        f"{item['seal_status']}; hình thức giao: {item['delivery_method']})"
        for item in transfer.physical_items
    )
    return {
        "case_name": case.title,
        "case_code": case.code,
        "handed_over_at": transfer.started_at.isoformat(),
        "place": case.owner_agency.name,
        "from_agency": case.owner_agency.name,
        "from_representative": f"{actor.full_name}, {actor.title}",
        "to_agency": receiver.name,
        "to_representative": f"Người có thẩm quyền của {receiver.name}",
        "items": items,
        "evidence_note": evidence or None,
    }


def seal_inventory(
    session: Session,
    *,
    transfer: Transfer,
    handover_document_code: str,
    seals: AgencySeals,
    at: datetime,
) -> Inventory:
    """Snapshot every document of the file, with its hash and signatures, and seal it with
    the sending agency's seal; a repeated call returns the first snapshot."""
    if transfer.inventory is not None:
        return Inventory.model_validate(transfer.inventory)
    case = get_case_by_code(session=session, code=transfer.case_code)
    documents = _documents(session, case)
    record_counter = session.scalars(
        select(Counter.value).where(Counter.scope == case_scope(case.id, "record"))
    ).one_or_none()
    inventory = Inventory(
        transfer_id=transfer.transfer_id,
        kind=TransferKind(transfer.kind),
        case_code=case.code,
        case_title=case.title,
        case_summary=case.summary,
        case_offence=case.offence,
        case_secrecy=case.secrecy,
        case_stage=Stage(case.stage),
        case_opened_at=case.opened_at,
        from_agency_code=transfer.from_agency_code,
        to_agency_code=transfer.to_agency_code,
        last_record=record_counter or 0,
        documents=[_entry(session, d) for d in documents],
        parties=[
            InventoryParty.model_validate(p, from_attributes=True)
            for p in session.scalars(
                select(Party).where(Party.case_id == case.id).order_by(Party.number)
            )
        ],
        physical_items=transfer.physical_items,
        handover_document_code=handover_document_code,
        sent_by=transfer.started_by,
        sent_at=at,
    )
    payload = inventory.model_dump(mode="json")
    transfer.inventory = payload
    transfer.inventory_sha256 = sha256_hex(canonical_json(payload))
    transfer.inventory_signature = seals.sign(transfer.from_agency_code, canonical_json(payload))
    transfer.handover_document_code = handover_document_code
    session.flush()
    return inventory


def _documents(session: Session, case: Case) -> list[Document]:
    return list(
        session.scalars(
            select(Document).where(Document.case_id == case.id).order_by(Document.first_record)
        )
    )


def _entry(session: Session, document: Document) -> InventoryEntry:
    signatures = session.scalars(
        select(DocumentSignature)
        .where(DocumentSignature.document_id == document.id)
        .order_by(DocumentSignature.id)
    )
    return InventoryEntry.model_validate(
        {
            **{
                name: getattr(document, name)
                for name in InventoryEntry.model_fields
                if name != "signatures"
            },
            "signatures": [
                SignatureFact.model_validate(s, from_attributes=True) for s in signatures
            ],
        }
    )


def record_outcome(
    session: Session, *, transfer: Transfer, payload: dict[str, Any], signature: str, at: datetime
) -> Transfer:
    """The receiver's decision arrived: accepted → the file's owner and stage move and this
    agency keeps a read-only copy; returned → the file stays here, with the reasons."""
    if transfer.decision is not None:
        return transfer
    decision = payload["decision"]
    transfer.decision = {"payload": payload, "signature": signature}
    transfer.decided_at = datetime.fromisoformat(payload["decided_at"])
    transfer.decided_by = payload["decided_by"]
    transfer.reasons = payload.get("reasons") or None
    transfer.state = (
        TransferState.ACCEPTED.value if decision == "accepted" else TransferState.RETURNED.value
    )
    case = get_case_by_code(session=session, code=transfer.case_code, for_update=True)
    if decision == "accepted" and case.owner_agency.code == transfer.from_agency_code:
        receiver = get_agency_by_code(session=session, code=transfer.to_agency_code)
        rule = RULES[TransferKind(transfer.kind)]
        _move_stage(case, rule.target_stage)
        case.owner_agency_id = receiver.id
        case.owner_agency = receiver
    if transfer.handover_document_code:
        handover = session.scalars(
            select(Document).where(Document.code == transfer.handover_document_code)
        ).one_or_none()
        if handover is not None and decision == "accepted":
            handover.status = DocumentStatus.FILED
    log_transfer(
        session,
        payload["decided_by_username"],
        transfer.to_agency_code,
        f"transfer.{decision}",
        transfer.transfer_id,
        transfer.case_code,
        kind=transfer.kind,
        reasons=transfer.reasons,
        side=OUTGOING,
    )
    session.flush()
    return transfer


def _move_stage(case: Case, target: Stage) -> None:
    if Stage(case.stage) is not target:
        check_transition(Stage(case.stage), target)
        case.stage = target


# --- receiver -----------------------------------------------------------------------------


def receive_inventory(
    session: Session,
    *,
    inventory: Inventory,
    payload: dict[str, Any],
    signature: str,
    workflow_id: str,
    blobs: Any,
    at: datetime,
) -> tuple[Transfer, list[str]]:
    """Record an incoming transfer (once) and return the hashes whose bytes are missing.
    ``payload`` is the inventory exactly as the sender sealed it (its hash is shared)."""
    transfer = find_transfer(session, inventory.transfer_id, INCOMING)
    if transfer is None:
        get_agency_by_code(session=session, code=inventory.to_agency_code)
        transfer = Transfer(
            transfer_id=inventory.transfer_id,
            direction=INCOMING,
            case_code=inventory.case_code,
            kind=inventory.kind.value,
            from_agency_code=inventory.from_agency_code,
            to_agency_code=inventory.to_agency_code,
            state=TransferState.PREPARING.value,
            workflow_id=workflow_id,
            inventory=payload,
            inventory_sha256=sha256_hex(canonical_json(payload)),
            inventory_signature=signature,
            handover_document_code=inventory.handover_document_code,
            physical_items=[item.model_dump(mode="json") for item in inventory.physical_items],
            started_by=inventory.sent_by,
            started_at=at,
        )
        session.add(transfer)
        session.flush()
        log_transfer(
            session,
            inventory.sent_by,
            inventory.from_agency_code,
            "transfer.arriving",
            transfer.transfer_id,
            transfer.case_code,
            kind=transfer.kind,
            side=INCOMING,
        )
    elif transfer.inventory_sha256 != sha256_hex(canonical_json(payload)):
        raise Conflict(
            f"transfer {inventory.transfer_id} already arrived with another inventory",
            field="transfer_id",
        )
    return transfer, missing_blobs(session, transfer, blobs)


def missing_blobs(session: Session, transfer: Transfer, blobs: Any) -> list[str]:
    """Hashes of the inventory whose bytes have not arrived yet. Bytes this installation
    already holds (a file coming back, or a shared installation) count as arrived."""
    arrived = set(
        session.scalars(
            select(TransferBlob.expected_sha256).where(
                TransferBlob.transfer_id == transfer.transfer_id
            )
        )
    )
    expected = [entry["sha256"] for entry in transfer.inventory["documents"]]
    return sorted({sha for sha in expected if sha not in arrived and not blobs.exists(sha)})


def store_received_blob(
    session: Session, *, transfer: Transfer, expected_sha256: str, data: bytes, blobs: Any, at
) -> str:
    """Keep the bytes under their own hash; the legality check compares the two hashes."""
    expected = {entry["sha256"] for entry in transfer.inventory["documents"]}
    if expected_sha256 not in expected:
        raise InvalidInput(
            f"{expected_sha256} is not a document of transfer {transfer.transfer_id}",
            field="sha256",
        )
    received = blobs.put(data)
    existing = session.scalars(
        select(TransferBlob).where(
            TransferBlob.transfer_id == transfer.transfer_id,
            TransferBlob.expected_sha256 == expected_sha256,
        )
    ).one_or_none()
    if existing is None:
        session.add(
            TransferBlob(
                transfer_id=transfer.transfer_id,
                expected_sha256=expected_sha256,
                received_sha256=received,
                received_at=at,
            )
        )
        session.flush()
    return received


def decide_incoming(
    session: Session,
    *,
    transfer: Transfer,
    actor: User,
    accept: bool,
    reasons: str,
    seals: AgencySeals,
    at: datetime,
) -> dict[str, Any]:
    """Accept (importing the file) or return it with reasons; return the signed decision.
    A repeated call returns the first decision."""
    if transfer.decision is not None:
        return transfer.decision
    check_can_decide(actor, transfer)
    if accept:
        if not (transfer.check_report or {}).get("passed"):
            raise Conflict(
                "the legality check found problems: return the file with reasons",
                field="decision",
            )
        _import_case(session, transfer=transfer, actor=actor, at=at)
    elif not reasons.strip():
        raise InvalidInput("a returned file needs the reasons", field="reasons")
    payload = {
        "transfer_id": transfer.transfer_id,
        "inventory_sha256": transfer.inventory_sha256,
        "decision": "accepted" if accept else "returned",
        "reasons": reasons.strip(),
        "decided_at": at.isoformat(),
        "decided_by": f"{actor.full_name}, {actor.title} ({actor.agency.code})",
        "decided_by_username": actor.username,
        "agency_code": transfer.to_agency_code,
    }
    transfer.decision = {
        "payload": payload,
        "signature": seals.sign(transfer.to_agency_code, canonical_json(payload)),
    }
    transfer.decided_at = at
    transfer.decided_by = payload["decided_by"]
    transfer.reasons = payload["reasons"] or None
    transfer.state = (TransferState.ACCEPTED if accept else TransferState.RETURNED).value
    log_transfer(
        session,
        actor.username,
        actor.agency.code,
        f"transfer.{payload['decision']}",
        transfer.transfer_id,
        transfer.case_code,
        kind=transfer.kind,
        reasons=transfer.reasons,
        side=INCOMING,
    )
    record_transfer_status(
        session,
        case_code=transfer.case_code,
        status=TransferStatus.ACCEPTED if accept else TransferStatus.RETURNED,
        agency_code=transfer.to_agency_code,
        counterpart_agency_code=transfer.from_agency_code,
        occurred_at=at,
    )
    session.flush()
    return transfer.decision


def check_can_decide(actor: User, transfer: Transfer) -> None:
    if actor.agency.code != transfer.to_agency_code or not actor.has_role(*DECIDING_ROLES):
        raise NotPermitted(
            f"only a head, prosecutor or judge of {transfer.to_agency_code} accepts or "
            f"returns transfer {transfer.transfer_id}"
        )


def _import_case(session: Session, *, transfer: Transfer, actor: User, at: datetime) -> Case:
    """Take the file over with the codes and numbers it had: the case, its parties, its
    documents and their signatures; then move its owner and stage (art. 18(2))."""
    inventory = Inventory.model_validate(transfer.inventory)
    receiver = actor.agency
    case = session.scalars(select(Case).where(Case.code == inventory.case_code)).one_or_none()
    if case is None:
        case = Case(
            code=inventory.case_code,
            title=inventory.case_title,
            summary=inventory.case_summary,
            offence=inventory.case_offence,
            stage=inventory.case_stage,
            secrecy=inventory.case_secrecy,
            owner_agency_id=receiver.id,
            opened_at=inventory.case_opened_at,
            opened_by_id=actor.id,
            open_request_id=f"transfer:{transfer.transfer_id}",
        )
        session.add(case)
        session.flush()
    known_parties = set(session.scalars(select(Party.code).where(Party.case_id == case.id)))
    for party in inventory.parties:
        if party.code not in known_parties:
            session.add(Party(case_id=case.id, **party.model_dump()))
    known = {
        d.code: d.sha256
        for d in session.scalars(select(Document).where(Document.case_id == case.id))
    }
    for entry in inventory.documents:
        if entry.code in known:
            if known[entry.code] != entry.sha256:
                raise Conflict(
                    f"document {entry.code} differs from the copy this agency holds",
                    field="documents",
                )
            continue
        facts = entry.model_dump(exclude={"signatures", "number"})
        document = Document(
            case_id=case.id,
            number=entry.number,
            created_by_id=actor.id,
            request_key=f"transfer:{transfer.transfer_id}:{entry.code}",
            **facts,
        )
        session.add(document)
        session.flush()
        for signature in entry.signatures:
            session.add(
                DocumentSignature(
                    document_id=document.id,
                    field_name="",
                    revision_sha256=entry.sha256,
                    **signature.model_dump(),
                )
            )
    if inventory.documents:
        continue_after(
            session, case_scope(case.id, "document"), max(e.number for e in inventory.documents)
        )
    continue_after(session, case_scope(case.id, "record"), inventory.last_record)
    if inventory.parties:
        continue_after(
            session, case_scope(case.id, "party"), max(p.number for p in inventory.parties)
        )
    _move_stage(case, RULES[inventory.kind].target_stage)
    case.owner_agency_id = receiver.id
    case.owner_agency = receiver
    session.flush()
    return case
