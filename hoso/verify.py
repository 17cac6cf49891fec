"""``hoso verify FILE.pdf``: validate every signature and time-stamp of a PDF, offline.

Exit status: 0 valid, 1 invalid or indeterminate, 2 unusable input (no such file, not a
PDF, no trust roots). Trust roots: ``--trust-roots`` (PEM or DER files or a folder of
them), else the demo PKI of this installation, whose CRL/OCSP answer in process.

Legal basis: Joint Circular art. 7(2)-(3), 17(1)(a) (automatic verification of signatures).
"""

import asyncio
import json
import sys
from pathlib import Path

from asn1crypto import pem, x509

from casefile.settings import Settings
from casefile.signing.report import etsi_report_xml, render_text_report
from casefile.signing.runtime import SigningRuntime
from casefile.signing.validation import ValidationPolicy, Verdict, validate_pdf

__all__ = ["load_certificates", "verify_file"]

UNUSABLE = 2


def load_certificates(paths: list[Path]) -> list[x509.Certificate]:
    """Every certificate in ``paths`` (PEM or DER files, or folders of them)."""
    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    found = []
    for file in files:
        data = file.read_bytes()
        blocks = (
            [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        )
        found += [x509.Certificate.load(block) for block in blocks]
    return found


async def _validate(pdf: bytes, settings: Settings, trust_roots: list[Path] | None):
    if trust_roots:
        policy = ValidationPolicy(trust_roots=tuple(load_certificates(trust_roots)))
        return await validate_pdf(pdf, policy)
    async with SigningRuntime.start(settings.pki_dir) as runtime:
        return await validate_pdf(pdf, runtime.policy)


def verify_file(
    path: Path, settings: Settings, *, output: str = "text", trust_roots: list[Path] | None = None
) -> int:
    if not path.is_file():
        print(f"hoso verify: {path}: no such file", file=sys.stderr)
        return UNUSABLE
    pdf = path.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        print(f"hoso verify: {path}: not a PDF file", file=sys.stderr)
        return UNUSABLE
    if not trust_roots and not settings.pki_dir.exists():
        print(
            "hoso verify: no trust roots: pass --trust-roots FILE_OR_DIR "
            f"(no demo PKI at {settings.pki_dir})",
            file=sys.stderr,
        )
        return UNUSABLE
    try:
        result = asyncio.run(_validate(pdf, settings, trust_roots))
    except (ValueError, OSError) as unusable:
        print(f"hoso verify: {path}: cannot be read as a signed PDF: {unusable}", file=sys.stderr)
        return UNUSABLE
    if output == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif output == "xml":
        print(etsi_report_xml(result))
    else:
        print(render_text_report(result, document_name=path.name))
    return 0 if result.verdict is Verdict.VALID else 1
