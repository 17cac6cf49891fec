"""Signing back ends: software keys from the demo PKI and a PKCS#11 token (SoftHSM2)."""

from __future__ import annotations

import pytest

from casefile.signing.pades import PadesLevel, SignatureOptions, SigningEnvironment, sign_document
from casefile.signing.pki import PKCS12_PASSPHRASE, DemoPKI
from casefile.signing.signers import (
    CertificateHolder,
    DocumentSigner,
    Pkcs11Options,
    Pkcs11Signer,
    SoftwareSigner,
)
from casefile.signing.validation import ReasonCode, ValidationPolicy, Verdict, validate_pdf


def test_software_signer_pem_and_pkcs12_load_same_certificate(pki: DemoPKI) -> None:
    from_pem = SoftwareSigner.from_pem(
        pki.key_path("prosecutor"),
        pki.cert_path("prosecutor"),
        chain_paths=pki.chain_paths("prosecutor"),
    )
    from_p12 = SoftwareSigner.from_pkcs12(
        pki.pkcs12_path("prosecutor"), passphrase=PKCS12_PASSPHRASE
    )
    assert isinstance(from_pem, DocumentSigner)
    assert from_pem.certificate.dump() == from_p12.certificate.dump()
    holder = CertificateHolder.from_certificate(from_pem.certificate)
    assert holder == CertificateHolder(
        "Trần Thị Bình", "Kiểm sát viên", "Viện kiểm sát nhân dân thành phố Hà Nội"
    )


def test_software_signer_wrong_pkcs12_passphrase_raises(pki: DemoPKI) -> None:
    with pytest.raises(ValueError):
        SoftwareSigner.from_pkcs12(pki.pkcs12_path("judge"), passphrase=b"wrong")


async def test_pkcs11_signer_softhsm_signature_validates(
    softhsm_token: Pkcs11Options,
    pki: DemoPKI,
    blank_pdf: bytes,
    env: SigningEnvironment,
    policy: ValidationPolicy,
) -> None:
    options = softhsm_token
    assert f"user_pin={options.user_pin!r}" not in repr(options)
    async with await Pkcs11Signer.open(options) as signer:
        assert isinstance(signer, DocumentSigner)
        assert signer.certificate.dump() == pki.cert("judge").dump()
        signed = await sign_document(blank_pdf, signer, env, SignatureOptions(level=PadesLevel.B_T))
    result = await validate_pdf(signed, policy)
    assert (result.verdict, result.reason) == (Verdict.VALID, ReasonCode.OK)
    assert result.signatures[0].signer_name == "Lê Văn Cường"
