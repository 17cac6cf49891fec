"""The signature font: a Vietnamese-complete cut of Liberation Serif 2, made at run time,
and the visible blocks drawn with it still read back as the exact Vietnamese text."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from casefile.fonts import (
    SERIF_REGULAR,
    VIETNAMESE_LETTERS,
    ensure_signature_font,
    font_codepoints,
)
from casefile.signing.pades import (
    Box,
    RegisterStamp,
    SignatureOptions,
    apply_register_stamp,
    sign_document,
)
from casefile.signing.runtime import SigningRuntime
from casefile.signing.validation import Verdict, validate_pdf

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
VOWEL_WORDS = [
    "".join(unicodedata.normalize("NFC", v + t) for t in TONES)
    for base in VOWELS
    for v in (base, base.upper())
]
"""One word per vowel and case with each tone: "aàáãảạ", "AÀÁÃẢẠ", … (NFC)."""


def test_vietnamese_letters_are_every_vowel_with_every_tone_and_d() -> None:
    assert len(VIETNAMESE_LETTERS) == 12 * 6 * 2 + 2
    assert {"ự", "Ỹ", "ẳ", "Ậ", "đ", "Đ", "ơ", "Ư"} <= VIETNAMESE_LETTERS
    assert all(len(letter) == 1 for letter in VIETNAMESE_LETTERS)  # precomposed


def test_signature_font_covers_vietnamese_and_is_cached(tmp_path: Path) -> None:
    path = ensure_signature_font(tmp_path / "fonts")
    covered = font_codepoints(path)
    assert {ord(c) for c in VIETNAMESE_LETTERS} <= covered
    assert {ord(c) for c in "0123456789–…“”‘’.,;:!?()/%-"} <= covered
    assert set(range(0x1EA0, 0x1EFA)) <= covered
    assert path.stat().st_size < SERIF_REGULAR.stat().st_size / 4
    with TTFont(str(path)) as font:
        assert not {"GSUB", "GPOS", "GDEF"} & set(font.keys())
        assert "kern" in font  # kerning kept
    written = path.stat().st_mtime_ns
    assert ensure_signature_font(tmp_path / "fonts") == path
    assert path.stat().st_mtime_ns == written  # reused, not generated again
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_signature_font_refuses_a_font_without_vietnamese(tmp_path: Path) -> None:
    options = subset.Options()
    font = subset.load_font(str(SERIF_REGULAR), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[*range(0x20, 0x7F), *range(0xA0, 0x180)])  # no ơ ư ạ …
    subsetter.subset(font)
    latin = tmp_path / "LatinOnly.ttf"
    subset.save_font(font, str(latin), options)
    with pytest.raises(ValueError, match="Vietnamese"):
        ensure_signature_font(tmp_path / "fonts", source=latin)


def _blank_pdf() -> bytes:
    writer = PdfFileWriter()
    writer.insert_page(
        PageObject(
            contents=writer.add_object(generic.StreamObject(stream_data=b"")),
            media_box=generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
        )
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing (Debian poppler-utils): run scripts/bootstrap.sh")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


async def test_visible_block_and_stamp_in_signature_font_read_back_vietnamese(
    signing: SigningRuntime, tmp_path: Path
) -> None:
    assert signing.env.font_file != SERIF_REGULAR  # the runtime draws with the cut font
    assert signing.env.font_file.name.startswith("LiberationSerif-Regular-vi-")
    signer = await signing.signer("investigator")
    try:
        signed = await sign_document(
            _blank_pdf(),
            signer,
            signing.env,
            SignatureOptions(
                field_name="ChuKy",
                box=Box(0, 30, 420, 565, 820),
                signer_name="Đặng Quốc Khánh",
                signer_title="Điều tra viên",
                agency=" ".join(VOWEL_WORDS),
            ),
        )
    finally:
        await signer.aclose()
    stamped = await apply_register_stamp(
        signed,
        RegisterStamp(
            file_code="CSDTHN-2026-000001-03",
            record_number="1–2",
            agency="Nguyễn Thị Hường, Trưởng phòng Hồ sơ",
            procedural_number="12/QĐ-CSĐT",
            box=Box(0, 30, 20, 565, 400),
        ),
        signing.env,
    )
    text = _pdftotext(stamped, tmp_path)
    assert "Ký bởi: Đặng Quốc Khánh" in text
    assert "Chức danh: Điều tra viên" in text
    words = set(text.split())
    missing = [word for word in VOWEL_WORDS if word not in words]
    assert not missing, text
    assert "Nguyễn Thị Hường, Trưởng phòng Hồ sơ" in text
    assert "DẤU VÀO SỔ HỒ SƠ ĐIỆN TỬ" in text
    assert "Bút lục số: 1–2" in text
    outcome = await validate_pdf(stamped, signing.policy)
    assert outcome.verdict is Verdict.VALID, outcome.reason


async def test_text_outside_the_cut_falls_back_to_the_full_font(
    signing: SigningRuntime, tmp_path: Path
) -> None:
    signer = await signing.signer("investigator")
    try:
        signed = await sign_document(
            _blank_pdf(),
            signer,
            signing.env,
            SignatureOptions(
                field_name="ChuKy",
                box=Box(0, 30, 600, 565, 820),
                signer_name="Иван Петров (Ιωάννης)",
                agency="Cơ quan Cảnh sát điều tra",
            ),
        )
    finally:
        await signer.aclose()
    text = _pdftotext(signed, tmp_path)
    assert "Ký bởi: Иван Петров (Ιωάννης)" in text
    assert "Cơ quan: Cơ quan Cảnh sát điều tra" in text
