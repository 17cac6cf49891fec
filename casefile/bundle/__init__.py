"""The case-file bundle: an ASiC-E container sealed by the exporting agency, verifiable
offline. ``hoso export`` writes it, ``hoso verify bundle.asice`` checks it.

Legal basis: Joint Circular art. 4(4) (copies are controlled and logged), art. 9(1)-(3)
and 15(1) (the receiving agency verifies the file), art. 10(3), 13(1) and 13(3) (codes,
record numbers, the agency's electronic seal), art. 17(1)(a).

Layout (ETSI EN 319 162-1, ASiC-E with CAdES)::

    mimetype                      application/vnd.etsi.asic-e+zip (first, uncompressed)
    inventory.json                the case and its documents (the manifest's root file)
    documents/<document code>.pdf each PDF exactly as filed
    confirmations/<doc>/<party>.json each participant's sealed confirmation (art. 6, 7(6))
    validation/<sha256>.crl|.ocsp revocation data for every certificate, fetched at export
    META-INF/ASiCManifest.xml     every file above with its SHA-256
    META-INF/signature.p7s        the agency's seal over the manifest (CAdES-T, detached)

Modules, one concept each: :mod:`~casefile.bundle.container` (the ZIP),
:mod:`~casefile.bundle.manifest` (ASiCManifest XML), :mod:`~casefile.bundle.inventory`,
:mod:`~casefile.bundle.revocation`, :mod:`~casefile.bundle.seal`,
:mod:`~casefile.bundle.export` (building), :mod:`~casefile.bundle.verify` and
:mod:`~casefile.bundle.report` (the Vietnamese report).
"""

from casefile.bundle.container import UnreadableContainer
from casefile.bundle.export import build_bundle
from casefile.bundle.inventory import BundleInventory
from casefile.bundle.verify import BundleProblem, BundleVerification, verify_bundle

__all__ = [
    "BundleInventory",
    "BundleProblem",
    "BundleVerification",
    "UnreadableContainer",
    "build_bundle",
    "verify_bundle",
]
