"""The inventory of an exported case file: the case, its documents and their signatures.

Legal basis: Joint Circular art. 10(3), 13(1) (file code, document codes, record numbers
without gaps), art. 6 and 7(6) (participants' confirmations), art. 15(1) (a transferred
file is checked against its inventory), art. 17(1)(a) (log of signer, signing time and
document type).

It is a data object of the bundle (``inventory.json``, the manifest's root file), so the
exporting agency's seal covers it. The signature facts are read from each PDF itself
(:func:`pdf_signature_facts`), so a verifier compares them with the PDF it holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

from casefile.signing.signers import CertificateHolder

__all__ = [
    "INVENTORY_FORMAT",
    "BundleInventory",
    "InventoryConfirmation",
    "InventoryDocument",
    "InventorySignature",
    "confirmation_path",
    "document_path",
    "pdf_signature_facts",
    "record_gaps",
]

INVENTORY_FORMAT = "hoso-case-file-inventory/1"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InventorySignature(_Frozen):
    """One signature or document time-stamp in a PDF."""

    field_name: str
    kind: Literal["signature", "certification", "document_timestamp"]
    signer: str
    """Common name of the certificate (a person, an agency's seal, or a TSA)."""
    certificate_sha256: str
    """SHA-256 of the signer's certificate (DER): its fingerprint."""
    certificate_serial: str
    issuer: str
    signed_at: datetime | None
    """The time-stamp's time, else the time the signer's software claimed."""


class InventoryConfirmation(_Frozen):
    """A participant's confirmation of the document in another form than a digital
    signature, sealed by the agency (Joint Circular art. 6, 7(6))."""

    party_code: str
    form: str
    confirmed_at: datetime
    pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The PDF the participant was shown."""
    path: str
    """Where the sealed record is in the bundle."""


class InventoryDocument(_Frozen):
    """One document of the case file as filed."""

    number: int = Field(ge=1)
    code: str
    path: str
    """Where the PDF is in the bundle."""
    first_record: int = Field(ge=1)
    last_record: int = Field(ge=1)
    procedural_number: str | None
    doc_type: str
    title: str
    form: str
    status: str
    secrecy: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    page_count: int = Field(ge=0)
    registered_at: datetime | None
    signatures: tuple[InventorySignature, ...]
    confirmations: tuple[InventoryConfirmation, ...] = ()


class BundleInventory(_Frozen):
    """The case and every document of it at the moment of export."""

    format: Literal["hoso-case-file-inventory/1"] = INVENTORY_FORMAT
    case_code: str
    case_title: str
    stage: str
    secrecy: str
    agency_code: str
    agency_name: str
    """The owning agency, which exports and seals the bundle."""
    exported_at: datetime
    exported_by: str
    record_count: int = Field(ge=0)
    documents: tuple[InventoryDocument, ...]

    def to_json(self) -> bytes:
        return (self.model_dump_json(indent=2) + "\n").encode("utf-8")


def document_path(code: str) -> str:
    """Where a document's PDF goes in the bundle (codes are URL-safe, without ``/``)."""
    return f"documents/{code}.pdf"


def confirmation_path(document_code: str, party_code: str) -> str:
    """Where a sealed confirmation goes in the bundle (JSON: the record and its seal)."""
    return f"confirmations/{document_code}/{party_code}.json"


def pdf_signature_facts(pdf: bytes) -> tuple[InventorySignature, ...]:
    """Who signed or time-stamped ``pdf``, with which certificate, in field order.

    Facts only, no validation (that is :func:`casefile.signing.validation.validate_pdf`).
    Raises ``ValueError`` when the PDF cannot be parsed.
    """
    try:
        embedded = list(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many kinds on broken PDFs
        raise ValueError(f"the PDF cannot be parsed: {exc}") from None
    facts = []
    for emb in embedded:
        cert = emb.signer_cert
        if emb.sig_object_type == "/DocTimeStamp":
            kind = "document_timestamp"
            tst_info = emb.signed_data["encap_content_info"]["content"].parsed
            signed_at = tst_info["gen_time"].native
        else:
            kind = "certification" if emb.docmdp_level else "signature"
            tst = next(extract_tst_data_iter(emb.signer_info, signed=False), None)
            signed_at = (
                tst["encap_content_info"]["content"].parsed["gen_time"].native
                if tst is not None
                else emb.self_reported_timestamp
            )
        facts.append(
            InventorySignature(
                field_name=str(emb.field_name),
                kind=kind,
                signer=CertificateHolder.from_certificate(cert).name,
                certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
                certificate_serial=format(cert.serial_number, "x"),
                issuer=cert.issuer.human_friendly,
                signed_at=signed_at,
            )
        )
    return tuple(facts)


def record_gaps(documents: Sequence[InventoryDocument]) -> list[str]:
    """What breaks the numbering: documents 1..n and record numbers 1..m without gaps.

    Legal basis: Joint Circular art. 10(3) (numbered in the order they join the file).
    """
    problems = []
    expected_number, expected_record = 1, 1
    for doc in sorted(documents, key=lambda d: d.number):
        if doc.number != expected_number:
            problems.append(
                f"document {doc.code} has number {doc.number}, expected {expected_number}"
            )
        if doc.first_record != expected_record:
            problems.append(
                f"document {doc.code} starts at record {doc.first_record}, "
                f"expected {expected_record}"
            )
        if doc.last_record < doc.first_record:
            problems.append(f"document {doc.code} ends before it starts (record {doc.last_record})")
        expected_number = doc.number + 1
        expected_record = max(doc.last_record, doc.first_record) + 1
    return problems
