"""Signing keys behind one interface: a software key or a PKCS#11 token (HSM, USB token).

Legal basis: Joint Circular art. 5(1) (persons with authority sign with an official
certificate), art. 5(2) (participants sign with a specialized or public certificate).

Both back ends hand pyHanko a :class:`pyhanko.sign.signers.Signer`; everything above
(:mod:`casefile.signing.pades`) works with :class:`DocumentSigner` only, so the embedded
demo (software keys from the demo PKI) and production (keys that never leave an HSM,
reached over PKCS#11) share the signing code.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self, runtime_checkable

from asn1crypto import x509
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer, SimpleSigner

__all__ = [
    "CertificateHolder",
    "DocumentSigner",
    "Pkcs11Options",
    "Pkcs11Signer",
    "SoftwareSigner",
]


@runtime_checkable
class DocumentSigner(Protocol):
    """A private key with its certificate and chain, usable by pyHanko.

    Implementations: :class:`SoftwareSigner` (PEM or PKCS#12 on disk) and
    :class:`Pkcs11Signer` (a PKCS#11 token). Call :meth:`aclose` (or use ``async with``
    on the implementations) to release the token session.
    """

    @property
    def signer(self) -> Signer:
        """The pyHanko signer (key, certificate, chain to embed)."""
        ...

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""
        ...

    async def aclose(self) -> None:
        """Release the key (close a token session); idempotent."""
        ...


@dataclass(frozen=True)
class CertificateHolder:
    """Who a certificate names: what a visible signature block shows."""

    name: str
    """Common name (the person's full name)."""
    title: str | None
    """X.520 ``title`` (job title), if present."""
    organization: str | None
    """Organization (the agency), if present."""

    @classmethod
    def from_certificate(cls, cert: x509.Certificate) -> Self:
        """Read the holder's name, title and organization from the certificate subject."""
        subject = cert.subject.native
        return cls(
            name=str(subject.get("common_name", "")),
            title=_first(subject.get("title")),
            organization=_first(subject.get("organization_name")),
        )


def _first(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value)


def _load_certs(paths: Iterable[str | os.PathLike[str]]) -> list[x509.Certificate]:
    return [load_cert_from_pemder(str(p)) for p in paths]


class SoftwareSigner:
    """A key held in a file (PEM or PKCS#12): the demo PKI's keys, development, tests.

    Not for production officials: Joint Circular art. 5(1) official certificates live on
    tokens/HSMs (see :class:`Pkcs11Signer`).
    """

    def __init__(self, signer: SimpleSigner):
        self._signer = signer

    @classmethod
    def from_pem(
        cls,
        key_path: str | os.PathLike[str],
        cert_path: str | os.PathLike[str],
        *,
        chain_paths: Iterable[str | os.PathLike[str]] = (),
        passphrase: bytes | None = None,
    ) -> Self:
        """Load a PEM/DER key and certificate, plus the issuers' certificates to embed."""
        signer = SimpleSigner.load(
            str(key_path),
            str(cert_path),
            ca_chain_files=[str(p) for p in chain_paths] or None,
            key_passphrase=passphrase,
        )
        if signer is None:
            raise ValueError(f"could not load a signing key from {Path(key_path).name}")
        return cls(signer)

    @classmethod
    def from_pkcs12(
        cls,
        path: str | os.PathLike[str],
        *,
        passphrase: bytes | None = None,
        other_certs: Iterable[x509.Certificate] = (),
    ) -> Self:
        """Load a PKCS#12 bundle (key, certificate and, usually, its chain)."""
        signer = SimpleSigner.load_pkcs12_data(
            Path(path).read_bytes(), other_certs=list(other_certs), passphrase=passphrase
        )
        return cls(signer)

    @property
    def signer(self) -> Signer:
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        cert = self._signer.signing_cert
        assert cert is not None
        return cert

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


@dataclass(frozen=True)
class Pkcs11Options:
    """Where to find a signing key on a PKCS#11 token."""

    module_path: str
    """PKCS#11 module, e.g. ``/usr/lib/softhsm/libsofthsm2.so`` or the HSM vendor's."""
    token_label: str
    """Label of the token that holds the key."""
    user_pin: str = field(repr=False)
    """User PIN (kept out of ``repr`` so it never reaches a log)."""
    key_label: str
    """``CKA_LABEL`` of the private key."""
    cert_label: str | None = None
    """``CKA_LABEL`` of the certificate; defaults to :attr:`key_label`."""
    chain_paths: tuple[str, ...] = ()
    """Issuer certificates to embed when the token does not hold them."""
    pull_other_certs: bool = True
    """Also embed the other certificates found on the token (its CA chain)."""
    raw_ecdsa: bool | None = None
    """Hash in software and use ``CKM_ECDSA`` on the token instead of
    ``CKM_ECDSA_SHA256`` (which SoftHSM2 and many tokens lack). ``None``: yes for EC keys."""


class Pkcs11Signer:
    """A key on a PKCS#11 token (HSM at scale, SoftHSM2 in tests); it never leaves it.

    The session is opened by :meth:`open` and closed by :meth:`aclose`. Opening costs a
    module load and a login, so keep one instance per worker rather than per document.
    """

    def __init__(self, options: Pkcs11Options, session: object, signer: PKCS11Signer):
        self.options = options
        self._session = session
        self._signer = signer

    @classmethod
    async def open(cls, options: Pkcs11Options) -> Self:
        """Open a session on the token, log in and locate the key and certificate."""
        return await asyncio.to_thread(cls._open_sync, options)

    @classmethod
    def _open_sync(cls, options: Pkcs11Options) -> Self:
        session = open_pkcs11_session(
            options.module_path,
            token_criteria=TokenCriteria(label=options.token_label),
            user_pin=options.user_pin,
        )
        try:
            signer = PKCS11Signer(
                session,
                key_label=options.key_label,
                cert_label=options.cert_label or options.key_label,
                ca_chain=_load_certs(options.chain_paths) or None,
                other_certs_to_pull=None if options.pull_other_certs else (),
            )
            # force the certificate lookups now, so errors surface at start-up
            cert = signer.signing_cert
            signer.cert_registry  # noqa: B018
            raw = options.raw_ecdsa
            if raw is None:
                raw = cert is not None and cert.public_key.algorithm == "ec"
            signer.use_raw_mechanism = raw
        except BaseException:
            session.close()
            raise
        return cls(options, session, signer)

    @property
    def signer(self) -> Signer:
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        cert = self._signer.signing_cert
        assert cert is not None
        return cert

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await asyncio.to_thread(session.close)  # type: ignore[attr-defined]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
