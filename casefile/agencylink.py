"""How two agencies' installations trust each other: every request between them, and every
receipt, is signed with the sending agency's electronic seal and checked against that
agency's seal certificate in the shared certificate directory (here the demo PKI).

A request's signature covers the method, the path, a timestamp (fresh within
:data:`MAX_SKEW`) and the SHA-256 of the body. A document's bytes (``PUT .../blobs/<sha>``)
are the exception: their integrity is not the signature's job but the legality check's, which
compares them with the SHA-256 the signed inventory promised and names the document that
differs (Joint Circular art. 9(3), 15(1)).

Legal basis: Joint Circular art. 9(1) (electronic transfer receipts), 13(3) (agency seals).
"""

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import load_der_x509_certificate

from casefile.errors import NotPermitted
from casefile.signing.pki import DemoPKI

__all__ = [
    "AGENCY_HEADER",
    "TIMESTAMP_HEADER",
    "SIGNATURE_HEADER",
    "MAX_SKEW",
    "UNSIGNED_BODY",
    "AgencySeals",
    "canonical_json",
    "request_message",
    "sha256_hex",
]

AGENCY_HEADER = "X-Hoso-Agency"
TIMESTAMP_HEADER = "X-Hoso-Timestamp"
SIGNATURE_HEADER = "X-Hoso-Signature"
MAX_SKEW = 300
"""Seconds a signed request stays acceptable (clocks of agencies may drift a little)."""
UNSIGNED_BODY = "-"
"""Stands for the body hash of a document upload (checked against the inventory instead)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """The bytes a signature over a JSON value covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_message(method: str, path: str, timestamp: str, body_sha256: str) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{body_sha256}".encode()


@dataclass(frozen=True)
class AgencySeals:
    """Sign as one of this installation's agencies; verify any agency of the directory."""

    pki: DemoPKI

    def sign(self, agency_code: str, data: bytes) -> str:
        label = self._label(agency_code)
        key = serialization.load_pem_private_key(
            self.pki.key_path(label).read_bytes(), password=None
        )
        if isinstance(key, ec.EllipticCurvePrivateKey):
            signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPrivateKey):
            signature = key.sign(data, _pss(), hashes.SHA256())
        else:  # the PKI issues ECDSA or RSA keys only
            raise TypeError(f"unsupported seal key type {type(key).__name__}")
        return base64.b64encode(signature).decode()

    def verify(self, agency_code: str, data: bytes, signature: str) -> None:
        """Raise NotPermitted unless ``signature`` is ``agency_code``'s seal over ``data``."""
        label = self._label(agency_code)
        certificate = load_der_x509_certificate(self.pki.cert(label).dump())
        public_key = certificate.public_key()
        try:
            raw = base64.b64decode(signature, validate=True)
            if isinstance(public_key, ec.EllipticCurvePublicKey):
                public_key.verify(raw, data, ec.ECDSA(hashes.SHA256()))
            elif isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(raw, data, _pss(), hashes.SHA256())
            else:
                raise InvalidSignature
        except (InvalidSignature, ValueError):
            raise NotPermitted(f"not signed by the electronic seal of {agency_code}") from None

    def sign_request(
        self, agency_code: str, method: str, path: str, body_sha256: str
    ) -> dict[str, str]:
        timestamp = str(int(time.time()))
        message = request_message(method, path, timestamp, body_sha256)
        return {
            AGENCY_HEADER: agency_code,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: self.sign(agency_code, message),
        }

    def verify_request(
        self, headers: Any, method: str, path: str, body_sha256: str, *, now: float | None = None
    ) -> str:
        """Return the signing agency's code, or raise NotPermitted naming what is wrong."""
        agency = headers.get(AGENCY_HEADER)
        timestamp = headers.get(TIMESTAMP_HEADER)
        signature = headers.get(SIGNATURE_HEADER)
        if not agency or not timestamp or not signature:
            raise NotPermitted(
                f"an agency request carries {AGENCY_HEADER}, {TIMESTAMP_HEADER} and "
                f"{SIGNATURE_HEADER}"
            )
        if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > MAX_SKEW:
            raise NotPermitted(f"{TIMESTAMP_HEADER} is not within {MAX_SKEW} s of now")
        self.verify(agency, request_message(method, path, timestamp, body_sha256), signature)
        return agency

    def _label(self, agency_code: str) -> str:
        try:
            return self.pki.seal_label(agency_code)
        except KeyError:
            raise NotPermitted(f"agency {agency_code} has no seal certificate") from None


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
