"""PAdES signatures, certification, countersignature and the register stamp (async only).

Legal basis: Joint Circular art. 5(1) (official digital signature of persons with
authority), art. 5(2) (participants sign with a specialized or public certificate),
art. 7(2)-(3) (certificate effective at signing time; content not altered after signing),
art. 7(5) and art. 10(3) (numbered, with an electronic register stamp), art. 13(1) (file
code, record code and stamp), art. 17(1)(a) (signing to the issued standards, with
integrity checks).

Every function takes PDF bytes and returns the new PDF bytes (an incremental update: the
earlier revisions and their signatures stay byte-for-byte intact). pyHanko's synchronous
helpers call ``asyncio.run``, so only its ``async`` API is used here; the CPU-bound parts
(hashing, ECDSA, font subsetting) take 0.1-0.4 s per document and run on the caller's
event loop, so callers with a busy loop should run signing in a dedicated worker.

Signatures are PAdES baseline (``ETSI.CAdES.detached``) over SHA-256:

- **B-T**: signature time-stamp from the TSA (:attr:`PadesLevel.B_T`, the default);
- **B-LTA**: B-T plus the certificates, CRLs and OCSP responses in the document security
  store (DSS) and a document time-stamp (:attr:`PadesLevel.B_LTA`), for documents that
  are archived or transferred to another agency; :func:`extend_archive_timestamp` renews
  the time-stamp chain later.

Certification and countersigning (Joint Circular art. 5(2), art. 6): the official's
certification signature (DocMDP, form filling and signing allowed) creates, *in the same
revision*, the empty signature field each participant will sign later and, optionally,
the box of the register stamp. A field added after a certification signature is a
change the certification does not allow: the certification would become invalid.

Register stamp (Joint Circular art. 10(3), art. 13(1)): a visible stamp showing the
electronic file code and the record (bút lục) number, applied as a **document
time-stamp** whose widget carries the stamp's appearance. Choice of ordering: the stamp
is applied *after* the official's signature (the number is assigned when the document is
filed into the case, as in the "issue a document" workflow), into the field reserved by
the certification revision (:attr:`SignatureOptions.prepare_fields`). Filling an existing
signature field is within DocMDP "form filling and signing", so the certification stays
valid, the appearance (code and number) is covered by the TSA's token, and no annotation
is ever added after the certification. For an uncertified document the stamp creates
its own field.
"""

from __future__ import annotations

import functools
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from asn1crypto import x509
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import (
    MDPPerm,
    SigFieldSpec,
    SigSeedSubFilter,
    append_signature_field,
    enumerate_sig_fields,
)
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper
from pyhanko.sign.signers.cms_embedder import (
    PdfCMSEmbedder,
    SigAppearanceSetup,
    SigIOSetup,
    SigObjSetup,
)
from pyhanko.sign.signers.pdf_byterange import DocumentTimestamp
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.api import FetcherBackend

from casefile.fonts import SERIF_REGULAR, font_codepoints
from casefile.signing.pki import PKIServices
from casefile.signing.signers import CertificateHolder, DocumentSigner

__all__ = [
    "DIGEST_ALGORITHM",
    "VN_TZ",
    "Box",
    "EmptyField",
    "PadesLevel",
    "RegisterStamp",
    "SignatureOptions",
    "SigningEnvironment",
    "apply_register_stamp",
    "countersign_document",
    "extend_archive_timestamp",
    "format_vn_time",
    "sign_document",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Time zone of every time shown to people (UTC+07:00), independent of the process TZ."""

DIGEST_ALGORITHM = "sha256"


class PadesLevel(StrEnum):
    """PAdES baseline level (ETSI EN 319 142-1)."""

    B_T = "B-T"
    """Signature with a signature time-stamp."""
    B_LTA = "B-LTA"
    """B-T + validation data in the DSS + document time-stamp (archival, transfer)."""


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in PDF points, origin at the page's lower-left corner."""

    page: int
    """Page index, from 0; negative counts from the end (-1 is the last page)."""
    x1: float
    """Left edge."""
    y1: float
    """Bottom edge."""
    x2: float
    """Right edge."""
    y2: float
    """Top edge."""

    def as_rect(self) -> tuple[int, int, int, int]:
        """Integer rectangle as pyHanko's ``SigFieldSpec.box`` wants it."""
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))

    @property
    def width(self) -> float:
        return abs(self.x2 - self.x1)


@dataclass(frozen=True)
class EmptyField:
    """An empty signature field to create before signing (countersignature, stamp)."""

    name: str
    """Field name (``/T``), e.g. ``"ChuKy_DuongSu_1"``."""
    box: Box
    """Where the field's widget goes."""
    label: str | None = None
    """Human-readable name (``/TU``), shown as a tooltip, e.g. the participant's name."""


@dataclass(frozen=True)
class SignatureOptions:
    """How to sign one document."""

    field_name: str = "Signature"
    """Signature field; an existing empty field of that name is signed, else it is created."""
    level: PadesLevel = PadesLevel.B_T
    """PAdES level; B-LTA for what is archived or transferred."""
    box: Box | None = None
    """Visible signature block, or ``None`` for an invisible signature. Ignored when the
    field already exists (its own widget is used)."""
    signer_name: str | None = None
    """Name shown in the block; default: the certificate's common name."""
    signer_title: str | None = None
    """Title shown in the block (e.g. "Điều tra viên"); default: the certificate's."""
    agency: str | None = None
    """Agency shown in the block; default: the certificate's organization."""
    reason: str | None = None
    """``/Reason`` of the signature dictionary (e.g. "Ký ban hành")."""
    location: str | None = None
    """``/Location`` (e.g. "Hà Nội")."""
    certify: bool = False
    """Make this a certification signature (must be the document's first signature)."""
    docmdp: MDPPerm = MDPPerm.FILL_FORMS
    """Changes a certification allows; FILL_FORMS lets participants sign and the register
    stamp fill their reserved fields."""
    prepare_fields: tuple[EmptyField, ...] = ()
    """Empty signature fields created in the same revision (participants' fields, the
    register stamp's box); must be created here when :attr:`certify` is set."""
    check_certificate: bool = True
    """Refuse to sign when the signer's certificate does not validate now (expired,
    revoked, unknown issuer): Joint Circular art. 7(2). Tests of the validator turn it
    off to produce bad signatures on purpose."""
    font_size: int = 8
    """Font size of the visible block, in points."""


@dataclass(frozen=True)
class RegisterStamp:
    """The electronic register stamp of a filed document (Joint Circular art. 10(3))."""

    file_code: str
    """Electronic file code of the case file (Joint Circular art. 10(3), 18(2))."""
    record_number: str
    """Record (bút lục) number(s) of the document in the file."""
    agency: str
    """Agency that keeps the file."""
    procedural_number: str | None = None
    """Number and symbol given at registration (e.g. ``12/QĐ-CSĐT``), shown when set."""
    document_code: str | None = None
    """Electronic document code, shown when set."""
    field_name: str = "DauVaoSo"
    """Signature field of the stamp: filled if it exists (reserved by the certification
    revision), created otherwise (needs :attr:`box`)."""
    box: Box | None = None
    """Where to put the stamp when the field does not exist yet."""
    font_size: int = 8
    """Font size of the stamp, in points."""


@dataclass(frozen=True)
class SigningEnvironment:
    """What signing needs beyond the key: a TSA and, for B-LTA, revocation data."""

    timestamper: TimeStamper
    """RFC 3161 client (:meth:`PKIServices.timestamper` in the demo)."""
    trust_roots: tuple[x509.Certificate, ...]
    """Trust anchors for the pre-signing certificate check and the B-LTA validation data."""
    fetcher_backend: FetcherBackend | None = None
    """Source of CRLs and OCSP responses (:meth:`PKIServices.fetcher_backend`)."""
    font_file: Path = SERIF_REGULAR
    """TrueType font of the visible blocks; must cover Vietnamese (Liberation Serif 2)."""

    @classmethod
    def from_services(cls, services: PKIServices) -> SigningEnvironment:
        """Environment of the demo PKI's in-process services."""
        return cls(
            timestamper=services.timestamper(),
            trust_roots=tuple(services.pki.trust_roots),
            fetcher_backend=services.fetcher_backend(),
        )

    def validation_context(self) -> ValidationContext:
        """A fresh validation context (they keep state: one per operation)."""
        return ValidationContext(
            trust_roots=list(self.trust_roots),
            allow_fetching=self.fetcher_backend is not None,
            fetcher_backend=self.fetcher_backend,
            revocation_mode="require" if self.fetcher_backend is not None else "soft-fail",
        )


def format_vn_time(moment: datetime) -> str:
    """Format a time for people: ``dd/mm/yyyy HH:MM:SS (UTC+07:00)`` in Asia/Ho_Chi_Minh."""
    local = moment.astimezone(VN_TZ)
    offset = local.strftime("%z")
    return local.strftime("%d/%m/%Y %H:%M:%S") + f" (UTC{offset[:3]}:{offset[3:]})"


def _wrap(text: str, box: Box | None, font_size: int) -> str:
    if box is None:
        return text
    # Liberation Serif averages ~0.5 em per character; leave room for the margins
    width_chars = max(12, int((box.width - 10) / (0.5 * font_size)))
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, width_chars) or [""])
    return "\n".join(lines)


@dataclass(frozen=True)
class _FontBytesFactory(FontEngineFactory):
    """pyHanko's :class:`GlyphAccumulatorFactory`, reading the font from memory.

    Every appearance still gets its own :class:`GlyphAccumulator` (its own parsed
    ``TTFont``, which pyHanko's subsetting overwrites), so nothing mutable is shared
    between signatures, threads or event loops; only the immutable file bytes are."""

    font_bytes: bytes
    font_size: int

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: object = None
    ) -> FontEngine:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=BytesIO(self.font_bytes),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


@functools.lru_cache(maxsize=8)
def _font_file_data(path: Path, mtime_ns: int, size: int) -> tuple[bytes, frozenset[int]]:
    """The bytes of a font file and the code points it covers (cached per file version)."""
    data = path.read_bytes()
    return data, font_codepoints(path)


def _font_for(env: SigningEnvironment, text: str, font_size: int) -> FontEngineFactory:
    """The environment's font, unless ``text`` has a character it lacks (a name in a
    script outside the signature font's Latin/Vietnamese cut): then the full font."""
    candidates = [env.font_file]
    if env.font_file != SERIF_REGULAR:
        candidates.append(SERIF_REGULAR)
    needed = {ord(c) for c in text if not c.isspace()}
    for path in candidates:
        stat = path.stat()
        data, covered = _font_file_data(path, stat.st_mtime_ns, stat.st_size)
        if needed <= covered or path == candidates[-1]:
            return _FontBytesFactory(data, font_size)
    raise AssertionError("unreachable")


def _text_style(env: SigningEnvironment, stamp_text: str, font_size: int) -> TextStampStyle:
    # the same size on the glyph accumulator and the text box, or lines overlap
    font = _font_for(env, unicodedata.normalize("NFC", stamp_text), font_size)
    return TextStampStyle(
        stamp_text=stamp_text,
        text_box_style=TextBoxStyle(font=font, font_size=font_size),
        border_width=1,
    )


def _escape(value: str) -> str:
    return value.replace("%", "%%")


def _existing_field(reader: PdfFileReader, name: str) -> tuple[bool, bool]:
    """(exists, is_filled) for the signature field ``name``."""
    for field_name, value, _ref in enumerate_sig_fields(reader, filled_status=None):
        if field_name == name:
            return True, value is not None
    return False, False


async def sign_document(
    pdf: bytes,
    signer: DocumentSigner,
    env: SigningEnvironment,
    options: SignatureOptions,
) -> bytes:
    """Sign (or certify) a PDF with a PAdES B-T or B-LTA signature.

    Legal basis: Joint Circular art. 5(1), art. 5(2), art. 7(2)-(3).

    The visible block shows the signer's name, title and agency and the signing time in
    UTC+07:00; the same instant is the CMS ``signing-time`` and the ``/M`` entry. The
    signature time-stamp from :attr:`SigningEnvironment.timestamper` is what proves the
    time.

    :raises pyhanko.sign.general.SigningError: the field is already signed, a
        certification is not the first signature, a certification forbids changes, or
        the certificate does not validate now (revoked, expired, unknown issuer) while
        :attr:`SignatureOptions.check_certificate` is set.
    """
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    exists, filled = _existing_field(writer.prev, options.field_name)
    if filled:
        raise SigningError(f"signature field {options.field_name!r} is already signed")
    for empty in options.prepare_fields:
        append_signature_field(
            writer,
            SigFieldSpec(
                sig_field_name=empty.name,
                on_page=empty.box.page,
                box=empty.box.as_rect(),
                readable_field_name=empty.label,
            ),
        )

    holder = CertificateHolder.from_certificate(signer.certificate)
    name = options.signer_name or holder.name
    title = options.signer_title or holder.title or ""
    agency = options.agency or holder.organization or ""
    lta = options.level is PadesLevel.B_LTA
    vc = env.validation_context() if (lta or options.check_certificate) else None
    meta = PdfSignatureMetadata(
        field_name=options.field_name,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=SigSeedSubFilter.PADES,
        name=name,
        reason=options.reason,
        location=options.location,
        certify=options.certify,
        docmdp_permissions=options.docmdp,
        validation_context=vc,
        embed_validation_info=lta,
        use_pades_lta=lta,
    )

    widget_box = None
    if exists:
        widget_box = _field_box(writer.prev, options.field_name)
    elif options.box is not None:
        widget_box = options.box
    lines = [f"Ký bởi: {_escape(name)}"]
    if title:
        lines.append(f"Chức danh: {_escape(title)}")
    if agency:
        lines.append(f"Cơ quan: {_escape(agency)}")
    lines.append("Thời gian ký: %(thoi_gian)s")
    stamp_text = _wrap("\n".join(lines), widget_box, options.font_size)

    new_field = None
    if not exists:
        new_field = SigFieldSpec(
            sig_field_name=options.field_name,
            on_page=options.box.page if options.box else 0,
            box=options.box.as_rect() if options.box else None,
        )
    pdf_signer = PdfSigner(
        meta,
        signer=signer.signer,
        timestamper=env.timestamper,
        stamp_style=_text_style(env, stamp_text, options.font_size),
        new_field_spec=new_field,
    )

    # pyHanko's async_sign_pdf, with the session's clock set by us: the block, the
    # signing-time attribute and /M then show one and the same instant in UTC+07:00
    now = datetime.now(UTC).astimezone(VN_TZ)
    session = pdf_signer.init_signing_session(writer, existing_fields_only=exists)
    session.system_time = now
    validation_info = await session.perform_presign_validation(writer)
    bytes_reserved = await session.estimate_signature_container_size(validation_info, tight=False)
    tbs = session.prepare_tbs_document(
        validation_info=validation_info,
        bytes_reserved=bytes_reserved,
        appearance_text_params={"thoi_gian": format_vn_time(now)},
    )
    prepared, output = tbs.digest_tbs_document(output=BytesIO())
    post = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=now),
    )
    await post.post_signature_processing(output)
    return output.getvalue()


def _field_box(reader: PdfFileReader, name: str) -> Box | None:
    for field_name, _value, ref in enumerate_sig_fields(reader, filled_status=None):
        if field_name == name:
            rect = ref.get_object().get("/Rect")
            if rect is None:
                return None
            x1, y1, x2, y2 = (float(v) for v in rect)
            return Box(0, x1, y1, x2, y2)  # only the size matters to the caller
    return None


async def countersign_document(
    pdf: bytes,
    signer: DocumentSigner,
    env: SigningEnvironment,
    *,
    field_name: str,
    level: PadesLevel = PadesLevel.B_T,
    reason: str | None = "Đương sự ký xác nhận",
    check_certificate: bool = True,
) -> bytes:
    """Sign the empty field a certification reserved for a participant.

    Legal basis: Joint Circular art. 5(2) (participants sign with a specialized or public
    certificate), art. 7(4) (the same content, the same intent of confirmation).

    :raises ValueError: the field does not exist (it must have been created together with
        the certification; creating it now would invalidate the certification).
    """
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    exists, _filled = _existing_field(reader, field_name)
    if not exists:
        raise ValueError(
            f"no signature field {field_name!r}: it must be created with the certification"
        )
    return await sign_document(
        pdf,
        signer,
        env,
        SignatureOptions(
            field_name=field_name,
            level=level,
            reason=reason,
            check_certificate=check_certificate,
        ),
    )


async def apply_register_stamp(pdf: bytes, stamp: RegisterStamp, env: SigningEnvironment) -> bytes:
    """Apply the visible register stamp as a document time-stamp (RFC 3161, PAdES).

    Legal basis: Joint Circular art. 7(5), art. 10(3), art. 13(1).

    The stamp shows the file code, the record number, the agency and the time (UTC+07:00);
    the TSA's token covers the stamp's appearance together with the whole document.
    """
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    exists, filled = _existing_field(writer.prev, stamp.field_name)
    if filled:
        raise ValueError(f"register stamp field {stamp.field_name!r} is already filled")
    if not exists and stamp.box is None:
        raise ValueError(f"no field {stamp.field_name!r} and no box to create it in")
    box = _field_box(writer.prev, stamp.field_name) if exists else stamp.box
    now = datetime.now(UTC).astimezone(VN_TZ)
    text = "\n".join(
        [
            "DẤU VÀO SỔ HỒ SƠ ĐIỆN TỬ",
            *([f"Số: {_escape(stamp.procedural_number)}"] if stamp.procedural_number else []),
            f"Mã hồ sơ: {_escape(stamp.file_code)}",
            *([f"Mã văn bản: {_escape(stamp.document_code)}"] if stamp.document_code else []),
            f"Bút lục số: {_escape(stamp.record_number)}",
            _escape(stamp.agency),
            f"Thời điểm: {_escape(format_vn_time(now))}",
        ]
    )
    style = _text_style(env, _wrap(text, box, stamp.font_size), stamp.font_size)

    timestamper = env.timestamper
    dummy = await timestamper.async_dummy_response(DIGEST_ALGORITHM)
    reserved = len(dummy.dump()) * 2
    reserved += 2 * (reserved // 4)  # TSA responses vary in size: 50 % margin, even
    new_field = None
    if not exists:
        assert stamp.box is not None
        new_field = SigFieldSpec(
            sig_field_name=stamp.field_name,
            on_page=stamp.box.page,
            box=stamp.box.as_rect(),
            readable_field_name="Dấu vào sổ",
        )
    cms_writer = PdfCMSEmbedder(new_field_spec=new_field).write_cms(
        field_name=stamp.field_name, writer=writer, existing_fields_only=exists
    )
    next(cms_writer)
    cms_writer.send(
        SigObjSetup(
            sig_placeholder=DocumentTimestamp(bytes_reserved=reserved),
            appearance_setup=SigAppearanceSetup(
                style=style, timestamp=now, name=None, text_params={}
            ),
        )
    )
    prepared, output = cms_writer.send(
        SigIOSetup(md_algorithm=DIGEST_ALGORITHM, in_place=False, output=BytesIO())
    )
    token = await timestamper.async_timestamp(prepared.document_digest, DIGEST_ALGORITHM)
    cms_writer.send(token)
    return output.getvalue()


async def extend_archive_timestamp(pdf: bytes, env: SigningEnvironment) -> bytes:
    """Add validation data and a new document time-stamp (renew a B-LTA chain).

    Legal basis: Joint Circular art. 16 (storage of the electronic case file).
    """
    stream = BytesIO(pdf)
    reader = PdfFileReader(stream, strict=False)
    await PdfTimeStamper(env.timestamper).async_update_archival_timestamp_chain(
        reader, env.validation_context(), in_place=True
    )
    return stream.getvalue()
