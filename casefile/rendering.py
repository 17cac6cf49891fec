"""Render procedural documents from Jinja2 HTML to PDF/A-2b with WeasyPrint.

One Jinja2 environment (autoescaping on) and one WeasyPrint font configuration are
built on first use and reused; fonts are loaded by file from :mod:`casefile.fonts`
through ``@font-face``, so the output never depends on fontconfig's choices. All text
is normalized to NFC on the way in. After layout the reserved signature areas are
measured, and their page and box in PDF points are returned with the bytes, for the
signing code to place signature fields there.

Legal basis: Joint Circular art. 5 (official signature), art. 6 (participant's
confirmation), art. 13(2) (uniform format and presentation of electronic procedural
documents); CPC art. 132(1).
"""

import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from casefile import fonts
from casefile.codes import PartyRole, SecrecyLevel
from casefile.doctypes import (
    PARTY_ROLE_LABELS,
    DocType,
    InvalidDocumentField,
    SignatureSlot,
    get_spec,
    nfc,
    validate_fields,
)

__all__ = [
    "PDF_VARIANT",
    "TEMPLATE_DIR",
    "IssuerHeader",
    "RenderedDocument",
    "SignatureBox",
    "render_document",
    "render_html",
    "vn_date",
    "vn_datetime",
]

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"
PDF_VARIANT = "pdf/a-2b"
_CSS_FILE = TEMPLATE_DIR / "document.css"
# A family name of our own, so fontconfig can never substitute a system font for it
# (fonts-liberation 1.x also calls itself "Liberation Serif" and lacks Vietnamese glyphs).
_FONT_FAMILY = "Liberation Serif Hoso"
_PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in
_SLOT_IDS: Mapping[SignatureSlot, str] = {
    SignatureSlot.OFFICIAL: "sig-official",
    SignatureSlot.PARTICIPANT: "sig-participant",
}
_SECRECY_LABELS: Mapping[SecrecyLevel, str] = {
    SecrecyLevel.CONFIDENTIAL: "MẬT",
    SecrecyLevel.SECRET: "TỐI MẬT",
    SecrecyLevel.TOP_SECRET: "TUYỆT MẬT",
}

_Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class IssuerHeader(BaseModel):
    """Facts about the issuer printed around the fields: header, date, signer, recipients."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    agency_name: _Line
    """Issuing agency, e.g. "Cơ quan Cảnh sát điều tra" (printed in capitals)."""
    superior_body: _Line | None = None
    """Body the agency belongs to, e.g. "Công an thành phố Hà Nội" (printed in capitals)."""
    procedural_number: Annotated[str, StringConstraints(max_length=60)] | None = None
    """Printed after "Số:", e.g. ``12/QĐ-CSĐT``; optional on records."""
    place: _Line
    issue_date: date
    signer_name: _Line
    signer_title: _Line
    """Position of the signer, e.g. "Phó Thủ trưởng" or "Điều tra viên"."""
    signer_on_behalf: _Line | None = None
    """Delegation line above the title, e.g. "KT. THỦ TRƯỞNG"."""
    authority: _Line | None = None
    """Line under the title of decisions naming the deciding authority."""
    recipients: list[_Line] = Field(default_factory=list, max_length=30)
    """Lines of "Nơi nhận:", e.g. "VKSND thành phố Hà Nội;"."""
    secrecy: SecrecyLevel = SecrecyLevel.UNCLASSIFIED
    document_code: Annotated[str, StringConstraints(max_length=120)] | None = None
    """Electronic document code (Joint Circular art. 13(1)), printed in the footer."""

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        return nfc(data)


@dataclass(frozen=True, slots=True)
class SignatureBox:
    """A reserved signature area measured after layout.

    ``page`` is 0-based; ``box`` is ``(x1, y1, x2, y2)`` in PDF points in the page's
    default user space (origin bottom-left), as pyHanko's ``SigFieldSpec(box=...,
    on_page=...)`` takes it.
    """

    slot: SignatureSlot
    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A rendered document: PDF/A-2b bytes plus where its signature fields go."""

    pdf: bytes
    page_count: int
    signature_boxes: Mapping[SignatureSlot, SignatureBox]


# --------------------------------------------------------------------------- filters


def _two(n: int) -> str:
    return f"{n:02d}"


def vn_date(value: date) -> str:
    """Return "ngày 04 tháng 12 năm 2026": days under 10 and months 1-2 take a leading 0.

    Legal basis: Decree 30/2020/NĐ-CP, appendix I (presentation of dates).
    """
    month = _two(value.month) if value.month <= 2 else str(value.month)
    return f"ngày {_two(value.day)} tháng {month} năm {value.year}"


def vn_datetime(value: datetime) -> str:
    """Return "08 giờ 30 phút, ngày 05 tháng 12 năm 2026"."""
    return f"{_two(value.hour)} giờ {_two(value.minute)} phút, {vn_date(value.date())}"


def _vn_date_short(value: date) -> str:
    return f"{_two(value.day)}/{_two(value.month)}/{value.year}"


def _paragraphs(text: str) -> list[str]:
    # Free text keeps the author's line breaks as paragraphs.
    return [line.strip() for line in text.splitlines() if line.strip()]


def _party_role(value: PartyRole | str) -> str:
    return PARTY_ROLE_LABELS[PartyRole(value)]


# --------------------------------------------------------------------------- shared state


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        vn_date=vn_date,
        vn_datetime=vn_datetime,
        vn_date_short=_vn_date_short,
        paragraphs=_paragraphs,
        party_role=_party_role,
    )
    return env


@dataclass(frozen=True, slots=True)
class _Engine:
    font_config: Any  # weasyprint.text.fonts.FontConfiguration
    stylesheet: Any  # weasyprint.CSS


@cache
def _engine() -> _Engine:
    # Imported lazily: WeasyPrint loads Pango through cffi, which only the rendering
    # worker needs; importing the catalog or this module's helpers stays cheap.
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    faces = "\n".join(
        f'@font-face {{ font-family: "{_FONT_FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for path, weight, style in (
            (fonts.SERIF_REGULAR, "normal", "normal"),
            (fonts.SERIF_BOLD, "bold", "normal"),
            (fonts.SERIF_ITALIC, "normal", "italic"),
            (fonts.SERIF_BOLD_ITALIC, "bold", "italic"),
        )
    )
    font_config = FontConfiguration()
    css = CSS(
        string=faces + "\n" + _CSS_FILE.read_text(encoding="utf-8"),
        font_config=font_config,
        base_url=TEMPLATE_DIR.as_uri() + "/",
    )
    return _Engine(font_config=font_config, stylesheet=css)


# WeasyPrint and its shared FontConfiguration are not documented as thread-safe;
# rendering is CPU-bound anyway, so serialize it.
_RENDER_LOCK = threading.Lock()


# --------------------------------------------------------------------------- rendering


def render_html(
    doc_type: DocType | str,
    fields: BaseModel | Mapping[str, Any],
    header: IssuerHeader | Mapping[str, Any],
) -> str:
    """Return the document's HTML (NFC), validating ``fields`` and ``header`` first."""
    spec = get_spec(doc_type)
    model = validate_fields(spec.doc_type, fields)
    if not isinstance(header, IssuerHeader):
        header = _validate_header(header)
    template = _environment().get_template(spec.template)
    html = template.render(
        spec=spec,
        f=model,
        h=header,
        secrecy_label=_SECRECY_LABELS.get(header.secrecy),
    )
    # Templates and values are NFC already; this also covers anything a filter built.
    return unicodedata.normalize("NFC", html)


def render_document(
    doc_type: DocType | str,
    fields: BaseModel | Mapping[str, Any],
    header: IssuerHeader | Mapping[str, Any],
) -> RenderedDocument:
    """Render one procedural document to PDF/A-2b and measure its signature areas.

    ``fields`` is the validated model from :func:`casefile.doctypes.validate_fields`
    (a mapping is validated here). Raises :class:`casefile.doctypes.InvalidDocumentField`
    naming the field when fields or header are invalid.
    """
    from weasyprint import HTML

    html = render_html(doc_type, fields, header)
    engine = _engine()
    with _RENDER_LOCK:
        document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/").render(
            font_config=engine.font_config,
            stylesheets=[engine.stylesheet],
            pdf_variant=PDF_VARIANT,
        )
        boxes = _measure_slots(document)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedDocument(pdf=pdf, page_count=len(document.pages), signature_boxes=boxes)


def _validate_header(data: Mapping[str, Any]) -> IssuerHeader:
    try:
        return IssuerHeader.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "header." + ".".join(str(p) for p in err["loc"])
        message = "required field is missing" if err["type"] == "missing" else err["msg"]
        raise InvalidDocumentField(field, message) from None


def _iter_boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _iter_boxes(child)


def _measure_slots(document: Any) -> dict[SignatureSlot, SignatureBox]:
    """Find each reserved signature element by id in the laid-out pages."""
    wanted = {element_id: slot for slot, element_id in _SLOT_IDS.items()}
    found: dict[SignatureSlot, SignatureBox] = {}
    for index, page in enumerate(document.pages):
        # Page has no public box tree; _page_box is the root WeasyPrint lays out.
        for box in _iter_boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is None or box.element_tag != "div":
                continue
            slot = wanted.get(element.get("id"))
            if slot is None or slot in found:
                continue
            x = box.border_box_x() * _PX_TO_PT
            top = box.border_box_y() * _PX_TO_PT
            width = box.border_width() * _PX_TO_PT
            height = box.border_height() * _PX_TO_PT
            page_height = page.height * _PX_TO_PT
            found[slot] = SignatureBox(
                slot=slot,
                page=index,
                box=(
                    round(x, 2),
                    round(page_height - top - height, 2),
                    round(x + width, 2),
                    round(page_height - top, 2),
                ),
            )
    return found
