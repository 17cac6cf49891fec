"""The document every benchmark issues: a 2-page "decision to institute a criminal case".

The fields are the valid sample of ``tests/casefile/test_rendering.py`` (``SAMPLES``),
copied here so the benchmark does not import the test suite, with the statement of facts
repeated until the decision spans two A4 pages (the default sample fits on one). The
header is what the ``render_draft`` activity builds for ``ptt.tuan`` (Đỗ Minh Tuấn, Phó
Thủ trưởng of CSDTHN) before registration.
"""

from datetime import date
from typing import Any

from casefile.doctypes import DocType

__all__ = ["DOC_TYPE", "FIELDS", "HEADER", "SIGNER_KEY", "SIGNER_NAME", "SIGNER_TITLE"]

DOC_TYPE = DocType.DECISION_INSTITUTE_CASE
SIGNER_KEY = "head"
"""Demo PKI label of ptt.tuan's key (casefile.demo.DEMO_USERS)."""
SIGNER_NAME = "Đỗ Minh Tuấn"
SIGNER_TITLE = "Phó Thủ trưởng"
AGENCY_NAME = "Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội"
PLACE = "Hà Nội"

_FACTS = (
    "Khoảng 22 giờ ngày 01/12/2026, tại đường Lê Lợi, phường Phú Hội, bị hại "
    "Nguyễn Thị Hường phát hiện bị mất chiếc xe mô tô nhãn hiệu Honda Vision trị giá khoảng "
    "35.000.000 đồng.\nQua xác minh, Trần Văn Dũng đã lợi dụng sơ hở để chiếm đoạt tài sản."
)
FACTS_REPEAT = 8
"""Copies of the facts paragraph pair: 1 gives one page, 4-12 give two; 8 fills
half of page 2 (the bare loop checks that the result has 2 pages)."""

FIELDS: dict[str, Any] = {
    "basis": "denunciation",
    "offence_name": "Trộm cắp tài sản",
    "penal_code_provision": "khoản 1 Điều 173",
    "occurred_on": "2026-12-01",
    "occurred_at": "đường Lê Lợi, phường Phú Hội, thành phố Huế",
    "facts": "\n".join([_FACTS] * FACTS_REPEAT),
    "assigned_to": "Đội Điều tra tổng hợp",
    "extra_grounds": ["đơn trình báo của bà Nguyễn Thị Hường"],
}

HEADER: dict[str, Any] = {
    "agency_name": AGENCY_NAME,
    "superior_body": "CÔNG AN THÀNH PHỐ HÀ NỘI",
    "procedural_number": "....../QĐ-CSĐT",
    "place": PLACE,
    "issue_date": date(2026, 12, 4),
    "signer_name": SIGNER_NAME,
    "signer_title": SIGNER_TITLE,
    "recipients": ["Lưu: Hồ sơ vụ án."],
}
