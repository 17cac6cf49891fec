"""Digital signatures of procedural documents: demo PKI, signers, PAdES, validation, reports.

Legal basis: Joint Circular art. 5 (digital signatures of officials and participants),
art. 7 (legal value: effective certificate, unaltered content, register stamp), art. 10(3)
and art. 13(1) (register stamp, file and record codes), art. 17(1)(a) (signing and
automatic verification in the specialized software).

Modules:

- :mod:`~casefile.signing.pki`: certomancer demo PKI (TEST ONLY) and its in-process
  CRL/OCSP/TSA services;
- :mod:`~casefile.signing.signers`: :class:`DocumentSigner` with a software-key and a
  PKCS#11 back end;
- :mod:`~casefile.signing.pades`: PAdES B-T/B-LTA signing, certification,
  countersignature, register stamp (async only);
- :mod:`~casefile.signing.validation`: validation of every signature and time-stamp with
  a verdict and reason codes;
- :mod:`~casefile.signing.report`: Vietnamese report and ETSI TS 119 102-2 XML.
"""

from casefile.signing.pades import (
    Box,
    EmptyField,
    PadesLevel,
    RegisterStamp,
    SignatureOptions,
    SigningEnvironment,
    apply_register_stamp,
    countersign_document,
    extend_archive_timestamp,
    sign_document,
)
from casefile.signing.pki import DemoPKI, PKIServices
from casefile.signing.report import etsi_report_xml, render_text_report
from casefile.signing.signers import (
    DocumentSigner,
    Pkcs11Options,
    Pkcs11Signer,
    SoftwareSigner,
)
from casefile.signing.validation import (
    DocumentValidation,
    ReasonCode,
    ValidationPolicy,
    Verdict,
    validate_pdf,
)

__all__ = [
    "Box",
    "DemoPKI",
    "DocumentSigner",
    "DocumentValidation",
    "EmptyField",
    "PKIServices",
    "PadesLevel",
    "Pkcs11Options",
    "Pkcs11Signer",
    "ReasonCode",
    "RegisterStamp",
    "SignatureOptions",
    "SigningEnvironment",
    "SoftwareSigner",
    "ValidationPolicy",
    "Verdict",
    "apply_register_stamp",
    "countersign_document",
    "etsi_report_xml",
    "extend_archive_timestamp",
    "render_text_report",
    "sign_document",
    "validate_pdf",
]
