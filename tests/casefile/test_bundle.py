"""The case-file bundle: exported from the database, verified offline, every change named.

Legal basis under test: Joint Circular art. 4(4) (the copy is logged), art. 9(3) and 15(1)
(the receiver verifies every hash, every signature and the inventory), art. 10(3)
(record numbers without gaps), art. 13(3) (sealed by the exporting agency).
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from sqlalchemy import select

from casefile.blobstore import FileBlobStore, sha256_hex
from casefile.bundle.container import (
    ASIC_E_MIMETYPE,
    MANIFEST_PATH,
    SIGNATURE_PATH,
    UnreadableContainer,
    read_container,
)
from casefile.bundle.export import INVENTORY_PATH, build_bundle
from casefile.bundle.inventory import (
    BundleInventory,
    InventoryConfirmation,
    InventoryDocument,
    confirmation_path,
    document_path,
    pdf_signature_facts,
)
from casefile.bundle.manifest import DataObject, build_manifest, parse_manifest
from casefile.bundle.seal import seal_manifest
from casefile.bundle.verify import BundleProblem, BundleVerification, verify_bundle
from casefile.confirmation import ConfirmationRecord, SealedConfirmation, seal_confirmation
from casefile.db import transaction
from casefile.errors import NotFound
from casefile.filecodes import ExtensionKind, parse_case_code
from casefile.models import AuditEvent, Document, Party
from casefile.repositories.cases import get_case_by_code
from casefile.signing.pades import (
    Box,
    RegisterStamp,
    SignatureOptions,
    apply_register_stamp,
    sign_document,
)
from casefile.signing.pki import PKCS12_PASSPHRASE, DemoPKI
from casefile.signing.runtime import SigningRuntime
from casefile.signing.signers import SoftwareSigner
from casefile.signing.validation import ReasonCode, ValidationPolicy, Verdict, validate_pdf
from casefile.usecases.confirm_document import ConfirmationTarget, file_confirmation
from casefile.usecases.export_case_file import collect_case_file, record_case_file_export
from tests.casefile.signing.conftest import BODY_MARKER, _make_pdf
from tests.casefile.test_confirmation import _record_data
from tests.conftest import Database
from tests.factories import add_document, add_party, add_pdf_document, create_case, user

PAGES = (2, 1, 3)
"""Pages of the three signed documents of the test case (records 1-2, 3, 4-6)."""


async def _signed_pdf(signing: SigningRuntime, pages: int, record: str) -> bytes:
    """A PDF signed B-T by the investigator and stamped into the register."""
    signer = await signing.signer("investigator")
    try:
        signed = await sign_document(
            _make_pdf(pages),
            signer,
            signing.env,
            SignatureOptions(field_name="ChuKyBanHanh", box=Box(0, 320, 60, 560, 150)),
        )
    finally:
        await signer.aclose()
    return await apply_register_stamp(
        signed,
        RegisterStamp(
            file_code="CSDTHN-2026-000001-03",
            record_number=record,
            agency="Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội",
            box=Box(0, 40, 60, 280, 150),
        ),
        signing.env,
    )


@pytest.fixture(scope="session")
async def signed_pdfs(signing: SigningRuntime) -> list[bytes]:
    """Three signed and stamped PDFs, made once (signing is the slow part)."""
    return [await _signed_pdf(signing, pages, str(n)) for n, pages in enumerate(PAGES, 1)]


CASE_CODE = "CSDTHN-2026-000001-03"


def _document_code(number: int) -> str:
    return str(parse_case_code(CASE_CODE).extend(ExtensionKind.DOCUMENT, number))


def _doc_path(number: int) -> str:
    return document_path(_document_code(number))


def _inventory_of(pdfs: list[bytes], *, records: list[tuple[int, int]] | None = None):
    """An inventory of ``pdfs`` as CSDTHN would export it, without a database."""
    records = records or [(1, 2), (3, 3), (4, 6)]
    documents = tuple(
        InventoryDocument(
            number=n,
            code=_document_code(n),
            path=document_path(_document_code(n)),
            first_record=first,
            last_record=last,
            procedural_number=f"{n}/QĐ-CSĐT",
            doc_type="decision_institute_case",
            title="Quyết định khởi tố vụ án hình sự",
            form="electronic",
            status="filed",
            secrecy="unclassified",
            sha256=sha256_hex(pdf),
            size=len(pdf),
            page_count=last - first + 1,
            registered_at=None,
            signatures=pdf_signature_facts(pdf),
        )
        for n, (pdf, (first, last)) in enumerate(zip(pdfs, records, strict=True), 1)
    )
    inventory = BundleInventory(
        case_code="CSDTHN-2026-000001-03",
        case_title="Vụ trộm cắp tài sản",
        stage="investigation",
        secrecy="unclassified",
        agency_code="CSDTHN",
        agency_name="Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội",
        exported_at=datetime.now(UTC),
        exported_by="dtv.an",
        record_count=records[-1][1],
        documents=documents,
    )
    return inventory, {doc.path: pdf for doc, pdf in zip(documents, pdfs, strict=True)}


async def _bundle(
    signing: SigningRuntime,
    inventory: BundleInventory,
    pdfs: Mapping[str, bytes],
    *,
    seal_signer: SoftwareSigner | None = None,
) -> bytes:
    own_seal = seal_signer is None
    signer = seal_signer or await signing.signer(signing.pki.seal_label(inventory.agency_code))
    try:
        return await build_bundle(
            inventory,
            pdfs,
            seal_signer=signer,
            timestamper=signing.env.timestamper,
            trust_roots=signing.pki.trust_roots,
            fetcher_backend=signing.services.fetcher_backend(),
        )
    finally:
        if own_seal:
            await signer.aclose()


@pytest.fixture(scope="session")
async def sealed_bundle(signing: SigningRuntime, signed_pdfs: list[bytes]) -> bytes:
    """A valid bundle of the three documents, sealed by CSDTHN."""
    inventory, pdfs = _inventory_of(signed_pdfs)
    return await _bundle(signing, inventory, pdfs)


async def _verify(signing: SigningRuntime, data: bytes) -> BundleVerification:
    """Offline: the demo root only, no fetcher, no database."""
    return await verify_bundle(data, trust_roots=signing.pki.trust_roots)


def _problems(result: BundleVerification) -> set[tuple[BundleProblem, str | None]]:
    return {(f.problem, f.path) for f in result.findings}


def _rezip(data: bytes, *, replace: Mapping[str, bytes | None] = {}, mimetype: bytes | None = None):
    """The bundle re-written with entries replaced (``None``: removed) or added."""
    container = read_container(data)
    entries = {**container.entries, **replace}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            if content is None:
                continue
            if name == "mimetype" and mimetype is not None:
                content = mimetype
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


async def _sealed_confirmation(
    signing: SigningRuntime, *, document_code: str, party_code: str, pdf: bytes
) -> SealedConfirmation:
    """A participant's fingerprint confirmation of ``pdf``, sealed by CSDTHN (art. 7(6))."""
    record = ConfirmationRecord.model_validate(
        _record_data(
            document_code=document_code,
            party_code=party_code,
            confirmed_at=datetime.now(UTC).isoformat(),
            pdf_sha256=sha256_hex(pdf),
        )
    )
    seal = await signing.signer(signing.pki.seal_label("CSDTHN"))
    try:
        return await seal_confirmation(
            record, seal, sealed_at=datetime.now(UTC), timestamper=signing.env.timestamper
        )
    finally:
        await seal.aclose()


# -- export from the database ------------------------------------------------------------


async def test_export_case_file_verifies_offline_and_is_logged(
    database: Database,
    demo_tokens: dict[str, str],
    signing: SigningRuntime,
    signed_pdfs: list[bytes],
    tmp_path: Path,
) -> None:
    blobs = FileBlobStore(tmp_path / "blobs")
    with transaction(database.sessions) as session:
        case = create_case(session, title="Vụ trộm cắp tài sản")
        for n, (pdf, pages) in enumerate(zip(signed_pdfs, PAGES, strict=True), 1):
            document = add_pdf_document(
                session, case, blobs, pdf, pages=pages, procedural_number=f"{n}/QĐ-CSĐT"
            )
        party = add_party(session, case)
        case_code, party_code, confirmed = case.code, party.code, document.code
    sealed = await _sealed_confirmation(
        signing, document_code=confirmed, party_code=party_code, pdf=signed_pdfs[-1]
    )
    with transaction(database.sessions) as session:
        case = get_case_by_code(session=session, code=case_code)
        target = ConfirmationTarget(
            session.scalars(select(Document).where(Document.code == confirmed)).one(),
            case,
            session.scalars(select(Party).where(Party.code == party_code)).one(),
        )
        file_confirmation(session, actor=user(session, "dtv.an"), target=target, sealed=sealed)
    with transaction(database.sessions) as session:
        actor = user(session, "dtv.an")
        export = collect_case_file(
            session, actor=actor, code=case_code, blobs=blobs, exported_at=datetime.now(UTC)
        )
        data = await _bundle(signing, export.inventory, export.files)
        record_case_file_export(
            session, actor=actor, export=export, bundle_sha256="0" * 64, written_to="x.asice"
        )
    database.engine.dispose()  # the verification below needs no database

    result = await _verify(signing, data)

    assert result.verdict is Verdict.VALID, result.findings
    assert result.findings == ()
    inventory = result.inventory
    assert inventory is not None and inventory.case_code == case_code
    assert [(d.first_record, d.last_record) for d in inventory.documents] == [
        (1, 2),
        (3, 3),
        (4, 6),
    ]
    assert inventory.record_count == 6 and inventory.agency_code == "CSDTHN"
    assert [d.procedural_number for d in inventory.documents] == [
        "1/QĐ-CSĐT",
        "2/QĐ-CSĐT",
        "3/QĐ-CSĐT",
    ]
    signers = {s.signer for s in inventory.documents[0].signatures}
    assert "Nguyễn Văn An" in signers and len(inventory.documents[0].signatures) == 2
    assert [d.validation.verdict for d in result.documents] == [Verdict.VALID] * 3
    assert [c.party_code for c in inventory.documents[2].confirmations] == [party_code]
    assert [c.verdict for c in result.documents[2].confirmations] == [Verdict.VALID]
    assert result.seal is not None and result.seal.organization == inventory.agency_name
    assert result.seal.timestamp_time is not None
    with database.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.exported")
        ).one()
    assert event.object_code == case_code and event.actor == "dtv.an"
    assert json.loads(event.details)["documents"] == [d.code for d in inventory.documents]


async def test_export_case_file_of_another_agency_refused(
    database: Database, demo_tokens: dict[str, str], tmp_path: Path
) -> None:
    blobs = FileBlobStore(tmp_path / "blobs")
    with transaction(database.sessions) as session:
        case_code = create_case(session).code
    with transaction(database.sessions) as session, pytest.raises(NotFound):
        collect_case_file(
            session,
            actor=user(session, "kiemsat.binh"),
            code=case_code,
            blobs=blobs,
            exported_at=datetime.now(UTC),
        )


async def test_export_case_file_with_unreadable_pdf_named_at_verification(
    database: Database, demo_tokens: dict[str, str], signing: SigningRuntime, tmp_path: Path
) -> None:
    blobs = FileBlobStore(tmp_path / "blobs")
    with transaction(database.sessions) as session:
        case = create_case(session)
        add_document(session, case, blobs)  # bytes that only start like a PDF
        case_code = case.code
    with transaction(database.sessions) as session:
        export = collect_case_file(
            session,
            actor=user(session, "dtv.an"),
            code=case_code,
            blobs=blobs,
            exported_at=datetime.now(UTC),
        )

    result = await _verify(signing, await _bundle(signing, export.inventory, export.files))

    path = export.inventory.documents[0].path
    assert _problems(result) == {(BundleProblem.SIGNATURE_INVALID, path)}
    assert result.documents[0].validation.reason is ReasonCode.FORMAT_ERROR


# -- the container as written ------------------------------------------------------------


def test_bundle_mimetype_is_first_and_stored(sealed_bundle: bytes) -> None:
    assert sealed_bundle[30:38] == b"mimetype"  # readable from the first bytes (ASiC)
    first = zipfile.ZipFile(io.BytesIO(sealed_bundle)).infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert read_container(sealed_bundle).entries["mimetype"] == ASIC_E_MIMETYPE.encode()


def test_bundle_manifest_lists_every_data_object(sealed_bundle: bytes) -> None:
    container = read_container(sealed_bundle)
    manifest = parse_manifest(container.entries[MANIFEST_PATH])
    listed = set(manifest.by_path())
    assert listed == set(container.entries) - {"mimetype", MANIFEST_PATH, SIGNATURE_PATH}
    assert any(p.startswith("validation/") for p in listed)  # revocation data travels along
    assert manifest.by_path()[INVENTORY_PATH].root


def test_bundle_seal_verified_by_openssl(
    signing: SigningRuntime, sealed_bundle: bytes, tmp_path: Path
) -> None:
    # an implementation that shares no code with pyHanko accepts the seal, and only over
    # the manifest as sealed
    openssl = shutil.which("openssl") or pytest.fail("openssl (Debian openssl) is missing")
    entries = read_container(sealed_bundle).entries
    (tmp_path / "root.der").write_bytes(signing.pki.root.dump())
    subprocess.run(
        [
            openssl,
            "x509",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "root.der"),
            "-out",
            str(tmp_path / "root.pem"),
        ],
        check=True,
    )
    (tmp_path / "signature.p7s").write_bytes(entries[SIGNATURE_PATH])

    def openssl_verify(manifest: bytes) -> subprocess.CompletedProcess[str]:
        (tmp_path / "manifest.xml").write_bytes(manifest)
        return subprocess.run(
            [
                openssl,
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-purpose",
                "any",
                "-in",
                str(tmp_path / "signature.p7s"),
                "-content",
                str(tmp_path / "manifest.xml"),
                "-CAfile",
                str(tmp_path / "root.pem"),
                "-out",
                "/dev/null",
            ],
            capture_output=True,
            text=True,
        )

    assert openssl_verify(entries[MANIFEST_PATH]).returncode == 0
    assert openssl_verify(entries[MANIFEST_PATH] + b" ").returncode != 0


# -- every kind of change is named --------------------------------------------------------


async def test_verify_bundle_valid_offline(signing: SigningRuntime, sealed_bundle: bytes) -> None:
    result = await _verify(signing, sealed_bundle)
    assert (result.verdict, result.findings) == (Verdict.VALID, ())


async def test_verify_bundle_pdf_bytes_changed(
    signing: SigningRuntime, sealed_bundle: bytes
) -> None:
    path = _doc_path(2)
    pdf = bytearray(read_container(sealed_bundle).entries[path])
    pdf[pdf.index(BODY_MARKER)] ^= 0x01
    result = await _verify(signing, _rezip(sealed_bundle, replace={path: bytes(pdf)}))
    assert result.verdict is Verdict.INVALID
    assert (BundleProblem.FILE_HASH_MISMATCH, path) in _problems(result)
    assert (BundleProblem.SIGNATURE_INVALID, path) in _problems(result)


async def test_verify_bundle_pdf_removed(signing: SigningRuntime, sealed_bundle: bytes) -> None:
    path = _doc_path(3)
    result = await _verify(signing, _rezip(sealed_bundle, replace={path: None}))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.FILE_MISSING, path)}


async def test_verify_bundle_file_added(signing: SigningRuntime, sealed_bundle: bytes) -> None:
    path = "documents/bo-sung.pdf"
    added = read_container(sealed_bundle).entries[_doc_path(1)]
    result = await _verify(signing, _rezip(sealed_bundle, replace={path: added}))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.FILE_EXTRA, path)}


async def test_verify_bundle_inventory_edited(
    signing: SigningRuntime, sealed_bundle: bytes
) -> None:
    raw = read_container(sealed_bundle).entries[INVENTORY_PATH]
    edited = raw.replace("Vụ trộm cắp tài sản".encode(), "Vụ khác".encode())
    result = await _verify(signing, _rezip(sealed_bundle, replace={INVENTORY_PATH: edited}))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.FILE_HASH_MISMATCH, INVENTORY_PATH)}


async def test_verify_bundle_inventory_and_manifest_edited_breaks_seal(
    signing: SigningRuntime, sealed_bundle: bytes
) -> None:
    entries = read_container(sealed_bundle).entries
    edited = entries[INVENTORY_PATH].replace(b'"first_record": 3', b'"first_record": 4')
    manifest = parse_manifest(entries[MANIFEST_PATH])
    objects = [
        DataObject.of(o.path, o.media_type, edited, root=True) if o.path == INVENTORY_PATH else o
        for o in manifest.objects
    ]
    result = await _verify(
        signing,
        _rezip(
            sealed_bundle,
            replace={
                INVENTORY_PATH: edited,
                MANIFEST_PATH: build_manifest(SIGNATURE_PATH, objects),
            },
        ),
    )
    assert result.verdict is Verdict.INVALID
    assert (BundleProblem.SEAL_BROKEN, SIGNATURE_PATH) in _problems(result)
    assert (BundleProblem.RECORD_GAP, INVENTORY_PATH) in _problems(result)


async def test_verify_bundle_manifest_edited_breaks_seal(
    signing: SigningRuntime, sealed_bundle: bytes
) -> None:
    manifest = read_container(sealed_bundle).entries[MANIFEST_PATH]
    edited = manifest.replace(b"<asic:SigReference", b"<!-- edited --><asic:SigReference")
    result = await _verify(signing, _rezip(sealed_bundle, replace={MANIFEST_PATH: edited}))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.SEAL_BROKEN, SIGNATURE_PATH)}


async def test_verify_bundle_resealed_by_another_agency(
    signing: SigningRuntime, signed_pdfs: list[bytes]
) -> None:
    # the procuracy's seal is sound and trusted, but the bundle says CSDTHN exported it
    inventory, pdfs = _inventory_of(signed_pdfs)
    procuracy = await signing.signer(signing.pki.seal_label("VKSHN"))
    try:
        data = await _bundle(signing, inventory, pdfs, seal_signer=procuracy)
    finally:
        await procuracy.aclose()
    result = await _verify(signing, data)
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.SEAL_WRONG_AGENCY, SIGNATURE_PATH)}


async def test_verify_bundle_sealed_with_unknown_certificate(
    signing: SigningRuntime, sealed_bundle: bytes, tmp_path: Path
) -> None:
    # a look-alike CSDTHN seal from a CA nobody trusts, over the very same manifest
    other = DemoPKI.generate(tmp_path / "other-pki")
    forger = SoftwareSigner.from_pkcs12(
        other.pkcs12_path("seal-csdthn"), passphrase=PKCS12_PASSPHRASE
    )
    manifest = read_container(sealed_bundle).entries[MANIFEST_PATH]
    forged = await seal_manifest(
        manifest, forger, timestamper=signing.env.timestamper, sealed_at=datetime.now(UTC)
    )
    result = await _verify(signing, _rezip(sealed_bundle, replace={SIGNATURE_PATH: forged}))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.SEAL_UNTRUSTED, SIGNATURE_PATH)}


async def test_verify_bundle_seal_removed(signing: SigningRuntime, sealed_bundle: bytes) -> None:
    result = await _verify(signing, _rezip(sealed_bundle, replace={SIGNATURE_PATH: None}))
    assert _problems(result) == {(BundleProblem.SEAL_MISSING, SIGNATURE_PATH)}


async def test_verify_bundle_mimetype_wrong(signing: SigningRuntime, sealed_bundle: bytes) -> None:
    result = await _verify(signing, _rezip(sealed_bundle, mimetype=b"application/zip"))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.MIMETYPE_WRONG, "mimetype")}


async def test_verify_bundle_record_gap_named(
    signing: SigningRuntime, signed_pdfs: list[bytes]
) -> None:
    # sealed as it is: the gap is in what the agency exported (records 3-4 are missing)
    inventory, pdfs = _inventory_of(signed_pdfs, records=[(1, 2), (5, 5), (6, 8)])
    result = await _verify(signing, await _bundle(signing, inventory, pdfs))
    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.RECORD_GAP, INVENTORY_PATH)}
    assert "starts at record 5, expected 3" in result.findings[0].detail


async def test_verify_bundle_against_other_trust_root(sealed_bundle: bytes, tmp_path: Path) -> None:
    other = DemoPKI.generate(tmp_path / "other-pki")
    result = await verify_bundle(sealed_bundle, trust_roots=other.trust_roots)
    assert result.verdict is Verdict.INVALID
    assert (BundleProblem.SEAL_UNTRUSTED, SIGNATURE_PATH) in _problems(result)
    assert {f.problem for f in result.findings} <= {
        BundleProblem.SEAL_UNTRUSTED,
        BundleProblem.SIGNATURE_INVALID,
    }


async def test_verify_bundle_long_after_export_validates_as_of_the_seal(
    signing: SigningRuntime,
) -> None:
    # signed three hours ago, exported two hours ago: the OCSP responses in the bundle are
    # no longer fresh today, but the seal's time-stamp proves the PDF existed back then
    signed_at = datetime.now(UTC) - timedelta(hours=3)
    exported_at = signed_at + timedelta(hours=1)
    signer = await signing.signer("investigator")
    try:
        async with signing.pki.services(at_time=signed_at) as then:
            # pyHanko directly: casefile's signing checks the signer on today's clock
            written = await PdfSigner(
                PdfSignatureMetadata(field_name="ChuKyBanHanh", subfilter=SigSeedSubFilter.PADES),
                signer=signer.signer,
                timestamper=then.timestamper(),
            ).async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(_make_pdf()), strict=False))
            pdf = await apply_register_stamp(
                written.getvalue(),
                RegisterStamp(
                    file_code="CSDTHN-2026-000001-03",
                    record_number="1",
                    agency="CSDTHN",
                    box=Box(0, 40, 60, 280, 150),
                ),
                dataclasses.replace(signing.env, timestamper=then.timestamper()),
            )
    finally:
        await signer.aclose()
    inventory, pdfs = _inventory_of([pdf], records=[(1, 1)])
    inventory = inventory.model_copy(update={"exported_at": exported_at})
    seal = await signing.signer(signing.pki.seal_label("CSDTHN"))
    try:
        async with signing.pki.services(at_time=exported_at) as export_time:
            data = await build_bundle(
                inventory,
                pdfs,
                seal_signer=seal,
                timestamper=export_time.timestamper(),
                trust_roots=signing.pki.trust_roots,
                fetcher_backend=export_time.fetcher_backend(),
            )
    finally:
        await seal.aclose()

    result = await _verify(signing, data)

    assert (result.verdict, result.findings) == (Verdict.VALID, ())
    assert len(result.documents[0].validation.signatures) == 2  # signature and stamp
    assert result.seal is not None and result.seal.timestamp_time is not None
    assert result.documents[0].proven_at == result.seal.timestamp_time
    assert abs(result.seal.timestamp_time - exported_at) < timedelta(minutes=1)
    # why: the same revocation data, judged as of today, does not decide the signature
    entries = read_container(data).entries
    today = await validate_pdf(
        pdf,
        ValidationPolicy(
            trust_roots=tuple(signing.pki.trust_roots),
            extra_crls=tuple(v for p, v in entries.items() if p.endswith(".crl")),
            extra_ocsps=tuple(v for p, v in entries.items() if p.endswith(".ocsp")),
        ),
    )
    assert today.verdict is not Verdict.VALID


async def _resealed(signing: SigningRuntime, entries: Mapping[str, bytes]) -> bytes:
    """What a faulty exporter would write: ``entries`` listed and sealed by CSDTHN as they are."""
    from casefile.bundle.container import write_container
    from casefile.bundle.export import MEDIA_TYPES

    files = {
        p: d for p, d in entries.items() if p not in {"mimetype", MANIFEST_PATH, SIGNATURE_PATH}
    }
    manifest = build_manifest(
        SIGNATURE_PATH,
        [
            DataObject.of(p, MEDIA_TYPES["." + p.rsplit(".", 1)[1]], d, root=p == INVENTORY_PATH)
            for p, d in files.items()
        ],
    )
    seal = await signing.signer(signing.pki.seal_label("CSDTHN"))
    try:
        sealed = await seal_manifest(
            manifest, seal, timestamper=signing.env.timestamper, sealed_at=datetime.now(UTC)
        )
    finally:
        await seal.aclose()
    return write_container({**files, MANIFEST_PATH: manifest, SIGNATURE_PATH: sealed})


async def test_verify_bundle_inventory_disagrees_with_documents(
    signing: SigningRuntime, sealed_bundle: bytes
) -> None:
    entries = read_container(sealed_bundle).entries
    inventory = json.loads(entries[INVENTORY_PATH])
    second, third = inventory["documents"][1], inventory["documents"][2]
    second["sha256"] = "0" * 64
    third["signatures"][0]["certificate_sha256"] = "1" * 64
    edited = json.dumps(inventory, ensure_ascii=False).encode()

    result = await _verify(signing, await _resealed(signing, {**entries, INVENTORY_PATH: edited}))

    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {
        (BundleProblem.INVENTORY_MISMATCH, second["path"]),
        (BundleProblem.INVENTORY_MISMATCH, third["path"]),
    }


async def test_verify_bundle_confirmation_record_changed(
    signing: SigningRuntime, signed_pdfs: list[bytes]
) -> None:
    inventory, files = _inventory_of(signed_pdfs)
    first = inventory.documents[0]
    party = str(parse_case_code(CASE_CODE).extend(ExtensionKind.PARTY, 1))
    sealed = await _sealed_confirmation(
        signing, document_code=first.code, party_code=party, pdf=files[first.path]
    )
    path = confirmation_path(first.code, party)
    listed = InventoryConfirmation(
        party_code=party,
        form="fingerprint",
        confirmed_at=sealed.record.confirmed_at,
        pdf_sha256=first.sha256,
        path=path,
    )
    inventory = inventory.model_copy(
        update={
            "documents": (
                first.model_copy(update={"confirmations": (listed,)}),
                *inventory.documents[1:],
            )
        }
    )
    data = await _bundle(signing, inventory, {**files, path: sealed.model_dump_json().encode()})
    assert (await _verify(signing, data)).findings == ()  # sound as exported

    # the participant's record changed, the bundle re-sealed around it: its own seal says so
    changed = json.loads(sealed.model_dump_json())
    changed["record"]["evidence"]["match_score"] = 0.99
    entries = read_container(data).entries
    result = await _verify(
        signing, await _resealed(signing, {**entries, path: json.dumps(changed).encode()})
    )

    assert result.verdict is Verdict.INVALID
    assert _problems(result) == {(BundleProblem.CONFIRMATION_INVALID, path)}
    assert result.findings[0].detail.startswith("record_changed")


async def test_verify_bundle_manifest_with_dtd_refused(
    signing: SigningRuntime, sealed_bundle: bytes
) -> None:
    manifest = read_container(sealed_bundle).entries[MANIFEST_PATH]
    bomb = manifest.replace(
        b"<asic:ASiCManifest", b'<!DOCTYPE m [<!ENTITY a "aaaa">]>\n<asic:ASiCManifest', 1
    )
    result = await _verify(signing, _rezip(sealed_bundle, replace={MANIFEST_PATH: bomb}))
    assert _problems(result) == {(BundleProblem.MANIFEST_MALFORMED, MANIFEST_PATH)}


def test_read_container_unsafe_entry_name_unusable(sealed_bundle: bytes) -> None:
    with pytest.raises(UnreadableContainer, match="unsafe entry name"):
        read_container(_rezip(sealed_bundle, replace={"../../etc/cron.d/x": b"boom"}))


async def test_verify_bundle_not_a_zip_unusable(signing: SigningRuntime) -> None:
    with pytest.raises(UnreadableContainer):
        await _verify(signing, b"%PDF-1.7 not a bundle")
