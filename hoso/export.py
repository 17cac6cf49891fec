"""``hoso export CASE-CODE``: write the case file as a bundle sealed by its owning agency.

Reads the database and the blob store named by the ``HOSO_*`` settings; the seal key
comes from the signing back end (the demo PKI's ``seal-<agency>``, or the PKCS#11 token
when ``HOSO_SIGNER_BACKEND=pkcs11``), the time-stamp and revocation data from the demo
PKI's in-process services. The copy is logged (``case.exported``) in the same transaction
that read the file, after the bundle is on disk; if logging fails the file is removed.

Exit status: 0 written, 1 refused (unknown case or user, no authority, a corrupted blob),
2 unusable input (a mistyped case code, an existing or impossible output path).

Legal basis: Joint Circular art. 4(4), 14(2), 17(1)(đ) (every copy is logged), art. 13(3).
"""

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from casefile.blobstore import FileBlobStore, sha256_hex
from casefile.bundle.export import build_bundle
from casefile.db import make_engine, make_session_factory, transaction
from casefile.errors import HosoError, InvalidInput
from casefile.models import User
from casefile.settings import Settings
from casefile.signing.runtime import Pkcs11Settings, SigningRuntime
from casefile.usecases.export_case_file import (
    CaseFileExport,
    collect_case_file,
    record_case_file_export,
)

__all__ = ["export_case"]


async def _seal(export: CaseFileExport, settings: Settings) -> bytes:
    pkcs11 = (
        Pkcs11Settings(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin)
        if settings.signer_backend == "pkcs11"
        else None
    )
    async with SigningRuntime.start(settings.pki_dir, pkcs11=pkcs11) as runtime:
        try:
            seal_label = runtime.pki.seal_label(export.inventory.agency_code)
        except KeyError:
            raise HosoError(
                f"no electronic seal for agency {export.inventory.agency_code}"
            ) from None
        seal_signer = await runtime.signer(seal_label)
        try:
            return await build_bundle(
                export.inventory,
                export.files,
                seal_signer=seal_signer,
                timestamper=runtime.env.timestamper,
                trust_roots=runtime.pki.trust_roots,
                fetcher_backend=runtime.services.fetcher_backend(),
            )
        finally:
            await seal_signer.aclose()


def _write_new(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary sibling renamed into place)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_case(code: str, settings: Settings, *, username: str, output: Path | None) -> int:
    target = output or Path(f"{code}.asice")
    if target.exists():
        print(f"hoso export: {target} exists: choose another --output", file=sys.stderr)
        return 2
    if not target.parent.is_dir():
        print(f"hoso export: {target.parent}: no such folder", file=sys.stderr)
        return 2
    engine = make_engine(settings.effective_database_url)
    written = False
    try:
        with transaction(make_session_factory(engine)) as session:
            actor = session.scalars(select(User).where(User.username == username)).one_or_none()
            if actor is None:
                print(f"hoso export: no user {username!r}", file=sys.stderr)
                return 1
            export = collect_case_file(
                session,
                actor=actor,
                code=code,
                blobs=FileBlobStore(settings.effective_blob_dir),
                exported_at=datetime.now(UTC),
            )
            data = asyncio.run(_seal(export, settings))
            _write_new(target, data)
            written = True
            record_case_file_export(
                session,
                actor=actor,
                export=export,
                bundle_sha256=sha256_hex(data),
                written_to=str(target.resolve()),
            )
    except BaseException as exc:
        if written:
            target.unlink(missing_ok=True)  # the copy was not logged: it must not remain
        if isinstance(exc, HosoError):
            print(f"hoso export: {exc.failure_message}", file=sys.stderr)
            return 2 if isinstance(exc, InvalidInput) else 1  # e.g. a mistyped case code
        raise
    finally:
        engine.dispose()
    inventory = export.inventory
    print(
        f"{target}: case {inventory.case_code}, {len(inventory.documents)} documents, "
        f"{inventory.record_count} records, sealed by {inventory.agency_name}; "
        f"SHA-256 {sha256_hex(data)}"
    )
    return 0
