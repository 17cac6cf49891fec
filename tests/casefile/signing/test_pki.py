"""The demo PKI: content, markings, persistence and in-process services."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

from asn1crypto import crl

from casefile.signing.pki import DEMO_IDENTITIES, DemoPKI, IdentityStatus, PKIServices, SignerRole


def _all_labels(pki: DemoPKI) -> list[str]:
    return [
        str(spec.label) for _issuer, specs in pki.arch.enumerate_certs_by_issuer() for spec in specs
    ]


def test_demo_pki_every_certificate_marked_test_only(pki: DemoPKI) -> None:
    labels = _all_labels(pki)
    assert len(labels) >= 13
    for label in labels:
        assert "TEST ONLY" in pki.cert(label).subject.human_friendly, label


def test_demo_pki_officials_and_participants_have_vietnamese_subjects(pki: DemoPKI) -> None:
    roles = {i.role for i in DEMO_IDENTITIES.values() if i.status is IdentityStatus.VALID}
    assert {SignerRole.INVESTIGATOR, SignerRole.PROSECUTOR, SignerRole.JUDGE} <= roles
    assert sum(1 for i in DEMO_IDENTITIES.values() if not i.official) == 2
    subject = pki.cert("investigator").subject.native
    assert subject["common_name"] == "Nguyễn Văn An"
    assert subject["organization_name"] == "Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội"
    assert subject["title"] == "Điều tra viên"
    # officials under the specialized CA, participants under the public CA
    assert pki.cert("judge").issuer == pki.cert("ca-official").subject
    assert pki.cert("participant-1").issuer == pki.cert("ca-public").subject


def test_demo_pki_uses_ecdsa_p256(pki: DemoPKI) -> None:
    for label in ("root", "investigator", "tsa", "participant-2"):
        key = pki.cert(label).public_key
        assert key.algorithm == "ec"
        assert key.curve[1] == "secp256r1"


def test_demo_pki_expired_certificate_validity_in_past(pki: DemoPKI) -> None:
    assert pki.cert("prosecutor-expired").not_valid_after < datetime.now(UTC)
    assert pki.cert("prosecutor").not_valid_after > datetime.now(UTC)


def test_demo_pki_reload_keeps_certificate_bytes(pki: DemoPKI) -> None:
    again = DemoPKI.ensure(pki.directory)
    for label in ("root", "ca-official", "investigator", "tsa"):
        assert again.cert(label).dump() == pki.cert(label).dump()
    assert again.created_at == pki.created_at


def test_demo_pki_private_files_owner_only(pki: DemoPKI) -> None:
    for path in [pki.key_path("root"), pki.key_path("judge"), pki.pkcs12_path("judge")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def test_pki_services_crl_lists_revoked_and_is_cached(
    pki: DemoPKI, services: PKIServices
) -> None:
    url = f"{services.tsa_url.rsplit('/tsa/', 1)[0]}/crls/ca-official/latest.crl"
    async with services.session.get(url) as resp:
        first = await resp.read()
    async with services.session.get(url) as resp:
        second = await resp.read()
    assert first == second
    revoked = {
        entry["user_certificate"].native
        for entry in crl.CertificateList.load(first)["tbs_cert_list"]["revoked_certificates"]
    }
    assert pki.cert("investigator-revoked").serial_number in revoked
    assert pki.cert("investigator").serial_number not in revoked
    assert len(services.illusionist._crls) >= 1
