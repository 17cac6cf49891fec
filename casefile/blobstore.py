"""Content-addressed, write-once store of document bytes.

Bytes are named by their SHA-256, written to a temporary file, fsynced and linked into
place (never overwritten), so that a database row referring to a hash is committed only
after the bytes are durable. Every read re-hashes the bytes: a corrupted blob raises
:class:`BlobCorrupted` and is never served.

Legal basis: Joint Circular art. 13(1), 16(1) (integrity and storage of the electronic file).
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from casefile.errors import BlobCorrupted, InvalidInput, NotFound

__all__ = ["BlobStore", "FileBlobStore", "sha256_hex"]

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...


class FileBlobStore:
    """Blobs as read-only files ``root/ab/cd/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _SHA256_RE.match(sha256):
            raise InvalidInput(f"{sha256!r} is not a lowercase SHA-256 hex digest", field="sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store ``data`` durably and return its SHA-256 (idempotent)."""
        digest = sha256_hex(data)
        final = self._path(digest)
        if final.exists():
            self.get(digest)  # an existing copy must still be intact
            return digest
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, 0o444)
            try:
                os.link(tmp_name, final)  # fails if present: never overwrite
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp_name)
        _fsync_directory(final.parent)
        return digest

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no stored bytes with SHA-256 {sha256}", field="sha256") from None
        actual = sha256_hex(data)
        if actual != sha256:
            raise BlobCorrupted(f"stored bytes {sha256} are corrupted (they hash to {actual})")
        return data


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
