"""Signing of the webhooks the simulated account platforms send to hoso.

Scheme (what hoso's webhook endpoint verifies):

- per-platform secret: given one master secret ``M``, the secret of platform ``p`` is
  ``HMAC-SHA256(M, "hoso-platform-webhook/" + p)`` (:func:`derive_platform_secret`);
  a mapping of explicit per-platform secrets may be configured instead;
- header ``X-Hoso-Signature: sha256=<hex HMAC-SHA256 of the raw body>``;
- headers ``X-Hoso-Platform``, ``X-Hoso-Event-Id`` and ``X-Hoso-Timestamp`` (Unix
  seconds) repeat what the signed body carries (``platform``, ``event_id``,
  ``timestamp``). Each attempt is re-signed with a fresh ``timestamp``; the
  ``event_id`` stays the same across retries, so hoso rejects stale timestamps and
  treats a repeated event id as a duplicate (answer 2xx, do nothing).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

__all__ = [
    "EVENT_ID_HEADER",
    "PLATFORM_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "derive_platform_secret",
    "platform_secrets",
    "sign_body",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Hoso-Signature"
PLATFORM_HEADER = "X-Hoso-Platform"
EVENT_ID_HEADER = "X-Hoso-Event-Id"
TIMESTAMP_HEADER = "X-Hoso-Timestamp"

_DERIVATION_LABEL = b"hoso-platform-webhook/"


def derive_platform_secret(master: bytes, platform: str) -> bytes:
    """The webhook secret of ``platform`` derived from the master secret."""
    return hmac.new(master, _DERIVATION_LABEL + platform.encode(), hashlib.sha256).digest()


def platform_secrets(secret: bytes | Mapping[str, bytes], platforms: list[str]) -> dict[str, bytes]:
    """Per-platform secrets from a master secret or an explicit mapping."""
    if isinstance(secret, bytes):
        return {platform: derive_platform_secret(secret, platform) for platform in platforms}
    missing = [platform for platform in platforms if platform not in secret]
    if missing:
        raise ValueError(f"no webhook secret for platform(s): {', '.join(missing)}")
    return {platform: secret[platform] for platform in platforms}


def sign_body(secret: bytes, body: bytes) -> str:
    """The value of ``X-Hoso-Signature`` for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret`` (constant time)."""
    if not header:
        return False
    return hmac.compare_digest(sign_body(secret, body), header)
