"""Configuration from environment variables prefixed ``HOSO_``.

Read through :func:`get_settings` (cached, so tests can clear it) rather than an
import-time singleton. A wrong value stops start-up with a message naming the variable.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "SettingsError", "check_database_url", "get_settings", "invalid_settings"]

ENV_PREFIX = "HOSO_"

DEFAULT_PLATFORM_RATE_LIMITS = {
    "account": 50.0,  # VNeID / e-government accounts: deliveries and notices
    "ndc_app": 50.0,
    "portal": 20.0,
    "newspaper": 5.0,
    "broadcast": 5.0,
}
"""Calls per second per platform (one per channel of casefile.notification.Channel)."""


class SettingsError(Exception):
    """A configuration variable has a wrong value; the message names the variable."""


def check_database_url(value: str) -> str:
    """Empty (the embedded SQLite file) or a URL of a driver hoso runs on."""
    if value and not value.startswith(("sqlite:///", "postgresql+psycopg://")):
        raise ValueError(
            f"must start with sqlite:/// or postgresql+psycopg:// (got {value.split('://')[0]!r})"
        )
    return value


def invalid_settings(exc: ValidationError, prefix: str) -> SettingsError:
    """One error naming each wrong variable (``prefix`` + field name)."""
    problems = []
    for error in exc.errors():
        name = prefix + str(error["loc"][0]).upper() if error["loc"] else prefix
        problems.append(f"{name}: {error['msg']}")
    return SettingsError("invalid configuration: " + "; ".join(problems))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Path("data")
    """Where the embedded default keeps its state (SQLite file, blobs, Temporal's database)."""

    database_url: str = ""
    """SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://user@host/db``.
    Empty means a SQLite file under ``data_dir``."""

    blob_dir: Path | None = None
    """Content-addressed store of document bytes; default ``data_dir/blobs``."""

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = Field(default=8233, ge=1, le=65535)
    task_queue: str = Field(default="hoso-casefile", min_length=1, max_length=200)
    """Task queue of this instance's workflows and database activities; two agencies' instances
    sharing one Temporal server use different queues."""

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)

    signer_backend: Literal["demo", "pkcs11"] = "demo"
    """Where officials' keys live: the demo PKI generated under ``data_dir/pki`` (TEST ONLY),
    or a PKCS#11 token (an HSM) holding one key per official, labelled as users.signing_key."""
    pkcs11_module: str = "/usr/lib/softhsm/libsofthsm2.so"
    pkcs11_token: str = "hoso"
    pkcs11_pin: str = Field(default="", repr=False)

    platforms_url: str = "http://127.0.0.1:8765"
    """Base URL of the external platforms (the simulator in the embedded default)."""
    platforms_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    platform_webhook_secret: str = Field(default="hoso-demo-webhook-secret-TEST-ONLY", repr=False)
    """Master secret of the platforms' webhooks; each platform's key is derived from it."""
    platform_rate_limits: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_PLATFORM_RATE_LIMITS)
    )
    """Calls per second each platform accepts from this agency, as JSON
    (``{"account": 20, "newspaper": 1}``); enforced by the Temporal server on the platform's
    task queue across all its workers. A platform left out keeps its default."""

    statusdb_url: str = "http://127.0.0.1:8766"
    """The common database of art. 18(4) that the status relay publishes to (``make run``
    starts one on this port); empty: status changes wait in ``status_outbox``."""
    statusdb_secret: str = Field(default="hoso-dev-statusdb-secret-TEST-ONLY", repr=False)
    """Master secret of the agencies' keys at the common database (one key derived per
    agency code); at scale give each agency its key in ``statusdb_agency_secrets``."""
    statusdb_agency_secrets: dict[str, str] = Field(default_factory=dict, repr=False)
    """Explicit keys at the common database per agency code, as JSON."""

    peers: dict[str, str] = Field(default_factory=dict)
    """Agency code → base URL of the hoso installation serving that agency, as JSON
    (``{"VKSHN": "https://hoso.vks.example"}``): where transferred case files go
    (art. 18(2): each agency keeps its own database). Agencies not named here are served by
    this installation."""
    transfer_confirmation_seconds: int | None = Field(default=None, ge=1)
    """How long a transferred file may stay unconfirmed before both agencies' supervisors
    are warned (art. 17(2)(e)); default three legal days."""
    public_url: str = ""
    """This installation's API as other installations reach it; default
    ``http://<api_host>:<api_port>``."""

    legal_day_seconds: int | None = Field(default=None, ge=10)
    """Demo mode: a legal day lasts this many seconds (also given to the simulator), so a
    person can watch a three-day notification conclude; unset in production."""

    time_zone: str = "Asia/Ho_Chi_Minh"
    """Legal time: dates on documents and procedural days are computed in this zone."""

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("platforms_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL (got {value!r})")
        return value.rstrip("/")

    @field_validator("statusdb_url")
    @classmethod
    def _http_url_or_empty(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL or empty (got {value!r})")
        return value.rstrip("/")

    @field_validator("platform_rate_limits")
    @classmethod
    def _known_platforms(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(DEFAULT_PLATFORM_RATE_LIMITS))
        if unknown:
            known = ", ".join(DEFAULT_PLATFORM_RATE_LIMITS)
            raise ValueError(f"unknown platform {unknown[0]!r} (known: {known})")
        if any(rate <= 0 for rate in value.values()):
            raise ValueError("every rate must be above 0 calls per second")
        return {**DEFAULT_PLATFORM_RATE_LIMITS, **value}

    @field_validator("temporal_address")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"must be host:port (got {value!r})")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("peers")
    @classmethod
    def _peer_urls(cls, value: dict[str, str]) -> dict[str, str]:
        for agency, url in value.items():
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"the URL of {agency} must be http(s) (got {url!r})")
        return {agency: url.rstrip("/") for agency, url in value.items()}

    @property
    def own_url(self) -> str:
        return (self.public_url or f"http://{self.api_host}:{self.api_port}").rstrip("/")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hoso.db').resolve()}"

    @property
    def effective_blob_dir(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@lru_cache
def get_settings() -> Settings:
    """Read the settings once; raise :class:`SettingsError` naming each wrong variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise invalid_settings(exc, ENV_PREFIX) from None
