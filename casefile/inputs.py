"""What people and systems give to open a case, add a party or file a document.

Pure Pydantic v2 models (no SQLAlchemy), so the API, workflow inputs and use cases share
one definition; validation errors name the offending field.
"""

from pydantic import BaseModel, ConfigDict, Field

from casefile.codes import DocumentForm, DocumentStatus, PartyRole, SecrecyLevel

__all__ = ["NewCase", "NewDocument", "NewParty"]


class NewCase(BaseModel):
    """What an officer gives to open a file."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    agency_code: str = Field(min_length=2, max_length=12, pattern=r"^[A-Z][A-Z0-9]{1,11}$")
    title: str = Field(min_length=3, max_length=500)
    summary: str = Field(default="", max_length=20000)
    offence: str = Field(default="", max_length=255)
    secrecy: SecrecyLevel = SecrecyLevel.UNCLASSIFIED


class NewParty(BaseModel):
    """A participant's facts (Joint Circular art. 11(1): from the population database where it
    has them; entered by hand only where it has none).

    With a ``national_id`` known to the National Population Database, ``full_name``,
    ``birth_year``, ``residence`` and ``e_account`` come from the database: leave them out, or
    give the same value (a different one is refused, naming the field). Without a
    national ID, or where the database has no record of it, they are entered by hand and
    ``full_name`` is required."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    role: PartyRole
    full_name: str | None = Field(default=None, min_length=1, max_length=255)
    """None: to be retrieved from the population database by ``national_id``."""
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    residence: str = Field(default="", max_length=500)
    """Empty: not given (retrieved from the population database, or unknown)."""
    national_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    """The 12-digit citizen identity number (CCCD)."""
    e_account: str | None = Field(default=None, min_length=3, max_length=128)
    detained: bool = False
    whereabouts_known: bool = True


class NewDocument(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    doc_type: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=500)
    form: DocumentForm = DocumentForm.ELECTRONIC
    status: DocumentStatus = DocumentStatus.FILED
    secrecy: SecrecyLevel = SecrecyLevel.UNCLASSIFIED
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The bytes must already be in the blob store (stored and fsynced before this commit)."""
    size: int = Field(ge=1)
    media_type: str = "application/pdf"
    page_count: int = Field(ge=1, le=100000)
    procedural_number: str | None = None
