"""`hoso export CASE-CODE` and `hoso verify bundle.asice`, as an operator runs them.

Export reads the database and blob store of the HOSO_* settings and logs the copy
(Joint Circular art. 4(4)); verification runs with no database reachable and no demo PKI,
only the trust root given: exit 0 valid, 1 invalid (the problem named), 2 unusable input.
"""

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.models import AuditEvent
from casefile.signing.pades import Box, SignatureOptions, sign_document
from casefile.signing.runtime import SigningRuntime
from tests.casefile.signing.conftest import _make_pdf
from tests.conftest import Database
from tests.factories import add_pdf_document, create_case

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def _hoso(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoso.cli", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
async def filed_case(
    database: Database, demo_tokens: dict[str, str], signing: SigningRuntime, tmp_path: Path
) -> str:
    """A case of CSDTHN with two documents signed by the investigator, filed in order."""
    blobs = FileBlobStore(tmp_path / "blobs")
    signer = await signing.signer("investigator")
    try:
        pdfs = [
            await sign_document(
                _make_pdf(pages),
                signer,
                signing.env,
                SignatureOptions(field_name="ChuKyBanHanh", box=Box(0, 320, 60, 560, 150)),
            )
            for pages in (1, 2)
        ]
    finally:
        await signer.aclose()
    with transaction(database.sessions) as session:
        case = create_case(session)
        for n, pdf in enumerate(pdfs, 1):
            add_pdf_document(session, case, blobs, pdf, pages=n)
        return case.code


def _installation(database: Database, signing: SigningRuntime, tmp_path: Path) -> dict[str, str]:
    """The settings of the exporting installation (its demo PKI is ``<data dir>/pki``)."""
    return {
        "HOSO_DATA_DIR": str(Path(signing.pki.directory).parent),
        "HOSO_DATABASE_URL": database.url,
        "HOSO_BLOB_DIR": str(tmp_path / "blobs"),
    }


def _receiver(tmp_path: Path, signing: SigningRuntime) -> tuple[dict[str, str], Path]:
    """Another machine: no database it can reach, no PKI, only the root certificate."""
    home = tmp_path / "receiver"
    home.mkdir()
    root = home / "root.der"
    root.write_bytes(signing.pki.root.dump())
    return {"HOSO_DATA_DIR": str(home), "HOSO_DATABASE_URL": UNREACHABLE_DATABASE}, root


async def test_export_writes_sealed_bundle_verified_elsewhere(
    database: Database, signing: SigningRuntime, filed_case: str, tmp_path: Path
) -> None:
    bundle = tmp_path / "out" / "ho-so.asice"
    bundle.parent.mkdir()

    exported = _hoso(
        _installation(database, signing, tmp_path),
        "export",
        filed_case,
        "--user",
        "dtv.an",
        "--output",
        str(bundle),
    )

    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert filed_case in exported.stdout and bundle.is_file()
    with database.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.exported")
        ).one()
    details = json.loads(event.details)
    assert (event.actor, event.object_code) == ("dtv.an", filed_case)
    assert details["bundle_sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()

    env, root = _receiver(tmp_path, signing)
    verified = _hoso(env, "verify", "--trust-roots", str(root), str(bundle))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "KẾT LUẬN: HỢP LỆ" in verified.stdout and filed_case in verified.stdout
    as_json = _hoso(env, "verify", "--format", "json", "--trust-roots", str(root), str(bundle))
    report = json.loads(as_json.stdout)
    assert (report["verdict"], report["case_code"], report["findings"]) == (
        "valid",
        filed_case,
        [],
    )
    assert [d["verdict"] for d in report["documents"]] == ["valid", "valid"]

    # the receiver finds one PDF gone: exit 1, the file named
    removed = tmp_path / "removed.asice"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(removed, "w") as target:
        gone = next(n for n in source.namelist() if n.startswith("documents/"))
        for info in source.infolist():
            if info.filename != gone:
                target.writestr(info, source.read(info.filename))
    tampered = _hoso(env, "verify", "--format", "json", "--trust-roots", str(root), str(removed))
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    findings = json.loads(tampered.stdout)["findings"]
    assert [(f["problem"], f["path"]) for f in findings] == [("file_missing", gone)]
    text = _hoso(env, "verify", "--trust-roots", str(root), str(removed))
    assert "KẾT LUẬN: KHÔNG HỢP LỆ" in text.stdout and gone in text.stdout


async def test_export_by_officer_of_another_agency_or_of_mistyped_code_refused(
    database: Database, signing: SigningRuntime, filed_case: str, tmp_path: Path
) -> None:
    bundle = tmp_path / "out.asice"
    result = _hoso(
        _installation(database, signing, tmp_path),
        "export",
        filed_case,
        "--user",
        "kiemsat.binh",
        "--output",
        str(bundle),
    )
    assert result.returncode == 1
    assert f"no case {filed_case}" in result.stderr and not bundle.exists()
    mistyped = filed_case[:-1] + ("0" if filed_case[-1] != "0" else "1")
    result = _hoso(
        _installation(database, signing, tmp_path),
        "export",
        mistyped,
        "--user",
        "dtv.an",
        "--output",
        str(bundle),
    )
    assert result.returncode == 2 and "check digits" in result.stderr and not bundle.exists()


def test_verify_bundle_unusable_input_exits_2(signing: SigningRuntime, tmp_path: Path) -> None:
    env, root = _receiver(tmp_path, signing)
    (tmp_path / "bundle.asice").write_bytes(b"PK\x03\x04 truncated")
    result = _hoso(env, "verify", "--trust-roots", str(root), str(tmp_path / "bundle.asice"))
    assert result.returncode == 2 and "not a case-file bundle" in result.stderr
    result = _hoso(env, "verify", str(tmp_path / "bundle.asice"))
    assert result.returncode == 2 and "no trust roots" in result.stderr
    missing = _hoso(env, "verify", "--trust-roots", str(root), str(tmp_path / "missing.asice"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
