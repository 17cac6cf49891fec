"""The ASiC-E container: a ZIP whose first entry names its type (ETSI EN 319 162-1).

Writing puts ``mimetype`` first, stored and uncompressed, so that tools recognise the
container from its first bytes; every other entry is deflated. Reading keeps every entry
in memory (a bundle is verified, never extracted to disk) and refuses what could not
have been written by :func:`write_container`: duplicate or unsafe names, entries larger
than :data:`MAX_ENTRY_SIZE`, a ZIP that does not open.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ASIC_E_MIMETYPE",
    "MANIFEST_PATH",
    "MIMETYPE_PATH",
    "SIGNATURE_PATH",
    "Container",
    "UnreadableContainer",
    "read_container",
    "write_container",
]

ASIC_E_MIMETYPE = "application/vnd.etsi.asic-e+zip"
MIMETYPE_PATH = "mimetype"
MANIFEST_PATH = "META-INF/ASiCManifest.xml"
SIGNATURE_PATH = "META-INF/signature.p7s"
"""The CAdES signature over :data:`MANIFEST_PATH` (ETSI EN 319 162-1 §4.4.3.2)."""

MAX_ENTRY_SIZE = 512 * 1024 * 1024
"""Largest entry read (a ZIP bomb stops here, not at the end of memory)."""


class UnreadableContainer(ValueError):
    """The bytes are not a ZIP this reader can open safely: unusable input, not a verdict."""


@dataclass(frozen=True)
class Container:
    """The entries of a container in their stored order, and how ``mimetype`` was stored."""

    entries: Mapping[str, bytes]
    mimetype_stored: bool
    """``mimetype`` is the first entry and uncompressed, as ETSI EN 319 162-1 requires."""


def write_container(entries: Mapping[str, bytes]) -> bytes:
    """Write an ASiC-E ZIP: ``mimetype`` first and stored, then ``entries`` in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo(MIMETYPE_PATH, date_time=(1980, 1, 1, 0, 0, 0)),
            ASIC_E_MIMETYPE.encode("ascii"),
            compress_type=zipfile.ZIP_STORED,
        )
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read_container(data: bytes) -> Container:
    """Read every entry of a ZIP container; raise :class:`UnreadableContainer` if unsafe."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableContainer(f"not a ZIP file: {exc}") from None
    with archive:
        infos = archive.infolist()
        entries: dict[str, bytes] = {}
        for info in infos:
            name = info.filename
            if name in entries:
                raise UnreadableContainer(f"the entry {name!r} occurs twice")
            if name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise UnreadableContainer(f"unsafe entry name {name!r}")
            if info.is_dir():
                continue
            if info.file_size > MAX_ENTRY_SIZE:
                raise UnreadableContainer(f"the entry {name!r} is larger than {MAX_ENTRY_SIZE}")
            try:
                with archive.open(info) as stream:
                    content = stream.read(MAX_ENTRY_SIZE + 1)
            # zipfile raises NotImplementedError for a compression method it lacks and
            # RuntimeError for an encrypted entry: both make the bundle unusable input
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                raise UnreadableContainer(f"the entry {name!r} cannot be read: {exc}") from None
            if len(content) > MAX_ENTRY_SIZE:
                raise UnreadableContainer(f"the entry {name!r} is larger than {MAX_ENTRY_SIZE}")
            entries[name] = content
    first = infos[0] if infos else None
    return Container(
        entries=entries,
        mimetype_stored=bool(
            first is not None
            and first.filename == MIMETYPE_PATH
            and first.compress_type == zipfile.ZIP_STORED
        ),
    )
