"""Build the sealed ASiC-E bundle of a case file from its inventory and PDFs.

Legal basis: Joint Circular art. 4(4) (every copy is controlled), art. 9(1)-(3) and
15(1) (the receiver verifies the file it is given), art. 13(3) (the agency's seal).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from asn1crypto import x509
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator.fetchers.api import FetcherBackend

from casefile.bundle.container import MANIFEST_PATH, SIGNATURE_PATH, write_container
from casefile.bundle.inventory import BundleInventory
from casefile.bundle.manifest import DataObject, build_manifest
from casefile.bundle.revocation import (
    certificates_of_cms,
    certificates_of_pdf,
    certificates_of_sealed,
    collect_revocation_data,
)
from casefile.bundle.seal import seal_manifest
from casefile.signing.signers import DocumentSigner

__all__ = ["INVENTORY_PATH", "MEDIA_TYPES", "build_bundle"]

INVENTORY_PATH = "inventory.json"
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".crl": "application/pkix-crl",
    ".ocsp": "application/ocsp-response",
}


def _media_type(path: str) -> str:
    return next(
        (kind for suffix, kind in MEDIA_TYPES.items() if path.endswith(suffix)),
        "application/octet-stream",
    )


async def build_bundle(
    inventory: BundleInventory,
    files: Mapping[str, bytes],
    *,
    seal_signer: DocumentSigner,
    timestamper: TimeStamper,
    trust_roots: Sequence[x509.Certificate],
    fetcher_backend: FetcherBackend,
) -> bytes:
    """The ASiC-E bundle: ``files`` (the PDFs and sealed confirmations, by bundle path),
    the inventory, revocation data, the ASiCManifest of them all and the agency's seal.

    The revocation data covers every certificate in the PDFs and confirmation seals, the
    seal certificate and its chain, and the TSA's certificate (from a dummy token: the
    real one does not exist before sealing, and the manifest that lists the data must be
    sealed last).
    """
    # sealing a bundle that contradicts itself would be a bug here, not a finding there
    expected = {doc.path for doc in inventory.documents} | {
        c.path for doc in inventory.documents for c in doc.confirmations
    }
    if expected != set(files):
        raise ValueError("the files are not exactly the documents and confirmations listed")
    for doc in inventory.documents:
        if hashlib.sha256(files[doc.path]).hexdigest() != doc.sha256:
            raise ValueError(f"{doc.code}: the bytes do not hash to the inventory's SHA-256")
    certificates = [
        cert
        for path, data in files.items()
        for cert in (
            certificates_of_pdf(data) if path.endswith(".pdf") else certificates_of_sealed(data)
        )
    ]
    certificates.append(seal_signer.certificate)
    certificates += list(seal_signer.signer.cert_registry)
    dummy_token = await timestamper.async_dummy_response("sha256")
    certificates += certificates_of_cms(dummy_token["content"])
    revocation = await collect_revocation_data(
        certificates,
        trust_roots=trust_roots,
        fetcher_backend=fetcher_backend,
        moment=inventory.exported_at,
    )

    files = {INVENTORY_PATH: inventory.to_json(), **files, **revocation.files()}
    objects = [
        DataObject.of(path, _media_type(path), data, root=path == INVENTORY_PATH)
        for path, data in files.items()
    ]
    manifest = build_manifest(SIGNATURE_PATH, objects)
    seal = await seal_manifest(
        manifest, seal_signer, timestamper=timestamper, sealed_at=inventory.exported_at
    )
    return write_container({**files, MANIFEST_PATH: manifest, SIGNATURE_PATH: seal})
