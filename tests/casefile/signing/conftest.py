"""Shared fixtures of the signing tests: one demo PKI, its services and a SoftHSM2 token.

Everything expensive is session-scoped: the PKI is generated once into a temporary folder,
its CRL/OCSP/TSA services run in process for the whole session (the session event loop,
``asyncio_default_fixture_loop_scope = "session"``).

Time: the PKI's validity periods are relative to the moment it is generated (officials:
one day back, three years ahead; the revoked certificate was revoked an hour before; the
expired one expired a year ago), so the tests run on the real clock without freezegun.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from casefile.signing.pades import Box, SignatureOptions, SigningEnvironment, sign_document
from casefile.signing.pki import PKCS12_PASSPHRASE, DemoPKI, PKIServices, load_into_pkcs11_token
from casefile.signing.signers import Pkcs11Options, SoftwareSigner
from casefile.signing.validation import ValidationPolicy

SOFTHSM_MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "hoso-test"
USER_PIN = "1234"
SO_PIN = "12345678"
PKCS11_KEY_LABEL = "judge"

BODY_MARKER = b"QUYET DINH KHOI TO VU AN HINH SU"
"""Text of the test PDF's content stream (uncompressed, so tests can flip a byte in it)."""

SIGNATURE_BOX = Box(page=0, x1=320, y1=60, x2=560, y2=150)


@pytest.fixture(autouse=True, scope="session")
def _quiet_pyhanko_logs() -> None:
    # pyHanko logs full tracebacks at WARNING for every failed path; the tests assert
    # on the structured result instead
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def _make_pdf(pages: int = 1) -> bytes:
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    for n in range(pages):
        content = (
            b"BT /F1 14 Tf 72 760 Td (" + BODY_MARKER + b") Tj 0 -20 Td (Trang %d) Tj ET" % (n + 1)
        )
        page = PageObject(
            contents=writer.add_object(generic.StreamObject(stream_data=content)),
            media_box=(0, 0, 595, 842),
            resources=generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/F1"): font}
                    )
                }
            ),
        )
        writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def blank_pdf() -> bytes:
    """A one-page A4 PDF with an uncompressed text content stream."""
    return _make_pdf()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPKI:
    return DemoPKI.generate(tmp_path_factory.mktemp("signing") / "pki")


@pytest.fixture(scope="session")
async def services(pki: DemoPKI) -> AsyncIterator[PKIServices]:
    async with pki.services() as svc:
        yield svc


@pytest.fixture(scope="session")
def env(services: PKIServices) -> SigningEnvironment:
    return SigningEnvironment.from_services(services)


@pytest.fixture(scope="session")
def policy(pki: DemoPKI, services: PKIServices) -> ValidationPolicy:
    """Validation against the demo root, revocation data from the in-process services."""
    return ValidationPolicy(
        trust_roots=tuple(pki.trust_roots), fetcher_backend=services.fetcher_backend()
    )


@pytest.fixture(scope="session")
def offline_policy(pki: DemoPKI) -> ValidationPolicy:
    """Validation against the demo root with only what the document embeds (DSS)."""
    return ValidationPolicy(trust_roots=tuple(pki.trust_roots))


@pytest.fixture(scope="session")
def signer_for(pki: DemoPKI) -> Callable[[str], SoftwareSigner]:
    def load(label: str) -> SoftwareSigner:
        return SoftwareSigner.from_pkcs12(pki.pkcs12_path(label), passphrase=PKCS12_PASSPHRASE)

    return load


@pytest.fixture(scope="session")
async def signed_bt(
    blank_pdf: bytes, env: SigningEnvironment, signer_for: Callable[[str], SoftwareSigner]
) -> bytes:
    """The blank PDF signed PAdES B-T by the investigator, with a visible block."""
    return await sign_document(
        blank_pdf,
        signer_for("investigator"),
        env,
        SignatureOptions(field_name="ChuKy_DTV", box=SIGNATURE_BOX, reason="Ký ban hành"),
    )


@pytest.fixture(scope="session")
def softhsm_token(pki: DemoPKI, tmp_path_factory: pytest.TempPathFactory) -> Pkcs11Options:
    """A SoftHSM2 token holding the judge's key and certificate, and how to reach it."""
    util = shutil.which("softhsm2-util")
    module = next((p for p in SOFTHSM_MODULE_CANDIDATES if Path(p).exists()), None)
    if util is None or module is None:
        pytest.fail("SoftHSM2 is missing (Debian softhsm2): run scripts/bootstrap.sh")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n",
        encoding="utf-8",
    )
    # read by libsofthsm2 at C_Initialize: must be set before the module is first loaded
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            util,
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--pin",
            USER_PIN,
            "--so-pin",
            SO_PIN,
        ],
        check=True,
        capture_output=True,
    )
    load_into_pkcs11_token(
        pki, [PKCS11_KEY_LABEL], module_path=module, token_label=TOKEN_LABEL, user_pin=USER_PIN
    )
    return Pkcs11Options(
        module_path=module, token_label=TOKEN_LABEL, user_pin=USER_PIN, key_label=PKCS11_KEY_LABEL
    )
