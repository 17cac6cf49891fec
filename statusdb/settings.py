"""The common database's configuration, from environment variables prefixed ``STATUSDB_``.

A wrong value stops start-up with a message naming the variable (:func:`get_settings`).
"""

import re
from pathlib import Path
from typing import Annotated

import pydantic_settings
from pydantic import AfterValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from casefile.filecodes import AGENCY_CODE_PATTERN
from casefile.settings import SettingsError, check_database_url, invalid_settings
from statusdb.contract import agency_key

__all__ = ["ENV_PREFIX", "SettingsError", "StatusDbSettings", "get_settings"]

ENV_PREFIX = "STATUSDB_"
DEFAULT_PORT = 8766


class StatusDbSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Path("data/statusdb")
    """Where the default SQLite file lives."""
    database_url: Annotated[str, AfterValidator(check_database_url)] = ""
    """``sqlite:///path`` or ``postgresql+psycopg://user@host/db``; empty: a SQLite file
    ``statusdb.sqlite3`` under ``data_dir``."""
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    master_secret: str = Field(default="", repr=False)
    """Agencies' keys are derived from it (``contract.agency_key``) unless listed in
    ``agency_secrets``; empty: only the agencies listed there may publish."""
    agency_secrets: dict[str, str] = Field(default_factory=dict, repr=False)
    """Explicit keys per agency, JSON: ``{"CSDTHN": "...", "VKSHN": "..."}``."""

    @field_validator("agency_secrets")
    @classmethod
    def _agency_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code, secret in value.items():
            if not re.fullmatch(AGENCY_CODE_PATTERN, code):
                raise ValueError(f"{code!r} is not an agency code (2-12 capitals or digits)")
            if len(secret) < 16:
                raise ValueError(f"the secret of {code} is shorter than 16 characters")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'statusdb.sqlite3').resolve()}"

    def key_of(self, agency_code: str) -> bytes | None:
        """The agency's signing key, or None if this agency may not publish."""
        if agency_code in self.agency_secrets:
            return self.agency_secrets[agency_code].encode()
        if self.master_secret:
            return agency_key(self.master_secret.encode(), agency_code)
        return None


def get_settings() -> StatusDbSettings:
    """Read the settings; raise :class:`SettingsError` naming each wrong variable."""
    try:
        settings = StatusDbSettings()
    except ValidationError as exc:
        raise invalid_settings(exc, ENV_PREFIX) from None
    except pydantic_settings.SettingsError as exc:  # e.g. AGENCY_SECRETS is not JSON
        field = str(exc).split('"')[1] if '"' in str(exc) else ""
        raise SettingsError(
            f"invalid configuration: {ENV_PREFIX}{field.upper()}: not valid JSON"
        ) from None
    if not settings.master_secret and not settings.agency_secrets:
        raise SettingsError(
            f"invalid configuration: set {ENV_PREFIX}MASTER_SECRET or "
            f"{ENV_PREFIX}AGENCY_SECRETS, or no agency can publish"
        )
    return settings
