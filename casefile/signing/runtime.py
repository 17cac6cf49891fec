"""What a running worker or API needs to sign and validate: keys, TSA, revocation, trust.

The embedded default uses the demo PKI (TEST ONLY) under ``data/pki`` with its CRL, OCSP
and TSA served in process; officials' keys come from it, or from a PKCS#11 token (an
HSM; SoftHSM2 in tests) when ``HOSO_SIGNER_BACKEND=pkcs11``. The services are bound to
the event loop that starts them: start the runtime in the loop that signs.
"""

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from casefile.errors import NotPermitted
from casefile.fonts import ensure_signature_font
from casefile.signing.pades import SigningEnvironment
from casefile.signing.pki import PKCS12_PASSPHRASE, DemoPKI, PKIServices
from casefile.signing.signers import DocumentSigner, Pkcs11Options, Pkcs11Signer, SoftwareSigner
from casefile.signing.validation import ValidationPolicy

__all__ = ["SigningRuntime", "Pkcs11Settings", "default_font_cache_dir"]


def default_font_cache_dir(pki_dir: Path) -> Path:
    """Where the signature font is generated: ``fonts`` next to the PKI (the data dir)."""
    return Path(pki_dir).parent / "fonts"


@dataclass(frozen=True)
class Pkcs11Settings:
    module_path: str
    token_label: str
    user_pin: str


@dataclass
class SigningRuntime:
    pki: DemoPKI
    services: PKIServices
    env: SigningEnvironment
    pkcs11: Pkcs11Settings | None = None

    @classmethod
    @asynccontextmanager
    async def start(
        cls,
        pki_dir: Path,
        *,
        pkcs11: Pkcs11Settings | None = None,
        font_cache_dir: Path | None = None,
    ) -> AsyncIterator["SigningRuntime"]:
        """Start the demo PKI's services in the running loop. The visible blocks use the
        signature font (:func:`casefile.fonts.ensure_signature_font`), generated once into
        ``font_cache_dir`` (default: ``fonts`` next to ``pki_dir``, under the data dir)."""
        pki = DemoPKI.ensure(pki_dir)
        font = ensure_signature_font(font_cache_dir or default_font_cache_dir(pki_dir))
        async with pki.services() as services:
            env = dataclasses.replace(SigningEnvironment.from_services(services), font_file=font)
            yield cls(pki, services, env, pkcs11)

    @property
    def policy(self) -> ValidationPolicy:
        """Validation against the trust roots, revocation data from the live services."""
        return ValidationPolicy(
            trust_roots=tuple(self.pki.trust_roots),
            fetcher_backend=self.services.fetcher_backend(),
        )

    async def signer(self, key_ref: str) -> DocumentSigner:
        """Open the official key named ``key_ref``; close it with ``aclose()``."""
        if self.pkcs11 is not None:
            return await Pkcs11Signer.open(
                Pkcs11Options(
                    module_path=self.pkcs11.module_path,
                    token_label=self.pkcs11.token_label,
                    user_pin=self.pkcs11.user_pin,
                    key_label=key_ref,
                )
            )
        path = self.pki.pkcs12_path(key_ref)
        if not path.exists():
            raise NotPermitted(f"no signing key {key_ref!r} in the demo PKI")
        return SoftwareSigner.from_pkcs12(path, passphrase=PKCS12_PASSPHRASE)
