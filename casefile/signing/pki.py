"""Demo PKI (certomancer) and its in-process CRL/OCSP/TSA services. TEST ONLY.

The embedded default of hoso has no access to a real certification authority, so on first
run it generates a small PKI into a directory (``./data/pki``): a root CA, a specialized CA
for persons with authority (Joint Circular art. 5(1)), a public CA for participants (Joint
Circular art. 5(2)), a time-stamping authority, two OCSP responders, CRLs, three officials
(investigator, prosecutor, judge), two participants, one revoked and one expired
certificate. Every subject carries ``OU=TEST ONLY - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ`` and every CA
or service name says "(TEST ONLY)".

Key algorithm: ECDSA P-256 with SHA-256 throughout. It is one of the two algorithms the
design allows (RSASSA-PSS >= 2048 or ECDSA >= 256), and it is the one that every tool in
the chain supports without special parameters: certomancer (certificates, CRLs, OCSP, TSA
tokens), pyHanko (``ecdsa_with_sha256`` is chosen automatically from the key), SoftHSM2
(``CKM_ECDSA``), and poppler's ``pdfsig`` (NSS). Key generation is instantaneous (RSA-3072
takes about a second per key) and CRL signing costs well under a millisecond, where
RSA-3072 costs about 190 ms per CRL. pyHanko's ``DummyTimeStamper`` is RSA-only, but the
demo never uses it: the TSA is certomancer's, served in process (:class:`PKIServices`).

Private keys are written unencrypted (PKCS#8 PEM, mode 0600, in a 0700 directory) because
this is a throw-away demo PKI; ``data/`` is git-ignored and keys must never be committed.
Certificates are written once and reloaded from disk (certomancer's ``certificate-file``),
so the bytes of every certificate stay the same across processes and restarts.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import string
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

import aiohttp
import aiohttp.web
import yaml
from asn1crypto import x509
from certomancer.integrations.aiohttp_illusionist import AsyncIllusionist
from certomancer.registry import (
    ArchLabel,
    CertLabel,
    CertomancerConfig,
    PKIArchitecture,
    ServiceLabel,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

__all__ = [
    "ARCH_LABEL",
    "DEMO_IDENTITIES",
    "PKCS12_PASSPHRASE",
    "DemoIdentity",
    "DemoPKI",
    "IdentityStatus",
    "PKIServices",
    "SignerRole",
    "load_into_pkcs11_token",
]

ARCH_LABEL = "hoso-demo"
URL_PREFIX = "http://pki.hoso.test"
"""Base of the CRL/OCSP/TSA URLs in the certificates (``.test`` is reserved, RFC 2606)."""

PKCS12_PASSPHRASE = b"hoso-demo-test-only"
"""Passphrase of the demo PKCS#12 files (TEST ONLY, printed in the PKI's README)."""

TEMPLATE = Path(__file__).with_name("demo-pki.yml.tmpl")
CONFIG_NAME = "certomancer.yml"
MANIFEST_NAME = "manifest.json"

_CA_LABELS = ("root", "ca-official", "ca-public", "tsa", "ocsp-official", "ocsp-public")


class SignerRole(StrEnum):
    """Procedural role of a demo certificate holder."""

    INVESTIGATOR = "investigator"
    PROSECUTOR = "prosecutor"
    JUDGE = "judge"
    PARTICIPANT = "participant"


class IdentityStatus(StrEnum):
    """What the demo certificate is for: normal use, or a revocation/expiry test case."""

    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class DemoIdentity:
    """A person holding a demo certificate."""

    label: str
    """Certomancer label of the certificate, entity and key."""
    name: str
    """Full name in Vietnamese (NFC), the certificate's CN."""
    role: SignerRole
    """Procedural role."""
    title: str | None = None
    """Job title shown in the signature block (X.520 ``title``)."""
    agency: str | None = None
    """Agency (the certificate's O); ``None`` for participants."""
    status: IdentityStatus = IdentityStatus.VALID
    """Whether the certificate is usable, revoked or expired."""
    official: bool = True
    """Official (specialized) certificate, or a participant's public certificate."""


_POLICE = "Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội"
_PROCURACY = "Viện kiểm sát nhân dân thành phố Hà Nội"
_COURT = "Tòa án nhân dân thành phố Hà Nội"

DEMO_IDENTITIES: Mapping[str, DemoIdentity] = {
    i.label: i
    for i in (
        DemoIdentity(
            "investigator", "Nguyễn Văn An", SignerRole.INVESTIGATOR, "Điều tra viên", _POLICE
        ),
        DemoIdentity(
            "prosecutor", "Trần Thị Bình", SignerRole.PROSECUTOR, "Kiểm sát viên", _PROCURACY
        ),
        DemoIdentity("judge", "Lê Văn Cường", SignerRole.JUDGE, "Thẩm phán", _COURT),
        DemoIdentity(
            "investigator-revoked",
            "Phạm Văn Dũng",
            SignerRole.INVESTIGATOR,
            "Điều tra viên",
            _POLICE,
            IdentityStatus.REVOKED,
        ),
        DemoIdentity(
            "prosecutor-expired",
            "Hoàng Thị Huệ",
            SignerRole.PROSECUTOR,
            "Kiểm sát viên",
            _PROCURACY,
            IdentityStatus.EXPIRED,
        ),
        DemoIdentity("participant-1", "Đặng Văn Giang", SignerRole.PARTICIPANT, official=False),
        DemoIdentity("participant-2", "Vũ Thị Hương", SignerRole.PARTICIPANT, official=False),
    )
}
"""Every certificate holder of the demo PKI, by certificate label."""


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _render_config(now: datetime) -> str:
    """Fill the YAML template with validity times relative to ``now``."""
    labels = [*_CA_LABELS, *DEMO_IDENTITIES]
    key_entries = "\n".join(f"      {lbl}:\n        path: {lbl}.key.pem" for lbl in labels)
    person_lines = []
    for ident in DEMO_IDENTITIES.values():
        person_lines.append(f"      {ident.label}:")
        if ident.agency:
            agency = json.dumps(ident.agency, ensure_ascii=False)
            person_lines.append(f"        organization-name: {agency}")
        if ident.title:
            person_lines.append(f"        title: {json.dumps(ident.title, ensure_ascii=False)}")
        person_lines.append('        locality-name: "Hà Nội"')
        person_lines.append(f"        common-name: {json.dumps(ident.name, ensure_ascii=False)}")
    times = {
        "ca_from": _iso(now - timedelta(days=5 * 366)),
        "root_to": _iso(now + timedelta(days=25 * 366)),
        "interm_to": _iso(now + timedelta(days=15 * 366)),
        "leaf_from": _iso(now - timedelta(days=1)),
        "leaf_to": _iso(now + timedelta(days=3 * 366)),
        "revoked_since": _iso(now - timedelta(hours=1)),
        "expired_from": _iso(now - timedelta(days=2 * 366)),
        "expired_to": _iso(now - timedelta(days=366)),
    }
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        url_prefix=URL_PREFIX,
        key_entries=key_entries,
        person_entities="\n".join(person_lines),
        **times,
    )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class DemoPKI:
    """A generated demo PKI on disk, loaded through certomancer. TEST ONLY.

    Use :meth:`ensure` (load, or generate on first run), :meth:`generate` or :meth:`load`.
    """

    def __init__(self, directory: Path, arch: PKIArchitecture, created_at: datetime):
        self.directory = directory
        self.arch = arch
        self.created_at = created_at

    # -- construction -------------------------------------------------------------------

    @classmethod
    def ensure(cls, directory: str | os.PathLike[str]) -> Self:
        """Load the PKI in ``directory``, generating it first if it does not exist yet."""
        directory = Path(directory)
        if (directory / MANIFEST_NAME).exists():
            return cls.load(directory)
        return cls.generate(directory)

    @classmethod
    def generate(cls, directory: str | os.PathLike[str], *, now: datetime | None = None) -> Self:
        """Generate keys, certificates and PKCS#12 files into a new ``directory``.

        The work happens in a sibling temporary directory renamed into place at the end, so
        a crash leaves nothing half-written and two processes racing on first run end up
        with the same PKI (the loser loads the winner's).

        :param now: anchor of the validity periods (default: the current time).
        """
        directory = Path(directory)
        now = (now or datetime.now(UTC)).replace(microsecond=0)
        directory.parent.mkdir(parents=True, exist_ok=True)
        work = directory.with_name(f".{directory.name}.tmp-{uuid.uuid4().hex}")
        work.mkdir(mode=0o700)
        try:
            (work / "keys").mkdir(mode=0o700)
            labels = [*_CA_LABELS, *DEMO_IDENTITIES]
            for lbl in labels:
                key = ec.generate_private_key(ec.SECP256R1())
                _write_private(
                    work / "keys" / f"{lbl}.key.pem",
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ),
                )
            (work / CONFIG_NAME).write_text(_render_config(now), encoding="utf-8")
            arch = cls._load_arch(work)
            certs_dir = work / "certs"
            certs_dir.mkdir()
            for _issuer, labels_of_issuer in arch.enumerate_certs_by_issuer():
                for spec in labels_of_issuer:
                    (certs_dir / f"{spec.label}.cert.pem").write_bytes(
                        _pem(arch.get_cert(spec.label))
                    )
            cls._write_pkcs12(work, arch)
            (work / MANIFEST_NAME).write_text(
                json.dumps(
                    {"arch": ARCH_LABEL, "created_at": now.isoformat(), "test_only": True},
                    indent=2,
                ),
                encoding="utf-8",
            )
            (work / "README.txt").write_text(
                "TEST ONLY - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ.\n"
                "Demo PKI of hoso, generated by casefile.signing.pki. Private keys are here\n"
                "unencrypted: never commit or copy them. PKCS#12 passphrase: "
                f"{PKCS12_PASSPHRASE.decode()}\nDelete this folder to generate a new PKI.\n",
                encoding="utf-8",
            )
            try:
                work.rename(directory)
            except OSError:
                if not (directory / MANIFEST_NAME).exists():
                    raise
                # somebody else generated it first: use theirs
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        return cls.load(directory)

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Self:
        """Load a PKI generated earlier by :meth:`generate`."""
        directory = Path(directory)
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        return cls(
            directory,
            cls._load_arch(directory, pregenerated=True),
            datetime.fromisoformat(manifest["created_at"]),
        )

    @staticmethod
    def _load_arch(directory: Path, pregenerated: bool = False) -> PKIArchitecture:
        config = yaml.safe_load((directory / CONFIG_NAME).read_text(encoding="utf-8"))
        if pregenerated:
            # reuse the certificates written at generation time: ECDSA signatures are
            # randomized, so re-issuing them would give different bytes in every process
            for label, cert_cfg in config["pki-architectures"][ARCH_LABEL]["certs"].items():
                cert_cfg["certificate-file"] = f"certs/{label}.cert.pem"
        cfg = CertomancerConfig(
            config, key_search_dir=str(directory), config_search_dir=str(directory)
        )
        return cfg.get_pki_arch(ArchLabel(ARCH_LABEL))

    @staticmethod
    def _write_pkcs12(directory: Path, arch: PKIArchitecture) -> None:
        (directory / "pkcs12").mkdir(mode=0o700)
        for lbl in DEMO_IDENTITIES:
            key = serialization.load_pem_private_key(
                (directory / "keys" / f"{lbl}.key.pem").read_bytes(), password=None
            )
            cert = _to_crypto(arch.get_cert(CertLabel(lbl)))
            chain = [_to_crypto(c) for c in _chain(arch, lbl)]
            data = pkcs12.serialize_key_and_certificates(
                name=lbl.encode(),
                key=key,  # type: ignore[arg-type]
                cert=cert,
                cas=chain,
                encryption_algorithm=serialization.BestAvailableEncryption(PKCS12_PASSPHRASE),
            )
            _write_private(directory / "pkcs12" / f"{lbl}.p12", data)

    # -- accessors ----------------------------------------------------------------------

    def cert(self, label: str) -> x509.Certificate:
        """Certificate with the given label."""
        return self.arch.get_cert(CertLabel(label))

    def chain(self, label: str) -> list[x509.Certificate]:
        """Issuers of ``label`` up to and including the root, nearest first."""
        return _chain(self.arch, label)

    @property
    def root(self) -> x509.Certificate:
        """The root CA certificate: the single trust anchor of the demo."""
        return self.cert("root")

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        """Trust anchors to validate demo signatures against."""
        return [self.root]

    def identity(self, label: str) -> DemoIdentity:
        """The person behind a demo certificate."""
        return DEMO_IDENTITIES[label]

    def key_path(self, label: str) -> Path:
        """PEM private key (PKCS#8, unencrypted) of ``label``."""
        return self.directory / "keys" / f"{label}.key.pem"

    def cert_path(self, label: str) -> Path:
        """PEM certificate of ``label``."""
        return self.directory / "certs" / f"{label}.cert.pem"

    def pkcs12_path(self, label: str) -> Path:
        """PKCS#12 bundle (key, certificate, chain) of a certificate holder."""
        return self.directory / "pkcs12" / f"{label}.p12"

    def chain_paths(self, label: str) -> list[Path]:
        """PEM files of the issuers of ``label``, nearest first."""
        return [
            self.cert_path(str(spec_label)) for spec_label in self.arch.get_chain(CertLabel(label))
        ]

    def services(self, *, at_time: datetime | None = None) -> PKIServices:
        """In-process CRL/OCSP/TSA services of this PKI (start with ``async with``)."""
        return PKIServices(self, at_time=at_time)


def _chain(arch: PKIArchitecture, label: str) -> list[x509.Certificate]:
    return [arch.get_cert(lbl) for lbl in arch.get_chain(CertLabel(label))]


def _pem(cert: x509.Certificate) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", cert.dump())


def _to_crypto(cert: x509.Certificate) -> Any:
    from cryptography import x509 as cx509

    return cx509.load_der_x509_certificate(cert.dump())


class _CachingIllusionist(AsyncIllusionist):
    """certomancer's in-process aiohttp services, with CRLs cached per CRL number.

    certomancer signs a fresh CRL on every request; CRLs only change when the simulated
    update schedule ticks over, so one per (repository, CRL number) is enough.
    """

    def __init__(self, pki_arch: PKIArchitecture, at_time: datetime | None = None):
        super().__init__(pki_arch, at_time=at_time)
        self._crls: dict[tuple[str, int], bytes] = {}

    def crl_bytes(self, label: ServiceLabel, at_time: datetime) -> bytes:
        """DER bytes of the CRL of repository ``label`` current at ``at_time``."""
        registry = self.pki_arch.service_registry
        info = registry.get_crl_repo_info(label)
        issuer_label = info.resolve_issuer_cert(self.pki_arch)
        origin = self.pki_arch.get_cert(issuer_label).not_valid_before
        number = (at_time - origin) // info.simulated_update_schedule
        key = (str(label), number)
        if key not in self._crls:
            self._crls[key] = registry.get_crl(label, number=number).dump()
        return self._crls[key]

    def _make_crl_handler(self, label: ServiceLabel):  # overrides certomancer's
        async def handle(request: aiohttp.web.Request) -> aiohttp.web.Response:
            return aiohttp.web.Response(
                body=self.crl_bytes(label, self.at_time), content_type="application/pkix-crl"
            )

        return handle


class PKIServices:
    """CRL, OCSP and TSA of a :class:`DemoPKI`, served in process. TEST ONLY.

    certomancer's ``AsyncIllusionist`` runs an aiohttp server on a loopback port and hands
    out a client session whose resolver sends every host name (``pki.hoso.test``) to it,
    so pyHanko's ordinary HTTP time-stamp client and aiohttp fetchers work unchanged and
    nothing leaves the machine. One instance serves a whole application (start it in the
    FastAPI lifespan or the worker's start-up) or a whole test session::

        async with pki.services() as services:
            stamper = services.timestamper()
            backend = services.fetcher_backend()

    It is bound to the event loop it was started in.
    """

    def __init__(self, pki: DemoPKI, *, at_time: datetime | None = None):
        self.pki = pki
        self.illusionist = _CachingIllusionist(pki.arch, at_time=at_time)
        self._stack: contextlib.AsyncExitStack | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> Self:
        """Start the in-process server (idempotent)."""
        if self._session is None:
            stack = contextlib.AsyncExitStack()
            self._session = await stack.enter_async_context(self.illusionist.serving_session())
            self._stack = stack
        return self

    async def aclose(self) -> None:
        """Stop the server and close the client session."""
        if self._stack is not None:
            stack, self._stack, self._session = self._stack, None, None
            await stack.aclose()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def session(self) -> aiohttp.ClientSession:
        """Client session routed to the in-process services."""
        if self._session is None:
            raise RuntimeError("PKIServices not started: use 'async with' or await start()")
        return self._session

    @property
    def tsa_url(self) -> str:
        """URL of the demo TSA."""
        tsa = self.pki.arch.service_registry.get_tsa_info(ServiceLabel("tsa"))
        return tsa.url

    def timestamper(self) -> HTTPTimeStamper:
        """RFC 3161 client of the demo TSA (signature and document time-stamps)."""
        return HTTPTimeStamper(self.tsa_url, session=self.session)

    def fetcher_backend(self) -> AIOHttpFetcherBackend:
        """pyHanko fetcher backend that gets CRLs/OCSP responses from the demo services."""
        return AIOHttpFetcherBackend(self.session)


def load_into_pkcs11_token(
    pki: DemoPKI,
    labels: Iterable[str],
    *,
    module_path: str,
    token_label: str,
    user_pin: str,
) -> None:
    """Store the key, certificate and chain of each of ``labels`` on a PKCS#11 token.

    Uses certomancer's Alchemist (the library behind ``certomancer alch``); the PKCS#11
    label and ID of each key and certificate is the certificate's label. Meant for
    SoftHSM2 in the demo and in tests; production keys are generated inside the HSM.
    """
    from certomancer.integrations.alchemist import (
        Alchemist,
        DefaultAlchemistBackend,
        open_pkcs11_session,
    )

    session = open_pkcs11_session(module_path, token_label=token_label, pin=user_pin)
    try:
        Alchemist(DefaultAlchemistBackend(session), pki.arch).store_key_bundles(
            {CertLabel(lbl) for lbl in labels}, include_chains=True
        )
    finally:
        session.close()
