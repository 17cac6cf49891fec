"""Export a case file as a sealed bundle: collect it, then log the copy.

Legal basis: Joint Circular art. 4(4), 14(2) and 17(1)(đ) (every copy is logged),
art. 15(1) (the file handed to another agency is checked by it), art. 10(3), 13(1).

Two steps around the sealing (which is asynchronous and belongs to the caller's signing
runtime): :func:`collect_case_file` authorizes and reads the case, its documents and
their bytes, each re-hashed by the blob store; :func:`record_case_file_export` appends
the audit event once the bundle exists, in the caller's transaction.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from casefile.access import check_can_read_case
from casefile.audit import record_event
from casefile.blobstore import BlobStore
from casefile.bundle.inventory import (
    BundleInventory,
    InventoryConfirmation,
    InventoryDocument,
    confirmation_path,
    document_path,
    pdf_signature_facts,
)
from casefile.models import AuditEvent, Case, User
from casefile.repositories.cases import get_case_by_code, list_documents
from casefile.usecases.confirm_document import sealed_confirmations

__all__ = ["CaseFileExport", "collect_case_file", "record_case_file_export"]


@dataclass(frozen=True)
class CaseFileExport:
    """What goes into the bundle: the inventory, and every PDF and sealed confirmation by
    its bundle path."""

    case: Case
    inventory: BundleInventory
    files: Mapping[str, bytes]


def collect_case_file(
    session: Session, *, actor: User, code: str, blobs: BlobStore, exported_at: datetime
) -> CaseFileExport:
    """Read case ``code``, every document's bytes and every sealed confirmation of a
    participant (art. 6, 7(6)) for an export by ``actor``.

    Only an officer of the owning agency whose clearance covers the case may export it,
    and the owning agency is the one that seals. A stored blob that no longer matches its
    hash stops the export (:class:`~casefile.errors.BlobCorrupted`).
    """
    case = get_case_by_code(session=session, code=code)
    check_can_read_case(actor, case)
    documents = list_documents(session=session, case=case)
    files: dict[str, bytes] = {}
    entries = []
    for document in documents:
        path = document_path(document.code)
        files[path] = blobs.get(document.sha256)
        try:
            signatures = pdf_signature_facts(files[path])
        except ValueError:
            signatures = ()  # exported as filed; its verification will say it is not a PDF
        confirmations = []
        for sealed in sealed_confirmations(session, document=document):
            record = sealed.record
            confirmation = InventoryConfirmation(
                party_code=record.party_code,
                form=record.form.value,
                confirmed_at=record.confirmed_at,
                pdf_sha256=record.pdf_sha256,
                path=confirmation_path(document.code, record.party_code),
            )
            files[confirmation.path] = sealed.model_dump_json().encode("utf-8")
            confirmations.append(confirmation)
        entries.append(
            InventoryDocument(
                number=document.number,
                code=document.code,
                path=path,
                first_record=document.first_record,
                last_record=document.last_record,
                procedural_number=document.procedural_number,
                doc_type=document.doc_type,
                title=document.title,
                form=document.form,
                status=document.status,
                secrecy=document.secrecy,
                sha256=document.sha256,
                size=document.size,
                page_count=document.page_count,
                registered_at=document.registered_at,
                signatures=signatures,
                confirmations=tuple(confirmations),
            )
        )
    inventory = BundleInventory(
        case_code=case.code,
        case_title=case.title,
        stage=case.stage,
        secrecy=case.secrecy,
        agency_code=case.owner_agency.code,
        agency_name=case.owner_agency.name,
        exported_at=exported_at,
        exported_by=actor.username,
        record_count=max((d.last_record for d in documents), default=0),
        documents=tuple(entries),
    )
    return CaseFileExport(case=case, inventory=inventory, files=files)


def record_case_file_export(
    session: Session, *, actor: User, export: CaseFileExport, bundle_sha256: str, written_to: str
) -> AuditEvent:
    """Log the copy: who exported which case, when, and the SHA-256 of the bundle."""
    return record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="case.exported",
        object_type="case",
        object_code=export.case.code,
        occurred_at=export.inventory.exported_at,
        details={
            "format": "asic-e",
            "bundle_sha256": bundle_sha256,
            "documents": [doc.code for doc in export.inventory.documents],
            "record_count": export.inventory.record_count,
            "written_to": written_to,
        },
    )
