"""The content-addressed blob store: write-once, durable, verified on every read."""

import hashlib
import os
import stat

import pytest

from casefile.blobstore import FileBlobStore
from casefile.errors import BlobCorrupted, InvalidInput, NotFound


def test_blob_put_returns_sha256_and_get_returns_the_bytes(blobs: FileBlobStore) -> None:
    data = "Biên bản ghi lời khai".encode()
    digest = blobs.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert blobs.get(digest) == data


def test_blob_is_write_once_and_read_only(blobs: FileBlobStore) -> None:
    digest = blobs.put(b"%PDF-1.7 original")
    path = blobs._path(digest)
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    inode = os.stat(path).st_ino
    assert blobs.put(b"%PDF-1.7 original") == digest
    assert os.stat(path).st_ino == inode  # not rewritten
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no temporary left


def test_blob_corrupted_on_disk_raises_and_never_serves_bad_bytes(blobs: FileBlobStore) -> None:
    digest = blobs.put(b"%PDF-1.7 signed decision")
    path = blobs._path(digest)
    os.chmod(path, 0o644)
    raw = bytearray(path.read_bytes())
    raw[5] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(BlobCorrupted, match=digest):
        blobs.get(digest)
    with pytest.raises(BlobCorrupted):
        blobs.put(b"%PDF-1.7 signed decision")  # a new put does not hide the corruption


def test_blob_unknown_hash_is_not_found_and_malformed_hash_is_refused(
    blobs: FileBlobStore,
) -> None:
    with pytest.raises(NotFound):
        blobs.get("0" * 64)
    with pytest.raises(InvalidInput, match="SHA-256"):
        blobs.get("../../etc/passwd")
