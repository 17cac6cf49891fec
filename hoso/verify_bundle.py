"""``hoso verify bundle.asice``: check a case-file bundle offline, with no database.

Exit status: 0 valid, 1 invalid or indeterminate (every problem is named), 2 unusable
input (no such file, not a ZIP, no trust roots). Trust roots: ``--trust-roots`` (PEM or
DER files or a folder of them), else the demo PKI's root of this installation. Nothing
else is read: the certificates, CRLs, OCSP responses and time-stamps come from the bundle.

Legal basis: Joint Circular art. 9(3), 15(1) (the receiving agency verifies the file).
"""

import asyncio
import json
import sys
from pathlib import Path

from casefile.bundle.container import UnreadableContainer
from casefile.bundle.report import render_bundle_report
from casefile.bundle.verify import verify_bundle
from casefile.settings import Settings
from casefile.signing.pki import DemoPKI
from casefile.signing.validation import Verdict
from hoso.verify import load_certificates

__all__ = ["is_bundle", "verify_bundle_file"]

UNUSABLE = 2
ZIP_MAGIC = b"PK\x03\x04"


def is_bundle(path: Path) -> bool:
    """Whether ``path`` should go to the bundle verifier: a ZIP, or named ``.asice``."""
    if path.suffix.lower() in {".asice", ".sce"}:
        return True
    try:
        with path.open("rb") as stream:
            return stream.read(4) == ZIP_MAGIC
    except OSError:
        return False


def verify_bundle_file(
    path: Path, settings: Settings, *, output: str = "text", trust_roots: list[Path] | None = None
) -> int:
    if output not in {"text", "json"}:
        print(f"hoso verify: {path}: a bundle is reported as text or json", file=sys.stderr)
        return UNUSABLE
    if not path.is_file():
        print(f"hoso verify: {path}: no such file", file=sys.stderr)
        return UNUSABLE
    try:
        roots = (
            load_certificates(trust_roots)
            if trust_roots
            else DemoPKI.load(settings.pki_dir).trust_roots
        )
    except (OSError, ValueError) as exc:
        print(
            "hoso verify: no trust roots: pass --trust-roots FILE_OR_DIR "
            f"(no usable demo PKI at {settings.pki_dir}: {exc})",
            file=sys.stderr,
        )
        return UNUSABLE
    try:
        result = asyncio.run(verify_bundle(path.read_bytes(), trust_roots=roots))
    except UnreadableContainer as exc:
        print(f"hoso verify: {path}: not a case-file bundle: {exc}", file=sys.stderr)
        return UNUSABLE
    if output == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(render_bundle_report(result, bundle_name=path.name))
    return 0 if result.verdict is Verdict.VALID else 1
