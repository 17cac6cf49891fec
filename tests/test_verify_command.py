"""`hoso verify FILE.pdf`: exit 0 valid, 1 invalid, 2 unusable input; offline."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from casefile.signing.pades import Box, SignatureOptions, sign_document
from casefile.signing.pki import DemoPKI
from casefile.signing.runtime import SigningRuntime
from tests.casefile.signing.conftest import _make_pdf


def _verify(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoso.cli", "verify", *args],
        env={"HOSO_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
async def signed_pdf(signing: SigningRuntime, tmp_path: Path) -> Path:
    signer = await signing.signer("investigator")
    try:
        signed = await sign_document(
            _make_pdf(),
            signer,
            signing.env,
            SignatureOptions(field_name="ChuKyBanHanh", box=Box(0, 320, 60, 560, 150)),
        )
    finally:
        await signer.aclose()
    path = tmp_path / "quyet-dinh.pdf"
    path.write_bytes(signed)
    return path


async def test_verify_valid_pdf_exits_0_with_vietnamese_report(
    signing: SigningRuntime, signed_pdf: Path
) -> None:
    result = _verify(_pki_home(signing), str(signed_pdf))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HỢP LỆ" in result.stdout and "Nguyễn Văn An" in result.stdout
    as_json = _verify(_pki_home(signing), "--format", "json", str(signed_pdf))
    assert json.loads(as_json.stdout)["verdict"] == "valid"


async def test_verify_flipped_byte_exits_1(signing: SigningRuntime, signed_pdf: Path) -> None:
    data = bytearray(signed_pdf.read_bytes())
    data[data.index(b"QUYET DINH")] ^= 0x01
    signed_pdf.write_bytes(bytes(data))
    result = _verify(_pki_home(signing), str(signed_pdf))
    assert result.returncode == 1
    assert "KHÔNG HỢP LỆ" in result.stdout


async def test_verify_against_unknown_trust_root_exits_1(
    signing: SigningRuntime, signed_pdf: Path, tmp_path: Path
) -> None:
    other = DemoPKI.generate(tmp_path / "other-pki")
    root = tmp_path / "other-root.der"
    root.write_bytes(other.trust_roots[0].dump())
    result = _verify(tmp_path, "--trust-roots", str(root), str(signed_pdf))
    assert result.returncode == 1, result.stdout + result.stderr


def test_verify_unusable_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "note.pdf").write_text("not a pdf")
    assert _verify(tmp_path, str(tmp_path / "missing.pdf")).returncode == 2
    result = _verify(tmp_path, str(tmp_path / "note.pdf"))
    assert result.returncode == 2 and "not a PDF" in result.stderr


def _pki_home(signing: SigningRuntime) -> Path:
    """HOSO_DATA_DIR under which the session's demo PKI lives (``<data dir>/pki``)."""
    return Path(signing.pki.directory).parent
