"""A participant's watermarked copy: the text on every page, Vietnamese intact, the original
bytes as the copy's first revision, the signatures still intact and verifiable."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from casefile.signing.pades import SignatureOptions, SigningEnvironment, sign_document
from casefile.signing.signers import SoftwareSigner
from casefile.signing.validation import ReasonCode, ValidationPolicy, Verdict, validate_pdf
from casefile.signing.watermark import watermark_copy
from tests.casefile.signing.conftest import SIGNATURE_BOX, _make_pdf
from tests.casefile.signing.test_pades import _pdftotext

NAME = "Ngô Thị Hường"
WATERMARK = (
    f"BẢN SAO do {NAME} (người bào chữa của bị can Đặng Quốc Khánh) sao lúc "
    "04/12/2026 20:15:03 (UTC+07:00)"
)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def _signed_two_pages(env: SigningEnvironment, signer_for: Callable) -> bytes:
    signer: SoftwareSigner = signer_for("investigator")
    return await sign_document(
        _make_pdf(2),
        signer,
        env,
        SignatureOptions(field_name="ChuKy_DTV", box=SIGNATURE_BOX, certify=True),
    )


async def test_watermark_copy_names_the_copier_on_every_page_and_keeps_the_original(
    env: SigningEnvironment, signer_for: Callable, policy: ValidationPolicy, tmp_path: Path
) -> None:
    original = await _signed_two_pages(env, signer_for)
    digest = hashlib.sha256(original).hexdigest()

    copy = watermark_copy(original, WATERMARK, font_file=env.font_file)

    assert hashlib.sha256(original).hexdigest() == digest  # the input is not touched
    assert copy.startswith(original)  # an incremental update: the signed revision is intact
    pages = _pdftotext(copy, tmp_path).split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    for page in pages[:2]:
        assert WATERMARK in _squeezed(page), page
        assert "QUYET DINH KHOI TO VU AN HINH SU" in page

    original_result = await validate_pdf(original, policy)
    assert original_result.verdict is Verdict.VALID, original_result.to_dict()
    copy_result = await validate_pdf(copy, policy)
    (signature,) = copy_result.signatures
    # a copy never passes for the original: the signature is intact, the page was changed
    assert signature.intact and signature.crypto_valid and signature.trusted
    assert signature.later_revisions == 1
    assert (copy_result.verdict, signature.reason) == (
        Verdict.INVALID,
        ReasonCode.MODIFIED_AFTER_SIGNING,
    )
    revision = await validate_pdf(copy[: len(original)], policy)
    assert revision.verdict is Verdict.VALID


def test_watermark_copy_text_stays_on_the_page_as_viewers_lay_it_out(tmp_path: Path) -> None:
    """Viewers place glyphs by the font's /W widths: in the font's own units (2048 per em)
    instead of thousandths of an em, the line would run off the page."""
    path = tmp_path / "copy.pdf"
    path.write_bytes(watermark_copy(_make_pdf(1), WATERMARK))
    words = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    right_edges = [float(x) for x in re.findall(r'xMax="([0-9.]+)"', words)]
    assert right_edges and max(right_edges) < 595 - 6


def test_watermark_copy_normalizes_decomposed_vietnamese(tmp_path: Path) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", WATERMARK)
    assert decomposed != WATERMARK
    copy = watermark_copy(_make_pdf(1), decomposed)
    assert WATERMARK in _squeezed(_pdftotext(copy, tmp_path))
