"""Rendering of procedural documents to PDF/A-2b: text, fonts, conformance, signature areas.

Checked with tools that share no code with WeasyPrint: poppler-utils (`pdftotext`,
`pdffonts`, `pdfinfo`) and fontTools on the embedded font programs.
"""

import io
import re
import subprocess
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from casefile.doctypes import CATALOG, DocType, InvalidDocumentField, SignatureSlot
from casefile.rendering import (
    IssuerHeader,
    RenderedDocument,
    render_document,
    render_html,
    vn_date,
    vn_datetime,
)

HUONG = "Nguyễn Thị Hường"
KHANH = "Đặng Quốc Khánh"
HUE = "phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế"

HEADER: dict[str, Any] = {
    "superior_body": "Công an tỉnh Thừa Thiên Huế",
    "agency_name": "Cơ quan Cảnh sát điều tra",
    "procedural_number": "12/QĐ-CSĐT",
    "place": "Thừa Thiên Huế",
    "issue_date": "2026-12-04",
    "signer_name": KHANH,
    "signer_title": "Phó Thủ trưởng",
    "signer_on_behalf": "KT. Thủ trưởng",
    "authority": "Cơ quan Cảnh sát điều tra Công an tỉnh Thừa Thiên Huế",
    "recipients": ["VKSND tỉnh Thừa Thiên Huế;", "Lưu: HS, VT."],
    "document_code": "CSDTTTH-2026-000123-45-D000007-12",
}

ACCUSED: dict[str, Any] = {
    "full_name": "Trần Văn Dũng",
    "other_name": "Dũng Sẹo",
    "gender": "male",
    "birth_date": "1990-03-15",
    "birth_year": 1990,
    "birthplace": "huyện Phú Vang, tỉnh Thừa Thiên Huế",
    "ethnicity": "Kinh",
    "occupation": "lái xe",
    "national_id": "046090001234",
    "residence": HUE,
    "criminal_record": "không",
    "preventive_measure": "tạm giam từ ngày 02/12/2026",
}

FACTS = (
    "Khoảng 22 giờ ngày 01/12/2026, tại đường Lê Lợi, phường Phú Hội, bị hại "
    f"{HUONG} phát hiện bị mất chiếc xe mô tô nhãn hiệu Honda Vision trị giá khoảng "
    "35.000.000 đồng.\nQua xác minh, Trần Văn Dũng đã lợi dụng sơ hở để chiếm đoạt tài sản."
)

SAMPLES: dict[DocType, dict[str, Any]] = {
    DocType.DECISION_INSTITUTE_CASE: {
        "basis": "denunciation",
        "offence_name": "Trộm cắp tài sản",
        "penal_code_provision": "khoản 1 Điều 173",
        "occurred_on": "2026-12-01",
        "occurred_at": "đường Lê Lợi, phường Phú Hội, thành phố Huế",
        "facts": FACTS,
        "assigned_to": "Đội Điều tra tổng hợp",
        "extra_grounds": ["đơn trình báo của bà Nguyễn Thị Hường"],
    },
    DocType.DECISION_INSTITUTE_ACCUSED: {
        "accused": ACCUSED,
        "case_decision_number": "12/QĐ-CSĐT",
        "case_decision_date": "2026-12-02",
        "offence_name": "Trộm cắp tài sản",
        "penal_code_provision": "khoản 1 Điều 173",
        "facts": FACTS,
    },
    DocType.SUMMONS: {
        "person": {"full_name": HUONG, "birth_year": 1985, "residence": HUE},
        "capacity": "victim",
        "case_name": "Trộm cắp tài sản xảy ra ngày 01/12/2026",
        "appear_at": "2026-12-10T08:30:00",
        "appear_place": "Trụ sở Cơ quan Cảnh sát điều tra, số 1 Tôn Đức Thắng",
        "purpose": "Làm việc về vụ mất trộm xe mô tô.",
        "contact": "Điều tra viên Lê Minh Tuấn",
    },
    DocType.STATEMENT_RECORD: {
        "started_at": "2026-12-05T08:30:00",
        "ended_at": "2026-12-05T10:15:00",
        "place": "Trụ sở Cơ quan Cảnh sát điều tra Công an tỉnh Thừa Thiên Huế",
        "interviewer_name": "Lê Minh Tuấn",
        "interviewer_title": "Điều tra viên",
        "recorder_name": "Phạm Thu Hà",
        "deponent": {
            "full_name": HUONG,
            "gender": "female",
            "birth_year": 1985,
            "national_id": "046185004321",
            "residence": HUE,
        },
        "deponent_capacity": "victim",
        "other_participants": ["Hoàng Văn Nam, người phiên dịch"],
        "statement": "Tôi để xe trước cửa nhà lúc 21 giờ.\nKhoảng 22 giờ tôi phát hiện mất xe.",
    },
    DocType.INVESTIGATION_CONCLUSION: {
        "case_name": "Trộm cắp tài sản",
        "case_decision_number": "12/QĐ-CSĐT",
        "case_decision_date": "2026-12-02",
        "accused": [ACCUSED, {"full_name": "Võ Thị Ánh Tuyết", "birth_year": 1995}],
        "facts": FACTS,
        "evidence": "Lời khai của bị hại, dữ liệu camera an ninh.",
        "offence_name": "Trộm cắp tài sản",
        "penal_code_provision": "khoản 1 Điều 173",
        "circumstances": "Bị can thành khẩn khai báo, ăn năn hối cải.",
        "evidence_handling": "Trả lại chiếc xe mô tô cho bị hại.",
        "procuracy_name": "Viện kiểm sát nhân dân tỉnh Thừa Thiên Huế",
    },
    DocType.INDICTMENT: {
        "case_name": "Trộm cắp tài sản",
        "conclusion_number": "20/KLĐT-CSĐT",
        "conclusion_date": "2026-12-20",
        "accused": [ACCUSED],
        "facts": FACTS,
        "offence_name": "Trộm cắp tài sản",
        "penal_code_provision": "khoản 1 Điều 173",
        "court_name": "Tòa án nhân dân khu vực 1 - Thừa Thiên Huế",
        "attachments": ["Hồ sơ vụ án gồm 120 bút lục"],
    },
    DocType.DECISION_BRING_TO_TRIAL: {
        "case_name": "Trộm cắp tài sản",
        "indictment_number": "15/CT-VKS",
        "indictment_date": "2026-12-28",
        "defendants": [ACCUSED],
        "offence_name": "Trộm cắp tài sản",
        "penal_code_provision": "khoản 1 Điều 173",
        "trial_at": "2027-01-15T08:00:00",
        "trial_place": "Trụ sở Tòa án nhân dân khu vực 1 - Thừa Thiên Huế",
        "presiding_judge": "Ngô Thị Lan",
        "assessors": ["Bùi Văn Hải", "Đỗ Thị Mai"],
        "clerk": "Phan Văn Lộc",
        "prosecutor": "Huỳnh Thị Thu",
        "defence_counsel": ["Luật sư Trịnh Quang Vinh"],
        "summoned": [HUONG],
    },
    DocType.CASE_FILE_HANDOVER_RECORD: {
        "case_name": "Trộm cắp tài sản",
        "case_code": "CSDTTTH-2026-000123-45",
        "handed_over_at": "2026-12-21T14:00:00",
        "place": "Viện kiểm sát nhân dân tỉnh Thừa Thiên Huế",
        "from_agency": "Cơ quan Cảnh sát điều tra",
        "from_representative": KHANH,
        "to_agency": "Viện kiểm sát nhân dân tỉnh Thừa Thiên Huế",
        "to_representative": HUONG,
        "items": [
            {"description": "Quyết định khởi tố vụ án", "record_numbers": "1-2", "pages": 2},
            {"description": "Biên bản ghi lời khai", "record_numbers": "3-9", "pages": 7},
        ],
        "evidence_note": "01 xe mô tô Honda Vision đang tạm giữ tại kho vật chứng.",
    },
    DocType.PUBLIC_NOTIFICATION: {
        "issuing_agency": "Cơ quan Cảnh sát điều tra Công an tỉnh Thừa Thiên Huế",
        "person": {"full_name": "Trần Văn Dũng", "birth_year": 1990, "residence": HUE},
        "document_type_name": "Giấy triệu tập",
        "document_number": "30/GTT-CSĐT",
        "document_date": "2026-12-04",
        "document_content": "Triệu tập ông Trần Văn Dũng đến làm việc.",
        "obligation": "Có mặt tại trụ sở để làm việc với Điều tra viên.",
        "obligation_deadline": "2026-12-20T08:00:00",
        "obligation_place": "số 1 Tôn Đức Thắng, thành phố Huế",
        "consequences": "Nếu vắng mặt không có lý do chính đáng có thể bị áp giải.",
        "posted_from": "2026-12-05",
        "posted_until": "2026-12-07",
    },
    DocType.PROCEDURAL_DOCUMENT_NOTICE: {
        "recipient": {"full_name": HUONG, "birth_year": 1985, "residence": HUE},
        "recipient_capacity": "victim",
        "case_name": "Trộm cắp tài sản",
        "document_type_name": "Quyết định khởi tố bị can",
        "document_number": "15/QĐ-CSĐT",
        "document_date": "2026-12-03",
        "document_summary": "Khởi tố bị can Trần Văn Dũng về tội Trộm cắp tài sản.",
        "access_instructions": "Mở văn bản trong tài khoản định danh điện tử VNeID.",
        "rights_and_obligations": "Bị hại có quyền đề nghị giám định, định giá tài sản.",
    },
    DocType.NOTIFICATION_REQUEST: {
        "channels": [
            {
                "operator": "Báo trung ương phát hành hằng ngày (báo in hoặc báo điện tử)",
                "request": "đăng 03 số liên tiếp (điểm a khoản 1 Điều 20)",
            },
            {
                "operator": "Bộ phận quản trị cổng thông tin điện tử của Cơ quan CSĐT",
                "request": "đăng tải trên cổng thông tin điện tử trong 03 ngày liên tiếp",
            },
        ],
        "issuing_agency": "Cơ quan Cảnh sát điều tra Công an tỉnh Thừa Thiên Huế",
        "person_name": "Trần Văn Dũng",
        "person_birth_year": 1990,
        "person_residence": HUE,
        "document_type_name": "Giấy triệu tập",
        "document_number": "30/GTT-CSĐT",
        "document_date": "2026-12-04",
        "document_content": "Triệu tập ông Trần Văn Dũng đến làm việc.",
        "document_code": "CSDTHN-2026-000001-03-D000002-81",
        "obligation_time": "08 giờ 00 ngày 20/12/2026",
        "obligation_deadline": "chậm nhất ngày 20/12/2026",
        "obligation_place": "số 1 Tôn Đức Thắng, thành phố Huế",
        "consequences": "Nếu vắng mặt không có lý do chính đáng có thể bị áp giải.",
        "posted_from": "2026-12-05",
        "posted_until": "2026-12-07",
    },
}

# Field values that are codes (printed as labels) or ISO dates (printed in words).
_CODE_KEYS = {"basis", "gender", "capacity", "deponent_capacity", "recipient_capacity"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:]+)?$")
# Header values printed in capitals.
_UPPER_KEYS = {"superior_body", "agency_name", "signer_title", "signer_on_behalf", "authority"}


def _leaves(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v, key)
    elif isinstance(value, str) and key not in _CODE_KEYS and not _ISO.match(value):
        yield from value.splitlines()
    elif isinstance(value, int) and not isinstance(value, bool):
        yield str(value)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


@pytest.fixture(scope="module")
def rendered() -> dict[DocType, RenderedDocument]:
    return {
        doc_type: render_document(doc_type, fields, HEADER) for doc_type, fields in SAMPLES.items()
    }


def test_samples_cover_every_doc_type() -> None:
    assert set(SAMPLES) == set(DocType)


@pytest.mark.parametrize("doc_type", list(DocType))
def test_render_document_each_type_produces_pdf(
    rendered: dict[DocType, RenderedDocument], doc_type: DocType
) -> None:
    doc = rendered[doc_type]
    assert doc.pdf.startswith(b"%PDF-")
    assert doc.page_count >= 1


@pytest.mark.parametrize("doc_type", list(DocType))
def test_render_document_field_values_extract_exactly_as_nfc(
    rendered: dict[DocType, RenderedDocument], doc_type: DocType
) -> None:
    text = _collapse(_pdftotext(rendered[doc_type].pdf, "-layout"))
    assert unicodedata.is_normalized("NFC", text)
    expected = list(_leaves(SAMPLES[doc_type]))
    assert expected
    for value in expected:
        assert _collapse(value) in text, value
    for diacritics in (KHANH, "Thừa Thiên Huế"):
        assert diacritics in text


@pytest.mark.parametrize("doc_type", list(DocType))
def test_render_document_header_and_title_present(
    rendered: dict[DocType, RenderedDocument], doc_type: DocType
) -> None:
    text = _pdftotext(rendered[doc_type].pdf, "-layout")
    spec = CATALOG[doc_type]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "CÔNG AN TỈNH THỪA THIÊN HUẾ" in text
    assert "CƠ QUAN CẢNH SÁT ĐIỀU TRA" in text
    assert "Số: 12/QĐ-CSĐT" in text
    assert spec.title in text
    if spec.subtitle:
        assert spec.subtitle in text
    if spec.is_record:
        assert "Nơi nhận:" not in text
    else:
        assert "Thừa Thiên Huế, ngày 04 tháng 12 năm 2026" in text
        assert "Nơi nhận:" in text
        for key in _UPPER_KEYS:
            assert _collapse(HEADER[key].upper()) in _collapse(text), key
        for recipient in HEADER["recipients"]:
            assert recipient in text


def test_render_document_nfd_input_extracts_as_nfc() -> None:
    fields = SAMPLES[DocType.SUMMONS]
    nfd_fields = {
        **fields,
        "person": {
            k: unicodedata.normalize("NFD", v) if isinstance(v, str) else v
            for k, v in fields["person"].items()
        },
        "purpose": unicodedata.normalize("NFD", fields["purpose"]),
    }
    nfd_header = {**HEADER, "signer_name": unicodedata.normalize("NFD", KHANH)}
    assert unicodedata.normalize("NFD", HUONG) != HUONG

    doc = render_document(DocType.SUMMONS, nfd_fields, nfd_header)

    text = _collapse(_pdftotext(doc.pdf, "-layout"))
    for value in (HUONG, KHANH, HUE, fields["purpose"]):
        assert value in text
    assert unicodedata.normalize("NFD", HUONG) not in text


def test_render_html_nfd_input_returns_nfc_and_escapes_markup() -> None:
    fields = {
        **SAMPLES[DocType.SUMMONS],
        "purpose": unicodedata.normalize("NFD", "Làm việc <b>ngay</b> & đúng giờ"),
    }
    html = render_html(DocType.SUMMONS, fields, HEADER)
    assert unicodedata.is_normalized("NFC", html)
    assert "Làm việc &lt;b&gt;ngay&lt;/b&gt; &amp; đúng giờ" in html
    assert "<b>ngay</b>" not in html


def test_render_document_claims_pdfa_2b(rendered: dict[DocType, RenderedDocument]) -> None:
    meta = subprocess.run(
        ["pdfinfo", "-meta", "-"],
        input=rendered[DocType.DECISION_INSTITUTE_CASE].pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    part = re.search(r'pdfaid:part(?:="|>)(\d)', meta)
    conformance = re.search(r'pdfaid:conformance(?:="|>)([A-Za-z])', meta)
    assert part is not None and part.group(1) == "2"
    assert conformance is not None and conformance.group(1) == "B"


def _embedded_font_families(pdf: bytes) -> set[str]:
    """Family names (name ID 1) of every TrueType program embedded in ``pdf``."""
    families: set[str] = set()
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            data = zlib.decompressobj().decompress(pdf[start : start + 5_000_000])
        except zlib.error:
            continue
        if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            continue
        name = TTFont(io.BytesIO(data), lazy=True)["name"].getDebugName(1)
        if name:
            families.add(name)
    return families


def test_render_document_embeds_only_liberation_serif(
    rendered: dict[DocType, RenderedDocument],
) -> None:
    pdf = rendered[DocType.DECISION_INSTITUTE_CASE].pdf
    out = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    rows = out.splitlines()[2:]
    assert len(rows) == 4  # regular, bold, italic, bold italic
    for row in rows:
        assert re.match(r"^[A-Z]{6}\+Liberation-Serif", row), row
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # embedded, subset, unicode
    assert _embedded_font_families(pdf) == {"Liberation Serif"}


@pytest.mark.parametrize("doc_type", list(DocType))
def test_render_document_signature_slots_match_countersignature_need(
    rendered: dict[DocType, RenderedDocument], doc_type: DocType
) -> None:
    boxes = rendered[doc_type].signature_boxes
    expected = {SignatureSlot.OFFICIAL}
    if CATALOG[doc_type].needs_countersignature:
        expected.add(SignatureSlot.PARTICIPANT)
    assert set(boxes) == expected


def _words(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """(word, yMin, yMax) on a 0-based page, top-left origin, in points."""
    out = _pdftotext(pdf, "-bbox", "-f", str(page + 1), "-l", str(page + 1))
    return [
        (unicodedata.normalize("NFC", w), float(y0), float(y1))
        for y0, y1, w in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            out,
        )
    ]


@pytest.mark.parametrize(
    ("doc_type", "slot", "above", "below"),
    [
        (DocType.DECISION_INSTITUTE_CASE, SignatureSlot.OFFICIAL, "PHÓ", "Khánh"),
        (DocType.STATEMENT_RECORD, SignatureSlot.PARTICIPANT, "KHAI", "Hường"),
        (DocType.STATEMENT_RECORD, SignatureSlot.OFFICIAL, "LẤY", "Khánh"),
        (DocType.CASE_FILE_HANDOVER_RECORD, SignatureSlot.PARTICIPANT, "NHẬN", "Hường"),
    ],
)
def test_render_document_signature_box_lies_between_title_and_name(
    rendered: dict[DocType, RenderedDocument],
    doc_type: DocType,
    slot: SignatureSlot,
    above: str,
    below: str,
) -> None:
    doc = rendered[doc_type]
    sig = doc.signature_boxes[slot]
    x1, y1, x2, y2 = sig.box
    page_height = 841.89  # A4 in points
    assert 0 <= x1 < x2 <= 595.28 and 0 <= y1 < y2 <= page_height
    assert x2 - x1 == pytest.approx(62 * 72 / 25.4, abs=0.5)
    assert y2 - y1 == pytest.approx(26 * 72 / 25.4, abs=0.5)
    top, bottom = page_height - y2, page_height - y1  # to pdftotext's top-left origin
    words = _words(doc.pdf, sig.page)
    title_bottom = max(y_max for w, _, y_max in words if w == above)
    name_top = min(y_min for w, y_min, _ in words if w == below and y_min > title_bottom)
    assert title_bottom <= top + 1
    assert bottom <= name_top + 1
    assert not [w for w, y_min, y_max in words if y_min > top + 1 and y_max < bottom - 1]


def test_render_document_long_decision_spans_pages_with_box_on_last_page() -> None:
    fields = {**SAMPLES[DocType.DECISION_INSTITUTE_CASE], "facts": "\n".join([FACTS] * 12)}
    doc = render_document(DocType.DECISION_INSTITUTE_CASE, fields, HEADER)
    assert doc.page_count >= 2
    assert doc.signature_boxes[SignatureSlot.OFFICIAL].page == doc.page_count - 1


def test_render_document_missing_field_raises_naming_field() -> None:
    fields = dict(SAMPLES[DocType.INDICTMENT])
    del fields["court_name"]
    with pytest.raises(InvalidDocumentField) as info:
        render_document(DocType.INDICTMENT, fields, HEADER)
    assert info.value.field == "court_name"


def test_render_document_malformed_nested_field_raises_naming_field() -> None:
    fields = {**SAMPLES[DocType.INDICTMENT], "accused": [{**ACCUSED, "national_id": "12AB"}]}
    with pytest.raises(InvalidDocumentField) as info:
        render_document(DocType.INDICTMENT, fields, HEADER)
    assert info.value.field == "accused.0.national_id"


def test_render_document_missing_header_field_raises_naming_field() -> None:
    header = {k: v for k, v in HEADER.items() if k != "signer_name"}
    with pytest.raises(InvalidDocumentField) as info:
        render_document(DocType.SUMMONS, SAMPLES[DocType.SUMMONS], header)
    assert info.value.field == "header.signer_name"


def test_render_document_secret_document_shows_marking() -> None:
    header = IssuerHeader.model_validate({**HEADER, "secrecy": "secret"})
    doc = render_document(DocType.SUMMONS, SAMPLES[DocType.SUMMONS], header)
    assert "TỐI MẬT" in _pdftotext(doc.pdf, "-layout")


def test_vn_date_single_digit_day_and_early_month_zero_padded() -> None:
    from datetime import date, datetime

    assert vn_date(date(2026, 12, 4)) == "ngày 04 tháng 12 năm 2026"
    assert vn_date(date(2026, 2, 14)) == "ngày 14 tháng 02 năm 2026"
    assert vn_date(date(2026, 5, 1)) == "ngày 01 tháng 5 năm 2026"
    assert vn_datetime(datetime(2026, 12, 5, 8, 5)) == "08 giờ 05 phút, ngày 05 tháng 12 năm 2026"


def test_templates_exist_for_every_doc_type() -> None:
    from casefile.rendering import TEMPLATE_DIR

    for spec in CATALOG.values():
        assert (Path(TEMPLATE_DIR) / spec.template).is_file(), spec.template
