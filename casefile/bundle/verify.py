"""Verify a case-file bundle offline: container, manifest, seal, files, inventory, PDFs.

Legal basis: Joint Circular art. 9(3) and 15(1) (the receiving agency verifies the
legality of the file: every signature, every hash, the inventory), art. 7(2)-(3)
(certificate effective when signed, content unaltered), art. 10(3) (record numbers
without gaps), art. 17(1)(a) (automatic verification of signatures and integrity).

Needs no database and no network: the trust roots come from the caller, everything else
(certificates, CRLs, OCSP responses, time-stamps) from the bundle. Every check runs even
after an earlier one failed, so the result names every change, not only the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from asn1crypto import x509
from pydantic import ValidationError

from casefile.bundle.container import (
    ASIC_E_MIMETYPE,
    MANIFEST_PATH,
    MIMETYPE_PATH,
    SIGNATURE_PATH,
    read_container,
)
from casefile.bundle.export import INVENTORY_PATH
from casefile.bundle.inventory import (
    BundleInventory,
    InventoryDocument,
    InventorySignature,
    pdf_signature_facts,
    record_gaps,
)
from casefile.bundle.manifest import DataObject, MalformedManifest, Manifest, parse_manifest
from casefile.bundle.revocation import RevocationData
from casefile.bundle.seal import SealCheck, verify_seal
from casefile.confirmation import (
    ConfirmationVerification,
    SealedConfirmation,
    verify_confirmation,
)
from casefile.signing.validation import DocumentValidation, ValidationPolicy, Verdict, validate_pdf

__all__ = ["BundleProblem", "BundleVerification", "DocumentCheck", "Finding", "verify_bundle"]


class BundleProblem(StrEnum):
    """What is wrong with a bundle; stable values, for callers and scripts."""

    MIMETYPE_WRONG = "mimetype_wrong"
    """``mimetype`` is not the first, uncompressed entry naming ASiC-E."""
    MANIFEST_MISSING = "manifest_missing"
    MANIFEST_MALFORMED = "manifest_malformed"
    SEAL_MISSING = "seal_missing"
    SEAL_MALFORMED = "seal_malformed"
    SEAL_BROKEN = "seal_broken"
    """The manifest was changed after sealing, or the seal's signature does not verify."""
    SEAL_UNTRUSTED = "seal_untrusted"
    SEAL_WRONG_AGENCY = "seal_wrong_agency"
    FILE_MISSING = "file_missing"
    """The manifest lists a file the bundle does not hold."""
    FILE_EXTRA = "file_extra"
    """The bundle holds a file the manifest does not list."""
    FILE_HASH_MISMATCH = "file_hash_mismatch"
    """A file's SHA-256 is not the one the manifest lists."""
    INVENTORY_MISSING = "inventory_missing"
    INVENTORY_MALFORMED = "inventory_malformed"
    INVENTORY_MISMATCH = "inventory_mismatch"
    """The inventory and the manifest (or a PDF's signatures) disagree."""
    RECORD_GAP = "record_gap"
    """Document or record (bút lục) numbers with a gap (art. 10(3))."""
    SIGNATURE_INVALID = "signature_invalid"
    """A PDF's signatures or time-stamps do not validate."""
    SIGNATURE_INDETERMINATE = "signature_indeterminate"
    """A PDF's signatures cannot be decided with the data in the bundle."""
    CONFIRMATION_INVALID = "confirmation_invalid"
    """A participant's sealed confirmation does not verify, or is not of its document
    (art. 6, 7(6))."""


Found = Callable[[BundleProblem, str | None, str], None]
"""Records one finding (problem, bundle path, detail)."""

_SEAL_PROBLEMS = {
    "seal_malformed": BundleProblem.SEAL_MALFORMED,
    "seal_broken": BundleProblem.SEAL_BROKEN,
    "seal_untrusted": BundleProblem.SEAL_UNTRUSTED,
    "seal_wrong_agency": BundleProblem.SEAL_WRONG_AGENCY,
}


@dataclass(frozen=True)
class Finding:
    problem: BundleProblem
    path: str | None
    """The bundle entry concerned, if one is."""
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"problem": self.problem.value, "path": self.path, "detail": self.detail}


@dataclass(frozen=True)
class DocumentCheck:
    """The validation of one PDF of the bundle."""

    path: str
    code: str | None
    validation: DocumentValidation
    proven_at: datetime | None
    """The seal's time-stamp time, as of which the PDF was validated; ``None``: now."""
    confirmations: tuple[ConfirmationVerification, ...] = ()


@dataclass(frozen=True)
class BundleVerification:
    verdict: Verdict
    inventory: BundleInventory | None
    seal: SealCheck | None
    findings: tuple[Finding, ...]
    documents: tuple[DocumentCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        inventory = self.inventory
        seal = self.seal
        return {
            "verdict": self.verdict.value,
            "case_code": inventory.case_code if inventory else None,
            "agency_code": inventory.agency_code if inventory else None,
            "exported_at": inventory.exported_at.isoformat() if inventory else None,
            "seal": None
            if seal is None
            else {
                "valid": seal.problem is None,
                "holder": seal.holder,
                "organization": seal.organization,
                "certificate_serial": seal.certificate_serial,
                "timestamp_time": _iso(seal.timestamp_time),
            },
            "findings": [f.to_dict() for f in self.findings],
            "documents": [
                {
                    "path": d.path,
                    "code": d.code,
                    "proven_at": _iso(d.proven_at),
                    **d.validation.to_dict(),
                    "confirmations": [c.to_dict() for c in d.confirmations],
                }
                for d in self.documents
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def verify_bundle(
    data: bytes, *, trust_roots: Sequence[x509.Certificate]
) -> BundleVerification:
    """Verify the bundle ``data`` against ``trust_roots``.

    Raises :class:`~casefile.bundle.container.UnreadableContainer` when ``data`` is not a
    ZIP that can be read safely (unusable input rather than a verdict).
    """
    container = read_container(data)
    entries = container.entries
    findings: list[Finding] = []

    def found(problem: BundleProblem, path: str | None, detail: str) -> None:
        findings.append(Finding(problem, path, detail))

    if not container.mimetype_stored or entries.get(MIMETYPE_PATH) != ASIC_E_MIMETYPE.encode():
        found(
            BundleProblem.MIMETYPE_WRONG,
            MIMETYPE_PATH,
            f"the first entry must be an uncompressed 'mimetype' saying {ASIC_E_MIMETYPE}",
        )
    manifest = _manifest(entries, found)
    if manifest is None:
        return _result(None, None, findings, [])

    listed = manifest.by_path()
    intact = _check_files(entries, listed, manifest.signature_path, found)
    revocation = RevocationData(
        crls=_validation_data(intact, ".crl"), ocsps=_validation_data(intact, ".ocsp")
    )
    # read even a changed inventory: the seal check needs the agency it names
    inventory = _inventory(entries, listed, found)
    seal = await _seal(
        entries,
        manifest,
        inventory=inventory,
        trust_roots=trust_roots,
        revocation=revocation,
        found=found,
    )
    if inventory is not None:
        _compare_inventory(inventory, listed, found)
        for gap in record_gaps(inventory.documents):
            found(BundleProblem.RECORD_GAP, INVENTORY_PATH, gap)

    documents = await _check_documents(
        entries,
        intact=intact,
        inventory=inventory,
        policy=ValidationPolicy(
            trust_roots=tuple(trust_roots),
            extra_crls=revocation.crls,
            extra_ocsps=revocation.ocsps,
        ),
        # a sound seal's time-stamp proves when the listed files existed
        sealed_at=seal.timestamp_time if seal is not None and seal.problem is None else None,
        found=found,
    )
    return _result(inventory, seal, findings, documents)


def _check_files(
    entries: Mapping[str, bytes],
    listed: Mapping[str, DataObject],
    signature_path: str,
    found: Found,
) -> dict[str, bytes]:
    """No file missing, none extra, each as hashed in the manifest; return the intact ones."""
    unlisted = {MIMETYPE_PATH, MANIFEST_PATH, signature_path}
    for path in sorted(set(listed) - set(entries)):
        found(BundleProblem.FILE_MISSING, path, "listed in the manifest but not in the bundle")
    for path in sorted(set(entries) - set(listed) - unlisted):
        found(BundleProblem.FILE_EXTRA, path, "in the bundle but not listed in the manifest")
    intact: dict[str, bytes] = {}
    for path, obj in listed.items():
        if path not in entries:
            continue
        actual = _sha256(entries[path])
        if actual != obj.sha256:
            found(
                BundleProblem.FILE_HASH_MISMATCH,
                path,
                f"SHA-256 {actual}, the manifest lists {obj.sha256}",
            )
        else:
            intact[path] = entries[path]
    return intact


async def _check_documents(
    entries: Mapping[str, bytes],
    *,
    intact: Mapping[str, bytes],
    inventory: BundleInventory | None,
    policy: ValidationPolicy,
    sealed_at: datetime | None,
    found: Found,
) -> list[DocumentCheck]:
    """Validate every PDF in the bundle, compare its signatures with the inventory and
    verify its participants' sealed confirmations.

    An intact PDF of a soundly sealed bundle is validated as of the seal's time-stamp,
    with the revocation data fetched at export (an OCSP response is fresh for minutes,
    not for the months a bundle may wait): the time-stamp over the manifest is a proof
    of existence, as an archive time-stamp is (ETSI EN 319 102-1 §5.6.2). Any other
    PDF is validated as of now.
    """
    listed = {doc.path: doc for doc in inventory.documents} if inventory else {}
    documents = []
    for path in sorted(p for p in entries if p.startswith("documents/") and p.endswith(".pdf")):
        pdf = entries[path]
        proven_at = sealed_at if path in intact else None
        validation = await validate_pdf(pdf, policy, proven_at=proven_at)
        code = listed[path].code if path in listed else None
        confirmations = (
            await _check_confirmations(
                listed[path], pdf, intact=intact, policy=policy, proven_at=proven_at, found=found
            )
            if path in listed
            else ()
        )
        documents.append(DocumentCheck(path, code, validation, proven_at, confirmations))
        if validation.verdict is Verdict.INVALID:
            found(BundleProblem.SIGNATURE_INVALID, path, f"the PDF is invalid: {validation.reason}")
        elif validation.verdict is Verdict.INDETERMINATE:
            found(
                BundleProblem.SIGNATURE_INDETERMINATE,
                path,
                f"the PDF's signatures cannot be decided: {validation.reason}",
            )
        if path in listed:
            _compare_signatures(path, pdf, listed[path].signatures, found)
    return documents


async def _check_confirmations(
    document: InventoryDocument,
    pdf: bytes,
    *,
    intact: Mapping[str, bytes],
    policy: ValidationPolicy,
    proven_at: datetime | None,
    found: Found,
) -> tuple[ConfirmationVerification, ...]:
    """Verify each sealed confirmation of ``document`` against its PDF (art. 6, 7(6)).

    A file that is missing or does not match the manifest is already a finding.
    """
    results = []
    for listed in document.confirmations:
        data = intact.get(listed.path)
        if data is None:
            continue
        try:
            sealed = SealedConfirmation.model_validate_json(data)
        except ValidationError as exc:
            found(BundleProblem.CONFIRMATION_INVALID, listed.path, f"not a sealed record: {exc}")
            continue
        record = sealed.record
        if (record.document_code, record.party_code) != (document.code, listed.party_code):
            found(
                BundleProblem.CONFIRMATION_INVALID,
                listed.path,
                f"the record confirms {record.document_code} by {record.party_code}, "
                f"the inventory lists it for {document.code} by {listed.party_code}",
            )
            continue
        result = await verify_confirmation(
            sealed,
            pdf,
            policy.trust_roots,
            require_revocation_info=True,
            validation_time=proven_at,
            crls=policy.extra_crls,
            ocsps=policy.extra_ocsps,
        )
        results.append(result)
        if result.verdict is not Verdict.VALID:
            found(
                BundleProblem.CONFIRMATION_INVALID,
                listed.path,
                f"{result.reason.value}: {result.detail}",
            )
    return tuple(results)


def _validation_data(files: Mapping[str, bytes], suffix: str) -> tuple[bytes, ...]:
    return tuple(
        data
        for path, data in files.items()
        if path.startswith("validation/") and path.endswith(suffix)
    )


def _result(
    inventory: BundleInventory | None,
    seal: SealCheck | None,
    findings: list[Finding],
    documents: list[DocumentCheck],
) -> BundleVerification:
    if not findings:
        verdict = Verdict.VALID
    elif all(f.problem is BundleProblem.SIGNATURE_INDETERMINATE for f in findings):
        verdict = Verdict.INDETERMINATE
    else:
        verdict = Verdict.INVALID
    return BundleVerification(verdict, inventory, seal, tuple(findings), tuple(documents))


def _manifest(entries: Mapping[str, bytes], found: Found) -> Manifest | None:
    raw = entries.get(MANIFEST_PATH)
    if raw is None:
        found(BundleProblem.MANIFEST_MISSING, MANIFEST_PATH, "the bundle has no ASiCManifest")
        return None
    try:
        manifest = parse_manifest(raw)
    except MalformedManifest as exc:
        found(BundleProblem.MANIFEST_MALFORMED, MANIFEST_PATH, str(exc))
        return None
    if manifest.signature_path != SIGNATURE_PATH:
        found(
            BundleProblem.MANIFEST_MALFORMED,
            MANIFEST_PATH,
            f"the manifest names the signature {manifest.signature_path!r}, "
            f"expected {SIGNATURE_PATH!r}",
        )
    return manifest


def _inventory(
    entries: Mapping[str, bytes], listed: Mapping[str, DataObject], found: Found
) -> BundleInventory | None:
    raw = entries.get(INVENTORY_PATH)
    if raw is None:
        found(BundleProblem.INVENTORY_MISSING, INVENTORY_PATH, "the bundle has no inventory")
        return None
    if INVENTORY_PATH in listed and not listed[INVENTORY_PATH].root:
        found(BundleProblem.MANIFEST_MALFORMED, MANIFEST_PATH, "the inventory is not the root file")
    try:
        return BundleInventory.model_validate_json(raw)
    except ValidationError as exc:
        found(BundleProblem.INVENTORY_MALFORMED, INVENTORY_PATH, f"not an inventory: {exc}")
        return None


async def _seal(
    entries: Mapping[str, bytes],
    manifest: Manifest,
    *,
    inventory: BundleInventory | None,
    trust_roots: Sequence[x509.Certificate],
    revocation: RevocationData,
    found: Found,
) -> SealCheck | None:
    p7s = entries.get(manifest.signature_path)
    if p7s is None:
        found(BundleProblem.SEAL_MISSING, manifest.signature_path, "the bundle is not sealed")
        return None
    seal = await verify_seal(
        entries[MANIFEST_PATH],
        p7s,
        agency_name=inventory.agency_name if inventory else "",
        trust_roots=trust_roots,
        revocation=revocation,
    )
    if seal.problem is not None:
        found(_SEAL_PROBLEMS[seal.problem.value], manifest.signature_path, seal.detail or "")
    return seal


def _compare_inventory(
    inventory: BundleInventory, listed: Mapping[str, DataObject], found: Found
) -> None:
    """The inventory's documents and confirmations are exactly the manifest's, the PDFs
    with the same hashes."""
    documents = {doc.path: doc for doc in inventory.documents}
    manifest_pdfs = {p for p in listed if p.startswith("documents/")}
    for path in sorted(manifest_pdfs - set(documents)):
        found(BundleProblem.INVENTORY_MISMATCH, path, "in the manifest but not in the inventory")
    for path, doc in sorted(documents.items()):
        if path not in listed:
            found(BundleProblem.INVENTORY_MISMATCH, path, f"{doc.code} is not in the manifest")
        elif listed[path].sha256 != doc.sha256:
            found(
                BundleProblem.INVENTORY_MISMATCH,
                path,
                f"{doc.code}: the inventory says SHA-256 {doc.sha256}, "
                f"the manifest {listed[path].sha256}",
            )
    confirmations = {c.path for doc in inventory.documents for c in doc.confirmations}
    manifest_confirmations = {p for p in listed if p.startswith("confirmations/")}
    for path in sorted(manifest_confirmations - confirmations):
        found(BundleProblem.INVENTORY_MISMATCH, path, "in the manifest but not in the inventory")
    for path in sorted(confirmations - manifest_confirmations):
        found(BundleProblem.INVENTORY_MISMATCH, path, "a confirmation not in the manifest")
    if inventory.record_count != max((d.last_record for d in inventory.documents), default=0):
        found(
            BundleProblem.INVENTORY_MISMATCH,
            INVENTORY_PATH,
            f"record count {inventory.record_count} is not the last document's last record",
        )


def _compare_signatures(
    path: str, pdf: bytes, expected: Sequence[InventorySignature], found: Found
) -> None:
    """The PDF carries the signatures the inventory lists (field and certificate)."""
    try:
        actual = pdf_signature_facts(pdf)
    except ValueError:
        return  # not a readable PDF: its validation already says so (FORMAT_ERROR)
    pairs = {(s.field_name, s.certificate_sha256) for s in actual}
    listed = {(s.field_name, s.certificate_sha256) for s in expected}
    if pairs != listed:
        found(
            BundleProblem.INVENTORY_MISMATCH,
            path,
            f"the PDF's signatures {sorted(f for f, _ in pairs)} are not the inventory's "
            f"{sorted(f for f, _ in listed)} (field or certificate differs)",
        )
