"""The ASiCManifest: every data object of the container with its SHA-256 digest.

Format: ETSI EN 319 162-1 §A.4 (``asic:ASiCManifest`` with one ``asic:SigReference`` to
the CAdES signature and one ``asic:DataObjectReference`` per data object, each with an
XML-DSig ``DigestMethod`` and base64 ``DigestValue``). The manifest is what the
exporting agency seals, so a data object is protected exactly when it is listed here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

__all__ = [
    "DataObject",
    "Manifest",
    "MalformedManifest",
    "build_manifest",
    "parse_manifest",
]

ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
CADES_MIMETYPE = "application/pkcs7-signature"

ET.register_namespace("asic", ASIC_NS)
ET.register_namespace("ds", DS_NS)


class MalformedManifest(ValueError):
    """The manifest is not an ASiCManifest this reader understands."""


@dataclass(frozen=True)
class DataObject:
    """One file of the container as the manifest lists it."""

    path: str
    media_type: str
    sha256: str
    """Lowercase hex (the XML carries it in base64)."""
    root: bool = False
    """The inventory: the file that describes the others (``Rootfile``)."""

    @classmethod
    def of(cls, path: str, media_type: str, data: bytes, *, root: bool = False) -> DataObject:
        return cls(path, media_type, hashlib.sha256(data).hexdigest(), root)


@dataclass(frozen=True)
class Manifest:
    signature_path: str
    objects: tuple[DataObject, ...]

    def by_path(self) -> dict[str, DataObject]:
        return {obj.path: obj for obj in self.objects}


def build_manifest(signature_path: str, objects: list[DataObject]) -> bytes:
    """The ASiCManifest XML (UTF-8) naming ``signature_path`` and every data object."""
    root = ET.Element(f"{{{ASIC_NS}}}ASiCManifest")
    ET.SubElement(root, f"{{{ASIC_NS}}}SigReference", URI=signature_path, MimeType=CADES_MIMETYPE)
    for obj in objects:
        attributes = {"URI": obj.path, "MimeType": obj.media_type}
        if obj.root:
            attributes["Rootfile"] = "true"
        reference = ET.SubElement(root, f"{{{ASIC_NS}}}DataObjectReference", attributes)
        ET.SubElement(reference, f"{{{DS_NS}}}DigestMethod", Algorithm=SHA256_URI)
        digest = ET.SubElement(reference, f"{{{DS_NS}}}DigestValue")
        digest.text = base64.b64encode(bytes.fromhex(obj.sha256)).decode("ascii")
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def parse_manifest(data: bytes) -> Manifest:
    """Read an ASiCManifest; raise :class:`MalformedManifest` naming what is wrong."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        # no DTDs: entity expansion is how XML bombs work, and a manifest needs none
        raise MalformedManifest("the manifest declares a DTD or entities")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise MalformedManifest(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{ASIC_NS}}}ASiCManifest":
        raise MalformedManifest(f"the root element is {root.tag}, not asic:ASiCManifest")
    sig_refs = root.findall(f"{{{ASIC_NS}}}SigReference")
    if len(sig_refs) != 1 or not sig_refs[0].get("URI"):
        raise MalformedManifest("the manifest must name exactly one signature (SigReference)")
    objects: list[DataObject] = []
    seen: set[str] = set()
    for reference in root.findall(f"{{{ASIC_NS}}}DataObjectReference"):
        path = reference.get("URI") or ""
        if not path or path in seen:
            raise MalformedManifest(f"a data object reference is empty or repeated: {path!r}")
        seen.add(path)
        method = reference.find(f"{{{DS_NS}}}DigestMethod")
        if method is None or method.get("Algorithm") != SHA256_URI:
            raise MalformedManifest(f"{path}: the digest method is not SHA-256")
        value = reference.find(f"{{{DS_NS}}}DigestValue")
        text = (value.text or "") if value is not None else ""
        try:
            digest = base64.b64decode(text, validate=True)
        except binascii.Error:
            digest = b""
        if len(digest) != 32:
            raise MalformedManifest(f"{path}: the digest value is not a SHA-256 digest")
        objects.append(
            DataObject(
                path=path,
                media_type=reference.get("MimeType") or "",
                sha256=digest.hex(),
                root=reference.get("Rootfile") == "true",
            )
        )
    return Manifest(signature_path=sig_refs[0].get("URI") or "", objects=tuple(objects))
